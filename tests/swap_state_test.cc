// mm/swap_state.c: the swap cache (add_to_swap_cache / delete_from_swap_cache),
// __read_swap_cache_async()'s SWAP_HAS_CACHE handshake and its -EEXIST retry
// loop, swapin_readahead()'s neighbour pages, and v7.0's swap table:
// swap_cache_alloc_folio() (and swapin_folio(), its add without the lookup);
// VMA readahead (swap_vma_readahead(), 6.12.94, 6.18.35, 7.1.5).

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
      if (c.no_sync_io) k.swap_info[0].sync_io = false;
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

// --- VMA readahead: swap_vma_readahead() of 6.12.94, 6.18.35 and 7.1.5 ---

// Writes 0x10 + va at each of `vas` of mm 0 and reclaims them in that order:
// va vas[i] goes to offset i + 1 (the allocator takes the lowest free slot).
std::vector<Op> SwappedOutOps(std::initializer_list<uint8_t> vas) {
  std::vector<Op> ops;
  for (uint8_t va : vas) ops.push_back(Write(va, 0x10u + va));
  for (uint8_t va : vas) ops.push_back(Reclaim(va));
  return ops;
}

// One event of a trace, as a test expects it: the step, its offset, and
// (when not kAny) its detail.
struct Ev {
  static constexpr Token kAny = ~Token{0};
  StepId id;
  Offset offset;
  Token detail = kAny;
};

// The events of CPU `cpu` from `from` on whose step is one of `ids`.
std::vector<TraceEvent> Only(const std::vector<TraceEvent>& t, size_t from, int cpu,
                             std::initializer_list<StepId> ids) {
  std::vector<TraceEvent> out;
  for (size_t i = from; i < t.size(); ++i) {
    if (t[i].cpu != cpu) continue;
    for (StepId id : ids) {
      if (t[i].id == id) out.push_back(t[i]);
    }
  }
  return out;
}

void ExpectEvents(const std::vector<TraceEvent>& got, const std::vector<Ev>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i) + ": " + FormatEvent(got[i]));
    EXPECT_EQ(got[i].id, want[i].id) << StepName(want[i].id);
    EXPECT_EQ(got[i].offset, want[i].offset);
    if (want[i].detail != Ev::kAny) EXPECT_EQ(got[i].detail, want[i].detail);
  }
}

// A page read ahead for va `va` at offset `off`: in the swap cache, unmapped,
// uptodate and unlocked, with only the cache's reference, PG_readahead as
// `readahead`, and the PTE still the swap entry.
void ExpectReadAhead(const Kernel& k, uint8_t va, Offset off, bool readahead = true) {
  SCOPED_TRACE("read ahead: va " + std::to_string(va) + ", offset " + std::to_string(off));
  const PageId n = k.swap_cache[off];
  ASSERT_GE(n, 0);
  const Page& p = k.pages[n];
  EXPECT_TRUE(p.swapcache);
  EXPECT_EQ(p.private_offset, off);
  EXPECT_EQ(p.data, 0x10u + va);
  EXPECT_TRUE(p.uptodate);
  EXPECT_FALSE(p.locked);
  EXPECT_EQ(p.mapcount, 0) << "read ahead, not mapped";
  EXPECT_EQ(p.refcount, 1) << "only the swap cache's reference";
  EXPECT_EQ(p.readahead, readahead);
  EXPECT_EQ(k.mms[0].pte[va], (Pte{Pte::Kind::kSwap, false, kNoPage, off}));
}

// The order of a VMA readahead against the kernel's: swap_vma_ra_win() first,
// then for each address of the window its lockless PTE read and, for a swap
// entry, the swap cache allocation and read (6.12.94 and 6.18.35:
// __read_swap_cache_async(); 7.1.5: swap_cache_alloc_folio()) and the put,
// with PG_readahead on the neighbour only; the target's lookup last, a hit on
// the folio the loop read. Pages at va 6 and 7 are at offsets 1 and 2; the
// fault is on va 7, the VMA's first, so GET_SWAP_RA_VAL()'s 4 hits give a
// window of 8 pages, max_win (4, page_cluster 2) at most: [6, 8) around va 7.
TEST(SwapStateTest, VmaReadaheadStepsInTheKernelsOrder) {
  struct Case {
    std::string name;
    std::string profile;
    std::vector<Op> tail;  // after the swap-out of va 6 and 7
    bool sync_io;          // SWP_SYNCHRONOUS_IO (zram's own)
    // The lookups before swapin_readahead() (do_swap_page()'s or swapoff's).
    std::vector<Ev> before;
    bool table;            // 7.1.5's swap table
    uint8_t target_va;
  };
  const std::vector<Case> cases = {
      {"6.12.y, not SWP_SYNCHRONOUS_IO", "v6.12.y", {Read(7)}, false,
       {{StepId::kLookupSwapCache, 2, 0}, {StepId::kSkipCheck, 2, 0}}, false, 7},
      {"6.12.y, zram after fork (count 2)", "v6.12.y", {Fork(1), Read(7)}, true,
       {{StepId::kLookupSwapCache, 2, 0}, {StepId::kSkipCheck, 2, 0}}, false, 7},
      {"6.18.y, not SWP_SYNCHRONOUS_IO", "v6.18.y", {Read(7)}, false,
       {{StepId::kLookupSwapCache, 2, 0}, {StepId::kSkipCheck, 2, 0}}, false, 7},
      {"6.18.y, zram after fork (count 2)", "v6.18.y", {Fork(1), Read(7)}, true,
       {{StepId::kLookupSwapCache, 2, 0}, {StepId::kSkipCheck, 2, 0}}, false, 7},
      {"7.1.y, not SWP_SYNCHRONOUS_IO", "v7.1.y", {Read(7)}, false,
       {{StepId::kCacheGetFolio, 2, 0}}, true, 7},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.page_cluster = 2;
    std::vector<Op> ops = SwappedOutOps({6, 7});
    ops.insert(ops.end(), c.tail.begin(), c.tail.end());
    s.cpus = {CpuProgram{0, ops}};
    const Outcome r = Exec(s, [&](Kernel& k) { k.swap_info[0].sync_io = c.sync_io; });
    const std::vector<TraceEvent>& t = r.out.trace;
    EXPECT_FALSE(r.out.finding.has_value());
    const long fault = Last(t, StepId::kFault, 0);
    ASSERT_GE(fault, 0);
    ASSERT_EQ(t[fault].offset, 2);
    std::vector<Ev> want = c.before;
    const StepId lookup = c.table ? StepId::kCacheGetFolio : StepId::kFindGetPage;
    want.push_back({StepId::kVmaRaWin, 2, 4});
    for (const Offset off : {1, 2}) {
      want.push_back({StepId::kVmaRaPte, off, static_cast<Token>(off + 5)});
      want.push_back({lookup, off});
      if (!c.table) want.push_back({StepId::kPrepare, off});
      want.push_back({c.table ? StepId::kCacheAddFolio : StepId::kAddToSwapCache, off});
      want.push_back({StepId::kVmaRaPut, off, off == 1 ? 1u : 0u});
    }
    want.push_back({lookup, 2});  // the target: a hit
    want.push_back({StepId::kLockPage, 2});
    want.push_back({c.table ? StepId::kPteSameInstallPut : StepId::kPteSameInstall, 2});
    ExpectEvents(Only(t, fault + 1, 0,
                      {StepId::kLookupSwapCache, StepId::kSkipCheck, StepId::kVmaRaWin,
                       StepId::kVmaRaPte, StepId::kFindGetPage, StepId::kPrepare,
                       StepId::kAddToSwapCache, StepId::kCacheGetFolio, StepId::kCacheAddFolio,
                       StepId::kVmaRaPut, StepId::kReadaheadPut, StepId::kLockPage,
                       StepId::kPteSameInstall, StepId::kPteSameInstallPut}),
                 want);
    // The target's hit found the folio read in the loop, not a new one.
    const long hit = Last(t, lookup, 0);
    ASSERT_GE(hit, 0);
    EXPECT_EQ(t[hit].page, r.k.mms[0].pte[7].page);
    EXPECT_EQ(r.k.pages[r.k.mms[0].pte[7].page].data, 0x17u);
    ExpectReadAhead(r.k, 6, 1);
    EXPECT_EQ(r.k.mms[0].swap_ra, (SwapRaInfo{7, 4, 0}));
    if (FailureCount() != failures) std::cerr << r.Dump();
  }
}

// Where VMA readahead is not taken: the older profiles keep the model's
// cluster readahead exactly, and 6.12+ take it on the disk backend, a
// rotational disk (nr_rotate_swap). The fault reads offset 1's neighbour
// offset 2's window either way, with swap_cluster_readahead()'s steps.
TEST(SwapStateTest, ClusterReadaheadWhereVmaReadaheadIsNotTaken) {
  struct Case {
    std::string name;
    std::string profile;
    std::string backend;
  };
  const std::vector<Case> cases = {
      {"v5.16", "v5.16", "zram"},       {"v6.9", "v6.9", "zram"},
      {"v6.3 disk", "v6.3", "disk"},    {"v6.12.y disk", "v6.12.y", "disk"},
      {"v6.18.y disk", "v6.18.y", "disk"}, {"v7.1.y disk", "v7.1.y", "disk"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.backend = c.backend;
    s.config.page_cluster = 2;
    std::vector<Op> ops = SwappedOutOps({6, 7});
    if (c.backend == "disk") {
      // The completion interrupt ends both writes, and reclaim frees the
      // pages from the swap cache, so the fault misses it.
      ops.push_back(Reclaim(6));
      ops.push_back(Reclaim(7));
    }
    ops.push_back(Read(7));
    s.cpus = {CpuProgram{0, ops}};
    if (c.backend == "disk") {
      s.decisions = {Through(0, StepId::kRelock), Through(0, StepId::kRelock), RunCpu(kIrqCpu),
                     RunCpu(0)};
    }
    const Outcome r = Exec(s, [&](Kernel& k) { k.swap_info[0].sync_io = false; });
    EXPECT_FALSE(r.out.finding.has_value());
    EXPECT_GE(r.Count(StepId::kReadaheadPut), 1);
    for (const StepId id : {StepId::kVmaRaWin, StepId::kVmaRaPte, StepId::kVmaRaPut}) {
      EXPECT_EQ(r.Count(id), 0) << StepLabel(id);
    }
    EXPECT_EQ(r.k.mms[0].swap_ra, SwapRaInfo{}) << "swap_readahead_info untouched";
    EXPECT_EQ(r.k.pages[r.k.mms[0].pte[7].page].data, 0x17u);
    if (FailureCount() != failures) std::cerr << r.Dump();
  }
}

// swap_vma_ra_win(): one fault, with swap_readahead_info as a previous fault
// left it, and every address of the VMA swapped out (va v at offset v + 1).
// The window is __swapin_nr_pages() of the two fault addresses and the hits,
// at most max_win and at least half the previous window; it starts at the
// fault for a fault just above the previous one, ends at it for one just
// below, and is centred otherwise, clamped to the VMA. Each address of the
// window has its PTE read; the neighbours come in with PG_readahead.
TEST(SwapStateTest, VmaReadaheadWindow) {
  struct Case {
    std::string name;
    int page_cluster;
    SwapRaInfo before;
    uint8_t va;
    int win;           // kVmaRaWin's detail; 0: no window step at all
    int start, end;    // the PTEs read
    SwapRaInfo after;
  };
  const SwapRaInfo fresh{};
  const std::vector<Case> cases = {
      {"the VMA's first fault: 4 hits give 8 pages", 3, fresh, 3, 8, 0, 7 + 1, {3, 8, 0}},
      {"the first fault, page_cluster 1: max_win 2", 1, fresh, 3, 2, 3, 5, {3, 2, 0}},
      {"page_cluster 0: the target alone, info untouched", 0, fresh, 3, 0, 0, 0, fresh},
      {"a random fault, no hits: the target alone", 3, {6, 1, 0}, 3, 1, 0, 0, {3, 1, 0}},
      {"a fault just above the last: 2 pages up", 3, {2, 1, 0}, 3, 2, 3, 5, {3, 2, 0}},
      {"a fault just below the last: 2 pages down", 3, {4, 1, 0}, 3, 2, 2, 4, {3, 2, 0}},
      {"one hit: 3 pages round up to 4", 3, {2, 2, 1}, 3, 4, 3, 7, {3, 4, 0}},
      {"no hits: half the last window", 3, {6, 8, 0}, 3, 4, 2, 6, {3, 4, 0}},
      {"clamped to the VMA's end", 3, fresh, 7, 8, 4, 8, {7, 8, 0}},
      {"many hits: max_win", 2, {1, 4, 40}, 5, 4, 4, 8, {5, 4, 0}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = "v6.18.y";
    s.config.page_cluster = static_cast<uint8_t>(c.page_cluster);
    std::vector<Op> ops = SwappedOutOps({0, 1, 2, 3, 4, 5, 6, 7});
    ops.push_back(Read(c.va));
    s.cpus = {CpuProgram{0, ops}};
    const Outcome r = Exec(s, [&](Kernel& k) {
      k.swap_info[0].sync_io = false;
      k.mms[0].swap_ra = c.before;
    });
    const std::vector<TraceEvent>& t = r.out.trace;
    EXPECT_FALSE(r.out.finding.has_value());
    const std::vector<TraceEvent> wins = Only(t, 0, 0, {StepId::kVmaRaWin});
    if (c.win == 0) {
      EXPECT_TRUE(wins.empty());
    } else {
      ASSERT_EQ(wins.size(), 1u);
      EXPECT_EQ(wins[0].detail, static_cast<Token>(c.win));
    }
    std::vector<Ev> want;
    for (int va = c.start; va < c.end; ++va) {
      want.push_back({StepId::kVmaRaPte, static_cast<Offset>(va + 1), static_cast<Token>(va)});
      want.push_back({StepId::kVmaRaPut, static_cast<Offset>(va + 1), va == c.va ? 0u : 1u});
    }
    ExpectEvents(Only(t, 0, 0, {StepId::kVmaRaPte, StepId::kVmaRaPut}), want);
    for (int va = c.start; va < c.end; ++va) {
      if (va != c.va) ExpectReadAhead(r.k, static_cast<uint8_t>(va), static_cast<Offset>(va + 1));
    }
    EXPECT_EQ(r.k.mms[0].swap_ra, c.after);
    EXPECT_EQ(r.k.pages[r.k.mms[0].pte[c.va].page].data, 0x10u + c.va);
    if (FailureCount() != failures) std::cerr << r.Dump();
  }
}

// Faults in a row on one VMA (page_cluster 2, every address swapped out): the
// first reads the full window, random faults without hits halve it down to
// the target alone, a fault next to the last grows it to two pages, and a
// hit on a folio read ahead (do_swap_page()'s swap_update_readahead(), or
// 6.12.94's swap_cache_get_folio()) clears PG_readahead and counts, so the
// next window is four pages:
//   va 7: 4 hits -> 8, max_win 4: [6, 8)      va 2: no hits -> 1, half of 4: [2, 4)
//   va 5: 1, half of 2: va 5 alone           va 4: below va 5 -> 2: [3, 5)
//   va 3: a hit on va 3's folio (from va 2's window): hits 1, no window
//   va 1: hits 1 -> 3 -> 4: [0, 4); va 2 and 3 are mapped and skipped.
TEST(SwapStateTest, VmaReadaheadWindowFollowsTheFaults) {
  for (const std::string profile : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    SCOPED_TRACE(profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = profile;
    s.config.page_cluster = 2;
    std::vector<Op> ops = SwappedOutOps({0, 1, 2, 3, 4, 5, 6, 7});
    for (uint8_t va : {7, 2, 5, 4, 3, 1}) ops.push_back(Read(va));
    s.cpus = {CpuProgram{0, ops}};
    const Outcome r = Exec(s, [](Kernel& k) { k.swap_info[0].sync_io = false; });
    const std::vector<TraceEvent>& t = r.out.trace;
    EXPECT_FALSE(r.out.finding.has_value());
    std::vector<Token> wins;
    for (const TraceEvent& e : Only(t, 0, 0, {StepId::kVmaRaWin})) wins.push_back(e.detail);
    EXPECT_EQ(wins, (std::vector<Token>{4, 2, 1, 2, 4}));
    // The PTEs each window read, in order (the detail is the address).
    std::vector<Token> ptes;
    for (const TraceEvent& e : Only(t, 0, 0, {StepId::kVmaRaPte})) ptes.push_back(e.detail);
    EXPECT_EQ(ptes, (std::vector<Token>{6, 7, 2, 3, 3, 4, 0, 1, 2, 3}));
    // va 4's window found va 3's folio in the swap cache: no new folio, no
    // PG_readahead from it (the one from va 2's window stays, for va 3's hit).
    std::vector<Token> puts;
    for (const TraceEvent& e : Only(t, 0, 0, {StepId::kVmaRaPut})) puts.push_back(e.detail);
    EXPECT_EQ(puts, (std::vector<Token>{1, 0, 0, 1, 0, 0, 1, 0}));
    EXPECT_EQ(r.k.mms[0].swap_ra, (SwapRaInfo{1, 4, 0}));
    // Every fault mapped its own data; va 0 and va 6 stay read ahead.
    for (uint8_t va : {7, 2, 5, 4, 3, 1}) {
      const Pte& pte = r.k.mms[0].pte[va];
      ASSERT_EQ(pte.kind, Pte::Kind::kPresent) << int{va};
      EXPECT_EQ(r.k.pages[pte.page].data, 0x10u + va);
      EXPECT_FALSE(r.k.pages[pte.page].readahead) << "va " << int{va};
    }
    ExpectReadAhead(r.k, 0, 1);
    ExpectReadAhead(r.k, 6, 7);
    if (FailureCount() != failures) std::cerr << r.Dump();
  }
}

// swap_readahead_info after a fault that reads ahead, a fault that hits the
// folio read ahead (the hit is counted, PG_readahead cleared, the address
// stored, the window kept), a miss after it (a new window, no hits), and a
// fork (dup_mmap() copies the VMA and its info; a hit in the child counts in
// the child's).
TEST(SwapStateTest, VmaReadaheadInfoAfterHitsAndFork) {
  struct Case {
    std::string name;
    std::vector<Op> tail;   // after the swap-out of va 5, 6 and 7, and a fault on va 7
    std::vector<Op> child;  // run afterwards by a task of mm 1
    int mm;                 // whose info to check
    SwapRaInfo want;
    int windows;            // swap_vma_ra_win() steps
    bool va6_readahead;     // va 6's folio still has PG_readahead
  };
  const std::vector<Case> cases = {
      {"the fault alone", {}, {}, 0, {7, 4, 0}, 1, true},
      {"a hit on a folio read ahead", {Read(6)}, {}, 0, {6, 4, 1}, 1, false},
      // va 5 is below va 6, and one hit gives 4 pages: [2, 6).
      {"a miss after the hit", {Read(6), Read(5)}, {}, 0, {5, 4, 0}, 2, false},
      {"a fork copies the info", {Fork(1)}, {}, 1, {7, 4, 0}, 1, true},
      {"a hit in the child: the child's info", {Fork(1)}, {Read(6)}, 1, {6, 4, 1}, 1, false},
      {"a hit in the child: the parent's info stays", {Fork(1)}, {Read(6)}, 0, {7, 4, 0}, 1,
       false},
  };
  for (const std::string profile : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(profile + ": " + c.name);
      const int failures = FailureCount();
      Schedule s;
      s.config.profile = profile;
      s.config.page_cluster = 2;
      std::vector<Op> ops = SwappedOutOps({5, 6, 7});
      ops.push_back(Read(7));
      ops.insert(ops.end(), c.tail.begin(), c.tail.end());
      s.cpus = {CpuProgram{0, ops}};
      if (!c.child.empty()) {
        s.cpus.push_back(CpuProgram{1, c.child});
        s.decisions = {RunCpu(0), RunCpu(1)};
      }
      const Outcome r = Exec(s, [](Kernel& k) { k.swap_info[0].sync_io = false; });
      EXPECT_FALSE(r.out.finding.has_value());
      EXPECT_EQ(r.k.mms[c.mm].swap_ra, c.want);
      // The first window, [6, 8) around va 7, read va 6 ahead, not va 5.
      EXPECT_EQ(Count(r.out.trace, StepId::kVmaRaWin), c.windows);
      const PageId p6 = r.k.mms[0].pte[6].kind == Pte::Kind::kPresent ? r.k.mms[0].pte[6].page
                                                                      : r.k.swap_cache[2];
      ASSERT_GE(p6, 0);
      EXPECT_EQ(r.k.pages[p6].readahead, c.va6_readahead);
      if (FailureCount() != failures) std::cerr << r.Dump();
    }
  }
}

// swapoff's unuse_pte_range() calls swapin_readahead() with the VMA of the
// mm it scans: on 7.1.5 zram (SWP_SYNCHRONOUS_IO; its faults never read
// ahead) this is where VMA readahead runs. va 6 is the first swap PTE: the
// VMA's first window, [5, 8), brings va 7 in with PG_readahead, and the scan
// then finds it in the swap cache and maps it. That lookup counts no hit in
// 6.18.35 and 7.1.5; 6.12.94's swap_cache_get_folio(entry, vma, addr) would
// count one, which the model leaves out (model/mm/swapfile.cc).
TEST(SwapStateTest, VmaReadaheadFromSwapoff) {
  for (const std::string profile : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    SCOPED_TRACE(profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = profile;
    s.config.page_cluster = 2;
    std::vector<Op> ops = SwappedOutOps({6, 7});
    ops.push_back(Swapoff());
    s.cpus = {CpuProgram{0, ops}};
    const Outcome r = Exec(s);
    const std::vector<TraceEvent>& t = r.out.trace;
    EXPECT_FALSE(r.out.finding.has_value());
    std::vector<Ev> want = {{StepId::kVmaRaWin, 1, 4},
                            {StepId::kVmaRaPte, kNoOffset, 5},
                            {StepId::kVmaRaPte, 1, 6},
                            {StepId::kVmaRaPut, 1, 0},
                            {StepId::kVmaRaPte, 2, 7},
                            {StepId::kVmaRaPut, 2, 1}};
    ExpectEvents(Only(t, 0, 0, {StepId::kVmaRaWin, StepId::kVmaRaPte, StepId::kVmaRaPut}), want);
    EXPECT_EQ(r.k.mms[0].swap_ra, (SwapRaInfo{6, 4, 0}));
    for (uint8_t va : {6, 7}) {
      const Pte& pte = r.k.mms[0].pte[va];
      ASSERT_EQ(pte.kind, Pte::Kind::kPresent) << int{va};
      EXPECT_EQ(r.k.pages[pte.page].data, 0x10u + va);
    }
    EXPECT_FALSE(r.k.swap_info[0].active);
    if (FailureCount() != failures) std::cerr << r.Dump();
  }
}

// Races with the readahead's lockless PTE reads: a second thread of the mm
// faults on, writes or reclaims the neighbour (va 6, offset 1) while the
// first thread's fault on va 7 reads ahead, stopped right after the
// neighbour's PTE read, after its swap cache insertion, or after the put.
// Munmap waits for the fault's mmap_lock. Every run ends clean: the oracles
// (data integrity, swap counts and cache pins, page state) stay silent, and
// both addresses hold what was written.
TEST(SwapStateTest, VmaReadaheadRacesStayClean) {
  for (const std::string profile : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    const StepId add =
        profile == "v7.1.y" ? StepId::kCacheAddFolio : StepId::kAddToSwapCache;
    std::vector<Op> ops = SwappedOutOps({6, 7});
    ops.push_back(Read(7));
    // The fault alone, to count how often CPU 0 takes each stop before and
    // at the neighbour's (va 6's) readahead: reclaim inserts into the swap
    // cache too.
    Schedule solo;
    solo.config.profile = profile;
    solo.config.page_cluster = 2;
    solo.cpus = {CpuProgram{0, ops}};
    const Outcome alone = Exec(solo, [](Kernel& k) { k.swap_info[0].sync_io = false; });
    const long first_pte = alone.First(StepId::kVmaRaPte, 0);
    ASSERT_GE(first_pte, 0);
    for (const StepId stop : {StepId::kVmaRaPte, add, StepId::kVmaRaPut}) {
      uint16_t nth = 0;
      bool after = false;
      for (size_t i = 0; i < alone.out.trace.size(); ++i) {
        const TraceEvent& e = alone.out.trace[i];
        if (e.cpu != 0 || e.id != stop) continue;
        ++nth;
        if (static_cast<long>(i) >= first_pte) {
          after = true;
          break;
        }
      }
      ASSERT_TRUE(after) << StepName(stop);
      for (const Op& other : {Read(6), Write(6, 0x66), Reclaim(6), Munmap(6), Read(7)}) {
        SCOPED_TRACE(profile + ", stopped after " + std::string(StepName(stop)) + ", then " +
                     std::string(OpName(other.kind)) + " va " + std::to_string(other.va));
        const int failures = FailureCount();
        Schedule s;
        s.config.profile = profile;
        s.config.page_cluster = 2;
        s.cpus = {CpuProgram{0, ops}, CpuProgram{0, {other, Read(6)}}};
        s.decisions = {Segment{0, nth, stop}, RunCpu(1), RunCpu(0), RunCpu(1)};
        const Outcome r = Exec(s, [](Kernel& k) { k.swap_info[0].sync_io = false; });
        EXPECT_FALSE(r.out.finding.has_value()) << r.Signature();
        EXPECT_EQ(r.out.result.diagnostics, 0);
        EXPECT_GE(r.Count(StepId::kVmaRaPte, 0), 1);
        const Mm& mm = r.k.mms[0];
        ASSERT_EQ(mm.pte[7].kind, Pte::Kind::kPresent);
        EXPECT_EQ(r.k.pages[mm.pte[7].page].data, 0x17u);
        EXPECT_EQ(mm.pte[6].kind, Pte::Kind::kPresent);
        if (mm.pte[6].kind == Pte::Kind::kPresent) {
          const PageId p6 = mm.pte[6].page;  // the zero page after munmap
          EXPECT_EQ(p6 == kZeroPage ? 0 : r.k.pages[p6].data, mm.logical[6]);
        }
        if (FailureCount() != failures) std::cerr << r.Dump();
      }
    }
  }
}

}  // namespace
}  // namespace swapfuzz
