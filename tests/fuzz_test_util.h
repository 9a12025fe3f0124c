// What the fuzz-layer tests share: random raw inputs from the project PRNG.
#ifndef SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_
#define SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "base/rng.h"
#include "fuzz/decoder.h"

namespace swapfuzz {

// A raw input with every decision byte it may need: the programs and 0 to
// 159 decision bytes, all drawn from `rng`.
inline std::vector<uint8_t> RandomInput(Rng& rng) {
  std::vector<uint8_t> in(kDecisionOffset + rng.Next() % 160);
  for (uint8_t& b : in) b = static_cast<uint8_t>(rng.Next());
  return in;
}

}  // namespace swapfuzz

#endif  // SWAPFUZZ_TESTS_FUZZ_TEST_UTIL_H_
