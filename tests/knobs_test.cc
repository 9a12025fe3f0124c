#include "model/knobs.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace swapfuzz {
namespace {

TEST(KnobsTest, CatalogueEntriesAreComplete) {
  std::set<std::string_view> names, hashes;
  for (const KnobInfo& info : AllKnobs()) {
    SCOPED_TRACE(std::string(info.name));
    EXPECT_EQ(&InfoFor(info.knob), &info);
    EXPECT_EQ(KnobByName(info.name), info.knob);
    EXPECT_FALSE(info.fix_title.empty());
    if (info.fix_hash.empty()) {
      // A finding with no fix yet: the knob is the code as released, and the
      // catalogue says so.
      EXPECT_NE(info.affected.find("no fix known"), std::string_view::npos);
      EXPECT_NE(info.fix_title.find("none yet"), std::string_view::npos);
    } else {
      EXPECT_EQ(info.fix_hash.size(), 12u);
      EXPECT_NE(info.affected.find("fixed in"), std::string_view::npos);
      EXPECT_TRUE(hashes.insert(info.fix_hash).second);
    }
    EXPECT_GT(info.description.size(), 80u);
    EXPECT_TRUE(names.insert(info.name).second);
  }
  EXPECT_FALSE(KnobByName("no_such_knob").has_value());
}

TEST(KnobsTest, ProfilesMatchReleases) {
  struct Case {
    std::string_view profile;
    Knob knob;
    bool set;
  };
  // A knob is set in a profile when that release runs the code before the fix
  // (free_notify_shared_slot: fixed in v5.4, before every modelled release).
  const Case cases[] = {
      {"v5.16", Knob::kFreeNotifyOnRead, true},       // fixed in v5.18
      {"v5.16", Knob::kFreeNotifySharedSlot, false},  // fixed in v5.4
      {"v5.16", Knob::kSkipSwapcacheUnpinned, true},  // fixed in v6.8
      {"v6.3", Knob::kFreeNotifyOnRead, false},
      {"v6.3", Knob::kSkipSwapcacheUnpinned, true},
      {"v6.9", Knob::kFreeNotifyOnRead, false},
      {"v6.9", Knob::kSkipSwapcacheUnpinned, false},
      {"v6.9", Knob::kUnusePteNoFolioCheck, true},  // fixed in v6.18
      {"v7.1.y", Knob::kZramWbEndioUaf, false},     // fixed in v7.1-rc
      {"v7.1.y", Knob::kZramWbLeaksReservedBlock, true},  // fixed in v7.2-rc1
      {"v5.15.y", Knob::kZswapAcompUnsyncedCpuDead, true},  // never backported to 5.15.y
      {"v6.1.y", Knob::kZswapAcompUnsyncedCpuDead, true},   // nor to 6.1.y (6.1.166)
      {"v6.9", Knob::kZswapAcompUnsyncedCpuDead, true},     // fixed in v6.13
      {"v6.12.y", Knob::kZswapAcompUnsyncedCpuDead, false},
      {"v7.1.y", Knob::kZswapAcompUnsyncedCpuDead, false},  // no zswap_cpu_comp_dead()
      {"v6.18.y", Knob::kZramWbLeaksReservedBlock, false},  // before its culprit
      {"v6.12.y", Knob::kUnusePteNoFolioCheck, true},
      {"v6.18.y", Knob::kUnusePteNoFolioCheck, false},
      // Findings with no fix yet: set wherever the release has the code.
      {"v6.12.y", Knob::kZeromapStaleZswapEntry, true},
      {"v6.18.y", Knob::kZeromapStaleZswapEntry, true},
      {"v7.1.y", Knob::kZeromapStaleZswapEntry, true},
      {"v6.9", Knob::kZeromapStaleZswapEntry, false},
      {"v7.1.y", Knob::kMemcgSwapinChargeBeforePin, true},
      {"v6.18.y", Knob::kMemcgSwapinChargeBeforePin, false},  // charges after the pin
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + " " + std::string(InfoFor(c.knob).name));
    const Profile* p = ProfileByName(c.profile);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->knobs.Has(c.knob), c.set);
  }
  EXPECT_EQ(ProfileByName("v6.9")->knobs,
            (KnobSet{Knob::kUnusePteNoFolioCheck, Knob::kZswapAcompUnsyncedCpuDead}));
  EXPECT_EQ(ProfileByName("v9.99"), nullptr);
}

TEST(KnobsTest, KnobSetSetsAndClears) {
  KnobSet s;
  s.Set(Knob::kSkipSwapcacheUnpinned, true);
  EXPECT_TRUE(s.Has(Knob::kSkipSwapcacheUnpinned));
  EXPECT_FALSE(s.Has(Knob::kFreeNotifyOnRead));
  s.Set(Knob::kSkipSwapcacheUnpinned, false);
  EXPECT_EQ(s, KnobSet{});
}

}  // namespace
}  // namespace swapfuzz
