// What the soak programs share: flag parsing ("--name=value" and whole
// numbers, with no library, so each soak stays one file that builds with
// either compiler) and the hashes their digests fold.
#ifndef SWAPFUZZ_TOOLS_SOAK_SOAK_UTIL_H_
#define SWAPFUZZ_TOOLS_SOAK_SOAK_UTIL_H_

#include <cstdint>
#include <string_view>

namespace swapfuzz::soak {

// Whether `arg` is "--<name>=<value>"; sets *value when it is.
inline bool ParseFlag(std::string_view arg, std::string_view name, std::string_view* value) {
  if (arg.size() < name.size() + 3 || arg.substr(0, 2) != "--" ||
      arg.substr(2, name.size()) != name || arg[2 + name.size()] != '=') {
    return false;
  }
  *value = arg.substr(3 + name.size());
  return true;
}

// A whole number that fits in 64 bits; false for anything else.
inline bool ParseCount(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9' || v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  *out = v;
  return true;
}

// Folds `v` into the digest `h`; the same in every build.
inline uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

// FNV-1a of `s`.
inline uint64_t HashText(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

}  // namespace swapfuzz::soak

#endif  // SWAPFUZZ_TOOLS_SOAK_SOAK_UTIL_H_
