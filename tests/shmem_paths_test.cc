// The shmem file's paths (model/mm/shmem.h) as 7.1.5 has them: a write
// allocates a folio into the page cache, reclaim moves it to the swap cache
// and out through shmem_writeout(), a read or write swaps it back in through
// shmem_swapin_folio(), and a punched hole frees folios and swap entries in
// shmem_undo_range()'s two loops; their races with each other; the oracle on
// the file's indices and on the slots its entries own; and the releases and
// ops the model refuses.

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
using ::swapfuzz::testing::ShmemMapRead;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Through;

Schedule Make(std::vector<CpuProgram> cpus, const std::string& backend = "zram",
              bool zswap = false) {
  return testing::ShmemSchedule("v7.1.y", std::move(cpus), 0, backend, zswap);
}

TEST(ShmemPathsTest, AWriteAddsAFolioThatAReadCopies) {
  const Outcome r = Exec(Make({CpuProgram{0, {ShmemWrite(2, 0x10), ShmemRead(2)}}}));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_TRUE(testing::InOrder(
      r.out.trace,
      {StepId::kShmemWriteLock, StepId::kShmemGetEntry, StepId::kShmemAllocAdd,
       StepId::kShmemWriteCopy, StepId::kShmemWriteUnlock, StepId::kShmemGetEntry,
       StepId::kShmemFolioLock, StepId::kShmemReadUnlock, StepId::kShmemReadCopy}))
      << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
  const ShmemInode& inode = r.k.shmem;
  ASSERT_EQ(inode.i_pages[2].kind, ShmemEntry::Kind::kFolio);
  EXPECT_EQ(r.k.pages[inode.i_pages[2].folio].shmem_index, 2);
  EXPECT_EQ(inode.nrpages, 1);
  EXPECT_EQ(inode.alloced, 1);
  EXPECT_EQ(inode.i_pages[0].kind, ShmemEntry::Kind::kNone);
}

// Reclaim hands the folio to shmem_writeout(), which takes a slot and the swap
// cache in folio_alloc_swap(), counts the mapping's entry (folio_dup_swap())
// before it stores the entry in place of the folio, then writes; a read
// brings it back through the swap cache, and the slot goes with
// swap_cache_del_folio(). On zram, zswap or a disk alike.
TEST(ShmemPathsTest, ReclaimSwapsTheFolioOutAndAReadSwapsItBackIn) {
  struct Case {
    const char* backend;
    bool zswap;
  };
  for (const Case& c : {Case{"zram", false}, Case{"zram", true}, Case{"disk", false}}) {
    SCOPED_TRACE(std::string(c.backend) + (c.zswap ? " with zswap" : ""));
    const Outcome out = Exec(
        Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1)}}}, c.backend, c.zswap));
    ASSERT_FALSE(out.out.finding) << out.Dump();
    EXPECT_TRUE(testing::InOrder(
        out.out.trace,
        {StepId::kPageoutStart, StepId::kFolioAllocSwap, StepId::kShmemWriteoutDupSwap,
         StepId::kShmemWriteoutDelete, StepId::kWriteTryFree}))
        << out.Dump();
    const ShmemEntry e = out.k.shmem.i_pages[1];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kSwap) << out.Dump();
    EXPECT_EQ(swap_count(out.k.si.swap_map[e.swap]), 1);  // the mapping's entry, as a PTE
    EXPECT_EQ(out.k.shmem.swapped, 1);
    EXPECT_EQ(out.k.shmem.nrpages, 0);
    EXPECT_TRUE(out.k.shmem.on_swaplist);

    const Outcome back = Exec(Make(
        {CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}}}, c.backend, c.zswap));
    ASSERT_FALSE(back.out.finding) << back.Dump();
    EXPECT_TRUE(testing::InOrder(
        back.out.trace,
        {StepId::kShmemGetEntry, StepId::kShmemSwapinLookup, StepId::kShmemSwapinLock,
         StepId::kShmemSwapinAdd, StepId::kShmemSwapinPutSwap, StepId::kShmemSwapinDelCache,
         StepId::kShmemReadUnlock, StepId::kShmemReadCopy}))
        << back.Dump();
    EXPECT_EQ(back.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
    EXPECT_EQ(back.k.shmem.i_pages[1].kind, ShmemEntry::Kind::kFolio);
    EXPECT_FALSE(slot_allocated(back.k, e.swap)) << "the slot goes with the swap cache";
    EXPECT_EQ(back.k.shmem.swapped, 0);
  }
}

// A punched hole: find_lock_entries() truncates the folios it locks and
// shmem_free_swap() erases the swap entries and puts their slots; then
// find_get_entries() finds nothing and the loop ends.
TEST(ShmemPathsTest, APunchFreesFoliosAndSwapEntries) {
  const Outcome r = Exec(Make({CpuProgram{
      0, {ShmemWrite(0, 0x10), ShmemWrite(1, 0x11), ShmemWrite(2, 0x12), ShmemWrite(3, 0x13),
          ShmemReclaim(1), ShmemPunch(0, 2), ShmemRead(1), ShmemRead(3)}}}));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_TRUE(testing::InOrder(
      r.out.trace,
      {StepId::kShmemFallocLock, StepId::kShmemUndoFindLock, StepId::kShmemUndoTruncate,
       StepId::kShmemUndoFindLock, StepId::kShmemFreeSwapStore, StepId::kShmemFreeSwapPut,
       StepId::kShmemUndoFindLock, StepId::kShmemUndoTruncate, StepId::kShmemUndoFindLock,
       StepId::kShmemUndoFindGet, StepId::kShmemFallocUnlock}))
      << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemUndoTruncate), 2);
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0, 0x13}));
  for (int index : {0, 1, 2}) {
    EXPECT_EQ(r.k.shmem.i_pages[index].kind, ShmemEntry::Kind::kNone) << index;
  }
  EXPECT_EQ(r.k.shmem.nrpages, 1);
  EXPECT_EQ(r.k.shmem.swapped, 0);
  EXPECT_EQ(r.k.swap_info[0].inuse_pages, 0);
}

// Races of a task that found an entry with a task that changes it meanwhile,
// each resolved as the kernel resolves it: the folio lock's recheck, the
// swap-in's shmem_confirm_swap() under the folio lock and
// shmem_add_to_page_cache()'s check under xa_lock, and the inode lock.
// cpu 2 sets the file up (index 0 written, and swapped out if asked); cpu 0
// reads or writes index 0; cpu 1 punches or reclaims it.
TEST(ShmemPathsTest, RacesOnOneIndexResolveAsTheKernelDoes) {
  struct Case {
    const char* name;
    bool swapped_out;
    std::vector<Op> cpu0;
    std::vector<Op> cpu1;
    std::vector<Segment> decisions;  // after cpu 2's set-up
    StepId repeated;                 // a step cpu 0 takes twice
    Token read;                      // what cpu 0's read copies
  };
  const Case cases[] = {
      // filemap_get_entry() found the folio; the punch truncates it;
      // folio_lock() sees it is no longer the mapping's, and the lookup
      // repeats: a hole.
      {"a read after the punch's truncate", false, {ShmemRead(0)}, {ShmemPunch(0, 0)},
       {Through(0, StepId::kShmemGetEntry), RunCpu(1)}, StepId::kShmemGetEntry, 0},
      // Reclaim passed is_page_cache_freeable() before the read's lookup took
      // its reference; folio_lock() waits for shmem_writeout(), sees the
      // folio left for the swap cache, and the repeat swaps it back in.
      {"a read after shmem_writeout", false, {ShmemRead(0)}, {ShmemReclaim(0)},
       {Through(1, StepId::kPageoutStart), Through(0, StepId::kShmemGetEntry), RunCpu(1)},
       StepId::kShmemGetEntry, 0x10},
      // shmem_swapin_folio() holds the new swap-cache folio locked; the punch
      // erases the entry and puts the slot (__try_to_reclaim_swap() cannot
      // lock the folio); shmem_add_to_page_cache() finds the entry gone:
      // -EEXIST, and the repeat finds a hole.
      {"a swap-in after shmem_free_swap", true, {ShmemRead(0)}, {ShmemPunch(0, 0)},
       {Through(0, StepId::kShmemSwapinLock), RunCpu(1)}, StepId::kShmemGetEntry, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Op> setup = {ShmemWrite(0, 0x10)};
    if (c.swapped_out) setup.push_back(ShmemReclaim(0));
    Schedule s = Make({CpuProgram{0, c.cpu0}, CpuProgram{0, c.cpu1}, CpuProgram{0, setup}});
    s.decisions = {RunCpu(2)};
    s.decisions.insert(s.decisions.end(), c.decisions.begin(), c.decisions.end());
    s.decisions.push_back(RunCpu(0));
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(c.repeated, 0), 2) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{c.read}) << r.Dump();
  }
}

// A folio the first loop cannot trylock (a read holds it) waits for the
// reader's folio_unlock() later in the punch: inside the hole, in the second
// loop (find_get_entries(), folio_lock(), then truncate_inode_folio() under
// xa_lock in a step of its own); at the hole's first page, in the first
// partial-folio lookup, whose truncate_inode_partial_folio() truncates it.
TEST(ShmemPathsTest, APunchWaitsForAFolioTheFirstLoopCouldNotLock) {
  struct Case {
    const char* name;
    uint8_t index, last;         // the folio's index; the hole is 0 .. last
    std::vector<StepId> order;   // the punch's steps, in order
    StepId truncation;           // the step that waits for the reader
  };
  const Case cases[] = {
      {"inside the hole", 1, 2,
       {StepId::kShmemUndoFindLock, StepId::kShmemUndoFindLock, StepId::kShmemGetEntry,
        StepId::kShmemGetEntry, StepId::kShmemUndoFindGet, StepId::kShmemUndoFolioLock,
        StepId::kShmemUndoTruncate, StepId::kShmemUndoFindGet},
       StepId::kShmemUndoFolioLock},
      {"at the hole's first page", 0, 0,
       {StepId::kShmemUndoFindLock, StepId::kShmemUndoFindLock, StepId::kShmemGetEntry,
        StepId::kShmemFolioLock, StepId::kShmemPartialTruncate, StepId::kShmemUndoFindGet},
       StepId::kShmemPartialTruncate},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, {ShmemRead(c.index)}}, CpuProgram{0, {ShmemPunch(0, c.last)}},
                       CpuProgram{0, {ShmemWrite(c.index, 0x10)}}});
    s.decisions = {RunCpu(2), Through(0, StepId::kShmemFolioLock), RunCpu(1), RunCpu(0),
                   RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace, c.order, 1)) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemUndoFolioLock, 1) + r.Count(StepId::kShmemPartialTruncate, 1),
              1)
        << r.Dump();
    EXPECT_LT(r.First(StepId::kShmemReadUnlock, 0), r.First(c.truncation, 1)) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
    EXPECT_EQ(r.k.shmem.i_pages[c.index].kind, ShmemEntry::Kind::kNone);
  }
}

// A write holds the inode lock across its swap-in: a punch waits for it.
TEST(ShmemPathsTest, APunchWaitsForAWritesInodeLock) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(0, 0x20)}}, CpuProgram{0, {ShmemPunch(0, 0)}},
                     CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}}});
  s.decisions = {RunCpu(2), Through(0, StepId::kShmemSwapinLock), RunCpu(1), RunCpu(0)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  ASSERT_GE(r.First(StepId::kShmemFallocLock, 1), 0) << r.Dump();
  EXPECT_LT(r.First(StepId::kShmemWriteUnlock, 0), r.First(StepId::kShmemFallocLock, 1))
      << r.Dump();
  EXPECT_EQ(r.k.shmem.i_pages[0].kind, ShmemEntry::Kind::kNone);
  EXPECT_EQ(r.k.shmem.logical[0], 0u);
}

// A read holds its folio after folio_unlock(): a punch may truncate it before
// the copy, which then reads what the index held when the read started. A
// value the index never held while the read ran is reported.
TEST(ShmemPathsTest, AReadCopiesOnlyAValueItsIndexHeldWhileItRan) {
  struct Case {
    const char* name;
    bool corrupt;  // the truncated folio's data changes before the copy
  };
  for (const Case& c : {Case{"the old value", false}, Case{"a value never held", true}}) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, {ShmemRead(0)}}, CpuProgram{0, {ShmemPunch(0, 0)}},
                       CpuProgram{0, {ShmemWrite(0, 0x10)}}});
    s.decisions = {RunCpu(2), Through(0, StepId::kShmemReadUnlock), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider decider(ex, s.decisions);
    PageId truncated = kNoPage;
    decider.After(StepId::kShmemUndoTruncate, 1, [&](Kernel& k) {
      truncated = k.pages[0].freed ? kNoPage : 0;
      if (c.corrupt) k.pages[0].data = 0x99;
    });
    const ReplayOutput out = MustRunProbed(ex, s, decider);
    ASSERT_TRUE(decider.AllFired()) << testing::Describe(out);
    ASSERT_EQ(truncated, 0) << "the reader's reference keeps the folio";
    if (!c.corrupt) {
      EXPECT_FALSE(out.finding) << testing::Describe(out);
      const long copy = testing::Last(out.trace, StepId::kShmemReadCopy, 0);
      ASSERT_GE(copy, 0);
      EXPECT_EQ(out.trace[copy].detail, 0x10u);
      continue;
    }
    ASSERT_TRUE(out.finding) << testing::Describe(out);
    EXPECT_EQ(out.finding->Signature(), "data-integrity:shmem_file_read_iter:shmem-file");
  }
}

// With one device full and a slot only the swap cache holds, shmem_writeout()'s
// folio_alloc_swap() reclaims that slot first, as anonymous reclaim does. The
// cache-only slot is made by a punch that puts the slot while a swap-in holds
// its folio locked (__try_to_reclaim_swap() cannot take it).
TEST(ShmemPathsTest, WriteoutReclaimsASlotOnlyTheSwapCacheHolds) {
  Schedule s = Make({CpuProgram{0, {ShmemRead(0)}}, CpuProgram{0, {ShmemPunch(0, 0)}},
                     CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}},
                     CpuProgram{0, {ShmemWrite(1, 0x11), ShmemReclaim(1), ShmemWrite(2, 0x12),
                                    ShmemReclaim(2), ShmemRead(1), ShmemRead(2)}}});
  s.config.nslots = 3;  // two usable slots
  s.decisions = {RunCpu(2), Through(0, StepId::kShmemSwapinLock), RunCpu(1), RunCpu(0),
                 RunCpu(3)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  const long reclaim = r.First(StepId::kClusterReclaimRange, 3);
  ASSERT_GE(reclaim, 0) << r.Dump();
  EXPECT_EQ(r.out.trace[reclaim].offset, 1) << r.Dump();
  EXPECT_TRUE(testing::InOrder(r.out.trace,
                               {StepId::kClusterReclaimRange, StepId::kReclaimGetFolio,
                                StepId::kFolioAllocSwap, StepId::kShmemWriteoutDupSwap},
                               3))
      << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0, 0x11, 0x12}));
}

// swap_writeout() activates a folio zswap refused when its memcg has
// memory.zswap.writeback 0: shmem_writeout() puts it back in the page cache,
// puts the mapping's count and drops it from the swap cache, and reclaim
// keeps it. No accepted schedule reaches this (shmem folios are not charged,
// and config.memcg is refused beside shmem ops), so the test charges the
// folio itself.
TEST(ShmemPathsTest, AnActivatedWriteGoesBackIntoThePageCache) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(0, 0x11), ShmemReclaim(0), ShmemRead(0)}}},
                    "zram", /*zswap=*/true);
  s.config.memcg = true;
  s.config.memcg_zswap_writeback = false;
  Executor ex;
  ProbeDecider decider(ex, s.decisions);
  decider.After(StepId::kShmemAllocAdd, 0, [](Kernel& k) {
    const PageId folio = k.shmem.i_pages[0].folio;
    k.pages[folio].memcg = 1;  // mem_cgroup_charge() to memcg 1
    ++k.memcgs[1].memory;
  });
  const ReplayOutput out = MustRunProbed(ex, s, decider);
  ASSERT_TRUE(decider.AllFired());
  ASSERT_FALSE(out.finding) << testing::Describe(out);
  EXPECT_TRUE(testing::InOrder(
      out.trace,
      {StepId::kShmemWriteoutDelete, StepId::kZswapStoreCompressFail, StepId::kWriteActivate,
       StepId::kShmemWriteoutReAdd, StepId::kShmemWriteoutPutSwap,
       StepId::kShmemWriteoutDelCache, StepId::kShmemFolioLock}))
      << testing::Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.shmem.i_pages[0].kind, ShmemEntry::Kind::kFolio);
  EXPECT_EQ(k.shmem.swapped, 0);
  EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
  const long copy = testing::Last(out.trace, StepId::kShmemReadCopy, 0);
  ASSERT_GE(copy, 0);
  EXPECT_EQ(out.trace[copy].detail, 0x11u);
}

// The oracle on the file, against machines broken on purpose: a folio whose
// data is not the file's, a swap entry whose slot was freed under it, an
// index whose data swap lost, and at quiescence a counter that is off.
TEST(ShmemPathsTest, TheFileOracleCatchesBrokenStates) {
  struct Case {
    const char* name;
    StepId after;  // break the machine right after this step of cpu 0
    void (*corrupt)(Kernel&);
    const char* signature_suffix;
  };
  const Case cases[] = {
      {"folio data", StepId::kShmemWriteCopy,
       [](Kernel& k) { k.pages[k.shmem.i_pages[0].folio].data = 0x99; },
       "data-integrity:"},
      {"slot freed under the entry", StepId::kShmemWriteoutDelete,
       [](Kernel& k) { k.si.swap_map[k.shmem.i_pages[0].swap] = 0; }, "swap-count:"},
      {"swapped data lost", StepId::kRemoveMapping,
       [](Kernel& k) { k.zram.table[k.shmem.i_pages[0].swap].data = 0x77; }, "data-integrity:"},
      {"nrpages off", StepId::kShmemWriteUnlock, [](Kernel& k) { k.shmem.nrpages = 5; },
       "accounting:quiescence:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}}});
    if (std::string(c.signature_suffix) == "accounting:quiescence:") {
      s.cpus[0].ops = {ShmemWrite(0, 0x10)};
    }
    Executor ex;
    ProbeDecider decider(ex, s.decisions);
    decider.After(c.after, 0, c.corrupt);
    const ReplayOutput out = MustRunProbed(ex, s, decider);
    ASSERT_TRUE(decider.AllFired());
    ASSERT_TRUE(out.finding) << testing::Describe(out);
    EXPECT_EQ(out.finding->Signature().rfind(c.signature_suffix, 0), 0u)
        << out.finding->Signature();
    EXPECT_NE(out.finding->Signature().find("shmem-file"), std::string::npos)
        << out.finding->Signature();
  }
}

// Every interleaving within three preemptions (two beside swapoff) of small
// programs on one index ends without a finding: a write and swap-out against
// a read, a write and a punch; swapoff's shmem_unuse() against a read, a
// punch and a write; and on zswap, a swap-out against zswap's shrinker
// writing the slot back, a read, and an anonymous write and reclaim sharing
// the device.
TEST(ShmemPathsTest, DfsFindsNothingOnOneIndex) {
  struct Case {
    const char* name;
    bool zswap;
    std::vector<CpuProgram> cpus;
    int bound = 3;
  };
  const Case cases[] = {
      {"read, write and punch", false,
       {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}},
        CpuProgram{0, {ShmemRead(0), ShmemWrite(0, 0x20)}},
        CpuProgram{0, {ShmemPunch(0, 0)}}}},
      {"swapoff against a read, a punch and a write", false,
       {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0), Op{OpKind::kSwapoff, 0, 0, 0}}},
        CpuProgram{0, {ShmemRead(0), ShmemPunch(0, 0)}},
        CpuProgram{0, {ShmemWrite(0, 0x20)}}},
       2},
      {"zswap writeback and anonymous reclaim", true,
       {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0), ShmemRead(0)}},
        CpuProgram{0, {Op{OpKind::kZswapShrink, 0, 0, 0}, ShmemRead(0)}},
        CpuProgram{0, {Op{OpKind::kWrite, 0, 0, 0x30}, Op{OpKind::kReclaim, 0, 0, 0}}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make(c.cpus, "zram", c.zswap);
    const ExploreResult r = ExploreDfs(s, "mainline_shmem", c.bound);
    EXPECT_FALSE(r.found) << r.signature;
    EXPECT_TRUE(r.exhausted);
    EXPECT_GT(r.executions, 100u);
  }
}

// Swapoff's try_to_unuse() starts each pass with shmem_unuse(): the file's
// swap entries of the type come back into its page cache through
// shmem_swapin_folio(), and the file leaves shmem_swaplist.
TEST(ShmemPathsTest, SwapoffBringsTheFilesEntriesBack) {
  struct Case {
    const char* name;
    const char* backend;
    bool zswap;
  };
  for (const Case& c : {Case{"zram", "zram", false}, Case{"a disk", "disk", false},
                        Case{"zswap over zram", "zram", true}}) {
    SCOPED_TRACE(c.name);
    const Outcome r = Exec(Make({CpuProgram{0, {ShmemWrite(0, 0x10), ShmemWrite(2, 0x12),
                                                ShmemReclaim(0), ShmemReclaim(2),
                                                Op{OpKind::kSwapoff, 0, 0, 0}}}},
                                c.backend, c.zswap));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace,
                                 {StepId::kSwapoffStart, StepId::kShmemUnuseStart,
                                  StepId::kShmemUnuseFind, StepId::kShmemSwapinAdd,
                                  StepId::kShmemUnuseFind, StepId::kShmemSwapinAdd,
                                  StepId::kShmemUnuseFind, StepId::kShmemUnuseEnd},
                                 0))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemUnuseStart), 1) << r.Dump();
    const ShmemInode& inode = r.k.shmem;
    for (int index : {0, 2}) {
      ASSERT_EQ(inode.i_pages[index].kind, ShmemEntry::Kind::kFolio) << index;
      EXPECT_EQ(r.k.pages[inode.i_pages[index].folio].data, 0x10u + index);
    }
    EXPECT_EQ(inode.swapped, 0);
    EXPECT_FALSE(inode.on_swaplist);
  }
}

// Shmem ops run only where the release's shmem paths are modelled, and not
// beside what the model lacks for them.
TEST(ShmemPathsTest, ReleasesAndOpsWithoutTheModelAreRefused) {
  struct Case {
    const char* name;
    const char* profile;
    std::vector<Op> ops;
    bool memcg;
    const char* error;  // empty: accepted
  };
  const Case cases[] = {
      {"7.1.y", "v7.1.y", {ShmemWrite(0, 1)}, false, ""},
      {"6.18.y", "v6.18.y", {ShmemWrite(0, 1)}, false, ""},
      {"6.12.y", "v6.12.y", {ShmemRead(0)}, false, ""},
      {"6.9", "v6.9", {ShmemMapRead(0)}, false, "not modelled"},
      {"swapoff", "v7.1.y", {ShmemWrite(0, 1), Op{OpKind::kSwapoff, 0, 0, 0}}, false, ""},
      {"memcg", "v7.1.y", {ShmemPunch(0, 1)}, true, "memcg"},
      {"no shmem op", "v6.9", {Op{OpKind::kWrite, 0, 0, 1}}, false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, c.ops}});
    s.config.profile = c.profile;
    s.config.memcg = c.memcg;
    Executor ex;
    const absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s, "", false);
    if (*c.error == '\0') {
      EXPECT_TRUE(out.ok()) << out.status();
    } else {
      ASSERT_FALSE(out.ok());
      EXPECT_NE(out.status().message().find(c.error), std::string::npos) << out.status();
    }
  }
}

}  // namespace
}  // namespace swapfuzz
