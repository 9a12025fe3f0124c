// ftruncate() of the shmem file (shmem_setattr(), model/mm/shmem.h) and the
// i_size checks it races: do_truncate()'s inode_lock, i_size_write(), the
// unmap of the mapping past the new size, shmem_truncate_range() to the end
// and the second unmap; a read past EOF reads nothing, a fault past EOF gets
// SIGBUS (not a finding), a fault that allocated past a new EOF takes its
// folio back out, and a write past EOF extends the file. Each release's
// functions here are the same (7.1.5, 6.18.35, 6.12.94).

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
using ::swapfuzz::testing::ShmemMapWrite;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemTruncate;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Through;

constexpr const char* kReleases[] = {"v7.1.y", "v6.18.y", "v6.12.y"};

Schedule Make(const char* release, std::vector<CpuProgram> cpus, int shmem_huge_order = 0) {
  return testing::ShmemSchedule(release, std::move(cpus), shmem_huge_order);
}

// A shrink under inode_lock: the size, the unmap of every mm that maps a
// page past it, the truncation of the folio and the swap entry there, and
// the second unmap; a read past the new size reads nothing, one inside it
// reads its data.
TEST(ShmemTruncateTest, AShrinkUnmapsAndTruncatesToTheEnd) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release, {CpuProgram{0,
                             {ShmemWrite(1, 0x11), ShmemWrite(3, 0x13), ShmemWrite(5, 0x15),
                              ShmemReclaim(5), ShmemMapRead(3), ShmemTruncate(2), ShmemRead(3),
                              ShmemRead(1)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kShmemSetattrLock, StepId::kShmemSetattrSize, StepId::kShmemUnmapMappingRange,
         StepId::kShmemUndoFindLock, StepId::kShmemUndoTruncate, StepId::kShmemUndoFindLock,
         StepId::kShmemFreeSwapStore, StepId::kShmemUndoFindGet, StepId::kShmemUnmapMappingRange,
         StepId::kShmemSetattrUnlock, StepId::kShmemReadPastEof, StepId::kShmemReadCopy}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemSetattrSize), std::vector<Token>{2});
    EXPECT_EQ(r.Values(StepId::kShmemUnmapMappingRange), (std::vector<Token>{0, Token(-1)}))
        << "mm 0's zap, then a second walk that finds nothing";
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x11});
    const Kernel& k = r.k;
    EXPECT_EQ(k.shmem.i_size, 2);
    for (int i = 2; i < kMaxShmemPages; ++i) {
      EXPECT_EQ(k.shmem.i_pages[i].kind, ShmemEntry::Kind::kNone) << i;
      EXPECT_EQ(k.mms[0].shmem_pte[i].kind, Pte::Kind::kNone) << i;
      EXPECT_EQ(k.shmem.logical[i], 0u) << i;
    }
    EXPECT_EQ(k.shmem.swapped, 0);
  }
}

// A fault past EOF fails shmem_get_folio_gfp()'s i_size check: SIGBUS, as
// mmap(2) promises, which is no finding; fault-around maps nothing that
// begins past EOF.
TEST(ShmemTruncateTest, AFaultPastEofGetsSigbus) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(release, {CpuProgram{0,
                                                     {ShmemWrite(3, 0x13), ShmemWrite(0, 0x10),
                                                      ShmemTruncate(2), ShmemWrite(3, 0x23),
                                                      ShmemTruncate(3), ShmemMapRead(3)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemGetPastEof), 1) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kUserRead), 0) << "the load never ran";
    const Kernel& k = r.k;
    EXPECT_EQ(k.shmem.i_size, 3);
    EXPECT_EQ(k.mms[0].shmem_pte[0].kind, Pte::Kind::kPresent) << "fault-around, inside EOF";
    EXPECT_EQ(k.mms[0].shmem_pte[3].kind, Pte::Kind::kNone) << "past EOF";
    EXPECT_EQ(k.shmem.logical[3], 0u) << "the write at 3 was truncated with the size";
  }
}

// "Perhaps the file has been truncated since we checked": a fault that
// passed the i_size check on a hole, and allocated after a truncation moved
// EOF below it, takes its folio back out of the page cache and gets SIGBUS.
TEST(ShmemTruncateTest, AFaultThatAllocatedPastANewEofRemovesItsFolio) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemTruncate(2)}},
                                CpuProgram{0, {ShmemMapWrite(4, 0x24)}}});
    s.decisions = {RunCpu(0, 5), Through(1, StepId::kShmemGetEntry), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace, {StepId::kShmemGetEntry, StepId::kShmemSetattrSize,
                                               StepId::kShmemSetattrUnlock,
                                               StepId::kShmemAllocPastEof}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kUserWrite), 0) << r.Dump();
    const Kernel& k = r.k;
    EXPECT_EQ(k.shmem.i_pages[4].kind, ShmemEntry::Kind::kNone);
    EXPECT_EQ(k.shmem.nrpages, 1);
    EXPECT_EQ(k.shmem.alloced, 1) << "shmem_recalc_inode() gave the folio's page back";
  }
}

// A read that found its folio before a truncation moved EOF below it reads
// i_size again after folio_unlock() and copies nothing.
TEST(ShmemTruncateTest, AReadTruncatedAfterItsLookupCopiesNothing) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {ShmemWrite(3, 0x13), ShmemTruncate(2)}},
                                CpuProgram{0, {ShmemRead(3)}}});
    s.decisions = {RunCpu(0, 5), Through(1, StepId::kShmemReadUnlock), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace,
                                 {StepId::kShmemReadUnlock, StepId::kShmemUndoTruncate,
                                  StepId::kShmemSetattrUnlock, StepId::kShmemReadPastEofPut}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemReadCopy), 0);
    EXPECT_EQ(r.k.shmem.nrpages, 0);
  }
}

// shmem_write_end() extends i_size past a write's page; a growing truncate
// extends it with no truncation, and the pages it brings back read zero.
TEST(ShmemTruncateTest, AWriteAndAGrowingTruncateExtendTheFile) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release, {CpuProgram{0,
                             {ShmemTruncate(0), ShmemWrite(4, 0x14), ShmemRead(4), ShmemRead(6),
                              ShmemTruncate(8), ShmemRead(6)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x14, 0}));
    EXPECT_EQ(r.Count(StepId::kShmemReadPastEof), 1) << "index 6 while i_size was 5";
    EXPECT_EQ(r.Values(StepId::kShmemSetattrSize), (std::vector<Token>{0, 8}));
    EXPECT_EQ(r.Count(StepId::kShmemUndoFindLock), 0)
        << "the first truncate found info->alloced 0, the second grew the file";
    EXPECT_EQ(r.k.shmem.i_size, 8);
  }
}

// Truncating restarts its second loop at the start until it finds nothing
// there: a folio reclaim held locked is passed over by find_lock_entries(),
// found as a swap entry by find_get_entries(), freed, and the loop starts
// again from the new size.
TEST(ShmemTruncateTest, TheSecondLoopRestartsUntilNothingIsLeft) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {ShmemWrite(3, 0x13), ShmemReclaim(3)}},
                                CpuProgram{0, {ShmemTruncate(2)}}});
    s.decisions = {Through(0, StepId::kTrylock), RunCpu(1, 3), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemUndoFindGet), (std::vector<Token>{3, 8, 8}))
        << "the entry at 3, past it, then from the start again" << r.Dump();
    EXPECT_EQ(r.k.shmem.i_pages[3].kind, ShmemEntry::Kind::kNone);
    EXPECT_EQ(r.k.shmem.swapped, 0);
  }
}

// A punch inside a large folio zeroes the hole and splits the folio there
// (folio_split(), non-uniform: the hole's page, then the piece at its end);
// the split zaps the folio's PTEs, the hole's page is truncated, and the
// other pieces keep their data and fault back in.
TEST(ShmemTruncateTest, APunchInsideALargeFolioSplitsIt) {
  for (const char* release : {"v7.1.y", "v6.18.y"}) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(
        Make(release,
             {CpuProgram{0,
                         {ShmemWrite(0, 0x10), ShmemWrite(1, 0x11), ShmemWrite(2, 0x12),
                          ShmemWrite(3, 0x13), ShmemMapRead(3), ShmemPunch(1, 1), ShmemRead(0),
                          ShmemRead(1), ShmemRead(2), ShmemRead(3)}}},
             2));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x10, 0, 0x12, 0x13}));
    const Kernel& k = r.k;
    EXPECT_EQ(k.shmem.i_pages[1].kind, ShmemEntry::Kind::kNone);
    for (int index : {0, 2, 3}) {
      const ShmemEntry& e = k.shmem.i_pages[index];
      ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio) << index;
      EXPECT_EQ(e.order, 0) << index;
      EXPECT_EQ(k.pages[e.folio].shmem_index, index);
      EXPECT_EQ(k.pages[e.folio].refcount, 1) << "the page cache's only";
      EXPECT_EQ(k.mms[0].shmem_pte[index].kind, Pte::Kind::kNone) << "the split unmapped it";
    }
    EXPECT_EQ(k.shmem.nrpages, 3);
  }
}

// A truncation inside a large folio: shmem_get_partial_folio() finds the
// folio past the new EOF, truncate_inode_partial_folio() zeroes its part
// past EOF and splits it at the new size; the split drops the pieces past
// EOF from the page cache and the first piece keeps the data below it.
TEST(ShmemTruncateTest, ATruncateInsideALargeFolioDropsThePiecesPastEof) {
  for (const char* release : {"v7.1.y", "v6.18.y"}) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release,
        {CpuProgram{0,
                    {ShmemWrite(0, 0x10), ShmemWrite(1, 0x11), ShmemWrite(3, 0x13),
                     ShmemTruncate(1), ShmemRead(0), ShmemTruncate(4), ShmemRead(1),
                     ShmemRead(3)}}},
        2));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemPartialTruncate), std::vector<Token>{0}) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x10, 0, 0}));
    const Kernel& k = r.k;
    ASSERT_EQ(k.shmem.i_pages[0].kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(k.shmem.i_pages[0].order, 0);
    for (int index = 1; index < 4; ++index) {
      EXPECT_EQ(k.shmem.i_pages[index].kind, ShmemEntry::Kind::kNone) << index;
    }
    EXPECT_EQ(k.shmem.nrpages, 1);
    EXPECT_EQ(k.shmem.alloced, 1);
  }
}

// Fault-around maps no folio that begins at or past i_size
// (next_uptodate_folio()'s max_idx): a read fault between a truncation's
// i_size_write() and its shmem_undo_range() maps index 0 and leaves the
// folio at index 3, which the truncation is about to remove, alone.
TEST(ShmemTruncateTest, FaultAroundMapsNothingPastEof) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemWrite(3, 0x13),
                                               ShmemTruncate(2)}},
                                CpuProgram{0, {ShmemMapRead(0)}}});
    s.decisions = {Through(0, StepId::kShmemSetattrSize), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t loaded = d.SnapshotAfter(StepId::kUserRead, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_FALSE(out.finding) << FormatTrace(out.trace);
    ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
    const Kernel& k = *d.Snapshot(loaded);
    EXPECT_EQ(k.shmem.i_size, 2);
    EXPECT_EQ(k.shmem.i_pages[3].kind, ShmemEntry::Kind::kFolio) << "not truncated yet";
    EXPECT_EQ(k.mms[0].shmem_pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.mms[0].shmem_pte[3].kind, Pte::Kind::kNone);
  }
}

// A truncation whose split of the folio across the new size fails (a read
// holds a reference) zeroes the folio's part past EOF and keeps it whole
// and dirty; the second loop starts past it, and the truncation ends.
TEST(ShmemTruncateTest, ATruncationWhoseSplitFailsKeepsTheFolioZeroedPastEof) {
  for (const char* release : {"v7.1.y", "v6.18.y"}) {
    SCOPED_TRACE(release);
    Schedule s = Make(release,
                      {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemWrite(3, 0x13), ShmemTruncate(2)}},
                       CpuProgram{0, {ShmemRead(1)}}},
                      2);
    s.decisions = {Through(0, StepId::kShmemWriteUnlock), Through(0, StepId::kShmemWriteUnlock),
                   Through(1, StepId::kShmemReadUnlock), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemPartialTruncate), std::vector<Token>{0}) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemUndoFindGet), std::vector<Token>{8})
        << "from past the kept folio to the end" << r.Dump();
    const Kernel& k = r.k;
    const ShmemEntry& e = k.shmem.i_pages[0];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(e.order, 2) << "not split";
    EXPECT_EQ(k.pages[e.folio + 0].data, 0x10u);
    EXPECT_EQ(k.pages[e.folio + 3].data, 0u) << "zeroed past EOF";
    EXPECT_TRUE(k.pages[e.folio].dirty);
  }
}

// Every interleaving, up to two preemptions, of a truncate against a store
// and a load through the mapping, a read and reclaim keeps the file, its
// size and its mappings in step.
TEST(ShmemTruncateTest, TruncateAgainstFaultsReadsAndReclaimDfsIsClean) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Schedule s = Make(
        release, {CpuProgram{0, {ShmemMapWrite(1, 0x11), ShmemTruncate(1)}},
                  CpuProgram{0, {ShmemMapWrite(0, 0x20), ShmemReclaim(1), ShmemMapRead(1)}}});
    const ExploreResult r = ExploreDfs(s, "mainline_shmem_truncate", 2);
    EXPECT_TRUE(r.exhausted);
    EXPECT_FALSE(r.found) << r.signature;
    EXPECT_GT(r.executions, 100u);
  }
}

}  // namespace
}  // namespace swapfuzz
