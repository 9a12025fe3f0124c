// The PCT scheduler (Burckhardt et al., ASPLOS 2010) as a Decider.
//
// Each CPU gets a distinct random priority; at depth-1 change points, chosen
// uniformly among the first k steps, the CPU about to take that step drops to
// a priority below every initial one. The highest-priority runnable CPU always
// runs. A run finds a given depth-d bug with probability at least
// 1/(n * k^(d-1)). Used by `swapfuzz explore --strategy=pct` and, for the
// part of a fuzz input past its decision bytes, by the decoder.

#ifndef SWAPFUZZ_FUZZ_PCT_H_
#define SWAPFUZZ_FUZZ_PCT_H_

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/rng.h"
#include "model/executor.h"

namespace swapfuzz {

class PctDecider final : public Decider {
 public:
  static constexpr int kMaxDepth = 8;

  // Priorities depth .. depth+kMaxCpus in a random order; change point i
  // (0-based) lowers the CPU about to take that step to priority i + 1.
  // `depth` is clamped to [1, kMaxDepth].
  void Reset(Rng& rng, int depth, uint64_t k) {
    depth = std::clamp(depth, 1, kMaxDepth);
    std::array<int, kMaxCpus + 1> order;
    for (int i = 0; i <= kMaxCpus; ++i) order[i] = i;
    for (int i = kMaxCpus; i > 0; --i) std::swap(order[i], order[rng.Below(i + 1)]);
    for (int i = 0; i <= kMaxCpus; ++i) priority_[i] = depth + order[i];
    nchanges_ = 0;
    const uint64_t want = std::min<uint64_t>(depth - 1, k);
    while (static_cast<uint64_t>(nchanges_) < want) {
      const uint64_t step = 1 + rng.Below(k);
      if (std::find(changes_.begin(), changes_.begin() + nchanges_, step) ==
          changes_.begin() + nchanges_) {
        changes_[nchanges_++] = step;
      }
    }
    steps_ = 0;
  }

  int Pick(uint32_t runnable, int, const Kernel&) override {
    int best = Highest(runnable);
    for (int i = 0; i < nchanges_; ++i) {
      if (changes_[i] == steps_ + 1) {
        priority_[best] = i + 1;
        changes_[i] = 0;  // once, even if the CPU then blocks
        best = Highest(runnable);
      }
    }
    return best;
  }
  void Executed(int, StepId) override { ++steps_; }

 private:
  int Highest(uint32_t runnable) const {
    int best = -1;
    for (uint32_t m = runnable; m != 0; m &= m - 1) {
      const int cpu = __builtin_ctz(m);
      if (best < 0 || priority_[cpu] > priority_[best]) best = cpu;
    }
    return best;
  }

  std::array<int, kMaxCpus + 1> priority_{};
  std::array<uint64_t, kMaxDepth> changes_{};
  int nchanges_ = 0;
  uint64_t steps_ = 0;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_PCT_H_
