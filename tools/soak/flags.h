// Flag parsing shared by the soak programs: "--name=value" and whole numbers,
// with no library, so each soak stays one file that builds with either
// compiler.
#ifndef SWAPFUZZ_TOOLS_SOAK_FLAGS_H_
#define SWAPFUZZ_TOOLS_SOAK_FLAGS_H_

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

}  // namespace swapfuzz::soak

#endif  // SWAPFUZZ_TOOLS_SOAK_FLAGS_H_
