// Every oracle, with a machine state in which it must fire.
//
// Each case builds the state by hand on a freshly reset machine (so the test
// does not depend on any historical bug), runs a small program, and checks the
// finding's signature. A control case checks the same program is clean on a
// consistent state.

#include "model/oracles.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Describe;
using ::swapfuzz::testing::DrainSlots;
using ::swapfuzz::testing::Fork;
using ::swapfuzz::testing::FreshKernel;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::Munmap;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::SwappedOut;
using ::swapfuzz::testing::Write;


// A page at `va` of mm 0 mapped writable with `data`.
PageId Mapped(Kernel& k, uint8_t va, Token data) {
  const PageId id = alloc_page(k);
  Page& p = k.pages[id];
  p.data = data;
  p.uptodate = p.swapbacked = p.lru = true;
  p.mapcount = 1;
  k.mms[0].pte[va] = Pte{Pte::Kind::kPresent, true, id, kNoOffset};
  k.mms[0].logical[va] = data;
  return id;
}

struct OracleCase {
  std::string name;
  std::string profile;
  std::vector<Op> program;
  std::function<void(Kernel&)> corrupt;  // makes the state inconsistent
  std::string signature;                 // "" means: must stay clean
  bool zram_empty_read_fatal = false;
  uint16_t max_steps = 4000;
};

const Finding* RunCase(Executor& ex, const OracleCase& c) {
  RunConfig config = *Resolve(ScheduleConfig{.profile = c.profile});
  config.zram_empty_read_fatal = c.zram_empty_read_fatal;
  config.max_steps = c.max_steps;
  std::vector<CpuProgram> programs = {CpuProgram{0, c.program}};
  ex.Reset(config, programs);
  Kernel& k = ex.mutable_kernel();
  if (c.corrupt) c.corrupt(k);
  DefaultDecider decider;
  return ex.Run(decider).finding;
}

Op MakeOp(OpKind kind, uint8_t va = 0) { return Op{kind, va, 0, 0}; }

TEST(OraclesTest, EachOracleFires) {
  const std::vector<OracleCase> cases = {
      {"clean swap-in", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) { SwappedOut(k, 0, 1, 0x77); }, ""},
      {"user read of wrong data", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         Mapped(k, 0, 0x77);
         k.mms[0].logical[0] = 0x78;
       },
       "data-integrity:user_access:page"},
      {"swap-in of wrong data", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         k.zram.table[1].data = 0x99;
       },
       "data-integrity:do_swap_page:page"},
      {"lost data found at quiescence", "v6.9", {MakeOp(OpKind::kRead, 1)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         k.zram.table[1].data = 0x99;
       },
       "data-integrity:quiescence:mm"},
      {"zram empty read, diagnostic only", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0);
         k.zram.table[1].state = ZramSlot::State::kEmpty;
       },
       ""},
      {"zram empty read, configured fatal", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0);
         k.zram.table[1].state = ZramSlot::State::kEmpty;
       },
       "zram-empty-read:__zram_bvec_read:zram-slot", true},
      {"unmap of an unused swap entry", "v6.9", {MakeOp(OpKind::kMunmap)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         k.si.swap_map[1] = 0;
       },
       "swap-count:free_swap_and_cache:swap-slot"},
      {"swap cache page without PG_swapcache", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         const PageId id = alloc_page(k);
         k.swap_cache[1] = id;
         k.si.swap_map[1] |= SWAP_HAS_CACHE;
       },
       "swap-cache:handle_pte_fault:swap-slot"},
      {"mapped page already freed", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         const PageId id = Mapped(k, 0, 0x77);
         k.pages[id].freed = true;
       },
       "use-after-free:user_access:page"},
      {"page left locked", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         const PageId id = Mapped(k, 0, 0x77);
         k.pages[id].locked = true;
       },
       "accounting:quiescence:page"},
      {"swap count without a swap PTE", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         k.si.swap_map[3] = 1;
         ++k.swap_info[0].inuse_pages;
       },
       "accounting:quiescence:swap-slot"},
      {"lock_page on a page nobody will unlock", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         const PageId id = alloc_page(k);
         Page& p = k.pages[id];
         p.data = 0x77;
         p.uptodate = p.swapbacked = p.swapcache = p.locked = true;
         p.private_offset = 1;
         ++p.refcount;
         k.swap_cache[1] = id;
         k.si.swap_map[1] |= SWAP_HAS_CACHE;
       },
       "deadlock:executor:cpu"},
      {"SWAP_HAS_CACHE owner that never inserts", "v6.9", {MakeOp(OpKind::kRead)},
       [](Kernel& k) {
         SwappedOut(k, 0, 1, 0x77);
         k.si.swap_map[1] |= SWAP_HAS_CACHE;
       },
       "liveness:handle_pte_fault:mm"},
  };
  Executor ex;
  for (const OracleCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Finding* f = RunCase(ex, c);
    if (c.signature.empty()) {
      EXPECT_EQ(f, nullptr) << f->Signature() << ": " << f->message.data();
    } else {
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->Signature(), c.signature) << f->message.data();
    }
  }
}

TEST(OraclesTest, ZramEmptyReadIsCountedAsDiagnostic) {
  Executor ex;
  OracleCase c{"", "v6.9", {MakeOp(OpKind::kRead)}, [](Kernel& k) {
                 SwappedOut(k, 0, 1, 0);
                 k.zram.table[1].state = ZramSlot::State::kEmpty;
               }, ""};
  EXPECT_EQ(RunCase(ex, c), nullptr);
  EXPECT_EQ(ex.kernel().findings.diagnostics, 1);
  EXPECT_EQ(ex.kernel().findings.kept[0].Signature(), "zram-empty-read:__zram_bvec_read:zram-slot");
}

TEST(OraclesTest, StepBudgetIsALivenessFinding) {
  Executor ex;
  OracleCase c{"", "v6.9", {MakeOp(OpKind::kWrite), MakeOp(OpKind::kReclaim),
                                MakeOp(OpKind::kRead)}, nullptr, ""};
  c.max_steps = 5;
  const Finding* f = RunCase(ex, c);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->Signature(), "liveness:executor:cpu");
}

TEST(OraclesTest, PageStateChecks) {
  Executor ex;
  ex.Reset(RunConfig{}, {});
  Kernel& k = ex.mutable_kernel();
  const PageId id = alloc_page(k);
  unlock_page(k, id, Fn::kUnlockPage);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "page-state:unlock_page:page");

  ex.Reset(RunConfig{}, {});
  const PageId id2 = alloc_page(k);
  put_page(k, id2, Fn::kPutPage);  // frees it
  EXPECT_TRUE(k.pages[id2].freed);
  EXPECT_EQ(k.findings.First(), nullptr);
  put_page(k, id2, Fn::kPutPage);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "use-after-free:put_page:page");
}

// --- the swap table's oracles (v7.0+), doctored in the middle of a run ---

// A page P (id 0, written with 0x77) of mm 0 at va 0, and the machine
// doctored right after the `occurrence`-th `after` step of CPU 0.
struct MidRunCase {
  std::string name;
  std::string profile;
  std::vector<Op> program;
  StepId after;
  int occurrence;
  std::function<void(Kernel&)> doctor;  // null: the control run, which must stay clean
  std::string signature;
  std::string message;  // a part of the finding's message
  int slots_cache_size = 0;
};

// Puts a page that claims to be the swap cache's page for `off` there, with
// the cache's reference, leaving whatever page was there before untouched.
PageId CacheAnotherPage(Kernel& k, Offset off) {
  const PageId id = alloc_page(k);
  Page& q = k.pages[id];
  q.data = 0x77;
  q.uptodate = q.swapbacked = q.swapcache = true;
  q.private_offset = off;
  k.swap_cache[off] = id;
  return id;
}

TEST(OraclesTest, SwapTableOraclesFireMidRun) {
  const std::vector<Op> swap_out = {Write(0, 0x77), Reclaim(0)};
  const std::vector<Op> swap_in = {Write(0, 0x77), Reclaim(0), Read(0)};
  const std::vector<Op> shared_swap_in = {Write(0, 0x77), Reclaim(0), Fork(1), Read(0)};
  const std::vector<Op> parked = {Write(0, 0x77), Reclaim(0), Munmap(0), DrainSlots()};
  auto unlock = [](Kernel& k) {
    k.pages[0].locked = false;
    k.pages[0].lock_owner = -1;
  };
  const std::vector<MidRunCase> cases = {
      // swap_duplicate() / folio_dup_swap(): the first count of a slot is
      // taken only for a folio locked in its swap cache.
      {"v7.1.y: first count taken with the folio unlocked", "v7.1.y", swap_out,
       StepId::kFolioAllocSwap, 1, unlock, "swap-count:folio_dup_swap:swap-slot",
       "first swap count taken while its swap cache folio is unlocked"},
      {"v7.1.y: first count, control", "v7.1.y", swap_out, StepId::kFolioAllocSwap, 1, nullptr,
       "", ""},
      {"v6.9: first count taken with SWAP_HAS_CACHE but no page cached", "v6.9", swap_out,
       StepId::kAddToSwapCache, 1, [](Kernel& k) { k.swap_cache[1] = kNoPage; },
       "swap-count:swap_duplicate:swap-slot",
       "first swap count taken while no folio is in its swap cache"},
      {"v6.9: first count taken with the page unlocked", "v6.9", swap_out,
       StepId::kAddToSwapCache, 1, unlock, "swap-count:swap_duplicate:swap-slot",
       "first swap count taken while its swap cache folio is unlocked"},
      // CheckAfterStep(): an allocated slot whose count is zero is pinned by
      // its swap cache, or freed.
      {"v7.1.y: the PTE's count lost at __remove_mapping", "v7.1.y", swap_in,
       StepId::kRemoveMapping, 1, [](Kernel& k) { k.si.swap_map[1] = 0; },
       "swap-count:__remove_mapping:swap-slot",
       "offset 1 is allocated with swap count 0 and nothing caches it"},
      {"v7.1.y: after __remove_mapping, control", "v7.1.y", swap_in, StepId::kRemoveMapping, 1,
       nullptr, "", ""},
      // swapcache_free_entries(): the cache is emptied before the slot is
      // freed. A slot parked in v6.9's slots cache gets a page cached; the
      // drain frees it.
      {"v6.9: a parked slot freed with a page in its swap cache", "v6.9", parked,
       StepId::kZapOne, 1, [](Kernel& k) { CacheAnotherPage(k, 1); },
       "swap-cache:swapcache_free_entries:swap-slot", "offset 1 freed while page", 2},
      {"v6.9: a parked slot drained, control", "v6.9", parked, StepId::kZapOne, 1, nullptr, "",
       "", 2},
      // unlock_page(): a locked swap cache folio and its slot agree. Another
      // page takes the slot's swap cache while the swap-in reads the folio.
      {"v7.1.y: the read's folio unlocked while its slot caches another", "v7.1.y", swap_in,
       StepId::kCacheAddFolio, 1, [](Kernel& k) { CacheAnotherPage(k, 1); },
       "swap-cache:swap_readpage:page", "is in the swap cache for offset 1, which caches page"},
      {"v7.1.y: the read's folio, control", "v7.1.y", swap_in, StepId::kCacheAddFolio, 1,
       nullptr, "", ""},
      {"v6.9: the read's page unlocked while its slot caches another", "v6.9", shared_swap_in,
       StepId::kAddToSwapCache, 2, [](Kernel& k) { CacheAnotherPage(k, 1); },
       "swap-cache:swap_readpage:page", "is in the swap cache for offset 1, which caches page"},
  };
  for (const MidRunCase& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s;
    s.config.profile = c.profile;
    s.config.page_cluster = 0;
    s.config.slots_cache_size = c.slots_cache_size;
    s.cpus = {CpuProgram{0, c.program}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    bool doctored = false;
    d.After(
        c.after, 0,
        [&](Kernel& k) {
          doctored = true;
          if (c.doctor) c.doctor(k);
        },
        c.occurrence);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(doctored) << Describe(out);
    if (c.signature.empty()) {
      EXPECT_FALSE(out.finding.has_value()) << Describe(out);
      continue;
    }
    ASSERT_TRUE(out.finding.has_value()) << Describe(out);
    EXPECT_EQ(out.finding->Signature(), c.signature) << Describe(out);
    EXPECT_NE(std::string(out.finding->message.data()).find(c.message), std::string::npos)
        << out.finding->message.data();
  }
}

// The same oracles on states no run of the release reaches, built by hand.
//  - v7.1.y: only a count dropping to zero frees a slot, and only when no
//    folio is cached, so __swap_cluster_free_entries() is called directly.
//  - An allocated slot with count 0 and nothing caching it, left over at
//    quiescence (no step names the offset). With the swap table that is a
//    word holding neither a count nor a folio. With SWAP_HAS_CACHE the only
//    count-0 map byte of a slot in use is SWAP_HAS_CACHE itself (a
//    reservation: the same oracle cannot fire on v6.9), and the reservation
//    without a page is what quiescence reports.
TEST(OraclesTest, SwapTableOraclesFireOnBuiltStates) {
  {
    SCOPED_TRACE("v7.1.y: __swap_cluster_free_entries() of a cached slot");
    Executor ex;
    Kernel& k = FreshKernel(ex, *Resolve(ScheduleConfig{.profile = "v7.1.y"}));
    constexpr Offset kOff = 5;
    k.si.table_used[kOff] = true;
    ++k.swap_info[0].inuse_pages;
    CacheAnotherPage(k, kOff);
    Offset off = kOff;
    swapcache_free_entries(k, &off, 1);
    const Finding* f = k.findings.First();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->Signature(), "swap-cache:__swap_cluster_free_entries:swap-slot");
    EXPECT_NE(std::string(f->message.data()).find("offset 5 freed while page"),
              std::string::npos)
        << f->message.data();
  }
  {
    SCOPED_TRACE("v7.1.y: __swap_cluster_free_entries() of an uncached slot, control");
    Executor ex;
    Kernel& k = FreshKernel(ex, *Resolve(ScheduleConfig{.profile = "v7.1.y"}));
    k.si.table_used[5] = true;
    ++k.swap_info[0].inuse_pages;
    Offset off = 5;
    swapcache_free_entries(k, &off, 1);
    EXPECT_EQ(k.findings.First(), nullptr);
    EXPECT_FALSE(k.si.table_used[5]);
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
  }
  struct Case {
    std::string name;
    std::string profile;
    std::function<void(Kernel&)> corrupt;
    std::string signature;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"v7.1.y: an allocated word with no count and no folio", "v7.1.y",
       [](Kernel& k) {
         k.si.table_used[3] = true;
         ++k.swap_info[0].inuse_pages;
       },
       "accounting:quiescence:swap-slot",
       "offset 3 is allocated with swap count 0 and nothing caches it"},
      {"v6.9: a SWAP_HAS_CACHE reservation with no page", "v6.9",
       [](Kernel& k) {
         k.si.swap_map[3] = SWAP_HAS_CACHE;
         ++k.swap_info[0].inuse_pages;
       },
       "accounting:quiescence:swap-slot", "offset 3: SWAP_HAS_CACHE is 1, cached page -1"},
  };
  Executor ex;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Finding* f = RunCase(ex, OracleCase{c.name, c.profile, {MakeOp(OpKind::kRead, 1)},
                                              c.corrupt, c.signature});
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->Signature(), c.signature);
    EXPECT_NE(std::string(f->message.data()).find(c.message), std::string::npos)
        << f->message.data();
  }
}

}  // namespace
}  // namespace swapfuzz
