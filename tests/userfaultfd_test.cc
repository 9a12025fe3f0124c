// model/mm/userfaultfd.cc: ioctl(UFFDIO_MOVE) of one page within the task's
// mm (move_pages() and move_pages_ptes()), its refusals, its retries, its
// races with a swap-in fault and with reclaim, and the rmap oracle that a
// moved folio's index follows it.
//
// Each test is a table of runs, one row per release where the releases differ.

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using namespace ::swapfuzz::testing;  // NOLINT

constexpr int16_t kPageSize = 4096;
constexpr int16_t kEINVAL = -22, kENOENT = -2, kEBUSY = -16, kEEXIST = -17;

// The value the `n`-th read (from 1) of `cpu` returned.
Token ReadValue(const std::vector<TraceEvent>& t, int cpu, int n) {
  const std::vector<size_t> reads = Find(t, StepId::kUserRead, cpu);
  EXPECT_GE(static_cast<int>(reads.size()), n) << "too few reads";
  return static_cast<int>(reads.size()) >= n ? t[reads[n - 1]].detail : ~Token{0};
}

// The steps of `cpu` from the first `from` on.
std::vector<StepId> StepsFrom(const std::vector<TraceEvent>& t, int cpu, StepId from) {
  std::vector<StepId> out;
  const long start = First(t, from, cpu);
  for (size_t i = start < 0 ? t.size() : static_cast<size_t>(start); i < t.size(); ++i) {
    if (t[i].cpu == cpu) out.push_back(t[i].id);
  }
  return out;
}

const std::vector<std::string> kMoveReleases = {"v6.9", "v6.12.y", "v6.18.y", "v7.1.y"};

// Each branch of move_pages_ptes() in kernel order, alone: CPU 0 sets the
// PTEs up and moves va 0 to va 1 as its last op (so its return value stays
// in Cpu::ret); then CPU 1, a thread of the same mm, reads the destination
// and the source.
TEST(UserfaultfdTest, StepsInKernelOrder) {
  struct Case {
    std::string name;
    std::string backend;
    std::vector<Op> setup;
    std::vector<StepId> steps;  // from the lock step on
    int16_t ret;
    Token dst_reads, src_reads;
    std::function<void(const Kernel&)> check;  // the machine after the move
  };
  const std::vector<Case> cases = {
      {"present exclusive folio: moved, its index follows",
       "zram",
       {Write(0, 0x11)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
        StepId::kUffdMovePinFolio, StepId::kUffdMovePresent},
       kPageSize,
       0x11,
       0,
       [](const Kernel& k) {
         const Pte& dst = k.mms[0].pte[1];
         ASSERT_EQ(dst.kind, Pte::Kind::kPresent);
         EXPECT_TRUE(dst.writable) << "pte_mkwrite()";
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         const Page& p = k.pages[dst.page];
         EXPECT_EQ(p.index, 1) << "folio_move_anon_rmap(), src_folio->index";
         EXPECT_FALSE(p.locked);
         EXPECT_EQ(p.refcount, 1) << "the pin is dropped";
         EXPECT_EQ(p.mapcount, 1);
         EXPECT_TRUE(p.anon_exclusive);
       }},
      {"zero page: move_zeropage_pte()",
       "zram",
       {Read(0)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
        StepId::kUffdMoveZeropage},
       kPageSize,
       0,
       0,
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[0].pte[1].page, kZeroPage);
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
       }},
      {"source none: -ENOENT",
       "zram",
       {},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc},
       kENOENT,
       0,
       0,
       [](const Kernel& k) { EXPECT_EQ(k.mms[0].pte[1], Pte{}); }},
      {"destination not none: -EEXIST, nothing moves",
       "zram",
       {Write(0, 0x12), Write(1, 0x13)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst},
       kEEXIST,
       0x13,
       0x12,
       [](const Kernel& k) { EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent); }},
      {"swap PTE, no swap cache folio: move_swap_pte() moves the entry",
       "zram",
       {Write(0, 0x14), Reclaim(0)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
        StepId::kUffdMoveSwapLookup, StepId::kUffdMoveSwap},
       kPageSize,
       0x14,
       0,
       [](const Kernel& k) {
         const Pte& dst = k.mms[0].pte[1];
         ASSERT_EQ(dst.kind, Pte::Kind::kSwap);
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         EXPECT_EQ(k.mms[0].swp_exclusive, 1u << 1) << "the exclusive bit moves with the entry";
         EXPECT_EQ(k.si.swap_map[dst.offset], 1) << "one swap PTE holds the entry still";
         EXPECT_EQ(k.swap_info[0].users, 0) << "put_swap_device()";
       }},
      {"swap PTE with a swap cache folio: locked, its index moved to the "
       "destination",
       "disk",
       {Write(0, 0x15), Reclaim(0)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
        StepId::kUffdMoveSwapLookup, StepId::kUffdMoveSwap},
       kPageSize,
       0x15,
       0,
       [](const Kernel& k) {
         const Pte& dst = k.mms[0].pte[1];
         ASSERT_EQ(dst.kind, Pte::Kind::kSwap);
         const PageId folio = k.swap_cache[dst.offset];
         ASSERT_NE(folio, kNoPage) << "the disk's write leaves the folio cached";
         EXPECT_EQ(k.pages[folio].index, 1);
         EXPECT_FALSE(k.pages[folio].locked);
         EXPECT_EQ(k.pages[folio].refcount, 1) << "only the swap cache's reference is left";
       }},
  };
  for (const std::string& release : kMoveReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(release + ": " + c.name);
      const int failures = FailureCount();
      Schedule s;
      s.config.profile = release;
      s.config.backend = c.backend;
      std::vector<Op> ops = c.setup;
      ops.push_back(UffdMove(0, 1));
      s.cpus = {CpuProgram{0, ops}, CpuProgram{0, {Read(1), Read(0)}}};
      s.decisions = {RunCpu(0), RunCpu(1)};
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t done = d.SnapshotAfter(c.steps.back(), 0);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      EXPECT_FALSE(out.finding.has_value()) << Describe(out);
      ASSERT_TRUE(d.AllFired()) << Describe(out);
      EXPECT_EQ(StepsFrom(out.trace, 0, StepId::kUffdMoveLock), c.steps);
      const Kernel& mid = *d.Snapshot(done);
      EXPECT_EQ(mid.cpus[0].ret, c.ret);
      EXPECT_EQ(mid.mms[0].mmap_readers, 0) << "uffd_move_unlock() in the last step";
      c.check(mid);
      EXPECT_EQ(ReadValue(out.trace, 1, 1), c.dst_reads);
      EXPECT_EQ(ReadValue(out.trace, 1, 2), c.src_reads);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// After fork the parent's folio, or its swap entry, is shared: the move
// refuses it with -EBUSY (the present folio is not PageAnonExclusive, the
// swap PTE not pte_swp_exclusive) and leaves everything where it was.
TEST(UserfaultfdTest, RefusesAFolioForkShares) {
  struct Case {
    std::string name;
    std::vector<Op> setup;
    std::vector<StepId> steps;
  };
  const std::vector<Case> cases = {
      {"present folio",
       {Write(0, 0x21), Fork(1)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
        StepId::kUffdMovePinFolio}},
      {"swap entry",
       {Write(0, 0x21), Reclaim(0), Fork(1)},
       {StepId::kUffdMoveLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc}},
  };
  for (const std::string& release : kMoveReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(release + ": " + c.name);
      const int failures = FailureCount();
      Schedule s;
      s.config.profile = release;
      std::vector<Op> ops = c.setup;
      ops.push_back(UffdMove(0, 1));
      s.cpus = {CpuProgram{0, ops}, CpuProgram{0, {Read(1), Read(0)}}};
      s.decisions = {RunCpu(0), RunCpu(1)};
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t done = d.SnapshotAfter(c.steps.back(), 0);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      EXPECT_FALSE(out.finding.has_value()) << Describe(out);
      ASSERT_TRUE(d.AllFired()) << Describe(out);
      EXPECT_EQ(StepsFrom(out.trace, 0, StepId::kUffdMoveLock), c.steps);
      const Kernel& mid = *d.Snapshot(done);
      EXPECT_EQ(mid.cpus[0].ret, kEBUSY);
      EXPECT_EQ(mid.mms[0].pte[1], Pte{});
      EXPECT_NE(mid.mms[0].pte[0].kind, Pte::Kind::kNone);
      for (PageId id = 0; id < mid.next_page; ++id) EXPECT_FALSE(mid.pages[id].locked);
      EXPECT_EQ(ReadValue(out.trace, 1, 1), 0u);
      EXPECT_EQ(ReadValue(out.trace, 1, 2), 0x21u);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// Before v6.8 userfaultfd_ioctl() has no UFFDIO_MOVE: one step, -EINVAL, and
// nothing changes.
TEST(UserfaultfdTest, UnknownBeforeV68) {
  for (const std::string release : {"v5.15.y", "v5.16", "v6.1.y", "v6.3"}) {
    SCOPED_TRACE(release);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = release;
    s.cpus = {CpuProgram{0, {Write(0, 0x31), UffdMove(0, 1)}}, CpuProgram{0, {Read(1), Read(0)}}};
    s.decisions = {RunCpu(0), RunCpu(1)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t done = d.SnapshotAfter(StepId::kUffdIoctlUnknown, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    EXPECT_EQ(StepsFrom(out.trace, 0, StepId::kUffdIoctlUnknown),
              std::vector<StepId>{StepId::kUffdIoctlUnknown});
    EXPECT_EQ(d.Snapshot(done)->cpus[0].ret, kEINVAL);
    EXPECT_EQ(d.Snapshot(done)->mms[0].mmap_readers, 0);
    EXPECT_EQ(ReadValue(out.trace, 1, 1), 0u);
    EXPECT_EQ(ReadValue(out.trace, 1, 2), 0x31u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// move_pages()'s retry: a write fault replaces the zero page at the source
// between the move's read of the source PTE and its double_pt_lock(), so
// is_pte_pages_stable() fails (-EAGAIN) and the loop goes round again and
// moves the new folio. 6.12.94 sets err from each pass and returns the page
// moved; 6.18.35 and 7.1.5 keep the -EAGAIN in err, go round once more at the
// same address, find the destination taken and return -EEXIST, the page
// moved all the same (docs/catalogue-candidates.md).
TEST(UserfaultfdTest, RetryAfterTheSourceChanged) {
  struct Case {
    std::string profile;
    int16_t ret;
    StepId last;     // the move's last step
    int occurrence;  // its occurrence
  };
  for (const Case& c : {Case{"v6.12.y", kPageSize, StepId::kUffdMovePresent, 1},
                        Case{"v6.18.y", kEEXIST, StepId::kUffdMoveReadDst, 3},
                        Case{"v7.1.y", kEEXIST, StepId::kUffdMoveReadDst, 3}}) {
    SCOPED_TRACE(c.profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.cpus = {CpuProgram{0, {Read(0), UffdMove(0, 1), Read(1), Read(0)}},
              CpuProgram{0, {Write(0, 0x41)}}};
    s.decisions = {Through(0, StepId::kUffdMoveReadSrc), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t done = d.SnapshotAfter(c.last, 0, c.occurrence);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    EXPECT_TRUE(
        InOrder(t, {StepId::kUffdMoveReadSrc, StepId::kWpCopyInstall, StepId::kUffdMoveZeropage,
                    StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc, StepId::kUffdMovePinFolio,
                    StepId::kUffdMovePresent}));
    EXPECT_EQ(Count(t, StepId::kUffdMoveReadDst, 0), c.occurrence == 3 ? 3 : 2);
    EXPECT_EQ(d.Snapshot(done)->cpus[0].ret, c.ret);
    EXPECT_EQ(d.Snapshot(done)->mms[0].mmap_readers, 0);
    EXPECT_EQ(ReadValue(t, 0, 2), 0x41u) << "the write's folio was moved";
    EXPECT_EQ(ReadValue(t, 0, 3), 0u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The move and a swap-in fault at the source, in the same mm (both hold read
// locks). The fault snapshotted the swap PTE; the move takes the entry to the
// destination; the fault's pte_same() fails (out_nomap), it retries, and the
// retry maps the zero page. The destination's swap-in then maps the entry's
// data (7.1.5 finds the fault's folio in the swap cache and gives it its
// index then).
TEST(UserfaultfdTest, MoveBetweenAFaultsSnapshotAndItsPteSame) {
  for (const std::string release : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    SCOPED_TRACE(release);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = release;
    s.cpus = {CpuProgram{0, {Write(0, 0x51), Reclaim(0), Read(0), Read(1)}},
              CpuProgram{0, {UffdMove(0, 1)}}};
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(0, StepId::kFault), RunCpu(1),
                   RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t moved = d.SnapshotAfter(StepId::kUffdMoveSwap, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const Kernel& mid = *d.Snapshot(moved);
    EXPECT_EQ(mid.cpus[1].ret, kPageSize);
    EXPECT_EQ(mid.mms[0].mmap_readers, 1) << "the fault's read lock, beside the move's";
    const long fault = Last(t, StepId::kFault, 0);
    const long move = First(t, StepId::kUffdMoveSwap, 1);
    ASSERT_GE(fault, 0);
    EXPECT_TRUE(InOrder(t, {StepId::kFault, StepId::kUffdMoveSwap, StepId::kPteChanged,
                            StepId::kFault, StepId::kAnonZeroPage, StepId::kUserRead}))
        << Describe(out);
    EXPECT_LT(First(t, StepId::kFault, 0, First(t, StepId::kRemoveMapping)), move);
    EXPECT_EQ(ReadValue(t, 0, 1), 0u) << "the source reads zero after its retry";
    EXPECT_EQ(ReadValue(t, 0, 2), 0x51u) << "the destination holds the data";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The fault holds the swap cache folio locked (7.1.5: swap_cache_alloc_folio()
// then the fault's folio_lock()): the move's folio_trylock() fails, it drops
// the device and sleeps in folio_lock(); the fault maps the folio; the move's
// retry sees the source PTE changed from the one it pinned the folio under
// (-EAGAIN), drops the folio, and moves the now present folio on the next
// pass (then 7.1.5's kept -EAGAIN ends it with -EEXIST).
TEST(UserfaultfdTest, MoveWaitsForTheFaultsFolioLock) {
  const int failures = FailureCount();
  Schedule s;
  s.config.profile = "v7.1.y";
  s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Read(0), Read(1), Read(0)}},
            CpuProgram{0, {UffdMove(0, 1)}}};
  // The fault maps the folio (one step) and reads it (one step) between the
  // move's passes, so that the destination is read only after the move.
  s.decisions = {Through(0, StepId::kRemoveMapping),
                 Through(0, StepId::kLockPage),
                 RunCpu(1),
                 RunCpu(0, 1),
                 RunCpu(1),
                 RunCpu(0, 1),
                 RunCpu(1),
                 RunCpu(0)};
  Executor ex;
  const ReplayOutput out = MustRun(ex, s);
  const std::vector<TraceEvent>& t = out.trace;
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  EXPECT_TRUE(
      InOrder(t, {StepId::kLockPage, StepId::kUffdMoveSwapLookup, StepId::kPteSameInstallPut,
                  StepId::kUffdMoveFolioLock, StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc,
                  StepId::kUffdMoveReadDst, StepId::kUffdMoveReadSrc, StepId::kUffdMovePinFolio,
                  StepId::kUffdMovePresent}))
      << Describe(out);
  EXPECT_EQ(Count(t, StepId::kUffdMoveSwap), 0) << "the entry was mapped before the move";
  EXPECT_EQ(ReadValue(t, 0, 1), 0x61u) << "the fault mapped the data at the source";
  EXPECT_EQ(ReadValue(t, 0, 2), 0x61u) << "then the move took it to the destination";
  EXPECT_EQ(ReadValue(t, 0, 3), 0u);
  EXPECT_EQ(ex.kernel().cpus[1].ret, kEEXIST);
  if (FailureCount() != failures) std::cerr << Describe(out);
}

// The move and reclaim of the folio it moves. Reclaim has the folio locked
// first: the move pins it and sleeps for the lock; reclaim unmaps it to a swap
// PTE and, the move's reference keeping it, leaves it in the swap cache; the
// move's retry gives up on the changed PTE, then moves the swap PTE with the
// cached folio locked, and the folio's index follows. The destination's
// swap-in maps it there.
TEST(UserfaultfdTest, MoveAgainstReclaimOfTheFolio) {
  for (const std::string release : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    SCOPED_TRACE(release);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = release;
    s.cpus = {CpuProgram{0, {Write(0, 0x71), UffdMove(0, 1), Read(1), Read(0)}},
              CpuProgram{0, {Reclaim(0)}}};
    s.decisions = {Through(0, StepId::kUserWrite), Through(1, StepId::kTrylock), RunCpu(0),
                   RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t moved = d.SnapshotAfter(StepId::kUffdMoveSwap, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    EXPECT_TRUE(InOrder(
        t, {StepId::kTrylock, StepId::kUffdMovePinFolio, StepId::kUnmap, StepId::kUffdMoveFolioLock,
            StepId::kUffdMoveReadSrc, StepId::kUffdMoveSwapLookup, StepId::kUffdMoveSwap}))
        << Describe(out);
    const Kernel& mid = *d.Snapshot(moved);
    const Pte& dst = mid.mms[0].pte[1];
    ASSERT_EQ(dst.kind, Pte::Kind::kSwap);
    const PageId folio = mid.swap_cache[dst.offset];
    ASSERT_NE(folio, kNoPage) << "reclaim kept the folio the move held";
    EXPECT_EQ(mid.pages[folio].index, 1);
    EXPECT_EQ(ReadValue(t, 0, 1), 0x71u);
    EXPECT_EQ(ReadValue(t, 0, 2), 0u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The rmap oracle, on states built by hand: a folio whose index is not the
// address that maps it, or a swap cache folio whose index is not that of its
// entry's swap PTE, is reported at quiescence; and a swap-in that would map a
// folio at an address other than its index is reported when it maps it, as
// __page_check_anon_rmap() does.
TEST(UserfaultfdTest, RmapOracleCatchesAWrongIndex) {
  struct Case {
    std::string name;
    std::string backend;
    std::vector<Op> ops;
    StepId after;  // where the index is made wrong
    std::function<PageId(const Kernel&)> folio;
    std::string signature;
  };
  const std::vector<Case> cases = {
      {"a mapped folio",
       "zram",
       {Write(0, 0x81)},
       StepId::kUserWrite,
       [](const Kernel& k) { return k.mms[0].pte[0].page; },
       "rmap:quiescence:page"},
      {"a swap cache folio of a swap PTE",
       "disk",
       {Write(0, 0x82), Reclaim(0)},
       StepId::kBioSubmitWrite,
       [](const Kernel& k) { return k.swap_cache[k.mms[0].pte[0].offset]; },
       "rmap:quiescence:page"},
      {"the swap-in that maps it",
       "disk",
       {Write(0, 0x83), Reclaim(0), Read(0)},
       StepId::kBioSubmitWrite,
       [](const Kernel& k) { return k.swap_cache[k.mms[0].pte[0].offset]; },
       "rmap:do_swap_page:page"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = "v7.1.y";
    s.config.backend = c.backend;
    s.cpus = {CpuProgram{0, c.ops}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    d.After(c.after, 0, [&](Kernel& k) {
      const PageId id = c.folio(k);
      ASSERT_GE(id, 0);
      ASSERT_EQ(k.pages[id].index, 0);
      k.pages[id].index = 3;
    });
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    ASSERT_TRUE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(out.finding->Signature(), c.signature);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
