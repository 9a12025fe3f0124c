// Large folios and large swap entries in the shmem file (model/mm/shmem.h), as
// 7.1.5 has them: a write to a hole allocates a large folio, reclaim swaps it
// out as one multi-index entry, a swap-in of a smaller folio splits the entry
// (shmem_split_large_entry()), one of the entry's order replaces it whole, and
// a punched hole frees whole entries and zeroes the part of a folio it
// crosses. Then the catalogue bug 8a1968bd997f (shmem_free_swap_stale_order):
// its regression schedule, the same interleaving on the fixed code, and a DFS
// from its program on 7.1.5's code and on 6.18.35's.

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
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemSwappedOutLargeFolio;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Through;

// v7.1.y on zram with order-2 shmem folios. zswap set: it was enabled, so
// shmem_swap_alloc_folio() swaps in order 0 and the entry is split.
Schedule Make(std::vector<CpuProgram> cpus, bool zswap) {
  return testing::ShmemSchedule("v7.1.y", std::move(cpus), 2, "zram", zswap);
}

TEST(ShmemLargeTest, AWriteToAnEmptyRangeAddsALargeFolio) {
  const Outcome r = Exec(Make({CpuProgram{0, {ShmemWrite(1, 0x11), ShmemRead(2),
                                              ShmemWrite(5, 0x15)}}},
                              false));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  const ShmemInode& inode = r.k.shmem;
  const PageId head = inode.i_pages[0].folio;
  for (int index = 0; index < 8; ++index) {
    SCOPED_TRACE(index);
    EXPECT_EQ(inode.i_pages[index].kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(inode.i_pages[index].order, 2);
    EXPECT_EQ(inode.i_pages[index].folio, index < 4 ? head : inode.i_pages[4].folio);
  }
  EXPECT_EQ(r.k.pages[head].shmem_index, 0);
  EXPECT_EQ(r.k.pages[head + 1].data, 0x11u);
  EXPECT_EQ(inode.nrpages, 8);
  // The read of index 2 copies the new folio's zeroed page.
  EXPECT_EQ(r.Count(StepId::kShmemReadCopy), 1);
}

// Reclaim swaps the folio out as one order-2 entry; a read of one index
// swaps in an order-0 folio (zswap was enabled) after splitting the entry,
// and the other indices keep their own order-0 entries.
TEST(ShmemLargeTest, AnOrderZeroSwapinSplitsTheLargeEntry) {
  std::vector<Op> ops = ShmemSwappedOutLargeFolio();
  ops.push_back(ShmemRead(2));
  const Outcome r = Exec(Make({CpuProgram{0, ops}}, true));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_TRUE(testing::InOrder(r.out.trace,
                               {StepId::kShmemWriteoutDelete, StepId::kShmemSwapinLookup,
                                StepId::kShmemSplitLargeEntry, StepId::kShmemSwapinLock,
                                StepId::kShmemSwapinAdd, StepId::kShmemReadCopy},
                               0))
      << r.Dump();
  const ShmemInode& inode = r.k.shmem;
  ASSERT_EQ(inode.i_pages[2].kind, ShmemEntry::Kind::kFolio) << r.Dump();
  EXPECT_EQ(inode.i_pages[2].order, 0);
  const Offset first = inode.i_pages[0].swap;
  for (int index : {0, 1, 3}) {
    SCOPED_TRACE(index);
    ASSERT_EQ(inode.i_pages[index].kind, ShmemEntry::Kind::kSwap);
    EXPECT_EQ(inode.i_pages[index].order, 0);
    EXPECT_EQ(inode.i_pages[index].swap, first + index);
  }
  EXPECT_EQ(inode.swapped, 3);
  EXPECT_EQ(inode.nrpages, 1);
  EXPECT_EQ(r.k.pages[inode.i_pages[2].folio].data, 0x12u);
}

// With zswap never enabled, zram's swap-in takes a folio of the entry's order,
// which replaces the whole entry.
TEST(ShmemLargeTest, AWholeSwapinReplacesTheLargeEntry) {
  std::vector<Op> ops = ShmemSwappedOutLargeFolio();
  ops.push_back(ShmemRead(2));
  ops.push_back(ShmemRead(3));
  const Outcome r = Exec(Make({CpuProgram{0, ops}}, false));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemSplitLargeEntry), 0) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemSwapinLookup), 1) << r.Dump();
  const ShmemInode& inode = r.k.shmem;
  for (int index = 0; index < 4; ++index) {
    EXPECT_EQ(inode.i_pages[index].kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(inode.i_pages[index].order, 2);
  }
  EXPECT_EQ(inode.swapped, 0);
  EXPECT_EQ(inode.nrpages, 4);
}

// A swap-in that found an order-0 entry may come back to find its slot the
// first of a large entry: the hole was punched, its slots freed, and a large
// folio swapped out to them. shmem_add_to_page_cache() counts the entries'
// slots ("iter.val - nr != swap.val") and refuses; the lookup repeats,
// finds the large entry, and splits it.
TEST(ShmemLargeTest, AnAddRefusesAnEntryLargerThanTheFolio) {
  std::vector<Op> split = ShmemSwappedOutLargeFolio();
  split.push_back(ShmemRead(2));
  Schedule s = Make({CpuProgram{0, split}, CpuProgram{0, {ShmemRead(0)}},
                     CpuProgram{0, {ShmemPunch(0, 3), ShmemWrite(0, 0x20), ShmemReclaim(0)}}},
                    true);
  s.decisions = {RunCpu(0), Through(1, StepId::kShmemSwapinLookup), RunCpu(2), RunCpu(1)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  // The second swap-out took the first one's slots again.
  std::vector<Offset> deleted;
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == StepId::kShmemWriteoutDelete) deleted.push_back(e.offset);
  }
  ASSERT_EQ(deleted.size(), 2u) << r.Dump();
  ASSERT_EQ(deleted[0], deleted[1]) << r.Dump();
  std::vector<Token> adds;
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == StepId::kShmemSwapinAdd && e.cpu == 1) adds.push_back(e.detail);
  }
  EXPECT_EQ(adds, (std::vector<Token>{0, 1})) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemSplitLargeEntry, 1), 1) << r.Dump();
  std::vector<Token> copied;
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == StepId::kShmemReadCopy && e.cpu == 1) copied.push_back(e.detail);
  }
  EXPECT_EQ(copied, std::vector<Token>{0x20});
}

// A punch that puts the slots of a large entry whose folio is still in the
// swap cache (its write not done, the folio locked) tries to reclaim the
// first slot, finds the folio, and moves past all of its slots
// (swap_put_entries_cluster(): "offset = round_up(offset,
// abs(nr_reclaimed))"); reclaim then frees them.
TEST(ShmemLargeTest, APunchsReclaimMovesPastTheLargeFolio) {
  std::vector<Op> write = ShmemSwappedOutLargeFolio();
  write.pop_back();
  Schedule s = Make({CpuProgram{0, write}, CpuProgram{0, {ShmemReclaim(0)}},
                     CpuProgram{0, {ShmemPunch(0, 3)}}},
                    true);
  s.decisions = {RunCpu(0), Through(1, StepId::kShmemWriteoutDelete), RunCpu(2), RunCpu(1)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemFreeSwapPut, 2), 1) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kReclaimGetFolio, 2), 1) << r.Dump();
  for (int index = 0; index < 4; ++index) {
    EXPECT_EQ(r.k.shmem.i_pages[index].kind, ShmemEntry::Kind::kNone) << index;
  }
}

// Swapoff's shmem_unuse() swaps a large entry back in: whole without zswap,
// in order-0 folios after a split once zswap was enabled.
TEST(ShmemLargeTest, SwapoffBringsALargeEntryBack) {
  for (bool zswap : {false, true}) {
    SCOPED_TRACE(zswap ? "zswap enabled" : "zswap never enabled");
    std::vector<Op> ops = ShmemSwappedOutLargeFolio();
    ops.push_back(Op{OpKind::kSwapoff, 0, 0, 0});
    const Outcome r = Exec(Make({CpuProgram{0, ops}}, zswap));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemSplitLargeEntry), zswap ? 1 : 0) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemSwapinAdd), zswap ? 4 : 1) << r.Dump();
    for (int index = 0; index < 4; ++index) {
      ASSERT_EQ(r.k.shmem.i_pages[index].kind, ShmemEntry::Kind::kFolio) << index;
      EXPECT_EQ(r.k.shmem.i_pages[index].order, zswap ? 0 : 2);
      EXPECT_EQ(r.k.pages[ShmemPageAt(r.k, index)].data, 0x10u + index);
    }
    EXPECT_EQ(r.k.shmem.swapped, 0);
  }
}

// A hole over a large entry, whole or in part, and over part of a large
// folio: what is inside reads zero, what is outside keeps its data, and the
// entries' slots are put exactly once.
TEST(ShmemLargeTest, APunchFreesWholeEntriesAndZeroesWhatItCrosses) {
  struct Case {
    const char* name;
    bool swapped_out;
    uint8_t first, last;
    int split_steps;  // shmem_split_large_entry(): the first partial lookup's swap-in splits
  };
  const Case cases[] = {
      {"a whole entry", true, 0, 3, 0},
      {"the end of an entry", true, 2, 3, 1},
      {"the middle of an entry", true, 1, 2, 1},
      {"a whole folio", false, 0, 3, 0},
      {"the end of a folio", false, 2, 5, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Op> ops = ShmemSwappedOutLargeFolio();
    if (!c.swapped_out) ops.pop_back();
    ops.push_back(ShmemPunch(c.first, c.last));
    for (uint8_t index = 0; index < 4; ++index) ops.push_back(ShmemRead(index));
    const Outcome r = Exec(Make({CpuProgram{0, ops}}, true));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemSplitLargeEntry), c.split_steps) << r.Dump();
    for (int index = 0; index < 4; ++index) {
      SCOPED_TRACE(index);
      const bool punched = index >= c.first && index <= c.last;
      EXPECT_EQ(r.k.shmem.logical[index], punched ? 0u : 0x10u + index);
    }
    // What the reads copied, in order.
    std::vector<Token> copied;
    for (const TraceEvent& e : r.out.trace) {
      if (e.id == StepId::kShmemReadCopy) copied.push_back(e.detail);
    }
    std::vector<Token> want;
    for (int index = 0; index < 4; ++index) {
      want.push_back(index >= c.first && index <= c.last ? 0 : 0x10 + index);
    }
    EXPECT_EQ(copied, want);
  }
}

// 8a1968bd997f's race, as its message tells it: truncation reads the
// entry's order (2) without the lock; a swap-in of one index splits the
// entry; the cmpxchg at the first index still matches and erases one order-0
// entry, and the put frees all four slots, two of which indices 1 and 3
// still name. Cleared, the order is read under the lock with the cmpxchg,
// and the same interleaving frees one slot.
TEST(ShmemLargeTest, TruncateAgainstASplitFreesOnlyWhatItErases) {
  struct Case {
    const char* name;
    bool knob;
    StepId punch_until;  // the punch's last step before the swap-in splits
    const char* signature;
  };
  const Case cases[] = {
      {"stale order", true, StepId::kShmemFreeSwapOrder, "swap-count:swap_put_entries_direct:"},
      {"fixed", false, StepId::kShmemUndoFindLock, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, ShmemSwappedOutLargeFolio()},
                       CpuProgram{0, {ShmemPunch(0, 3)}}, CpuProgram{0, {ShmemRead(2)}}},
                      true);
    s.config.knobs = {{"shmem_free_swap_stale_order", c.knob}};
    s.decisions = {RunCpu(0), Through(1, c.punch_until),
                   Through(2, StepId::kShmemSplitLargeEntry), RunCpu(1), RunCpu(2)};
    const Outcome r = Exec(s);
    ASSERT_GE(r.First(StepId::kShmemSplitLargeEntry, 2), 0) << r.Dump();
    if (*c.signature != '\0') {
      ASSERT_TRUE(r.out.finding) << r.Dump();
      EXPECT_EQ(r.Signature().rfind(c.signature, 0), 0u) << r.Signature();
      continue;
    }
    ASSERT_FALSE(r.out.finding) << r.Dump();
    for (int index = 0; index < 4; ++index) {
      EXPECT_EQ(r.k.shmem.i_pages[index].kind, ShmemEntry::Kind::kNone) << index;
    }
    EXPECT_EQ(r.k.shmem.swapped, 0);
  }
}

// The fixed code holds up under every interleaving of the regression's
// program within three preemptions; the stale order does not. The same on
// 6.18.35's code, whose put is free_swap_and_cache_nr().
TEST(ShmemLargeTest, DfsFromTheRegressionsProgram) {
  struct Case {
    const char* profile;
    const char* target;
  };
  for (const Case& c : {Case{"v7.1.y", "mainline_shmem"}, Case{"v6.18.y", "lts618_shmem"}}) {
    for (bool knob : {true, false}) {
      SCOPED_TRACE(std::string(c.profile) + (knob ? ", stale order" : ", fixed"));
      Schedule s = Make({CpuProgram{0, ShmemSwappedOutLargeFolio()},
                         CpuProgram{0, {ShmemPunch(0, 3)}}, CpuProgram{0, {ShmemRead(2)}}},
                        true);
      s.config.profile = c.profile;
      s.config.knobs = {{"shmem_free_swap_stale_order", knob}};
      const ExploreResult r = ExploreDfs(s, c.target, 3);
      EXPECT_EQ(r.found, knob) << r.signature;
      if (!knob) EXPECT_TRUE(r.exhausted);
    }
  }
}

}  // namespace
}  // namespace swapfuzz
