// The deterministic cooperative scheduler.
//
// An Executor owns one Kernel and runs CPU programs on it one atomic step at a
// time. Which runnable CPU takes the next step is asked of a Decider; nothing
// else influences the run, so the same programs, configuration and decisions
// always give the same trace. A run ends when every CPU has finished its
// program (then the slots caches are drained and the quiescence oracles run),
// when an oracle reports a fatal finding, when every unfinished CPU is blocked
// (deadlock), or when the step budget is spent (liveness).
//
// Runs allocate nothing unless a trace or a pick list is attached.

#ifndef SWAPFUZZ_MODEL_EXECUTOR_H_
#define SWAPFUZZ_MODEL_EXECUTOR_H_

#include <cstdint>
#include <span>
#include <vector>

#include "model/kernel.h"
#include "model/step.h"

namespace swapfuzz {

// One CPU's program: the mm its task runs in and its operations.
struct CpuProgram {
  uint8_t mm = 0;
  std::vector<Op> ops;
};

// Chooses the CPU for each step.
class Decider {
 public:
  virtual ~Decider() = default;
  // `runnable` has bit i set when CPU i may take a step; it is never 0.
  // `current` is the CPU that took the previous step, or -1 at the start.
  // Returns a CPU whose bit is set.
  virtual int Pick(uint32_t runnable, int current, const Kernel& k) = 0;
  // Called after CPU `cpu` executed `step`.
  virtual void Executed(int cpu, StepId step) {
    (void)cpu;
    (void)step;
  }
};

// The fixed default policy: keep running the current CPU while it can run,
// otherwise the lowest-numbered runnable CPU. Switches only when forced, so it
// adds no preemptions.
int DefaultPick(uint32_t runnable, int current);

class DefaultDecider final : public Decider {
 public:
  int Pick(uint32_t runnable, int current, const Kernel&) override {
    return DefaultPick(runnable, current);
  }
};

// RunOptions::picks: a pick that took no step (its CPU blocked, or only
// finished its program) is recorded with this bit set. Such a pick is a
// decision all the same: it takes its CPU out of the runnable mask, which
// changes what a yielding CPU waits for and what runs next.
inline constexpr uint8_t kPickTookNoStep = 0x80;
// The CPU of a recorded pick.
constexpr int PickCpu(uint8_t pick) { return pick & ~kPickTookNoStep; }

struct RunOptions {
  // Every executed step is appended here when set.
  std::vector<TraceEvent>* trace = nullptr;
  // The CPU of every pick is appended here when set, in order: one entry for
  // each executed step, and one with kPickTookNoStep for each pick that took
  // no step. SegmentsFromPicks() turns the list into segments that replay the
  // run exactly.
  std::vector<uint8_t>* picks = nullptr;
  // Interleaving features of the run are added here when set.
  InterleavingCoverage* coverage = nullptr;
  // Called (non-inlined hook) before this step executes; -1 for never.
  int64_t break_at_step = -1;
};

struct RunResult {
  uint64_t steps = 0;
  uint64_t trace_hash = 0;
  const Finding* finding = nullptr;  // the first fatal finding, into the Kernel
  int diagnostics = 0;
  // The run stopped early, without a verdict, because the model ran out of
  // page frames (kMaxPages): it ends after the step whose allocation found
  // none. Frame ids are never reused, so this is the model's limit, and the
  // kernel's ENOMEM paths that would follow prove nothing.
  bool out_of_frames = false;
};

class Executor {
 public:
  Executor() = default;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Resets the machine: a fresh swap device with `config`, mm 0 alive, one
  // task per program. Programs beyond kMaxCpus or longer than kMaxOpsPerCpu
  // must have been rejected by the caller (Schedule validation does).
  void Reset(const RunConfig& config, std::span<const CpuProgram> programs);

  // Runs to the end. Reset() must come first.
  RunResult Run(Decider& decider, const RunOptions& options = {});

  const Kernel& kernel() const { return kernel_; }
  Kernel& mutable_kernel() { return kernel_; }

 private:
  uint32_t RunnableMask() const;
  bool IsRunnable(const Cpu& c) const;
  // Releases CPUs that yielded once the CPUs they yielded to have stepped.
  void AfterStep(int cpu);
  // Runs CPU `cpu` until it completes one atomic step or blocks.
  StepResult StepCpu(int cpu);
  void Quiesce();

  Kernel kernel_;
};

// The hook `--break_at_step` calls; gdb breaks on it. Never inlined.
extern "C" void swapfuzz_step_hook(uint64_t step, int cpu);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_EXECUTOR_H_
