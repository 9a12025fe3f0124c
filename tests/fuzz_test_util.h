// What the fuzz-layer tests share: random raw inputs from the project PRNG,
// and the exhaustive search of a schedule's programs.
#ifndef SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_
#define SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "fuzz/decoder.h"
#include "fuzz/runner.h"
#include "fuzz/strategies.h"
#include "fuzz/targets.h"
#include "model/schedule.h"

namespace swapfuzz {

// A raw input with every decision byte it may need: the programs and 0 to
// 159 decision bytes, all drawn from `rng`.
inline std::vector<uint8_t> RandomInput(Rng& rng) {
  std::vector<uint8_t> in(kDecisionOffset + rng.Next() % 160);
  for (uint8_t& b : in) b = static_cast<uint8_t>(rng.Next());
  return in;
}

// DFS within `bound` preemptions over `s`'s programs, run as fuzz target
// `target_name` runs its inputs, with `s.config` for the target's: what the
// exhaustive tests assert on.
inline ExploreResult ExploreDfs(const Schedule& s, std::string_view target_name, int bound) {
  FuzzTarget target = *TargetByName(target_name);
  target.base = s.config;
  FuzzRunner runner(target);
  std::unique_ptr<Strategy> dfs = MakeDfs(s, {.preemption_bound = bound});
  return Explore(*dfs, runner, {});
}

}  // namespace swapfuzz

#endif  // SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_
