// kernel/cpu.c and kernel/sched/core.c in the model: taking a CPU down and
// up, moving a task, and what that does to zswap's per-CPU compression
// contexts in each release (mm/zswap.c zswap_cpu_comp_dead(),
// zswap_cpu_comp_prepare(), acomp_ctx_get_cpu_lock()).

#include "model/kernel/cpu.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Count;
using ::swapfuzz::testing::Describe;
using ::swapfuzz::testing::InOrder;
using ::swapfuzz::testing::MustRun;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Write;

Op CpuOffline(uint8_t cpu) { return Op{OpKind::kCpuOffline, 0, cpu, 0}; }
Op CpuOnline(uint8_t cpu) { return Op{OpKind::kCpuOnline, 0, cpu, 0}; }
Op Migrate(uint8_t task, uint8_t cpu) {
  return Op{OpKind::kMigrate, 0, static_cast<uint8_t>(task * kMaxCpus + cpu), 0};
}

Schedule Make(std::vector<std::vector<Op>> programs, const std::string& profile,
              bool zswap = true) {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = "disk";
  s.config.zswap = zswap;
  s.config.page_cluster = 0;
  for (auto& ops : programs) s.cpus.push_back(CpuProgram{0, std::move(ops)});
  return s;
}

// Offline, in each release: the takedown, then zswap's teardown callback
// where the release registers one, with or without the context's mutex.
TEST(CpuHotplugTest, CpuDownRunsTheReleasesTeardown) {
  struct Case {
    const char* profile;
    bool zswap;
    int synced_dead;    // zswap_cpu_comp_dead() under the mutex (12dcb0ef5406)
    int unsynced_dead;  // before it
  };
  const std::vector<Case> cases = {
      {"v6.9", true, 0, 1},     // 5.11 .. 6.12: no mutex in the callback
      {"v6.12.y", true, 1, 0},  // 6.12.94 has the fix
      {"v6.18.y", true, 1, 0},
      {"v7.1.y", true, 0, 0},   // contexts live as long as the pool: no callback
      {"v6.12.y", false, 0, 0}, // no zswap pool, no callback
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + (c.zswap ? " zswap" : ""));
    Executor ex;
    const ReplayOutput out = MustRun(ex, Make({{CpuOffline(1)}, {}}, c.profile, c.zswap));
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(Count(out.trace, StepId::kCpuDownTakedown), 1);
    EXPECT_EQ(Count(out.trace, StepId::kZswapCpuCompDeadSynced), c.synced_dead);
    EXPECT_EQ(Count(out.trace, StepId::kZswapCpuCompDeadUnsynced), c.unsynced_dead);
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.cpu_online, 0b1101);
    EXPECT_EQ(k.zswap.acomp[1].allocated, c.zswap && c.synced_dead + c.unsynced_dead == 0);
  }
}

// The task on the CPU going down moves to the lowest online CPU; the last
// online CPU cannot go down; migrate refuses an offline CPU.
TEST(CpuHotplugTest, TasksFollowTheOnlineCpus) {
  Executor ex;
  const ReplayOutput out = MustRun(
      ex, Make({{CpuOffline(0), CpuOffline(1), CpuOffline(2), CpuOffline(3), Migrate(1, 0)}, {}},
               "v6.12.y"));
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.cpu_online, 0b1000);  // cpu 3 stays: the last online CPU
  EXPECT_EQ(k.cpus[0].on_cpu, 3);
  EXPECT_EQ(k.cpus[1].on_cpu, 3);
  // Three CPUs went down, each with its context's teardown; the fourth was
  // refused, and so was the move to cpu 0.
  EXPECT_EQ(Count(out.trace, StepId::kZswapCpuCompDeadSynced), 3);
  EXPECT_EQ(Count(out.trace, StepId::kSchedSetaffinity), 1);
}

// Online again: the prepare callback gives the CPU a context, and a task
// moved there compresses with it.
TEST(CpuHotplugTest, CpuUpPreparesTheContextBeforeTheCpuIsOnline) {
  Executor ex;
  const ReplayOutput out = MustRun(
      ex, Make({{CpuOffline(2), CpuOnline(2), Migrate(1, 2)}, {Write(0, 0x51), Reclaim(0)}},
               "v6.18.y"));
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  EXPECT_TRUE(InOrder(out.trace, {StepId::kCpuDownTakedown, StepId::kZswapCpuCompDeadSynced,
                                  StepId::kZswapCpuCompPrepare, StepId::kCpuUpOnline,
                                  StepId::kSchedSetaffinity}))
      << Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_TRUE(k.zswap.acomp[2].allocated);
  EXPECT_EQ(k.cpus[1].on_cpu, 2);
  EXPECT_EQ(k.zswap.stored_pages, 1);
}

// Without hotplug ops nothing changes CPU: compression stays one step and
// the traces are those of before the hotplug model.
TEST(CpuHotplugTest, CompressionTakesNoMutexStepWithoutHotplugOps) {
  for (const char* profile : {"v6.9", "v6.12.y", "v7.1.y"}) {
    SCOPED_TRACE(profile);
    Executor ex;
    const ReplayOutput out = MustRun(ex, Make({{Write(0, 0x61), Reclaim(0)}}, profile));
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(Count(out.trace, StepId::kAcompCtxLock), 0);
    EXPECT_EQ(Count(out.trace, StepId::kZswapStoreCompress), 1);
  }
}

// The race of 12dcb0ef5406, second form: task 1 (moved to cpu 0) took cpu
// 0's context in raw_cpu_ptr() and sleeps on its mutex, held by task 0's
// compression. cpu 0 goes down and its teardown waits for the mutex too.
// Task 0 finishes; the teardown runs before task 1 wakes. With the fix task
// 1 finds req NULL, lets go, and compresses with the context of the CPU it
// now runs on; before it, it uses the freed context.
TEST(CpuHotplugTest, SleeperOnAFreedContextRetriesOnlyWithTheFix) {
  for (const bool knob : {false, true}) {
    SCOPED_TRACE(knob ? "zswap_acomp_unsynced_cpu_dead" : "fixed");
    Schedule s = Make({{Write(0, 0x71), Reclaim(0)},
                       {Migrate(1, 0), Write(1, 0x72), Reclaim(1)},
                       {CpuOffline(0)}},
                      "v6.12.y");
    if (knob) s.config.knobs = {{"zswap_acomp_unsynced_cpu_dead", true}};
    s.decisions = {
        Through(1, StepId::kSchedSetaffinity),
        Through(0, StepId::kAcompCtxLock),
        RunCpu(1),  // to its mutex_lock of cpu 0's context: it sleeps
        Through(2, StepId::kCpuDownTakedown),
        RunCpu(2),  // fixed: the teardown sleeps on the mutex as well
        Through(0, StepId::kZswapStoreCompress),
        RunCpu(2),  // the teardown, before task 1 wakes
        RunCpu(1),
        RunCpu(0),
    };
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    if (knob) {
      ASSERT_TRUE(out.finding.has_value()) << Describe(out);
      EXPECT_EQ(out.finding->Signature(), "use-after-free:zswap_store:acomp-ctx");
      continue;
    }
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(Count(out.trace, StepId::kAcompCtxRetry, 1), 1) << Describe(out);
    EXPECT_TRUE(InOrder(out.trace,
                        {StepId::kZswapCpuCompDeadSynced, StepId::kAcompCtxRetry,
                         StepId::kAcompCtxLock, StepId::kZswapStoreCompress}))
        << Describe(out);
    EXPECT_EQ(ex.kernel().zswap.stored_pages, 2);
  }
}

// cpu_hotplug_lock: a cpu_up() of the CPU going down waits until that
// cpu_down()'s teardown has run, here while the teardown itself waits for a
// compression to let go of the context. Without the lock the context would be
// allocated again and then freed under an online CPU, and every compression
// there would retry forever.
TEST(CpuHotplugTest, CpuUpWaitsForTheTeardownOfACpuGoingDown) {
  Schedule s = Make({{Write(0, 0x81), Reclaim(0), Reclaim(0)}, {CpuOffline(0)}, {CpuOnline(0)}},
                    "v6.18.y");
  s.decisions = {
      Through(0, StepId::kAcompCtxLock),
      Through(1, StepId::kCpuDownTakedown),
      RunCpu(1),  // the teardown sleeps on the mutex, holding cpu_hotplug_lock
      RunCpu(2),  // cpu_up() sleeps on cpu_hotplug_lock
      RunCpu(0, 1),
      RunCpu(2),
      RunCpu(1),
      RunCpu(2),
      RunCpu(0),
  };
  Executor ex;
  const ReplayOutput out = MustRun(ex, s);
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  EXPECT_TRUE(InOrder(out.trace, {StepId::kCpuDownTakedown, StepId::kZswapStoreCompress,
                                  StepId::kZswapCpuCompDeadSynced, StepId::kZswapCpuCompPrepare,
                                  StepId::kCpuUpOnline}))
      << Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(k.cpu_online, 0b1111);
  EXPECT_TRUE(k.zswap.acomp[0].allocated);
  EXPECT_EQ(k.cpu_hotplug_owner, -1);
}

// The swap slots cache (v6.9 here) is per CPU: a task moved to cpu 0 takes
// the spare slot cpu 0's cache reserved for task 0, and taking cpu 0 down
// drains that cache (free_slot_cache()), giving its spare back.
TEST(CpuHotplugTest, SlotsCacheIsTheCpusAndCpuDownDrainsIt) {
  {
    SCOPED_TRACE("migrated task uses the cache of the CPU it runs on");
    Schedule s = Make({{Write(0, 0x91), Reclaim(0)}, {Migrate(1, 0), Write(1, 0x92), Reclaim(1)}},
                      "v6.9");
    s.config.slots_cache_size = 2;
    s.decisions = {RunCpu(0), RunCpu(1)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.mms[0].pte[0].offset, 1);
    EXPECT_EQ(k.mms[0].pte[1].offset, 2) << "cpu 0's spare, not a refill of cpu 1's cache";
  }
  {
    SCOPED_TRACE("cpu_down drains the dying CPU's cache");
    Schedule s = Make({{Write(0, 0x93), Reclaim(0)}, {CpuOffline(0)}}, "v6.9");
    s.config.slots_cache_size = 2;
    s.decisions = {RunCpu(0), RunCpu(1)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t before = d.SnapshotAfter(StepId::kZswapStoreInsert, 0);
    const size_t after = d.SnapshotAfter(StepId::kCpuDownTakedown, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    EXPECT_EQ(d.Snapshot(before)->cpus[0].slots_cache.nr, 1);
    EXPECT_EQ(d.Snapshot(before)->si.swap_map[2], SWAP_HAS_CACHE) << "the spare, reserved";
    EXPECT_EQ(d.Snapshot(after)->cpus[0].slots_cache.nr, 0);
    EXPECT_EQ(d.Snapshot(after)->si.swap_map[2], 0) << "given back";
  }
}

// A swap-in fault of the same mm: do_swap_page() -> zswap_load() takes cpu 0's
// context and sleeps in the decompression while cpu 0 goes down. With the
// fix the teardown waits for the mutex and the fault reads its data; before
// it the decompression runs on the freed context.
TEST(CpuHotplugTest, FaultDecompressingWhileItsCpuGoesDown) {
  for (const bool knob : {false, true}) {
    SCOPED_TRACE(knob ? "zswap_acomp_unsynced_cpu_dead" : "fixed");
    Schedule s = Make({{Write(0, 0xb1), Reclaim(0), Read(0)}, {CpuOffline(0)}}, "v6.12.y");
    if (knob) s.config.knobs = {{"zswap_acomp_unsynced_cpu_dead", true}};
    s.decisions = {Through(0, StepId::kAcompCtxLock), Through(0, StepId::kAcompCtxLock), RunCpu(1),
                   RunCpu(0), RunCpu(1)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    if (knob) {
      ASSERT_TRUE(out.finding.has_value()) << Describe(out);
      EXPECT_EQ(out.finding->Signature(), "use-after-free:zswap_load:acomp-ctx");
      continue;
    }
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    EXPECT_TRUE(InOrder(out.trace, {StepId::kCpuDownTakedown, StepId::kZswapLoadDecompress,
                                    StepId::kZswapCpuCompDeadSynced}))
        << Describe(out);
    const long read = ::swapfuzz::testing::Last(out.trace, StepId::kUserRead, 0);
    ASSERT_GE(read, 0);
    EXPECT_EQ(out.trace[read].detail, 0xb1u);
  }
}

// Before 12dcb0ef5406 the teardown does not wait for the mutex: a compression
// that locked cpu 0's context holds the request and buffer cpu 0's teardown
// frees, even once cpu 0 is back up with new ones from the prepare callback.
TEST(CpuHotplugTest, ContextFreedAndReallocatedUnderTheLockIsStillAUseAfterFree) {
  Schedule s = Make({{Write(0, 0xc1), Reclaim(0)}, {CpuOffline(0)}, {CpuOnline(0)}}, "v6.9");
  s.decisions = {Through(0, StepId::kAcompCtxLock), RunCpu(1), RunCpu(2), RunCpu(0)};
  Executor ex;
  const ReplayOutput out = MustRun(ex, s);
  ASSERT_TRUE(out.finding.has_value()) << Describe(out);
  EXPECT_EQ(out.finding->Signature(), "use-after-free:zswap_store:acomp-ctx");
  EXPECT_TRUE(InOrder(out.trace, {StepId::kAcompCtxLock, StepId::kZswapCpuCompDeadUnsynced,
                                  StepId::kZswapCpuCompPrepare, StepId::kZswapStoreCompress}))
      << Describe(out);
}

}  // namespace
}  // namespace swapfuzz
