// swapoff, try_to_unuse and swapon (mm/swapfile.c in the model), the
// get_swap_device() references that hold swapoff off, and the three
// catalogue entries about them.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "tests/model_test_util.h"
#include "model/schedule.h"
#include "model/step.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Fork;
using ::swapfuzz::testing::Munmap;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::Write;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Swapoff;

Op Swapon() { return Op{OpKind::kSwapon, 0, 0, 0}; }

Schedule Make(std::vector<CpuProgram> cpus, const std::string& profile = "v6.9",
              const std::string& backend = "zram", bool zswap = false) {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = backend;
  s.config.zswap = zswap;
  s.config.page_cluster = 0;
  s.cpus = std::move(cpus);
  return s;
}

// Every swapped page comes back, wherever it lives, and the device is gone.
TEST(SwapoffTest, BringsEveryPageBack) {
  struct Case {
    std::string backend;
    bool zswap;
    int slots_cache;
  };
  const Case cases[] = {{"zram", false, 0}, {"disk", false, 0}, {"zram", true, 0},
                        {"disk", true, 0},  {"zram", false, 2}, {"disk", true, 2}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.backend + (c.zswap ? " + zswap" : "") +
                 (c.slots_cache ? " + slots cache" : ""));
    Schedule s = Make({CpuProgram{0, {Write(0, 0x11), Write(1, 0x12), Write(2, 0x13), Reclaim(0), Reclaim(1),
                                      Reclaim(2), Read(1), Fork(1), Swapoff(), Read(0), Read(1), Read(2)}}},
                      "v6.9", c.backend, c.zswap);
    s.config.slots_cache_size = c.slots_cache;
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    for (int mm : {0, 1}) {
      for (int va : {0, 1, 2}) {
        EXPECT_EQ(r.k.mms[mm].pte[va].kind, Pte::Kind::kPresent) << "mm " << mm << " va " << va;
      }
    }
    EXPECT_EQ(r.Count(StepId::kUnusePte), 4) << "two mms share the two swapped entries";
    EXPECT_FALSE(r.k.swap_info[0].active);
    EXPECT_TRUE(r.k.swap_info[0].map_freed);
    EXPECT_EQ(r.k.swap_info[0].inuse_pages, 0);
    EXPECT_EQ(r.k.zswap.tree_id[0], 0);
    EXPECT_EQ(r.Count(StepId::kSwapoffTeardown), 1);
  }
}

TEST(SwapoffTest, ReclaimFindsNoSwapAfterwardsAndSwaponRestoresIt) {
  const Outcome r = Exec(Make({CpuProgram{0, {Write(0, 0x21), Swapoff(), Reclaim(0), Swapon(),
                                              Reclaim(0), Read(0)}}},
                              "v6.9", "disk", true));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  // The first reclaim: add_to_swap() fails; the second stores in zswap.
  EXPECT_EQ(r.Count(StepId::kAddToSwap), 2);
  EXPECT_EQ(r.Count(StepId::kZswapStoreInsert), 1);
  EXPECT_TRUE(r.k.swap_info[0].active);
  EXPECT_EQ(r.k.zswap.tree_id[0], 2) << "swapon gave the device a new tree";
}

TEST(SwapoffTest, SwapoffAndSwaponOfTheWrongState) {
  const Outcome r =
      Exec(Make({CpuProgram{0, {Swapon(), Swapoff(), Swapoff(), Swapon(), Swapon()}}}));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kSwaponBusy), 2);
  EXPECT_EQ(r.Count(StepId::kSwapoffInval), 1);
  EXPECT_EQ(r.Count(StepId::kSwaponStart), 1);
}

// swapoff waits for every get_swap_device() reference before it frees the
// device: a fault that holds one delays the teardown until it is done.
TEST(SwapoffTest, WaitsForSwapDeviceReferences) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x31), Reclaim(0), Read(0)}}, CpuProgram{0, {Swapoff()}}},
                    "v6.3");
  s.decisions = {Through(0, StepId::kRemoveMapping), Through(0, StepId::kSkipCheck),
                 Through(1, StepId::kSwapoffKill), RunCpu(1), RunCpu(0)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  // The swapoff CPU blocked in kWait until the fault put its reference.
  long wait = -1, fault_done = -1;
  for (size_t i = 0; i < r.out.trace.size(); ++i) {
    if (r.out.trace[i].id == StepId::kSwapoffWait) wait = static_cast<long>(i);
    if (r.out.trace[i].id == StepId::kPteChanged) fault_done = static_cast<long>(i);
  }
  ASSERT_GE(wait, 0);
  ASSERT_GE(fault_done, 0) << "the skip-path fault lost to unuse_pte and retried";
  EXPECT_LT(fault_done, wait);
  EXPECT_EQ(r.k.swap_info[0].users, 0);
}

// try_to_unuse() retries while inuse_pages is not zero: a swap-out that had
// its slot before SWP_WRITEOK was cleared puts a swap entry back behind it.
TEST(SwapoffTest, RetriesWhileSlotsAreStillInUse) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x41), Write(1, 0x42), Reclaim(1)}},
                     CpuProgram{0, {Swapoff()}}},
                    "v6.9", "zram");
  s.decisions = {Through(0, StepId::kAddToSwapCache), Through(1, StepId::kUnuseCache),
                 RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_GE(r.Count(StepId::kUnuseRetry), 1) << r.Dump();
  EXPECT_EQ(r.k.mms[0].pte[1].kind, Pte::Kind::kPresent);
  EXPECT_FALSE(r.k.swap_info[0].active);
}

// try_to_unuse() waits for a page's writeback before unuse_pte().
TEST(SwapoffTest, WaitsForWriteback) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0x51), Reclaim(0), Swapoff(), Read(0)}}}, "v6.9",
                    "disk");
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kBioEndWrite), 1);
  EXPECT_EQ(r.k.mms[0].pte[0].kind, Pte::Kind::kPresent);
  // Reclaim left the page in the swap cache under writeback; unuse found it
  // there and mapped it once the interrupt ended the write.
  EXPECT_EQ(r.Count(StepId::kBioSubmitRead), 0);
}

// The three catalogue entries, each failing only with its knob restored.
TEST(SwapoffTest, CatalogueEntries) {
  struct Case {
    std::string name;
    Schedule schedule;
    std::string knob;
    std::string signature;  // with the knob
  };
  std::vector<Case> cases;
  {
    Schedule s = Make({CpuProgram{0, {Write(0, 0x61), Reclaim(0), Read(0)}}, CpuProgram{0, {Swapoff()}}},
                      "v6.3");
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(0, StepId::kSkipCheck), RunCpu(1),
                   RunCpu(0)};
    cases.push_back({"do_swap_page() against swapoff (2799e77529c2)", s,
                     "do_swap_page_no_get_swap_device", "use-after-free:swap_readpage:swap-device"});
  }
  {
    Schedule s = Make({CpuProgram{0, {Write(0, 0x62), Reclaim(0), Munmap(0)}},
                       CpuProgram{0, {Swapoff()}}},
                      "v6.9", "disk");
    s.decisions = {Through(0, StepId::kRelock), Through(0, StepId::kZapOne), RunCpu(1),
                   RunCpu(kIrqCpu, 1), RunCpu(1), RunCpu(0)};
    cases.push_back({"free_swap_and_cache() against swapoff (82b1c07a0af6)", s,
                     "free_swap_and_cache_no_get_swap_device",
                     "use-after-free:free_swap_and_cache:swap-device"});
  }
  {
    Schedule s = Make({CpuProgram{0, {Write(0, 0x63), Reclaim(0), Swapoff()}},
                       CpuProgram{0, {Op{OpKind::kZswapShrink, 0, 0, 0}}}},
                      "v6.9", "disk", true);
    s.decisions = {Through(0, StepId::kRemoveMapping), Through(1, StepId::kZswapLruIsolate),
                   RunCpu(0), RunCpu(1)};
    cases.push_back({"LRU writeback against swapoff (5878303c5353)", s, "zswap_lru_wb_before_pin",
                     "use-after-free:zswap_reclaim_entry:zswap-tree"});
  }
  for (Case& c : cases) {
    SCOPED_TRACE(c.name);
    // Every fix applied: clean. The first case's race also needs the
    // unpinned skip path of its profile (v6.3); mainline's pin closes it too.
    Schedule fixed_schedule = c.schedule;
    fixed_schedule.config.profile = "v6.9";
    const Outcome fixed = Exec(fixed_schedule);
    EXPECT_FALSE(fixed.out.finding) << fixed.Dump();
    const Outcome release = Exec(c.schedule);
    EXPECT_FALSE(release.out.finding) << "without the knob: " << release.Dump();
    c.schedule.config.knobs = {{c.knob, true}};
    const Outcome buggy = Exec(c.schedule);
    EXPECT_EQ(buggy.Signature(), c.signature) << buggy.Dump();
  }
}

TEST(SwapoffTest, UseOfTheFreedDeviceIsReported) {
  Executor ex;
  ex.Reset(RunConfig{}, {});
  Kernel& k = ex.mutable_kernel();
  k.current_cpu = 0;
  EXPECT_TRUE(swap_device_live(k, 1, Fn::kSwapFree));
  k.swap_info[0].map_freed = true;
  swap_free(k, k.cpus[0], 1);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "use-after-free:swap_free:swap-device");
}

TEST(SwapoffTest, GetSwapDeviceFailsOnceKilled) {
  Executor ex;
  ex.Reset(RunConfig{}, {});
  Kernel& k = ex.mutable_kernel();
  k.current_cpu = 0;
  ASSERT_TRUE(get_swap_device(k, 1));
  EXPECT_EQ(k.swap_info[0].users, 1);
  put_swap_device(k, 1);
  k.swap_info[0].users_dead = true;
  EXPECT_FALSE(get_swap_device(k, 1));
  EXPECT_EQ(k.swap_info[0].users, 0);
  EXPECT_EQ(swapcache_prepare(k, 1), -2) << "__swap_duplicate() cannot pin the device";
  put_swap_device(k, 1);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "swap-count:get_swap_device:swap-device");
}

TEST(SwapoffTest, SwapEntryOfARemovedDeviceIsAnAccountingFinding) {
  const Outcome r = Exec(Make({CpuProgram{0, {Read(1)}}}), [](Kernel& k) {
    k.mms[0].pte[0] = Pte{Pte::Kind::kSwap, false, kNoPage, 1};
    k.swap_info[0].active = false;
    k.swap_info[0].writeok = false;
    k.swap_info[0].on_avail = false;
    k.navail = 0;
    k.swap_info[0].map_freed = true;
  });
  EXPECT_EQ(r.Signature(), "accounting:quiescence:mm") << r.Dump();
}

// The allocator holds the device (get_swap_device_info(si)) across its
// reclaim of a slot only the swap cache holds (6.18.35, 7.1.5), so a swapoff
// that starts meanwhile waits in wait_for_completion(users) until the
// reclaim is done, and frees nothing under it. Found by ASan on
// mainline_shmem when the model's reclaim held no reference.
TEST(SwapoffTest, WaitsForTheAllocatorsReclaim) {
  Schedule s = Make({CpuProgram{0, {Write(0, 0), Reclaim(0)}},
                     CpuProgram{0, {Write(1, 0), Op{OpKind::kZswapShrink, 0, 0, 0}, Reclaim(2)}},
                     CpuProgram{0, {Write(3, 0), Reclaim(3), Op{OpKind::kZswapShrink, 0, 0, 0},
                                    Swapoff()}},
                     CpuProgram{0, {Write(2, 0), Reclaim(1)}}},
                    "v7.1.y", "zram", true);
  s.config.nslots = 4;
  s.decisions = {RunCpu(0, 14), RunCpu(1, 7), RunCpu(2, 6), RunCpu(3, 12),
                 RunCpu(1, 8),  RunCpu(2, 22), RunCpu(1, 2)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  // The race the schedule is for: cpu 1's reclaim of a cached slot began
  // before cpu 2's swapoff, which then waits for it.
  const long reclaim = r.First(StepId::kClusterReclaimRange, 1);
  ASSERT_GE(reclaim, 0) << r.Dump();
  ASSERT_LT(reclaim, r.First(StepId::kSwapoffStart, 2)) << r.Dump();
  long last_reclaim_step = -1;
  for (size_t i = 0; i < r.out.trace.size(); ++i) {
    if (r.out.trace[i].cpu == 1 && StepFn(r.out.trace[i].id) == Fn::kTryToReclaimSwap) {
      last_reclaim_step = static_cast<long>(i);
    }
  }
  EXPECT_LT(last_reclaim_step, r.First(StepId::kSwapoffWait, 2)) << r.Dump();
}

}  // namespace
}  // namespace swapfuzz
