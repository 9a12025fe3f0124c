#include "cli/schedule_input.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/file.h"
#include "format/schedule_binary.h"
#include "format/schedule_io.h"
#include "fuzz/decoder.h"
#include "fuzz/runner.h"
#include "harness/reproducer.h"
#include "model/knobs.h"

namespace swapfuzz::cli {
namespace {

// The target a raw fuzzer input came from: --target, or the longest
// "<target>-" prefix of the file's name. Null when neither names one.
const FuzzTarget* RawInputTarget(const std::string& file, const std::string& target_flag) {
  if (!target_flag.empty()) return TargetByName(target_flag);
  const std::string base = file.substr(file.rfind('/') + 1);
  const FuzzTarget* best = nullptr;
  for (const FuzzTarget& t : AllTargets()) {
    const std::string prefix = absl::StrCat(std::string(t.name), "-");
    if (base.rfind(prefix, 0) == 0 && (best == nullptr || t.name.size() > best->name.size())) {
      best = &t;
    }
  }
  return best;
}

}  // namespace

std::string TargetNames(absl::string_view separator) {
  std::string out;
  for (const FuzzTarget& t : AllTargets()) {
    absl::StrAppend(&out, out.empty() ? absl::string_view() : separator, std::string(t.name));
  }
  return out;
}

absl::StatusOr<Schedule> ReadAnySchedule(const std::string& file, const std::string& target_flag) {
  if (!target_flag.empty() && TargetByName(target_flag) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--target: unknown target '", target_flag, "' (see swapfuzz list-targets)"));
  }
  absl::StatusOr<std::string> bytes = Env::Default().ReadFile(file, kMaxScheduleBytes);
  if (!bytes.ok()) return bytes.status();
  const FuzzTarget* target = RawInputTarget(file, target_flag);

  // As a schedule, when it looks like one.
  std::optional<absl::StatusOr<Schedule>> parsed;
  const char* form = "";
  const size_t first = bytes->find_first_not_of(" \t\r\n");
  if (LooksLikeBinarySchedule(*bytes)) {
    parsed = ParseScheduleBinary(*bytes);
    form = "binary";
  } else if (first != std::string::npos && (*bytes)[first] == '{') {
    parsed = ParseScheduleJson(*bytes);
    form = "JSON";
  }
  if (parsed.has_value() && parsed->ok()) {
    if (target != nullptr) {
      absl::FPrintF(stderr,
                    "swapfuzz: note: %s is a valid %s schedule: read as one, not as a raw input "
                    "of target %s\n",
                    file, form, std::string(target->name));
    }
    return *std::move(parsed);
  }
  if (target == nullptr) {
    if (bytes->empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
    if (parsed.has_value()) {
      return absl::Status(parsed->status().code(),
                          absl::StrCat(file, ": ", parsed->status().message()));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": not a JSON or binary schedule; if it is a raw fuzzer input, name its target "
              "with --target=", TargetNames("|")));
  }
  // The raw input of `target`.
  FuzzRunner runner(*target);
  runner.Run({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()});
  if (absl::Status v = VerifyLastRun(runner); !v.ok()) {
    return absl::InternalError(absl::StrCat(file, ": internal error: ", v.message()));
  }
  return runner.LastSchedule();
}

absl::Status ApplyOverrides(const Invocation& inv, ScheduleConfig& config) {
  if (!inv.profile.empty()) {
    const Profile* profile = ProfileByName(inv.profile);
    if (profile == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("--profile: unknown profile '", inv.profile,
                                                     "' (see swapfuzz list-profiles)"));
    }
    // The release as it is: the file's knob overrides restored other code.
    if (!config.knobs.empty()) {
      std::vector<std::string> dropped;
      for (const KnobOverride& k : config.knobs) {
        dropped.push_back(absl::StrCat(k.name, "=", k.on ? "on" : "off"));
      }
      absl::FPrintF(stderr, "swapfuzz: note: --profile=%s runs %s as released: dropped the file's %s\n",
                    inv.profile, profile->release, absl::StrJoin(dropped, ", "));
      config.knobs.clear();
    }
    config.profile = std::string(profile->name);
  }
  for (const std::string& spec : inv.knob) {
    absl::StatusOr<std::vector<KnobOverride>> knobs = ParseKnobSettings(spec);
    if (!knobs.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--knob=", knobs.status().message()));
    }
    for (const KnobOverride& knob : *knobs) SetKnobOverride(config, knob);
  }
  return absl::OkStatus();
}

absl::StatusOr<Schedule> LoadSchedule(const std::string& file, const Invocation& inv) {
  absl::StatusOr<Schedule> schedule = ReadAnySchedule(file, inv.target);
  if (!schedule.ok()) return schedule;
  if (absl::Status s = ApplyOverrides(inv, schedule->config); !s.ok()) return s;
  return schedule;
}

absl::Status WriteAnySchedule(const std::string& path, const Schedule& s) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    return WriteScheduleFile(path, s);
  }
  if (absl::Status v = Validate(s); !v.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", v.message()));
  }
  return Env::Default().WriteFileAtomically(path, ScheduleToBinary(s));
}

}  // namespace swapfuzz::cli
