#include "replay/bisect.h"

#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "format/schedule_io.h"
#include "model/knobs.h"

namespace swapfuzz {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<BisectRow>> BisectFile(const std::string& name) {
  absl::StatusOr<Schedule> s =
      ReadScheduleFile((fs::path(SWAPFUZZ_SOURCE_DIR) / "corpus" / "regressions" / name).string());
  if (!s.ok()) return s.status();
  return Bisect(*s);
}

std::map<std::string, const BisectRow*> ByProfile(const std::vector<BisectRow>& rows) {
  std::map<std::string, const BisectRow*> out;
  for (const BisectRow& r : rows) out[r.profile] = &r;
  return out;
}

// Every regression: one row as saved, then one per release, oldest first;
// the saved row reproduces the file's finding; a row reports a divergence
// exactly when its run differs from the row above.
TEST(BisectTest, RowsForEveryRegression) {
  for (const fs::directory_entry& e :
       fs::directory_iterator(fs::path(SWAPFUZZ_SOURCE_DIR) / "corpus" / "regressions")) {
    SCOPED_TRACE(e.path().filename().string());
    absl::StatusOr<Schedule> s = ReadScheduleFile(e.path().string());
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<std::vector<BisectRow>> rows = Bisect(*s);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), AllProfiles().size() + 1);
    EXPECT_EQ((*rows)[0].profile, "as saved");
    ASSERT_TRUE(s->expected.has_value());
    EXPECT_EQ((*rows)[0].signature, s->expected->signature);
    EXPECT_EQ((*rows)[0].trace_hash, s->expected->trace_hash);
    // A release may be unable to run the file's configuration (large
    // folios before v6.10): its row says so, and the next row is compared
    // with the last one that ran.
    size_t last_ran = 0;
    for (size_t i = 1; i < rows->size(); ++i) {
      const BisectRow& r = (*rows)[i];
      EXPECT_EQ(r.profile, AllProfiles()[i - 1].name);
      ScheduleConfig config = s->config;
      config.knobs.clear();
      const bool runs = Resolve(config, std::string(r.profile)).ok();
      EXPECT_EQ(r.invalid.empty(), runs) << r.profile << ": " << r.invalid;
      if (!runs) continue;
      const bool same_run = r.trace_hash == (*rows)[last_ran].trace_hash;
      EXPECT_EQ(r.diverges_at.has_value(), !same_run) << r.profile;
      last_ran = i;
    }
    // A file without knob overrides runs its own release as saved.
    if (s->config.knobs.empty()) {
      const BisectRow* own = ByProfile(*rows)[std::string(ProfileForFile(s->config.profile))];
      ASSERT_NE(own, nullptr);
      EXPECT_EQ(own->trace_hash, (*rows)[0].trace_hash);
    }
  }
}

// What the stable branches got: the LTS rows follow the backports.
TEST(BisectTest, StableBranchesFollowTheirBackports) {
  struct Case {
    const char* file;
    const char* profile;
    bool fails;
    const char* why;
  };
  const Case cases[] = {
      {"skip_swapcache_aba.json", "v5.15.y", true, "13ddaf26be32 never reached 5.15"},
      {"skip_swapcache_aba.json", "v6.1.y", false, "13ddaf26be32 is in 6.1.80"},
      {"skip_swapcache_aba.json", "v6.3", true, "fixed in v6.8"},
      {"skip_swapcache_aba.json", "v6.9", false, "fixed in v6.8"},
      {"zram_free_notify_on_read.json", "v5.15.y", false, "e914d8f00391 is in 5.15.35"},
      {"zram_free_notify_on_read.json", "v5.16", true, "fixed in v5.18"},
      {"free_swap_and_cache_swapoff.json", "v5.15.y", false, "82b1c07a0af6 is in 5.15.154"},
      {"free_swap_and_cache_swapoff.json", "v6.1.y", false, "82b1c07a0af6 is in 6.1.84"},
      {"free_swap_and_cache_swapoff.json", "v6.3", true, "fixed in v6.9"},
      {"zswap_lru_wb_swapoff.json", "v6.1.y", true, "5878303c5353 never reached 6.1"},
      {"zswap_lru_wb_swapoff.json", "v6.9", false, "fixed in v6.9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.file) + " on " + c.profile + ": " + c.why);
    absl::StatusOr<std::vector<BisectRow>> rows = BisectFile(c.file);
    ASSERT_TRUE(rows.ok()) << rows.status();
    const BisectRow* row = ByProfile(*rows)[c.profile];
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->finding, c.fails);
  }
}

TEST(BisectTest, TableHasARowPerProfile) {
  absl::StatusOr<std::vector<BisectRow>> rows = BisectFile("skip_swapcache_aba.json");
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::string table = RenderBisectTable(*rows);
  EXPECT_NE(table.find("| as saved | v6.3 | data-integrity:do_swap_page:page | 41 |  |"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("| v6.1.y | Linux 6.1.166 | clean |"), std::string::npos) << table;
  EXPECT_NE(table.find("step 16: cpu 0 swapcache_prepare: pin skip-swapcache entry"),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace swapfuzz
