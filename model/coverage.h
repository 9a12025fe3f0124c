// Interleaving coverage: features that code coverage cannot see.
//
// A feature is an ordered pair of steps by different CPUs that touch the same
// object (swap offset or page) back to back: "CPU A did do_swap_page:
// pte_same on offset X, then CPU B did swap_readpage: free notify on X". Two
// runs that execute the same code in a different order produce different
// pairs. The fuzzer feeds the counters to libFuzzer as extra counters.
//
// Counters saturate at 255 and are indexed by a hash of the pair, so the
// table has a fixed size and updating it allocates nothing.

#ifndef SWAPFUZZ_MODEL_COVERAGE_H_
#define SWAPFUZZ_MODEL_COVERAGE_H_

#include <array>
#include <cstdint>

#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {

class InterleavingCoverage {
 public:
  static constexpr int kCounters = 4096;

  // `counters` must have kCounters bytes and outlive this object.
  explicit InterleavingCoverage(uint8_t* counters) : counters_(counters) { Reset(); }

  // Forgets the last toucher of every object (call between runs); keeps counts.
  void Reset();

  // Records that `cpu` executed `step` touching `offset` and `page` (either
  // may be absent).
  void Hit(int cpu, StepId step, Offset offset, PageId page);

  // Number of distinct counters that are nonzero.
  int Distinct() const;

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
