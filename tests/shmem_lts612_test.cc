// The shmem file on v6.12.y (6.12.94, model/mm/shmem.h): shmem_writepage()
// allocates the slot with folio_alloc_swap(), then under
// shmem_swaplist_mutex adds the folio to the swap cache, counts the slot
// SWAP_MAP_SHMEM and stores the entry; every swap-in, on zram too, looks at
// the entry under xa_lock (shmem_split_large_entry()) and reads it through
// the swap cache, then deletes the folio from the swap cache before
// swap_free_nr(); swapoff's shmem_unuse() takes the mutex; the file has no
// large folios. The count oracle's table is in tests/shmem_lts618_test.cc,
// the shared mapping's in tests/shmem_mmap_test.cc.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/schedule.h"
#include "model/step.h"
#include "model/steps.h"
#include "tests/fuzz_test_util.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Swapoff;
using ::swapfuzz::testing::Through;

Schedule Make(std::vector<CpuProgram> cpus, const std::string& backend = "zram",
              bool zswap = false) {
  return testing::ShmemSchedule("v6.12.y", std::move(cpus), 0, backend, zswap);
}

struct Backend {
  const char* name;
  bool zswap;
};
constexpr Backend kBackends[] = {{"zram", false}, {"zram", true}, {"disk", false}};

// shmem_writepage(): the slot first, with no swap cache; the mutex, the
// inode onto the swaplist; add_to_swap_cache(); swap_shmem_alloc(); the
// entry in place of the folio and the mutex dropped; then the write.
TEST(ShmemLts612Test, WritepageTakesTheSwaplistMutexAcrossTheCacheAndTheCount) {
  for (const Backend& b : kBackends) {
    SCOPED_TRACE(std::string(b.name) + (b.zswap ? " with zswap" : ""));
    const Outcome r =
        Exec(Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1)}}}, b.name, b.zswap));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kPageoutStart, StepId::kShmemWritepageAllocSwap, StepId::kShmemWritepageSwaplist,
         StepId::kShmemWritepageCacheAdd, StepId::kShmemWritepageShmemAlloc,
         StepId::kShmemWritepageDelete, StepId::kWriteTryFree}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kFolioAllocSwapCacheAdd), 0) << "6.18.35's folio_alloc_swap()";
    EXPECT_EQ(r.Count(StepId::kShmemWriteoutShmemAlloc), 0);
    const ShmemEntry e = r.k.shmem.i_pages[1];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kSwap) << r.Dump();
    EXPECT_EQ(swap_count(r.k.si.swap_map[e.swap]), SWAP_MAP_SHMEM);
    EXPECT_TRUE(r.k.shmem.on_swaplist);
    EXPECT_EQ(r.k.shmem.swaplist_mutex_owner, -1);
  }
}

// A swap-in on zram goes through the swap cache too (no skip path), after
// shmem_split_large_entry()'s look at the entry; it deletes the folio from
// the swap cache, then swap_free_nr() frees the slot. (On a disk the write
// is still in flight, and the read finds the folio in the swap cache.)
TEST(ShmemLts612Test, AZramSwapinGoesThroughTheSwapCache) {
  for (const Backend& b : {kBackends[0], kBackends[1]}) {
    SCOPED_TRACE(std::string(b.name) + (b.zswap ? " with zswap" : ""));
    const Outcome r = Exec(Make(
        {CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}}}, b.name, b.zswap));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kShmemSwapinLookup, StepId::kShmemSplitLargeEntryCheck, StepId::kShmemSwapinLock,
         StepId::kShmemSwapinAdd, StepId::kShmemSwapinClearCache, StepId::kShmemSwapinSwapFreeNr,
         StepId::kShmemReadCopy}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemSwapAllocPin), 0) << "6.18.35's skip path";
    EXPECT_EQ(r.Values(StepId::kShmemSwapinClearCache), std::vector<Token>{0});
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
    EXPECT_EQ(r.k.shmem.swapped, 0);
    for (Offset off = 1; off < 4; ++off) EXPECT_FALSE(slot_allocated(r.k, off)) << off;
  }
}

// shmem_swapin_cluster() -> swap_cluster_readahead(): with page_cluster 1 a
// swap-in reads the aligned two-slot window around its entry into the swap
// cache, so the neighbour's swap-in finds its folio there and reads nothing;
// with page_cluster 0 each reads its own.
TEST(ShmemLts612Test, ASwapinReadsItsClusterWindowAhead) {
  for (int page_cluster : {0, 1}) {
    SCOPED_TRACE(page_cluster);
    Schedule s = Make({CpuProgram{0,
                                  {ShmemWrite(0, 0x10), ShmemWrite(1, 0x11), ShmemWrite(2, 0x12),
                                   ShmemReclaim(0), ShmemReclaim(1), ShmemReclaim(2),
                                   ShmemRead(1), ShmemRead(2)}}});
    s.config.page_cluster = page_cluster;
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x11, 0x12}));
    // The window's reads, the entry's own among them; a one-page window
    // reads the entry alone, outside the loop.
    EXPECT_EQ(r.Count(StepId::kReadaheadPut), page_cluster == 1 ? 2 : 0) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramReadLock), 2) << "each slot read once" << r.Dump();
  }
}

// The look under xa_lock before the read: an index that no longer holds the
// entry (a punch erased it after the lookup) is -EEXIST, and the read's
// repeat finds the hole.
TEST(ShmemLts612Test, ASwapinWhoseEntryWasPunchedRepeatsTheLookup) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}},
                     CpuProgram{0, {ShmemPunch(1, 1)}}});
  s.decisions = {Through(0, StepId::kShmemSwapinLookup), RunCpu(1), RunCpu(0)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSplitLargeEntryCheck), std::vector<Token>{0}) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemGetEntry, 0), 3) << "the write's, the read's and its repeat"
                                                     << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0});
  EXPECT_EQ(r.k.shmem.i_pages[1].kind, ShmemEntry::Kind::kNone);
}

// swapoff's shmem_unuse() takes shmem_swaplist_mutex: it waits while
// shmem_writepage() holds it, and then swaps the entry back in.
TEST(ShmemLts612Test, ShmemUnuseWaitsForTheSwaplistMutex) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1)}},
                     CpuProgram{0, {Swapoff()}}});
  s.decisions = {Through(0, StepId::kShmemWritepageSwaplist), RunCpu(1), RunCpu(0), RunCpu(1)};
  Executor ex;
  ProbeDecider d(ex, s.decisions);
  const size_t held = d.SnapshotAfter(StepId::kShmemWritepageSwaplist, 0);
  // The swapoff's segment ends when its CPU blocks: the snapshot before
  // cpu 0 runs again.
  const size_t blocked = d.SnapshotAfter(StepId::kShmemWritepageCacheAdd, 0);
  const ReplayOutput out = MustRunProbed(ex, s, d);
  ASSERT_FALSE(out.finding) << FormatTrace(out.trace);
  ASSERT_TRUE(d.AllFired());
  EXPECT_EQ(d.Snapshot(held)->shmem.swaplist_mutex_owner, 0);
  EXPECT_EQ(d.Snapshot(blocked)->cpus[1].wait.kind, Wait::Kind::kShmemSwaplist);
  EXPECT_TRUE(testing::InOrder(out.trace, {StepId::kShmemWritepageSwaplist,
                                           StepId::kShmemWritepageDelete,
                                           StepId::kShmemUnuseStartMutex, StepId::kShmemUnuseFind,
                                           StepId::kShmemSwapinAdd, StepId::kShmemUnuseEndMutex}))
      << FormatTrace(out.trace);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.shmem.i_pages[1].kind, ShmemEntry::Kind::kFolio);
  EXPECT_FALSE(k.shmem.on_swaplist);
  EXPECT_EQ(k.shmem.swaplist_mutex_owner, -1);
}

// Two swap-ins of one entry: swapoff's finds the slot pinned by the read's
// (SWAP_HAS_CACHE, no folio in the swap cache yet), and
// swap_cluster_readahead()'s __read_swap_cache_async(..., false) waits
// instead of giving up with -ENOMEM, which would fail the swapoff. When it
// looks again it finds the read's folio in the swap cache (and, once
// locked, no longer the entry's), or, if the read has finished, the slot
// freed; either way the index no longer holds the entry, -EEXIST, and
// shmem_unuse() goes on.
TEST(ShmemLts612Test, ASecondSwapinWaitsForTheFirstsFolio) {
  struct Case {
    const char* name;
    uint16_t reader_steps;   // the read's steps before swapoff looks again; 0: all
    StepId swapoff_gives_up;  // swapoff's swap-in's -EEXIST, its value 0
  };
  const Case cases[] = {
      {"the folio in the swap cache", 1, StepId::kShmemSwapinLock},
      {"the slot freed", 0, StepId::kShmemSwapinFailed},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}},
                       CpuProgram{0, {Swapoff()}}});
    s.decisions = {Through(0, StepId::kPrepare), RunCpu(1), RunCpu(0, c.reader_steps), RunCpu(1),
                   RunCpu(0)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_GE(r.Count(StepId::kPrepareBusy, 1), 1) << "swapoff's swap-in met the pin\n"
                                                     << r.Dump();
    EXPECT_EQ(r.Values(c.swapoff_gives_up, 1), std::vector<Token>{0}) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
    EXPECT_EQ(r.k.shmem.i_pages[1].kind, ShmemEntry::Kind::kFolio);
    EXPECT_FALSE(r.k.swap_info[0].active) << "swapoff went through\n" << r.Dump();
  }
}

// 6.12.94's tmpfs has no mTHP: large shmem folios are refused on v6.12.y.
TEST(ShmemLts612Test, LargeShmemFoliosAreRefused) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(0, 0x10)}}});
  s.config.shmem_huge_order = 2;
  Executor ex;
  const absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("PMD-sized"), std::string::npos) << out.status();
}

// Every interleaving of a swap-out, a read, a punch and swapoff, up to two
// preemptions, keeps the file, its entries' counts and the mutex right.
TEST(ShmemLts612Test, DfsOfWritepageSwapinPunchAndSwapoffIsClean) {
  for (bool zswap : {false, true}) {
    SCOPED_TRACE(zswap ? "zswap" : "zram");
    const Schedule s = Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}},
                             CpuProgram{0, {ShmemPunch(1, 1), Swapoff()}}},
                            "zram", zswap);
    const ExploreResult r = ExploreDfs(s, "lts612_shmem", 2);
    EXPECT_TRUE(r.exhausted);
    EXPECT_FALSE(r.found) << r.signature;
    EXPECT_GT(r.executions, 100u);
  }
}

}  // namespace
}  // namespace swapfuzz
