// Kernel-level coverage: what the modelled kernel did, in three tables.
//
// Step counters: one per StepId, counting how often a run executed that step
// (kernel code coverage with hit counts: "zswap_writeback_entry: entry
// replaced, bail out" ran twice).
//
// Interleaving counters: features that code coverage cannot see. A feature is
// an ordered pair of steps by different CPUs that touch the same object (swap
// offset or page) back to back: "CPU A did do_swap_page: pte_same on offset
// X, then CPU B did swap_readpage: free notify on X". Two runs that execute
// the same code in a different order produce different pairs.
//
// Report counters: one per (oracle, function) an oracle report named, fatal
// or not. A non-fatal diagnostic, such as zram reading a slot that holds
// nothing, marks a run that reached a suspicious state, usually one step from
// a fatal one; the corpus keeps such runs.
//
// The fuzzers feed the tables to libFuzzer as extra counters, and are built
// without SanitizerCoverage of the model's C++ by default: these counters say
// more about the kernel than the C++ branches do, and the fuzzers run about
// five times as many executions per second without that instrumentation
// (docs/fuzzing.md). Counters saturate at 255; pairs and reports are indexed
// by a hash, so the tables have a fixed size and updating them allocates
// nothing.

#ifndef SWAPFUZZ_MODEL_COVERAGE_H_
#define SWAPFUZZ_MODEL_COVERAGE_H_

#include <array>
#include <cstdint>

#include "model/finding.h"
#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {

class InterleavingCoverage {
 public:
  static constexpr int kStepCounters = 512;  // StepId::kCount, with room to grow
  static constexpr int kPairCounters = 4096;
  static constexpr int kReportCounters = 256;
  static constexpr int kCounters = kStepCounters + kPairCounters + kReportCounters;
  static_assert(static_cast<int>(StepId::kCount) <= kStepCounters);

  // `counters` must have kCounters bytes and outlive this object.
  explicit InterleavingCoverage(uint8_t* counters) : counters_(counters) { Reset(); }

  // Forgets the last toucher of every object (call between runs); keeps the
  // counts, which libFuzzer clears itself before each input.
  void Reset();

  // Records that `cpu` executed `step` touching `offset` and `page` (either
  // may be absent).
  void Hit(int cpu, StepId step, Offset offset, PageId page);

  // Records an oracle report (model/step.h Report()) naming `function`.
  void Reported(Oracle oracle, Fn function);

  // Number of nonzero counters in each table.
  int DistinctSteps() const;
  int DistinctPairs() const;
  int DistinctReports() const;

 private:
  struct Last {
    int8_t cpu = -1;
    StepId step = StepId::kCount;
  };
  void Pair(Last& last, int cpu, StepId step, uint32_t salt);

  uint8_t* counters_;
  std::array<Last, kMaxSlots> by_offset_{};
  std::array<Last, kMaxPages> by_page_{};
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_COVERAGE_H_
