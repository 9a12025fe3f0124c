// In-process exploration strategies: the byte decoder, a random walk, PCT and
// a bounded exhaustive search, behind one interface.
//
// A Strategy prepares one execution at a time on a FuzzRunner: it fills the
// runner's schedule (configuration and programs) and hands back the Decider
// that picks the CPUs of that run. Explore() drives any strategy until a
// finding, a run or time budget, or the strategy's end (only the exhaustive
// search ends by itself). Findings are runs of the FuzzRunner, so they are
// saved with SaveReproducer() and replay exactly like the fuzzer's.
//
// Programs come either from the target's decoder fed with PRNG bytes (a fresh
// program per execution) or from a fixed schedule (its config and CPUs; its
// decisions are ignored). The exhaustive search always needs a fixed one.
//
// Everything random comes from Rng below (SplitMix64-seeded xoshiro256**, with
// its own range reduction), so a seed gives the same runs on every platform.

#ifndef SWAPFUZZ_FUZZ_STRATEGIES_H_
#define SWAPFUZZ_FUZZ_STRATEGIES_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "fuzz/runner.h"
#include "model/executor.h"
#include "model/schedule.h"
#include "model/trace.h"

namespace swapfuzz {

// The PCT guarantee: a run finds a given depth-d bug with probability at
// least 1/(n * k^(d-1)) (n threads, k steps), so N independent runs all miss
// it with probability at most (1 - 1/(n * k^(d-1)))^N. Returns that bound
// (1 when n, k or d is 0).
double PctMissBound(int n, uint64_t k, int d, uint64_t runs);

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  // Prepares the next execution on `runner` (its schedule's config and
  // programs) and returns its decider, or nullptr when nothing is left.
  virtual Decider* Next(FuzzRunner& runner) = 0;
  // Called after each run with its result.
  virtual void Done(const FuzzRunner& runner) { (void)runner; }
  // The trace the next run must record into, if the strategy needs one.
  virtual std::vector<TraceEvent>* trace() { return nullptr; }
  // A line on what the strategy has covered so far (empty: nothing to say).
  virtual std::string Summary() const { return ""; }
};

// Where programs come from: a fixed schedule, or the target's decoder on
// PRNG bytes.
class ProgramSource {
 public:
  ProgramSource(uint64_t seed, std::optional<Schedule> fixed)
      : rng_(seed), fixed_(std::move(fixed)) {}
  void Fill(FuzzRunner& runner);
  Rng& rng() { return rng_; }

 private:
  Rng rng_;
  std::optional<Schedule> fixed_;
  std::vector<uint8_t> bytes_;
};

// The byte decoder as a strategy: each execution is a random input (programs
// and decision bytes), decoded exactly as the fuzz targets decode theirs.
std::unique_ptr<Strategy> MakeByteStrategy(uint64_t seed, std::optional<Schedule> fixed = {});
// At every step, a uniformly random runnable CPU.
std::unique_ptr<Strategy> MakeRandomWalk(uint64_t seed, std::optional<Schedule> fixed = {});
// PCT with depth `depth` (>= 1): random distinct priorities, depth-1 change
// points uniform among the k steps (k: the most steps a previous run took;
// the first run has no change points), the highest-priority runnable CPU runs.
std::unique_ptr<Strategy> MakePct(uint64_t seed, int depth, std::optional<Schedule> fixed = {});

struct DfsOptions {
  int preemption_bound = 2;
  // Sleep sets: a CPU whose next step is independent of everything run since
  // it was explored at an ancestor is not explored again.
  bool sleep_sets = true;
};
// Depth-first search over every interleaving of `fixed`'s programs with at
// most `preemption_bound` preemptions (switching away from a CPU that could
// still run). Steps are independent when different CPUs take them and they
// touch different swap offsets and pages (TraceEvent); a step without an
// object, or of a function that works on shared state (allocators, LRU,
// swapoff, zswap pool), is dependent with every step.
std::unique_ptr<Strategy> MakeDfs(const Schedule& fixed, const DfsOptions& options);

struct ExploreOptions {
  uint64_t max_runs = 0;    // 0: no limit
  double max_seconds = 0;   // 0: no limit
  // Whether a finding counts, given its exact schedule; unset: every finding
  // counts. The command line passes a hunt filter here (replay/minimize.h's
  // NeedsKnob()), so that this layer knows nothing of attribution.
  std::function<bool(const Schedule&)> counts;
  // Called about once a second with a progress line.
  std::function<void(const std::string&)> progress;
};

struct ExploreResult {
  bool found = false;
  std::string signature;
  uint64_t executions = 0;   // runs, including the finding's
  double seconds = 0;
  bool exhausted = false;    // the strategy had nothing left (DFS finished)
  int passed_over = 0;       // findings not needing the hunted knob
  int n = 0;                 // most CPUs (with the interrupt) runnable in a run
  uint64_t k = 0;            // most steps in a run
  std::string summary;       // Strategy::Summary() at the end
};

// Runs `strategy` on `runner` until a (hunted) finding or a limit. On a
// finding, runner.LastSchedule() is the finding's exact schedule.
ExploreResult Explore(Strategy& strategy, FuzzRunner& runner, const ExploreOptions& options);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_STRATEGIES_H_
