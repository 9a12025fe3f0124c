// Large folios on the paths that meet them one page at a time, as 6.12.94,
// 6.18.35 and 7.1.5 have them: fork shares every page of a folio, swapoff maps
// a large swap-cache folio back page by page, MADV_PAGEOUT, MADV_FREE and
// UFFDIO_MOVE of one page split the folio first (split_folio(),
// model/mm/huge_memory.h), UFFDIO_MOVE refuses a swap PTE whose swap-cache
// folio is large, a VMA registered with userfaultfd faults order 0, the
// deferred split shrinker splits a partially mapped folio, and MADV_DONTNEED
// of a range zaps in zap_pte_range()'s batches: the present PTEs of one
// folio with one rmap drop and the free after the PTL (tlb_finish_mmu()),
// contiguous swap entries put together (swap_pte_batch(), then
// free_swap_and_cache_nr() or swap_put_entries_direct()) and their swap
// cache reclaimed once per folio.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/mm/huge_memory.h"
#include "model/schedule.h"
#include "model/step.h"
#include "model/steps.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::DeferredSplitScan;
using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Fork;
using ::swapfuzz::testing::MadviseDontneed;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::MadviseDontneedRange;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Write;
using ::swapfuzz::testing::Swapoff;
using ::swapfuzz::testing::MadvisePageout;
using ::swapfuzz::testing::MadviseFree;
using ::swapfuzz::testing::UffdMove;
using ::swapfuzz::testing::UffdWp;


const char* const kLargeFolioProfiles[] = {"v6.12.y", "v6.18.y", "v7.1.y"};

bool SwapTable(const std::string& profile) { return profile == "v7.1.y"; }

// zram without zswap, so that faults may swap large folios in.
Schedule Make(const std::string& profile, std::vector<CpuProgram> cpus) {
  Schedule s;
  s.config.profile = profile;
  s.config.zswap = false;
  s.config.mthp_order = 2;
  s.config.page_cluster = 0;
  s.cpus = std::move(cpus);
  return s;
}

std::vector<Op> Then(std::vector<Op> a, const std::vector<Op>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Four distinct nonzero values at addresses 0 to 3: one order-2 folio.
std::vector<Op> FillFour() { return {Write(0, 0x10), Write(1, 0x12), Write(2, 0x14), Write(3, 0x16)}; }

// Fork maps every page of the folio in the child too. The child's COW of one
// page and its zap of another leave those pages mapped in the parent, so the
// folio is not partially mapped ("last = atomic_add_negative(-1,
// &page->_mapcount)" is false for both) and reclaim takes it whole, unmapping
// it from both mms, with no split.
TEST(LargeFolioPathsTest, ForkSharesTheFolioAndAChildUnmapDoesNotSplitIt) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile,
                      {CpuProgram{0, Then(FillFour(), {Fork(1), Reclaim(0), Read(0), Read(3)})},
                       CpuProgram{1, {Read(1), Write(2, 0x30), MadviseDontneed(3)}}});
    const StepId fork = SwapTable(profile) ? StepId::kForkDupDirect : StepId::kFork;
    s.decisions = {Through(0, fork), RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kWpCopyInstall), 1) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kSplitFolio), 0) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kUnmap), 2) << "one rmap walk step per mm\n" << r.Dump();
    // The child still maps pages 0 and 1 of the folio it shared, now swapped.
    EXPECT_EQ(r.k.mms[1].pte[0].kind, Pte::Kind::kSwap);
    EXPECT_EQ(r.k.mms[1].pte[1].kind, Pte::Kind::kSwap);
  }
}

// Swapoff maps a large swap-cache folio back one page per PTE
// (folio_file_page(folio, swp_offset(entry))), and splits nothing. The folio
// is in the swap cache, unlocked under writeback, when swapoff's scan finds
// the first PTE: reclaim's zram write has begun.
TEST(LargeFolioPathsTest, SwapoffMapsALargeCacheFolioPageByPage) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0)})},
                                CpuProgram{0, {Swapoff()}}});
    s.decisions = {Through(0, StepId::kZramWrite), RunCpu(1), RunCpu(0), RunCpu(1)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const StepId unuse = SwapTable(profile) ? StepId::kUnusePtePut : StepId::kUnusePte;
    EXPECT_EQ(r.Count(unuse), 4) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kSplitFolio), 0) << r.Dump();
    for (int va = 0; va < 4; ++va) {
      SCOPED_TRACE(va);
      const Pte& pte = r.k.mms[0].pte[va];
      ASSERT_EQ(pte.kind, Pte::Kind::kPresent) << r.Dump();
      EXPECT_EQ(pte.page, va) << "page " << va << " of the folio, which starts at page 0";
      EXPECT_EQ(r.k.pages[pte.page].data, static_cast<Token>(0x10 + 2 * va));
    }
  }
}

// MADV_PAGEOUT and MADV_FREE of one page of a large folio split it first;
// the walk then looks at the PTE again and pages out (or frees) that order-0
// page alone. The split maps a page that holds only zeros to the shared zero
// page and frees it (remap_page(RMP_USE_SHARED_ZEROPAGE)).
TEST(LargeFolioPathsTest, MadviseOfOnePageSplitsTheFolio) {
  struct Case {
    std::string name;
    std::vector<Op> ops;
    StepId split;
    StepId after;  // what the walk then does with the page at address 1
  };
  const Case cases[] = {
      {"MADV_PAGEOUT", Then(FillFour(), {MadvisePageout(1)}), StepId::kPageoutSplit,
       StepId::kPageoutIsolate},
      {"MADV_FREE", Then(FillFour(), {MadviseFree(1)}), StepId::kMadvFreeSplit,
       StepId::kMadvFreeLazyfree},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      const Outcome r = Exec(Make(profile, {CpuProgram{0, Then(c.ops, {Read(0), Read(1)})}}));
      EXPECT_FALSE(r.out.finding) << r.Dump();
      ASSERT_EQ(r.Count(c.split), 1) << r.Dump();
      EXPECT_EQ(r.out.trace[r.First(c.split)].detail, 0u) << "split_folio() returned 0";
      EXPECT_GT(r.First(c.after), r.First(c.split)) << r.Dump();
      for (int i = 0; i < 4; ++i) EXPECT_EQ(r.k.pages[i].head, kNoPage) << "page " << i;
      EXPECT_EQ(r.k.pages[0].order, 0);
    }
    SCOPED_TRACE(std::string(profile) + ": zero-filled pages");
    const Outcome r = Exec(Make(profile, {CpuProgram{0, {Write(0, 0x10), MadvisePageout(0)}}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    for (int va = 1; va < 4; ++va) {
      EXPECT_EQ(r.k.mms[0].pte[va].page, kZeroPage) << "va " << va;
      EXPECT_TRUE(r.k.pages[va].freed) << "page " << va;
    }
  }
}

// A folio fork shares is mapped shared: the madvise walks leave it whole
// ("if (folio_likely_mapped_shared(folio)) continue;").
TEST(LargeFolioPathsTest, MadviseLeavesASharedFolioWhole) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    const Outcome r = Exec(
        Make(profile, {CpuProgram{0, Then(FillFour(), {Fork(1), MadvisePageout(1), MadviseFree(2)})}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kPageoutSplit) + r.Count(StepId::kMadvFreeSplit), 0) << r.Dump();
    EXPECT_EQ(r.out.trace[r.First(StepId::kPageoutLarge)].detail, 0u) << "shared";
    EXPECT_EQ(r.out.trace[r.First(StepId::kMadvFreeLarge)].detail, 0u) << "shared";
    EXPECT_EQ(r.k.pages[0].order, 2);
  }
}

// Which large folio the madvise walks call shared differs by release: after
// fork, the parent zaps pages 2-3 and the child pages 0-1, so no page is
// mapped twice. 6.12.94's folio_likely_mapped_shared() guesses from the
// mapcounts (exclusive); 6.18.35's and 7.1.5's folio_maybe_mapped_shared()
// knows two mms map it (shared).
TEST(LargeFolioPathsTest, SharingOfAFolioTwoMmsMapInPartsIsTheRelease) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {Fork(1), MadviseDontneed(2),
                                                                MadviseDontneed(3)})},
                                CpuProgram{1, {MadviseDontneed(0), MadviseDontneed(1)}},
                                CpuProgram{0, {MadvisePageout(0)}}});
    const StepId fork = SwapTable(profile) ? StepId::kForkDupDirect : StepId::kFork;
    s.decisions = {Through(0, fork), RunCpu(0), RunCpu(1), RunCpu(2)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const bool mm_id = std::string(profile) != "v6.12.y";
    ASSERT_GE(r.First(StepId::kPageoutLarge), 0) << r.Dump();
    EXPECT_EQ(r.out.trace[r.First(StepId::kPageoutLarge)].detail, mm_id ? 0u : 2u)
        << "0: shared, 2: taken for the split\n" << r.Dump();
    EXPECT_EQ(r.Count(StepId::kPageoutSplit), mm_id ? 0 : 1) << r.Dump();
  }
}

// A folio that nothing maps by the time of the split (the walk dropped the
// PTL after taking it) has no anon_vma: split_folio() returns -EBUSY and the
// walk goes past it, dropping mmap_lock (a fork that needs it for write runs).
TEST(LargeFolioPathsTest, MadviseSplitOfAFolioUnmappedMeanwhileIsBusy) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {MadvisePageout(1), Fork(1)})},
                                CpuProgram{0, {MadviseDontneed(0), MadviseDontneed(1),
                                               MadviseDontneed(2), MadviseDontneed(3)}}});
    s.decisions = {Through(0, StepId::kPageoutLarge), RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    ASSERT_EQ(r.Count(StepId::kPageoutSplit), 1) << r.Dump();
    EXPECT_EQ(r.out.trace[r.First(StepId::kPageoutSplit)].detail, static_cast<Token>(-kSplitEBusy));
    EXPECT_EQ(r.Count(StepId::kPageoutIsolate), 0) << r.Dump();
    const StepId fork = SwapTable(profile) ? StepId::kForkDupDirect : StepId::kFork;
    EXPECT_EQ(r.Count(fork), 1) << "the fork ran: madvise dropped mmap_lock\n" << r.Dump();
    EXPECT_TRUE(r.k.mms[1].alive);
  }
}

// UFFDIO_MOVE of a page of a large folio splits the folio and moves the
// order-0 page on the retry; of a swap PTE whose swap-cache folio is large
// it returns -EBUSY ("if (folio_test_large(folio)) { ret = -EBUSY; ...").
TEST(LargeFolioPathsTest, UffdMoveSplitsAPresentFolioAndRefusesALargeCacheFolio) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    {
      const Outcome r =
          Exec(Make(profile, {CpuProgram{0, Then(FillFour(), {UffdMove(1, 5), Read(5), Read(0)})}}));
      EXPECT_FALSE(r.out.finding) << r.Dump();
      ASSERT_EQ(r.Count(StepId::kUffdMoveSplit), 1) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kUffdMovePresent), 1) << r.Dump();
      EXPECT_EQ(r.k.mms[0].pte[5].page, 1);
      EXPECT_EQ(r.k.mms[0].pte[1].kind, Pte::Kind::kNone);
      EXPECT_EQ(r.k.pages[1].index, 5);
    }
    {
      // Reclaim holds the folio locked: "If we are unable to lock a large
      // folio, return -EAGAIN without taking a reference", and the move
      // retries (never sleeping on the lock, as for an order-0 folio).
      Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0)})},
                                  CpuProgram{0, {UffdMove(1, 5)}}});
      s.decisions = {Through(0, StepId::kTrylock), RunCpu(1, 4), RunCpu(0), RunCpu(1)};
      const Outcome r = Exec(s);
      EXPECT_FALSE(r.out.finding) << r.Dump();
      const long pin = r.First(StepId::kUffdMovePinFolio);
      ASSERT_GE(pin, 0) << r.Dump();
      EXPECT_EQ(r.out.trace[pin].detail, 1u | 2u | 8u) << "same, exclusive, large; not locked";
      EXPECT_EQ(r.Count(StepId::kUffdMoveFolioLock), 0) << r.Dump();
    }
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0)})},
                                CpuProgram{0, {UffdMove(0, 5)}}});
    s.decisions = {Through(0, StepId::kZramWrite), RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const long lookup = r.First(StepId::kUffdMoveSwapLookup);
    ASSERT_GE(lookup, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[lookup].detail & 4u, 4u) << "the cached folio is large";
    EXPECT_EQ(r.Count(StepId::kUffdMoveSwap), 0) << r.Dump();
    EXPECT_EQ(r.k.mms[0].pte[5].kind, Pte::Kind::kNone);
  }
}

// UFFDIO_WRITEPROTECT registers the VMA (the model's UFFDIO_REGISTER), after
// which write faults and swap-ins of it are order 0 ("if (unlikely(
// userfaultfd_armed(vma))) goto fallback;" in alloc_anon_folio() and
// alloc_swap_folio()).
TEST(LargeFolioPathsTest, UserfaultfdArmedVmaFaultsOrderZero) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    for (const Op& uffd : {UffdWp(5), UffdMove(6, 7)}) {
      SCOPED_TRACE(std::string(OpName(uffd.kind)));
      const Outcome r = Exec(Make(profile, {CpuProgram{0, Then({uffd}, FillFour())}}));
      EXPECT_FALSE(r.out.finding) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kAnonLargeInstall), 0) << r.Dump();
      EXPECT_EQ(r.Count(StepId::kAnonInstall), 4) << r.Dump();
    }
    const Outcome r =
        Exec(Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0), UffdWp(5), Read(0)})}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kCanSwapinThp), 0) << r.Dump();
    EXPECT_EQ(r.k.mms[0].pte[1].kind, Pte::Kind::kSwap) << "only address 0 came back";
  }
}

// unuse_pte_large_swapin_folio (none yet, found by swapfuzz): on 7.1.y,
// swapoff locks a large folio swapin_folio() added and read but the fault
// has not mapped (zram's read unlocked it), and unuse_pte() reaches the
// !anon branch that expects order 0: VM_WARN_ON_ONCE(folio_test_large()).
// Cleared, swapoff drops the folio from the swap cache and reads the entry
// again at order 0; every page comes back with its data.
TEST(LargeFolioPathsTest, SwapoffMeetsALargeSwapinBeforeItsFault) {
  for (const bool knob : {true, false}) {
    SCOPED_TRACE(knob ? "as released" : "knob cleared");
    Schedule s = Make("v7.1.y", {CpuProgram{0, Then(FillFour(), {Reclaim(0)})},
                                 CpuProgram{0, {Read(2), Read(0), Read(1), Read(3)}},
                                 CpuProgram{0, {Swapoff()}}});
    s.config.knobs = {{"unuse_pte_large_swapin_folio", knob}};
    // The fault inserts the large folio and reads its four pages (two steps
    // each; the last unlocks it), then swapoff runs before the fault locks
    // the folio again.
    s.decisions = {RunCpu(0), Through(1, StepId::kAllocSwapFolioLarge), RunCpu(1, 9), RunCpu(2),
                   RunCpu(1)};
    const Outcome r = Exec(s);
    EXPECT_EQ(r.Signature(), knob ? "page-state:unuse_pte:page" : "") << r.Dump();
    EXPECT_EQ(r.Count(StepId::kUnusePteLargeNotAnon) > 0, !knob) << r.Dump();
    if (knob) continue;
    // The same PTE is looked at again, and misses the swap cache.
    const long dropped = r.First(StepId::kUnusePteLargeNotAnon);
    long next = -1;
    for (size_t i = dropped + 1; i < r.out.trace.size() && next < 0; ++i) {
      if (r.out.trace[i].id == StepId::kUnuseScanTable) next = static_cast<long>(i);
    }
    ASSERT_GE(next, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[next].offset, r.out.trace[dropped].offset) << r.Dump();
    EXPECT_EQ(r.out.trace[next].page, kNoPage) << r.Dump();
  }
}

// split_folio() refuses a folio under writeback (-EBUSY) and one with a
// reference beyond its mappings, the swap cache's and the caller's
// (-EAGAIN), and leaves it whole; a folio in the swap cache splits into
// order-0 folios that each cache their own slot.
TEST(LargeFolioPathsTest, SplitFolioRefusesAndSplitsTheSwapCache) {
  const Outcome r = Exec(Make("v7.1.y", {CpuProgram{0, FillFour()}}));
  ASSERT_FALSE(r.out.finding) << r.Dump();
  Kernel k = r.k;
  Cpu& c = k.cpus[0];
  const PageId folio = k.mms[0].pte[0].page;
  Page& head = k.pages[folio];
  ASSERT_EQ(head.order, 2) << r.Dump();
  // Put the mapped folio in the swap cache at slots 4 to 7, as a swap-in
  // through the swap cache leaves it, with the cache's reference per page.
  const Offset first = 4;
  head.swapcache = true;
  head.private_offset = first;
  for (int i = 0; i < 4; ++i) k.swap_cache[first + i] = folio;
  head.refcount = static_cast<int16_t>(head.refcount + 4);
  // Address 3 unmapped (as a zap leaves it): page 3 is in the swap cache
  // only, and its slot has no count, so the split's
  // free_page_and_swap_cache() drops it from the swap cache and frees it.
  k.mms[0].pte[3] = Pte{};
  --k.pages[folio + 3].mapcount;
  --head.refcount;
  ASSERT_TRUE(trylock_page(k, c, folio));
  get_page(k, folio, Fn::kNone);
  EXPECT_TRUE(can_split_folio(k, folio, 1));

  head.writeback = true;
  EXPECT_EQ(split_folio(k, c, folio, Fn::kNone), kSplitEBusy);
  head.writeback = false;
  get_page(k, folio, Fn::kNone);
  EXPECT_EQ(split_folio(k, c, folio, Fn::kNone), kSplitEAgain);
  put_page(k, folio, Fn::kNone);
  EXPECT_EQ(head.order, 2);

  EXPECT_EQ(split_folio(k, c, folio, Fn::kNone), 0);
  EXPECT_TRUE(head.locked) << "the caller's lock stays on the head";
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const PageId page = static_cast<PageId>(folio + i);
    const Page& p = k.pages[page];
    EXPECT_EQ(p.order, 0);
    EXPECT_EQ(p.head, kNoPage);
    EXPECT_TRUE(p.swapcache);
    EXPECT_EQ(p.private_offset, first + i);
    EXPECT_EQ(k.swap_cache[first + i], page);
    // Its mapping, the swap cache and, on the head, the caller.
    EXPECT_EQ(p.refcount, 1 + 1 + (i == 0 ? 1 : 0));
  }
  EXPECT_FALSE(k.pages[folio + 3].swapcache);
  EXPECT_EQ(k.swap_cache[first + 3], kNoPage);
  EXPECT_TRUE(k.pages[folio + 3].freed);
}

// MADV_DONTNEED of one page leaves the folio partially mapped, which queues
// it; the deferred split shrinker pins it, splits it (the unmapped page is
// freed at once) and, on 7.1.y, puts the batch after the loop. The data of
// the pages still mapped survives.
TEST(LargeFolioPathsTest, DeferredSplitScanSplitsAPartiallyMappedFolio) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    const Outcome r = Exec(Make(
        profile, {CpuProgram{0, Then(FillFour(), {MadviseDontneed(1), DeferredSplitScan(),
                                                  DeferredSplitScan(), Read(0), Read(2),
                                                  Read(3)})}}));
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const long pinned = r.First(StepId::kDeferredSplitPin);
    ASSERT_GE(pinned, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[pinned].detail, 1u) << "one folio queued";
    ASSERT_EQ(r.Count(StepId::kDeferredSplitFolio), 1) << r.Dump();
    EXPECT_EQ(r.out.trace[r.First(StepId::kDeferredSplitFolio)].detail, 0u) << "split";
    EXPECT_EQ(r.Count(StepId::kDeferredSplitPut), SwapTable(profile) ? 1 : 0) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kDeferredSplitSplice), SwapTable(profile) ? 0 : 1) << r.Dump();
    ASSERT_EQ(r.Count(StepId::kDeferredSplitPin), 2) << r.Dump();
    long second = -1;
    for (size_t i = pinned + 1; i < r.out.trace.size(); ++i) {
      if (r.out.trace[i].id == StepId::kDeferredSplitPin) second = static_cast<long>(i);
    }
    ASSERT_GT(second, pinned);
    EXPECT_EQ(r.out.trace[second].detail, 0u) << "the second scan finds the queue empty";
    EXPECT_EQ(r.k.pages[0].order, 0);
    for (int i = 1; i < 4; ++i) EXPECT_EQ(r.k.pages[i].head, kNoPage) << "page " << i;
    EXPECT_TRUE(r.k.pages[1].freed) << "the unmapped page goes with the split";
    EXPECT_FALSE(r.k.pages[0].partially_mapped);
    EXPECT_EQ(r.k.pages[0].refcount, 1) << "the scan's pin is gone";
  }
}

// The shrinker's pin is a reference split_folio() does not expect from
// another caller: MADV_PAGEOUT's split of the pinned folio fails with
// -EAGAIN and leaves it whole, and the scan then splits it.
TEST(LargeFolioPathsTest, DeferredSplitPinMakesAnotherSplitFail) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {MadviseDontneed(1)})},
                                CpuProgram{0, {DeferredSplitScan()}},
                                CpuProgram{0, {MadvisePageout(0)}}});
    s.decisions = {RunCpu(0), Through(1, StepId::kDeferredSplitPin), RunCpu(2), RunCpu(1)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const long pageout = r.First(StepId::kPageoutSplit);
    ASSERT_GE(pageout, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[pageout].detail, static_cast<Token>(-kSplitEAgain)) << r.Dump();
    const long scan = r.First(StepId::kDeferredSplitFolio);
    ASSERT_GT(scan, pageout) << r.Dump();
    EXPECT_EQ(r.out.trace[scan].detail, 0u) << r.Dump();
    EXPECT_EQ(r.k.pages[0].order, 0);
  }
}

// The zap of every PTE of the folio is one batch: the folio is not left
// partially mapped on the way (the rmap is dropped once for the batch), the
// PTEs' four references stay until tlb_finish_mmu() frees the folio after the
// PTL, and one MADV_DONTNEED per page marks it partially mapped at the first.
TEST(LargeFolioPathsTest, ZapPresentPtesOfAFolioAreOneBatch) {
  struct Case {
    std::string name;
    std::vector<Op> zap;
    int batches;  // kZapPresentBatch events
    int singles;  // kZapOne events
    bool partially_mapped_after_first;
  };
  const Case cases[] = {
      {"the whole folio", {MadviseDontneedRange(0, 3)}, 1, 0, false},
      {"pages 1 to 3", {MadviseDontneedRange(1, 3)}, 1, 0, true},
      {"page by page",
       {MadviseDontneed(0), MadviseDontneed(1), MadviseDontneed(2), MadviseDontneed(3)}, 0, 4,
       true},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      const Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), c.zap)}});
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const StepId first_zap = c.batches > 0 ? StepId::kZapPresentBatch : StepId::kZapOne;
      const size_t zapped = d.SnapshotAfter(first_zap, 0, 1);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
      EXPECT_FALSE(out.finding.has_value()) << FormatTrace(out.trace);
      int batches = 0, singles = 0;
      for (const TraceEvent& e : out.trace) {
        if (e.id == StepId::kZapPresentBatch) {
          ++batches;
          EXPECT_EQ(e.detail, static_cast<Token>(c.name == "the whole folio" ? 4 : 3));
        }
        singles += e.id == StepId::kZapOne;
      }
      EXPECT_EQ(batches, c.batches);
      EXPECT_EQ(singles, c.singles);
      const Kernel& mid = *d.Snapshot(zapped);
      EXPECT_EQ(mid.pages[0].order, 2);
      EXPECT_EQ(mid.pages[0].partially_mapped, c.partially_mapped_after_first);
      EXPECT_EQ(mid.pages[0].refcount, 4) << "the PTEs' references wait for the tlb flush";
      const Kernel& k = ex.kernel();
      const int first = c.name == "pages 1 to 3" ? 1 : 0;
      EXPECT_EQ(k.pages[0].freed, first == 0) << "page 0 stays mapped, and the folio with it";
      for (int va = first; va < 4; ++va) EXPECT_EQ(k.mms[0].pte[va], Pte{}) << "va " << va;
    }
  }
}

// A folio swapped out whole leaves four contiguous entries, each with a count
// of 1 and nothing cached: one batch puts them. 6.12.94's
// __swap_entries_free() marks them SWAP_HAS_CACHE under the cluster lock and
// frees the range under si->lock in the next step (past the slots cache);
// 6.18.35's swap_entries_put_map() and 7.1.5's swap_put_entries_cluster()
// free them in the batch's own section.
TEST(LargeFolioPathsTest, ZapSwapEntriesOfAFolioArePutAsOneBatch) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    const Schedule s =
        Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0), MadviseDontneedRange(0, 3), Read(2)})}});
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t before = d.SnapshotAfter(StepId::kRemoveMapping, 0, 1);
    const size_t put = d.SnapshotAfter(StepId::kZapSwapBatch, 0, 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
    EXPECT_FALSE(out.finding.has_value()) << FormatTrace(out.trace);
    const Kernel& pre = *d.Snapshot(before);
    const Offset first = pre.mms[0].pte[0].offset;
    ASSERT_EQ(pre.mms[0].pte[0].kind, Pte::Kind::kSwap);
    for (int va = 0; va < 4; ++va) {
      ASSERT_EQ(pre.mms[0].pte[va].offset, first + va) << "va " << va;
      ASSERT_EQ(pre.si.swap_map[first + va], 1) << "va " << va;
      ASSERT_EQ(pre.swap_cache[first + va], kNoPage) << "va " << va;
    }
    const Kernel& mid = *d.Snapshot(put);
    const bool later = std::string(profile) == "v6.12.y";
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(slot_allocated(mid, static_cast<Offset>(first + i)), later) << "slot " << first + i;
    }
    EXPECT_EQ(testing::Count(out.trace, StepId::kZapEntriesRangeFree), later ? 1 : 0);
    EXPECT_EQ(testing::Count(out.trace, StepId::kZapOne), 0);
    const Kernel& k = ex.kernel();
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(slot_allocated(k, static_cast<Offset>(first + i)));
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
    EXPECT_EQ(k.mms[0].pte[2].kind, Pte::Kind::kPresent);
    EXPECT_EQ(k.mms[0].pte[2].page, kZeroPage) << "a zapped address reads the zero page";
  }
}

// The zap meets the folio in the swap cache, locked by reclaim between its
// unmap and its pageout: the put leaves every slot to the cache alone, and
// __try_to_reclaim_swap() fails its trylock once and steps over the folio's
// four slots ("nr = ALIGN(offset + 1, nr) - offset"). Reclaim then frees the
// folio and its slots.
TEST(LargeFolioPathsTest, ZapSwapCacheOfABatchIsTriedOncePerFolio) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {Reclaim(0)})},
                                CpuProgram{0, {MadviseDontneedRange(0, 3)}}});
    s.decisions = {Through(0, StepId::kUnmap), RunCpu(1), RunCpu(0)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    ASSERT_EQ(r.Count(StepId::kZapSwapBatch, 1), 1) << r.Dump();
    const StepId tried =
        std::string(profile) == "v6.12.y" ? StepId::kZapTryReclaim : StepId::kReclaimTrylock;
    EXPECT_EQ(r.Count(tried, 1), 1) << r.Dump();
    EXPECT_TRUE(r.k.pages[0].freed) << r.Dump();
    EXPECT_EQ(r.k.swap_info[0].inuse_pages, 0) << r.Dump();
  }
}

// Before v6.10 there is no batch: every PTE is zapped and put on its own.
TEST(LargeFolioPathsTest, ZapOlderReleasesZapOnePteAtATime) {
  Schedule s;
  s.config.profile = "v6.9";
  s.config.zswap = false;
  s.cpus = {CpuProgram{0, Then(FillFour(), {Reclaim(0), Reclaim(1), MadviseDontneedRange(0, 3)})}};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZapOne), 4) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZapSwapBatch) + r.Count(StepId::kZapPresentBatch), 0) << r.Dump();
  for (int va = 0; va < 4; ++va) EXPECT_EQ(r.k.mms[0].pte[va], Pte{}) << "va " << va;
}

// A scan takes the folios it pins off the queue: a second scan that runs
// meanwhile finds nothing, so it cannot pin the folio and make the first
// scan's split fail (-EAGAIN).
TEST(LargeFolioPathsTest, DeferredSplitPinnedFolioIsOffTheQueue) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {MadviseDontneed(1)})},
                                CpuProgram{0, {DeferredSplitScan()}},
                                CpuProgram{0, {DeferredSplitScan()}}});
    s.decisions = {RunCpu(0), Through(1, StepId::kDeferredSplitPin), RunCpu(2), RunCpu(1)};
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding) << r.Dump();
    const long other = r.First(StepId::kDeferredSplitPin, 2);
    ASSERT_GE(other, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[other].detail, 0u) << r.Dump();
    const long split = r.First(StepId::kDeferredSplitFolio, 1);
    ASSERT_GE(split, 0) << r.Dump();
    EXPECT_EQ(r.out.trace[split].detail, 0u) << "split" << r.Dump();
  }
}

// Reclaim holds the folio lock when the scan tries it. 6.12.y and 6.18.y
// keep the folio on the private list and splice it back onto the queue;
// 7.1.y requeues it and scans again until nr_to_scan is spent. Reclaim then
// splits the partially mapped folio itself.
TEST(LargeFolioPathsTest, DeferredSplitOfALockedFolioRequeuesIt) {
  for (const char* profile : kLargeFolioProfiles) {
    SCOPED_TRACE(profile);
    Schedule s = Make(profile, {CpuProgram{0, Then(FillFour(), {MadviseDontneed(1), Reclaim(0)})},
                                CpuProgram{0, {DeferredSplitScan()}}});
    s.decisions = {Through(0, StepId::kTrylock), RunCpu(1), RunCpu(0)};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t ended = d.SnapshotAfter(
        SwapTable(profile) ? StepId::kDeferredSplitPut : StepId::kDeferredSplitSplice, 1,
        SwapTable(profile) ? kDeferredSplitBatch : 1);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
    EXPECT_FALSE(out.finding.has_value()) << FormatTrace(out.trace);
    const int tries = SwapTable(profile) ? kDeferredSplitBatch : 1;
    EXPECT_EQ(testing::Count(out.trace, StepId::kDeferredSplitFolio, 1), tries);
    for (size_t i : testing::Find(out.trace, StepId::kDeferredSplitFolio, 1)) {
      EXPECT_EQ(out.trace[i].detail, 1u) << "the trylock failed";
    }
    const Kernel& mid = *d.Snapshot(ended);
    EXPECT_EQ(mid.pages[0].deferred_list, Page::DeferredList::kQueued);
    EXPECT_EQ(mid.pages[0].refcount, 4) << "the three mappings and reclaim's isolation: no scan pin";
    EXPECT_EQ(ex.kernel().pages[0].order, 0) << "reclaim split it";
  }
}

// A range over two order-1 folios is two present batches, whose references
// go only after both folios' free_swap_cache(); a range over a swapped-out
// folio and a present one is a swap batch and a present batch; a uffd-wp bit
// on one swap PTE ends a swap batch there (pte_same() of the next entry).
TEST(LargeFolioPathsTest, ZapBatchesEndAtEachFolioAndEachDifferentPte) {
  struct Case {
    std::string name;
    int order;
    std::vector<Op> before;
    std::vector<StepId> zaps;  // the zap's batch events, in order
    std::vector<Token> sizes;
  };
  const Case cases[] = {
      {"two order-1 folios", 1, {}, {StepId::kZapPresentBatch, StepId::kZapPresentBatch},
       {2, 2}},
      {"swapped out, then present", 1, {Reclaim(0)},
       {StepId::kZapSwapBatch, StepId::kZapPresentBatch}, {2, 2}},
      {"a uffd-wp swap pte", 2, {Reclaim(0), UffdWp(2)},
       {StepId::kZapSwapBatch, StepId::kZapOne, StepId::kZapOne}, {2, 0, 0}},
  };
  for (const char* profile : kLargeFolioProfiles) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile) + ": " + c.name);
      Schedule s = Make(profile, {CpuProgram{0, Then(Then(FillFour(), c.before),
                                                     {MadviseDontneedRange(0, 3)})}});
      s.config.mthp_order = c.order;
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t first_free = d.SnapshotAfter(StepId::kZapFreeSwapCache, 0, 1);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      EXPECT_FALSE(out.finding.has_value()) << FormatTrace(out.trace);
      const long start = testing::First(out.trace, StepId::kMadviseMmapReadLock) >= 0
                             ? testing::First(out.trace, StepId::kMadviseMmapReadLock)
                             : testing::First(out.trace, StepId::kMadviseLockVma);
      ASSERT_GE(start, 0) << FormatTrace(out.trace);
      std::vector<StepId> zaps;
      std::vector<Token> sizes;
      for (size_t i = start; i < out.trace.size(); ++i) {
        const StepId id = out.trace[i].id;
        if (id == StepId::kZapOne || id == StepId::kZapPresentBatch || id == StepId::kZapSwapBatch) {
          zaps.push_back(id);
          sizes.push_back(out.trace[i].detail);
        }
      }
      EXPECT_EQ(zaps, c.zaps) << FormatTrace(out.trace);
      EXPECT_EQ(sizes, c.sizes) << FormatTrace(out.trace);
      if (c.name == "two order-1 folios") {
        ASSERT_TRUE(d.AllFired()) << FormatTrace(out.trace);
        const Kernel& mid = *d.Snapshot(first_free);
        EXPECT_EQ(mid.pages[0].refcount, 2) << "folios_put_refs() comes after the last folio";
        EXPECT_EQ(testing::Count(out.trace, StepId::kZapFoliosPut), 1);
        EXPECT_FALSE(mid.pages[0].freed);
        EXPECT_TRUE(ex.kernel().pages[0].freed);
        EXPECT_TRUE(ex.kernel().pages[2].freed);
      }
      for (int va = 0; va < 4; ++va) EXPECT_EQ(ex.kernel().mms[0].pte[va], Pte{}) << "va " << va;
    }
  }
}

}  // namespace
}  // namespace swapfuzz
