// The shmem file on v6.18.y (6.18.35, model/mm/shmem.h): shmem_writeout()
// counts each slot SWAP_MAP_SHMEM after folio_alloc_swap()'s two sections;
// shmem_swapin_folio() on zram skips the swap cache, pinning the range with
// swapcache_prepare() (a conflict makes a large try fall back to order 0, and
// an order-0 one -EEXIST, which shmem_get_folio_gfp() repeats), and after the
// add clears the pin before swap_free_nr() puts the count; shmem_free_swap()
// puts with free_swap_and_cache_nr(). 8a1968bd997f's DFS on this release
// is in tests/shmem_large_test.cc, beside 7.1.y's.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/schedule.h"
#include "model/step.h"
#include "model/steps.h"
#include "tests/fuzz_test_util.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::ShmemPunch;
using ::swapfuzz::testing::ShmemRead;
using ::swapfuzz::testing::ShmemSwappedOutLargeFolio;
using ::swapfuzz::testing::ShmemReclaim;
using ::swapfuzz::testing::ShmemWrite;
using ::swapfuzz::testing::Swapoff;
using ::swapfuzz::testing::Through;

Schedule Make(std::vector<CpuProgram> cpus, const std::string& backend = "zram",
              bool zswap = false, uint8_t huge_order = 0) {
  return testing::ShmemSchedule("v6.18.y", std::move(cpus), huge_order, backend, zswap);
}

// The offsets of `step`'s events on `cpu`, in order.
std::vector<Offset> Offsets(const Outcome& r, StepId step, int cpu) {
  std::vector<Offset> out;
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == step && e.cpu == cpu) out.push_back(e.offset);
  }
  return out;
}

TEST(ShmemLts618Test, SwapOutCountsTheSlotSwapMapShmem) {
  struct Case {
    const char* backend;
    bool zswap;
  };
  for (const Case& c : {Case{"zram", false}, Case{"zram", true}, Case{"disk", false}}) {
    SCOPED_TRACE(std::string(c.backend) + (c.zswap ? " with zswap" : ""));
    const Outcome r = Exec(
        Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1)}}}, c.backend, c.zswap));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kPageoutStart, StepId::kFolioAllocSwapHasCache, StepId::kFolioAllocSwapCacheAdd,
         StepId::kShmemWriteoutShmemAlloc, StepId::kShmemWriteoutDelete, StepId::kWriteTryFree}))
        << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemWriteoutDupSwap), 0) << "folio_dup_swap() is 7.1.5's";
    const ShmemEntry e = r.k.shmem.i_pages[1];
    ASSERT_EQ(e.kind, ShmemEntry::Kind::kSwap) << r.Dump();
    EXPECT_EQ(swap_count(r.k.si.swap_map[e.swap]), SWAP_MAP_SHMEM);
    EXPECT_EQ(r.k.shmem.swapped, 1);
  }
}

// On zram the read skips the swap cache: the pin, the read, the add, then the
// pin cleared before the count is put. On a disk it reads through the swap
// cache and deletes the folio from it instead. Either way the slot is freed.
TEST(ShmemLts618Test, ZramSwapinSkipsTheSwapCache) {
  struct Case {
    const char* backend;
    bool skipped;
  };
  for (const Case& c : {Case{"zram", true}, Case{"disk", false}}) {
    SCOPED_TRACE(c.backend);
    const Outcome r = Exec(
        Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1)}}}, c.backend));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_TRUE(testing::InOrder(
        r.out.trace,
        {StepId::kShmemSwapinLookup, StepId::kShmemSwapinLock, StepId::kShmemSwapinAdd,
         StepId::kShmemSwapinClearCache, StepId::kShmemSwapinSwapFreeNr, StepId::kShmemReadCopy}))
        << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin),
              c.skipped ? std::vector<Token>{1} : std::vector<Token>{});
    EXPECT_EQ(r.Values(StepId::kShmemSwapinClearCache), std::vector<Token>{c.skipped});
    EXPECT_EQ(r.Count(StepId::kShmemSwapinPutSwap), 0) << "folio_put_swap() is 7.1.5's";
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
    EXPECT_EQ(r.k.shmem.i_pages[1].kind, ShmemEntry::Kind::kFolio);
    EXPECT_EQ(r.k.shmem.swapped, 0);
    for (Offset off = 1; off < 4; ++off) EXPECT_FALSE(slot_allocated(r.k, off)) << off;
  }
}

// Two reads of one swapped-out index: the second's swapcache_prepare() meets
// the first's pin (the folio it reads is in no swap cache) and fails with
// -EEXIST; shmem_get_folio_gfp() repeats its lookup and finds the first
// read's folio in the page cache.
TEST(ShmemLts618Test, ASecondSwapinSpinsOnThePinAndFindsTheFolio) {
  Schedule s = Make({CpuProgram{0, {ShmemRead(0)}}, CpuProgram{0, {ShmemRead(0)}},
                     CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}}});
  s.decisions = {RunCpu(2), Through(0, StepId::kShmemSwapAllocPin), RunCpu(1), RunCpu(0),
                 RunCpu(1)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin, 0), std::vector<Token>{1}) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin, 1), std::vector<Token>{0}) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemGetEntry, 1), 2) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x10, 0x10})) << r.Dump();
}

// A punch erases the entry while a skipped swap-in holds its pin and the
// folio's lock: shmem_add_to_page_cache() fails, failed_nolock clears the pin
// (the punch's put left the slot to it), and the repeated lookup finds a
// hole.
TEST(ShmemLts618Test, AFailedSkippedSwapinClearsItsPin) {
  Schedule s = Make({CpuProgram{0, {ShmemRead(1)}}, CpuProgram{0, {ShmemPunch(1, 1)}},
                     CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1)}}});
  s.decisions = {RunCpu(2), Through(0, StepId::kShmemSwapinLock), RunCpu(1), RunCpu(0)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin), std::vector<Token>{1}) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapinAdd), std::vector<Token>{0}) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemSwapinClearCache), 0) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0}) << r.Dump();
  for (Offset off = 1; off < 4; ++off) EXPECT_FALSE(slot_allocated(r.k, off)) << off;
}

// Order-2 folios with zswap never enabled: a read swaps the whole folio in,
// pinning the entry's four slots at once. A second read that chose order 2
// before the first pinned the range falls back to order 0 at its sub-entry,
// which is pinned too: -EEXIST, and the repeat finds the folio.
TEST(ShmemLts618Test, ALargeSkippedSwapinFallsBackOnAConflict) {
  Schedule s = Make({CpuProgram{0, {ShmemRead(0)}}, CpuProgram{0, {ShmemRead(2)}},
                     CpuProgram{0, ShmemSwappedOutLargeFolio()}},
                    "zram", false, 2);
  s.decisions = {RunCpu(2), Through(1, StepId::kShmemSwapinLookup),
                 Through(0, StepId::kShmemSwapAllocPin), RunCpu(1), RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin, 0), std::vector<Token>{1}) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapAllocPin, 1), (std::vector<Token>{0, 0})) << r.Dump();
  // The large try pins from the entry's first slot, the fallback the slot of
  // index 2 (the entry's slots are 4 .. 7).
  const std::vector<Offset> pins = Offsets(r, StepId::kShmemSwapAllocPin, 1);
  ASSERT_EQ(pins.size(), 2u) << r.Dump();
  EXPECT_EQ(pins[1], pins[0] + 2) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kShmemSplitLargeEntry), 0) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x10, 0x12})) << r.Dump();
  const ShmemEntry e = r.k.shmem.i_pages[0];
  ASSERT_EQ(e.kind, ShmemEntry::Kind::kFolio);
  EXPECT_EQ(e.order, 2);
  for (int index = 1; index < 4; ++index) EXPECT_EQ(r.k.shmem.i_pages[index].folio, e.folio);
  for (Offset off = 1; off < 9; ++off) EXPECT_FALSE(slot_allocated(r.k, off)) << off;
}

// The quiescent count oracle expects what the release counts for a mapping's
// entry: SWAP_MAP_SHMEM on 6.18.y, 1 on 7.1.y. The count each writeout sets
// is left, or replaced by the other release's.
TEST(ShmemLts618Test, TheCountOracleExpectsTheReleasesCount) {
  struct Case {
    const char* profile;
    StepId after;           // the writeout's count step
    bool corrupt;           // set the other release's count
    const char* message;    // part of the finding's message; empty: none
  };
  const Case cases[] = {
      {"v6.18.y", StepId::kShmemWriteoutShmemAlloc, false, ""},
      {"v6.18.y", StepId::kShmemWriteoutShmemAlloc, true, "swap count 0x1 "},
      {"v7.1.y", StepId::kShmemWriteoutDupSwap, false, ""},
      {"v7.1.y", StepId::kShmemWriteoutDupSwap, true, "swap count 0xbf "},
      {"v6.12.y", StepId::kShmemWritepageShmemAlloc, false, ""},
      {"v6.12.y", StepId::kShmemWritepageShmemAlloc, true, "swap count 0x1 "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + (c.corrupt ? ", the other count" : ""));
    Schedule s = Make({CpuProgram{0, {ShmemWrite(0, 0x10), ShmemReclaim(0)}}});
    s.config.profile = c.profile;
    Executor ex;
    ProbeDecider decider(ex, s.decisions);
    decider.After(c.after, 0, [&c](Kernel& k) {
      if (!c.corrupt) return;
      uint8_t& map = k.si.swap_map[k.shmem.i_pages[0].kind == ShmemEntry::Kind::kSwap
                                       ? k.shmem.i_pages[0].swap
                                       : k.pages[k.shmem.i_pages[0].folio].private_offset];
      const uint8_t other = swap_count(map) == SWAP_MAP_SHMEM ? 1 : SWAP_MAP_SHMEM;
      map = static_cast<uint8_t>((map & SWAP_HAS_CACHE) | other);
    });
    const ReplayOutput out = MustRunProbed(ex, s, decider);
    ASSERT_TRUE(decider.AllFired());
    ASSERT_EQ(out.finding.has_value(), c.corrupt) << testing::Describe(out);
    if (c.corrupt) {
      EXPECT_NE(std::string(out.finding->message.data()).find(c.message), std::string::npos)
          << out.finding->message.data();
    }
  }
}

// On a disk the swap-in reads through the swap cache (shmem_swapin_cluster()),
// whose last __read_swap_cache_async(..., false) waits when another task has
// pinned the slot and not yet inserted its folio, then finds that folio.
// Swapoff's shmem_unuse() racing a read of the index so sees the entry
// gone (-EEXIST) and completes, where giving up (-ENOMEM) would fail it.
TEST(ShmemLts618Test, ADiskSwapinWaitsForAPinnedSlot) {
  Schedule s = Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemReclaim(1),
                                    ShmemRead(1)}},
                     CpuProgram{0, {Swapoff()}}},
                    "disk");
  // The write's bio completes and the second reclaim takes the folio out
  // of the swap cache; then the read pins the slot, and swapoff meets it.
  s.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), Through(0, StepId::kPrepare),
                 RunCpu(1), RunCpu(0), RunCpu(1)};
  const Outcome r = Exec(s);
  ASSERT_FALSE(r.out.finding) << r.Dump();
  EXPECT_GE(r.Count(StepId::kPrepareBusy, 1), 1) << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemSwapinLock, 1), std::vector<Token>{0})
      << "the waiter found the reader's folio, no longer the entry's\n" << r.Dump();
  EXPECT_EQ(r.Values(StepId::kShmemReadCopy), std::vector<Token>{0x10});
  EXPECT_FALSE(r.k.swap_info[0].active) << "swapoff went through\n" << r.Dump();
}

// A folio swapped in goes on the LRU, so reclaim takes it out again: on zram
// the skipped folio (folio_add_lru() before its read), on a disk the swap
// cache's.
TEST(ShmemLts618Test, ASwappedInFolioIsReclaimedAgain) {
  for (const char* backend : {"zram", "disk"}) {
    SCOPED_TRACE(backend);
    const Outcome r = Exec(Make({CpuProgram{0, {ShmemWrite(1, 0x10), ShmemReclaim(1), ShmemRead(1),
                                                ShmemReclaim(1), ShmemRead(1)}}},
                                backend));
    ASSERT_FALSE(r.out.finding) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kShmemWriteoutShmemAlloc), 2) << r.Dump();
    EXPECT_EQ(r.Values(StepId::kShmemReadCopy), (std::vector<Token>{0x10, 0x10})) << r.Dump();
    EXPECT_EQ(r.k.shmem.i_pages[1].kind, ShmemEntry::Kind::kFolio);
  }
}

// Two large skipped swap-ins of one order-2 entry (zswap never enabled)
// against a punch of one page inside it: every interleaving within two
// preemptions ends without a finding, on 6.18.35's skip path and on 7.1.5's
// swapin_folio(). (Bound 3: 2397632 and 2006676 executions, also clean;
// docs/fuzzing.md.)
TEST(ShmemLts618Test, DfsFindsNothingInLargeSwapinsAgainstAPunch) {
  struct Case {
    const char* profile;
    const char* target;
  };
  for (const Case& c :
       {Case{"v6.18.y", "lts618_shmem_swapin"}, Case{"v7.1.y", "mainline_shmem_swapin"}}) {
    SCOPED_TRACE(c.profile);
    Schedule s = Make({CpuProgram{0, ShmemSwappedOutLargeFolio()},
                       CpuProgram{0, {ShmemRead(0)}}, CpuProgram{0, {ShmemRead(2)}},
                       CpuProgram{0, {ShmemPunch(1, 1)}}},
                      "zram", false, 2);
    s.config.profile = c.profile;
    const ExploreResult r = ExploreDfs(s, c.target, 2);
    EXPECT_FALSE(r.found) << r.signature;
    EXPECT_TRUE(r.exhausted);
    EXPECT_GT(r.executions, 10000u) << "the programs interleave";
  }
}

}  // namespace
}  // namespace swapfuzz
