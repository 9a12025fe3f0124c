// mm/swap_state.c: the swap cache (add_to_swap_cache / delete_from_swap_cache),
// __read_swap_cache_async()'s SWAP_HAS_CACHE handshake and its -EEXIST retry
// loop, swapin_readahead()'s neighbour pages, and v7.0's swap table:
// swap_cache_alloc_folio() (and swapin_folio(), its add without the lookup).

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

// --- v7.0+: swap_cache_alloc_folio() and swapin_folio() (the swap table) ---

// A decider that follows the segments and records, before every pick, what
// each program CPU is waiting for: a CPU keeps its Wait from the step that
// blocked or yielded until it is stepped again, so every sleep and every yield
// of the run shows up here.
class WaitLog final : public Decider {
 public:
  struct Seen {
    int cpu;
    Wait::Kind kind;
    int16_t id;
    uint64_t step;
    int8_t owner;  // kPageLock: the CPU holding the page's lock
  };
  explicit WaitLog(const std::vector<Segment>& segments) : inner_(segments) {}
  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    for (int i = 0; i < k.ncpus; ++i) {
      if (k.cpus[i].wait.kind != Wait::Kind::kNone) {
        const Wait& w = k.cpus[i].wait;
        const int8_t owner = w.kind == Wait::Kind::kPageLock ? k.pages[w.id].lock_owner : -1;
        seen.push_back(Seen{i, w.kind, w.id, k.step, owner});
      }
    }
    return inner_.Pick(runnable, current, k);
  }
  void Executed(int cpu, StepId step) override { inner_.Executed(cpu, step); }
  std::vector<Seen> seen;

 private:
  SegmentDecider inner_;
};

// Two threads of mm 0 under v7.1.y: CPU 0 writes va 0, swaps it out and faults
// it back in; CPU 1 faults on va 0 too (after the reclaim, in every schedule
// below), on zram.
Schedule TwoFaults(std::vector<Segment> decisions) {
  Schedule s;
  s.config.profile = "v7.1.y";
  s.config.page_cluster = 0;
  s.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Read(0)}}, CpuProgram{0, {Read(0)}}};
  s.decisions = std::move(decisions);
  return s;
}

// A miss: swap_cache_alloc_folio() (or swapin_folio(), on a
// SWP_SYNCHRONOUS_IO device, whose caller has looked already) allocates a
// folio, locks it, and swap_cache_add_folio() inserts it under the cluster
// lock: the folio is in the swap cache for the entry, locked by the faulting
// CPU, with the cache's reference besides its own, before any I/O; the slot's
// count is untouched.
TEST(SwapStateTest, SwapCacheAllocFolioInsertsALockedFolioOnAMiss) {
  struct Case {
    std::string name;
    Schedule schedule;
    int lookups;  // kCacheGetFolio misses of the fault before the add
    StepId read;  // the read's first step, after the add
  };
  // On the disk, the second reclaim frees the written page from the swap
  // cache (the first leaves it under writeback).
  Schedule disk;
  disk.config.profile = "v7.1.y";
  disk.config.page_cluster = 0;
  disk.config.backend = "disk";
  disk.cpus = {CpuProgram{0, {Write(0, 0x61), Reclaim(0), Reclaim(0), Read(0)}}};
  disk.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), RunCpu(0)};
  Schedule zram = TwoFaults({});
  zram.cpus.pop_back();
  const std::vector<Case> cases = {
      {"zram: do_swap_page() looked up, swapin_folio() adds", zram, 1, StepId::kZramReadLock},
      {"disk: swapin_readahead() -> swap_cache_alloc_folio() looks up again, then adds", disk,
       2, StepId::kBioSubmitRead},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    ProbeDecider d(ex, c.schedule.decisions);
    const size_t added = d.SnapshotAfter(StepId::kCacheAddFolio, 0);
    const ReplayOutput out = MustRunProbed(ex, c.schedule, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);

    const long fault = First(t, StepId::kFault, 0, Last(t, StepId::kRemoveMapping));
    ASSERT_GE(fault, 0);
    const long add = First(t, StepId::kCacheAddFolio, 0, fault);
    ASSERT_GE(add, 0);
    const PageId page = t[add].page;
    ASSERT_GE(page, 0);
    EXPECT_EQ(t[add].offset, 1);
    const std::vector<size_t> lookups = Find(t, StepId::kCacheGetFolio, 0, fault);
    ASSERT_GE(lookups.size(), static_cast<size_t>(c.lookups));
    for (int i = 0; i < c.lookups; ++i) {
      EXPECT_LT(lookups[i], static_cast<size_t>(add));
      EXPECT_EQ(t[lookups[i]].page, kNoPage) << "a miss";
    }
    EXPECT_EQ(Count(t, StepId::kCacheAddRaced), 0);
    EXPECT_EQ(First(t, c.read, 0, add), add + 1) << "the read comes right after the add";

    const Kernel& mid = *d.Snapshot(added);
    const Page& p = mid.pages[page];
    EXPECT_EQ(mid.swap_cache[1], page);
    EXPECT_TRUE(p.swapcache);
    EXPECT_EQ(p.private_offset, 1);
    EXPECT_TRUE(p.locked);
    EXPECT_EQ(p.lock_owner, 0);
    EXPECT_TRUE(p.swapbacked);
    EXPECT_TRUE(p.lru) << "folio_add_lru()";
    EXPECT_FALSE(p.uptodate) << "not read yet";
    EXPECT_EQ(p.refcount, 2) << "the fault's and the swap cache's";
    EXPECT_EQ(p.mapcount, 0);
    EXPECT_EQ(mid.si.swap_map[1], 1) << "the PTE's count, kept by the insert";
    EXPECT_TRUE(mid.si.table_used[1]);

    // The fault mapped that folio.
    EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.mms[0].pte[0].page, page);
    EXPECT_EQ(k.pages[page].data, 0x61u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// The slot changes between the lookup and swap_cache_add_folio(): CPU 0 has
// missed in do_swap_page() when CPU 1 runs.
//  -ENOENT: CPU 1 swapped the entry in and freed it (its count is 0):
//    CPU 0 gives up, unlocks and puts its new folio; do_swap_page() finds no
//    folio, rechecks the PTE and returns, and the access sees CPU 1's page.
//  -EEXIST: CPU 1 inserted its folio first: CPU 0 looks up again
//    ("swapcache = swap_cache_get_folio(entry)"), puts its own folio and
//    returns CPU 1's, with a reference and still locked by CPU 1.
TEST(SwapStateTest, SwapCacheAllocFolioGivesWayWhenTheSlotChangesUnderIt) {
  struct Case {
    std::string name;
    std::vector<Segment> decisions;
    Token err;  // kCacheAddRaced's detail: 2 (-ENOENT) or 17 (-EEXIST)
  };
  const std::vector<Case> cases = {
      {"-ENOENT: the other fault freed the slot",
       {Through(0, StepId::kCacheGetFolio), RunCpu(1), RunCpu(0)}, 2},
      {"-EEXIST: the other fault inserted its folio",
       {Through(0, StepId::kCacheGetFolio), Through(1, StepId::kCacheAddFolio), RunCpu(0),
        RunCpu(1), RunCpu(0)},
       17},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    const Schedule s = TwoFaults(c.decisions);
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t raced = d.SnapshotAfter(StepId::kCacheAddRaced, 0);
    // -EEXIST: the lookup that follows the failed add (CPU 0's second).
    const size_t relooked = d.SnapshotAfter(StepId::kCacheGetFolio, 0, 2);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());

    const long race = First(t, StepId::kCacheAddRaced, 0);
    ASSERT_GE(race, 0) << Describe(out);
    EXPECT_EQ(t[race].detail, c.err);
    EXPECT_EQ(Count(t, StepId::kCacheAddFolio, 0), 0) << "CPU 0 never inserts";
    EXPECT_EQ(Count(t, StepId::kZramReadLock, 0, race), 0) << "nor reads";
    const PageId mine = t[race].page;  // the folio CPU 0 allocated
    const long add = First(t, StepId::kCacheAddFolio, 1);
    ASSERT_GE(add, 0);
    const PageId theirs = t[add].page;
    ASSERT_GE(mine, 0);
    ASSERT_NE(mine, theirs);

    // The new folio is gone as soon as the add failed (-ENOENT) or the
    // lookup found the other (-EEXIST).
    const Kernel& gave_up = c.err == 2 ? *d.Snapshot(raced) : *d.Snapshot(relooked);
    EXPECT_TRUE(gave_up.pages[mine].freed);
    EXPECT_FALSE(gave_up.pages[mine].locked);
    EXPECT_FALSE(gave_up.pages[mine].swapcache);
    EXPECT_NE(gave_up.swap_cache[1], mine);
    if (c.err == 2) {
      EXPECT_EQ(gave_up.swap_cache[1], kNoPage);
      EXPECT_FALSE(gave_up.si.table_used[1]) << "CPU 1 freed the slot";
      EXPECT_EQ(t[race + 1].id, StepId::kDoSwapPageOom) << "no folio: the PTE recheck";
      EXPECT_FALSE(d.Snapshot(relooked).has_value()) << "no second lookup";
    } else {
      ASSERT_TRUE(d.Snapshot(relooked).has_value());
      EXPECT_EQ(t[race + 1].id, StepId::kCacheGetFolio);
      EXPECT_EQ(t[race + 1].cpu, 0);
      EXPECT_EQ(t[race + 1].page, theirs);
      const Page& p = gave_up.pages[theirs];
      EXPECT_EQ(gave_up.swap_cache[1], theirs);
      EXPECT_TRUE(p.locked);
      EXPECT_EQ(p.lock_owner, 1) << "returned without CPU 0 taking its lock";
      EXPECT_EQ(p.refcount, 3) << "CPU 1's, the swap cache's and CPU 0's";
    }
    // Both threads read CPU 1's page.
    EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.mms[0].pte[0].page, theirs);
    const long read0 = Last(t, StepId::kUserRead, 0);
    ASSERT_GE(read0, 0);
    EXPECT_EQ(t[read0].page, theirs);
    EXPECT_EQ(t[read0].detail, 0x61u);
    EXPECT_TRUE(k.pages[mine].freed);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

// Two threads fault on one zram entry under v7.1.y. There is no skip-swapcache
// path and no SWAP_HAS_CACHE to spin on: the winner's folio is in the swap
// cache, locked, before it is read, and the loser finds it (by its lookup, or
// after swap_cache_add_folio()'s -EEXIST) and sleeps on its folio lock. No
// CPU ever yields, and no step of the skip path or of
// __read_swap_cache_async() appears.
TEST(SwapStateTest, TwoFaultsOnOneEntrySleepOnTheWinnersFolioLock) {
  struct Case {
    std::string name;
    std::vector<Segment> decisions;
  };
  const std::vector<Case> cases = {
      {"the loser looks up after the insert",
       {Through(0, StepId::kRemoveMapping), Through(1, StepId::kCacheAddFolio), RunCpu(0),
        RunCpu(1), RunCpu(0)}},
      {"the loser looks up during the read",
       {Through(0, StepId::kRemoveMapping), Through(1, StepId::kZramReadLock), RunCpu(0),
        RunCpu(1), RunCpu(0)}},
      {"the loser missed, and its add fails with -EEXIST",
       {Through(0, StepId::kCacheGetFolio), Through(1, StepId::kCacheAddFolio), RunCpu(0),
        RunCpu(1), RunCpu(0)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    const Schedule s = TwoFaults(c.decisions);
    absl::StatusOr<RunConfig> config = Resolve(s.config);
    ASSERT_TRUE(config.ok()) << config.status();
    Executor ex;
    ex.Reset(*config, s.cpus);
    WaitLog log(s.decisions);
    ReplayOutput out;
    RunOptions options;
    options.trace = &out.trace;
    out.result = ex.Run(log, options);
    if (out.result.finding != nullptr) out.finding = *out.result.finding;
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());

    const long add = First(t, StepId::kCacheAddFolio, 1);
    ASSERT_GE(add, 0) << Describe(out);
    const PageId winner = t[add].page;
    EXPECT_EQ(Count(t, StepId::kCacheAddFolio, 0), 0) << "one folio per slot";
    // CPU 0 slept on the winner's folio lock while CPU 1 held it, and nobody
    // ever yielded. (The model's lock_page_or_retry() is a plain lock_page(),
    // model/mm/memory.h; the kernel's waits for the unlock and retries the
    // fault. Either way the loser sleeps on the folio lock.)
    bool slept = false;
    for (const WaitLog::Seen& w : log.seen) {
      EXPECT_NE(w.kind, Wait::Kind::kYield) << "cpu " << w.cpu << " at step " << w.step;
      slept |= w.cpu == 0 && w.kind == Wait::Kind::kPageLock && w.id == winner && w.owner == 1;
    }
    EXPECT_TRUE(slept);
    // CPU 0's access came after CPU 1 had read the folio and mapped it.
    const long install1 = First(t, StepId::kPteSameInstallPut, 1);
    const long read0 = Last(t, StepId::kUserRead, 0);
    ASSERT_GE(install1, 0);
    ASSERT_GE(read0, 0);
    EXPECT_GT(read0, install1);
    EXPECT_EQ(t[read0].page, winner);
    EXPECT_EQ(t[read0].detail, 0x61u);
    for (const StepId id : {StepId::kSkipCheck, StepId::kSkipPin, StepId::kSkipPinBusy,
                            StepId::kSwapcacheClear, StepId::kLookupSwapCache,
                            StepId::kFindGetPage, StepId::kPrepare, StepId::kPrepareBusy,
                            StepId::kAddToSwapCache, StepId::kPteSameInstall}) {
      EXPECT_EQ(Count(t, id), 0) << StepLabel(id);
    }
    EXPECT_EQ(Count(t, StepId::kZramReadLock), 1) << "one read";
    EXPECT_EQ(k.mms[0].pte[0].page, winner);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
