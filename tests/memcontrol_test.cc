// model/mm/memcontrol.cc: cgroup v2 charging of anonymous folios and swap
// slots (RunConfig::memcg), each charge point where the release calls it, the
// memory.max that makes a fault's charge reclaim, and the memcg oracle.
//
// Each test is a table of runs, one row per release where the releases differ.

#include "model/mm/memcontrol.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using namespace ::swapfuzz::testing;  // NOLINT

// The value the last read returned.
Token LastReadOf(const std::vector<TraceEvent>& t) {
  const long i = Last(t, StepId::kUserRead);
  return i >= 0 ? t[i].detail : ~Token{0};
}

// A schedule with the memory controller on: the CPUs' programs (CPU i on mm
// mms[i]), memcg_mms and memory.max.
Schedule Memcg(const std::string& profile, std::vector<CpuProgram> cpus, int memcg_mms = 0,
               int memcg_max = 0, const std::string& backend = "zram") {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = backend;
  s.config.memcg = true;
  s.config.memcg_mms = memcg_mms;
  s.config.memcg_max = memcg_max;
  s.cpus = std::move(cpus);
  return s;
}

const std::vector<std::string> kProfiles = {"v5.16", "v6.12.y", "v6.18.y", "v7.1.y"};

// The live folios charged to each memcg, and the slots recorded for each.
struct Charges {
  int memory1 = 0, memory2 = 0, swap1 = 0, swap2 = 0;
  friend bool operator==(const Charges&, const Charges&) = default;
};
Charges CountersOf(const Kernel& k) {
  return {k.memcgs[1].memory, k.memcgs[2].memory, k.memcgs[1].swap, k.memcgs[2].swap};
}
std::string ToString(const Charges& c) {
  return "memory " + std::to_string(c.memory1) + "/" + std::to_string(c.memory2) + ", swap " +
         std::to_string(c.swap1) + "/" + std::to_string(c.swap2);
}

// Each charge point's effect on the counters and records at the end of a run
// (the quiescence oracle has checked that the counters match the records).
TEST(MemcontrolTest, ChargePoints) {
  struct Case {
    std::string name;
    std::vector<CpuProgram> cpus;
    std::vector<Segment> decisions;
    int memcg_mms;
    std::string backend;
    Charges want;
    std::function<void(const Kernel&)> check;
  };
  const std::vector<Case> cases = {
      {"a write fault's new folio (mem_cgroup_charge) is charged to the mm's "
       "memcg",
       {CpuProgram{0, {Write(0, 0x11)}}},
       {},
       0,
       "zram",
       {1, 0, 0, 0},
       [](const Kernel& k) { EXPECT_EQ(k.pages[0].memcg, 1); }},
      {"an mm of memcg_mms charges memcg 2",
       {CpuProgram{0, {Write(0, 0x12), Write(1, 0x13)}}},
       {},
       1,
       "zram",
       {0, 2, 0, 0},
       [](const Kernel& k) { EXPECT_EQ(k.mms[0].memcg, 2); }},
      {"a read fault maps the zero page and charges nothing",
       {CpuProgram{0, {Read(0)}}},
       {},
       0,
       "zram",
       {0, 0, 0, 0},
       {}},
      {"swap-out: the slot records the folio's memcg and charges swap; the "
       "freed folio "
       "uncharges memory (memcg1_swapout() does nothing on cgroup v2)",
       {CpuProgram{0, {Write(0, 0x14), Reclaim(0)}}},
       {},
       0,
       "zram",
       {0, 0, 1, 0},
       [](const Kernel& k) {
         EXPECT_EQ(k.si.swap_cgroup[1], 1);
         EXPECT_TRUE(k.pages[0].freed);
         EXPECT_EQ(k.pages[0].memcg, 0);
       }},
      {"swap-in charges the recorded memcg; the swap charge goes with the "
       "slot, which a "
       "SWP_SYNCHRONOUS_IO swap-in frees",
       {CpuProgram{0, {Write(0, 0x15), Reclaim(0), Read(0)}}},
       {},
       0,
       "zram",
       {1, 0, 0, 0},
       [](const Kernel& k) {
         EXPECT_EQ(k.si.swap_cgroup[1], 0);
         EXPECT_EQ(k.pages[k.mms[0].pte[0].page].memcg, 1);
       }},
      {"a folio under asynchronous writeback stays in the swap cache, charged "
       "to its memcg, "
       "beside the slot's swap charge",
       {CpuProgram{0, {Write(0, 0x1b), Reclaim(0)}}},
       {},
       0,
       "disk",
       {1, 0, 1, 0},
       [](const Kernel& k) {
         EXPECT_EQ(k.si.swap_cgroup[1], 1);
         EXPECT_EQ(k.pages[k.swap_cache[1]].memcg, 1);
       }},
      {"munmap of a swap PTE frees the slot and uncharges its swap",
       {CpuProgram{0, {Write(0, 0x16), Reclaim(0), Munmap(0)}}},
       {},
       0,
       "zram",
       {0, 0, 0, 0},
       [](const Kernel& k) { EXPECT_EQ(k.si.swap_cgroup[1], 0); }},
      {"munmap of a present folio frees it and uncharges its memory",
       {CpuProgram{0, {Write(0, 0x17), Munmap(0)}}},
       {},
       0,
       "zram",
       {0, 0, 0, 0},
       {}},
      {"COW of a folio shared with a child of another memcg: the copy is "
       "charged to the "
       "faulting mm's memcg, the original stays with its own",
       {CpuProgram{0, {Write(0, 0x18), Fork(1)}}, CpuProgram{1, {Write(0, 0x19)}}},
       {RunCpu(0), RunCpu(1)},
       2,
       "zram",
       {1, 1, 0, 0},
       [](const Kernel& k) {
         EXPECT_EQ(k.pages[k.mms[0].pte[0].page].memcg, 1);
         EXPECT_EQ(k.pages[k.mms[1].pte[0].page].memcg, 2);
         EXPECT_NE(k.mms[0].pte[0].page, k.mms[1].pte[0].page);
       }},
      {"swap-out of a folio shared across memcgs, swap-in by the other memcg's "
       "mm: the new "
       "folio is charged to the memcg the slot records, not the faulting mm's",
       {CpuProgram{0, {Write(0, 0x1a), Fork(1), Reclaim(0)}}, CpuProgram{1, {Read(0)}}},
       {RunCpu(0), RunCpu(1)},
       2,
       "zram",
       {1, 0, 1, 0},
       [](const Kernel& k) {
         EXPECT_EQ(k.mms[1].memcg, 2);
         ASSERT_EQ(k.mms[1].pte[0].kind, Pte::Kind::kPresent);
         EXPECT_EQ(k.pages[k.mms[1].pte[0].page].memcg, 1);
       }},
  };
  for (const std::string& profile : kProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const int failures = FailureCount();
      Schedule s = Memcg(profile, c.cpus, c.memcg_mms, 0, c.backend);
      s.decisions = c.decisions;
      Executor ex;
      const ReplayOutput out = MustRun(ex, s);
      EXPECT_FALSE(out.finding.has_value());
      const Kernel& k = ex.kernel();
      EXPECT_EQ(CountersOf(k), c.want) << ToString(CountersOf(k));
      if (c.check) c.check(k);
      if (FailureCount() != failures) std::cout << Describe(out);
    }
  }
}

// With the controller off (the default) nothing is charged or recorded.
TEST(MemcontrolTest, DisabledChargesNothing) {
  Schedule s;
  s.config.profile = "v7.1.y";
  s.config.backend = "disk";
  s.config.memcg_max = 1;
  s.cpus = {CpuProgram{0, {Write(0, 1), Write(1, 2), Reclaim(0), Read(0)}}};
  Executor ex;
  const ReplayOutput out = MustRun(ex, s);
  EXPECT_FALSE(out.finding.has_value()) << Describe(out);
  const Kernel& k = ex.kernel();
  EXPECT_EQ(CountersOf(k), Charges{});
  EXPECT_EQ(Count(out.trace, StepId::kMemcgReclaim), 0);
  for (Offset off = 0; off < kMaxSlots; ++off) EXPECT_EQ(k.si.swap_cgroup[off], 0);
}

// A fault's charge over memory.max: try_charge_memcg() reclaims the memcg's
// oldest folio with shrink_page_list() inside the charge, then charges; the
// fault installs its folio after. The reclaim's steps are each release's.
TEST(MemcontrolTest, LimitReclaimsInsideTheCharge) {
  struct Release {
    std::string profile;
    std::vector<StepId> reclaim;  // shrink_page_list()'s steps inside the charge
  };
  const std::vector<Release> releases = {
      {"v5.16",
       {StepId::kTrylock, StepId::kAddToSwap, StepId::kAddToSwapCache, StepId::kUnmap,
        StepId::kRemoveMapping}},
      {"v6.12.y",
       {StepId::kTrylock, StepId::kAddToSwap, StepId::kAddToSwapCache, StepId::kUnmap,
        StepId::kRemoveMapping}},
      {"v7.1.y",
       {StepId::kTrylock, StepId::kFolioAllocSwap, StepId::kUnmap, StepId::kRemoveMapping}},
  };
  for (const Release& r : releases) {
    SCOPED_TRACE(r.profile);
    const int failures = FailureCount();
    Schedule s = Memcg(r.profile, {CpuProgram{0, {Write(0, 0x21), Write(1, 0x22), Read(0)}}}, 0,
                       /*memcg_max=*/1);
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    EXPECT_FALSE(out.finding.has_value());
    const long fault =
        First(out.trace, StepId::kFault, 0, First(out.trace, StepId::kAnonInstall) + 1);
    ASSERT_GE(fault, 0);
    std::vector<StepId> want = {StepId::kFault, StepId::kMemcgReclaim};
    want.insert(want.end(), r.reclaim.begin(), r.reclaim.end());
    want.push_back(StepId::kMemcgCharged);
    want.push_back(StepId::kAnonInstall);
    size_t next = 0;
    for (size_t i = fault; i < out.trace.size() && next < want.size(); ++i) {
      if (out.trace[i].id == want[next]) ++next;
    }
    EXPECT_EQ(next, want.size()) << "the second write fault reclaims inside its charge";
    // The reclaimed folio was the older one, at va 0: its read swaps it in,
    // and the swap-in charge, which the model does not make reclaim, goes
    // past memory.max.
    const Kernel& k = ex.kernel();
    EXPECT_EQ(k.mms[0].pte[1].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.memcgs[1].memory, 2);
    EXPECT_EQ(Count(out.trace, StepId::kMemcgReclaim), 1);
    EXPECT_EQ(LastReadOf(out.trace), 0x21u);
    if (FailureCount() != failures) std::cout << Describe(out);
  }
}

// Over memory.max with nothing reclaimable (no swap device): the charge fails
// after its reclaim rounds, and the fault gives the access up (VM_FAULT_OOM);
// the same for a COW copy.
TEST(MemcontrolTest, LimitWithNothingToReclaimFailsTheFault) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    StepId oom;
  };
  const std::vector<Case> cases = {
      {"do_anonymous_page", {Swapoff(), Write(0, 0x31), Write(1, 0x32)}, StepId::kAnonChargeOom},
      {"wp_page_copy of the zero page",
       {Swapoff(), Read(1), Write(0, 0x33), Write(1, 0x34)},
       StepId::kWpChargeOom},
  };
  for (const std::string& profile : {std::string("v6.12.y"), std::string("v7.1.y")}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const int failures = FailureCount();
      Executor ex;
      const ReplayOutput out = MustRun(ex, Memcg(profile, {CpuProgram{0, c.ops}}, 0, 1));
      EXPECT_FALSE(out.finding.has_value());
      EXPECT_EQ(Count(out.trace, StepId::kMemcgReclaim), kMaxReclaimRetries);
      EXPECT_TRUE(InOrder(out.trace, {StepId::kMemcgChargeFail, c.oom}));
      const Kernel& k = ex.kernel();
      EXPECT_EQ(k.memcgs[1].memory, 1);
      EXPECT_NE(k.mms[0].logical[1], 0x34u) << "the failed write did not happen";
      if (FailureCount() != failures) std::cout << Describe(out);
    }
  }
}

// 7.1.5's swap-in on a SWP_SYNCHRONOUS_IO device (zram): __alloc_swap_folio()
// charges the folio before swapin_folio() adds it, a step of its own in which
// nothing pins the slot; with memcg_swapin_charge_before_pin cleared the
// charge follows the add. Either way the folio ends charged to the memcg the
// slot records (memcg 2, that of the mm that swapped it out).
TEST(MemcontrolTest, SyncIoSwapinChargesBeforeOrAfterTheAdd) {
  for (const bool before_pin : {true, false}) {
    SCOPED_TRACE(before_pin ? "as released" : "knob cleared");
    Schedule s = Memcg("v7.1.y", {CpuProgram{0, {Write(0, 0x41), Reclaim(0), Read(0)}}},
                       /*memcg_mms=*/1);
    s.config.knobs = {KnobOverride{"memcg_swapin_charge_before_pin", before_pin}};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    EXPECT_FALSE(out.finding.has_value()) << Describe(out);
    const long charged = First(t, StepId::kSwapinFolioCharged, 0);
    const long added = Last(t, StepId::kCacheAddFolio);
    ASSERT_GE(added, 0) << Describe(out);
    if (before_pin) {
      ASSERT_GE(charged, 0) << Describe(out);
      EXPECT_LT(charged, added);
      EXPECT_EQ(t[charged].detail, 2u) << "charged to the memcg the slot records";
    } else {
      EXPECT_LT(charged, 0) << Describe(out);
    }
    EXPECT_EQ(LastReadOf(t), 0x41u);
    // The mapped folio stays charged; the slot, freed after the synchronous
    // read (should_try_to_free_swap()), took its swap charge with it.
    EXPECT_EQ(CountersOf(ex.kernel()), (Charges{0, 1, 0, 0})) << ToString(CountersOf(ex.kernel()));
  }
}

// The oracle: a counter or a record that breaks the charging rules is caught,
// at the step (a swap cache folio charged elsewhere than its slot's record, a
// counter underflow) or at quiescence (a counter that is not its charges).
TEST(MemcontrolTest, OracleCatchesCorruptedChargesAndRecords) {
  struct Case {
    std::string name;
    StepId after;  // the step after which the machine is corrupted
    std::function<void(Kernel&)> corrupt;
    Fn where;  // the function the finding names
  };
  const std::vector<Case> cases = {
      {"a memory counter one too many", StepId::kAnonInstall,
       [](Kernel& k) { ++k.memcgs[1].memory; }, Fn::kQuiescence},
      {"a slot recorded for the wrong memcg while its folio is cached", StepId::kFolioAllocSwap,
       [](Kernel& k) {
         --k.memcgs[1].swap;
         ++k.memcgs[2].swap;
         k.si.swap_cgroup[1] = 2;
       },
       Fn::kFolioAllocSwap},
      {"a swap counter that would go negative", StepId::kFolioAllocSwap,
       [](Kernel& k) { k.memcgs[1].swap = 0; }, Fn::kMemCgroupUncharge},
      {"a record and its counter left on a slot munmap freed", StepId::kZapOne,
       [](Kernel& k) {
         k.si.swap_cgroup[5] = 1;
         ++k.memcgs[1].swap;
       },
       Fn::kQuiescence},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Memcg("v7.1.y", {CpuProgram{0, {Write(0, 0x41), Reclaim(0), Munmap(0)}}});
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    d.After(c.after, 0, c.corrupt);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(d.AllFired());
    ASSERT_TRUE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(out.finding->oracle, Oracle::kMemcg) << Describe(out);
    EXPECT_EQ(out.finding->function, c.where) << Describe(out);
  }
}

// Two CPUs of one mm: CPU 0's write fault is over memory.max and reclaims the
// folio at va 0 inside its charge; CPU 1 faults on va 0 while the reclaim has
// it locked in the swap cache, waits for the lock, and maps the cached folio.
// The reclaim cannot free a folio CPU 1 holds: each round keeps it, and the
// charge fails once the rounds are spent. The data and the charges stay right.
TEST(MemcontrolTest, ChargeReclaimRacesAFaultOfTheSameMm) {
  for (const std::string& profile : {std::string("v6.12.y"), std::string("v7.1.y")}) {
    SCOPED_TRACE(profile);
    const int failures = FailureCount();
    Schedule s =
        Memcg(profile, {CpuProgram{0, {Write(0, 0x51), Write(1, 0x52)}}, CpuProgram{0, {Read(0)}}},
              0, 1, "disk");
    s.decisions = {Through(0, StepId::kUnmap), RunCpu(1), RunCpu(0), RunCpu(1)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    EXPECT_FALSE(out.finding.has_value());
    const long unmap = First(out.trace, StepId::kUnmap, 0);
    const long fault = First(out.trace, StepId::kFault, 1);
    ASSERT_GE(unmap, 0);
    ASSERT_GE(fault, 0);
    EXPECT_LT(First(out.trace, StepId::kMemcgReclaim, 0), unmap);
    EXPECT_LT(unmap, fault) << "CPU 1 faults on the swap PTE the charge's reclaim left";
    EXPECT_GT(First(out.trace, StepId::kLockPage, 1), fault);
    const Kernel& k = ex.kernel();
    const Pte& pte = k.mms[0].pte[0];
    ASSERT_EQ(pte.kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.pages[pte.page].data, 0x51u);
    EXPECT_EQ(k.pages[pte.page].memcg, 1);
    if (FailureCount() != failures) std::cout << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
