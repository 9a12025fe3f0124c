// model/mm/memory.cc: user access, anonymous and COW faults, do_swap_page()'s
// two swap-in paths, munmap (zap_pte_range) and fork (copy_pte_range), and
// the v7.0+ swap table's shapes of each (swapin through the swap cache,
// folio_put_swap() and folio_free_swap() after mapping,
// swap_put_entries_direct() and swap_dup_entry_direct()).
//
// Each test is a table of runs. A run is a Schedule (programs plus segments)
// and a check on the final machine, the trace, and where the interleaving
// matters, on copies of the machine taken in the middle of the run.

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

constexpr Pte PresentPte(PageId page, bool writable) {
  return Pte{Pte::Kind::kPresent, writable, page, kNoOffset};
}
constexpr Pte SwapPte(Offset off) { return Pte{Pte::Kind::kSwap, false, kNoPage, off}; }

Schedule OneCpu(std::vector<Op> ops, const std::string& profile = "v6.9") {
  Schedule s;
  s.config.profile = profile;
  s.cpus = {CpuProgram{0, std::move(ops)}};
  return s;
}


TEST(MemoryTest, AnonymousFaults) {
  const std::vector<RunCase> cases = {
      {"read of an untouched address maps the shared zero page",
       OneCpu({Read(0)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(kZeroPage, false));
         EXPECT_EQ(k.next_page, 0) << "no page frame may be allocated for a read";
         EXPECT_TRUE(InOrder(t, {StepId::kFault, StepId::kAnonZeroPage, StepId::kUserRead}));
         EXPECT_EQ(Count(t, StepId::kAnonInstall), 0);
         const long read = First(t, StepId::kUserRead);
         ASSERT_GE(read, 0);
         EXPECT_EQ(t[read].page, kZeroPage);
         EXPECT_EQ(t[read].detail, 0u) << "the zero page reads 0";
       }},
      {"write fault allocates a writable page",
       OneCpu({Write(0, 0xa1)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(0, true));
         EXPECT_TRUE(InOrder(t, {StepId::kFault, StepId::kAnonInstall, StepId::kUserWrite}));
         EXPECT_EQ(Count(t, StepId::kAnonZeroPage), 0);
         const Page& p = k.pages[0];
         EXPECT_TRUE(p.allocated);
         EXPECT_FALSE(p.freed);
         EXPECT_EQ(p.data, 0xa1u);
         EXPECT_EQ(p.refcount, 1);
         EXPECT_EQ(p.mapcount, 1);
         EXPECT_TRUE(p.dirty);
         EXPECT_TRUE(p.lru);
         EXPECT_EQ(k.mms[0].logical[0], 0xa1u);
       }},
      {"write after a read replaces the zero page with a copy",
       OneCpu({Read(0), Write(0, 0xa2)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(0, true));
         EXPECT_TRUE(InOrder(t, {StepId::kAnonZeroPage, StepId::kUserRead, StepId::kFault,
                                 StepId::kWpCopyStart, StepId::kWpCopyData,
                                 StepId::kWpCopyInstall, StepId::kUserWrite}));
         // The zero page is not refcounted: there is no old page to put.
         EXPECT_EQ(Count(t, StepId::kWpFreeOld), 0);
         EXPECT_EQ(k.pages[0].data, 0xa2u);
         EXPECT_EQ(k.pages[0].refcount, 1);
         EXPECT_EQ(k.pages[0].mapcount, 1);
       }},
      {"a second write to an own writable page takes no fault",
       OneCpu({Write(0, 0xa3), Write(0, 0xa4)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(Count(t, StepId::kFault), 1);
         EXPECT_EQ(Count(t, StepId::kUserWrite), 2);
         EXPECT_EQ(k.next_page, 1);
         EXPECT_EQ(k.pages[0].data, 0xa4u);
       }},
  };
  RunTable(cases);
}

TEST(MemoryTest, ForkSharesPagesCopyOnWrite) {
  auto fork_then = [](std::vector<Op> parent, std::vector<Op> child,
                      std::vector<Segment> decisions) {
    Schedule s;
    s.cpus = {CpuProgram{0, std::move(parent)}};
    if (!child.empty()) s.cpus.push_back(CpuProgram{1, std::move(child)});
    s.decisions = std::move(decisions);
    return s;
  };
  const std::vector<RunCase> cases = {
      {"fork shares present pages read-only",
       fork_then({Write(0, 0xb1), Read(1), Fork(1)}, {}, {}),
       [](const Kernel& k, const std::vector<TraceEvent>&) {
         const PageId p = k.mms[0].pte[0].page;
         ASSERT_GE(p, 0);
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(p, false)) << "the parent is write-protected";
         ASSERT_TRUE(k.mms[1].alive);
         EXPECT_EQ(k.mms[1].pte[0], PresentPte(p, false));
         EXPECT_EQ(k.pages[p].mapcount, 2);
         EXPECT_EQ(k.pages[p].refcount, 2);
         EXPECT_EQ(k.mms[1].pte[1], PresentPte(kZeroPage, false));
         EXPECT_EQ(k.mms[1].logical[0], 0xb1u);
       }},
      {"a child write copies; the parent's page keeps its data",
       fork_then({Write(0, 0xb1), Fork(1)}, {Write(0, 0xb2)}, {RunCpu(0), RunCpu(1)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         const PageId p = k.mms[0].pte[0].page;
         const PageId q = k.mms[1].pte[0].page;
         ASSERT_GE(p, 0);
         ASSERT_GE(q, 0);
         EXPECT_NE(p, q);
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(p, false));
         EXPECT_EQ(k.mms[1].pte[0], PresentPte(q, true));
         EXPECT_EQ(k.pages[p].data, 0xb1u);
         EXPECT_EQ(k.pages[q].data, 0xb2u);
         EXPECT_EQ(k.pages[p].mapcount, 1);
         EXPECT_EQ(k.pages[p].refcount, 1);
         EXPECT_EQ(k.pages[q].mapcount, 1);
         EXPECT_EQ(k.pages[q].refcount, 1);
         EXPECT_TRUE(InOrder(t, {StepId::kWpCopyStart, StepId::kWpCopyData,
                                 StepId::kWpCopyInstall, StepId::kWpFreeOld}, 1));
         EXPECT_EQ(Count(t, StepId::kWpReuse), 0);
       }},
      {"after the child copied, a parent write reuses its page in place",
       fork_then({Write(0, 0xb1), Fork(1), Write(0, 0xb3)}, {Write(0, 0xb2)},
                 {Through(0, StepId::kFork), RunCpu(1), RunCpu(0)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(k.mms[0].pte[0], PresentPte(0, true));
         EXPECT_EQ(k.pages[0].data, 0xb3u);
         EXPECT_EQ(Count(t, StepId::kWpReuse, 0), 1);
         EXPECT_EQ(Count(t, StepId::kWpCopyStart, 0), 0);
         const PageId q = k.mms[1].pte[0].page;
         ASSERT_GE(q, 0);
         EXPECT_EQ(k.pages[q].data, 0xb2u);
       }},
      {"a child read sees the parent's data without a copy",
       fork_then({Write(0, 0xb1), Fork(1)}, {Read(0)}, {RunCpu(0), RunCpu(1)}),
       [](const Kernel& k, const std::vector<TraceEvent>& t) {
         const long read = First(t, StepId::kUserRead, 1);
         ASSERT_GE(read, 0);
         EXPECT_EQ(t[read].page, 0);
         EXPECT_EQ(t[read].detail, 0xb1u);
         EXPECT_EQ(k.next_page, 1);
         EXPECT_EQ(Count(t, StepId::kFault, 1), 0) << "the shared PTE is present";
       }},
  };
  RunTable(cases);
}

TEST(MemoryTest, ForkDuplicatesSwapEntries) {
  Schedule cached;
  cached.cpus = {CpuProgram{0, {Write(0, 0xc1), Reclaim(0), Fork(1), Read(0)}},
                 CpuProgram{1, {Fork(2)}}};
  cached.decisions = {RunCpu(0), RunCpu(1)};
  const std::vector<RunCase> cases = {
      {"a swap PTE: swap_duplicate raises the count to 2",
       OneCpu({Write(0, 0xc1), Reclaim(0), Fork(1)}),
       [](const Kernel& k, const std::vector<TraceEvent>&) {
         EXPECT_EQ(k.mms[0].pte[0], SwapPte(1));
         EXPECT_EQ(k.mms[1].pte[0], SwapPte(1));
         EXPECT_EQ(k.si.swap_map[1], 2);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kStored);
         EXPECT_EQ(k.zram.table[1].data, 0xc1u);
       }},
      {"swap PTEs and a present page",
       OneCpu({Write(0, 0xc1), Write(1, 0xc2), Write(2, 0xc3), Reclaim(0), Reclaim(1),
               Fork(1)}),
       [](const Kernel& k, const std::vector<TraceEvent>&) {
         EXPECT_EQ(k.si.swap_map[1], 2);
         EXPECT_EQ(k.si.swap_map[2], 2);
         EXPECT_EQ(k.mms[1].pte[1], SwapPte(2));
         const PageId p = k.mms[0].pte[2].page;
         ASSERT_GE(p, 0);
         EXPECT_EQ(k.pages[p].mapcount, 2);
       }},
      {"an entry with a swap cache page keeps SWAP_HAS_CACHE", cached,
       [](const Kernel& k, const std::vector<TraceEvent>&) {
         // mm 0 swapped the page in through the cache; mm 1 and its child
         // mm 2 both hold the entry.
         EXPECT_EQ(k.mms[2].pte[0], SwapPte(1));
         EXPECT_EQ(k.si.swap_map[1], 2 | SWAP_HAS_CACHE);
       }},
  };
  RunTable(cases);
}

// do_swap_page() on an entry only one PTE holds: SWP_SYNCHRONOUS_IO and
// __swap_count == 1 read it into a private page. 6.8+ (13ddaf26be32) pins the
// entry with swapcache_prepare() and drops the pin with swapcache_clear().
TEST(MemoryTest, SwapInSkipsSwapCacheForAnUnsharedEntry) {
  struct Case {
    std::string profile;
    bool pinned;
    bool notify_step;  // free_notify_on_read: swap_readpage's notify step runs
  };
  const Case cases[] = {
      {"v5.16", false, true},
      {"v6.3", false, false},
      {"v6.9", true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    const int failures = FailureCount();
    Schedule s = OneCpu({Write(0, 0xd1), Reclaim(0), Read(0)}, c.profile);
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t reading = d.SnapshotAfter(StepId::kZramReadLock);
    const size_t installed = d.SnapshotAfter(StepId::kPteSameInstall);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired());

    const long fault = First(t, StepId::kFault, 0, Last(t, StepId::kRemoveMapping));
    ASSERT_GE(fault, 0);
    const long check = First(t, StepId::kSkipCheck, 0, fault);
    ASSERT_GE(check, 0);
    EXPECT_EQ(t[check].detail, 1u) << "the skip test must pass for a count of 1";
    if (c.pinned) {
      EXPECT_TRUE(InOrder(t, {StepId::kSkipCheck, StepId::kSkipPin, StepId::kZramReadLock,
                              StepId::kZramReadCopy, StepId::kLockPage,
                              StepId::kPteSameInstall, StepId::kSwapcacheClear},
                          0, fault));
    } else {
      EXPECT_TRUE(InOrder(t, {StepId::kSkipCheck, StepId::kZramReadLock, StepId::kZramReadCopy,
                              StepId::kLockPage, StepId::kPteSameInstall},
                          0, fault));
      EXPECT_EQ(Count(t, StepId::kSkipPin), 0);
      EXPECT_EQ(Count(t, StepId::kSwapcacheClear), 0);
    }
    EXPECT_EQ(Count(t, StepId::kFreeNotify), c.notify_step ? 1 : 0);
    // None of the swap cache path ran.
    EXPECT_EQ(Count(t, StepId::kFindGetPage), 0);
    EXPECT_EQ(Count(t, StepId::kPrepare), 0);
    EXPECT_EQ(Count(t, StepId::kAddToSwapCache, -1, fault), 0);

    // While the read is in flight: the page is private, and only the pin (if
    // any) marks the entry.
    const long read = First(t, StepId::kZramReadLock);
    ASSERT_GE(read, 0);
    const PageId page = t[read].page;
    ASSERT_TRUE(d.Snapshot(reading).has_value());
    const Kernel& mid = *d.Snapshot(reading);
    EXPECT_EQ(mid.swap_cache[1], kNoPage);
    EXPECT_FALSE(mid.pages[page].swapcache);
    EXPECT_TRUE(mid.pages[page].locked);
    EXPECT_EQ(mid.si.swap_map[1], c.pinned ? (1 | SWAP_HAS_CACHE) : 1);
    // Right after the install: swap_free() dropped the PTE's count. The pin
    // keeps the slot reserved (and its zram copy) until swapcache_clear().
    const Kernel& after = *d.Snapshot(installed);
    EXPECT_EQ(after.si.swap_map[1], c.pinned ? SWAP_HAS_CACHE : 0);
    EXPECT_EQ(after.zram.table[1].state,
              c.pinned ? ZramSlot::State::kStored : ZramSlot::State::kEmpty);

    EXPECT_EQ(k.mms[0].pte[0], PresentPte(page, false));
    EXPECT_NE(page, 0) << "swap-in must use a new page";
    const Page& p = k.pages[page];
    EXPECT_FALSE(p.swapcache);
    EXPECT_EQ(p.private_offset, kNoOffset);
    EXPECT_EQ(p.data, 0xd1u);
    EXPECT_EQ(p.refcount, 1);
    EXPECT_EQ(p.mapcount, 1);
    EXPECT_FALSE(p.locked);
    EXPECT_EQ(k.si.swap_map[1], 0);
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
    EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
    EXPECT_EQ(k.swap_info[0].users, 0) << "get_swap_device/put_swap_device unbalanced";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// After fork the entry's count is 2: do_swap_page() goes through the swap cache
// (swapin_readahead -> __read_swap_cache_async) in every profile.
TEST(MemoryTest, SwapInThroughSwapCacheForASharedEntry) {
  struct Case {
    std::string profile;
    bool child_reads;
  };
  const Case cases[] = {
      {"v5.16", false}, {"v6.3", false}, {"v6.9", false},
      {"v5.16", true},  {"v6.3", true},  {"v6.9", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + (c.child_reads ? ", child reads too" : ", parent only"));
    const int failures = FailureCount();
    Schedule s = OneCpu({Write(0, 0xe1), Reclaim(0), Fork(1), Read(0)}, c.profile);
    if (c.child_reads) {
      s.cpus.push_back(CpuProgram{1, {Read(0)}});
      s.decisions = {RunCpu(0), RunCpu(1)};
    }
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);

    const long fault = First(t, StepId::kFault, 0, First(t, StepId::kFork));
    ASSERT_GE(fault, 0);
    const long check = First(t, StepId::kSkipCheck, 0, fault);
    ASSERT_GE(check, 0);
    EXPECT_EQ(t[check].detail, 0u) << "a count of 2 must not skip the swap cache";
    EXPECT_TRUE(InOrder(t, {StepId::kSkipCheck, StepId::kFindGetPage, StepId::kPrepare,
                            StepId::kAddToSwapCache, StepId::kZramReadLock,
                            StepId::kZramReadCopy, StepId::kLockPage,
                            StepId::kPteSameInstall},
                        0, fault));
    EXPECT_EQ(Count(t, StepId::kSkipPin), 0);

    const PageId page = k.mms[0].pte[0].page;
    ASSERT_GE(page, 0);
    EXPECT_EQ(k.mms[0].pte[0], PresentPte(page, false));
    const Page& p = k.pages[page];
    EXPECT_EQ(p.data, 0xe1u);
    EXPECT_TRUE(p.swapcache);
    EXPECT_EQ(p.private_offset, 1);
    EXPECT_EQ(k.swap_cache[1], page);
    EXPECT_FALSE(p.locked);
    // The other PTE still needs the device copy.
    EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kStored);
    EXPECT_EQ(k.swap_info[0].users, 0);
    if (!c.child_reads) {
      EXPECT_EQ(k.si.swap_map[1], 1 | SWAP_HAS_CACHE);
      EXPECT_EQ(p.mapcount, 1);
      EXPECT_EQ(p.refcount, 2) << "the mapping's and the swap cache's";
      EXPECT_EQ(k.mms[1].pte[0], SwapPte(1));
    } else {
      // The child finds the page in the swap cache and reads nothing.
      const long lookup = First(t, StepId::kLookupSwapCache, 1);
      ASSERT_GE(lookup, 0);
      EXPECT_EQ(t[lookup].page, page);
      EXPECT_EQ(Count(t, StepId::kZramReadLock, 1), 0);
      EXPECT_EQ(k.mms[1].pte[0], PresentPte(page, false));
      EXPECT_EQ(k.si.swap_map[1], SWAP_HAS_CACHE);
      EXPECT_EQ(p.mapcount, 2);
      EXPECT_EQ(p.refcount, 3);
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// A write fault on a swap PTE whose page comes from the swap cache:
// reuse_swap_page() maps it writable in place when mapcount + swap count is 1,
// taking it out of the swap cache and freeing the slot.
TEST(MemoryTest, WriteFaultOnSwapCachePage) {
  struct Case {
    std::string name;
    Schedule schedule;
    std::function<void(Kernel&)> setup;
    bool reuse;
  };
  Schedule child_unmapped;
  child_unmapped.cpus = {CpuProgram{0, {Write(0, 0xf1), Reclaim(0), Fork(1), Write(0, 0xf2)}},
                         CpuProgram{1, {Read(0), Munmap(0)}}};
  child_unmapped.decisions = {Through(0, StepId::kFork), RunCpu(1), RunCpu(0)};
  const std::vector<Case> cases = {
      {"the child read and unmapped it: only the parent's entry is left", child_unmapped, {},
       true},
      {"no SWP_SYNCHRONOUS_IO: swap cache path with a count of 1",
       OneCpu({Write(0, 0xf1), Reclaim(0), Write(0, 0xf2)}),
       [](Kernel& k) { k.swap_info[0].sync_io = false; }, true},
      {"the child still holds the entry: mapped read-only, then copied",
       OneCpu({Write(0, 0xf1), Reclaim(0), Fork(1), Write(0, 0xf2)}), {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    ProbeDecider d(ex, c.schedule.decisions);
    const size_t installed = d.SnapshotAfter(StepId::kPteSameInstall, 0);
    const ReplayOutput out = MustRunProbed(ex, c.schedule, d, c.setup);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired());

    const long install = First(t, StepId::kPteSameInstall, 0);
    ASSERT_GE(install, 0);
    const PageId cached = t[install].page;
    // The page came through the swap cache: inserted by a swap-in, or found there.
    const Kernel& at = *d.Snapshot(installed);
    // The parent's write fault: its first fault after the swap-out.
    const long fault = First(t, StepId::kFault, 0, Last(t, StepId::kRemoveMapping));
    ASSERT_GE(fault, 0);
    ASSERT_LT(fault, install);
    // It took the swap cache path: a lookup hit, or a failed skip test.
    const long lookup = First(t, StepId::kLookupSwapCache, 0, fault);
    ASSERT_GE(lookup, 0);
    const long skip = First(t, StepId::kSkipCheck, 0, fault);
    EXPECT_TRUE(t[lookup].page == cached || (skip >= 0 && skip < install && t[skip].detail == 0))
        << "the swap cache path must be taken";
    if (c.reuse) {
      EXPECT_EQ(at.mms[0].pte[0], PresentPte(cached, true)) << "reuse_swap_page maps writable";
      EXPECT_FALSE(at.pages[cached].swapcache);
      EXPECT_EQ(k.mms[0].pte[0], PresentPte(cached, true));
      EXPECT_EQ(k.pages[cached].data, 0xf2u);
      EXPECT_FALSE(k.pages[cached].swapcache);
      EXPECT_EQ(k.pages[cached].refcount, 1);
      EXPECT_EQ(k.pages[cached].mapcount, 1);
      EXPECT_EQ(k.swap_cache[1], kNoPage);
      EXPECT_EQ(k.si.swap_map[1], 0) << "the slot is freed";
      EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
      EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
      EXPECT_EQ(Count(t, StepId::kWpCopyStart, 0, fault), 0);
      EXPECT_EQ(Count(t, StepId::kFault, 0, fault), 1) << "one fault for the write";
    } else {
      EXPECT_EQ(at.mms[0].pte[0], PresentPte(cached, false));
      const PageId copy = k.mms[0].pte[0].page;
      ASSERT_GE(copy, 0);
      EXPECT_NE(copy, cached);
      EXPECT_EQ(k.mms[0].pte[0], PresentPte(copy, true));
      EXPECT_EQ(k.pages[copy].data, 0xf2u);
      EXPECT_EQ(k.pages[cached].data, 0xf1u);
      EXPECT_TRUE(k.pages[cached].swapcache);
      EXPECT_EQ(k.swap_cache[1], cached);
      EXPECT_EQ(k.si.swap_map[1], 1 | SWAP_HAS_CACHE);
      EXPECT_EQ(k.pages[cached].mapcount, 0);
      EXPECT_EQ(k.pages[cached].refcount, 1);
      EXPECT_EQ(Count(t, StepId::kWpCopyStart, 0, fault), 1);
      EXPECT_EQ(Count(t, StepId::kFault, 0, fault), 2);
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// do_swap_page(): "if (vm_swap_full()) try_to_free_swap(page)" after the
// install drops a swap cache page nothing else references.
TEST(MemoryTest, SwapInDropsSwapCacheWhenSwapIsFull) {
  struct Case {
    int nslots;
    bool full;
  };
  for (const Case& c : {Case{2, true}, Case{16, false}}) {
    SCOPED_TRACE("nslots " + std::to_string(c.nslots));
    Schedule s = OneCpu({Write(0, 0x91), Reclaim(0), Read(0)});
    s.config.nslots = c.nslots;
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const ReplayOutput out = MustRunProbed(ex, s, d, [](Kernel& k) { k.swap_info[0].sync_io = false; });
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    const PageId page = k.mms[0].pte[0].page;
    ASSERT_GE(page, 0);
    EXPECT_EQ(k.pages[page].data, 0x91u);
    if (c.full) {
      EXPECT_FALSE(k.pages[page].swapcache);
      EXPECT_EQ(k.swap_cache[1], kNoPage);
      EXPECT_EQ(k.si.swap_map[1], 0);
      EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
    } else {
      EXPECT_TRUE(k.pages[page].swapcache);
      EXPECT_EQ(k.swap_cache[1], page);
      EXPECT_EQ(k.si.swap_map[1], SWAP_HAS_CACHE);
      EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kStored);
    }
  }
}

TEST(MemoryTest, MunmapReleasesSwap) {
  struct Case {
    std::string name;
    Schedule schedule;
    StepId probe_step;  // a snapshot is taken right after this step
    int probe_cpu;
    std::function<void(const Kernel& mid, const Kernel& end, const std::vector<TraceEvent>&)>
        check;
  };
  Schedule slots_cache = OneCpu({Write(0, 0x81), Reclaim(0), Munmap(0)});
  slots_cache.config.slots_cache_size = 4;

  Schedule cache_only;
  cache_only.cpus = {CpuProgram{0, {Write(0, 0x83), Reclaim(0), Fork(1), Munmap(0)}},
                     CpuProgram{1, {Read(0), Munmap(0)}}};
  cache_only.decisions = {Through(0, StepId::kFork), RunCpu(1), RunCpu(0)};

  Schedule present_cached;
  present_cached.cpus = {CpuProgram{0, {Write(0, 0x84), Reclaim(0), Fork(1), Read(0), Munmap(0)}},
                         CpuProgram{1, {Munmap(0)}}};
  present_cached.decisions = {Through(0, StepId::kUserRead), RunCpu(1), RunCpu(0)};

  const std::vector<Case> cases = {
      {"a swap PTE: the slot is freed and zram drops its copy",
       OneCpu({Write(0, 0x80), Reclaim(0), Munmap(0)}), StepId::kZapOne, 0,
       [](const Kernel& mid, const Kernel& k, const std::vector<TraceEvent>&) {
         EXPECT_EQ(mid.si.swap_map[1], 0);
         EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kEmpty);
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         EXPECT_EQ(k.si.swap_map[1], 0);
         EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
         EXPECT_EQ(k.zram.stored_pages, 0);
       }},
      {"a swap PTE with a slots cache: parked reserved until the drain", slots_cache,
       StepId::kZapOne, 0,
       [](const Kernel& mid, const Kernel& k, const std::vector<TraceEvent>&) {
         EXPECT_EQ(mid.si.swap_map[1], SWAP_HAS_CACHE);
         EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kStored);
         ASSERT_EQ(mid.cpus[0].slots_cache.n_ret, 1);
         EXPECT_EQ(mid.cpus[0].slots_cache.slots_ret[0], 1);
         EXPECT_EQ(k.si.swap_map[1], 0);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
         EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
       }},
      {"a shared swap PTE: only the count drops",
       OneCpu({Write(0, 0x82), Reclaim(0), Fork(1), Munmap(0)}), StepId::kZapOne, 0,
       [](const Kernel&, const Kernel& k, const std::vector<TraceEvent>& t) {
         EXPECT_EQ(k.si.swap_map[1], 1);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kStored);
         EXPECT_EQ(k.mms[1].pte[0], SwapPte(1));
         EXPECT_EQ(Count(t, StepId::kZapTryReclaim), 0);
       }},
      {"the last swap PTE of a slot whose page sits unmapped in the swap cache", cache_only,
       StepId::kZapFreeSwapCache, 1,
       [](const Kernel& mid, const Kernel& k, const std::vector<TraceEvent>& t) {
         // The child's unmap left its page cached: the parent still holds the entry.
         const PageId page = mid.swap_cache[1];
         ASSERT_GE(page, 0);
         EXPECT_EQ(mid.pages[page].mapcount, 0);
         EXPECT_EQ(mid.si.swap_map[1], 1 | SWAP_HAS_CACHE);
         // __try_to_reclaim_swap() drops it.
         EXPECT_EQ(Count(t, StepId::kZapTryReclaim, 0), 1);
         EXPECT_TRUE(k.pages[page].freed);
         EXPECT_EQ(k.swap_cache[1], kNoPage);
         EXPECT_EQ(k.si.swap_map[1], 0);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
       }},
      {"a present page that is also in the swap cache leaves the cache", present_cached,
       StepId::kZapTryReclaim, 1,
       [](const Kernel& mid, const Kernel& k, const std::vector<TraceEvent>& t) {
         // The child's unmap left only the cache's reference on the slot, but
         // the page is mapped by the parent, so it stayed cached.
         const PageId page = mid.mms[0].pte[0].page;
         ASSERT_GE(page, 0);
         EXPECT_TRUE(mid.pages[page].swapcache);
         EXPECT_EQ(mid.swap_cache[1], page);
         EXPECT_EQ(mid.si.swap_map[1], SWAP_HAS_CACHE);
         // The parent's unmap: free_swap_cache() -> try_to_free_swap().
         EXPECT_EQ(Count(t, StepId::kZapFreeSwapCache, 0), 1);
         EXPECT_TRUE(k.pages[page].freed);
         EXPECT_EQ(k.swap_cache[1], kNoPage);
         EXPECT_EQ(k.si.swap_map[1], 0);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
         EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    ProbeDecider d(ex, c.schedule.decisions);
    const size_t snap = d.SnapshotAfter(c.probe_step, c.probe_cpu);
    const ReplayOutput out = MustRunProbed(ex, c.schedule, d);
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.Snapshot(snap).has_value()) << Describe(out);
    c.check(*d.Snapshot(snap), ex.kernel(), out.trace);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// mmap_lock: fork takes it for write, a fault holds it for read from the fault
// entry until it returns. While a fault of the same mm is between any two of
// its steps, the forking CPU must block, and the child must see the completed
// fault.
TEST(MemoryTest, ForkWaitsForAFaultOnTheSameMm) {
  struct Case {
    std::string name;
    std::vector<Op> faulting;  // CPU 0's program; its last op is the fault
    std::optional<StepId> before;  // run CPU 0 through this step first
    StepId stop;                   // then stop CPU 0 mid-fault after this step
    int occurrence = 1;            // which of CPU 0's `stop` steps that is
  };
  const std::vector<Op> swap_in = {Write(0, 0x71), Reclaim(0), Read(0)};
  const std::vector<Case> cases = {
      {"anonymous write fault, after the fault entry", {Write(0, 0x70)}, std::nullopt,
       StepId::kFault},
      {"swap-in, after the fault entry", swap_in, StepId::kRemoveMapping, StepId::kFault, 2},
      {"swap-in, after lookup_swap_cache", swap_in, StepId::kRemoveMapping,
       StepId::kLookupSwapCache},
      {"swap-in, after the skip test", swap_in, StepId::kRemoveMapping, StepId::kSkipCheck},
      {"swap-in, after the pin", swap_in, StepId::kRemoveMapping, StepId::kSkipPin},
      {"swap-in, zram slot locked mid-read", swap_in, StepId::kRemoveMapping,
       StepId::kZramReadLock},
      {"swap-in, after the read", swap_in, StepId::kRemoveMapping, StepId::kZramReadCopy},
      {"swap-in, page locked", swap_in, StepId::kRemoveMapping, StepId::kLockPage},
      {"swap-in, installed but the pin not yet cleared", swap_in, StepId::kRemoveMapping,
       StepId::kPteSameInstall},
      {"swap-in through the cache, after the read", {Write(0, 0x72), Reclaim(0), Fork(2), Read(0)},
       StepId::kFork, StepId::kZramReadCopy},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.cpus = {CpuProgram{0, c.faulting}, CpuProgram{0, {Fork(1)}}};
    if (c.before) s.decisions.push_back(Through(0, *c.before));
    s.decisions.push_back(Through(0, c.stop));
    s.decisions.push_back(RunCpu(1, 1));  // try to fork now
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t stopped = d.SnapshotAfter(c.stop, 0, c.occurrence);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.Snapshot(stopped).has_value());
    const Kernel& mid = *d.Snapshot(stopped);
    ASSERT_EQ(mid.mms[0].mmap_readers, 1) << "the fault holds mmap_lock for read";

    // The picks: CPU 1 was offered the slot right after the stop step, it
    // blocked on mmap_write_lock, and was not runnable again until the fault
    // dropped mmap_lock.
    const std::vector<ProbeDecider::PickRecord>& picks = d.picks();
    size_t attempt = picks.size();
    for (size_t i = 0; i < picks.size(); ++i) {
      if (picks[i].picked == 1 && picks[i].step == mid.step) {
        attempt = i;
        break;
      }
    }
    ASSERT_LT(attempt, picks.size()) << "CPU 1 was never picked while the fault was in flight";
    EXPECT_EQ(picks[attempt].mmap_readers[0], 1);
    ASSERT_LT(attempt + 1, picks.size());
    EXPECT_EQ(picks[attempt + 1].step, picks[attempt].step) << "the fork must not take a step";
    int window = 0;
    for (size_t i = attempt + 1; i < picks.size(); ++i) {
      if (picks[i].mmap_readers[0] == 0) break;
      ++window;
      EXPECT_EQ(picks[i].runnable & 2u, 0u) << "fork runnable at step " << picks[i].step;
      EXPECT_NE(picks[i].picked, 1);
    }
    EXPECT_GT(window, 0);

    // The fork ran after the whole fault and copied its result.
    const long fork = First(t, StepId::kFork, 1);
    ASSERT_GE(fork, 0);
    const long fault_end = First(t, c.faulting.back().kind == OpKind::kRead
                                        ? StepId::kUserRead
                                        : StepId::kUserWrite,
                                 0);
    ASSERT_GE(fault_end, 0);
    EXPECT_GT(fork, fault_end);
    EXPECT_EQ(k.mms[1].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.mms[1].pte[0].page, k.mms[0].pte[0].page);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// free_swap_and_cache() calls __try_to_reclaim_swap() only when
// __swap_entry_free() returned SWAP_HAS_CACHE, i.e. a swap cache page is all
// that still holds the slot. When the PTE held the last reference the usage is
// 0 and free_swap_slot() has taken the slot, whatever its map byte now says.
//
// Regression test for a model bug (present at cb1a605): zap_pte_range() tested the
// map byte after swap_free() ("swap_map == SWAP_HAS_CACHE") instead of the
// usage __swap_entry_free_locked() returned. With an active slots cache a freed
// slot is parked in slots_ret with map == SWAP_HAS_CACHE, so the model ran an
// extra "free_swap_and_cache: __try_to_reclaim_swap" step (a lookup that can
// only miss) that the kernel never executes: an interleaving point and a
// coverage key that do not exist upstream. The "slots cache" row failed.
TEST(MemoryTest, MunmapOfTheLastSwapReferenceDoesNotTryToReclaim) {
  for (const int slots_cache : {0, 4}) {
    SCOPED_TRACE(slots_cache == 0 ? "no slots cache" : "slots cache");
    Schedule s = OneCpu({Write(0, 0x85), Reclaim(0), Munmap(0)});
    s.config.slots_cache_size = slots_cache;
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    EXPECT_FALSE(out.finding.has_value());
    EXPECT_EQ(Count(out.trace, StepId::kZapTryReclaim), 0) << Describe(out);
    EXPECT_EQ(ex.kernel().si.swap_map[1], 0);
  }
}

// The 6.8+ skip-swapcache pin must be dropped on every exit of do_swap_page().
// Upstream (mm/memory.c since 13ddaf26be32) a failed allocation goes to
// `out:`, which runs "if (need_clear_cache) swapcache_clear(si, entry)".
//
// Regression test for a model bug (present at cb1a605): do_swap_page() returned
// from the allocation-failure branch (kAfterReadahead, no page) without
// swapcache_clear() when the pin (need_clear_cache) was set, so SWAP_HAS_CACHE
// leaked: the retried fault then spun on -EEXIST until the liveness oracle
// fired, and no page could ever be added to the swap cache for that slot. The
// "v6.9" row failed.
TEST(MemoryTest, PinnedSwapInDropsPinWhenAllocationFails) {
  for (const std::string profile : {"v6.3", "v6.9"}) {
    SCOPED_TRACE(profile);
    Schedule s = OneCpu({Read(0)}, profile);
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    uint8_t map_at_oom = 0xff;
    // One failed allocation: the step that allocates the private page (the
    // pin on mainline, the check itself where the skip is unpinned) finds no
    // frame, then the frames come back. Giving them back also lifts the
    // executor's out-of-frames stop, which would otherwise end the run there.
    auto give_back = [](Kernel& k) {
      if (!k.out_of_frames) return;
      k.next_page = 0;
      k.out_of_frames = false;
    };
    d.After(StepId::kSkipCheck, 0, give_back);
    d.After(StepId::kSkipPin, 0, give_back);
    d.After(StepId::kDoSwapPageOom, 0, [&](Kernel& k) { map_at_oom = k.si.swap_map[1]; });
    const ReplayOutput out = MustRunProbed(ex, s, d, [](Kernel& k) {
      SwappedOut(k, 0, 1, 0x77);
      k.next_page = kMaxPages;
    });
    ASSERT_NE(map_at_oom, 0xff) << "the swap-in never took the ENOMEM path: " << Describe(out);
    EXPECT_EQ(map_at_oom, 1) << "SWAP_HAS_CACHE left set after the failed swap-in";
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.si.swap_map[1], 0);
    EXPECT_EQ(k.swap_info[0].users, 0);
  }
}

// --- v7.0+: the swap table (Features::SwapCachePin::kTableFolio) ---

// A page at va 0 swapped out to slot 1 of a disk, under v7.1.y, followed by
// `tail`: the second reclaim removes the written page from the swap cache (the
// first leaves it under writeback), so the swap-in reads the disk.
Schedule DiskSwappedOut(std::vector<Op> tail) {
  std::vector<Op> ops = {Write(0, 0xe1), Reclaim(0), Reclaim(0)};
  ops.insert(ops.end(), tail.begin(), tail.end());
  Schedule s = OneCpu(std::move(ops), "v7.1.y");
  s.config.backend = "disk";
  s.config.page_cluster = 0;
  s.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), RunCpu(0)};
  return s;
}

// do_swap_page() under v7.1.y. There is no skip path: on zram too the folio
// goes through the swap cache (swapin_folio()). With the PTL and the folio
// lock held, one step maps it, drops the PTE's count (folio_put_swap(), which
// never frees a cached slot) and then, if should_try_to_free_swap(), calls
// folio_free_swap(), which frees the slot when no count is left: always on a
// SWP_SYNCHRONOUS_IO device, so the zram slot is freed in that step. On a
// disk a read fault keeps the folio cached with count 0, and a slot another
// PTE still counts stays cached on any device.
TEST(MemoryTest, SwapTableSwapInThroughTheCacheFreesTheSlotAfterMapping) {
  struct Case {
    std::string name;
    Schedule schedule;
    Token data;
    bool write;
    bool freed;  // the slot was freed in the install step
    int count;   // the slot's count after the install (when not freed)
  };
  Schedule shared = OneCpu({Write(0, 0xe1), Reclaim(0), Fork(1), Read(0)}, "v7.1.y");
  const std::vector<Case> cases = {
      {"zram, read fault", OneCpu({Write(0, 0xe1), Reclaim(0), Read(0)}, "v7.1.y"), 0xe1, false,
       true, 0},
      {"zram, write fault", OneCpu({Write(0, 0xe1), Reclaim(0), Write(0, 0xe2)}, "v7.1.y"),
       0xe2, true, true, 0},
      {"disk, read fault: cached with count 0", DiskSwappedOut({Read(0)}), 0xe1, false, false,
       0},
      {"zram, an entry a forked child shares: cached with the child's count", shared, 0xe1,
       false, false, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    ProbeDecider d(ex, c.schedule.decisions);
    const size_t locked = d.SnapshotAfter(StepId::kLockPage, 0);
    const size_t installed = d.SnapshotAfter(StepId::kPteSameInstallPut, 0);
    const ReplayOutput out = MustRunProbed(ex, c.schedule, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const bool zram = c.schedule.config.backend == "zram";

    const long fault = First(t, StepId::kFault, 0, Last(t, StepId::kRemoveMapping));
    ASSERT_GE(fault, 0);
    EXPECT_TRUE(InOrder(t, {StepId::kCacheGetFolio, StepId::kCacheAddFolio,
                            zram ? StepId::kZramReadLock : StepId::kBioSubmitRead,
                            StepId::kLockPage, StepId::kPteSameInstallPut},
                        0, fault));
    for (const StepId id : {StepId::kSkipCheck, StepId::kSkipPin, StepId::kSwapcacheClear,
                            StepId::kLookupSwapCache, StepId::kFindGetPage, StepId::kPrepare,
                            StepId::kPteSameInstall}) {
      EXPECT_EQ(Count(t, id), 0) << StepLabel(id);
    }
    const long add = First(t, StepId::kCacheAddFolio, 0, fault);
    ASSERT_GE(add, 0);
    const PageId page = t[add].page;

    // Locked, before the install: in the swap cache, the PTE's count held.
    const Kernel& before = *d.Snapshot(locked);
    const int ptes = c.count + 1;
    EXPECT_EQ(before.swap_cache[1], page);
    EXPECT_EQ(before.si.swap_map[1], ptes);
    EXPECT_TRUE(before.pages[page].uptodate);
    EXPECT_EQ(before.pages[page].lock_owner, 0);
    if (zram) EXPECT_EQ(before.zram.table[1].state, ZramSlot::State::kStored);

    // The install step.
    const Kernel& after = *d.Snapshot(installed);
    const Page& p = after.pages[page];
    EXPECT_EQ(after.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(after.mms[0].pte[0].page, page);
    // A write fault maps the exclusive entry writable; the shared entry's
    // folio is mapped read-only. (A read fault of an exclusive entry: see
    // SwapInOfAnExclusiveEntryMapsItWritableOnARead.)
    if (c.write) EXPECT_TRUE(after.mms[0].pte[0].writable);
    if (c.count > 0) EXPECT_FALSE(after.mms[0].pte[0].writable);
    EXPECT_EQ(p.mapcount, 1);
    EXPECT_FALSE(p.locked);
    EXPECT_EQ(p.data, 0xe1u);
    if (c.freed) {
      EXPECT_FALSE(p.swapcache);
      EXPECT_EQ(p.private_offset, kNoOffset);
      EXPECT_EQ(p.refcount, 1) << "the mapping's only";
      EXPECT_EQ(after.swap_cache[1], kNoPage);
      EXPECT_EQ(after.si.swap_map[1], 0);
      EXPECT_FALSE(after.si.table_used[1]);
      EXPECT_EQ(after.swap_info[0].inuse_pages, 0);
      EXPECT_EQ(after.zram.table[1].state, ZramSlot::State::kEmpty);
    } else {
      EXPECT_TRUE(p.swapcache);
      EXPECT_EQ(after.swap_cache[1], page);
      EXPECT_EQ(p.refcount, 2) << "the mapping's and the swap cache's";
      EXPECT_EQ(after.si.swap_map[1], c.count);
      EXPECT_TRUE(after.si.table_used[1]);
      EXPECT_EQ(after.swap_info[0].inuse_pages, 1);
      if (zram) EXPECT_EQ(after.zram.table[1].state, ZramSlot::State::kStored);
      if (!zram) EXPECT_EQ(after.disk[1].data, 0xe1u);
    }
    if (c.count > 0) {
      // The child still holds the entry: fork took its count directly.
      EXPECT_EQ(k.mms[1].pte[0], SwapPte(1));
      EXPECT_EQ(Count(t, StepId::kForkDupDirect), 1);
      EXPECT_EQ(Count(t, StepId::kFork), 0);
    }
    EXPECT_EQ(k.mms[0].logical[0], c.data);
    EXPECT_EQ(k.swap_info[0].users, 0) << "get_swap_device/put_swap_device unbalanced";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// do_swap_page() of v7.1.5 maps an exclusive write fault writable and clears
// FAULT_FLAG_WRITE ("vmf->flags &= ~FAULT_FLAG_WRITE", mm/memory.c:5112)
// before should_try_to_free_swap() reads vmf->flags (5153), so on a device
// without SWP_SYNCHRONOUS_IO, swap not full, the folio stays in the swap
// cache with count 0 (/tmp/research/r3a-v7-fault.md, T9: "an exclusive write
// fault has already cleared FAULT_FLAG_WRITE, so on a disk device it keeps the
// folio cached (count 0) unless swap is full").
TEST(MemoryTest, SwapTableExclusiveWriteFaultOnADiskKeepsTheFolioCached) {
  Executor ex;
  const ReplayOutput out = MustRun(ex, DiskSwappedOut({Write(0, 0xe2)}));
  const Kernel& k = ex.kernel();
  EXPECT_FALSE(out.finding.has_value());
  const PageId page = k.mms[0].pte[0].page;
  ASSERT_GE(page, 0);
  EXPECT_TRUE(k.mms[0].pte[0].writable);
  EXPECT_TRUE(k.pages[page].swapcache);
  EXPECT_EQ(k.swap_cache[1], page);
  EXPECT_EQ(k.si.swap_map[1], 0);
  EXPECT_TRUE(k.si.table_used[1]);
}

// Since v6.11 (c18160dba5ff, "mm: swap: reuse exclusive folio directly
// instead of wp page faults"), do_swap_page() maps an
// exclusive swap-in writable on a read fault too, when the VMA is writable and
// neither uffd-wp nor soft-dirty tracking needs the fault: "if ((vma->vm_flags
// & VM_WRITE) && !userfaultfd_pte_wp(vma, pte) && !pte_needs_soft_dirty_wp(vma,
// pte)) { pte = pte_mkwrite(pte, vma); if (vmf->flags & FAULT_FLAG_WRITE)
// {...} }" (6.12.94 mm/memory.c:4544-4554, 6.18.35 4952-4962, 7.1.5
// 5105-5116). The entry is exclusive after reclaim of a private page, and the
// skip path's private folio is exclusive by construction. A later write then
// needs no fault.
TEST(MemoryTest, SwapInOfAnExclusiveEntryMapsItWritableOnARead) {
  struct Case {
    std::string profile;
    std::string backend;
  };
  const Case cases[] = {{"v6.12.y", "zram"}, {"v6.18.y", "zram"}, {"v7.1.y", "zram"},
                        {"v6.12.y", "disk"}, {"v6.18.y", "disk"}, {"v7.1.y", "disk"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + " " + c.backend);
    Schedule s = OneCpu({Write(0, 0xe1), Reclaim(0), Reclaim(0), Read(0), Write(0, 0xe2)},
                        c.profile);
    s.config.backend = c.backend;
    s.config.page_cluster = 0;
    s.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t read = d.SnapshotAfter(StepId::kUserRead, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const Kernel& mid = *d.Snapshot(read);
    EXPECT_EQ(mid.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_TRUE(mid.mms[0].pte[0].writable);
    // The write after it takes no fault.
    const long user_read = First(out.trace, StepId::kUserRead, 0);
    ASSERT_GE(user_read, 0);
    EXPECT_EQ(Count(out.trace, StepId::kFault, 0, user_read), 0);
    EXPECT_EQ(Count(out.trace, StepId::kWpReuse, 0, user_read), 0);
  }
}

// zap_pte_range() under v7.1.y: swap_put_entries_direct(). A count of 1 on a
// slot with no folio cached frees the slot in the zap step itself; a count of
// 1 on a cached slot leaves it cached with count 0, and
// __try_to_reclaim_swap() (kReclaimGetFolio, kReclaimTrylock) then drops the folio and frees
// the slot if nothing maps the folio; a higher count only drops.
TEST(MemoryTest, SwapTableZapPutsEntriesDirect) {
  struct Case {
    std::string name;
    Schedule schedule;
    int zap_cpu;
    int count_after_zap;
    bool cached_at_zap;  // a folio is in the slot's swap cache right after the zap step
    bool freed;          // the slot is free at the end
  };
  Schedule cached_on_disk = OneCpu({Write(0, 0xf1), Reclaim(0), Munmap(0)}, "v7.1.y");
  cached_on_disk.config.backend = "disk";
  cached_on_disk.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), RunCpu(0)};
  // The child swaps the shared entry in (the parent's count keeps it cached)
  // and unmaps its page; then the parent unmaps its swap PTE.
  Schedule child_cached;
  child_cached.config.profile = "v7.1.y";
  child_cached.cpus = {CpuProgram{0, {Write(0, 0xf1), Reclaim(0), Fork(1), Munmap(0)}},
                       CpuProgram{1, {Read(0), Munmap(0)}}};
  child_cached.decisions = {Through(0, StepId::kForkDupDirect), RunCpu(1), RunCpu(0)};
  const std::vector<Case> cases = {
      {"zram: count 1, not cached: freed in the zap step",
       OneCpu({Write(0, 0xf1), Reclaim(0), Munmap(0)}, "v7.1.y"), 0, 0, false, true},
      {"disk: count 1, the written folio still cached: reclaimed after the zap",
       cached_on_disk, 0, 0, true, true},
      {"zram: count 1, cached by the child's swap-in: reclaimed after the zap", child_cached,
       0, 0, true, true},
      {"zram: count 2: only the count drops",
       OneCpu({Write(0, 0xf1), Reclaim(0), Fork(1), Munmap(0)}, "v7.1.y"), 0, 1, false,
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    ProbeDecider d(ex, c.schedule.decisions);
    const size_t zapped = d.SnapshotAfter(StepId::kZapOne, c.zap_cpu, 1);
    const ReplayOutput out = MustRunProbed(ex, c.schedule, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    EXPECT_EQ(Count(t, StepId::kZapTryReclaim), 0) << "free_swap_and_cache() is gone";

    const Kernel& mid = *d.Snapshot(zapped);
    EXPECT_EQ(mid.mms[0].pte[0], Pte{});
    EXPECT_EQ(mid.si.swap_map[1], c.count_after_zap);
    const long zap = Last(t, StepId::kZapOne, c.zap_cpu);
    ASSERT_GE(zap, 0);
    if (c.cached_at_zap) {
      const PageId page = mid.swap_cache[1];
      ASSERT_GE(page, 0);
      EXPECT_EQ(mid.pages[page].mapcount, 0);
      EXPECT_TRUE(mid.si.table_used[1]) << "a cached slot is not freed by the put";
      EXPECT_EQ(mid.swap_info[0].inuse_pages, 1);
      // The next step of the zap: __try_to_reclaim_swap() finds it unmapped.
      ASSERT_LT(static_cast<size_t>(zap + 1), t.size());
      ASSERT_LT(static_cast<size_t>(zap + 2), t.size());
      EXPECT_EQ(t[zap + 1].id, StepId::kReclaimGetFolio);
      EXPECT_EQ(t[zap + 1].page, page);
      EXPECT_EQ(t[zap + 2].id, StepId::kReclaimTrylock);
      EXPECT_EQ(t[zap + 2].page, page);
      EXPECT_TRUE(k.pages[page].freed);
      EXPECT_EQ(k.swap_cache[1], kNoPage);
    } else {
      EXPECT_EQ(mid.swap_cache[1], kNoPage);
      EXPECT_EQ(Count(t, StepId::kReclaimGetFolio), 0);
      EXPECT_EQ(mid.si.table_used[1], !c.freed);
      if (c.freed) {
        // Freed in the zap step: zram's copy with it.
        EXPECT_EQ(mid.swap_info[0].inuse_pages, 0);
        EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kEmpty);
      } else {
        EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kStored);
        EXPECT_EQ(k.mms[1].pte[0], SwapPte(1));
      }
    }
    EXPECT_EQ(k.si.table_used[1], !c.freed);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.freed ? 0 : 1);
    EXPECT_EQ(k.swap_info[0].users, 0);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// __try_to_reclaim_swap() of v6.15+ in the zap (v6.18.y, v7.1.y): a folio that
// leaves the swap cache between the lookup and the trylock, and is swapped out
// again to another slot, sends the zap back to "again". The fixed retry looks
// the zapped entry up again and finds nothing; with
// reclaim_retry_uses_folio_entry it looks up the folio's new slot, finds the
// same folio, and spins there. The schedule is the one of
// corpus/regressions/reclaim_retry_wrong_entry.json: the child zaps X while
// the parent's folio is cached at X; the parent then moves it to Y.
TEST(MemoryTest, TryToReclaimSwapRetriesTheZappedEntry) {
  struct Case {
    std::string name;
    bool knob;
    Offset second_lookup;  // the entry of the lookup after the retry
    bool spins;
  };
  const std::vector<Case> cases = {
      {"fixed: the retry looks the zapped slot up again and gives up", false, 1, false},
      {"reclaim_retry_uses_folio_entry: the retry follows the folio to its new slot", true, 2,
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s;
    s.config.profile = "v7.1.y";
    s.config.nslots = 4;
    s.config.page_cluster = 0;
    if (c.knob) s.config.knobs = {KnobOverride{"reclaim_retry_uses_folio_entry", true}};
    s.cpus = {CpuProgram{0, {Write(0, 0xf1), Reclaim(0), Fork(1), Read(0), Reclaim(0), Read(0),
                             Write(1, 0xf2), Reclaim(1), Reclaim(0)}},
              CpuProgram{1, {Munmap(0)}}};
    s.decisions = {Through(0, StepId::kUserRead), Through(1, StepId::kReclaimGetFolio),
                   RunCpu(0), RunCpu(1)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    const std::vector<size_t> lookups = Find(t, StepId::kReclaimGetFolio, 1);
    ASSERT_GE(lookups.size(), 2u) << Describe(out);
    const PageId folio = t[lookups[0]].page;
    EXPECT_EQ(t[lookups[0]].offset, 1);
    ASSERT_GE(folio, 0);
    // The parent gave the folio slot 2 before the zap's trylock.
    EXPECT_TRUE(InOrder(t, {StepId::kReclaimGetFolio, StepId::kFolioAllocSwap,
                            StepId::kReclaimRetry}))
        << Describe(out);
    EXPECT_EQ(t[lookups[1]].offset, c.second_lookup);
    if (c.spins) {
      EXPECT_EQ(t[lookups[1]].page, folio);
      ASSERT_TRUE(out.finding.has_value());
      EXPECT_EQ(out.finding->Signature(), "liveness:executor:cpu");
      EXPECT_GT(Count(t, StepId::kReclaimRetry, 1), 100);
    } else {
      EXPECT_EQ(t[lookups[1]].page, kNoPage);
      EXPECT_EQ(lookups.size(), 2u);
      EXPECT_FALSE(out.finding.has_value()) << Describe(out);
      EXPECT_EQ(Count(t, StepId::kReclaimRetry, 1), 1);
    }
  }
}

// free_swap_and_cache_nr() of 6.18.35 calls __try_to_reclaim_swap() only if
// "READ_ONCE(si->swap_map[offset]) == SWAP_HAS_CACHE" still holds when it
// gets there; v7.1.5's swap_put_entries_direct() decided under the cluster
// lock. The child's zap leaves the parent's folio cached with count 0; before
// the zap reaches the reclaim, the parent's reclaim unmaps the folio, and the
// slot has a count again.
TEST(MemoryTest, ZapReclaimRereadsTheSlotFirst) {
  struct Case {
    std::string profile;
    bool rereads;
  };
  const Case cases[] = {{"v6.18.y", true}, {"v7.1.y", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    Schedule s;
    s.config.profile = c.profile;
    s.config.nslots = 4;
    s.config.page_cluster = 0;
    s.cpus = {CpuProgram{0, {Write(0, 0xf1), Reclaim(0), Fork(1), Read(0), Reclaim(0)}},
              CpuProgram{1, {Munmap(0)}}};
    s.decisions = {Through(0, StepId::kUserRead), Through(1, StepId::kZapOne),
                   Through(0, StepId::kUnmap), RunCpu(1), RunCpu(0)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(InOrder(t, {StepId::kZapOne, StepId::kUnmap})) << Describe(out);
    const long zap = Last(t, StepId::kZapOne, 1);
    ASSERT_GE(zap, 0);
    if (c.rereads) {
      EXPECT_EQ(Count(t, StepId::kReclaimSkipped, 1), 1) << Describe(out);
      EXPECT_EQ(Count(t, StepId::kReclaimGetFolio, 1), 0);
    } else {
      EXPECT_EQ(Count(t, StepId::kReclaimSkipped, 1), 0) << Describe(out);
      EXPECT_EQ(Count(t, StepId::kReclaimGetFolio, 1), 1);
      EXPECT_EQ(Count(t, StepId::kReclaimTrylock, 1), 1);
    }
  }
}

}  // namespace
}  // namespace swapfuzz
