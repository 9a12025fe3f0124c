// model/drivers/block/zram/zram_drv.cc, zram1: a zram device with no swap on
// it, used as a block device (direct reads, writes and discards of a page),
// its reset_store() and disksize_store(), its writeback and idle marking, and
// the oracles that watch it: data integrity of its pages, and use-after-free
// of its table and its compression streams. The swap device's reset is
// refused while swap holds it.

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using namespace ::swapfuzz::testing;  // NOLINT

Op BdevRead(uint8_t page) { return Op{OpKind::kZramBdevRead, 0, page, 0}; }
Op BdevWrite(uint8_t page) { return Op{OpKind::kZramBdevWrite, 0, page, 0}; }
Op BdevWriteZero(uint8_t page) {
  return Op{OpKind::kZramBdevWrite, 0, static_cast<uint8_t>(page + kZramBdevPages), 0};
}
Op BdevDiscard(uint8_t page) { return Op{OpKind::kZramBdevDiscard, 0, page, 0}; }
Op Reset(uint8_t dev) { return Op{OpKind::kZramReset, 0, dev, 0}; }
Op Disksize(bool half = false) { return Op{OpKind::kZramDisksize, 0, half, 0}; }
Op BdevIdle() { return Op{OpKind::kZramBdevIdle, 0, 0, 0}; }
Op BdevWriteback(bool huge = false) { return Op{OpKind::kZramBdevWriteback, 0, huge, 0}; }
Op BdevRecompress(bool huge = false) { return Op{OpKind::kZramBdevRecompress, 0, huge, 0}; }

Schedule Programs(std::vector<std::vector<Op>> programs, std::vector<Segment> decisions = {},
                  const std::string& profile = "v7.1.y") {
  Schedule s;
  s.config.profile = profile;
  for (std::vector<Op>& ops : programs) s.cpus.push_back(CpuProgram{0, std::move(ops)});
  s.decisions = std::move(decisions);
  return s;
}

// 7.1.5 leaks the backing block it reserved for a last slot the writeback
// then skips (zram_wb_leaks_reserved_block, which v7.1.y sets, fixed in
// v7.2-rc1), and the quiescence check reports it. Runs that race writes with
// writeback, and are about the new paths, run with the fix.
Schedule WithoutBlockLeak(Schedule s) {
  s.config.knobs.push_back(KnobOverride{"zram_wb_leaks_reserved_block", false});
  return s;
}

// The steps of `cpu`, in order.
std::vector<StepId> StepsOf(const std::vector<TraceEvent>& t, int cpu) {
  std::vector<StepId> out;
  for (const TraceEvent& e : t) {
    if (e.cpu == cpu) out.push_back(e.id);
  }
  return out;
}

std::string Names(const std::vector<StepId>& steps) {
  std::string s;
  for (StepId id : steps) s += std::string(StepName(id)) + "\n";
  return s;
}

// The token a task's n-th write stores (fresh, as a user write's): the task
// id (cpu + 1) above, its count of writes below. An odd one is ZRAM_HUGE.
Token TokenOf(int cpu, int n) { return (static_cast<Token>(cpu + 1) << 32) | n; }

// The value the last read of page `page` copied (the detail of the step
// that reads the data).
Token LastReadValue(const std::vector<TraceEvent>& t, int cpu) {
  for (size_t i = t.size(); i-- > 0;) {
    if (t[i].cpu != cpu) continue;
    if (t[i].id == StepId::kZramBdevReadLock || t[i].id == StepId::kZramBdevDecompress) {
      return t[i].detail;
    }
  }
  ADD_FAILURE() << "no read";
  return ~Token{0};
}

// Each path's steps against 7.1.5's order (zram_submit_bio(), reset_store(),
// disksize_store()), on one CPU after some setup on the same CPU.
TEST(ZramBdevTest, StepsInKernelOrder) {
  using S = StepId;
  struct Case {
    std::string name;
    std::vector<Op> setup;
    Op op;
    std::vector<StepId> steps;
    int ret;
  };
  const std::vector<Case> cases = {
      {"read of a page never written: zeros, no stream",
       {},
       BdevRead(1),
       {S::kZramBdevOpen, S::kZramBdevReadLock, S::kZramBdevAccessed, S::kZramBdevRelease},
       0},
      {"write of a ZRAM_HUGE page (odd token): stream, store, accessed",
       {},
       BdevWrite(1),
       {S::kZramBdevOpen, S::kZramBdevStreamGet, S::kZramBdevCompress, S::kZramBdevWriteStore,
        S::kZramBdevAccessed, S::kZramBdevRelease},
       0},
      {"write of zeros: write_same_filled_page, no stream",
       {},
       BdevWriteZero(1),
       {S::kZramBdevOpen, S::kZramBdevWriteSame, S::kZramBdevAccessed, S::kZramBdevRelease},
       0},
      {"read of a compressed page: the stream under the slot lock",
       {BdevWrite(2), BdevWrite(1)},
       BdevRead(1),
       {S::kZramBdevOpen, S::kZramBdevReadLock, S::kZramBdevStreamGet, S::kZramBdevDecompress,
        S::kZramBdevAccessed, S::kZramBdevRelease},
       0},
      {"read of a ZRAM_HUGE page: copied under the slot lock",
       {BdevWrite(1)},
       BdevRead(1),
       {S::kZramBdevOpen, S::kZramBdevReadLock, S::kZramBdevAccessed, S::kZramBdevRelease},
       0},
      {"read of a written-back page: unlock, then read_from_bdev",
       {BdevWrite(1), BdevWriteback(/*huge=*/true)},
       BdevRead(1),
       {S::kZramBdevOpen, S::kZramBdevReadWb, S::kZramBdevReadBdev, S::kZramBdevAccessed,
        S::kZramBdevRelease},
       0},
      {"discard: slot_free under the slot lock, no mark_slot_accessed",
       {BdevWrite(1)},
       BdevDiscard(1),
       {S::kZramBdevOpen, S::kZramBdevDiscard, S::kZramBdevRelease},
       0},
      {"reset of zram1: claim, meta free, a stream per CPU, done, unclaim",
       {},
       Reset(1),
       {S::kZramResetClaim, S::kZramResetMetaFree, S::kZramResetStreamFree, S::kZramResetStreamFree,
        S::kZramResetStreamFree, S::kZramResetStreamFree, S::kZramResetDone, S::kZramResetUnclaim},
       0},
      {"reset of the swap device: swap holds it open", {}, Reset(0), {S::kZramResetBusy}, -16},
      {"disksize of a device set up: -EBUSY", {}, Disksize(), {S::kZramDisksizeBusy}, -16},
      {"disksize after a reset: meta, comp, capacity",
       {Reset(1)},
       Disksize(),
       {S::kZramDisksizeMetaAlloc, S::kZramDisksizeComp, S::kZramDisksizeDone},
       0},
      {"read after a reset: beyond the capacity, -EIO",
       {Reset(1)},
       BdevRead(0),
       {S::kZramBdevOpen, S::kZramBdevEod, S::kZramBdevRelease},
       -5},
      {"read beyond a half disksize: -EIO",
       {Reset(1), Disksize(/*half=*/true)},
       BdevRead(kZramBdevPages / 2),
       {S::kZramBdevOpen, S::kZramBdevEod, S::kZramBdevRelease},
       -5},
      {"idle after a reset: -EINVAL", {Reset(1)}, BdevIdle(), {S::kZramIdleInval}, -22},
      {"recompress of idle slots: the huge bucket first, the last placed first; a token with "
       "bit 1 set recompresses smaller",
       {BdevWrite(1), BdevWrite(2), BdevWrite(3), BdevWrite(4), BdevIdle()},
       BdevRecompress(),
       {S::kZramRecompInit, S::kZramRecompScan, S::kZramRecompScan, S::kZramRecompScan,
        S::kZramRecompScan, S::kZramRecompRead, S::kZramRecompSmaller /* page 3, ..03 */,
        S::kZramRecompRead, S::kZramRecompNotSmallerKept /* page 1, ..01 */, S::kZramRecompRead,
        S::kZramRecompNotSmallerKept /* page 4, ..04 */, S::kZramRecompRead,
        S::kZramRecompSmaller /* page 2, ..02 */, S::kZramRecompDone},
       0},
      {"recompress after a reset: -EINVAL",
       {Reset(1)},
       BdevRecompress(),
       {S::kZramRecompInval},
       -22},
      {"recompress after a reset and disksize: the secondary algorithm is gone, -EINVAL",
       {Reset(1), Disksize(), BdevWrite(1), BdevIdle()},
       BdevRecompress(),
       {S::kZramRecompInval},
       -22},
      {"writeback after a reset and disksize: no backing device, -ENODEV",
       {Reset(1), Disksize()},
       BdevWriteback(),
       {S::kZramWbInval},
       -19},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Op> ops = c.setup;
    ops.push_back(c.op);
    Schedule s = Programs({ops});
    const Outcome r = Exec(s);
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    // The op's own steps: those after the setup's.
    const std::vector<StepId> all = StepsOf(r.out.trace, 0);
    Schedule setup_only = Programs({c.setup});
    const size_t before = c.setup.empty() ? 0 : StepsOf(Exec(setup_only).out.trace, 0).size();
    const std::vector<StepId> mine(all.begin() + std::min(before, all.size()), all.end());
    EXPECT_EQ(mine, c.steps) << "got:\n" << Names(mine) << "want:\n" << Names(c.steps);
    EXPECT_EQ(r.k.cpus[0].ret, c.ret);
  }
}

// A write's value, a zero write and a discard as the next read sees them, and
// the device's state after a reset and a disksize.
TEST(ZramBdevTest, ReadReturnsTheLastWrite) {
  {
    SCOPED_TRACE("write, write, read");
    const Outcome r = Exec(Programs({{BdevWrite(3), BdevWrite(3), BdevRead(3)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 0), TokenOf(0, 2));
  }
  {
    SCOPED_TRACE("write, discard, read: zeros");
    const Outcome r = Exec(Programs({{BdevWrite(3), BdevDiscard(3), BdevRead(3)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 0), 0u);
    EXPECT_EQ(r.k.zram_bdev.table[3].state, ZramSlot::State::kEmpty);
  }
  {
    SCOPED_TRACE("write, reset, disksize, read: zeros on a new table and comp");
    const Outcome r = Exec(Programs({{BdevWrite(3), Reset(1), Disksize(), BdevRead(3)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 0), 0u);
    EXPECT_EQ(r.k.zram_bdev.disksize, kZramBdevPages);
    EXPECT_EQ(r.k.zram_bdev.table_id, 3);
    EXPECT_EQ(r.k.zram_bdev.comp_id, 4);
    EXPECT_FALSE(r.k.zram_bdev.backing_dev) << "reset_bdev() closed it";
    EXPECT_EQ(r.k.zram_bdev.stored_pages, 0);
  }
  {
    SCOPED_TRACE("recompression keeps the data, and marks the slot");
    const Outcome r = Exec(Programs(
        {{BdevWrite(1), BdevWrite(2), BdevIdle(), BdevRecompress(), BdevRead(2), BdevRead(1)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 0), TokenOf(0, 1));
    EXPECT_TRUE(r.k.zram_bdev.table[1].incompressible);
    EXPECT_EQ(r.k.zram_bdev.table[2].comp_priority, 1);
    EXPECT_EQ(r.k.zram_bdev.table[2].data, TokenOf(0, 2));
    EXPECT_EQ(r.k.zram_bdev.stored_pages, 2);
  }
  {
    SCOPED_TRACE("recompress_slot() holds the slot lock from the read to the new handle");
    const Outcome r = Exec(Programs(
        // The second write's token (..02) recompresses smaller.
        {{BdevWrite(2), BdevWrite(2), BdevIdle(), BdevRecompress()}, {BdevRead(2)}},
        {Through(0, StepId::kZramRecompRead), RunCpu(1), RunCpu(0), RunCpu(1)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    const long read = r.First(StepId::kZramRecompRead, 0);
    const long stored = r.First(StepId::kZramRecompSmaller, 0);
    const long lock = r.First(StepId::kZramBdevReadLock, 1);
    ASSERT_GE(read, 0);
    ASSERT_GT(stored, read);
    EXPECT_GT(lock, stored) << "the direct read waited for the slot lock" << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 1), TokenOf(0, 2));
  }
  {
    SCOPED_TRACE("a written-back page freed by the reset gives its block back");
    const Outcome r = Exec(Programs({{BdevWrite(3), BdevWriteback(true), Reset(1)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    for (const ZramBdBlock& b : r.k.zram_bdev.bd) EXPECT_FALSE(b.used);
    EXPECT_EQ(r.k.zram_bdev.wb_pages, 0);
  }
}

// reset_store() refuses a device that is open or claimed, and zram_open()
// refuses a claimed one: what keeps a bio off a freed table in 7.1.5.
TEST(ZramBdevTest, ResetAndOpenExcludeEachOther) {
  {
    SCOPED_TRACE("reset while a read has zram1 open: -EBUSY");
    const Outcome r = Exec(Programs({{BdevRead(0)}, {Reset(1)}},
                                    {Through(0, StepId::kZramBdevOpen), RunCpu(1), RunCpu(0)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramResetBusy, 1), 1);
    EXPECT_EQ(r.k.cpus[1].ret, -16);
    EXPECT_EQ(r.k.zram_bdev.disksize, kZramBdevPages);
  }
  {
    SCOPED_TRACE("open while the reset holds the claim: -EBUSY");
    const Outcome r = Exec(Programs({{BdevWrite(0)}, {Reset(1)}},
                                    {Through(1, StepId::kZramResetClaim), RunCpu(0), RunCpu(1)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramBdevOpenBusy, 0), 1);
    EXPECT_EQ(r.k.cpus[0].ret, -16);
    EXPECT_EQ(r.Count(StepId::kZramResetUnclaim, 1), 1);
  }
  {
    SCOPED_TRACE("a second reset while the first holds the claim: -EBUSY");
    const Outcome r = Exec(Programs({{Reset(1)}, {Reset(1)}},
                                    {Through(0, StepId::kZramResetClaim), RunCpu(1), RunCpu(0)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramResetBusy, 1), 1);
  }
  {
    SCOPED_TRACE("the swap device is refused whatever swap does");
    const Outcome r = Exec(Programs({{Write(0, 0x51), Reclaim(0), Reset(0), Read(0)}}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramResetBusy, 0), 1);
    EXPECT_EQ(r.k.zram.table_id, 1);
  }
  {
    SCOPED_TRACE("reset waits for a writeback's dev_lock");
    const Outcome r = Exec(Programs({{BdevWrite(1), BdevWriteback(true)}, {Reset(1)}},
                                    {Through(0, StepId::kZramWbInit), RunCpu(1), RunCpu(0),
                                     RunCpu(kIrqCpu), RunCpu(0), RunCpu(1)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_LT(Last(r.out.trace, StepId::kZramWbCtlKfreeRcu), r.First(StepId::kZramResetMetaFree))
        << r.Dump();
  }
}

// A deterministic random interleaving, from a seed.
class SeededDecider final : public Decider {
 public:
  explicit SeededDecider(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ull + 1) {}
  int Pick(uint32_t runnable, int current, const Kernel&) override {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    const uint32_t r = static_cast<uint32_t>(state_ >> 33);
    if (current >= 0 && ((runnable >> current) & 1u) && (r & 3u) != 0) return current;
    int n = static_cast<int>((r >> 2) % __builtin_popcount(runnable));
    for (int cpu = 0;; ++cpu) {
      if (((runnable >> cpu) & 1u) && n-- == 0) return cpu;
    }
  }

 private:
  uint64_t state_;
};

// Runs `s` under `runs` seeded interleavings; every one must end without a
// finding. Returns how many runs read a value another CPU wrote.
void RunInterleavings(const Schedule& s, int runs) {
  absl::StatusOr<RunConfig> config = Resolve(s.config);
  ASSERT_TRUE(config.ok()) << config.status();
  for (int seed = 0; seed < runs; ++seed) {
    Executor ex;
    ex.Reset(*config, s.cpus);
    SeededDecider decider(seed);
    std::vector<TraceEvent> trace;
    RunOptions options;
    options.trace = &trace;
    const RunResult r = ex.Run(decider, options);
    if (r.finding != nullptr) {
      ADD_FAILURE() << "seed " << seed << ": " << r.finding->Signature() << " "
                    << r.finding->message.data() << "\n"
                    << FormatTrace(trace);
      return;
    }
  }
}

// Several CPUs reading, writing and discarding one page, with and without
// writeback and idle marking between them: every read returns the last
// completed write or discard or a write in flight, and the page holds one of
// the last values at the end.
TEST(ZramBdevTest, ConcurrentIoOnOnePageKeepsItsData) {
  struct Case {
    std::string name;
    std::vector<std::vector<Op>> programs;
  };
  const std::vector<Case> cases = {
      {"two writers and a reader",
       {{BdevWrite(2), BdevWrite(2), BdevRead(2)},
        {BdevWrite(2), BdevRead(2), BdevWrite(2)},
        {BdevRead(2), BdevRead(2), BdevRead(2)}}},
      {"write, discard and zero writes",
       {{BdevWrite(2), BdevDiscard(2), BdevRead(2)},
        {BdevWriteZero(2), BdevWrite(2), BdevRead(2)},
        {BdevDiscard(2), BdevRead(2), BdevWrite(2)}}},
      {"writes against idle marking and idle writeback",
       {{BdevWrite(2), BdevWrite(2), BdevRead(2), BdevWrite(2)},
        {BdevIdle(), BdevWriteback(), BdevIdle(), BdevWriteback()},
        {BdevRead(2), BdevWrite(2), BdevRead(2)}}},
      {"writes against huge writeback, reads of the block",
       {{BdevWrite(2), BdevRead(2), BdevWrite(2), BdevRead(2)},
        {BdevWriteback(true), BdevWriteback(true), BdevRead(2)},
        {BdevDiscard(2), BdevWrite(2), BdevRead(2)}}},
      {"writes and reads against recompression",
       {{BdevWrite(2), BdevWrite(2), BdevRead(2), BdevWrite(2)},
        {BdevIdle(), BdevRecompress(), BdevRecompress(true), BdevRead(2)},
        {BdevRead(2), BdevDiscard(2), BdevWrite(2), BdevRead(2)}}},
      {"reset and disksize beside I/O",
       {{BdevWrite(2), BdevRead(2), BdevWrite(2), BdevRead(2)},
        {Reset(1), Disksize(), Reset(1), Disksize(true)},
        {BdevRead(2), BdevWrite(1), BdevIdle(), BdevWriteback(true)}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RunInterleavings(WithoutBlockLeak(Programs(c.programs)), 400);
  }
}

// One interleaving picked by hand: a read between a write's store and its
// completion returns the write's value (in flight), and a writeback that
// scanned the page before a write commits nothing stale.
TEST(ZramBdevTest, WriteAgainstWritebackAndReads) {
  {
    SCOPED_TRACE("read between a write's store and its bio_endio()");
    const Outcome r =
        Exec(Programs({{BdevWrite(4)}, {BdevRead(4)}},
                      {Through(0, StepId::kZramBdevWriteStore), RunCpu(1), RunCpu(0)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 1), TokenOf(0, 1));
  }
  {
    SCOPED_TRACE("a write after the writeback's scan: ZRAM_PP_SLOT cleared, nothing written back");
    const Outcome r = Exec(WithoutBlockLeak(
        Programs({{BdevWrite(4), BdevWrite(4), BdevRead(4)}, {BdevIdle(), BdevWriteback()}},
                 {RunCpu(0, 6), Through(1, StepId::kZramWbScan), RunCpu(0), RunCpu(1)})));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramWbSkip, 1), 1) << r.Dump();
    EXPECT_EQ(r.Count(StepId::kZramWbSubmit, 1), 0) << r.Dump();
    EXPECT_EQ(LastReadValue(r.out.trace, 0), TokenOf(0, 2));
    EXPECT_EQ(r.k.zram_bdev.table[4].state, ZramSlot::State::kStored);
  }
  {
    SCOPED_TRACE("idle marking waits for the writeback's dev_lock");
    const Outcome r = Exec(Programs({{BdevWrite(1), BdevWriteback(true)}, {BdevIdle()}},
                                    {Through(0, StepId::kZramWbInit), RunCpu(1), RunCpu(0),
                                     RunCpu(kIrqCpu), RunCpu(0), RunCpu(1)}));
    EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
    EXPECT_LT(Last(r.out.trace, StepId::kZramWbCtlKfreeRcu), r.First(StepId::kZramIdle))
        << r.Dump();
  }
}

// Each oracle catches a state broken on purpose in the middle of a run.
TEST(ZramBdevTest, BrokenStatesAreCaught) {
  struct Case {
    std::string name;
    std::vector<std::vector<Op>> programs;
    std::vector<Segment> decisions;
    StepId after;
    int cpu;
    std::function<void(Kernel&)> breakit;
    std::string signature;
  };
  const std::vector<Case> cases = {
      {"a page that lost its data",
       {{BdevWrite(2), BdevRead(2)}},
       {},
       StepId::kZramBdevRelease,
       0,
       [](Kernel& k) { k.zram_bdev.table[2].data = 0x77; },
       "data-integrity:zram_bio_read:zram-slot"},
      {"a page that lost its data, seen at quiescence",
       {{BdevWrite(2)}},
       {},
       StepId::kZramBdevRelease,
       0,
       [](Kernel& k) { k.zram_bdev.table[2].data = 0x77; },
       "data-integrity:quiescence:zram-slot"},
      {"the table freed and allocated again under a read holding a slot lock",
       {{BdevWrite(2), BdevWrite(2), BdevRead(2)}},
       {},
       StepId::kZramBdevReadLock,
       0,
       [](Kernel& k) { k.zram_bdev.table_id = ++k.zram_bdev.id_seq; },
       "use-after-free:zram_bio_read:zram-table"},
      {"a reset let through while a write has the device open",
       {{BdevWrite(2)}, {Reset(1), Disksize()}},
       {Through(0, StepId::kZramBdevWriteStore), RunCpu(1), RunCpu(0)},
       StepId::kZramBdevWriteStore,
       0,
       [](Kernel& k) { k.zram_bdev.openers = 0; },
       "use-after-free:zram_bio_write:zram-table"},
      {"the streams freed under a write holding one",
       {{BdevWrite(2)}},
       {},
       StepId::kZramBdevStreamGet,
       0,
       [](Kernel& k) {
         k.zram_bdev.comp_id = 0;
         for (ZcompStrm& st : k.zram_bdev.strm) st.allocated = false;
       },
       "use-after-free:zram_bio_write:zcomp-strm"},
      {"a write arriving after zcomp_destroy()",
       {{BdevWrite(2)}},
       {},
       StepId::kZramBdevOpen,
       0,
       [](Kernel& k) { k.zram_bdev.comp_id = 0; },
       "use-after-free:zcomp_stream_get:zcomp-strm"},
      {"a written-back block overwritten under a read",
       {{BdevWrite(2), BdevWriteback(true), BdevRead(2)}},
       {},
       StepId::kZramBdevReadWb,
       0,
       [](Kernel& k) { k.zram_bdev.bd[k.zram_bdev.table[2].block].data = 0x77; },
       "data-integrity:zram_bio_read:block"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    const Schedule s = Programs(c.programs, c.decisions);
    ProbeDecider probe(ex, s.decisions);
    probe.After(c.after, c.cpu, c.breakit);
    const ReplayOutput out = MustRunProbed(ex, s, probe);
    EXPECT_TRUE(probe.AllFired());
    EXPECT_EQ(FindingSignature(out), c.signature) << Describe(out);
  }
}

// Nothing in the new paths runs unless a new op does: a swap run's zram
// state is the swap device's alone, and zram1 is left as it booted.
TEST(ZramBdevTest, SwapRunsLeaveZram1Alone) {
  const Outcome r = Exec(Programs({{Write(0, 0x51), Reclaim(0), Read(0)}}));
  EXPECT_FALSE(r.out.finding.has_value()) << r.Dump();
  EXPECT_EQ(r.k.zram_bdev.openers, 0);
  EXPECT_EQ(r.k.zram_bdev.table_id, 1);
  EXPECT_EQ(r.k.zram_bdev.stored_pages, 0);
  EXPECT_EQ(r.k.zram.openers, 1) << "swap holds zram0";
}

}  // namespace
}  // namespace swapfuzz
