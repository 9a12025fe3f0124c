#include "model/config_fields.h"

#include <algorithm>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "model/config.h"
#include "model/schedule.h"

namespace swapfuzz {
namespace {

// A row as data. The member's type must be the domain's Value.
template <typename Domain>
constexpr ConfigField Row(std::string_view name, Domain domain,
                          typename Domain::Value ScheduleConfig::*member, int binary_slot,
                          FuzzSource fuzz, Simpler simpler) {
  ConfigField f{.name = name,
                .kind = Domain::kKind,
                .min = domain.min,
                .max = domain.max,
                .names = {},
                .binary_slot = binary_slot,
                .fuzz = fuzz,
                .simpler = simpler};
  if constexpr (std::is_same_v<Domain, OneOf>) {
    f.names = domain.names;
    f.name_member = member;
  } else if constexpr (std::is_same_v<Domain, Boolean>) {
    f.bool_member = member;
  } else {
    f.int_member = member;
  }
  return f;
}

#define SWAPFUZZ_CONFIG_ROW(name, domain, run_type, default_value, binary_slot, fuzz, simpler) \
  Row(#name, domain, &ScheduleConfig::name, binary_slot, FuzzSource::fuzz, simpler),
constexpr ConfigField kFields[] = {SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_CONFIG_ROW)};
#undef SWAPFUZZ_CONFIG_ROW

// What the table promises, checked row by row at compile time: ordinals are
// never negative (binary files store them as unsigned varints), the default is
// valid, the run type holds every valid ordinal, and the minimizer's values
// are valid.
template <typename RunType, typename Domain>
constexpr bool RowIsSound(Domain domain, int default_ordinal, Simpler simpler) {
  bool ok = domain.min >= 0 && domain.min <= domain.max && default_ordinal >= domain.min &&
            default_ordinal <= domain.max;
  for (int v : {domain.min, domain.max}) {
    ok = ok && static_cast<long long>(static_cast<RunType>(v)) == v;
  }
  for (size_t i = 0; i < simpler.count; ++i) {
    ok = ok && simpler.values[i] >= domain.min && simpler.values[i] <= domain.max;
  }
  return ok;
}
#define SWAPFUZZ_CHECK_ROW(name, domain, run_type, default_value, binary_slot, fuzz, simpler) \
  static_assert(RowIsSound<run_type>(domain, (domain).Ordinal(default_value), simpler),      \
                "config field " #name ": see the column rules in model/config_fields.h");
SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_CHECK_ROW)
#undef SWAPFUZZ_CHECK_ROW

constexpr bool BinarySlotsArePermutation() {
  std::array<bool, std::size(kFields)> used{};
  for (const ConfigField& f : kFields) {
    if (f.binary_slot < 0 || f.binary_slot >= static_cast<int>(used.size())) return false;
    if (used[f.binary_slot]) return false;
    used[f.binary_slot] = true;
  }
  return true;
}
static_assert(BinarySlotsArePermutation(),
              "the binary slots of SWAPFUZZ_CONFIG_FIELDS must be 0 to N-1, each used once");

}  // namespace

int ConfigField::Ordinal(const ScheduleConfig& config) const {
  switch (kind) {
    case ConfigKind::kInt:
      return config.*int_member;
    case ConfigKind::kBool:
      return config.*bool_member ? 1 : 0;
    case ConfigKind::kName: {
      const std::string& value = config.*name_member;
      const auto it = std::find(names.begin(), names.end(), value);
      return it == names.end() ? -1 : static_cast<int>(it - names.begin());
    }
  }
  return -1;
}

void ConfigField::SetOrdinal(ScheduleConfig& config, int ordinal) const {
  switch (kind) {
    case ConfigKind::kInt:
      config.*int_member = ordinal;
      return;
    case ConfigKind::kBool:
      config.*bool_member = ordinal != 0;
      return;
    case ConfigKind::kName:
      config.*name_member = std::string(names[ordinal]);
      return;
  }
}

absl::Status ConfigField::Check(const ScheduleConfig& config) const {
  const int ordinal = Ordinal(config);
  if (ordinal >= min && ordinal <= max) return absl::OkStatus();
  const absl::string_view field(name.data(), name.size());
  if (kind == ConfigKind::kName) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.", field, ": ",
                     absl::StrJoin(names, " or ", [](std::string* out, std::string_view n) {
                       absl::StrAppend(out, "\"", absl::string_view(n.data(), n.size()), "\"");
                     })));
  }
  return absl::InvalidArgumentError(absl::StrCat("config.", field, ": ", min, " to ", max));
}

std::span<const ConfigField> ConfigFields() { return kFields; }

const ConfigField* ConfigFieldByName(std::string_view name) {
  for (const ConfigField& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status ValidateConfigFields(const ScheduleConfig& config) {
  for (const ConfigField& f : kFields) {
    if (absl::Status s = f.Check(config); !s.ok()) return s;
  }
  return absl::OkStatus();
}

#define SWAPFUZZ_RESOLVE_ROW(name, domain, run_type, default_value, binary_slot, fuzz, simpler) \
  run.name = static_cast<run_type>((domain).Ordinal(config.name));
void ResolveConfigFields(const ScheduleConfig& config, RunConfig& run) {
  SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_RESOLVE_ROW)
}
#undef SWAPFUZZ_RESOLVE_ROW

#define SWAPFUZZ_RESOLVE_PER_INPUT_ROW(name, domain, run_type, default_value, binary_slot, fuzz, \
                                       simpler)                                                  \
  if constexpr (FuzzSource::fuzz != FuzzSource::kPerTarget) {                                    \
    run.name = static_cast<run_type>((domain).Ordinal(config.name));                             \
  }
void ResolvePerInputConfigFields(const ScheduleConfig& config, RunConfig& run) {
  SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_RESOLVE_PER_INPUT_ROW)
}
#undef SWAPFUZZ_RESOLVE_PER_INPUT_ROW

}  // namespace swapfuzz
