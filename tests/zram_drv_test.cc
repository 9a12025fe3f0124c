// drivers/block/zram/zram_drv.c: how the zram table stores pages (ZRAM_SAME
// for zero-filled pages, a compressed object otherwise), the "read without
// previous write" warning, zram_slot_free_notify()'s trylock, which loses
// the free (miss_free) while a reader holds the slot lock between the two
// halves of a read, and 7.1.5's batched writeback (v7.1.y): its steps, the
// data on the backing device, ZRAM_PP_SLOT, and wb_ctl's lifetime against
// zram_writeback_endio() (bf62f69574b1, knob zram_wb_endio_uaf).

#include "model/drivers/block/zram/zram_drv.h"

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

using State = ZramSlot::State;

// --- the primitives, called directly ---

TEST(ZramDrvTest, WriteStoresByContent) {
  struct Case {
    std::string name;
    State before;
    Token old_data;
    Token data;
    State after;
    int stored_pages;
  };
  const Case cases[] = {
      {"zero-filled page into an empty slot", State::kEmpty, 0, 0, State::kSame, 0},
      {"normal page into an empty slot", State::kEmpty, 0, 0x1234, State::kStored, 1},
      {"zero-filled page over a stored object", State::kStored, 0x99, 0, State::kSame, 0},
      {"normal page over a stored object", State::kStored, 0x99, 0x1234, State::kStored, 1},
      {"normal page over a same-filled slot", State::kSame, 0, 0x1234, State::kStored, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    constexpr Offset kOff = 3;
    k.si.generation[kOff] = 7;
    ZramSlot& slot = k.zram.table[kOff];
    slot.state = c.before;
    slot.data = c.old_data;
    slot.generation = 6;
    if (c.before == State::kStored) k.zram.stored_pages = 1;
    const PageId page = alloc_page(k);
    k.pages[page].data = c.data;
    zram_write(k, kOff, page);
    EXPECT_EQ(slot.state, c.after);
    EXPECT_EQ(slot.data, c.data);
    EXPECT_EQ(slot.generation, 7u) << "tagged with the slot's current owner";
    EXPECT_EQ(k.zram.stored_pages, c.stored_pages);
    EXPECT_EQ(slot.lock_holder, -1);
    EXPECT_FALSE(k.findings.fatal);
  }
}

TEST(ZramDrvTest, ReadHoldsTheSlotLockOnlyForAStoredObject) {
  struct Case {
    std::string name;
    State state;
    Token data;
    bool served_at_once;  // zram_read_begin() returns true, lock not held
    int diagnostics;
  };
  const Case cases[] = {
      {"stored object: lock, then decompress and unlock", State::kStored, 0x4242, false, 0},
      {"same-filled: served at once", State::kSame, 0, true, 0},
      {"empty: served as zeros, with the warning", State::kEmpty, 0, true, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    k.current_cpu = 2;
    Cpu& cpu = k.cpus[2];
    constexpr Offset kOff = 5;
    k.zram.table[kOff].state = c.state;
    k.zram.table[kOff].data = c.data;
    const PageId page = alloc_page(k);
    k.pages[page].data = 0xdead;
    EXPECT_EQ(zram_read_begin(k, cpu, kOff, page), c.served_at_once);
    if (c.served_at_once) {
      EXPECT_EQ(k.zram.table[kOff].lock_holder, -1);
      EXPECT_EQ(k.pages[page].data, c.data);
    } else {
      EXPECT_EQ(k.zram.table[kOff].lock_holder, 2);
      EXPECT_TRUE(zram_slot_busy(k, k.cpus[0], kOff)) << "busy for another CPU";
      EXPECT_FALSE(zram_slot_busy(k, cpu, kOff)) << "not for the holder";
      zram_read_finish(k, cpu, kOff, page);
      EXPECT_EQ(k.zram.table[kOff].lock_holder, -1);
      EXPECT_EQ(k.pages[page].data, c.data);
      EXPECT_FALSE(zram_slot_busy(k, k.cpus[0], kOff));
    }
    EXPECT_EQ(k.findings.diagnostics, c.diagnostics);
    EXPECT_FALSE(k.findings.fatal);
  }
}

TEST(ZramDrvTest, SlotFreeNotifyOnlyTrylocks) {
  struct Case {
    std::string name;
    int8_t lock_holder;
    bool freed;
  };
  const Case cases[] = {
      {"slot lock free: the object is freed", -1, true},
      {"slot lock held by another CPU: miss_free", 1, false},
      {"slot lock held by the notifying CPU itself: miss_free", 0, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    constexpr Offset kOff = 2;
    ZramSlot& slot = k.zram.table[kOff];
    slot.state = State::kStored;
    slot.data = 0x77;
    slot.lock_holder = c.lock_holder;
    k.zram.stored_pages = 1;
    zram_slot_free_notify(k, kOff);
    EXPECT_EQ(slot.state, c.freed ? State::kEmpty : State::kStored);
    EXPECT_EQ(k.zram.miss_free, c.freed ? 0 : 1);
    EXPECT_EQ(k.zram.stored_pages, c.freed ? 0 : 1);
    EXPECT_EQ(slot.lock_holder, c.lock_holder) << "the notify must not touch the lock";
  }
}

// --- through the swap path ---

// A page reclaimed between do_anonymous_page()'s install and the user's store
// is still zero-filled: zram keeps it as ZRAM_SAME and reads it back in one
// step, without the empty-read warning. A written page is a stored object,
// read back in two steps with the slot lock held in between.
TEST(ZramDrvTest, PagesRoundTripThroughZram) {
  struct Case {
    std::string name;
    std::vector<Op> user;   // CPU 0
    StepId reclaim_after;   // CPU 1 reclaims va 0 right after CPU 0's step
    State stored_as;
    Token stored_data;
    int stored_pages;
  };
  const std::vector<Case> cases = {
      {"zero-filled page", {Write(0, 0x51)}, StepId::kAnonInstall, State::kSame, 0, 0},
      {"written page", {Write(0, 0x52), Read(0)}, StepId::kUserWrite, State::kStored, 0x52, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.cpus = {CpuProgram{0, c.user}, CpuProgram{0, {Reclaim(0)}}};
    s.decisions = {Through(0, c.reclaim_after), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t written = d.SnapshotAfter(StepId::kZramWrite, 1);
    const size_t reading = d.SnapshotAfter(StepId::kZramReadLock, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value());
    EXPECT_EQ(out.result.diagnostics, 0) << "no zram-empty-read";
    ASSERT_TRUE(d.AllFired());

    const Kernel& w = *d.Snapshot(written);
    EXPECT_EQ(w.zram.table[1].state, c.stored_as);
    EXPECT_EQ(w.zram.table[1].data, c.stored_data);
    EXPECT_EQ(w.zram.stored_pages, c.stored_pages);

    const Kernel& r = *d.Snapshot(reading);
    const long read = First(t, StepId::kZramReadLock, 0);
    ASSERT_GE(read, 0);
    EXPECT_EQ(t[read].detail, c.stored_data);
    if (c.stored_as == State::kSame) {
      EXPECT_EQ(r.zram.table[1].lock_holder, -1);
      EXPECT_EQ(Count(t, StepId::kZramReadCopy), 0) << "a same-filled slot is read in one step";
    } else {
      EXPECT_EQ(r.zram.table[1].lock_holder, 0) << "held until the decompress step";
      EXPECT_TRUE(InOrder(t, {StepId::kZramReadLock, StepId::kZramReadCopy}, 0));
    }
    const long install = First(t, StepId::kPteSameInstall, 0);
    ASSERT_GE(install, 0);
    EXPECT_EQ(t[install].detail, c.stored_data) << "the page holds what zram stored";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// A swapped-out page whose zram slot is in `state` (the user last wrote 0).
void SwappedOutZero(Kernel& k, State state) {
  k.mms[0].pte[0] = Pte{Pte::Kind::kSwap, false, kNoPage, 1};
  k.si.swap_map[1] = 1;
  ++k.si.generation[1];
  k.swap_info[0].inuse_pages = 1;
  k.zram.table[1].state = state;
  k.zram.table[1].generation = k.si.generation[1];
}

// "Page %d read from zram without previous write": a diagnostic by default,
// a failure with zram_empty_read_fatal (RunConfig, or ScheduleConfig through
// Resolve()).
TEST(ZramDrvTest, EmptySlotReadIsDiagnosed) {
  struct Case {
    std::string name;
    State state;
    bool run_config_fatal;
    bool schedule_config_fatal;
    int diagnostics;
    std::string fatal_signature;  // "" for none
  };
  const std::string kEmptyRead = "zram-empty-read:__zram_bvec_read:zram-slot";
  const std::vector<Case> cases = {
      {"same-filled slot", State::kSame, false, false, 0, ""},
      {"same-filled slot, fatal configured", State::kSame, true, true, 0, ""},
      {"empty slot", State::kEmpty, false, false, 1, ""},
      {"empty slot, RunConfig.zram_empty_read_fatal", State::kEmpty, true, false, 0,
       kEmptyRead},
      {"empty slot, ScheduleConfig.zram_empty_read_fatal", State::kEmpty, false, true, 0,
       kEmptyRead},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScheduleConfig sc;
    sc.zram_empty_read_fatal = c.schedule_config_fatal;
    absl::StatusOr<RunConfig> config = Resolve(sc);
    ASSERT_TRUE(config.ok());
    if (c.run_config_fatal) config->zram_empty_read_fatal = true;
    const std::vector<CpuProgram> programs = {CpuProgram{0, {Read(0)}}};
    Executor ex;
    ex.Reset(*config, programs);
    SwappedOutZero(ex.mutable_kernel(), c.state);
    DefaultDecider decider;
    std::vector<TraceEvent> trace;
    const RunResult result = ex.Run(decider, RunOptions{.trace = &trace});
    const Kernel& k = ex.kernel();
    EXPECT_EQ(result.diagnostics, c.diagnostics);
    if (c.fatal_signature.empty()) {
      EXPECT_EQ(result.finding, nullptr)
          << result.finding->Signature() << " " << result.finding->message.data();
      // The read completed and mapped a zero-filled page.
      EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
      EXPECT_EQ(k.pages[k.mms[0].pte[0].page].data, 0u);
    } else {
      ASSERT_NE(result.finding, nullptr);
      EXPECT_EQ(result.finding->Signature(), c.fatal_signature);
      EXPECT_TRUE(result.finding->fatal);
      EXPECT_EQ(trace.back().id, StepId::kZramReadLock) << "the run stops at the read";
    }
    if (c.diagnostics > 0) {
      ASSERT_GE(k.findings.nkept, 1);
      EXPECT_EQ(k.findings.kept[0].Signature(), kEmptyRead);
      EXPECT_FALSE(k.findings.kept[0].fatal);
      EXPECT_FALSE(k.findings.fatal);
    }
  }
}

// zram_slot_free_notify() racing a read: CPU 1 and CPU 0 are threads of one
// mm faulting on the same swap entry (count 1, so both skip the swap cache
// where nothing pins the entry). CPU 1 reads first; CPU 0 then takes the slot
// lock for its read ("zram_slot_lock, read meta"); CPU 1 installs its page and
// swap_free() frees the slot, whose notify finds the slot lock busy: zram
// counts a miss_free and keeps the object. With the 6.8+ pin, CPU 0 cannot
// start its read, so nothing is missed.
TEST(ZramDrvTest, FreeNotifyDuringAReadIsMissed) {
  struct Case {
    std::string name;
    std::string profile;
    std::vector<Segment> decisions;
    int miss_free;
    State at_install;  // CPU 1's swap_free has run
    uint8_t map_at_install;
    State at_end;
  };
  const std::vector<Segment> contended = {
      Through(0, StepId::kRemoveMapping), Through(1, StepId::kZramReadCopy),
      Through(0, StepId::kZramReadLock), Through(1, StepId::kPteSameInstall)};
  const std::vector<Segment> uncontended = {Through(0, StepId::kRemoveMapping),
                                            Through(1, StepId::kPteSameInstall)};
  const std::vector<Case> cases = {
      {"v6.3: CPU 0 holds the slot lock mid-read", "v6.3", contended, 1, State::kStored, 0,
       State::kStored},
      {"v5.16: CPU 0 holds the slot lock mid-read", "v5.16", contended, 1, State::kStored, 0,
       State::kStored},
      {"v6.3: no concurrent read", "v6.3", uncontended, 0, State::kEmpty, 0, State::kEmpty},
      {"mainline: the pin keeps CPU 0 out of the read", "v6.9", contended, 0,
       State::kStored, SWAP_HAS_CACHE, State::kEmpty},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Read(0)}}, CpuProgram{0, {Read(0)}}};
    s.decisions = c.decisions;
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t installed = d.SnapshotAfter(StepId::kPteSameInstall, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    EXPECT_EQ(out.result.diagnostics, 0);
    ASSERT_TRUE(d.AllFired());

    const Kernel& mid = *d.Snapshot(installed);
    EXPECT_EQ(mid.si.swap_map[1], c.map_at_install);
    EXPECT_EQ(mid.zram.miss_free, c.miss_free);
    EXPECT_EQ(mid.zram.table[1].state, c.at_install);
    if (c.miss_free > 0) {
      EXPECT_EQ(mid.zram.table[1].lock_holder, 0) << "CPU 0 is between the two read steps";
      EXPECT_EQ(mid.zram.table[1].data, 0x61u);
      // CPU 0 still reads the right data from the leaked object, then finds
      // the PTE changed.
      const long copy = First(t, StepId::kZramReadCopy, 0);
      ASSERT_GE(copy, 0);
      EXPECT_EQ(t[copy].detail, 0x61u);
      EXPECT_GE(First(t, StepId::kPteChanged, 0), 0);
    }
    EXPECT_EQ(k.zram.miss_free, c.miss_free);
    EXPECT_EQ(k.zram.table[1].state, c.at_end);
    EXPECT_EQ(k.zram.table[1].lock_holder, -1);
    EXPECT_EQ(k.zram.stored_pages, c.at_end == State::kStored ? 1 : 0);
    EXPECT_EQ(k.si.swap_map[1], 0);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// --- the post-processing writebacks of 6.18.35 and 7.1.5 (Features::ZramWriteback) ---

Op Idle() { return Op{OpKind::kZramIdle, 0, 0, 0}; }
// zram_writeback: mode 0 "idle", 1 "huge".
Op Writeback(uint8_t mode) { return Op{OpKind::kZramWriteback, 0, mode, 0}; }

Schedule ZramSchedule(const std::string& profile, std::vector<std::vector<Op>> programs,
                      std::vector<Segment> decisions = {}) {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = "zram";
  s.config.page_cluster = 0;
  for (std::vector<Op>& ops : programs) s.cpus.push_back(CpuProgram{0, std::move(ops)});
  s.decisions = std::move(decisions);
  return s;
}

struct Step {
  int cpu;
  StepId id;
  Offset offset;
  friend bool operator==(const Step&, const Step&) = default;
};

std::string StepsString(const std::vector<Step>& steps) {
  std::string out;
  for (const Step& st : steps) {
    out += "  cpu " + std::to_string(st.cpu) + " " + std::string(StepName(st.id)) + " (offset " +
           std::to_string(st.offset) + ")\n";
  }
  return out;
}

// The steps after "echo all > idle": the writeback's, and the interrupt's.
std::vector<Step> StepsAfterIdle(const std::vector<TraceEvent>& t) {
  std::vector<Step> out;
  const long idle = First(t, StepId::kZramIdle);
  for (size_t i = idle < 0 ? t.size() : static_cast<size_t>(idle) + 1; i < t.size(); ++i) {
    out.push_back(Step{t[i].cpu, t[i].id, t[i].offset});
  }
  return out;
}

// Two idle slots written back, with nothing in the way, by the default
// policy: v7.1.y scans both (ZRAM_PP_SLOT), submits both bios (the higher
// index first: list_add() puts the slot placed last first in its bucket) and
// sleeps on done_wait; the interrupt ends both (list_add, then wake_up, each a
// step); the writer takes them off the done list (the last added first),
// marks each ZRAM_WB and drops its ZRAM_PP_SLOT, and frees wb_ctl with
// kfree_rcu(). v6.18.y scans the same way, then writes each slot back with
// submit_bio_wait() between two slot lock sections; v6.12.y keeps v5.16's one
// slot at a time.
TEST(ZramDrvTest, WritebackStepsByRelease) {
  using S = StepId;
  struct Case {
    std::string name;
    std::string profile;
    std::vector<Step> steps;
  };
  const std::vector<Case> cases = {
      {"v7.1.y: batched, asynchronous bios",
       "v7.1.y",
       {{0, S::kZramWbInit, kNoOffset},
        {0, S::kZramWbScan, 1},
        {0, S::kZramWbScan, 2},
        {0, S::kZramWbSubmit, 2},
        {0, S::kZramWbSubmit, 1},
        {kIrqCpu, S::kZramWbEndioAdd, 2},
        {kIrqCpu, S::kZramWbEndioWake, kNoOffset},
        {kIrqCpu, S::kZramWbEndioAdd, 1},
        {kIrqCpu, S::kZramWbEndioWake, kNoOffset},
        {0, S::kZramWbTakeDone, 1},
        {0, S::kZramWbCompleteWb, 1},
        {0, S::kZramWbReleasePp, 1},
        {0, S::kZramWbTakeDone, 2},
        {0, S::kZramWbCompleteWb, 2},
        {0, S::kZramWbReleasePp, 2},
        {0, S::kZramWbCtlKfreeRcu, kNoOffset}}},
      {"v6.18.y: one scan, then each slot with submit_bio_wait()",
       "v6.18.y",
       {{0, S::kZramWbPpInit, kNoOffset},
        {0, S::kZramWbScan, 1},
        {0, S::kZramWbScan, 2},
        {0, S::kZramWbPpRead, 2},
        {0, S::kZramWbPpReadUnlock, 2},
        {0, S::kZramWbPpWrite, 2},
        {0, S::kZramWbPpCommit, 2},
        {0, S::kZramWbPpRead, 1},
        {0, S::kZramWbPpReadUnlock, 1},
        {0, S::kZramWbPpWrite, 1},
        {0, S::kZramWbPpCommit, 1},
        {0, S::kZramWbPpDone, kNoOffset}}},
      {"v6.12.y: one slot at a time, submit_bio_wait()",
       "v6.12.y",
       {{0, S::kZramWbCheck, 1},
        {0, S::kZramReadLock, 1},
        {0, S::kZramReadCopy, 1},
        {0, S::kZramWbWrite, 1},
        {0, S::kZramWbCommit, 1},
        {0, S::kZramWbCheck, 2},
        {0, S::kZramReadLock, 2},
        {0, S::kZramReadCopy, 2},
        {0, S::kZramWbWrite, 2},
        {0, S::kZramWbCommit, 2},
        {0, S::kZramWbDone, kNoOffset}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    const ReplayOutput out = MustRun(
        ex, ZramSchedule(c.profile, {{Write(0, 0x10), Write(1, 0x20), Reclaim(0), Reclaim(1),
                                      Idle(), Writeback(0)}}));
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    const std::vector<Step> steps = StepsAfterIdle(out.trace);
    EXPECT_EQ(steps, c.steps) << "got:\n" << StepsString(steps);
    // Either way both slots end on the backing device, each with its block.
    for (Offset off : {1, 2}) {
      const ZramSlot& z = k.zram.table[off];
      EXPECT_EQ(z.state, State::kWb) << off;
      ASSERT_GE(z.block, 0);
      EXPECT_TRUE(k.zram.bd[z.block].used);
      EXPECT_EQ(k.zram.bd[z.block].data, z.data);
      EXPECT_EQ(k.zram.bd[z.block].generation, z.generation);
      EXPECT_FALSE(z.pp_slot);
      EXPECT_FALSE(z.under_wb);
    }
    EXPECT_EQ(k.zram.wb_pages, 2);
    EXPECT_EQ(k.zram.stored_pages, 0);
    EXPECT_EQ(k.zram.wb.ctl, 0) << "wb_ctl freed";
    EXPECT_EQ(k.zram.wb.dev_lock_owner, -1);
    EXPECT_FALSE(k.zram.wb.pp_in_progress);
    EXPECT_EQ(k.nbios, 0);
    int used = 0;
    for (const ZramBdBlock& b : k.zram.bd) used += b.used;
    EXPECT_EQ(used, 2) << "no block left reserved";
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// v7.1.y: idle (or huge) slots go to the backing device, their blocks hold the
// data, and the swap-ins read it back from there (read_from_bdev()); each
// swap-in then frees its slot, and the block with it.
TEST(ZramDrvTest, WrittenBackSlotsReadBackThroughTheBackingDevice) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    std::vector<Offset> written_back;
    std::vector<Offset> kept;  // left in zsmalloc
  };
  const std::vector<Case> cases = {
      {"idle writeback of two idle slots",
       {Write(0, 0x22), Write(1, 0x24), Reclaim(0), Reclaim(1), Idle(), Writeback(0), Read(0),
        Read(1)},
       {1, 2},
       {}},
      {"huge writeback: only the incompressible (odd) page",
       {Write(0, 0x31), Write(1, 0x32), Reclaim(0), Reclaim(1), Writeback(1), Read(0), Read(1)},
       {1},
       {2}},
      {"idle writeback: a slot stored after the idle marking stays",
       {Write(0, 0x42), Reclaim(0), Idle(), Write(1, 0x44), Reclaim(1), Writeback(0), Read(0),
        Read(1)},
       {1},
       {2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    const Schedule s = ZramSchedule("v7.1.y", {c.ops});
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t freed_ctl = d.SnapshotAfter(StepId::kZramWbCtlKfreeRcu, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired());

    const Kernel& w = *d.Snapshot(freed_ctl);
    for (Offset off : c.written_back) {
      const ZramSlot& z = w.zram.table[off];
      EXPECT_EQ(z.state, State::kWb) << off;
      ASSERT_GE(z.block, 0);
      EXPECT_EQ(w.zram.bd[z.block].data, w.mms[0].logical[off - 1]) << off;
      EXPECT_EQ(w.zram.bd[z.block].generation, w.si.generation[off]) << off;
    }
    for (Offset off : c.kept) EXPECT_EQ(w.zram.table[off].state, State::kStored) << off;
    EXPECT_EQ(w.zram.wb_pages, static_cast<int>(c.written_back.size()));
    EXPECT_EQ(Count(t, StepId::kZramWbCompleteWb), static_cast<int>(c.written_back.size()));

    // Each written-back page came back from its block.
    EXPECT_EQ(Count(t, StepId::kZramReadBdev), static_cast<int>(c.written_back.size()));
    const Kernel& k = ex.kernel();
    for (int va : {0, 1}) {
      const Pte& pte = k.mms[0].pte[va];
      ASSERT_EQ(pte.kind, Pte::Kind::kPresent) << va;
      EXPECT_EQ(k.pages[pte.page].data, k.mms[0].logical[va]) << va;
    }
    EXPECT_EQ(k.zram.wb_pages, 0);
    for (const ZramBdBlock& b : k.zram.bd) EXPECT_FALSE(b.used);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// v7.1.y: a slot freed, rewritten or read while its bio is in flight loses
// ZRAM_PP_SLOT (slot_free(), mark_slot_accessed()), so
// zram_writeback_complete() gives the block back instead of marking it
// ZRAM_WB; the slot keeps whatever it holds now. Changed between the scan and
// the submission, the slot is skipped, and 7.1.5 keeps the block it had
// reserved for it: zram_writeback_slots() releases no blk_idx after its loop
// (zram_wb_leaks_reserved_block, set in v7.1.y). Each case runs as released
// and with the knob cleared, the fix the model proposes.
TEST(ZramDrvTest, ASlotChangedDuringWritebackIsNotMarkedWb) {
  const StepId kSubmit = StepId::kZramWbSubmit;
  const StepId kScan = StepId::kZramWbScan;
  struct Case {
    std::string name;
    std::vector<Op> change;  // CPU 0, while CPU 1's writeback is at `window`
    StepId window;
    State at_end;
    Token data_at_end;
    int released;  // zram_writeback_complete() gave the block back
    int skipped;   // zram_writeback_slots() found ZRAM_PP_SLOT clear
  };
  const std::vector<Case> cases = {
      {"freed (munmap) while the bio is in flight", {Munmap(0)}, kSubmit, State::kEmpty, 0, 1,
       0},
      {"read (swap-in) while the bio is in flight", {Read(0)}, kSubmit, State::kEmpty, 0, 1, 0},
      {"freed and rewritten while the bio is in flight",
       {Munmap(0), Write(2, 0x30), Reclaim(2)}, kSubmit, State::kStored, 0x30, 1, 0},
      {"freed between the scan and the submission: skipped", {Munmap(0)}, kScan, State::kEmpty,
       0, 0, 1},
      {"rewritten between the scan and the submission: skipped",
       {Munmap(0), Write(2, 0x30), Reclaim(2)}, kScan, State::kStored, 0x30, 0, 1},
  };
  for (const Case& c : cases) {
    for (const bool fixed : {false, true}) {
      SCOPED_TRACE(c.name + (fixed ? ", zram_wb_leaks_reserved_block off" : ", as released"));
      const int failures = FailureCount();
      std::vector<Op> cpu0 = {Write(0, 0x10), Reclaim(0), Idle()};
      cpu0.insert(cpu0.end(), c.change.begin(), c.change.end());
      Schedule s = ZramSchedule(
          "v7.1.y", {cpu0, {Writeback(0)}},
          {Through(0, StepId::kZramIdle), Through(1, c.window), RunCpu(0), RunCpu(kIrqCpu),
           RunCpu(1)});
      if (fixed) s.config.knobs = {{"zram_wb_leaks_reserved_block", false}};
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t submitted = d.SnapshotAfter(StepId::kZramWbSubmit, 1);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      const std::vector<TraceEvent>& t = out.trace;
      const Kernel& k = ex.kernel();
      // A skipped last slot leaks its reserved block as released.
      const bool leaks = c.skipped > 0 && !fixed;
      if (leaks) {
        ASSERT_TRUE(out.finding.has_value());
        EXPECT_EQ(out.finding->Signature(), "accounting:quiescence:block");
      } else {
        EXPECT_FALSE(out.finding.has_value());
      }
      EXPECT_EQ(Count(t, StepId::kZramWbCompleteRelease), c.released);
      EXPECT_EQ(Count(t, StepId::kZramWbSkip), c.skipped);
      EXPECT_EQ(Count(t, StepId::kZramWbCompleteWb), 0) << "never ZRAM_WB";
      if (c.released > 0) {
        ASSERT_TRUE(d.Snapshot(submitted).has_value());
        EXPECT_TRUE(d.Snapshot(submitted)->zram.table[1].pp_slot) << "set by the scan";
      }
      const ZramSlot& z = k.zram.table[1];
      EXPECT_EQ(z.state, c.at_end);
      EXPECT_EQ(z.data, c.data_at_end);
      EXPECT_FALSE(z.pp_slot);
      EXPECT_EQ(k.zram.wb_pages, 0);
      int used = 0;
      for (const ZramBdBlock& b : k.zram.bd) used += b.used;
      EXPECT_EQ(used, leaks ? 1 : 0);
      EXPECT_EQ(k.zram.wb.ctl, 0);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// v6.18.y: a slot freed, rewritten or read during the synchronous
// post-processing writeback loses ZRAM_PP_SLOT. Changed after the scan, it is
// skipped before its read; changed after its read, the commit finds the flag
// clear and leaves the slot as it is now. Either way the block reserved for it
// is kept for the next slot and freed after the loop (no leak, unlike 7.1.5),
// and a second writeback meanwhile is turned away by pp_in_progress. A free
// while the writeback holds the slot lock to read it is missed:
// zram_slot_free_notify() only trylocks, and the slot is written back.
TEST(ZramDrvTest, PostProcessWritebackSkipsChangedSlots) {
  struct Case {
    std::string name;
    std::vector<Op> change;  // CPU 0, while CPU 1's writeback is at `window`
    StepId window;
    State at_end;
    Token data_at_end;
    int skipped;   // ZRAM_PP_SLOT clear before the read
    int aborted;   // ZRAM_PP_SLOT clear at the commit
    int busy;      // writebacks turned away with -EAGAIN
    int miss_free = 0;
  };
  const std::vector<Case> cases = {
      {"freed between the scan and the read", {Munmap(0)}, StepId::kZramWbScan, State::kEmpty, 0,
       1, 0, 0},
      {"freed while the slot is read: the notify misses", {Munmap(0)}, StepId::kZramWbPpRead,
       State::kWb, 0x10, 0, 0, 0, 1},
      {"freed while the bio is written", {Munmap(0)}, StepId::kZramWbPpReadUnlock, State::kEmpty,
       0, 0, 1, 0},
      {"read (swap-in) while the bio is written", {Read(0)}, StepId::kZramWbPpWrite,
       State::kEmpty, 0, 0, 1, 0},
      {"freed and rewritten while the bio is written", {Munmap(0), Write(2, 0x30), Reclaim(2)},
       StepId::kZramWbPpReadUnlock, State::kStored, 0x30, 0, 1, 0},
      {"a second writeback meanwhile", {Writeback(0)}, StepId::kZramWbPpReadUnlock, State::kWb,
       0x10, 0, 0, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    std::vector<Op> cpu0 = {Write(0, 0x10), Reclaim(0), Idle()};
    cpu0.insert(cpu0.end(), c.change.begin(), c.change.end());
    const Schedule s = ZramSchedule(
        "v6.18.y", {cpu0, {Writeback(0)}},
        {Through(0, StepId::kZramIdle), Through(1, c.window), RunCpu(0), RunCpu(1)});
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    EXPECT_EQ(Count(t, StepId::kZramWbSkip, 1), c.skipped);
    EXPECT_EQ(Count(t, StepId::kZramWbPpAbort, 1), c.aborted);
    EXPECT_EQ(Count(t, StepId::kZramWbPpBusy, 0), c.busy);
    EXPECT_EQ(Count(t, StepId::kZramWbPpCommit, 1), c.at_end == State::kWb ? 1 : 0);
    EXPECT_EQ(Count(t, StepId::kZramWbPpDone, 1), 1);
    EXPECT_EQ(k.zram.miss_free, c.miss_free);
    const ZramSlot& z = k.zram.table[1];
    EXPECT_EQ(z.state, c.at_end);
    EXPECT_EQ(z.data, c.data_at_end);
    EXPECT_FALSE(z.pp_slot);
    int used = 0;
    for (const ZramBdBlock& b : k.zram.bd) used += b.used;
    EXPECT_EQ(used, c.at_end == State::kWb ? 1 : 0) << "a block left reserved";
    EXPECT_FALSE(k.zram.wb.pp_in_progress);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// bf62f69574b1's race (the fix's message, corpus/regressions/
// zram_writeback_endio_uaf.json): the interrupt ends bio 1 and, for bio 2,
// gets only as far as its list_add before the writer takes both requests,
// sees num_inflight at 0 and frees wb_ctl. The completion's wake_up() then
// touches wb_ctl: freed with zram_wb_endio_uaf (kfree()), still there without
// it (kfree_rcu() waits for the completion's RCU read section, and frees it
// at its rcu_read_unlock()). With the completion over before the free there
// is nothing to find either way.
TEST(ZramDrvTest, WbCtlUseAfterFreeOnlyWithTheKnob) {
  const std::vector<Segment> race = {
      RunCpu(0),
      Through(kIrqCpu, StepId::kZramWbEndioWake),
      Through(0, StepId::kZramWbTakeDone),
      Through(kIrqCpu, StepId::kZramWbEndioAdd),
      RunCpu(0),
      RunCpu(kIrqCpu)};
  struct Case {
    std::string name;
    bool knob;
    std::vector<Segment> decisions;
    StepId free_step;
    std::string signature;
    uint16_t deferred_at_free;  // ZramWb::rcu_deferred right after the free
  };
  const std::string kUaf = "use-after-free:zram_writeback_endio:zram-wb-ctl";
  const std::vector<Case> cases = {
      {"knob: kfree() while the completion has its wake_up() to do", true, race,
       StepId::kZramWbCtlKfree, kUaf, 0},
      {"fixed: kfree_rcu() waits for the completion's read section", false, race,
       StepId::kZramWbCtlKfreeRcu, "", 1},
      {"knob: the completions are over before the free", true, {}, StepId::kZramWbCtlKfree, "",
       0},
      {"fixed: the completions are over before the free", false, {},
       StepId::kZramWbCtlKfreeRcu, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s = ZramSchedule("v7.1.y", {{Write(0, 0x10), Write(1, 0x20), Reclaim(0), Reclaim(1),
                                          Idle(), Writeback(0)}},
                              c.decisions);
    s.config.knobs = {{"zram_wb_endio_uaf", c.knob}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t freed = d.SnapshotAfter(c.free_step, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_EQ(FindingSignature(out), c.signature);
    ASSERT_TRUE(d.AllFired());
    EXPECT_EQ(Count(t, StepId::kZramWbCtlKfree), c.knob ? 1 : 0);
    EXPECT_EQ(Count(t, StepId::kZramWbCtlKfreeRcu), c.knob ? 0 : 1);

    const Kernel& at_free = *d.Snapshot(freed);
    EXPECT_EQ(at_free.zram.wb.ctl, 0);
    EXPECT_EQ(at_free.zram.wb.rcu_deferred, c.deferred_at_free);
    EXPECT_EQ(at_free.zram.wb.num_inflight, 0);
    if (c.signature.empty()) {
      EXPECT_EQ(ex.kernel().zram.wb.rcu_deferred, 0) << "freed at the rcu_read_unlock()";
      EXPECT_EQ(ex.kernel().zram.wb_pages, 2);
    } else {
      ASSERT_TRUE(out.finding.has_value());
      EXPECT_EQ(out.finding->cpu, kIrqCpu);
      EXPECT_EQ(t.back().id, StepId::kZramWbEndioWake) << "found at the wake_up()";
      EXPECT_TRUE(InOrder(t, {StepId::kZramWbEndioAdd, StepId::kZramWbTakeDone,
                              StepId::kZramWbCtlKfree, StepId::kZramWbEndioWake}));
    }
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The knob restores code only the batched writeback has: a release that
// writes back one slot at a time refuses it.
TEST(ZramDrvTest, EndioKnobNeedsTheBatchedWriteback) {
  struct Case {
    std::string profile;
    bool accepted;
  };
  for (const Case& c : {Case{"v7.1.y", true}, Case{"v6.18.y", false}, Case{"v6.12.y", false},
                        Case{"v5.16", false}}) {
    SCOPED_TRACE(c.profile);
    ScheduleConfig sc;
    sc.profile = c.profile;
    sc.knobs = {{"zram_wb_endio_uaf", true}};
    const absl::StatusOr<RunConfig> config = Resolve(sc);
    EXPECT_EQ(config.ok(), c.accepted) << config.status();
    if (!c.accepted) {
      EXPECT_NE(config.status().message().find("cannot be set under profile"), std::string::npos)
          << config.status();
    }
  }
}

}  // namespace
}  // namespace swapfuzz
