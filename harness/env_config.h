// The fuzz targets' configuration from the environment (SWAPFUZZ_*).
//
// A libFuzzer binary takes no flags of its own, so its settings come from
// environment variables, read once:
//   SWAPFUZZ_PROFILE=P        run profile P instead of the target's
//   SWAPFUZZ_KNOBS=k=on,...   replace the target's knob overrides
//                             (ParseKnobSettings(): only "on" and "off")
//   SWAPFUZZ_HUNT=KNOB        count only findings that need KNOB
//   SWAPFUZZ_IGNORE=sig,...   pass over findings with these signatures
//   SWAPFUZZ_ARTIFACTS=DIR    where reproducers go (default swapfuzz-findings)
//   SWAPFUZZ_NO_COUNTERS, SWAPFUZZ_NO_MUTATOR
//                             switch the model's counters or the structural
//                             mutator off, to measure what each is worth
#ifndef SWAPFUZZ_HARNESS_ENV_CONFIG_H_
#define SWAPFUZZ_HARNESS_ENV_CONFIG_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fuzz/decoder.h"

namespace swapfuzz {

struct HarnessConfig {
  FuzzTarget target;            // the named target with SWAPFUZZ_PROFILE/KNOBS applied
  std::string hunt;             // empty: every finding counts
  std::string ignore;           // comma-separated signatures
  std::string artifacts = "swapfuzz-findings";
  bool counters = true;
  bool mutator = true;
};

// Reads the settings for `target_name` through `getenv` (std::getenv in the
// binaries; tests pass their own). Fails with a one-line message on an
// unknown target, profile or knob, a malformed SWAPFUZZ_KNOBS item, or an
// unknown SWAPFUZZ_HUNT knob.
absl::StatusOr<HarnessConfig> HarnessConfigFromEnv(
    std::string_view target_name, const std::function<const char*(const char*)>& getenv);

// Whether `signature` is on `list`, a comma-separated list of signatures.
// Exact matches only; empty items are ignored.
bool SignatureListed(std::string_view list, std::string_view signature);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_HARNESS_ENV_CONFIG_H_
