// Anonymous large folios (RunConfig::mthp_order, Features::large_folio_swapout)
// through swap, as 6.12.94, 6.18.35 and 7.1.5 have them: a write fault maps a
// folio of the largest order whose PTE range is empty; reclaim takes aligned,
// contiguous slots, unmaps every PTE in one walk and writes the pages to zswap
// (page by page from v6.13) or zram; a partially mapped folio, or one whose
// slots cannot be allocated, is split first; a fault maps every PTE of a large
// folio it finds in the swap cache when swap_pte_batch() covers them; the
// catalogue's zswap rollback bug (63895d20d63b).

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "format/schedule_io.h"
#include "model/oracles.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::MadviseDontneed;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Write;


Schedule Make(const std::string& profile, std::vector<CpuProgram> cpus, int mthp_order = 2) {
  Schedule s;
  s.config.profile = profile;
  s.config.zswap = true;
  s.config.mthp_order = mthp_order;
  s.config.page_cluster = 0;
  s.cpus = std::move(cpus);
  return s;
}

// Four distinct even (compressible) values at addresses 0 to 3.
std::vector<Op> FillFour() { return {Write(0, 0x10), Write(1, 0x12), Write(2, 0x14), Write(3, 0x16)}; }

std::vector<Op> Concat(std::vector<Op> a, const std::vector<Op>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const char* const kLargeFolioProfiles[] = {"v6.12.y", "v6.18.y", "v7.1.y"};

// The first write faults in one order-2 folio over addresses 0 to 3; reclaim
// unmaps all four PTEs in one walk, to four aligned slots; each page goes to
// zswap in a store step of its own from v6.13 (6.12's zswap refuses the folio
// and zram takes its pages one by one); each read faults its page back at
// order 0 (zswap has been enabled) with the data written.
TEST(LargeFoliosTest, SwappedOutWholeAndReadBackPageByPage) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    const Outcome r = Exec(Make(profile, {CpuProgram{
                                             0, Concat(FillFour(), {Reclaim(0), Read(0), Read(1),
                                                                    Read(2), Read(3)})}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kAnonLargeInstall), 1);
    EXPECT_EQ(r.Count(StepId::kAnonInstall), 0);
    EXPECT_EQ(r.Count(StepId::kUnmap), 1) << "one rmap walk step for the folio's four PTEs";
    const bool large_store = std::string(profile) != "v6.12.y";
    EXPECT_EQ(r.Count(StepId::kZswapStoreInsert), large_store ? 4 : 0);
    EXPECT_EQ(r.Count(StepId::kZswapStoreLargeRefused), large_store ? 0 : 1);
    EXPECT_EQ(r.Count(StepId::kZramWrite), large_store ? 0 : 4);
    EXPECT_EQ(r.Count(StepId::kSplitFolio), 0);
    // The slots: the first naturally aligned run of four (offset 4), in
    // page order, as the swap-ins that read them back name them.
    std::vector<Offset> faulted;
    for (const TraceEvent& e : r.out.trace) {
      if (e.id == StepId::kFault) faulted.push_back(e.offset);
    }
    ASSERT_GE(faulted.size(), 4u);
    EXPECT_EQ(std::vector<Offset>(faulted.end() - 4, faulted.end()),
              (std::vector<Offset>{4, 5, 6, 7}));
  }
}

// A fault on one page of a folio still in the swap cache (reclaim has
// unmapped it and not yet written it) maps every PTE of the folio, when
// swap_pte_batch() finds them all; with one of them zapped in between, it
// maps its own page only.
TEST(LargeFoliosTest, FaultMapsTheSwapCacheFolioWholeWhenTheBatchCoversIt) {
  struct Case {
    std::string name;
    std::vector<Op> other;
    int mapped;  // present PTEs among 0..3 once the fault has run
  };
  const Case cases[] = {
      {"every PTE: the batch", {Read(1)}, 4},
      {"address 2 zapped first: one page", {MadviseDontneed(2), Read(1)}, 1},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      Schedule s = Make(profile, {CpuProgram{0, Concat(FillFour(), {Reclaim(0)})},
                                  CpuProgram{0, c.other}});
      // CPU 0 faults in and reclaims up to the unmap; CPU 1 runs its ops;
      // then CPU 0 goes on, and finds the folio mapped again.
      s.decisions = {Through(0, StepId::kUnmap), RunCpu(1), RunCpu(0)};
      Executor ex;
      absl::StatusOr<RunConfig> config = Resolve(s.config);
      ASSERT_TRUE(config.ok()) << config.status();
      ex.Reset(*config, s.cpus);
      ProbeDecider probe(ex, s.decisions);
      int mapped = -1;
      const StepId install = std::string(profile) == "v7.1.y" ? StepId::kPteSameInstallPut
                                                              : StepId::kPteSameInstall;
      probe.After(install, 1, [&](Kernel& k) {
        mapped = 0;
        for (int va = 0; va < 4; ++va) mapped += k.mms[0].pte[va].kind == Pte::Kind::kPresent;
      });
      RunOptions options;
      std::vector<TraceEvent> trace;
      options.trace = &trace;
      const RunResult result = ex.Run(probe, options);
      EXPECT_EQ(result.finding, nullptr) << FormatTrace(trace) << result.finding->message.data();
      EXPECT_EQ(mapped, c.mapped) << FormatTrace(trace);
    }
  }
}

// Reclaim splits a large folio before it takes slots when part of it is
// unmapped (the unmapped page is freed), and after folio_alloc_swap() finds
// no aligned run of slots; the head then goes out at order 0 and the other
// pages keep their data.
TEST(LargeFoliosTest, ReclaimSplitsPartiallyMappedAndUnallocatableFolios) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    int nslots;
    bool split_before_alloc;
  };
  const Case cases[] = {
      {"partially mapped", Concat(FillFour(), {MadviseDontneed(1), Reclaim(0), Read(0), Read(2)}),
       16, true},
      {"no aligned slots (three usable)", Concat(FillFour(), {Reclaim(0), Read(0), Read(3)}), 4,
       false},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      Schedule s = Make(profile, {CpuProgram{0, c.ops}});
      s.config.nslots = c.nslots;
      const Outcome r = Exec(s);
      EXPECT_FALSE(r.out.finding) << r.Dump();
      ASSERT_EQ(r.Count(StepId::kSplitFolio), 1) << r.Dump();
      const long split = r.First(StepId::kSplitFolio);
      const bool table = std::string(profile) == "v7.1.y";
      const long alloc = r.First(table ? StepId::kFolioAllocSwap : StepId::kAddToSwap);
      if (c.split_before_alloc) {
        EXPECT_LT(split, alloc) << r.Dump();
      } else {
        EXPECT_GT(split, alloc) << r.Dump();
      }
      for (int i = 1; i < 4; ++i) EXPECT_EQ(r.k.pages[i].head, kNoPage) << "page " << i;
      EXPECT_EQ(r.k.pages[0].order, 0);
      EXPECT_EQ(r.k.pages[1].freed, c.split_before_alloc) << "the unmapped page is freed";
    }
  }
}

// 63895d20d63b: with memory.zswap.writeback 0, zswap rejects the folio's
// incompressible second page after storing the first; the rollback frees
// the first page's entry. Before the fix zswap_stored_pages was counted only
// for a whole folio, so the rollback takes it below zero. After it,
// swap_writepage() returns AOP_WRITEPAGE_ACTIVATE (memory.zswap.writeback
// 0): the folio stays dirty in the swap cache, nothing goes to zram, and the
// reads map it back from the cache.
TEST(LargeFoliosTest, ZswapStoreRollbackCountsWhatItStored) {
  struct Case {
    std::string profile;
    bool knob;
    std::string signature;
  };
  const Case cases[] = {
      {"v6.18.y", true, "accounting:zswap_store:zswap-pool"},
      {"v6.18.y", false, ""},
      {"v7.1.y", true, "accounting:zswap_store:zswap-pool"},
      {"v7.1.y", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + (c.knob ? " knob on" : " knob off"));
    Schedule s = Make(c.profile, {CpuProgram{0, {Write(0, 0x2), Write(1, 0x3), Reclaim(0), Read(0),
                                                 Read(1)}}},
                      1);
    s.config.memcg = true;
    s.config.memcg_zswap_writeback = false;
    s.config.knobs = {{"zswap_large_store_uncounted_rollback", c.knob}};
    const Outcome r = Exec(s);
    EXPECT_EQ(r.Signature(), c.signature) << r.Dump();
    const long stored = r.First(StepId::kZswapStoreInsert);
    const long rejected = r.First(StepId::kZswapStoreCompressFail);
    const long rollback = r.First(StepId::kZswapStoreCheckOld);
    ASSERT_GE(stored, 0) << r.Dump();
    EXPECT_LT(stored, rejected);
    EXPECT_LT(rejected, rollback);
    if (!c.knob) {
      EXPECT_EQ(r.Count(StepId::kZramWrite), 0) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kRemoveMapping), 0) << "activated, not removed";
      EXPECT_EQ(r.k.zswap.stored_pages, 0);
      EXPECT_EQ(r.k.pages[0].order, 1) << "still one folio";
    }
  }
}

// With zswap never enabled, a fault on a SWP_SYNCHRONOUS_IO device swaps in
// the largest folio can_swapin_thp() accepts under the PTL: the whole order-2
// folio, then every PTE mapped at once; an order-1 folio once a neighbour's
// PTE is gone; order 0 when no aligned range is whole. Once zswap has been
// enabled, alloc_swap_folio() never tries.
TEST(LargeFoliosTest, SwapInTakesTheLargestWholeRange) {
  struct Case {
    std::string name;
    bool zswap;
    std::vector<Op> after;        // after the swap-out of addresses 0 to 3
    std::vector<int> orders;      // can_swapin_thp()'s pick at each swap fault
    int faults;                   // swap faults the reads take
  };
  const Case cases[] = {
      {"whole range: one fault maps four PTEs", false, {Read(1), Read(0), Read(2), Read(3)}, {2},
       1},
      {"address 3 zapped: order 1, then order 0", false,
       {MadviseDontneed(3), Read(1), Read(0), Read(2)}, {1, 0}, 2},
      {"zswap enabled: never tried", true, {Read(1), Read(0)}, {}, 2},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      Schedule s = Make(profile, {CpuProgram{0, Concat(Concat(FillFour(), {Reclaim(0)}), c.after)}});
      s.config.zswap = c.zswap;
      const Outcome r = Exec(s);
      EXPECT_FALSE(r.out.finding) << r.Dump();
      std::vector<int> orders;
      int faults = 0;
      for (const TraceEvent& e : r.out.trace) {
        if (e.id == StepId::kCanSwapinThp) orders.push_back(static_cast<int>(e.detail));
        faults += e.id == StepId::kFault && e.offset != kNoOffset;
      }
      EXPECT_EQ(orders, c.orders) << r.Dump();
      EXPECT_EQ(faults, c.faults) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kAllocSwapFolioLarge),
                static_cast<int>(std::count_if(c.orders.begin(), c.orders.end(),
                                               [](int o) { return o > 0; })));
    }
  }
}

// A large swap-in's charge does not reclaim: over memory.max the next lower
// order is tried, then order 0 (6.12.94 memory.c:4165-4177). Here the other
// folio at 4..7 holds the memcg's four pages of memory.max.
TEST(LargeFoliosTest, SwapInChargeOverTheLimitFallsBackByOrder) {
  for (const char* profile : kLargeFolioProfiles) {
    for (const int limit : {8, 4}) {
      SCOPED_TRACE(std::string(profile) + " memory.max " + std::to_string(limit));
      Schedule s = Make(profile, {CpuProgram{0, Concat(FillFour(), {Reclaim(0), Write(4, 0x20),
                                                                    Read(1), Read(0)})}});
      s.config.zswap = false;
      s.config.memcg = true;
      s.config.memcg_max = limit;
      const Outcome r = Exec(s);
      EXPECT_FALSE(r.out.finding) << r.Dump();
      std::vector<int> allocated;  // the folio size alloc_swap_folio() ended with
      for (const TraceEvent& e : r.out.trace) {
        if (e.id == StepId::kAllocSwapFolioLarge) allocated.push_back(static_cast<int>(e.detail));
      }
      EXPECT_EQ(allocated, (std::vector<int>{limit == 8 ? 4 : 1})) << r.Dump();
    }
  }
}

// large_swapin_zeromap_unpinned (none yet, found by swapfuzz): the range
// turns partly zeromap between can_swapin_thp() and the pin, and the read
// leaves the folio not uptodate: SIGBUS on every release with large
// swap-in; with the knob cleared the pinned range is tested again and the
// fault falls back.
TEST(LargeFoliosTest, PartialZeromapAfterTheCheckIsSigbus) {
  absl::StatusOr<Schedule> s = ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) +
                                                "/corpus/regressions/large_swapin_partial_zeromap.json");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* profile : kLargeFolioProfiles) {
    for (const bool knob : {true, false}) {
      SCOPED_TRACE(std::string(profile) + (knob ? " as released" : " knob cleared"));
      Schedule run = *s;
      run.config.profile = profile;
      run.config.knobs = {{"large_swapin_zeromap_unpinned", knob}};
      const Outcome r = Exec(run);
      EXPECT_EQ(r.Signature(), knob ? "page-state:do_swap_page:page" : "") << r.Dump();
      EXPECT_EQ(r.Count(StepId::kZeromapReadMixed), knob ? 1 : 0);
      // Cleared, the re-test after the pin is what backs the fault out:
      // after swapcache_prepare() on 6.12 and 6.18, in swap_cache_add_folio()
      // (token 0) on 7.1.
      int backed_out = r.Count(StepId::kSkipPinZeromapChanged);
      for (const TraceEvent& e : r.out.trace) {
        backed_out += e.id == StepId::kCacheAddRaced && e.detail == 0;
      }
      EXPECT_EQ(backed_out, knob ? 0 : 1) << r.Dump();
    }
  }
}

// With mthp_order 0 a write fault installs one order-0 page, as before the
// large folios (the regression corpus and the soak baselines show that every
// such run takes the steps it took then).
TEST(LargeFoliosTest, MthpOrderZeroFaultsInOrderZeroPages) {
  const Outcome r = Exec(Make("v7.1.y", {CpuProgram{0, Concat(FillFour(), {Reclaim(0), Read(0)})}},
                              0));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kAnonLargeInstall), 0);
  EXPECT_EQ(r.Count(StepId::kAnonInstall), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.k.pages[i].order, 0);
}

// What the model does not run with large folios is refused with a reason.
TEST(LargeFoliosTest, RefusesWhatIsNotModelled) {
  struct Case {
    std::string name;
    std::string profile;
    std::string backend;
    bool zswap;
    std::vector<Op> ops;
    std::string error;
  };
  std::vector<Case> cases = {
      {"before v6.10", "v6.9", "zram", true, {Write(0, 1)}, "does not swap large folios out"},
      {"a disk", "v7.1.y", "disk", true, {Write(0, 1)}, "one zram swap device only"},
  };
  for (const OpKind op : kOpsWithoutLargeFolios) {
    const uint8_t arg = op == OpKind::kFork ? 1 : 0;
    cases.push_back({std::string(OpName(op)), "v7.1.y", "zram", true, {Op{op, 0, arg, 0}},
                     std::string(OpName(op)) + " with config.mthp_order 2"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make(c.profile, {CpuProgram{0, c.ops}});
    s.config.backend = c.backend;
    s.config.zswap = c.zswap;
    Executor ex;
    absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s);
    ASSERT_FALSE(out.ok());
    EXPECT_THAT(std::string(out.status().message()), ::testing::HasSubstr(c.error));
  }
  // memory.zswap.writeback 0 needs a zswap that stores incompressible pages.
  Schedule s = Make("v6.12.y", {CpuProgram{0, {Write(0, 1)}}});
  s.config.memcg = true;
  s.config.memcg_zswap_writeback = false;
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()), ::testing::HasSubstr("incompressible"));
}

// Races of a large swap-in with a zap of one of its PTEs and with a second
// fault in its range. 6.12/6.18: the zap after the pin leaves the read folio
// unmappable whole (out_nomap, swapcache_clear, the fault retries at order
// 0). 7.1: the zap after the insertion leaves a folio not yet anonymous that
// cannot be mapped whole: swap_cache_del_folio(), out_nomap; a second fault
// whose swapin_folio() loses the insertion gets NULL, VM_FAULT_OOM (D in
// docs/large-folios.md), and retries.
TEST(LargeFoliosTest, LargeSwapinRaces) {
  struct Case {
    std::string name;
    std::string profile;
    std::vector<Op> other;
    std::vector<Segment> decisions;
    StepId expected;
  };
  const std::vector<Op> cpu0 = Concat(FillFour(), {Reclaim(0), Read(0), Read(1), Read(2)});
  const Case cases[] = {
      {"zap after the pin: not mappable whole", "v6.12.y", {MadviseDontneed(1)},
       {Through(0, StepId::kSkipPin), RunCpu(1), RunCpu(0)}, StepId::kLargeSwapinNoBatch},
      {"zap after the pin: not mappable whole", "v6.18.y", {MadviseDontneed(1)},
       {Through(0, StepId::kSkipPin), RunCpu(1), RunCpu(0)}, StepId::kLargeSwapinNoBatch},
      {"zap after the insertion: dropped from the swap cache", "v7.1.y", {MadviseDontneed(1)},
       {Through(0, StepId::kCacheAddFolio), RunCpu(1), RunCpu(0)},
       StepId::kLargeSwapinNotMappableWhole},
      {"a second fault loses the insertion: VM_FAULT_OOM", "v7.1.y", {Read(3)},
       {Through(0, StepId::kAllocSwapFolioLarge), Through(1, StepId::kAllocSwapFolioLarge),
        Through(0, StepId::kCacheAddFolio), RunCpu(1), RunCpu(0)},
       StepId::kDoSwapPageOom},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + ": " + c.name);
    Schedule s = Make(c.profile, {CpuProgram{0, cpu0}, CpuProgram{0, c.other}});
    s.config.zswap = false;
    s.decisions = c.decisions;
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(c.expected), 1) << r.Dump();
    // Each race happened to a large folio: the losing fault's insertion
    // found the winner's folio (-EEXIST), or the folio's read was whole.
    if (c.expected == StepId::kDoSwapPageOom) {
      EXPECT_EQ(r.Count(StepId::kCacheAddRaced, 1), 1) << r.Dump();
    } else {
      std::vector<Offset> read;
      for (const TraceEvent& e : r.out.trace) {
        if (e.id == StepId::kZramReadLock && read.size() < 4) read.push_back(e.offset);
      }
      EXPECT_EQ(read, (std::vector<Offset>{4, 5, 6, 7})) << r.Dump();
    }
  }
}

// The quiescence oracles on a large folio built by hand: an order-2 folio in
// the swap cache at slots 4 to 7, whose swap PTEs are addresses 0 to 3. As
// built it is consistent; each corruption breaks one rule of a large entry.
TEST(LargeFoliosTest, QuiescenceOraclesCheckLargeEntries) {
  struct Case {
    std::string name;
    std::function<void(Kernel&, PageId)> corrupt;
    std::string signature;  // "" for the consistent state
    std::string message;
  };
  const Case cases[] = {
      {"consistent", [](Kernel&, PageId) {}, "", ""},
      {"a slot of the range caches another folio",
       [](Kernel& k, PageId) {
         const PageId other = alloc_page(k);
         k.pages[other].refcount = 0;
         k.pages[other].freed = true;
         k.swap_cache[6] = other;
       },
       "swap-cache:quiescence:page", "slot 6 of its range caches"},
      {"a tail page holds a reference", [](Kernel& k, PageId folio) { ++k.pages[folio + 1].refcount; },
       "accounting:quiescence:page", "of folio 0: refcount 1"},
      {"the head counts one cache reference, not four",
       [](Kernel& k, PageId folio) { k.pages[folio].refcount = 1; }, "accounting:quiescence:page",
       "refcount 1, mapcount 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScheduleConfig config;
    config.profile = "v6.18.y";
    config.mthp_order = 2;
    Executor ex;
    const std::vector<CpuProgram> cpus = {CpuProgram{0, {}}};
    ex.Reset(*Resolve(config), cpus);
    Kernel& k = ex.mutable_kernel();
    const PageId folio = alloc_folio(k, 2);
    ASSERT_EQ(folio, 0);
    Page& head = k.pages[folio];
    head.swapbacked = head.uptodate = head.swapcache = true;
    head.private_offset = 4;
    head.refcount = 4;  // the swap cache's, one per slot
    for (int i = 0; i < 4; ++i) {
      k.si.swap_map[4 + i] = 1 | SWAP_HAS_CACHE;
      k.swap_cache[4 + i] = folio;
      k.mms[0].pte[i] = Pte{Pte::Kind::kSwap, false, kNoPage, static_cast<Offset>(4 + i)};
    }
    k.swap_info[0].inuse_pages = 4;
    c.corrupt(k, folio);
    CheckQuiescent(k);
    const Finding* f = k.findings.First();
    if (c.signature.empty()) {
      EXPECT_EQ(f, nullptr) << f->message.data();
      continue;
    }
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->Signature(), c.signature);
    EXPECT_THAT(std::string(f->message.data()), ::testing::HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace swapfuzz
