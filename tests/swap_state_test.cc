// mm/swap_state.c: the swap cache (add_to_swap_cache / delete_from_swap_cache),
// __read_swap_cache_async()'s SWAP_HAS_CACHE handshake and its -EEXIST retry
// loop, and swapin_readahead()'s neighbour pages.

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

constexpr uint8_t HC = SWAP_HAS_CACHE;

std::string FirstSignature(const Kernel& k) {
  const Finding* f = k.findings.First();
  return f != nullptr ? f->Signature() : std::string();
}

// swap_cluster_readahead(): with page_cluster 1 the window of an offset is
// the aligned pair [2n, 2n + 1] (offset 0, the header, excluded). Pages at va
// 0, 1, 2 are swapped out to offsets 1, 2, 3 (data 0x11, 0x22, 0x33); the fault
// on the target takes the swap cache path (a fork makes its count 2, or the
// device is not SWP_SYNCHRONOUS_IO), so the other offset of its pair is read
// ahead into the swap cache when it is in use, and skipped when it is free.
TEST(SwapStateTest, ReadaheadBringsInUsedNeighbours) {
  struct Case {
    std::string name;
    std::string profile;
    std::vector<Op> ops;      // the last op reads the target
    int page_cluster;
    bool no_sync_io;
    Offset neighbour;
    bool neighbour_read;      // the neighbour ends up in the swap cache
    uint8_t neighbour_map;    // its swap_map at the end
    bool neighbour_in_zram;   // zram still holds it
  };
  const std::vector<Op> three_out = {Write(0, 0x11), Write(1, 0x22), Write(2, 0x33),
                                     Reclaim(0),     Reclaim(1),     Reclaim(2)};
  auto with = [&](std::vector<Op> tail) {
    std::vector<Op> ops = three_out;
    ops.insert(ops.end(), tail.begin(), tail.end());
    return ops;
  };
  const std::vector<Case> cases = {
      {"neighbour above in use, after fork", "v6.9", with({Fork(1), Read(1)}), 1, false, 3,
       true, 2 | HC, true},
      {"neighbour above in use, no SWP_SYNCHRONOUS_IO", "v6.9", with({Read(1)}), 1, true, 3,
       true, 1 | HC, true},
      {"neighbour below in use, after fork", "v6.9", with({Fork(1), Read(2)}), 1, false, 2,
       true, 2 | HC, true},
      {"neighbour in use, v5.16 frees its zram copy on read", "v5.16", with({Read(1)}), 1, true,
       3, true, 1 | HC, false},
      {"neighbour free: skipped", "v6.9",
       {Write(0, 0x11), Write(1, 0x22), Reclaim(0), Reclaim(1), Read(1)}, 1, true, 3, false, 0,
       false},
      {"page_cluster 0: no readahead", "v6.9", with({Read(1)}), 0, true, 3, false, 1, true},
      {"page_cluster 0: no readahead below", "v6.9", with({Read(2)}), 0, true, 2, false, 1,
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.page_cluster = c.page_cluster;
    s.cpus = {CpuProgram{0, c.ops}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const ReplayOutput out = MustRunProbed(ex, s, d, [&](Kernel& k) {
      if (c.no_sync_io) k.si.sync_io = false;
    });
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    const uint8_t target_va = c.ops.back().va;
    const Offset target = static_cast<Offset>(target_va + 1);
    const uint8_t neighbour_va = static_cast<uint8_t>(c.neighbour - 1);
    const long fault = Last(t, StepId::kFault, 0);
    ASSERT_GE(fault, 0);
    EXPECT_EQ(t[fault].offset, target);

    // The target itself is mapped from the swap cache.
    const PageId tp = k.mms[0].pte[target_va].page;
    ASSERT_GE(tp, 0);
    EXPECT_EQ(k.pages[tp].data, 0x11u * target);
    EXPECT_EQ(k.swap_cache[target], tp);

    EXPECT_EQ(k.si.swap_map[c.neighbour], c.neighbour_map);
    const PageId n = k.swap_cache[c.neighbour];
    if (c.neighbour_read) {
      ASSERT_GE(n, 0);
      const Page& p = k.pages[n];
      EXPECT_TRUE(p.swapcache);
      EXPECT_EQ(p.private_offset, c.neighbour);
      EXPECT_EQ(p.data, 0x11u * c.neighbour);
      EXPECT_TRUE(p.uptodate);
      EXPECT_FALSE(p.locked);
      EXPECT_EQ(p.mapcount, 0) << "read ahead, not mapped";
      EXPECT_EQ(p.refcount, 1) << "only the swap cache's reference";
      EXPECT_EQ(k.mms[0].pte[neighbour_va], (Pte{Pte::Kind::kSwap, false, kNoPage, c.neighbour}));
      // swapin_readahead put its reference after reading it.
      bool put = false;
      for (size_t i : Find(t, StepId::kReadaheadPut, 0, fault)) {
        put |= t[i].offset == c.neighbour && t[i].page == n;
      }
      EXPECT_TRUE(put);
      EXPECT_EQ(p.dirty, !c.neighbour_in_zram) << "a freed zram copy leaves the page dirty";
    } else {
      EXPECT_EQ(n, kNoPage);
      int named = 0;
      for (size_t i = fault; i < t.size(); ++i) {
        if (t[i].offset != c.neighbour) continue;
        ++named;
        // Only a lookup miss and a failed swapcache_prepare (-ENOENT) may
        // name the neighbour.
        if (t[i].id == StepId::kFindGetPage) {
          EXPECT_EQ(t[i].page, kNoPage);
        } else {
          EXPECT_EQ(t[i].id, StepId::kPrepareBusy) << FormatEvent(t[i]);
          EXPECT_EQ(t[i].detail, 2u) << "-ENOENT";
        }
      }
      // page_cluster 0: the window is the target alone.
      EXPECT_EQ(named, c.page_cluster == 0 ? 0 : 2);
    }
    EXPECT_EQ(k.zram.table[c.neighbour].state,
              c.neighbour_in_zram ? ZramSlot::State::kStored : ZramSlot::State::kEmpty);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// add_to_swap_cache(): "Only the context which have set SWAP_HAS_CACHE flag
// would call add_to_swap_cache()". Called directly on a fresh machine.
TEST(SwapStateTest, AddToSwapCacheRequiresOwningTheSlot) {
  struct Case {
    std::string name;
    uint8_t map;
    bool other_page_cached;
    bool page_locked;
    std::string signature;
  };
  const std::vector<Case> cases = {
      {"owner of SWAP_HAS_CACHE", HC, false, true, ""},
      {"owner of SWAP_HAS_CACHE, PTEs hold the slot", 2 | HC, false, true, ""},
      {"SWAP_HAS_CACHE not set", 1, false, true, "swap-cache:add_to_swap_cache:swap-slot"},
      {"free slot", 0, false, true, "swap-cache:add_to_swap_cache:swap-slot"},
      {"another page already cached", 1 | HC, true, true,
       "swap-cache:add_to_swap_cache:swap-slot"},
      {"page not locked", HC, false, false, "page-state:add_to_swap_cache:page"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    constexpr Offset kOff = 4;
    k.si.swap_map[kOff] = c.map;
    if (c.other_page_cached) {
      const PageId other = alloc_page(k);
      k.pages[other].swapcache = true;
      k.pages[other].private_offset = kOff;
      k.swap_cache[kOff] = other;
    }
    const PageId id = alloc_page(k);
    Page& p = k.pages[id];
    p.locked = c.page_locked;
    p.swapbacked = true;
    add_to_swap_cache(k, id, kOff);
    EXPECT_EQ(FirstSignature(k), c.signature);
    if (c.signature.empty()) {
      EXPECT_EQ(k.swap_cache[kOff], id);
      EXPECT_TRUE(p.swapcache);
      EXPECT_EQ(p.private_offset, kOff);
      EXPECT_EQ(p.refcount, 2) << "the swap cache takes a reference";
      EXPECT_EQ(k.si.swap_map[kOff], c.map) << "the map is the caller's business";
      // And out again: delete_from_swap_cache() drops SWAP_HAS_CACHE.
      delete_from_swap_cache(k, k.cpus[0], id);
      EXPECT_EQ(FirstSignature(k), "");
      EXPECT_EQ(k.swap_cache[kOff], kNoPage);
      EXPECT_FALSE(p.swapcache);
      EXPECT_EQ(p.private_offset, kNoOffset);
      EXPECT_EQ(p.refcount, 1);
      EXPECT_EQ(k.si.swap_map[kOff], c.map & ~HC);
    }
  }
}

// __read_swap_cache_async(): swapcache_prepare() failing with -EEXIST means
// another context owns SWAP_HAS_CACHE and is about to insert its page; the
// reader yields and looks again. If the owner never inserts, the loop never
// ends: a liveness finding.
TEST(SwapStateTest, ReadSwapCacheAsyncRetriesOnEexist) {
  struct Case {
    std::string name;
    std::string profile;
  };
  for (const Case& c : {Case{"v6.3", "v6.3"}, Case{"v6.9", "v6.9"}}) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.page_cluster = 0;
    s.cpus = {CpuProgram{0, {Write(0, 0x71), Reclaim(0), Fork(1), Read(0)}}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    // After fork the count is 2, so the read takes the swap cache path. Set
    // SWAP_HAS_CACHE by hand, as if a context had claimed the slot and then
    // never added its page.
    d.After(StepId::kFork, 0, [](Kernel& k) {
      ASSERT_EQ(k.si.swap_map[1], 2);
      k.si.swap_map[1] |= HC;
    });
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    ASSERT_TRUE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(out.finding->Signature(), "liveness:__read_swap_cache_async:swap-slot");
    const long fault = Last(t, StepId::kFault, 0);
    ASSERT_GE(fault, 0);
    const long check = First(t, StepId::kSkipCheck, 0, fault);
    ASSERT_GE(check, 0);
    EXPECT_EQ(t[check].detail, 0u) << "the swap cache path";
    // find_get_page misses, swapcache_prepare says -EEXIST, again and again.
    const std::vector<size_t> busy = Find(t, StepId::kPrepareBusy, 0, fault);
    EXPECT_GE(busy.size(), 10u);
    for (size_t i : busy) {
      EXPECT_EQ(t[i].offset, 1);
      EXPECT_EQ(t[i].detail, 17u) << "-EEXIST";
      ASSERT_GE(i, 1u);
      EXPECT_EQ(t[i - 1].id, StepId::kFindGetPage);
      EXPECT_EQ(t[i - 1].page, kNoPage);
    }
    EXPECT_EQ(Count(t, StepId::kAddToSwapCache, 0, fault), 0);
    EXPECT_EQ(Count(t, StepId::kPrepare, 0, fault), 0);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The same loop when the owner does insert: two threads of the parent fault on
// the shared entry; CPU 1 claims SWAP_HAS_CACHE first, CPU 0 gets -EEXIST,
// yields, and on its next look finds CPU 1's page in the swap cache.
TEST(SwapStateTest, ReadSwapCacheAsyncFindsTheOwnersPageAfterEexist) {
  for (const std::string profile : {"v5.16", "v6.3", "v6.9"}) {
    SCOPED_TRACE(profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = profile;
    s.config.page_cluster = 0;
    s.cpus = {CpuProgram{0, {Write(0, 0x81), Reclaim(0), Fork(1), Read(0)}},
              CpuProgram{0, {Read(0)}}};
    s.decisions = {Through(0, StepId::kFork), Through(1, StepId::kPrepare),
                   Through(0, StepId::kPrepareBusy), RunCpu(1), RunCpu(0)};
    Executor ex;
    const ReplayOutput out = MustRun(ex, s);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());

    const long prepare = First(t, StepId::kPrepare, 1);
    const long busy = First(t, StepId::kPrepareBusy, 0);
    const long insert = First(t, StepId::kAddToSwapCache, 1, prepare < 0 ? 0 : prepare);
    ASSERT_GE(prepare, 0);
    ASSERT_GE(busy, 0);
    ASSERT_GE(insert, 0);
    EXPECT_LT(prepare, busy);
    EXPECT_LT(busy, insert) << "CPU 0 must see SWAP_HAS_CACHE before the page is inserted";
    EXPECT_EQ(t[busy].detail, 17u);
    const PageId page = t[insert].page;
    // CPU 0's next look finds CPU 1's page.
    const long found = First(t, StepId::kFindGetPage, 0, busy + 1);
    ASSERT_GE(found, 0);
    EXPECT_GT(found, insert);
    EXPECT_EQ(t[found].page, page);
    EXPECT_EQ(Count(t, StepId::kAddToSwapCache, 0, busy), 0) << "one page per slot";
    EXPECT_EQ(Count(t, StepId::kZramReadLock, 0, busy), 0) << "CPU 0 reads nothing";
    EXPECT_EQ(k.mms[0].pte[0], (Pte{Pte::Kind::kPresent, false, page, kNoOffset}));
    EXPECT_EQ(k.swap_cache[1], page);
    EXPECT_EQ(k.pages[page].data, 0x81u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
