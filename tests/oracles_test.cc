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

using ::swapfuzz::testing::SwappedOut;


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
         ++k.si.inuse_pages;
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

}  // namespace
}  // namespace swapfuzz
