// model/mm/madvise.cc: madvise(MADV_DONTNEED) and madvise(MADV_FREE) of one
// address, their read lock (the per-VMA lock in 6.18.y and 7.1.y,
// mmap_read_lock() before), and MADV_FREE's lazyfree folios in reclaim
// (model/mm/vmscan.cc).
//
// Each test is a table of runs, one row per release where the releases differ.

#include <algorithm>
#include <functional>
#include <iostream>
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

Schedule OneCpu(std::vector<Op> ops, const std::string& profile) {
  Schedule s;
  s.config.profile = profile;
  s.cpus = {CpuProgram{0, std::move(ops)}};
  return s;
}

// The lock step each release's madvise() takes for these two behaviours.
struct Release {
  std::string profile;
  StepId lock;
};
const std::vector<Release> kReleases = {
    {"v5.16", StepId::kMadviseMmapReadLock},
    {"v6.9", StepId::kMadviseMmapReadLock},
    {"v6.12.y", StepId::kMadviseMmapReadLock},
    {"v6.18.y", StepId::kMadviseLockVma},
    {"v7.1.y", StepId::kMadviseLockVma},
};

// The events of `cpu` from index `from` on, by step id.
std::vector<StepId> StepsOf(const std::vector<TraceEvent>& t, int cpu, size_t from) {
  std::vector<StepId> out;
  for (size_t i = from; i < t.size(); ++i) {
    if (t[i].cpu == cpu) out.push_back(t[i].id);
  }
  return out;
}

// InOrder() with the steps in a vector.
bool InOrderOf(const std::vector<TraceEvent>& t, const std::vector<StepId>& steps, int cpu) {
  size_t want = 0;
  for (size_t i = 0; i < t.size() && want < steps.size(); ++i) {
    if (t[i].id == steps[want] && t[i].cpu == cpu) ++want;
  }
  return want == steps.size();
}

// The value the last read of `cpu` returned.
Token LastRead(const std::vector<TraceEvent>& t, int cpu = 0) {
  const long i = Last(t, StepId::kUserRead, cpu);
  EXPECT_GE(i, 0) << "no read";
  return i >= 0 ? t[i].detail : ~Token{0};
}

// Each op's steps, in kernel order, from the op's first step on, and what it
// leaves behind; then a read of the address.
TEST(MadviseTest, StepsInKernelOrder) {
  struct Case {
    std::string name;
    std::vector<Op> setup;  // ops before the madvise
    Op madvise;
    // The madvise's steps after its lock step. The zap of a present page ends
    // with the tlb's free_swap_cache(); a swap PTE whose slot nothing else
    // holds is freed in the PTL section.
    std::vector<StepId> steps;
    Token read;  // what the address reads afterwards
    std::function<void(const Kernel& mid)> check;  // the machine right after the madvise
  };
  const std::vector<Case> cases = {
      {"MADV_DONTNEED of a swap PTE: clear it, free the slot",
       {Write(0, 0x51), Reclaim(0)}, MadviseDontneed(0), {StepId::kZapOne}, 0,
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
       }},
      {"MADV_DONTNEED of a present page: clear it, free the page",
       {Write(0, 0x52)}, MadviseDontneed(0), {StepId::kZapOne, StepId::kZapFreeSwapCache}, 0,
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         EXPECT_TRUE(k.pages[0].freed);
       }},
      {"MADV_FREE of a swap PTE: clear it, free the slot",
       {Write(0, 0x53), Reclaim(0)}, MadviseFree(0), {StepId::kMadvFreeSwapPte}, 0,
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[0].pte[0], Pte{});
         EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
         EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
       }},
      {"MADV_FREE of a present page: clean it and make it lazyfree; it stays mapped",
       {Write(0, 0x54)}, MadviseFree(0), {StepId::kMadvFreeLazyfree}, 0x54,
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
         const Page& p = k.pages[0];
         EXPECT_FALSE(p.swapbacked) << "lazyfree";
         EXPECT_FALSE(p.dirty);
         EXPECT_FALSE(p.locked);
         EXPECT_EQ(p.refcount, 1);
         EXPECT_EQ(k.mms[0].logical[0], 0x54u);
         EXPECT_EQ(k.mms[0].may_read_zero, 1u) << "the address may read zero from here";
       }},
      {"MADV_FREE of an untouched address: nothing to do",
       {}, MadviseFree(0), {StepId::kMadvFreeNothing}, 0,
       [](const Kernel& k) { EXPECT_EQ(k.mms[0].pte[0], Pte{}); }},
  };
  for (const Release& r : kReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(r.profile + ": " + c.name);
      const int failures = FailureCount();
      std::vector<Op> ops = c.setup;
      ops.push_back(c.madvise);
      ops.push_back(Read(0));
      Schedule s = OneCpu(ops, r.profile);
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t locked = d.SnapshotAfter(r.lock, 0);
      const size_t done = d.SnapshotAfter(c.steps.empty() ? r.lock : c.steps.back(), 0);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      EXPECT_FALSE(out.finding.has_value());
      ASSERT_TRUE(d.AllFired()) << Describe(out);
      const long lock = First(out.trace, r.lock, 0);
      ASSERT_GE(lock, 0);
      std::vector<StepId> want = {r.lock};
      want.insert(want.end(), c.steps.begin(), c.steps.end());
      std::vector<StepId> got = StepsOf(out.trace, 0, lock);
      got.resize(std::min(got.size(), want.size()));
      EXPECT_EQ(got, want);
      EXPECT_EQ(Count(out.trace, StepId::kMmapWriteLock), 0) << "madvise takes no write lock";
      // The lock is a reader's: held from the lock step to the walk's last step.
      EXPECT_EQ(d.Snapshot(locked)->mms[0].mmap_readers, 1);
      EXPECT_FALSE(d.Snapshot(locked)->mms[0].mmap_writer);
      EXPECT_EQ(d.Snapshot(done)->mms[0].mmap_readers, 0);
      c.check(*d.Snapshot(done));
      EXPECT_EQ(LastRead(out.trace), c.read);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// MADV_FREE of a folio still in the swap cache, mapped once: the child swapped
// the shared entry in and unmapped it, so the parent's swap-in found the folio
// cached and the slot keeps it after mapping (v6.x keeps a read fault's folio
// cached unless swap is full). folio_free_swap() drops the cache under the
// folio lock, then the folio is cleaned and made lazyfree; a held folio lock
// skips it.
TEST(MadviseTest, FreeOfASwapCacheFolio) {
  struct Case {
    std::string name;
    bool folio_locked;  // another context holds the folio lock at the MADV_FREE
  };
  for (const Case& c : {Case{"folio_trylock succeeds", false},
                        Case{"folio_trylock fails: skipped", true}}) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = "v6.12.y";
    s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Fork(1), Read(0), MadviseFree(0),
                             Read(0)}},
              CpuProgram{1, {Read(0), Munmap(0)}}};
    s.decisions = {Through(0, StepId::kFork), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    PageId page = kNoPage;
    if (c.folio_locked) {  // the other holder lets go after the MADV_FREE
      d.After(StepId::kMadvFreeSkipFolio, 0, [&](Kernel& k) {
        k.pages[page].locked = false;
        k.pages[page].lock_owner = -1;
      });
    }
    d.After(StepId::kMadviseMmapReadLock, 0, [&](Kernel& k) {
      page = k.mms[0].pte[0].page;
      ASSERT_GE(page, 0);
      ASSERT_TRUE(k.pages[page].swapcache) << "the swap-in left the folio cached";
      ASSERT_EQ(k.pages[page].mapcount, 1);
      if (c.folio_locked) {
        k.pages[page].locked = true;  // as a concurrent lock holder would
        k.pages[page].lock_owner = 1;
      }
    });
    const size_t after = d.SnapshotAfter(
        c.folio_locked ? StepId::kMadvFreeSkipFolio : StepId::kMadvFreeLazyfree, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const Kernel& mid = *d.Snapshot(after);
    const Page& p = mid.pages[page];
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(LastRead(out.trace), 0x61u);
    if (c.folio_locked) {
      EXPECT_TRUE(p.swapcache);
      EXPECT_TRUE(p.swapbacked);
      EXPECT_EQ(mid.swap_info[0].inuse_pages, 1);
    } else {
      EXPECT_FALSE(p.swapcache) << "folio_free_swap()";
      EXPECT_EQ(mid.swap_info[0].inuse_pages, 0);
      EXPECT_FALSE(p.dirty) << "folio_clear_dirty() after folio_free_swap()'s folio_set_dirty()";
      EXPECT_FALSE(p.swapbacked);
      EXPECT_FALSE(p.locked);
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// A fault and MADV_DONTNEED of the same mm run at once: both hold read locks.
// The fault snapshotted the swap PTE and has the folio locked; the zap clears
// the PTE and drops the entry (the folio lock keeps __try_to_reclaim_swap()
// off the folio); the fault's pte_same() fails, it drops the folio and
// retries, and the retry maps the zero page. munmap, under mmap_lock for
// write, instead waits for the whole fault.
TEST(MadviseTest, DontneedRunsBesideAFaultOfTheSameMm) {
  struct Case {
    std::string profile;
    Op op;
    bool concurrent;  // the op runs while the fault is in flight
  };
  const std::vector<Case> cases = {
      {"v6.12.y", MadviseDontneed(0), true},
      {"v6.18.y", MadviseDontneed(0), true},
      {"v7.1.y", MadviseDontneed(0), true},
      {"v7.1.y", Munmap(0), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile + ": " + std::string(OpName(c.op.kind)));
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.cpus = {CpuProgram{0, {Write(0, 0x71), Reclaim(0), Read(0)}}, CpuProgram{0, {c.op}}};
    // Stop the fault with the folio read and locked, before its PTL section.
    s.decisions = {Through(0, StepId::kLockPage), RunCpu(1), RunCpu(0), RunCpu(1)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t fault_mid = d.SnapshotAfter(StepId::kLockPage, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const Kernel& mid = *d.Snapshot(fault_mid);
    ASSERT_EQ(mid.mms[0].pte[0].kind, Pte::Kind::kSwap);
    ASSERT_EQ(mid.mms[0].mmap_readers, 1) << "the fault holds mmap_lock for read";

    const long lock = First(t, StepId::kLockPage, 0);
    const long zap = First(t, StepId::kZapOne, 1);
    const long read = Last(t, StepId::kUserRead, 0);
    ASSERT_GE(lock, 0);
    ASSERT_GE(zap, 0);
    ASSERT_GE(read, 0);
    if (c.concurrent) {
      // The zap ran inside the fault, and the fault saw its PTE change.
      EXPECT_LT(lock, zap);
      EXPECT_LT(zap, First(t, StepId::kPteChanged, 0)) << Describe(out);
      EXPECT_EQ(Count(t, StepId::kPteSameInstall) + Count(t, StepId::kPteSameInstallPut), 0);
      EXPECT_TRUE(InOrder(t, {StepId::kPteChanged, StepId::kFault, StepId::kAnonZeroPage,
                              StepId::kUserRead},
                          0));
      EXPECT_EQ(t[read].detail, 0u) << "the retried fault maps the zero page";
      EXPECT_EQ(t[read].page, kZeroPage);
      // Both read locks were held at once.
      const long madv_lock =
          First(t, c.profile == "v6.12.y" ? StepId::kMadviseMmapReadLock : StepId::kMadviseLockVma,
                1);
      ASSERT_GE(madv_lock, 0);
      EXPECT_LT(lock, madv_lock);
    } else {
      // munmap waited for the fault, which mapped the data.
      EXPECT_LT(read, zap);
      EXPECT_EQ(t[read].detail, 0x71u);
      EXPECT_EQ(Count(t, StepId::kPteChanged), 0);
    }
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.mms[0].mmap_readers, 0);
    EXPECT_FALSE(k.mms[0].mmap_writer);
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0) << "the slot is freed either way";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// Reclaim of a lazyfree folio: no add_to_swap; try_to_unmap_one() discards a
// clean one (the address reads zero, no slot is used) and puts a redirtied
// one back, swap-backed again (the address reads the new value, and the next
// reclaim swaps it out as usual).
TEST(MadviseTest, ReclaimOfALazyfreeFolio) {
  struct Case {
    std::string name;
    std::vector<Op> ops;  // CPU 0's program; ends with a read of va 0
    Token read;
    std::vector<StepId> steps;  // in this order, by CPU 0
    std::vector<StepId> absent;
  };
  const std::vector<Case> cases = {
      {"clean: discarded, reads zero",
       {Write(0, 0x81), MadviseFree(0), Reclaim(0), Read(0)}, 0,
       {StepId::kMadvFreeLazyfree, StepId::kIsolate, StepId::kTrylock,
        StepId::kUnmapLazyfreeDiscard, StepId::kLazyfreeFreeze, StepId::kFault,
        StepId::kAnonZeroPage, StepId::kUserRead},
       {StepId::kAddToSwap, StepId::kFolioAllocSwap, StepId::kUnmap, StepId::kPageoutStart}},
      {"redirtied: kept and swap-backed, reads the new value",
       {Write(0, 0x81), MadviseFree(0), Write(0, 0x82), Reclaim(0), Read(0)}, 0x82,
       {StepId::kMadvFreeLazyfree, StepId::kUserWrite, StepId::kIsolate, StepId::kTrylock,
        StepId::kUnmapLazyfreeRemap, StepId::kUserRead},
       {StepId::kUnmapLazyfreeDiscard, StepId::kLazyfreeFreeze, StepId::kAnonZeroPage}},
      {"redirtied, then reclaimed again: swapped out and in",
       {Write(0, 0x81), MadviseFree(0), Write(0, 0x83), Reclaim(0), Reclaim(0), Read(0)}, 0x83,
       {StepId::kUnmapLazyfreeRemap, StepId::kIsolate, StepId::kUnmap, StepId::kFault,
        StepId::kUserRead},
       {StepId::kUnmapLazyfreeDiscard}},
      {"a write_zero after MADV_FREE is a write too",
       {Write(0, 0x81), MadviseFree(0), WriteZero(0), Reclaim(0), Read(0)}, 0,
       {StepId::kUnmapLazyfreeRemap, StepId::kUserRead},
       {StepId::kUnmapLazyfreeDiscard}},
  };
  for (const Release& r : kReleases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(r.profile + ": " + c.name);
      const int failures = FailureCount();
      Executor ex;
      const ReplayOutput out = MustRun(ex, OneCpu(c.ops, r.profile));
      EXPECT_FALSE(out.finding.has_value());
      EXPECT_TRUE(InOrderOf(out.trace, c.steps, 0));
      for (StepId absent : c.absent) {
        EXPECT_EQ(Count(out.trace, absent), 0) << StepName(absent);
      }
      EXPECT_EQ(LastRead(out.trace), c.read);
      const Kernel& k = ex.kernel();
      if (c.read == 0 && c.ops[2].kind == OpKind::kReclaim) {
        EXPECT_TRUE(k.pages[0].freed) << "the discarded folio was freed";
        EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
        EXPECT_EQ(k.mms[0].logical[0], 0u) << "the read saw the zero: the data is gone";
        EXPECT_EQ(k.mms[0].may_read_zero, 0u);
      } else {
        EXPECT_EQ(k.mms[0].may_read_zero, 0u) << "the write ended MADV_FREE's effect";
        const PageId page = k.mms[0].pte[0].page;
        ASSERT_GE(page, 0);
        EXPECT_TRUE(k.pages[page].swapbacked);
      }
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// A lazyfree folio that someone else holds a reference to when reclaim
// unmaps it: the child's write fault is copying it (do_wp_page() holds the old
// folio). The MADV_FREE page check puts the PTE back; 5.15.215 .. 6.12.94 make
// the folio swap-backed again, 6.18.35 and 7.1.5 leave it lazyfree.
TEST(MadviseTest, ReferencedLazyfreeFolioIsKept) {
  struct Case {
    std::string profile;
    StepId fork;
    bool stays_lazyfree;
  };
  for (const Case& c : {Case{"v6.9", StepId::kFork, false}, Case{"v6.12.y", StepId::kFork, false},
                        Case{"v6.18.y", StepId::kFork, true},
                        Case{"v7.1.y", StepId::kForkDupDirect, true}}) {
    SCOPED_TRACE(c.profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.cpus = {CpuProgram{0, {Write(0, 0x91), MadviseFree(0), Fork(1), Reclaim(0), Read(0)}},
              CpuProgram{1, {Write(0, 0x92)}}};
    s.decisions = {Through(0, c.fork), Through(1, StepId::kWpCopyStart), RunCpu(0),
                   RunCpu(1)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t kept = d.SnapshotAfter(StepId::kUnmapLazyfreeRemap, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    const Kernel& mid = *d.Snapshot(kept);
    EXPECT_EQ(mid.pages[0].swapbacked, !c.stays_lazyfree);
    EXPECT_EQ(mid.mms[0].pte[0].page, 0) << "the PTE is back";
    EXPECT_EQ(Count(out.trace, StepId::kUnmapLazyfreeDiscard), 0);
    EXPECT_EQ(LastRead(out.trace, 0), 0x91u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// MADV_FREE cleans the PTE even when it cannot make the folio lazyfree (here
// reclaim has it isolated, then fails for want of a swap device). A fork
// copies that clean PTE, and a later MADV_FREE of the parent's mapping makes
// the shared folio lazyfree: reclaim discards it from both mms (both PTEs
// clean, refcount = isolation + mappings), and the child reads zero. The
// child inherited an address MADV_FREE'd and not written since, so zero is
// one of the two values it may read; the oracle must allow it.
TEST(MadviseTest, ForkInheritsAnAddressThatMayReadZero) {
  Schedule s;
  s.config.profile = "v7.1.y";
  s.cpus = {CpuProgram{0, {Write(0, 0xa1), Reclaim(0), Fork(1), MadviseFree(0), Reclaim(0)}},
            CpuProgram{0, {MadviseFree(0)}},
            CpuProgram{0, {Op{OpKind::kSwapoff, 0, 0, 0}}}};
  s.decisions = {Through(0, StepId::kIsolate), RunCpu(1), RunCpu(2), RunCpu(0)};
  Executor ex;
  const ReplayOutput out = MustRun(ex, s);
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  EXPECT_EQ(Count(out.trace, StepId::kUnmapLazyfreeDiscard), 2) << Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.mms[1].pte[0].kind, Pte::Kind::kNone) << "the child's copy was discarded";
  EXPECT_TRUE((k.mms[1].may_read_zero >> 0) & 1u) << "inherited from the parent's MADV_FREE";
}

// The data-integrity oracle after MADV_FREE: a discarded address reads zero,
// which it allows; a write after MADV_FREE must survive. Losing it (here the
// machine forgets the redirtying store, as a model that discarded a
// redirtied folio would) is reported when the address reads zero.
TEST(MadviseTest, OracleAllowsZeroOnlyUntilTheNextWrite) {
  struct Case {
    std::string name;
    bool forget_write;  // clear the folio's dirty flag after the second write
    std::string finding;
  };
  for (const Case& c : {Case{"the write kept", false, ""},
                        Case{"the write lost", true, "data-integrity:"}}) {
    SCOPED_TRACE(c.name);
    Schedule s = OneCpu({Write(0, 0xa1), MadviseFree(0), Write(0, 0xa2), Reclaim(0), Read(0)},
                        "v7.1.y");
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    if (c.forget_write) {
      d.After(StepId::kUserWrite, 0, [](Kernel& k) { k.pages[0].dirty = false; }, 2);
    }
    const ReplayOutput out = MustRunProbed(ex, s, d);
    if (c.finding.empty()) {
      EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    } else {
      ASSERT_TRUE(out.finding.has_value()) << Describe(out);
      EXPECT_EQ(out.finding->Signature().rfind(c.finding, 0), 0u) << out.finding->Signature();
    }
  }
}

}  // namespace
}  // namespace swapfuzz
