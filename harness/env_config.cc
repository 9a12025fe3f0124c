#include "harness/env_config.h"

#include "absl/strings/str_cat.h"
#include "model/knobs.h"
#include "model/schedule.h"

namespace swapfuzz {

absl::StatusOr<HarnessConfig> HarnessConfigFromEnv(
    std::string_view target_name, const std::function<const char*(const char*)>& getenv) {
  const FuzzTarget* target = TargetByName(target_name);
  if (target == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown fuzz target '", std::string(target_name), "'"));
  }
  HarnessConfig config;
  config.target = *target;
  if (const char* name = getenv("SWAPFUZZ_PROFILE")) {
    // The release, never the alias: reproducers must name what they ran.
    const Profile* profile = ProfileByName(name);
    if (profile == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("SWAPFUZZ_PROFILE: unknown profile '", name, "' (see swapfuzz list-profiles)"));
    }
    config.target.base.profile = std::string(profile->name);
  }
  if (const char* knobs = getenv("SWAPFUZZ_KNOBS")) {
    absl::StatusOr<std::vector<KnobOverride>> parsed = ParseKnobSettings(knobs);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("SWAPFUZZ_KNOBS: ", parsed.status().message()));
    }
    config.target.base.knobs = *std::move(parsed);
  }
  absl::StatusOr<RunConfig> resolved = Resolve(config.target.base);
  if (!resolved.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad SWAPFUZZ_PROFILE or SWAPFUZZ_KNOBS: ", resolved.status().message()));
  }
  if (absl::Status st = CheckOpsModelled(config.target.op_table, *resolved); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("bad SWAPFUZZ_PROFILE: ", st.message()));
  }
  if (const char* hunt = getenv("SWAPFUZZ_HUNT")) {
    if (!KnobByName(hunt)) {
      return absl::InvalidArgumentError(
          absl::StrCat("SWAPFUZZ_HUNT: unknown knob '", hunt, "' (see swapfuzz list-bugs)"));
    }
    config.hunt = hunt;
  }
  if (const char* ignore = getenv("SWAPFUZZ_IGNORE")) config.ignore = ignore;
  if (const char* dir = getenv("SWAPFUZZ_ARTIFACTS")) config.artifacts = dir;
  config.counters = getenv("SWAPFUZZ_NO_COUNTERS") == nullptr;
  config.mutator = getenv("SWAPFUZZ_NO_MUTATOR") == nullptr;
  return config;
}

bool SignatureListed(std::string_view list, std::string_view signature) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (!item.empty() && item == signature) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace swapfuzz
