// drivers/block/zram/zram_drv.c: how the zram table stores pages (ZRAM_SAME
// for zero-filled pages, a compressed object otherwise), the "read without
// previous write" warning, and zram_slot_free_notify()'s trylock, which loses
// the free (miss_free) while a reader holds the slot lock between the two
// halves of a read.

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
  k.si.inuse_pages = 1;
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

}  // namespace
}  // namespace swapfuzz
