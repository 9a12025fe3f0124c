// model/mm/vmscan.c: shrink_page_list() reclaiming the page mapped at one
// address: isolate, trylock, add_to_swap, try_to_unmap, pageout, and
// __remove_mapping.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using namespace ::swapfuzz::testing;  // NOLINT

constexpr Pte SwapPte(Offset off) { return Pte{Pte::Kind::kSwap, false, kNoPage, off}; }

Schedule OneCpu(std::vector<Op> ops) {
  Schedule s;
  s.cpus = {CpuProgram{0, std::move(ops)}};
  return s;
}

// A page swapped out by reclaim: the PTE names the slot, zram holds the data
// written for the slot's current owner.
void ExpectSwappedOut(const Kernel& k, int mm, uint8_t va, Offset off, Token data) {
  EXPECT_EQ(k.mms[mm].pte[va], SwapPte(off)) << "mm " << mm << " va " << int{va};
  EXPECT_EQ(k.swap_cache[off], kNoPage);
  const ZramSlot& z = k.zram.table[off];
  EXPECT_EQ(z.state, ZramSlot::State::kStored);
  EXPECT_EQ(z.data, data);
  EXPECT_EQ(z.generation, k.si.generation[off]);
}

TEST(VmscanTest, ReclaimSwapsOutAPage) {
  const std::vector<RunCase> cases = {
      {"a written page",
       OneCpu({Write(0, 0x11), Reclaim(0)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_TRUE(InOrder(t, {StepId::kIsolate, StepId::kTrylock, StepId::kAddToSwap,
                                 StepId::kAddToSwapCache, StepId::kUnmap,
                                 StepId::kPageoutStart, StepId::kWriteTryFree,
                                 StepId::kZramWrite, StepId::kRelock,
                                 StepId::kRemoveMapping}));
         ExpectSwappedOut(k, 0, 0, 1, 0x11);
         EXPECT_EQ(k.si.swap_map[1], 1);
         EXPECT_EQ(k.swap_info[0].inuse_pages, 1);
         EXPECT_EQ(k.si.generation[1], 1u);
         EXPECT_EQ(k.zram.stored_pages, 1);
         EXPECT_TRUE(k.pages[0].freed);
         EXPECT_FALSE(k.pages[0].swapcache);
         EXPECT_FALSE(k.pages[0].locked);
         EXPECT_EQ(k.pages[0].refcount, 0);
         EXPECT_EQ(k.pages[0].mapcount, 0);
       }},
      {"a page shared with a forked child: both PTEs are unmapped",
       OneCpu({Write(0, 0x12), Fork(1), Reclaim(0)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(Count(t, StepId::kUnmap), 2);
         ExpectSwappedOut(k, 0, 0, 1, 0x12);
         ExpectSwappedOut(k, 1, 0, 1, 0x12);
         EXPECT_EQ(k.si.swap_map[1], 2);
         EXPECT_TRUE(k.pages[0].freed);
       }},
      {"two pages get two slots",
       OneCpu({Write(0, 0x13), Write(1, 0x14), Reclaim(0), Reclaim(1)}),
       [](const Kernel& k, const std::vector<TraceEvent>&) {
         ExpectSwappedOut(k, 0, 0, 1, 0x13);
         ExpectSwappedOut(k, 0, 1, 2, 0x14);
         EXPECT_EQ(k.si.swap_map[1], 1);
         EXPECT_EQ(k.si.swap_map[2], 1);
         EXPECT_EQ(k.swap_info[0].inuse_pages, 2);
         EXPECT_EQ(k.zram.stored_pages, 2);
       }},
      {"a page swapped in again is reclaimed again",
       OneCpu({Write(0, 0x15), Reclaim(0), Read(0), Write(0, 0x16), Reclaim(0)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(Count(t, StepId::kRemoveMapping), 2);
         ExpectSwappedOut(k, 0, 0, 1, 0x16);
         EXPECT_EQ(k.si.generation[1], 2u) << "slot 1 was freed and allocated again";
       }},
  };
  RunTable(cases);
}

TEST(VmscanTest, ReclaimOfNothingIsANoOp) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    Pte pte;  // what the reclaimed address maps afterwards
    int inuse;
  };
  const std::vector<Case> cases = {
      {"the shared zero page", {Read(0), Reclaim(0)},
       Pte{Pte::Kind::kPresent, false, kZeroPage, kNoOffset}, 0},
      {"an unmapped address", {Write(0, 0x21), Reclaim(3)}, Pte{}, 0},
      {"an address already swapped out", {Write(0, 0x22), Reclaim(0), Reclaim(0)}, SwapPte(1), 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    const ReplayOutput out = MustRun(ex, OneCpu(c.ops));
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    const long isolate = Last(t, StepId::kIsolate);
    ASSERT_GE(isolate, 0);
    EXPECT_EQ(t[isolate].page, kNoPage) << "nothing to isolate";
    EXPECT_EQ(static_cast<size_t>(isolate), t.size() - 1) << "the reclaim must stop there";
    EXPECT_EQ(k.mms[0].pte[c.ops.back().va], c.pte);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.inuse);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// get_swap_pages() as modelled: the lowest free offset, with its generation
// bumped, so a freed slot is handed out again at once.
TEST(VmscanTest, AllocatorReusesTheLowestFreeOffset) {
  struct Case {
    std::string name;
    std::vector<Op> ops;  // the last op reclaims the address checked
    Offset expect;
    uint32_t generation;
    Token data;  // what was written at that address
  };
  const std::vector<Case> cases = {
      {"a fresh device", {Write(0, 0x31), Reclaim(0)}, 1, 1, 0x31},
      {"offset 1 freed by munmap, 2 in use",
       {Write(0, 0x31), Write(1, 0x32), Reclaim(0), Reclaim(1), Munmap(0), Write(2, 0x33),
        Reclaim(2)},
       1, 2, 0x33},
      {"offset 2 freed by munmap, 1 and 3 in use",
       {Write(0, 0x31), Write(1, 0x32), Write(2, 0x33), Reclaim(0), Reclaim(1), Reclaim(2),
        Munmap(1), Write(3, 0x34), Reclaim(3)},
       2, 2, 0x34},
      {"offset 1 freed by a swap-in",
       {Write(0, 0x31), Reclaim(0), Read(0), Write(1, 0x32), Reclaim(1)}, 1, 2, 0x32},
      {"nothing freed: the next offset",
       {Write(0, 0x31), Write(1, 0x32), Reclaim(0), Reclaim(1)}, 2, 1, 0x32},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    const ReplayOutput out = MustRun(ex, OneCpu(c.ops));
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    const Op& last = c.ops.back();
    ASSERT_EQ(last.kind, OpKind::kReclaim);
    ExpectSwappedOut(k, 0, last.va, c.expect, c.data);
    EXPECT_EQ(k.si.generation[c.expect], c.generation);
    const long add = Last(out.trace, StepId::kAddToSwap);
    ASSERT_GE(add, 0);
    EXPECT_EQ(out.trace[add].offset, c.expect);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// shrink_page_list() only trylocks the page: when another CPU holds PG_locked
// it gives up and puts the page back on the LRU.
//
// The page P is swapped in through the swap cache by the parent (the entry is
// shared with a forked child), then the child faults on the same entry, finds
// P in the swap cache and takes its page lock (do_swap_page "lock_page").
// Reclaim of P by the parent runs while the child sits there.
TEST(VmscanTest, ReclaimBacksOffALockedPage) {
  struct Case {
    std::string name;
    std::vector<Segment> decisions;
    bool locked;
  };
  const std::vector<Case> cases = {
      {"a fault on another CPU holds the page lock",
       {Through(0, StepId::kPteSameInstall), Through(1, StepId::kLockPage), RunCpu(0)}, true},
      {"the other fault has finished",
       {Through(0, StepId::kPteSameInstall), RunCpu(1), RunCpu(0)}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.cpus = {CpuProgram{0, {Write(0, 0x41), Reclaim(0), Fork(1), Read(0), Reclaim(0)}},
              CpuProgram{1, {Read(0)}}};
    s.decisions = c.decisions;
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    // Right after the second reclaim's trylock.
    const size_t trylock = d.SnapshotAfter(StepId::kTrylock, 0, 2);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired());

    const std::vector<size_t> isolates = Find(t, StepId::kIsolate, 0);
    ASSERT_EQ(isolates.size(), 2u);
    const long second = static_cast<long>(isolates[1]);
    const PageId page = t[second].page;
    ASSERT_GE(page, 0);
    const Kernel& mid = *d.Snapshot(trylock);
    if (c.locked) {
      EXPECT_TRUE(mid.pages[page].locked);
      EXPECT_EQ(mid.pages[page].lock_owner, 1) << "CPU 1's do_swap_page holds it";
      // keep: back on the LRU, the isolation reference dropped, nothing else done.
      EXPECT_TRUE(mid.pages[page].lru);
      EXPECT_EQ(mid.pages[page].refcount, 3) << "parent map + swap cache + CPU 1's lookup";
      EXPECT_EQ(Count(t, StepId::kAddToSwap, 0, second), 0);
      EXPECT_EQ(Count(t, StepId::kUnmap, 0, second), 0);
      EXPECT_EQ(Count(t, StepId::kRemoveMapping, 0, second), 0);
      EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
      EXPECT_EQ(k.mms[0].pte[0].page, page);
      EXPECT_EQ(k.mms[1].pte[0].page, page);
      EXPECT_FALSE(k.pages[page].freed);
      EXPECT_EQ(k.si.swap_map[1], SWAP_HAS_CACHE);
    } else {
      EXPECT_EQ(mid.pages[page].lock_owner, 0) << "reclaim got the lock";
      EXPECT_EQ(Count(t, StepId::kUnmap, 0, second), 2);
      EXPECT_GE(First(t, StepId::kRemoveMapping, 0, second), 0);
      ExpectSwappedOut(k, 0, 0, 1, 0x41);
      ExpectSwappedOut(k, 1, 0, 1, 0x41);
      EXPECT_EQ(k.si.swap_map[1], 2);
      EXPECT_TRUE(k.pages[page].freed);
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// pageout() runs only when is_page_cache_freeable(): the isolation and swap
// cache references are the only ones. A thread of the same mm that faulted on
// the new swap PTE and found the page in the swap cache holds a third one
// (it then waits for the page lock), so reclaim keeps the page; the fault
// maps it back.
TEST(VmscanTest, ReclaimKeepsAPageAFaultHasLookedUp) {
  struct Case {
    std::string name;
    std::vector<Segment> decisions;
    bool referenced;
  };
  const std::vector<Case> cases = {
      {"a fault looked the page up after the unmap",
       {Through(0, StepId::kUnmap), Through(1, StepId::kLookupSwapCache), RunCpu(0), RunCpu(1)},
       true},
      {"the fault comes after the reclaim",
       {Through(0, StepId::kRemoveMapping), RunCpu(1)}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.cpus = {CpuProgram{0, {Write(0, 0x51), Reclaim(0)}}, CpuProgram{0, {Read(0)}}};
    s.decisions = c.decisions;
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    const long pageout = First(t, StepId::kPageoutStart, 0);
    ASSERT_GE(pageout, 0);
    const PageId page = t[pageout].page;
    if (c.referenced) {
      const long lookup = First(t, StepId::kLookupSwapCache, 1);
      ASSERT_GE(lookup, 0);
      EXPECT_EQ(t[lookup].page, page) << "the fault found the page in the swap cache";
      EXPECT_LT(lookup, pageout);
      // Kept: not written, not removed from the swap cache.
      EXPECT_EQ(Count(t, StepId::kZramWrite), 0);
      EXPECT_EQ(Count(t, StepId::kRemoveMapping), 0);
      EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
      // The fault mapped the very page back.
      EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
      EXPECT_EQ(k.mms[0].pte[0].page, page);
      EXPECT_FALSE(k.pages[page].freed);
      EXPECT_TRUE(k.pages[page].swapcache);
      EXPECT_EQ(k.si.swap_map[1], SWAP_HAS_CACHE);
    } else {
      EXPECT_EQ(Count(t, StepId::kZramWrite), 1);
      EXPECT_TRUE(k.pages[page].freed);
      EXPECT_NE(k.mms[0].pte[0].page, page) << "swapped in to a new page";
    }
    const long read = First(t, StepId::kUserRead, 1);
    ASSERT_GE(read, 0);
    EXPECT_EQ(t[read].detail, 0x51u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// Reclaim's swap allocation in each shape. With the swap table (v7.0+),
// folio_alloc_swap() allocates the slot and inserts the folio in one cluster
// lock section: one step, after which the slot has no count and the locked
// folio is in its swap cache. try_to_unmap() then takes the first count with
// folio_dup_swap(), and __remove_mapping() leaves the slot with the PTE's
// count and no cache. With SWAP_HAS_CACHE (v6.9, v6.18.y), add_to_swap()
// reserves the slot (map SWAP_HAS_CACHE, nothing cached) and
// add_to_swap_cache() inserts the page in a later step.
TEST(VmscanTest, SwapAllocationPerRelease) {
  struct Case {
    std::string profile;
    bool table;
  };
  const Case cases[] = {{"v7.1.y", true}, {"v6.9", false}, {"v6.18.y", false}};
  for (const Case& c : cases) {
    for (const bool shared : {false, true}) {
      SCOPED_TRACE(c.profile + (shared ? ", shared with a forked child" : ""));
      const int failures = FailureCount();
      Schedule s = shared ? OneCpu({Write(0, 0x61), Fork(1), Reclaim(0)})
                          : OneCpu({Write(0, 0x61), Reclaim(0)});
      s.config.profile = c.profile;
      const int ptes = shared ? 2 : 1;
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t allocated =
          d.SnapshotAfter(c.table ? StepId::kFolioAllocSwap : StepId::kAddToSwap, 0);
      const size_t inserted = d.SnapshotAfter(StepId::kAddToSwapCache, 0);
      const size_t unmapped = d.SnapshotAfter(StepId::kUnmap, 0);
      const size_t removed = d.SnapshotAfter(StepId::kRemoveMapping, 0);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      const std::vector<TraceEvent>& t = out.trace;
      const Kernel& k = ex.kernel();
      EXPECT_FALSE(out.finding.has_value());
      ASSERT_TRUE(d.Snapshot(allocated).has_value()) << Describe(out);
      ASSERT_TRUE(d.Snapshot(unmapped).has_value());
      ASSERT_TRUE(d.Snapshot(removed).has_value());

      if (c.table) {
        EXPECT_TRUE(InOrder(t, {StepId::kIsolate, StepId::kTrylock, StepId::kFolioAllocSwap,
                                StepId::kUnmap, StepId::kPageoutStart, StepId::kWriteTryFree,
                                StepId::kZramWrite, StepId::kRelock, StepId::kRemoveMapping}));
        EXPECT_EQ(Count(t, StepId::kAddToSwap), 0);
        EXPECT_EQ(Count(t, StepId::kAddToSwapCache), 0);
        const long alloc = First(t, StepId::kFolioAllocSwap);
        EXPECT_EQ(t[alloc].offset, 1);
        EXPECT_EQ(t[alloc + 1].id, StepId::kUnmap) << "nothing between allocation and unmap";
        // One step: allocated, no count, the locked folio in the cache.
        const Kernel& a = *d.Snapshot(allocated);
        EXPECT_EQ(a.si.swap_map[1], 0);
        EXPECT_TRUE(a.si.table_used[1]);
        EXPECT_EQ(a.swap_info[0].inuse_pages, 1);
        EXPECT_EQ(a.si.generation[1], 1u);
        EXPECT_EQ(a.swap_cache[1], 0);
        EXPECT_TRUE(a.pages[0].swapcache);
        EXPECT_EQ(a.pages[0].private_offset, 1);
        EXPECT_TRUE(a.pages[0].locked);
        EXPECT_TRUE(a.pages[0].dirty) << "folio_mark_dirty()";
        EXPECT_FALSE(d.Snapshot(inserted).has_value());
      } else {
        EXPECT_TRUE(InOrder(t, {StepId::kIsolate, StepId::kTrylock, StepId::kAddToSwap,
                                StepId::kAddToSwapCache, StepId::kUnmap,
                                StepId::kPageoutStart, StepId::kRemoveMapping}));
        EXPECT_EQ(Count(t, StepId::kFolioAllocSwap), 0);
        // Reserved, not yet cached: the insert is a step of its own.
        const Kernel& a = *d.Snapshot(allocated);
        EXPECT_EQ(a.si.swap_map[1], SWAP_HAS_CACHE);
        EXPECT_EQ(a.swap_cache[1], kNoPage);
        EXPECT_FALSE(a.pages[0].swapcache);
        ASSERT_TRUE(d.Snapshot(inserted).has_value());
        const Kernel& i = *d.Snapshot(inserted);
        EXPECT_EQ(i.si.swap_map[1], SWAP_HAS_CACHE);
        EXPECT_EQ(i.swap_cache[1], 0);
        EXPECT_TRUE(i.pages[0].swapcache);
        EXPECT_FALSE(i.si.table_used[1]) << "only the swap table uses the word";
      }
      // The first unmap took the first count, the folio locked in the cache.
      const Kernel& u = *d.Snapshot(unmapped);
      EXPECT_EQ(swap_count(u.si.swap_map[1]), 1);
      EXPECT_EQ(u.swap_cache[1], 0);
      EXPECT_TRUE(u.pages[0].locked);
      EXPECT_EQ(Count(t, StepId::kUnmap), ptes);
      // __remove_mapping(): the PTEs' counts, no cache.
      const Kernel& r = *d.Snapshot(removed);
      EXPECT_EQ(r.si.swap_map[1], ptes);
      EXPECT_EQ(r.swap_cache[1], kNoPage);
      EXPECT_TRUE(r.pages[0].freed);
      EXPECT_EQ(r.si.table_used[1], c.table) << "a shadow of the count stays in the word";
      EXPECT_EQ(r.swap_info[0].inuse_pages, 1);
      ExpectSwappedOut(k, 0, 0, 1, 0x61);
      if (shared) ExpectSwappedOut(k, 1, 0, 1, 0x61);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// A full device whose slot 1 only the swap cache holds: the parent's folio,
// cached with count 0 after the forked child unmapped its copy of the entry.
// v6.18.y and v7.1.y reclaim it from the allocator (cluster_reclaim_range(),
// __try_to_reclaim_swap(TTRS_ANYWAY), though the parent still maps the folio;
// the device is full, so TTRS_FULL would too) and give slot 1 to the page
// being swapped out; v6.12.y
// runs the model's older allocator, which finds no slot and keeps the page.
TEST(VmscanTest, AllocatorReclaimsASlotOnlyTheSwapCacheHolds) {
  struct Case {
    std::string profile;
    bool reclaims;
  };
  const Case cases[] = {{"v7.1.y", true}, {"v6.18.y", true}, {"v6.12.y", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.nslots = 4;
    s.config.page_cluster = 0;
    s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Fork(1), Read(0)}},
              CpuProgram{1, {Munmap(0)}},
              CpuProgram{0, {Write(1, 0x62), Reclaim(1), Write(2, 0x63), Reclaim(2),
                             Write(3, 0x64), Reclaim(3)}}};
    s.decisions = {RunCpu(0), RunCpu(1), RunCpu(2)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t full = d.SnapshotAfter(StepId::kUserWrite, 2, 3);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.Snapshot(full).has_value()) << Describe(out);
    // Before the last reclaim: every slot allocated, slot 1 only cached.
    const Kernel& f = *d.Snapshot(full);
    const PageId parent = f.mms[0].pte[0].page;
    ASSERT_GE(parent, 0);
    EXPECT_EQ(f.swap_cache[1], parent);
    EXPECT_EQ(swap_count(f.si.swap_map[1]), 0);
    EXPECT_EQ(f.swap_info[0].inuse_pages, 3);

    EXPECT_EQ(Count(t, StepId::kClusterReclaimRange), c.reclaims ? 1 : 0);
    if (c.reclaims) {
      EXPECT_TRUE(InOrder(t, {StepId::kClusterReclaimRange, StepId::kReclaimGetFolio,
                              StepId::kReclaimTrylock}));
      const long scan = First(t, StepId::kClusterReclaimRange);
      EXPECT_EQ(t[scan].offset, 1);
      EXPECT_EQ(t[scan].page, parent);
      // The parent keeps its page, out of the swap cache; va 3 got slot 1.
      EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
      EXPECT_FALSE(k.pages[parent].swapcache);
      ExpectSwappedOut(k, 0, 3, 1, 0x64);
    } else {
      EXPECT_EQ(k.swap_cache[1], parent);
      EXPECT_EQ(k.mms[0].pte[3].kind, Pte::Kind::kPresent) << "no slot: the page is kept";
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
