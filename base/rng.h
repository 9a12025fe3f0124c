// The project's own random number generator, for everything that draws at
// random on a path a schedule runs (strategies, the mutator, tests).
//
// xoshiro256** seeded through SplitMix64, with Lemire's unbiased range
// reduction. Unlike absl::BitGen (salted per process) or std distributions
// (different in libstdc++ and libc++), the same seed gives the same numbers
// in every build.

#ifndef SWAPFUZZ_BASE_RNG_H_
#define SWAPFUZZ_BASE_RNG_H_

#include <array>
#include <cstdint>

namespace swapfuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) w = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // A value in [0, n), n > 0, without modulo bias (Lemire, "Fast random
  // integer generation in an interval", 2019).
  uint64_t Below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  static uint64_t SplitMix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<uint64_t, 4> s_{};
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_BASE_RNG_H_
