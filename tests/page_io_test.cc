// mm/page_io.c for a disk (bios ended by the completion interrupt), the
// stale-write oracle, zram's own writeback to its backing device, and the
// swap zeromap of v6.12+.

#include "model/mm/page_io.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/drivers/block/zram/zram_drv.h"
#include "model/executor.h"
#include "tests/model_test_util.h"
#include "model/schedule.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::Exec;
using ::swapfuzz::testing::Munmap;
using ::swapfuzz::testing::Read;
using ::swapfuzz::testing::Reclaim;
using ::swapfuzz::testing::Write;
using ::swapfuzz::testing::Outcome;
using ::swapfuzz::testing::RunCpu;
using ::swapfuzz::testing::Through;
using ::swapfuzz::testing::Count;
using ::swapfuzz::testing::Describe;
using ::swapfuzz::testing::FailureCount;
using ::swapfuzz::testing::First;
using ::swapfuzz::testing::Last;
using ::swapfuzz::testing::MustRunProbed;
using ::swapfuzz::testing::ProbeDecider;
using ::swapfuzz::testing::WriteZero;

Op Idle() { return Op{OpKind::kZramIdle, 0, 0, 0}; }
Op Writeback(uint8_t mode) { return Op{OpKind::kZramWriteback, 0, mode, 0}; }


Schedule Make(std::vector<std::vector<Op>> programs, const std::string& backend) {
  Schedule s;
  s.config.backend = backend;
  s.config.page_cluster = 0;
  for (auto& ops : programs) s.cpus.push_back(CpuProgram{0, std::move(ops)});
  return s;
}

// --- the disk ---

TEST(DiskTest, WriteIsABioThatTheInterruptEnds) {
  const Outcome r = Exec(Make({{Write(0, 0x11), Reclaim(0)}}, "disk"));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  const long submit = r.First(StepId::kBioSubmitWrite, 0);
  const long end = r.First(StepId::kBioEndWrite, kIrqCpu);
  ASSERT_GE(submit, 0);
  ASSERT_GT(end, submit) << "the interrupt ends it later";
  EXPECT_EQ(r.k.disk[1].data, 0x11u);
  EXPECT_EQ(r.k.disk[1].generation, r.k.si.generation[1]);
  // Reclaim saw the page under writeback and kept it in the swap cache.
  EXPECT_EQ(r.Count(StepId::kRemoveMapping), 0);
  EXPECT_NE(r.k.swap_cache[1], kNoPage);
  EXPECT_FALSE(r.k.pages[r.k.swap_cache[1]].writeback);
  EXPECT_EQ(r.k.nbios, 0);
}

TEST(DiskTest, ASecondReclaimFreesTheCleanSwapCachePage) {
  Schedule s = Make({{Write(0, 0x12), Reclaim(0), Reclaim(0), Read(0)}}, "disk");
  s.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1), RunCpu(0)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kRemoveMapping), 1) << "the page is found through the swap PTE";
  EXPECT_EQ(r.Count(StepId::kBioSubmitWrite), 1) << "clean: no second write";
  // The swap-in reads the block with a bio; the fault sleeps on the page lock
  // until the interrupt ends the read.
  EXPECT_EQ(r.Count(StepId::kBioSubmitRead), 1);
  EXPECT_EQ(r.Count(StepId::kBioEndRead, kIrqCpu), 1);
  EXPECT_EQ(r.k.pages[r.k.mms[0].pte[0].page].data, 0x12u);
}

TEST(DiskTest, NoSkipSwapcachePathOnADisk) {
  const Outcome r = Exec(Make({{Write(0, 0x13), Reclaim(0), Reclaim(0), Read(0)}}, "disk"));
  for (const TraceEvent& e : r.out.trace) {
    if (e.id == StepId::kSkipCheck) EXPECT_EQ(e.detail, 0u);
  }
  EXPECT_EQ(r.Count(StepId::kSkipPin), 0);
}

TEST(DiskTest, TheInterruptCanBeScheduled) {
  // A schedule names the interrupt as CPU kIrqCpu: the read completes only
  // when the schedule says so, and the faulting CPU waits for it.
  Schedule s = Make({{Write(0, 0x14), Reclaim(0), Reclaim(0), Read(0)}, {Read(1)}}, "disk");
  s.decisions = {Through(0, StepId::kRelock), RunCpu(kIrqCpu, 1),
                 Through(0, StepId::kBioSubmitRead), RunCpu(1), RunCpu(kIrqCpu, 1), RunCpu(0)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  const long submit = r.First(StepId::kBioSubmitRead);
  const long other = r.First(StepId::kUserRead, 1);
  const long end = r.First(StepId::kBioEndRead);
  ASSERT_GE(submit, 0);
  EXPECT_LT(submit, other);
  EXPECT_LT(other, end);
}

TEST(DiskTest, EndOfWritebackOnAPageNotUnderWritebackIsReported) {
  Executor ex;
  RunConfig config;
  config.backend = Backend::kDisk;
  ex.Reset(config, {});
  Kernel& k = ex.mutable_kernel();
  k.current_cpu = kIrqCpu;
  const PageId id = alloc_page(k);
  k.bios[0] = Bio{true, 1, id, 0x5, 1};
  k.nbios = 1;
  bio_endio(k, k.cpus[kIrqCpu]);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "page-state:end_swap_bio_write:page");
}

TEST(DiskTest, PageLeftUnderWritebackAtQuiescenceIsReported) {
  const Outcome r = Exec(Make({{Read(0)}}, "disk"), [](Kernel& k) {
    const PageId id = alloc_page(k);
    k.pages[id].writeback = true;
  });
  EXPECT_EQ(r.Signature(), "accounting:quiescence:page") << r.Dump();
}

// The stale-write oracle: a copy written back to a slot must be what
// swap-out last wrote there, for the slot's current owner.
TEST(StaleWriteTest, FiresOnAnOlderGenerationOrOlderData) {
  struct Case {
    std::string name;
    uint32_t gen;
    Token data;
    bool fires;
  };
  const Case cases[] = {{"the current content", 2, 0x20, false},
                        {"an earlier owner's data", 1, 0x10, true},
                        {"older data of the current owner", 2, 0x10, true}};
  for (const std::string backend : {"zram", "disk"}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(backend + ": " + c.name);
      Executor ex;
      RunConfig config;
      config.backend = backend == "disk" ? Backend::kDisk : Backend::kZram;
      ex.Reset(config, {});
      Kernel& k = ex.mutable_kernel();
      k.current_cpu = 0;
      k.si.swap_map[1] = 1 | SWAP_HAS_CACHE;
      k.si.generation[1] = 2;
      k.si.auth_generation[1] = 2;
      k.si.auth_data[1] = 0x20;
      const PageId id = alloc_page(k);
      Page& p = k.pages[id];
      p.locked = true;
      p.data = c.data;
      Cpu& cpu = k.cpus[0];
      cpu.depth = 1;
      Frame& f = cpu.frames[0];
      f = Frame{};
      f.fn = Fn::kSwapWritepageBdev;
      f.offset = 1;
      f.page = id;
      InitLocals<Fn::kSwapWritepageBdev>(f, {.zswap_writeback = true, .generation = c.gen});
      swap_writepage_bdev(k, cpu, f);
      const Finding* found = k.findings.First();
      EXPECT_EQ(found != nullptr, c.fires);
      if (found) EXPECT_EQ(found->Signature(), "stale-write:__swap_writepage:swap-slot");
    }
  }
}

// --- zram writeback ---

TEST(ZramWritebackTest, IdleSlotsMoveToTheBackingDeviceAndReadBack) {
  const Outcome r =
      Exec(Make({{Write(0, 0x22), Write(1, 0x24), Reclaim(0), Reclaim(1), Idle(), Writeback(0), Read(0),
                  Read(1)}},
                "zram"));
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZramWbCommit), 2);
  EXPECT_EQ(r.Count(StepId::kZramReadBdev), 2);
  EXPECT_EQ(r.k.pages[r.k.mms[0].pte[0].page].data, 0x22u);
  EXPECT_EQ(r.k.pages[r.k.mms[0].pte[1].page].data, 0x24u);
  // The swap-ins freed the slots, and with them the blocks.
  EXPECT_EQ(r.k.zram.wb_pages, 0);
  for (const ZramBdBlock& b : r.k.zram.bd) EXPECT_FALSE(b.used);
}

TEST(ZramWritebackTest, ModesPickIdleOrHugeSlots) {
  // Odd tokens are incompressible (ZRAM_HUGE); nothing is idle before "idle".
  const Outcome huge =
      Exec(Make({{Write(0, 0x31), Write(1, 0x32), Reclaim(0), Reclaim(1), Writeback(1)}}, "zram"));
  EXPECT_FALSE(huge.out.finding) << huge.Dump();
  EXPECT_EQ(huge.k.zram.table[1].state, ZramSlot::State::kWb);
  EXPECT_EQ(huge.k.zram.table[2].state, ZramSlot::State::kStored);
  const Outcome idle =
      Exec(Make({{Write(0, 0x31), Write(1, 0x32), Reclaim(0), Reclaim(1), Writeback(0)}}, "zram"));
  EXPECT_EQ(idle.k.zram.wb_pages, 0) << "not marked idle";
}

TEST(ZramWritebackTest, ARewriteOrFreeDuringWritebackAbortsTheCommit) {
  // CPU 1 writes the slot back; CPU 0 frees it (munmap) after the read, so
  // the commit finds the slot changed and gives the block back.
  Schedule s = Make({{Write(0, 0x41), Reclaim(0), Idle(), Munmap(0)}, {Writeback(0)}}, "zram");
  s.decisions = {Through(0, StepId::kZramIdle), Through(1, StepId::kZramWbWrite), RunCpu(0),
                 RunCpu(1)};
  const Outcome r = Exec(s);
  EXPECT_FALSE(r.out.finding) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZramWbAbort), 1) << r.Dump();
  EXPECT_EQ(r.Count(StepId::kZramWbCommit), 0);
  EXPECT_EQ(r.k.zram.table[1].state, ZramSlot::State::kEmpty);
  for (const ZramBdBlock& b : r.k.zram.bd) EXPECT_FALSE(b.used);
}

TEST(ZramWritebackTest, OraclesFire) {
  // A written-back slot whose block was freed under a reader.
  Executor ex;
  ex.Reset(RunConfig{}, {});
  Kernel& k = ex.mutable_kernel();
  k.current_cpu = 0;
  const PageId id = alloc_page(k);
  k.zram.bd[3] = ZramBdBlock{true, 1, 0x51, 1};
  int16_t block = -1;
  uint16_t seq = 0;
  k.zram.table[2].state = ZramSlot::State::kWb;
  k.zram.table[2].block = 3;
  ASSERT_TRUE(zram_read_wb_begin(k, 2, &block, &seq));
  k.zram.bd[3].used = false;  // zram_free_page() from a free notify
  zram_read_from_bdev(k, block, seq, id);
  ASSERT_NE(k.findings.First(), nullptr);
  EXPECT_EQ(k.findings.First()->Signature(), "use-after-free:read_from_bdev:block");

  // Accounting: a written-back slot without its block; a block nobody owns.
  Schedule s = Make({{Read(0)}}, "zram");
  const Outcome orphan = Exec(s, [](Kernel& k) { k.zram.bd[0].used = true; });
  EXPECT_EQ(orphan.Signature(), "accounting:quiescence:block") << orphan.Dump();
  const Outcome lost = Exec(s, [](Kernel& k) {
    // Beyond the swap device's offsets, so only the block check looks at it.
    k.zram.table[kMaxSlots - 1].state = ZramSlot::State::kWb;
    k.zram.table[kMaxSlots - 1].block = 2;
  });
  EXPECT_EQ(lost.Signature(), "accounting:quiescence:block") << lost.Dump();
}

TEST(ZramWritebackTest, CommitOfDataTheSlotNoLongerHoldsIsAStaleWrite) {
  // The writeback read the slot's data; the block is then changed behind
  // it (as a write to the wrong block would): the commit must not take it.
  Schedule s = Make({{Write(0, 0x61), Reclaim(0), Idle()}, {Writeback(0)}}, "zram");
  s.decisions = {RunCpu(0), Through(1, StepId::kZramWbWrite), RunCpu(1)};
  Outcome r;
  {
    Executor ex;
    absl::StatusOr<RunConfig> config = Resolve(s.config);
    ex.Reset(*config, s.cpus);
    struct Corrupting : Decider {
      SegmentDecider inner;
      Executor* ex;
      Corrupting(const std::vector<Segment>& seg, Executor* e) : inner(seg), ex(e) {}
      int Pick(uint32_t runnable, int current, const Kernel& k) override {
        return inner.Pick(runnable, current, k);
      }
      void Executed(int cpu, StepId step) override {
        inner.Executed(cpu, step);
        if (step == StepId::kZramWbWrite) {
          for (ZramBdBlock& b : ex->mutable_kernel().zram.bd) {
            if (b.used) b.data = 0x99;
          }
        }
      }
    } d(s.decisions, &ex);
    r.out.result = ex.Run(d);
    if (r.out.result.finding) r.out.finding = *r.out.result.finding;
  }
  EXPECT_EQ(r.Signature(), "stale-write:writeback_store:zram-slot");
}

// --- the zeromap (v6.12+) ---

// swap_writepage() / swap_writeout() of a zero-filled folio sets the slot's
// bit in si->zeromap and unlocks it: nothing goes to zswap or the device.
// swap_read_folio() reads the bit first and zero-fills the folio from it. The
// slot's free (swap_range_free()) clears the bit. v6.9 has no zeromap: the
// zeros are stored like any data.
TEST(ZeromapTest, ZeroFilledPagesLiveInTheZeromap) {
  struct Case {
    std::string profile;
    bool zeromap;
  };
  const Case cases[] = {
      {"v6.9", false}, {"v6.12.y", true}, {"v6.18.y", true}, {"v7.1.y", true}};
  for (const Case& c : cases) {
    for (const std::string backend : {"zram", "disk"}) {
      // zswap in front of the disk, none before zram.
      const bool zswap = backend == "disk";
      SCOPED_TRACE(c.profile + " " + backend + (zswap ? " + zswap" : ""));
      const int failures = FailureCount();
      Schedule s = Make({{WriteZero(0), Reclaim(0), Read(0), Munmap(0)}}, backend);
      s.config.profile = c.profile;
      s.config.zswap = zswap;
      Executor ex;
      ProbeDecider d(ex, s.decisions);
      const size_t swapped_out = d.SnapshotAfter(StepId::kRemoveMapping, 0);
      const size_t read = d.SnapshotAfter(StepId::kUserRead, 0);
      const ReplayOutput out = MustRunProbed(ex, s, d);
      const std::vector<TraceEvent>& t = out.trace;
      const Kernel& k = ex.kernel();
      EXPECT_FALSE(out.finding.has_value());
      ASSERT_TRUE(d.AllFired()) << Describe(out);

      // Swapped out.
      const Kernel& mid = *d.Snapshot(swapped_out);
      const int writes = Count(t, StepId::kZramWrite) + Count(t, StepId::kBioSubmitWrite) +
                         Count(t, StepId::kZswapStoreCheck);
      EXPECT_EQ(Count(t, StepId::kZeromapWrite), c.zeromap ? 1 : 0);
      EXPECT_EQ(mid.si.zeromap[1], c.zeromap);
      if (c.zeromap) {
        const long set = First(t, StepId::kZeromapWrite);
        EXPECT_EQ(t[set].offset, 1);
        EXPECT_EQ(writes, 0) << "neither zswap nor the device sees the page";
        EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kEmpty);
        EXPECT_FALSE(mid.disk[1].written);
        EXPECT_EQ(mid.zswap.stored_pages, 0);
      } else {
        EXPECT_EQ(writes, 1);
        if (zswap) {
          EXPECT_EQ(mid.zswap.stored_pages, 1);
        } else {
          // zram keeps a page of zeros as ZRAM_SAME.
          EXPECT_EQ(mid.zram.table[1].state, ZramSlot::State::kSame);
        }
      }
      EXPECT_EQ(mid.swap_cache[1], kNoPage);
      EXPECT_EQ(swap_count(mid.si.swap_map[1]), 1);

      // Swapped in: zeros, from the bit alone.
      EXPECT_EQ(Count(t, StepId::kZeromapRead), c.zeromap ? 1 : 0);
      if (c.zeromap) {
        const long fill = First(t, StepId::kZeromapRead);
        EXPECT_EQ(t[fill].offset, 1);
        EXPECT_EQ(Count(t, StepId::kZramReadLock), 0);
        EXPECT_EQ(Count(t, StepId::kBioSubmitRead), 0);
        EXPECT_EQ(Count(t, StepId::kZswapLoadFind), 0);
      }
      const long user = First(t, StepId::kUserRead, 0);
      ASSERT_GE(user, 0);
      EXPECT_EQ(t[user].detail, 0u);
      EXPECT_NE(t[user].page, kZeroPage) << "a swapped-in page, not the zero page";
      // zram frees the slot after the swap-in, and the bit with it; the disk's
      // read fault leaves the slot cached, the bit set.
      const Kernel& after = *d.Snapshot(read);
      EXPECT_EQ(after.si.zeromap[1], c.zeromap && backend == "disk");
      // munmap frees it in every case.
      EXPECT_FALSE(k.si.zeromap[1]);
      EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
      if (FailureCount() != failures) std::cerr << Describe(out);
    }
  }
}

// A slot whose bit is set is written with data again while it stays
// allocated: the folio was swapped in on a disk (it stays in the swap cache),
// written, and reclaimed once more. The non-zero swap-out clears the bit
// ("swap_zeromap_folio_clear()"), so the slot's data is the device's again.
TEST(ZeromapTest, ANonZeroSwapOutClearsTheBit) {
  for (const std::string profile : {"v6.12.y", "v6.18.y", "v7.1.y"}) {
    SCOPED_TRACE(profile);
    const int failures = FailureCount();
    Schedule s = Make({{WriteZero(0), Reclaim(0), Read(0), Write(0, 0x55), Reclaim(0)}}, "disk");
    s.config.profile = profile;
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t second = d.SnapshotAfter(StepId::kPageoutStart, 0, 2);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const std::vector<TraceEvent>& t = out.trace;
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);
    // The same slot, not freed in between: its bit still set when the second
    // swap-out starts.
    const Kernel& mid = *d.Snapshot(second);
    EXPECT_TRUE(mid.si.zeromap[1]);
    EXPECT_EQ(mid.si.generation[1], 1u);
    const long fill = First(t, StepId::kZeromapRead);
    ASSERT_GE(fill, 0);
    EXPECT_EQ(mid.swap_cache[1], t[fill].page) << "the folio read from the bit";
    EXPECT_EQ(Count(t, StepId::kZeromapWrite), 1);
    const long write = First(t, StepId::kBioSubmitWrite);
    ASSERT_GE(write, 0);
    EXPECT_EQ(t[write].offset, 1);
    EXPECT_EQ(t[write].detail, 0x55u);
    EXPECT_FALSE(k.si.zeromap[1]);
    EXPECT_EQ(k.si.generation[1], 1u);
    EXPECT_TRUE(k.disk[1].written);
    EXPECT_EQ(k.disk[1].data, 0x55u);
    EXPECT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kSwap);
    EXPECT_EQ(k.mms[0].logical[0], 0x55u);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
