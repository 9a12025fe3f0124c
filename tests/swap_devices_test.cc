// Several swap devices (RunConfig::swap_devices > 1), as 7.1.5's
// mm/swapfile.c has them: the avail list and priorities, folio_alloc_swap()'s
// fast and slow paths, a full device leaving the list and coming back,
// swapoff and swapon of one type cut into their sections while the other
// serves faults, the readahead pin of another type's device, and the
// oracles of the lists.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/mm/swap_state.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Munmap;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Write;

Op SwapoffDev(uint8_t type) { return Op{OpKind::kSwapoffDev, 0, type, 0}; }
Op SwaponDev(uint8_t type) { return Op{OpKind::kSwaponDev, 0, type, 0}; }

struct Layout {
  std::string backend = "zram";
  int nslots = 3;  // two usable slots: the first device fills quickly
  std::string backend1 = "disk";
  int nslots1 = 6;
  int prio0 = 100;
  int prio1 = 0;
};

Schedule Make(std::vector<CpuProgram> cpus, const Layout& l = {}) {
  Schedule s;
  s.config.profile = std::string(NewestProfile());
  s.config.backend = l.backend;
  s.config.nslots = l.nslots;
  s.config.swap_devices = 2;
  s.config.backend1 = l.backend1;
  s.config.nslots1 = l.nslots1;
  s.config.prio0 = l.prio0;
  s.config.prio1 = l.prio1;
  s.config.page_cluster = 0;
  s.cpus = std::move(cpus);
  return s;
}

std::vector<int> AvailList(const Kernel& k) {
  return std::vector<int>(k.avail.begin(), k.avail.begin() + k.navail);
}

// swapon at boot, type by type: each device's place on swap_avail_head, and
// nr_rotate_swap, which decides VMA readahead for every device.
TEST(SwapDevicesTest, BootListsByPriority) {
  struct Case {
    std::string name;
    Layout layout;
    std::vector<int> avail;
    int nr_rotate_swap;
  };
  const Case cases[] = {
      {"zram at 100 over a disk", {}, {0, 1}, 1},
      {"both default: DEF_SWAP_PRIO, in swapon order",
       {.backend1 = "file", .prio0 = 0}, {0, 1}, 0},
      {"the second preferred", {.backend1 = "file", .prio0 = 0, .prio1 = 5}, {1, 0}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome r = Exec(Make({CpuProgram{0, {}}}, c.layout));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(AvailList(r.k), c.avail);
    EXPECT_EQ(r.k.nr_rotate_swap, c.nr_rotate_swap);
    EXPECT_EQ(swap_use_vma_readahead(r.k), c.nr_rotate_swap == 0);
    EXPECT_EQ(r.k.swap_info[1].base, c.layout.nslots);
    EXPECT_EQ(swp_type(r.k, static_cast<Offset>(c.layout.nslots + 1)), 1);
    EXPECT_EQ(swp_type(r.k, 1), 0);
  }
}

// zram (two slots, priority 100) fills, leaves the list, and the third folio
// goes to the disk through the slow path; a free on zram puts it back first.
TEST(SwapDevicesTest, FullDeviceLeavesTheListAndComesBack) {
  const Outcome r = Exec(Make({CpuProgram{
      0, {Write(0, 0x10), Write(1, 0x11), Write(2, 0x12), Reclaim(0), Reclaim(1), Reclaim(2),
          Munmap(0), Write(3, 0x13), Reclaim(3)}}}));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  // The first allocation walks the list; the second takes the CPU's cluster
  // on zram; the third finds zram off the list and takes the disk.
  const std::vector<StepId> want = {StepId::kSwapAllocSlowPick, StepId::kSwapAllocSlowAlloc,
                                    StepId::kSwapAllocFast, StepId::kSwapAllocSlowPick,
                                    StepId::kSwapAllocSlowAlloc, StepId::kSwapAllocSlowPick,
                                    StepId::kSwapAllocSlowAlloc};
  std::vector<StepId> got;
  std::vector<Offset> offsets;
  for (const TraceEvent& e : r.out.trace) {
    if (StepFn(e.id) == Fn::kFolioAllocSwap) {
      got.push_back(e.id);
      if (e.offset != kNoOffset) offsets.push_back(e.offset);
    }
  }
  EXPECT_EQ(got, want) << r.Dump();
  // The munmap freed offset 1, so zram came back; the CPU's cluster still
  // names zram, whose offset was 0 (full), so the fourth folio walks again
  // and zram, first on the list, gives offset 1.
  EXPECT_EQ(offsets, (std::vector<Offset>{1, 2, 4, 1})) << r.Dump();
  EXPECT_EQ(r.k.cpus[0].pcp_si, 0) << "a rotational disk never becomes the CPU's device";
  EXPECT_EQ(r.k.swap_info[0].inuse_pages, 2);
  EXPECT_EQ(r.k.swap_info[1].inuse_pages, 1);
  EXPECT_FALSE(r.k.swap_info[0].on_avail);
  EXPECT_EQ(AvailList(r.k), std::vector<int>{1});
}

// Equal priorities rotate: plist_requeue() moves the device a CPU took a slot
// from behind its sibling, so another CPU's walk starts at the other device.
TEST(SwapDevicesTest, EqualPrioritiesAreTakenRoundRobin) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x20), Reclaim(0)}},
                     CpuProgram{0, {Write(1, 0x21), Reclaim(1)}}},
                    {.nslots = 5, .backend1 = "file", .prio0 = 0});
  s.decisions = {RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.k.mms[0].pte[0].offset, 1) << "cpu 0 walked from zram";
  EXPECT_EQ(r.k.mms[0].pte[1].offset, 6) << "cpu 1 walked from the file, zram requeued";
  EXPECT_EQ(r.k.cpus[0].pcp_si, 0);
  EXPECT_EQ(r.k.cpus[1].pcp_si, 1) << "an SSD swap file is SWP_SOLIDSTATE";
}

// Swapoff of the disk, cut into 7.1.5's sections, while CPU 0 faults entries
// of zram back in between them: nothing waits on the other device.
TEST(SwapDevicesTest, SwapoffOfOneDeviceWhileTheOtherServesFaults) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x30), Write(1, 0x31), Write(2, 0x32), Reclaim(0),
                                    Reclaim(1), Reclaim(2), Read(0), Read(1)}},
                     CpuProgram{0, {SwapoffDev(1), SwaponDev(1)}}});
  s.decisions = {Through(0, StepId::kUnmap), Through(0, StepId::kUnmap), Through(0, StepId::kUnmap),
                 RunCpu(0, 3),  // the third page's write-back to the disk starts
                 Through(1, StepId::kSwapoffWaitForAllocation), Through(0, StepId::kUserRead),
                 Through(1, StepId::kSwapoffKill), Through(0, StepId::kUserRead), RunCpu(1),
                 RunCpu(0)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_TRUE(::swapfuzz::testing::InOrder(
      r.out.trace,
      {StepId::kSwapoffStart, StepId::kSwapoffWaitForAllocation, StepId::kSwapoffKill,
       StepId::kSwapoffWait, StepId::kSwapoffTeardown, StepId::kZswapSwapoff,
       StepId::kSwapoffClearUsed, StepId::kSwaponAllocInfo, StepId::kSwaponSetup,
       StepId::kSwaponEnable},
      1))
      << r.Dump();
  // Both zram faults ran between swapoff's first section and its teardown.
  const long start = r.First(StepId::kSwapoffStart), teardown = r.First(StepId::kSwapoffTeardown);
  int faults_between = 0;
  for (long i = start; i < teardown; ++i) {
    const TraceEvent& e = r.out.trace[i];
    faults_between += e.cpu == 0 && e.id == StepId::kUserRead;
  }
  EXPECT_EQ(faults_between, 2) << r.Dump();
  EXPECT_EQ(r.k.mms[0].pte[2].kind, Pte::Kind::kPresent) << "swapoff brought the disk page back";
  EXPECT_EQ(r.k.swap_info[0].inuse_pages, 0);
  EXPECT_TRUE(r.k.swap_info[1].active && r.k.swap_info[1].writeok) << "swapped on again";
  EXPECT_EQ(AvailList(r.k), (std::vector<int>{0, 1}));
}

// Past swapoff's first section nothing allocates from the device: a reclaim
// on another CPU takes the other device even though zram is preferred.
TEST(SwapDevicesTest, AllocationSkipsADeviceBeingSwappedOff) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x40), Reclaim(0)}},
                     CpuProgram{0, {SwapoffDev(0)}}});
  s.decisions = {Through(1, StepId::kSwapoffStart), RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kSwapAllocSlowAlloc), 1);
  const long alloc = r.First(StepId::kSwapAllocSlowAlloc);
  EXPECT_EQ(swp_type(r.k, r.out.trace[alloc].offset), 1) << r.Dump();
}

// A type that is not swapped on refuses swapoff; one that is refuses swapon.
TEST(SwapDevicesTest, SwapoffAndSwaponOfATypeCheckItsState) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    StepId last;
  };
  const Case cases[] = {
      {"swapon of a used type", {SwaponDev(1)}, StepId::kSwaponBusy},
      {"a second swapoff", {SwapoffDev(1), SwapoffDev(1)}, StepId::kSwapoffInval},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome r = Exec(Make({CpuProgram{0, c.ops}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    ASSERT_FALSE(r.out.trace.empty());
    EXPECT_EQ(r.out.trace.back().id, c.last) << r.Dump();
  }
}

// VMA readahead (a swap file on an SSD keeps it on) reads a neighbour PTE's
// entry of the other type only under a get_swap_device() of that type. A
// fault on the file's entry reads zram's entry of the address beside it;
// when zram's swapoff runs to its end between the lockless PTE read and the
// read into the swap cache, the pin fails and the entry is skipped
// (1c2a936edd71's window, closed as 7.1.5 closes it).
TEST(SwapDevicesTest, ReadaheadPinsTheOtherTypesDevice) {
  for (const bool swapoff_between : {false, true}) {
    SCOPED_TRACE(swapoff_between ? "zram swapped off between" : "no swapoff");
    // va 0 and 1 go to zram (offsets 1, 2), va 2 to the file (offset 4);
    // the second reclaim of va 2 drops its written-back folio.
    Schedule s = Make({CpuProgram{0, {Write(0, 0x50), Write(1, 0x51), Write(2, 0x52), Reclaim(0),
                                      Reclaim(1), Reclaim(2), Reclaim(2), Read(2)}},
                       CpuProgram{0, {SwapoffDev(0)}}},
                      {.backend1 = "file", .prio0 = 0});
    s.config.page_cluster = 2;
    s.decisions = {Through(0, StepId::kBioSubmitWrite), RunCpu(kIrqCpu),
                   Through(0, StepId::kVmaRaPte)};
    if (swapoff_between) s.decisions.push_back(RunCpu(1));
    s.decisions.push_back(RunCpu(0));
    s.decisions.push_back(RunCpu(1));
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const long pte = r.First(StepId::kVmaRaPte);
    ASSERT_GE(pte, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[pte].offset, 2) << "the first PTE of the window holds zram's entry";
    EXPECT_EQ(r.Count(StepId::kVmaRaNoDevice), swapoff_between ? 1 : 0) << r.Dump();
    if (!swapoff_between) {
      EXPECT_TRUE(::swapfuzz::testing::InOrder(
          r.out.trace, {StepId::kVmaRaPte, StepId::kCacheAddFolio, StepId::kZramReadLock}, 0))
          << r.Dump();
      // The pin of zram was taken for swap_cache_alloc_folio() and put before
      // the read; the fault's own pin of the file is held throughout.
      Executor ex;
      ::swapfuzz::testing::ProbeDecider probe(ex, s.decisions);
      int zram_users_at_add = -1, zram_users_at_read = -1, file_users_at_read = -1;
      probe.After(StepId::kCacheAddFolio, 0,
                  [&](Kernel& k) { zram_users_at_add = k.swap_info[0].users; });
      probe.After(StepId::kZramReadLock, 0, [&](Kernel& k) {
        zram_users_at_read = k.swap_info[0].users;
        file_users_at_read = k.swap_info[1].users;
      });
      ::swapfuzz::testing::MustRunProbed(ex, s, probe);
      EXPECT_EQ(zram_users_at_add, 1);
      EXPECT_EQ(zram_users_at_read, 0);
      EXPECT_EQ(file_users_at_read, 1);
    }
    EXPECT_EQ(r.k.swap_info[0].users, 0) << "every pin was put";
    for (int va = 0; va < 3; ++va) EXPECT_EQ(r.k.mms[0].pte[va].kind, Pte::Kind::kPresent);
  }
}

// The list oracle and the swapoff barrier, on states the kernel never reaches.
TEST(SwapDevicesTest, ListOraclesFire) {
  struct Case {
    std::string name;
    std::function<void(Kernel&)> setup;
  };
  const Case cases[] = {
      {"a writable device with free slots missing from the list",
       [](Kernel& k) {
         k.navail = 1;
         k.avail[0] = 0;
         k.swap_info[1].on_avail = false;
       }},
      {"a device on the list without SWP_WRITEOK",
       [](Kernel& k) { k.swap_info[1].writeok = false; }},
      {"an allocation past swapoff's wait_for_allocation()",
       [](Kernel& k) { k.swap_info[0].alloc_closed = true; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome r = Exec(Make({CpuProgram{0, {Write(0, 0x60), Reclaim(0)}}}), c.setup);
    EXPECT_EQ(r.out.finding ? r.out.finding->oracle : Oracle::kCount, Oracle::kSwapAvail)
        << r.Dump();
  }
}

// Several devices need 7.1.5's allocator, room for both in the offsets, and
// zram as type 0.
TEST(SwapDevicesTest, ResolveRefusesWhatTheModelCannotRun) {
  struct Case {
    std::string name;
    std::function<void(ScheduleConfig&)> edit;
    std::string error;
  };
  const Case cases[] = {
      {"an older release", [](ScheduleConfig& c) { c.profile = "v6.18.y"; },
       "config.swap_devices: several devices need the allocator of 7.1.5, not profile v6.18.y "
       "(Linux 6.18.35)"},
      {"too many offsets", [](ScheduleConfig& c) { c.nslots = 30; },
       "config.nslots1: nslots + nslots1 is at most 32"},
      {"zram as type 1", [](ScheduleConfig& c) { c.backend1 = "zram"; },
       "config.backend1: zram is type 0's backend only"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = Make({CpuProgram{0, {}}});
    c.edit(s.config);
    EXPECT_EQ(Resolve(s.config).status().message(), c.error);
  }
}

// An op on a type the configuration does not swap on is refused up front.
TEST(SwapDevicesTest, ValidateRefusesATypeWithoutADevice) {
  Schedule s = Make({CpuProgram{0, {SwaponDev(1)}}});
  s.config.swap_devices = 1;
  EXPECT_EQ(Validate(s).message(),
            "cpus[0].ops[0]: swap type 1 is not among config.swap_devices (1)");
}

}  // namespace
}  // namespace swapfuzz
