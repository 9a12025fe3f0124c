// Profiles are releases: names, the mainline alias, and knobs whose code
// path a release does not have.
#include <optional>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "model/knobs.h"

namespace swapfuzz {
namespace {

TEST(ProfilesTest, MainlineIsTheNewestReleaseOnTheCommandLine) {
  EXPECT_EQ(NewestProfile(), AllProfiles().back().name);
  const Profile* mainline = ProfileByName("mainline");
  ASSERT_NE(mainline, nullptr);
  EXPECT_EQ(mainline->name, NewestProfile());
  // No profile is called mainline: the alias never reaches a saved file.
  for (const Profile& p : AllProfiles()) EXPECT_NE(p.name, "mainline");
}

TEST(ProfilesTest, MainlineInAFileMeansV69Forever) {
  struct Case {
    const char* in_file;
    const char* means;
  };
  const Case cases[] = {
      {"mainline", "v6.9"}, {"v6.9", "v6.9"}, {"v5.16", "v5.16"}, {"v6.1.y", "v6.1.y"}, {"v9", "v9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in_file);
    EXPECT_EQ(ProfileForFile(c.in_file), c.means);
  }
}

// Each stable branch runs the code of the release it was checked against.
TEST(ProfilesTest, StableBranchesShareTheirReleasesCode) {
  struct Case {
    const char* branch;
    const char* code_of;
    std::vector<Knob> fixed_since;  // backported fixes: cleared on the branch, set on code_of
  };
  const Case cases[] = {
      {"v5.15.y", "v5.16", {Knob::kFreeNotifyOnRead, Knob::kFreeSwapAndCacheNoPin}},
      {"v6.1.y", "v6.3",
       {Knob::kZswapWbNoRecheck, Knob::kSkipSwapcacheUnpinned, Knob::kFreeSwapAndCacheNoPin}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.branch);
    const Profile* branch = ProfileByName(c.branch);
    const Profile* code = ProfileByName(c.code_of);
    ASSERT_NE(branch, nullptr);
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(branch->code_of, c.code_of);
    EXPECT_EQ(branch->features, code->features);
    for (Knob k : c.fixed_since) {
      EXPECT_FALSE(branch->knobs.Has(k)) << InfoFor(k).name;
      EXPECT_TRUE(code->knobs.Has(k)) << InfoFor(k).name;
    }
  }
}

// The unuse_pte() check came with v6.18 and was never backported: every
// profile of an older release sets the knob, and v6.18 and later clear it.
TEST(ProfilesTest, EveryReleaseBeforeV618LacksTheUnusePteCheck) {
  const std::set<std::string_view> with_check = {"v6.18.y", "v7.1.y"};
  for (const Profile& p : AllProfiles()) {
    SCOPED_TRACE(std::string(p.name));
    EXPECT_EQ(p.knobs.Has(Knob::kUnusePteNoFolioCheck), !with_check.count(p.name));
  }
}

TEST(ProfilesTest, KnobsWithoutTheirCodePathAreRefused) {
  struct Case {
    const char* profile;
    Knob knob;
    bool refused;
  };
  const Case cases[] = {
      {"v5.16", Knob::kZswapExclusiveLoadPrivate, true},
      {"v6.9", Knob::kZswapExclusiveLoadPrivate, false},
      {"v6.3", Knob::kZswapDupStoreKeepsOld, true},
      {"v6.9", Knob::kZswapDupStoreKeepsOld, false},
      {"v6.9", Knob::kZswapDupInvalidateOnlyEnabled, false},
      {"v5.16", Knob::kFreeNotifySharedSlot, false},  // v5.16 sets free_notify_on_read
      {"v6.9", Knob::kFreeNotifySharedSlot, true},
      {"v6.3", Knob::kZswapWbStaleFolioLeak, true},   // v6.3 has no recheck
      {"v6.9", Knob::kZswapWbStaleFolioLeak, false},
      // The model keeps swap_slot_free_notify() in every shape, so the knob
      // can restore it anywhere (knob attribution replays v5.16 schedules so).
      {"v6.9", Knob::kFreeNotifyOnRead, false},
      {"v5.15.y", Knob::kZswapExclusiveLoadPrivate, true},
      {"v6.1.y", Knob::kZswapDupStoreKeepsOld, true},
      {"v6.1.y", Knob::kZswapWbStaleFolioLeak, false},  // 6.1.30 .. 6.1.79
      // v7.0 removed do_swap_page()'s skip-swapcache path, which the first
      // three restore code of, and turned free_swap_and_cache() into
      // swap_put_entries_direct(), which pins the device. 6.18 still has both.
      {"v7.1.y", Knob::kSkipSwapcacheUnpinned, true},
      {"v6.18.y", Knob::kSkipSwapcacheUnpinned, false},
      {"v7.1.y", Knob::kDoSwapPageNoPin, true},
      {"v6.18.y", Knob::kDoSwapPageNoPin, false},
      {"v7.1.y", Knob::kZswapExclusiveLoadPrivate, true},
      {"v6.18.y", Knob::kZswapExclusiveLoadPrivate, false},
      {"v7.1.y", Knob::kFreeSwapAndCacheNoPin, true},
      {"v6.18.y", Knob::kFreeSwapAndCacheNoPin, false},
      {"mainline", Knob::kSkipSwapcacheUnpinned, true},  // mainline is v7.1.y here
      // zram_writeback_endio() exists only with the batched writeback (v6.19+).
      {"v6.18.y", Knob::kZramWbEndioUaf, true},
      {"v6.9", Knob::kZramWbEndioUaf, true},
      {"v7.1.y", Knob::kZramWbEndioUaf, false},
      {"v6.18.y", Knob::kZramWbLeaksReservedBlock, true},
      {"v7.1.y", Knob::kZramWbLeaksReservedBlock, false},
      {"v6.9", Knob::kZeromapStaleZswapEntry, true},
      {"v6.12.y", Knob::kZeromapStaleZswapEntry, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + " " + std::string(InfoFor(c.knob).name));
    const Profile* p = ProfileByName(c.profile);
    ASSERT_NE(p, nullptr);
    KnobSet knobs = p->knobs;
    knobs.Set(c.knob, true);
    EXPECT_EQ(!MissingCodePath(c.knob, *p, knobs).empty(), c.refused);
  }
  // The catalogue names of the four knobs v7.0 took the code of.
  for (const char* name : {"skip_swapcache_unpinned", "do_swap_page_no_get_swap_device",
                           "zswap_exclusive_load_private_folio",
                           "free_swap_and_cache_no_get_swap_device"}) {
    SCOPED_TRACE(name);
    const std::optional<Knob> knob = KnobByName(name);
    ASSERT_TRUE(knob.has_value());
    for (const char* profile : {"v7.1.y", "v6.18.y"}) {
      const Profile* p = ProfileByName(profile);
      ASSERT_NE(p, nullptr);
      KnobSet knobs = p->knobs;
      knobs.Set(*knob, true);
      const std::string_view why = MissingCodePath(*knob, *p, knobs);
      if (std::string_view(profile) == "v7.1.y") {
        EXPECT_NE(why.find("v7.0"), std::string_view::npos) << why;
      } else {
        EXPECT_EQ(why, "");
      }
    }
  }
}

}  // namespace
}  // namespace swapfuzz
