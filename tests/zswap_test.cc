// mm/zswap.c in the model: store, load, invalidate, the shrink worker and its
// writeback, the module parameters, each era's shape, the catalogue entries
// and the zswap oracles.

#include "model/mm/zswap.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "tests/model_test_util.h"
#include "model/schedule.h"
#include "model/step.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Munmap;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::Write;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Swapoff;
using ::swapfuzz::testing::UffdWp;

Op Shrink() { return Op{OpKind::kZswapShrink, 0, 0, 0}; }
Op Enable(bool on) { return Op{OpKind::kZswapEnable, 0, static_cast<uint8_t>(on), 0}; }
Op MaxPool(uint8_t pct) { return Op{OpKind::kZswapMaxPool, 0, pct, 0}; }

Schedule Make(std::vector<std::vector<Op>> programs, const std::string& profile = "v6.9",
              const std::string& backend = "zram") {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = backend;
  s.config.zswap = true;
  s.config.page_cluster = 0;
  for (auto& ops : programs) s.cpus.push_back(CpuProgram{0, std::move(ops)});
  return s;
}

const ZswapEntry* TreeEntry(const Kernel& k, Offset off) {
  if (k.zswap.tree_id[0] == 0 || k.zswap.tree[off] == kNoEntry) return nullptr;
  return &k.zswap_entries[k.zswap.tree[off]];
}

// --- store ---

TEST(ZswapStoreTest, ReclaimStoresInZswapInsteadOfTheDevice) {
  for (const std::string backend : {"zram", "disk"}) {
    SCOPED_TRACE(backend);
    const Outcome r = Exec(Make({{Write(0, 0x11), Reclaim(0)}}, "v6.9", backend));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const ZswapEntry* e = TreeEntry(r.k, 1);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->data, 0x11u);
    EXPECT_EQ(e->refcount, 1);
    EXPECT_TRUE(e->on_lru);
    EXPECT_EQ(r.k.zswap.pool_pages, 1);
    EXPECT_EQ(r.k.zswap.stored_pages, 1);
    EXPECT_EQ(r.Count(StepId::kZramWrite) + r.Count(StepId::kBioSubmitWrite), 0)
        << "the device is not written";
    EXPECT_EQ(r.k.swap_cache[1], kNoPage) << "the synchronous store lets reclaim free the page";
    EXPECT_EQ(r.k.si.auth_data[1], 0x11u);
  }
}

TEST(ZswapStoreTest, SameFilledPagesTakeNoPoolPage) {
  // A mapped anonymous page whose contents are all zeros (the model's token 0).
  const Outcome r = Exec(Make({{Reclaim(0), Read(0)}}), [](Kernel& k) {
    const PageId id = alloc_page(k);
    Page& p = k.pages[id];
    p.uptodate = p.swapbacked = p.lru = p.anon_exclusive = true;
    p.mapcount = 1;
    k.mms[0].pte[0] = Pte{Pte::Kind::kPresent, true, id, kNoOffset};
  });
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZswapStoreInsert), 1);
  EXPECT_EQ(r.Count(StepId::kZswapLoadDecompress), 1);
  // Stored with length 0: no pool page, not on the LRU; the swap-in freed it.
  EXPECT_EQ(r.k.zswap.pool_pages, 0);
  EXPECT_EQ(r.k.zswap.lru_n, 0);
  EXPECT_TRUE(r.k.zswap_entries[0].same_filled);
}

TEST(ZswapStoreTest, RejectedPagesGoToTheDevice) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    int max_pool;
    int stored;  // entries in the tree at the end
  };
  const Case cases[] = {
      {"disabled", {Enable(false), Write(0, 0x21), Reclaim(0)}, 20, 0},
      {"pool full: max_pool_percent 1 of 50 pages is 0", {Write(0, 0x21), Write(1, 0x22), Reclaim(0),
                                                          Reclaim(1)}, 1, 1},
      {"limit lowered at runtime", {Write(0, 0x21), Write(1, 0x22), Reclaim(0), MaxPool(1), Reclaim(1)},
       20, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({c.ops});
    s.config.zswap_max_pool_percent = c.max_pool;
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.k.zswap.stored_pages, c.stored);
    EXPECT_GE(r.Count(StepId::kZramWrite), 1) << r.Dump();
  }
}

TEST(ZswapStoreTest, FullPoolQueuesShrinkAndHysteresisHoldsUntilBelowThreshold) {
  // ram_pages 20, max 10%: full above 2 pages; accepting again needs fewer
  // than 20 * 90% * 10% = 1 page.
  Schedule s = Make({{Write(0, 0x31), Write(1, 0x32), Write(2, 0x33), Write(3, 0x34), Reclaim(0), Reclaim(1),
                      Reclaim(2), Reclaim(3), Munmap(0), Write(0, 0x35), Reclaim(0), Munmap(1),
                      Munmap(2), Write(1, 0x36), Reclaim(1)}});
  s.config.ram_pages = 20;
  s.config.zswap_max_pool_percent = 10;
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  std::vector<Token> accepted;
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == StepId::kZswapStoreCheck) accepted.push_back(e.detail);
  }
  // Three stored; the fourth finds the pool full; the fifth finds 2 pages, not
  // full but not below the threshold; the sixth, with the pool empty, is taken.
  EXPECT_EQ(accepted, (std::vector<Token>{1, 1, 1, 0, 0, 1})) << r.Dump();
  EXPECT_TRUE(r.k.zswap.shrink_queued);
  EXPECT_FALSE(r.k.zswap.pool_reached_full);
}

TEST(ZswapStoreTest, PoolLimitArithmetic) {
  Executor ex;
  RunConfig config;
  config.zswap = true;
  config.ram_pages = 50;
  ex.Reset(config, {});
  Kernel& k = ex.mutable_kernel();
  k.zswap.max_pool_percent = 20;  // 10 pages; accept below 9
  k.zswap.pool_pages = 10;
  EXPECT_FALSE(zswap_is_full(k));
  EXPECT_FALSE(zswap_can_accept(k));
  k.zswap.pool_pages = 11;
  EXPECT_TRUE(zswap_is_full(k));
  k.zswap.pool_pages = 8;
  EXPECT_TRUE(zswap_can_accept(k));
  k.zswap.max_pool_percent = 1;  // 0 pages
  k.zswap.pool_pages = 0;
  EXPECT_FALSE(zswap_is_full(k));
  EXPECT_FALSE(zswap_can_accept(k));
}

// The old entry for an offset is invalidated before a swap cache page that
// was stored, dirtied and written out again is stored: always in v5.16/v6.3
// (__frontswap_store()) and mainline; with ca56489c2f1d restored only when the
// new store succeeds; with 678e54d4bb9a restored, not when zswap is disabled.
TEST(ZswapStoreTest, DuplicateEntryHandling) {
  struct Case {
    std::string file;
    std::string profile;
    std::vector<KnobOverride> knobs;
    bool stale_entry_survives;
  };
  const Case cases[] = {
      {"zswap_dup_store_keeps_old", "v6.9", {}, false},
      {"zswap_dup_store_keeps_old", "v6.3", {}, false},
      {"zswap_dup_store_keeps_old", "v5.16", {}, false},
      {"zswap_dup_store_keeps_old", "v6.9", {{"zswap_dup_store_keeps_old", true}}, true},
      {"zswap_dup_invalidate_only_enabled", "v6.9", {}, false},
      {"zswap_dup_invalidate_only_enabled", "v6.3", {}, false},
      {"zswap_dup_invalidate_only_enabled", "v6.9",
       {{"zswap_dup_invalidate_only_enabled", true}}, true},
      // The knob of the other bug does not matter here: the store is
      // rejected for being disabled, and ca56489c2f1d's invalidation came first.
      {"zswap_dup_invalidate_only_enabled", "v6.9", {{"zswap_dup_store_keeps_old", true}},
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file + " " + c.profile + (c.knobs.empty() ? "" : " +" + c.knobs[0].name));
    // The schedules of the regression files, rebuilt here.
    const bool disable = c.file == "zswap_dup_invalidate_only_enabled";
    std::vector<Op> cpu0 = {Write(0, 0xd1), Reclaim(0)};
    if (disable) cpu0.push_back(Enable(false));
    cpu0.push_back(Reclaim(0));
    Schedule s = Make({cpu0, {Read(0), Write(0, 0xd2), Read(0)}}, c.profile);
    if (!disable) s.config.zswap_max_pool_percent = 1;
    s.config.knobs = c.knobs;
    s.decisions = {Through(0, StepId::kZswapStoreInsert), Through(1, StepId::kLookupSwapCache),
                   Through(0, StepId::kRemoveMapping), Through(1, StepId::kUserWrite),
                   RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    if (c.stale_entry_survives) {
      EXPECT_EQ(r.Signature(), "data-integrity:do_swap_page:page") << r.Dump();
    } else {
      EXPECT_FALSE(r.out.finding) << r.Dump();
    }
  }
}

// --- load ---

TEST(ZswapLoadTest, LoadsAreExclusiveOnlyWhereTheEraHadThem) {
  struct Case {
    std::string profile;
    std::string backend;
    bool entry_left;  // after the swap-in
    Token exclusive;  // the load's put step says whether it was exclusive
  };
  const Case cases[] = {
      // mainline: exclusive for a swap cache folio (the disk's swap-in)...
      {"v6.9", "disk", false, 1},
      // ... not for the skip path's private folio (25cd241408a2); the slot
      // is freed after the install, which invalidates the entry anyway.
      {"v6.9", "zram", false, 0},
      // No exclusive loads before v6.5: the entry stays while the swap cache
      // page holds the slot.
      {"v6.3", "disk", true, 0},
      {"v5.16", "disk", true, 0},
      {"v6.3", "zram", false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + " " + c.backend);
    const Outcome r = Exec(Make({{Write(0, 0x41), Reclaim(0), Read(0)}}, c.profile, c.backend));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZswapLoadDecompress), 1) << r.Dump();
    EXPECT_EQ(r.k.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(TreeEntry(r.k, 1) != nullptr, c.entry_left);
    for (const TraceEvent& e : r.out.trace) {
      if (e.id == StepId::kZswapLoadPut) EXPECT_EQ(e.detail, c.exclusive);
    }
  }
}

TEST(ZswapLoadTest, ExclusiveLoadFreesTheEntryAndDirtiesTheSwapCachePage) {
  const Outcome r = Exec(Make({{Write(0, 0x51), Reclaim(0), Read(0)}}, "v6.9", "disk"));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(TreeEntry(r.k, 1), nullptr) << "the exclusive load invalidated it";
  EXPECT_EQ(r.k.zswap.stored_pages, 0);
  EXPECT_EQ(r.k.zswap.pool_pages, 0);
  const PageId p = r.k.mms[0].pte[0].page;
  ASSERT_GE(p, 0);
  EXPECT_EQ(r.k.pages[p].data, 0x51u);
  EXPECT_TRUE(r.k.pages[p].swapcache) << "a read fault keeps the swap cache page";
  EXPECT_TRUE(r.k.pages[p].dirty) << "the swap cache page is now the only copy";
}

TEST(ZswapLoadTest, NonExclusiveLoadKeepsTheEntryUntilTheSlotIsFreed) {
  // v6.3, disk: the swap-in keeps the zswap copy while the page sits in the
  // swap cache; a write fault frees the slot, and swap_range_free()
  // invalidates the entry.
  const Outcome read = Exec(Make({{Write(0, 0x61), Reclaim(0), Read(0)}}, "v6.3", "disk"));
  EXPECT_FALSE(read.out.finding) << read.Dump();
  ASSERT_NE(TreeEntry(read.k, 1), nullptr);
  EXPECT_EQ(read.k.si.swap_map[1], SWAP_HAS_CACHE) << "only the swap cache page holds it";
  const Outcome write = Exec(Make({{Write(0, 0x61), Reclaim(0), Write(0, 0x62)}}, "v6.3", "disk"));
  EXPECT_FALSE(write.out.finding) << write.Dump();
  EXPECT_EQ(TreeEntry(write.k, 1), nullptr);
  EXPECT_EQ(write.k.si.swap_map[1], 0);
  EXPECT_EQ(write.k.zswap.stored_pages, 0);
}

TEST(ZswapLoadTest, MissFallsBackToTheDevice) {
  // Stored in zram while zswap was disabled, loaded with zswap enabled.
  const Outcome r = Exec(Make({{Enable(false), Write(0, 0x71), Reclaim(0), Enable(true), Read(0)}}));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZswapLoadFind), 1);
  EXPECT_EQ(r.Count(StepId::kZswapLoadDecompress), 0);
  EXPECT_EQ(r.Count(StepId::kZramReadLock), 1);
}

TEST(ZswapLoadTest, PrivateFolioLoadIsNotExclusiveSinceTheFix) {
  for (const bool knob : {false, true}) {
    SCOPED_TRACE(knob ? "25cd241408a2 restored" : "v6.9");
    Schedule s = Make({{Write(0, 0x81), Reclaim(0), Read(0)}, {UffdWp(0)}});
    if (knob) s.config.knobs = {{"zswap_exclusive_load_private_folio", true}};
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(0, StepId::kZswapLoadPut),
                   RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_EQ(r.Count(StepId::kPteChanged), 1) << "the uffd-wp flip fails pte_same()";
    if (knob) {
      EXPECT_EQ(r.Signature(), "data-integrity:do_swap_page:page") << r.Dump();
    } else {
      EXPECT_FALSE(r.out.finding) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kZswapLoadDecompress), 2) << "the retry loads zswap again";
    }
  }
}

// --- the shrink worker ---

TEST(ZswapShrinkTest, WritesBackTheOldestEntryToTheDevice) {
  for (const std::string profile : {"v6.9", "v6.3", "v5.16"}) {
    for (const std::string backend : {"zram", "disk"}) {
      SCOPED_TRACE(profile + " " + backend);
      // max_pool_percent 1: the worker keeps going until the pool is empty.
      const Outcome r = Exec(Make({{Write(0, 0x91), Write(1, 0x92), Reclaim(0), Reclaim(1), MaxPool(1),
                                Shrink(), Read(0), Read(1)}},
                              profile, backend));
      EXPECT_FALSE(r.out.finding) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kZswapLruIsolate), 2) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kZswapWbDecompress), 2);
      EXPECT_EQ(r.Count(StepId::kZswapLruEmpty), 1) << "it stops when the LRU is empty";
      EXPECT_EQ(r.k.zswap.stored_pages, 0);
      EXPECT_EQ(r.Count(StepId::kZswapLoadDecompress), 0) << "swap-ins come from the swap cache";
      if (backend == "disk") {
        EXPECT_EQ(r.Count(StepId::kBioEndWrite), 2);
      }
    }
  }
}

TEST(ZswapShrinkTest, StopsOnceThePoolCanAcceptAgain) {
  // ram 50, 20%: can_accept below 9 pages; 2 entries: one writeback, then stop.
  const Outcome r = Exec(Make({{Write(0, 0xa1), Write(1, 0xa2), Reclaim(0), Reclaim(1), Shrink()}}));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZswapWbDecompress), 1);
  EXPECT_EQ(r.k.zswap.stored_pages, 1);
  const Outcome empty = Exec(Make({{Shrink()}}));
  EXPECT_EQ(empty.Count(StepId::kZswapLruEmpty), 1);
}

TEST(ZswapShrinkTest, ExistingSwapCachePageFailsTheWriteback) {
  // A swap cache page for the offset (a swap-in in progress) makes
  // __read_swap_cache_async() return it: -EEXIST, the entry stays.
  for (const std::string profile : {"v6.9", "v6.3"}) {
    SCOPED_TRACE(profile);
    Schedule s = Make({{Write(0, 0xb1), Reclaim(0), Read(0)}, {Shrink()}}, profile, "disk");
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(0, StepId::kAddToSwapCache),
                   Through(1, StepId::kZswapWbFail), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_GE(r.Count(StepId::kZswapWbFail), 1) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZswapWbDecompress), 0);
  }
}

TEST(ZswapShrinkTest, FreedSlotFailsTheWriteback) {
  // The entry's slot is freed between isolation and __read_swap_cache_async().
  Schedule s = Make({{Write(0, 0xc1), Reclaim(0), Munmap(0)}, {Shrink()}}, "v6.9", "disk");
  s.decisions = {Through(0, StepId::kRemoveMapping), Through(1, StepId::kZswapLruIsolate),
                 RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZswapWbDecompress), 0) << r.Dump();
  EXPECT_EQ(r.k.zswap.stored_pages, 0);
}

// The seed-002 window under each shape of writeback.
TEST(ZswapShrinkTest, WritebackRaceAcrossEras) {
  struct Case {
    std::string profile;
    std::vector<KnobOverride> knobs;
    StepId shrinker_stop;
    std::string signature;
  };
  const Case cases[] = {
      // v6.3: no recheck; the stale data is written to the recycled slot.
      {"v6.3", {}, StepId::kZswapReclaimTreeGet, "stale-write:__swap_writepage:swap-slot"},
      {"v5.16", {}, StepId::kZswapReclaimTreeGet, "stale-write:__swap_writepage:swap-slot"},
      // v6.3 with 04fc7816089c: the recheck catches it.
      {"v6.3", {{"zswap_wb_no_recheck", false}}, StepId::kZswapReclaimTreeGet, ""},
      // ... but without e3b63e966cac the folio is stranded, locked.
      {"v6.3", {{"zswap_wb_no_recheck", false}, {"zswap_wb_stale_folio_leak", true}},
       StepId::kZswapReclaimTreeGet, "accounting:quiescence:page"},
      // mainline: the pin comes first, the recheck after it.
      {"v6.9", {}, StepId::kZswapLruIsolate, ""},
      {"v6.9", {{"zswap_wb_stale_folio_leak", true}}, StepId::kZswapLruIsolate,
       "accounting:quiescence:page"},
      // mainline without the recheck: the entry is used after it was freed.
      {"v6.9", {{"zswap_wb_no_recheck", true}}, StepId::kZswapLruIsolate,
       "use-after-free:zswap_writeback_entry:zswap-entry"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + " " + std::to_string(c.knobs.size()) + " knobs -> " + c.signature);
    Schedule s = Make({{Write(0, 0xe1), Reclaim(0), Write(0, 0xe2)},
                       {Write(1, 0xe3), Reclaim(1), Read(1)},
                       {Shrink()}},
                      c.profile, "disk");
    s.config.knobs = c.knobs;
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(1, StepId::kUserWrite),
                   Through(2, c.shrinker_stop),        Through(0, StepId::kUserWrite),
                   Through(1, StepId::kRemoveMapping), RunCpu(2),
                   RunCpu(1)};
    const Outcome r = Exec(s);
    EXPECT_EQ(r.Signature(), c.signature) << r.Dump();
  }
}

// --- parameters ---

TEST(ZswapParamTest, EnableSetsZswapUpAtRuntime) {
  Schedule s = Make({{Write(0, 0xf1), Reclaim(0), Enable(true), Write(1, 0xf2), Reclaim(1), Read(0), Read(1)}});
  s.config.zswap = false;
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_TRUE(r.k.zswap.initialized);
  EXPECT_TRUE(r.k.zswap.enabled);
  EXPECT_EQ(r.Count(StepId::kZswapStoreInsert), 1) << "only the store after enabling";
  EXPECT_EQ(r.Count(StepId::kZswapSetEnabled), 1);
}

TEST(ZswapParamTest, MaxPoolPercentTakesEffectAtOnce) {
  const Outcome r = Exec(Make({{MaxPool(37)}}));
  EXPECT_EQ(r.k.zswap.max_pool_percent, 37);
  EXPECT_EQ(r.Count(StepId::kZswapSetMaxPool), 1);
}

TEST(ZswapParamTest, WithoutZswapNoPathTakesAZswapStep) {
  Schedule s = Make({{Write(0, 0x12), Reclaim(0), Read(0), Shrink()}});
  s.config.zswap = false;
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  for (StepId id : {StepId::kZswapStoreCheck, StepId::kZswapLoadFind, StepId::kZswapLruIsolate}) {
    EXPECT_EQ(r.Count(id), 0) << StepName(id);
  }
  EXPECT_EQ(r.Count(StepId::kZswapLruEmpty), 1);
}

// --- oracles ---

TEST(ZswapOracleTest, EachZswapOracleFires) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    std::function<void(Kernel&)> corrupt;  // before the run
    std::string signature;
  };
  // An entry for offset 1 holding `data`, as a store leaves it, with the
  // swap PTE of va 0.
  auto stored = [](Kernel& k, Token data) {
    k.mms[0].pte[0] = Pte{Pte::Kind::kSwap, false, kNoPage, 1};
    k.mms[0].logical[0] = data;
    k.si.swap_map[1] = 1;
    k.swap_info[0].inuse_pages = 1;
    k.si.generation[1] = 1;
    k.si.auth_generation[1] = 1;
    k.si.auth_data[1] = data;
    ZswapEntry& e = k.zswap_entries[0];
    e = ZswapEntry{};
    e.refcount = 1;
    e.offset = 1;
    e.data = data;
    e.generation = 1;
    e.in_tree = true;
    e.on_lru = true;
    k.zswap.next_entry = 1;
    k.zswap.tree[1] = 0;
    k.zswap.lru[0] = 0;
    k.zswap.lru_n = 1;
    k.zswap.pool_pages = 1;
    k.zswap.stored_pages = 1;
  };
  const std::vector<Case> cases = {
      {"consistent entry: clean", {Read(0)}, [&](Kernel& k) { stored(k, 0x77); }, ""},
      {"entry written back with other data than swap-out wrote", {MaxPool(1), Shrink()},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.si.auth_data[1] = 0x78;
       },
       "stale-write:__swap_writepage:swap-slot"},
      {"refcount below zero", {Munmap(0)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap_entries[0].refcount = 0;  // the tree's reference is missing
       },
       "refcount:zswap_invalidate:zswap-entry"},
      {"entry freed while still in the tree", {Read(0)},
       [&](Kernel& k) {
         stored(k, 0x77);
         // The skip path's load is not exclusive: its put drops the last
         // reference of an entry the tree still links.
         k.zswap_entries[0].refcount = 0;
       },
       "refcount:zswap_load:zswap-entry"},
      {"the tree links an entry at another offset", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap.tree[2] = 0;
       },
       "accounting:quiescence:zswap-tree"},
      {"entry used after it was freed", {Read(0)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap_entries[0].freed = true;
       },
       "use-after-free:zswap_load:zswap-entry"},
      {"pool size that does not match the entries", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap.pool_pages = 3;
       },
       "accounting:quiescence:zswap-pool"},
      {"entry for a free offset", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.mms[0].pte[0] = Pte{};
         k.mms[0].logical[0] = 0;
         k.si.swap_map[1] = 0;
         k.swap_info[0].inuse_pages = 0;
       },
       "accounting:quiescence:zswap-entry"},
      {"an extra reference left", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap_entries[0].refcount = 2;
       },
       "accounting:quiescence:zswap-entry"},
      {"live entry not in the tree", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap.tree[1] = kNoEntry;
         k.zswap_entries[0].in_tree = false;
         k.zswap.stored_pages = 1;
       },
       "accounting:quiescence:zswap-entry"},
      {"quiescence data check looks through zswap", {Read(1)},
       [&](Kernel& k) {
         stored(k, 0x77);
         k.zswap_entries[0].data = 0x79;
       },
       "data-integrity:quiescence:mm"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({c.ops});
    const Outcome r = Exec(s, c.corrupt);
    EXPECT_EQ(r.Signature(), c.signature) << r.Dump();
  }
}

TEST(ZswapOracleTest, FreedTreeIsAUseAfterFree) {
  // A shrinker that read the tree pointer before swapoff freed the tree.
  Schedule s = Make({{Write(0, 0x13), Reclaim(0), Swapoff()}, {Shrink()}});
  s.config.knobs = {{"zswap_lru_wb_before_pin", true}};
  s.decisions = {Through(0, StepId::kRemoveMapping), Through(1, StepId::kZswapLruIsolate),
                 RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_EQ(r.Signature(), "use-after-free:zswap_reclaim_entry:zswap-tree") << r.Dump();
  // The same on the zpool-LRU shrinker of v6.3, which reads zswap_trees[type]
  // from the handle before it looks the entry up.
  s.config.profile = "v6.3";
  s.config.knobs.clear();
  const Outcome old = Exec(s);
  EXPECT_EQ(old.Signature(), "use-after-free:zswap_reclaim_entry:zswap-tree") << old.Dump();
}

// --- the catalogue ---

TEST(ZswapCatalogueTest, KnobsAndProfiles) {
  struct Case {
    std::string_view profile;
    Knob knob;
    bool set;
  };
  // Set exactly when the release lies in the bug's affected range.
  const Case cases[] = {
      {"v5.16", Knob::kZswapWbNoRecheck, true},            // fixed in v6.4
      {"v6.3", Knob::kZswapWbNoRecheck, true},
      {"v6.9", Knob::kZswapWbNoRecheck, false},
      {"v6.3", Knob::kZswapWbStaleFolioLeak, false},       // v6.4 .. v6.7
      {"v6.3", Knob::kZswapDupStoreKeepsOld, false},       // v6.6-rc only
      {"v6.3", Knob::kZswapDupInvalidateOnlyEnabled, false},  // v6.6 .. v6.7
      {"v6.3", Knob::kZswapExclusiveLoadPrivate, false},   // v6.5 .. v6.8
      {"v5.16", Knob::kZswapLruWbBeforePin, true},         // fixed in v6.9
      {"v6.3", Knob::kZswapLruWbBeforePin, true},
      {"v5.16", Knob::kDoSwapPageNoPin, false},            // fixed in v5.14
      {"v5.16", Knob::kFreeSwapAndCacheNoPin, true},       // fixed in v6.9
      {"v6.3", Knob::kFreeSwapAndCacheNoPin, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + " " + std::string(InfoFor(c.knob).name));
    EXPECT_EQ(ProfileByName(c.profile)->knobs.Has(c.knob), c.set);
  }
  EXPECT_EQ(ProfileByName("v6.9")->knobs,
            (KnobSet{Knob::kUnusePteNoFolioCheck, Knob::kZswapAcompUnsyncedCpuDead}));
  const Features& v516 = ProfileByName("v5.16")->features;
  const Features& v63 = ProfileByName("v6.3")->features;
  const Features& main = ProfileByName("v6.9")->features;
  EXPECT_EQ(v516.zswap_lru, Features::ZswapLru::kZpool);
  EXPECT_EQ(v63.zswap_lru, Features::ZswapLru::kZpool);
  EXPECT_EQ(main.zswap_lru, Features::ZswapLru::kZswap);
  EXPECT_FALSE(v63.zswap_exclusive_loads);
  EXPECT_TRUE(main.zswap_exclusive_loads);
  EXPECT_FALSE(v516.anon_exclusive);
  EXPECT_TRUE(v63.anon_exclusive);
  for (const char* hash : {"04fc7816089c", "e3b63e966cac", "ca56489c2f1d", "678e54d4bb9a",
                           "25cd241408a2", "5878303c5353", "2799e77529c2", "82b1c07a0af6"}) {
    bool found = false;
    for (const KnobInfo& info : AllKnobs()) found |= info.fix_hash == hash;
    EXPECT_TRUE(found) << hash;
  }
}

}  // namespace
}  // namespace swapfuzz
