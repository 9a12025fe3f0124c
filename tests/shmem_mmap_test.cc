// The shmem file's MAP_SHARED mapping (Mm::shmem_pte): faults through
// do_fault() and shmem_fault() in 7.1.5's order (fault-around first for a
// read, finish_fault() under the PTL, the fallback of a large folio whose
// range is partly mapped, fault_dirty_shared_page() for a write), reclaim's
// try_to_unmap() of the file's PTEs, a hole punch's unmap_mapping_range()
// and the faults it holds off (shmem_falloc_wait()), and the oracle that a
// shared PTE maps the page the file holds at its index. 6.18.35's functions
// are the same, and 6.12.94's for its order-0 file; each test runs on every
// release it can.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/strategies.h"
#include "model/oracles.h"
#include "model/schedule.h"
#include "model/steps.h"
#include "tests/fuzz_test_util.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Fork;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::ShmemMapDontneed;
using ::swapfuzz::testing::ShmemMapRead;
using ::swapfuzz::testing::ShmemMapWrite;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Through;

constexpr const char* kReleases[] = {"v7.1.y", "v6.18.y", "v6.12.y"};
// The releases whose tmpfs has large folios of the model's orders.
constexpr const char* kLargeFolioReleases[] = {"v7.1.y", "v6.18.y"};

Schedule Make(const char* release, std::vector<CpuProgram> cpus, int shmem_huge_order = 0) {
  return testing::ShmemSchedule(release, std::move(cpus), shmem_huge_order);
}

// A read fault maps the folio of its index and, through do_fault_around(),
// every other folio of the file that it can lock; a load then reads the
// file's data in place.
TEST(ShmemMmapTest, AReadFaultMapsItsFolioAndFaultsAroundTheOthers) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release, {CpuProgram{0, {ShmemWrite(1, 0x11), ShmemWrite(3, 0x13), ShmemMapRead(1),
                                 ShmemMapRead(3)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace, {StepId::kFault, StepId::kFilemapMapPages,
                                                StepId::kUserRead, StepId::kUserRead}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kFault), 1) << "index 3 was mapped around index 1";
    EXPECT_EQ(r.Count(StepId::kShmemFolioLock), 0) << "fault-around needs no shmem_fault()";
    EXPECT_EQ(r.Values(StepId::kUserRead), (std::vector<Token>{0x11, 0x13}));
    for (int index : {1, 3}) {
      const Pte& pte = r.k.mms[0].shmem_pte[index];
      ASSERT_EQ(pte.kind, Pte::Kind::kPresent) << "index " << index;
      EXPECT_TRUE(pte.writable) << "shmem wants no write notification";
      EXPECT_EQ(pte.page, r.k.shmem.i_pages[index].folio);
      EXPECT_EQ(r.k.pages[pte.page].mapcount, 1);
      EXPECT_EQ(r.k.pages[pte.page].refcount, 2) << "the page cache's and the mapping's";
    }
    EXPECT_EQ(r.k.mms[0].shmem_pte[0].kind, Pte::Kind::kNone);
  }
}

// A read fault on a hole: nothing to fault around, then shmem_fault() ->
// shmem_get_folio_gfp(SGP_CACHE) allocates a folio, clears it and marks it
// uptodate but not dirty; finish_fault() maps it, do_read_fault() unlocks it.
TEST(ShmemMmapTest, AReadFaultOnAHoleMapsAClearedFolio) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(release, {CpuProgram{0, {ShmemMapRead(2)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kFault, StepId::kFilemapMapPages, StepId::kShmemGetEntry, StepId::kShmemAllocAdd,
         StepId::kFinishFaultMap, StepId::kDoReadFaultUnlock, StepId::kUserRead}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kUserRead), std::vector<Token>{0});
    const ShmemEntry& e = r.k.shmem.i_pages[2];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio);
    const Page& p = r.k.pages[e.folio];
    EXPECT_TRUE(p.uptodate);
    EXPECT_FALSE(p.dirty);
    EXPECT_FALSE(p.locked);
    EXPECT_EQ(r.k.mms[0].shmem_pte[2].page, e.folio);
    EXPECT_EQ(r.k.mms[0].mmap_readers, 0);
  }
}

// A write fault takes no fault-around: do_shared_fault() maps the folio and
// fault_dirty_shared_page() dirties it. The store is the file's data, which
// a read(2) of the file copies, from another mm too.
TEST(ShmemMmapTest, AStoreThroughTheMappingIsTheFilesData) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {Fork(1), ShmemMapWrite(2, 0x22)}},
                                CpuProgram{1, {ShmemRead(2), ShmemMapRead(2)}}});
    s.decisions = {RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace, {StepId::kFault, StepId::kShmemGetEntry, StepId::kShmemAllocAdd,
                      StepId::kFinishFaultMap, StepId::kDoSharedFaultDirty, StepId::kUserWrite}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kFilemapMapPages, 0), 0);
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x22});
    EXPECT_EQ(r.Values(StepId::kUserRead), std::vector<Token>{0x22});
    EXPECT_EQ(r.k.shmem.logical[2], 0x22u);
    const PageId folio = r.k.shmem.i_pages[2].folio;
    EXPECT_TRUE(r.k.pages[folio].dirty);
    EXPECT_EQ(r.k.pages[folio].mapcount, 2) << "mapped in both mms";
    EXPECT_EQ(r.k.mms[1].shmem_pte[2].page, folio);
  }
}

// Reclaim unmaps the folio from every mm, one try_to_unmap_one() step per
// mm, before shmem_writeout() moves it to swap; the next access faults and
// swaps it back in through shmem_fault().
TEST(ShmemMmapTest, ReclaimUnmapsEveryMmAndTheNextAccessSwapsIn) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Schedule s = Make(
        release,
        {CpuProgram{0, {Fork(1), ShmemMapWrite(2, 0x22), ShmemReclaim(2), ShmemMapRead(2)}},
         CpuProgram{1, {ShmemMapRead(2)}}});
    Schedule ordered = s;
    ordered.decisions = {Through(0, StepId::kUserWrite), RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(ordered);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kUnmapFile), (std::vector<Token>{0, 1})) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace, {StepId::kUnmapFile, StepId::kUnmapFile, StepId::kPageoutStart,
                      StepId::kFault, StepId::kShmemSwapinLookup, StepId::kFinishFaultMap,
                      StepId::kUserRead}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kUserRead), (std::vector<Token>{0x22, 0x22}));
    EXPECT_EQ(r.k.mms[1].shmem_pte[2].kind, Pte::Kind::kNone);
    EXPECT_EQ(r.k.mms[0].shmem_pte[2].page, r.k.shmem.i_pages[2].folio);
  }
}

// A punch with the file mapped: i_private marks the hole, unmap_mapping_range()
// zaps its PTEs, shmem_undo_range() truncates, and the end wakes the faults
// it held off. An index outside the hole stays mapped; one inside reads zero.
TEST(ShmemMmapTest, APunchUnmapsItsHole) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release, {CpuProgram{0, {ShmemMapWrite(1, 0x11), ShmemMapWrite(2, 0x12),
                                 ShmemPunch(1, 1), ShmemMapRead(1), ShmemMapRead(2)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace, {StepId::kShmemFallocLock, StepId::kShmemFallocStart,
                      StepId::kShmemUnmapMappingRange, StepId::kShmemUndoTruncate,
                      StepId::kShmemFallocEnd, StepId::kShmemFallocUnlock}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kUserRead), (std::vector<Token>{0, 0x12}));
    EXPECT_FALSE(r.k.shmem.falloc_active);
  }
}

// A fault on an index a punch is punching sleeps in shmem_falloc_wait() with
// mmap_lock released, until the punch's wake_up_all(); its VM_FAULT_RETRY
// makes the access fault again, which maps the hole's new folio. (A read
// fault would be served by do_fault_around() before shmem_fault() looks.)
TEST(ShmemMmapTest, AFaultInsideAPunchedHoleWaitsForThePunch) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    Schedule s = Make(release, {CpuProgram{0, {ShmemWrite(1, 0x11), ShmemPunch(0, 3)}},
                                CpuProgram{0, {ShmemMapWrite(1, 0x21)}}});
    s.decisions = {Through(0, StepId::kShmemFallocStart), RunCpu(1), RunCpu(0), RunCpu(1)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t asleep = d.SnapshotAfter(StepId::kShmemFaultFallocWait, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_FALSE(out.finding) << FormatTrace(out.trace);
    ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
    EXPECT_EQ(d.Snapshot(asleep)->mms[0].mmap_readers, 0)
        << "maybe_unlock_mmap_for_io() released it";
    EXPECT_TRUE(testing::InOrder(
        out.trace, {StepId::kShmemFallocStart, StepId::kFault, StepId::kShmemFaultFallocWait,
                    StepId::kShmemUnmapMappingRange, StepId::kShmemFallocEnd,
                    StepId::kShmemFaultFallocWoken, StepId::kFault, StepId::kShmemAllocAdd,
                    StepId::kUserWrite}))
        << FormatTrace(out.trace);
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.mms[0].shmem_pte[1].page, k.shmem.i_pages[1].folio);
    EXPECT_EQ(k.shmem.logical[1], 0x21u);
    EXPECT_EQ(k.mms[0].mmap_readers, 0);
  }
}

// The retry of a fault that shmem_falloc_wait() sent back is
// FAULT_FLAG_TRIED: if a second punch holds the index by then, it sleeps
// with mmap_lock held and returns VM_FAULT_NOPAGE, and the access faults
// once more.
TEST(ShmemMmapTest, ARetriedFaultSleepsHoldingMmapLock) {
  Schedule s = Make("v7.1.y", {CpuProgram{0, {ShmemPunch(0, 3), ShmemPunch(0, 3)}},
                               CpuProgram{0, {ShmemMapWrite(1, 0x21)}}});
  s.decisions = {Through(0, StepId::kShmemFallocStart), RunCpu(1),
                 Through(0, StepId::kShmemFallocStart), RunCpu(1), RunCpu(0), RunCpu(1)};
  Executor ex;
  ProbeDecider d(ex, s.decisions);
  const size_t asleep = d.SnapshotAfter(StepId::kShmemFaultFallocWait, 1, 2);
  const ReplayOutput out = MustRunProbed(ex, s, d);
  ASSERT_FALSE(out.finding) << FormatTrace(out.trace);
  ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
  EXPECT_EQ(d.Snapshot(asleep)->mms[0].mmap_readers, 1) << "the TRIED retry keeps mmap_lock";
  std::vector<Token> woken;
  for (const TraceEvent& e : out.trace) {
    if (e.id == StepId::kShmemFaultFallocWoken) woken.push_back(e.detail);
  }
  EXPECT_EQ(woken, (std::vector<Token>{1, 0})) << "VM_FAULT_RETRY, then VM_FAULT_NOPAGE\n"
                                               << FormatTrace(out.trace);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.shmem.logical[1], 0x21u);
  EXPECT_EQ(k.mms[0].mmap_readers, 0);
}

// A write fault maps a large folio whole while its range is none. A punch
// of its first page zaps that PTE and zeroes the page, and its split fails;
// the next write fault there finds the range partly mapped, drops the PTL
// and maps the page alone ("goto fallback").
TEST(ShmemMmapTest, AFaultOnAPartlyMappedLargeFolioFallsBackToItsPage) {
  for (const char* release : kLargeFolioReleases) {
    SCOPED_TRACE(release);
    // The read of index 2 holds a reference on the folio, so the punch's
    // folio_split() fails (-EAGAIN) and the folio stays, dirty, its first
    // PTE zapped by unmap_mapping_range() and the others mapped.
    Schedule sched = Make(release,
                          {CpuProgram{0, {ShmemWrite(0, 0x10), ShmemMapWrite(1, 0x11),
                                          ShmemPunch(0, 0), ShmemMapWrite(0, 0x20), ShmemRead(0)}},
                           CpuProgram{0, {ShmemRead(2)}}},
                          2);
    sched.decisions = {Through(0, StepId::kUserWrite), Through(1, StepId::kShmemReadUnlock),
                       RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(sched);
    ASSERT_FALSE(r.out.finding) << r.Dump();
    const ShmemEntry& e = r.k.shmem.i_pages[0];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio);
    ASSERT_EQ(e.order, 2);
    EXPECT_EQ(r.Values(StepId::kFinishFaultMap), (std::vector<Token>{0, 0, 1}))
        << "whole, then the range is not none and the fallback maps the page\n"
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x20, 0}));
    for (int index = 0; index < 4; ++index) {
      EXPECT_EQ(r.k.mms[0].shmem_pte[index].page, e.folio + index) << "index " << index;
    }
    EXPECT_EQ(r.k.pages[e.folio].refcount, 8) << "4 page cache references and 4 mappings";
  }
}

// MADV_DONTNEED of the shared mapping zaps the PTE under the read lock and
// drops the mapping's reference; the folio stays in the page cache with the
// data the store left, and the next load faults it back in.
TEST(ShmemMmapTest, MadviseDontneedZapsThePteAndTheFileKeepsItsData) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Outcome r = Exec(Make(
        release, {CpuProgram{0, {ShmemMapWrite(1, 0x11), ShmemMapDontneed(1), ShmemRead(1),
                                 ShmemMapDontneed(2), ShmemMapRead(1)}}}));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(r.out.trace, {StepId::kUserWrite,
                                               StepId::kZapFilePte, StepId::kShmemReadCopy,
                                               StepId::kZapFilePte, StepId::kFault,
                                               StepId::kUserRead}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x11});
    EXPECT_EQ(r.Values(StepId::kUserRead), std::vector<Token>{0x11});
    const Kernel& k = r.k;
    const ShmemEntry& e = k.shmem.i_pages[1];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(k.mms[0].shmem_pte[1].page, e.folio) << "faulted back";
    EXPECT_EQ(k.pages[e.folio].refcount, 2) << "the page cache's and the mapping's";
    EXPECT_EQ(k.mms[0].mmap_readers, 0);
  }
}

// The oracle: a shared PTE that maps a page the file does not hold at its
// index is reported at once, whatever the page holds. The punch's
// truncation unmapped the folio; the PTE put back by hand is found.
TEST(ShmemMmapTest, AStaleSharedPteIsReported) {
  Schedule s =
      Make("v7.1.y", {CpuProgram{0, {ShmemWrite(1, 0x11), ShmemMapRead(1), ShmemPunch(1, 1)}}});
  Executor ex;
  ProbeDecider d(ex, s.decisions);
  const size_t mapped = d.SnapshotAfter(StepId::kUserRead, 0);
  const size_t truncated = d.SnapshotAfter(StepId::kShmemUndoTruncate, 0);
  const ReplayOutput out = MustRunProbed(ex, s, d);
  ASSERT_FALSE(out.finding) << FormatTrace(out.trace);
  Kernel k = *d.Snapshot(truncated);
  ASSERT_EQ(k.shmem.i_pages[1].kind, ShmemEntry::Kind::kNone);
  CheckAfterStep(k);
  ASSERT_FALSE(k.findings.fatal);
  k.mms[0].shmem_pte[1] = d.Snapshot(mapped)->mms[0].shmem_pte[1];
  ASSERT_EQ(k.mms[0].shmem_pte[1].kind, Pte::Kind::kPresent);
  CheckAfterStep(k);
  ASSERT_TRUE(k.findings.fatal);
  EXPECT_EQ(k.findings.First()->oracle, Oracle::kRmap);
  EXPECT_NE(std::string(k.findings.First()->message.data()).find("shared mapping of shmem index 1"),
            std::string::npos)
      << k.findings.First()->message.data();
}

// Every interleaving of a punch against stores and loads through the
// mapping and reclaim, up to two preemptions, keeps the file and its
// mappings in step.
TEST(ShmemMmapTest, PunchAgainstFaultsAndReclaimDfsIsClean) {
  for (const char* release : kReleases) {
    SCOPED_TRACE(release);
    const Schedule s =
        Make(release, {CpuProgram{0, {ShmemMapWrite(1, 0x11), ShmemPunch(0, 1)}},
                       CpuProgram{0, {ShmemMapWrite(0, 0x20), ShmemReclaim(1), ShmemMapRead(1)}}});
    const ExploreResult r = ExploreDfs(s, "mainline_shmem_mmap", 2);
    EXPECT_TRUE(r.exhausted);
    EXPECT_FALSE(r.found) << r.signature;
    EXPECT_GT(r.executions, 100u);
  }
}

}  // namespace
}  // namespace swapfuzz
