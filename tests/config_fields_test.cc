// Walks SWAPFUZZ_CONFIG_FIELDS (model/config_fields.h) and checks every row
// through everything generated from it: Validate() and Resolve(), the JSON and
// binary files, FuzzRunner's per-input copy and the fuzz decoder, the
// minimizer, and docs/schedule-format.md. A new row is tested here without
// a new test.

#include "model/config_fields.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/rng.h"
#include "format/schedule_binary.h"
#include "format/schedule_io.h"
#include "fuzz/decoder.h"
#include "model/config.h"
#include "model/schedule.h"
#include "replay/minimize.h"

namespace swapfuzz {
namespace {

Schedule OneReader() {
  Schedule s;
  s.cpus = {CpuProgram{0, {Op{OpKind::kRead, 0, 0, 0}}}};
  return s;
}

int DefaultOrdinal(const ConfigField& f) { return f.Ordinal(ScheduleConfig{}); }

// A valid ordinal other than the default.
int NonDefault(const ConfigField& f) {
  return DefaultOrdinal(f) != f.max ? f.max : f.min;
}

// The value as JSON writes it.
std::string JsonValue(const ConfigField& f, int ordinal) {
  switch (f.kind) {
    case ConfigKind::kInt:
      return absl::StrCat(ordinal);
    case ConfigKind::kBool:
      return ordinal != 0 ? "true" : "false";
    case ConfigKind::kName:
      return absl::StrCat("\"", std::string(f.names[ordinal]), "\"");
  }
  return "";
}

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(SWAPFUZZ_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigFieldsTest, TableIsWellFormed) {
  ASSERT_FALSE(ConfigFields().empty());
  std::set<std::string_view> names;
  for (const ConfigField& f : ConfigFields()) {
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(names.insert(f.name).second) << "repeated name";
    EXPECT_EQ(ConfigFieldByName(f.name), &f);
    EXPECT_EQ(f.name.data()[f.name.size()], '\0');  // make_nvp() takes it as a C string
    EXPECT_EQ(f.kind == ConfigKind::kName, !f.names.empty());
    EXPECT_EQ(f.kind == ConfigKind::kInt, f.int_member != nullptr);
    EXPECT_EQ(f.kind == ConfigKind::kBool, f.bool_member != nullptr);
    EXPECT_EQ(f.kind == ConfigKind::kName, f.name_member != nullptr);
    EXPECT_EQ(f.simpler.ordinals().empty(), f.simpler.what.empty());
  }
  EXPECT_EQ(ConfigFieldByName("profile"), nullptr);  // not a row
  EXPECT_EQ(ConfigFieldByName("knobs"), nullptr);
  EXPECT_TRUE(Validate(OneReader()).ok());
}

TEST(ConfigFieldsTest, ValidateAndResolveRejectJustOutsideEachRange) {
  // The messages files and users have seen; a row changes them only on purpose.
  const std::map<std::string_view, std::string> kKnown = {
      {"nslots", "config.nslots: 2 to 32"},
      {"page_cluster", "config.page_cluster: 0 to 3"},
      {"slots_cache_size", "config.slots_cache_size: 0 to 8"},
      {"backend", "config.backend: \"zram\" or \"disk\" or \"file\""},
      {"zswap_max_pool_percent", "config.zswap_max_pool_percent: 0 to 100"},
      {"ram_pages", "config.ram_pages: 1 to 10000"},
  };
  for (const ConfigField& f : ConfigFields()) {
    SCOPED_TRACE(f.name);
    std::vector<Schedule> bad;
    std::string message;
    switch (f.kind) {
      case ConfigKind::kInt:
        message = absl::StrCat("config.", std::string(f.name), ": ", f.min, " to ", f.max);
        for (int v : {f.min - 1, f.max + 1}) {
          bad.push_back(OneReader());
          bad.back().config.*f.int_member = v;
        }
        break;
      case ConfigKind::kName:
        message = absl::StrCat("config.", std::string(f.name), ": \"",
                               absl::StrJoin(std::vector<std::string>(f.names.begin(), f.names.end()),
                                             "\" or \""),
                               "\"");
        bad.push_back(OneReader());
        bad.back().config.*f.name_member = "no such name";
        break;
      case ConfigKind::kBool:
        break;  // every value is valid
    }
    if (auto known = kKnown.find(f.name); known != kKnown.end()) {
      EXPECT_EQ(message, known->second);
    }
    for (const Schedule& s : bad) {
      EXPECT_EQ(Validate(s).message(), message);
      EXPECT_EQ(Resolve(s.config).status().message(), message);
    }
    for (int v : {f.min, f.max}) {
      Schedule s = OneReader();
      f.SetOrdinal(s.config, v);
      EXPECT_EQ(f.Ordinal(s.config), v);
      EXPECT_TRUE(Validate(s).ok()) << v;
    }
  }
}

// (RunnerTest.LastScheduleReplaysExactly checks the per-input copy end to end.)
TEST(ConfigFieldsTest, ResolveCopiesEveryFieldAndThePerInputCopyOnlyItsOwn) {
  // Static per-row access to RunConfig, so the table is walked at compile time.
#define SWAPFUZZ_RUN_ORDINAL(name, ...) \
  if (field == #name) return static_cast<int>(run.name);
  auto run_ordinal = [](const RunConfig& run, std::string_view field) -> int {
    SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_RUN_ORDINAL)
    return -1;
  };
#undef SWAPFUZZ_RUN_ORDINAL
  const RunConfig defaults;
  for (const ConfigField& f : ConfigFields()) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(run_ordinal(defaults, f.name), DefaultOrdinal(f));
    // The newest release: several swap devices need its allocator.
    ScheduleConfig config;
    config.profile = std::string(NewestProfile());
    f.SetOrdinal(config, NonDefault(f));
    // Large folios are modelled with zswap in front of the device, whose
    // swap-ins are all of order 0.
    if (f.name == "mthp_order") config.zswap = true;
    absl::StatusOr<RunConfig> run = Resolve(config);
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run_ordinal(*run, f.name), NonDefault(f));

    RunConfig per_input;
    ResolvePerInputConfigFields(config, per_input);
    EXPECT_EQ(run_ordinal(per_input, f.name),
              f.fuzz != FuzzSource::kPerTarget ? NonDefault(f) : DefaultOrdinal(f));
  }
}

// The fuzz column says what the decoder sets: it never changes a kPerTarget
// field; over many inputs it changes each kPerInput one, and each
// kPerInputUpToTarget one where the target's value leaves it room, never
// above that value.
TEST(ConfigFieldsTest, DecoderSetsExactlyThePerInputFields) {
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(target.name);
    std::set<std::string_view> varied;
    Rng rng(7);
    Schedule s;
    for (int i = 0; i < 200; ++i) {
      std::vector<uint8_t> input(64);
      for (uint8_t& b : input) b = static_cast<uint8_t>(rng.Next());
      DecodePrograms(target, input, s);
      for (const ConfigField& f : ConfigFields()) {
        if (f.Ordinal(s.config) != f.Ordinal(target.base)) varied.insert(f.name);
        if (f.fuzz == FuzzSource::kPerInputUpToTarget) {
          EXPECT_LE(f.Ordinal(s.config), f.Ordinal(target.base)) << f.name;
        }
      }
    }
    for (const ConfigField& f : ConfigFields()) {
      SCOPED_TRACE(f.name);
      const bool drawn = f.fuzz == FuzzSource::kPerInput ||
                         (f.fuzz == FuzzSource::kPerInputUpToTarget && f.Ordinal(target.base) > 0);
      EXPECT_EQ(varied.count(f.name) == 1, drawn);
    }
  }
}

TEST(ConfigFieldsTest, JsonWritesEveryFieldInTableOrderAndReadsItBack) {
  const std::string defaults = ScheduleToJson(OneReader());
  size_t last = defaults.find("\"knobs\"");
  ASSERT_NE(last, std::string::npos);
  for (const ConfigField& f : ConfigFields()) {
    SCOPED_TRACE(f.name);
    // Defaults included, after the profile and knobs, in table order.
    const size_t at = defaults.find(absl::StrCat("\"", std::string(f.name), "\": ", JsonValue(f, DefaultOrdinal(f))));
    ASSERT_NE(at, std::string::npos) << defaults;
    EXPECT_GT(at, last);
    last = at;

    Schedule s = OneReader();
    f.SetOrdinal(s.config, NonDefault(f));
    const std::string json = ScheduleToJson(s);
    EXPECT_NE(json.find(absl::StrCat("\"", std::string(f.name), "\": ", JsonValue(f, NonDefault(f)))),
              std::string::npos);
    absl::StatusOr<Schedule> back = ParseScheduleJson(json);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->config, s.config);
    EXPECT_EQ(ScheduleToJson(*back), json);
  }
}

TEST(ConfigFieldsTest, BinaryWritesEveryFieldInSlotOrderAndReadsItBack) {
  const std::string defaults = ScheduleToBinary(OneReader());
  std::map<int, size_t> at_slot;
  for (const ConfigField& f : ConfigFields()) {
    // Each key is written once, as a length byte and the name.
    const std::string key = std::string(1, static_cast<char>(f.name.size())) + std::string(f.name);
    at_slot[f.binary_slot] = defaults.find(key);
    EXPECT_NE(at_slot[f.binary_slot], std::string::npos) << f.name;
  }
  for (size_t slot = 1; slot < at_slot.size(); ++slot) EXPECT_LT(at_slot[slot - 1], at_slot[slot]);

  for (const ConfigField& f : ConfigFields()) {
    SCOPED_TRACE(f.name);
    Schedule s = OneReader();
    f.SetOrdinal(s.config, NonDefault(f));
    const std::string bin = ScheduleToBinary(s);
    EXPECT_NE(bin, defaults);
    absl::StatusOr<Schedule> back = ParseScheduleBinary(bin);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->config, s.config);
    EXPECT_EQ(ScheduleToBinary(*back), bin);
  }
}

// Each field with simpler values, set to its largest value on a reproducer
// whose finding does not depend on it, comes out of the minimizer at its
// simplest, and the progress says so.
TEST(ConfigFieldsTest, MinimizerAppliesEachRowsSimplerValues) {
  absl::StatusOr<Schedule> reproducer = ReadScheduleFile(
      std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions/zram_free_notify_on_read.json");
  ASSERT_TRUE(reproducer.ok()) << reproducer.status();
  int rows = 0;
  for (const ConfigField& f : ConfigFields()) {
    if (f.simpler.ordinals().empty()) continue;
    SCOPED_TRACE(f.name);
    ++rows;
    Schedule s = *reproducer;
    s.expected.reset();
    f.SetOrdinal(s.config, f.max);
    Executor executor;
    absl::StatusOr<ReplayOutput> run = RunSchedule(executor, s);
    ASSERT_TRUE(run.ok() && run->finding.has_value())
        << "the finding needs the field below its maximum: pick another reproducer";
    std::vector<std::string> progress;
    MinimizeOptions options;
    options.progress = [&](const std::string& line) { progress.push_back(line); };
    absl::StatusOr<MinimizeResult> min = Minimize(s, options);
    ASSERT_TRUE(min.ok()) << min.status();
    int simplest = f.max;
    for (int v : f.simpler.ordinals()) simplest = std::min(simplest, v);
    EXPECT_EQ(f.Ordinal(min->schedule.config), simplest);
    bool reported = false;
    for (const std::string& line : progress) {
      reported |= line.find(std::string(f.simpler.what)) != std::string::npos;
    }
    EXPECT_TRUE(reported) << "no progress line says \"" << f.simpler.what << "\"";
  }
  EXPECT_GE(rows, 1);
}

// docs/schedule-format.md has a row per field, in table order, with its type,
// range and default.
TEST(ConfigFieldsTest, FormatDocumentationListsEveryField) {
  const std::string doc = ReadSource("docs/schedule-format.md");
  const size_t table = doc.find("### `config`");
  ASSERT_NE(table, std::string::npos);
  const size_t end = doc.find("\n#", table + 1);
  std::vector<std::string> rows;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(doc).substr(table, end - table), '\n')) {
    if (absl::StartsWith(line, "| `")) rows.emplace_back(line);
  }
  std::vector<std::string> documented;
  for (const std::string& row : rows) {
    if (absl::StartsWith(row, "| `profile`") || absl::StartsWith(row, "| `knobs`")) continue;
    const std::vector<std::string> cells = absl::StrSplit(row, " | ");
    documented.push_back(absl::StrJoin(cells.begin(), cells.begin() + std::min<size_t>(3, cells.size()), " | "));
  }
  std::vector<std::string> expected;
  for (const ConfigField& f : ConfigFields()) {
    const int d = DefaultOrdinal(f);
    switch (f.kind) {
      case ConfigKind::kInt:
        expected.push_back(absl::StrCat("| `", std::string(f.name), "` | integer, ", f.min, " to ", f.max, " | ", d));
        break;
      case ConfigKind::kBool:
        expected.push_back(absl::StrCat("| `", std::string(f.name), "` | boolean | `", JsonValue(f, d), "`"));
        break;
      case ConfigKind::kName:
        expected.push_back(absl::StrCat("| `", std::string(f.name), "` | string | `", JsonValue(f, d), "`"));
        break;
    }
  }
  EXPECT_EQ(documented, expected);
}

}  // namespace
}  // namespace swapfuzz
