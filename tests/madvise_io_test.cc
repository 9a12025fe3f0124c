// model/mm/madvise.cc and model/mm/mincore.cc: madvise(MADV_PAGEOUT),
// madvise(MADV_WILLNEED) and mincore() of one address, as 7.1.5 has them and
// 6.12.94 and 6.18.35 share (docs/releases.md), each on its own and against a
// fault in the same mm.

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

Op Willneed(uint8_t va = 0) { return Op{OpKind::kMadviseWillneed, va, 0, 0}; }
Op Mincore(uint8_t va = 0) { return Op{OpKind::kMincore, va, 0, 0}; }

constexpr Pte SwapPte(Offset off) { return Pte{Pte::Kind::kSwap, false, kNoPage, off}; }

// The releases whose madvise.c and mincore.c were read.
const std::vector<std::string> kReadReleases = {"v6.12.y", "v6.18.y", "v7.1.y"};

Schedule OneCpu(std::vector<Op> ops, const std::string& profile) {
  Schedule s;
  s.config.profile = profile;
  s.cpus = {CpuProgram{0, std::move(ops)}};
  return s;
}

bool SwapTable(const std::string& profile) { return profile == "v7.1.y"; }

// The trace detail of the `n`-th (0-based) event of `step`, or ~0 when absent.
Token DetailOf(const std::vector<TraceEvent>& t, StepId step, int n = 0, int cpu = -1) {
  const std::vector<size_t> at = Find(t, step, cpu);
  return n < static_cast<int>(at.size()) ? t[at[n]].detail : ~Token{0};
}

// --- madvise(MADV_PAGEOUT) ---

// An exclusive anonymous page: isolated under the PTL, then reclaimed through
// reclaim_pages() -> shrink_folio_list() from its trylock (the reclaim op's
// own isolation step never runs), with mmap_lock held for read throughout.
TEST(MadvisePageoutTest, PagesOutAnExclusivePageInKernelOrder) {
  for (const std::string& profile : kReadReleases) {
    SCOPED_TRACE(profile);
    Executor ex;
    Schedule s = OneCpu({Write(0, 0x51), MadvisePageout(0), Read(0)}, profile);
    ProbeDecider probe(ex, s.decisions);
    const size_t isolated = probe.SnapshotAfter(StepId::kPageoutIsolate);
    const size_t removed = probe.SnapshotAfter(StepId::kRemoveMapping);
    const ReplayOutput out = MustRunProbed(ex, s, probe);
    ASSERT_FALSE(out.finding.has_value()) << Describe(out);
    const std::vector<TraceEvent>& t = out.trace;
    const StepId alloc = SwapTable(profile) ? StepId::kFolioAllocSwap : StepId::kAddToSwap;
    EXPECT_TRUE(InOrder(t, {StepId::kPageoutIsolate, StepId::kTrylock, alloc, StepId::kUnmap,
                            StepId::kPageoutStart, StepId::kZramWrite, StepId::kRelock,
                            StepId::kRemoveMapping}))
        << Describe(out);
    EXPECT_EQ(Count(t, StepId::kIsolate), 0) << "the folio came isolated";
    EXPECT_EQ(Count(t, StepId::kPageoutSkip), 0);

    ASSERT_TRUE(probe.Snapshot(isolated).has_value());
    const Kernel& at_isolate = *probe.Snapshot(isolated);
    const PageId page = 0;
    EXPECT_FALSE(at_isolate.pages[page].lru) << "folio_isolate_lru()";
    EXPECT_EQ(at_isolate.pages[page].refcount, 2) << "the mapping's and the isolation's";
    EXPECT_EQ(at_isolate.mms[0].mmap_readers, 1) << "mmap_read_lock held across reclaim_pages()";

    ASSERT_TRUE(probe.Snapshot(removed).has_value());
    const Kernel& at_remove = *probe.Snapshot(removed);
    EXPECT_EQ(at_remove.mms[0].pte[0], SwapPte(1));
    EXPECT_TRUE(at_remove.pages[page].freed);
    EXPECT_EQ(at_remove.mms[0].mmap_readers, 1) << "still inside the walk";

    // The read faults the data back in from zram.
    const long fault = First(t, StepId::kFault, 0, First(t, StepId::kRemoveMapping));
    ASSERT_GE(fault, 0);
    EXPECT_EQ(t[fault].offset, 1);
    EXPECT_EQ(DetailOf(t, StepId::kUserRead), 0x51u);
    EXPECT_EQ(ex.kernel().mms[0].mmap_readers, 0);
  }
}

// What madvise_cold_or_pageout_pte_range() leaves alone: an empty PTE, the
// zero page (vm_normal_folio() has no folio), a swap PTE, and a folio mapped
// twice (after fork). Each is one step that takes and drops both locks.
TEST(MadvisePageoutTest, SkipsWhatIsNotAnExclusiveLruFolio) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    Pte::Kind kind;  // the PTE pageout found
  };
  const std::vector<Case> cases = {
      {"an empty pte", {MadvisePageout(0)}, Pte::Kind::kNone},
      {"the zero page", {Read(0), MadvisePageout(0)}, Pte::Kind::kPresent},
      {"a swap pte", {Write(0, 0x52), Reclaim(0), MadvisePageout(0)}, Pte::Kind::kSwap},
      {"a folio fork shares", {Write(0, 0x53), Fork(1), MadvisePageout(0)}, Pte::Kind::kPresent},
  };
  for (const std::string& profile : kReadReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const Outcome r = Exec(OneCpu(c.ops, profile));
      ASSERT_TRUE(r.Signature().empty()) << r.Dump();
      const long skip = r.First(StepId::kPageoutSkip);
      ASSERT_GE(skip, 0) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kPageoutIsolate), 0);
      EXPECT_EQ(Count(r.out.trace, StepId::kTrylock, -1, skip), 0)
          << "nothing reaches shrink_folio_list()";
      EXPECT_EQ(r.k.mms[0].pte[0].kind, c.kind) << "the PTE is left as it was";
      EXPECT_EQ(r.k.mms[0].mmap_readers, 0);
      if (c.kind == Pte::Kind::kSwap) EXPECT_EQ(r.out.trace[skip].offset, 1);
    }
  }
}

// A write fault copying a page that is not exclusive (the swap entry it came
// from is shared with a child) holds a reference to it; madvise_pageout on a
// second CPU of the same mm isolates it under the PTL all the same (it is on
// the LRU and mapped once), unmaps it to its swap entry, and keeps it:
// __remove_mapping() finds the fault's reference. The fault's pte_same() then
// fails, and its retry finds the folio in the swap cache.
TEST(MadvisePageoutTest, IsolatesAFolioAWriteFaultIsCopying) {
  for (const std::string& profile : kReadReleases) {
    SCOPED_TRACE(profile);
    Executor ex;
    Schedule s;
    s.config.profile = profile;
    s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Fork(1), Read(0), Write(0, 0x62)}},
              CpuProgram{0, {MadvisePageout(0)}}};
    s.decisions = {Through(0, StepId::kWpCopyStart), RunCpu(1), RunCpu(0)};
    ProbeDecider probe(ex, s.decisions);
    const size_t isolated = probe.SnapshotAfter(StepId::kPageoutIsolate, 1);
    const ReplayOutput out = MustRunProbed(ex, s, probe);
    ASSERT_FALSE(out.finding.has_value()) << Describe(out);
    const std::vector<TraceEvent>& t = out.trace;

    const long copy = First(t, StepId::kWpCopyStart, 0);
    const long isolate = First(t, StepId::kPageoutIsolate, 1);
    ASSERT_GE(copy, 0) << Describe(out);
    ASSERT_GT(isolate, copy) << Describe(out);
    const PageId folio = t[copy].page;
    EXPECT_EQ(t[isolate].page, folio);
    ASSERT_TRUE(probe.Snapshot(isolated).has_value());
    const Kernel& at = *probe.Snapshot(isolated);
    // The mapping's, the swap cache's, the copying fault's and the isolation's.
    EXPECT_EQ(at.pages[folio].refcount, 4);
    EXPECT_EQ(at.mms[0].mmap_readers, 2) << "the fault and madvise both hold it for read";

    // Unmapped, then kept: the fault's reference fails the refcount freeze.
    EXPECT_TRUE(InOrder(t, {StepId::kPageoutIsolate, StepId::kTrylock, StepId::kUnmap,
                            StepId::kRemoveMapping},
                        1))
        << Describe(out);
    EXPECT_EQ(Count(t, StepId::kWpCopyAbort, 0), 1) << "pte_same() fails after the unmap";
    const StepId lookup = SwapTable(profile) ? StepId::kCacheGetFolio : StepId::kLookupSwapCache;
    const long hit = First(t, lookup, 0, isolate);
    ASSERT_GE(hit, 0) << Describe(out);
    EXPECT_EQ(t[hit].page, folio) << "the retried fault finds the kept folio in the swap cache";

    const Kernel& k = ex.kernel();
    EXPECT_FALSE(k.pages[folio].freed);
    EXPECT_EQ(k.mms[0].logical[0], 0x62u);
    EXPECT_EQ(k.mms[1].pte[0].kind, Pte::Kind::kSwap) << "the child keeps its entry";
  }
}

// --- madvise(MADV_WILLNEED) ---

// A swapped-out address: the PTE read under the PTL, the PTL dropped, then
// read_swap_cache_async() allocates, adds and reads a folio that stays in the
// swap cache, unmapped, with only the cache's reference. A later fault finds
// it there and reads nothing.
TEST(MadviseWillneedTest, ReadsASwapEntryIntoTheSwapCacheInKernelOrder) {
  for (const std::string& profile : kReadReleases) {
    SCOPED_TRACE(profile);
    Executor ex;
    Schedule s = OneCpu({Write(0, 0x71), Reclaim(0), Willneed(0), Read(0)}, profile);
    ProbeDecider probe(ex, s.decisions);
    const size_t after = probe.SnapshotAfter(StepId::kWillneedPut);
    const ReplayOutput out = MustRunProbed(ex, s, probe);
    ASSERT_FALSE(out.finding.has_value()) << Describe(out);
    const std::vector<TraceEvent>& t = out.trace;
    const bool table = SwapTable(profile);
    if (table) {
      EXPECT_TRUE(InOrder(t, {StepId::kWillneedSwapPte, StepId::kCacheGetFolio,
                              StepId::kCacheAddFolio, StepId::kZramReadLock,
                              StepId::kWillneedPut}))
          << Describe(out);
    } else {
      EXPECT_TRUE(InOrder(t, {StepId::kWillneedSwapPte, StepId::kFindGetPage, StepId::kPrepare,
                              StepId::kAddToSwapCache, StepId::kZramReadLock,
                              StepId::kWillneedPut}))
          << Describe(out);
    }
    const long put = First(t, StepId::kWillneedPut);
    ASSERT_GE(put, 0);
    EXPECT_EQ(t[put].offset, 1);
    EXPECT_EQ(t[put].detail, 1u) << "the folio was allocated here";
    const PageId folio = t[put].page;
    ASSERT_GE(folio, 0);

    ASSERT_TRUE(probe.Snapshot(after).has_value());
    const Kernel& at = *probe.Snapshot(after);
    EXPECT_EQ(at.mms[0].pte[0], SwapPte(1)) << "not mapped";
    EXPECT_EQ(at.swap_cache[1], folio);
    const Page& p = at.pages[folio];
    EXPECT_TRUE(p.uptodate);
    EXPECT_FALSE(p.locked);
    EXPECT_EQ(p.data, 0x71u);
    EXPECT_EQ(p.refcount, 1) << "only the swap cache's";
    EXPECT_EQ(p.mapcount, 0);
    EXPECT_EQ(at.mms[0].mmap_readers, 0);
    EXPECT_EQ(at.swap_info[0].users, 0) << "put_swap_device()";

    // The fault: a swap cache hit on that folio, no read of its own.
    const StepId lookup = table ? StepId::kCacheGetFolio : StepId::kLookupSwapCache;
    const long hit = First(t, lookup, 0, put);
    ASSERT_GE(hit, 0) << Describe(out);
    EXPECT_EQ(t[hit].page, folio);
    EXPECT_EQ(Count(t, StepId::kZramReadLock, 0, put), 0) << Describe(out);
    EXPECT_EQ(DetailOf(t, StepId::kUserRead), 0x71u);
  }
}

TEST(MadviseWillneedTest, LeavesAnythingButASwapEntryAlone) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
  };
  const std::vector<Case> cases = {
      {"an empty pte", {Willneed(0)}},
      {"a present page", {Write(0, 0x72), Willneed(0)}},
  };
  for (const std::string& profile : kReadReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const Outcome r = Exec(OneCpu(c.ops, profile));
      ASSERT_TRUE(r.Signature().empty()) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kWillneedSkip), 1) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kWillneedSwapPte), 0);
      EXPECT_EQ(r.Count(StepId::kWillneedPut), 0);
      EXPECT_EQ(r.k.mms[0].mmap_readers, 0);
    }
  }
}

// madvise_willneed on one CPU has added the folio to the swap cache, locked,
// and not read it yet; a fault on a second CPU of the same mm looks the entry
// up, finds that folio, and sleeps on its lock until the read is over. It
// maps the folio willneed read, and reads nothing itself.
TEST(MadviseWillneedTest, AFaultFindsTheFolioWillneedIsReading) {
  for (const std::string& profile : kReadReleases) {
    SCOPED_TRACE(profile);
    const bool table = SwapTable(profile);
    // Reclaim adds its folio with add_to_swap_cache() too up to 6.18.35;
    // 7.1.5's folio_alloc_swap() has a step of its own.
    const StepId added = table ? StepId::kCacheAddFolio : StepId::kAddToSwapCache;
    const uint16_t occurrence = table ? 1 : 2;
    Schedule s;
    s.config.profile = profile;
    s.cpus = {CpuProgram{0, {Write(0, 0x81), Reclaim(0), Willneed(0)}},
              CpuProgram{0, {Read(0)}}};
    s.decisions = {Segment{0, occurrence, added}, RunCpu(1), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_TRUE(r.Signature().empty()) << r.Dump();
    const std::vector<TraceEvent>& t = r.out.trace;

    const long add = Find(t, added, 0).at(occurrence - 1);
    ASSERT_GE(add, 0) << r.Dump();
    const PageId folio = t[add].page;
    const StepId lookup = table ? StepId::kCacheGetFolio : StepId::kLookupSwapCache;
    const long hit = First(t, lookup, 1);
    ASSERT_GT(hit, add) << r.Dump();
    EXPECT_EQ(t[hit].page, folio) << "the fault finds willneed's folio, locked";
    // The fault's lock_page() waits for the read's unlock.
    const long read_done = Last(t, StepId::kZramReadLock, 0);
    const long locked = First(t, StepId::kLockPage, 1);
    ASSERT_GE(read_done, 0) << r.Dump();
    EXPECT_GT(locked, read_done) << r.Dump();
    EXPECT_EQ(Count(t, StepId::kZramReadLock, 1), 0) << "the fault read nothing";
    EXPECT_EQ(Count(t, StepId::kSkipCheck, 1), 0) << "no skip-swapcache decision: a cache hit";
    EXPECT_EQ(r.k.mms[0].pte[0].page, folio);
    EXPECT_EQ(DetailOf(t, StepId::kUserRead, 0, 1), 0x81u);
    EXPECT_EQ(DetailOf(t, StepId::kWillneedPut), 1u);
  }
}

// --- mincore() ---

TEST(MincoreTest, ReportsWhatThePteAndTheSwapCacheSay) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    StepId step;
    Token present;
  };
  const std::vector<Case> cases = {
      {"an empty pte", {Mincore(0)}, StepId::kMincorePte, 0},
      {"the zero page", {Read(0), Mincore(0)}, StepId::kMincorePte, 1},
      {"a present page", {Write(0, 0x91), Mincore(0)}, StepId::kMincorePte, 1},
      {"a swap entry not in the swap cache",
       {Write(0, 0x92), Reclaim(0), Mincore(0)},
       StepId::kMincoreSwap,
       0},
      {"a swap entry willneed read into the swap cache",
       {Write(0, 0x93), Reclaim(0), Willneed(0), Mincore(0)},
       StepId::kMincoreSwap,
       1},
  };
  for (const std::string& profile : kReadReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const Outcome r = Exec(OneCpu(c.ops, profile));
      ASSERT_TRUE(r.Signature().empty()) << r.Dump();
      const std::vector<TraceEvent>& t = r.out.trace;
      ASSERT_EQ(Count(t, StepId::kMincorePte) + Count(t, StepId::kMincoreSwap), 1) << r.Dump();
      const long at = First(t, c.step);
      ASSERT_GE(at, 0) << r.Dump();
      EXPECT_EQ(t[at].detail, c.present);
      const Kernel& k = r.k;
      EXPECT_EQ(k.mms[0].mmap_readers, 0);
      if (c.step == StepId::kMincoreSwap) {
        EXPECT_EQ(t[at].offset, 1);
        EXPECT_EQ(t[at].page, k.swap_cache[1]);
        if (k.swap_cache[1] != kNoPage) {
          EXPECT_EQ(k.pages[k.swap_cache[1]].refcount, 1) << "the lookup's reference is put";
        }
      }
    }
  }
}

// A fault on a second CPU of the same mm has the entry's folio in the swap
// cache and its read in flight (a disk bio): mincore sees the swap PTE and the
// folio, not uptodate, and says 0. Once the bio completes it says 1, though
// the fault has not mapped the folio yet; once mapped, 1 from the PTE.
TEST(MincoreTest, SeesTheFolioAFaultIsReading) {
  for (const std::string& profile : kReadReleases) {
    SCOPED_TRACE(profile);
    Schedule s;
    s.config.profile = profile;
    s.config.backend = "disk";
    s.config.page_cluster = 0;
    // The second reclaim removes the written page from the swap cache (the
    // first leaves it under writeback), so the fault reads the disk.
    s.cpus = {CpuProgram{0, {Write(0, 0xa1), Reclaim(0), Reclaim(0), Mincore(0), Mincore(0),
                             Mincore(0)}},
              CpuProgram{0, {Read(0)}}};
    s.decisions = {Through(0, StepId::kRelock),       RunCpu(kIrqCpu, 1),
                   Through(0, StepId::kRemoveMapping), Through(1, StepId::kBioSubmitRead),
                   RunCpu(0, 1),                      RunCpu(kIrqCpu, 1),
                   RunCpu(0, 1),                      RunCpu(1),
                   RunCpu(0)};
    const Outcome r = Exec(s);
    ASSERT_TRUE(r.Signature().empty()) << r.Dump();
    const std::vector<TraceEvent>& t = r.out.trace;
    const long submit = First(t, StepId::kBioSubmitRead, 1);
    ASSERT_GE(submit, 0) << r.Dump();
    const PageId folio = t[submit].page;

    const std::vector<size_t> swap = Find(t, StepId::kMincoreSwap, 0);
    ASSERT_EQ(swap.size(), 2u) << r.Dump();
    EXPECT_GT(static_cast<long>(swap[0]), submit);
    EXPECT_EQ(t[swap[0]].page, folio) << "the folio the fault added";
    EXPECT_EQ(t[swap[0]].detail, 0u) << "its read is in flight";
    EXPECT_GT(swap[1], static_cast<size_t>(First(t, StepId::kBioEndRead)));
    EXPECT_EQ(t[swap[1]].page, folio);
    EXPECT_EQ(t[swap[1]].detail, 1u) << "read, not yet mapped";
    EXPECT_LT(swap[1], static_cast<size_t>(First(t, StepId::kLockPage, 1)))
        << "the fault took its folio lock after";
    const long mapped = First(t, StepId::kMincorePte, 0);
    ASSERT_GE(mapped, 0) << r.Dump();
    EXPECT_EQ(t[mapped].page, folio);
    EXPECT_EQ(t[mapped].detail, 1u);
    EXPECT_EQ(r.k.mms[0].pte[0].page, folio);
  }
}

}  // namespace
}  // namespace swapfuzz
