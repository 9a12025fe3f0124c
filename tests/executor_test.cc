#include "model/executor.h"

#include <gtest/gtest.h>

#include "model/schedule.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

Op MakeOp(OpKind kind, uint8_t va = 0, uint8_t arg = 0) { return Op{kind, va, arg, 0}; }

Schedule TwoThreadsOnOneEntry() {
  Schedule s;
  s.config.profile = "v5.16";
  s.cpus = {CpuProgram{0, {MakeOp(OpKind::kWrite), MakeOp(OpKind::kReclaim),
                           MakeOp(OpKind::kRead), MakeOp(OpKind::kWrite)}},
            CpuProgram{0, {MakeOp(OpKind::kRead), MakeOp(OpKind::kReclaim)}}};
  s.decisions = {Segment{0, 13, {}}, Segment{0, 2, {}}, Segment{1, 3, {}}, Segment{0, 4, {}}};
  return s;
}

TEST(ExecutorTest, SwapOutAndBackKeepsData) {
  Schedule s;
  s.cpus.push_back(CpuProgram{0, {MakeOp(OpKind::kWrite), MakeOp(OpKind::kReclaim),
                                  MakeOp(OpKind::kRead), MakeOp(OpKind::kWrite),
                                  MakeOp(OpKind::kReclaim)}});
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->finding.has_value());
  const Kernel& k = ex.kernel();
  ASSERT_EQ(k.mms[0].pte[0].kind, Pte::Kind::kSwap);
  const Offset off = k.mms[0].pte[0].offset;
  EXPECT_EQ(k.si.swap_map[off], 1);
  EXPECT_EQ(k.zram.table[off].data, k.mms[0].logical[0]);
  EXPECT_EQ(k.mms[0].logical[0], (Token{1} << 32) | 2);  // tid 1's second write
}

TEST(ExecutorTest, SameScheduleGivesTheSameTrace) {
  const Schedule s = TwoThreadsOnOneEntry();
  Executor a, b;
  absl::StatusOr<ReplayOutput> x = RunSchedule(a, s, "", true);
  absl::StatusOr<ReplayOutput> y = RunSchedule(b, s, "", true);
  absl::StatusOr<ReplayOutput> z = RunSchedule(a, s, "", true);  // a reused executor
  ASSERT_TRUE(x.ok() && y.ok() && z.ok());
  EXPECT_GT(x->trace.size(), 20u);
  EXPECT_EQ(FormatTrace(x->trace), FormatTrace(y->trace));
  EXPECT_EQ(FormatTrace(x->trace), FormatTrace(z->trace));
  EXPECT_EQ(x->result.trace_hash, y->result.trace_hash);
  EXPECT_EQ(x->result.trace_hash, z->result.trace_hash);
}

TEST(ExecutorTest, DefaultPickKeepsTheCurrentCpu) {
  struct Case {
    uint32_t runnable;
    int current;
    int want;
  };
  const Case cases[] = {{0b0011, 1, 1}, {0b0011, -1, 0}, {0b0110, 0, 1}, {0b1000, 3, 3},
                        {0b1010, 2, 1}};
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.runnable << " " << c.current);
    EXPECT_EQ(DefaultPick(c.runnable, c.current), c.want);
  }
}

// Records what the executor offers; never picks a CPU it was not offered.
class MaskRecorder final : public Decider {
 public:
  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    for (int i = 0; i < k.ncpus; ++i) {
      const Wait& w = k.cpus[i].wait;
      if (w.kind == Wait::Kind::kPageLock && k.pages[w.id].locked) {
        ++blocked_seen;
        if ((runnable >> i) & 1u) ++offered_while_blocked;
      }
    }
    // CPU 1 until it has unmapped the page (holding its lock), then CPU 0,
    // whose fault then finds the locked page in the swap cache.
    const int prefer = unmapped ? 0 : 1;
    return ((runnable >> prefer) & 1u) ? prefer : DefaultPick(runnable, current);
  }
  void Executed(int cpu, StepId step) override { unmapped |= step == StepId::kUnmap; }
  bool unmapped = false;
  int blocked_seen = 0;
  int offered_while_blocked = 0;
};

TEST(ExecutorTest, BlockedCpusAreNotOffered) {
  // CPU 1 reclaims the page CPU 0 then reads; while reclaim holds the page
  // lock, CPU 0's fault is blocked in lock_page and must not be offered.
  Schedule s;
  s.config.profile = "v6.9";
  s.config.nslots = 4;
  s.cpus = {CpuProgram{0, {MakeOp(OpKind::kRead)}},
            CpuProgram{0, {MakeOp(OpKind::kWrite), MakeOp(OpKind::kReclaim)}}};
  Executor ex;
  ex.Reset(*Resolve(s.config), s.cpus);
  MaskRecorder d;
  const RunResult r = ex.Run(d);
  EXPECT_EQ(r.finding, nullptr);
  EXPECT_GT(d.blocked_seen, 0);
  EXPECT_EQ(d.offered_while_blocked, 0);
  EXPECT_TRUE(ex.kernel().cpus[0].done && ex.kernel().cpus[1].done);
}

}  // namespace
}  // namespace swapfuzz

namespace swapfuzz {
namespace {

// Two CPUs spin on -EEXIST in __read_swap_cache_async() while a third owns
// SWAP_HAS_CACHE between swapcache_prepare() and add_to_swap_cache(). The
// default policy prefers the lowest CPU, yet the owner must get to run: real
// CPUs run in parallel, so a retry loop cannot starve it into a livelock.
TEST(ExecutorTest, RetryLoopsDoNotStarveTheOwner) {
  Schedule s;
  s.config.profile = "v5.16";
  s.config.page_cluster = 0;
  s.cpus = {CpuProgram{0, {MakeOp(OpKind::kRead)}}, CpuProgram{0, {MakeOp(OpKind::kRead)}},
            CpuProgram{0, {MakeOp(OpKind::kWrite), MakeOp(OpKind::kReclaim),
                           MakeOp(OpKind::kFork, 0, 1), MakeOp(OpKind::kRead)}}};
  s.decisions = {Segment{2, 0, StepByName("swapcache_prepare: set SWAP_HAS_CACHE")},
                 Segment{0, 0, StepByName("swapcache_prepare: -EEXIST, cond_resched")},
                 Segment{1, 0, StepByName("swapcache_prepare: -EEXIST, cond_resched")}};
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s, "", true);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->finding.has_value()) << out->finding->message.data();
  int spins = 0;
  for (const TraceEvent& e : out->trace) spins += e.id == StepId::kPrepareBusy;
  EXPECT_GE(spins, 2);  // both spinners did wait on the owner
}

// Page frame ids are never reused, so a long run can use up the model's
// kMaxPages. That is the model's limit, not the kernel's: the run stops after
// the step that found no frame, with no finding (before, the fault's ENOMEM
// path made the access retry until the liveness oracle fired).
TEST(ExecutorTest, RunningOutOfFramesStopsWithoutAVerdict) {
  struct Case {
    const char* name;
    int16_t frames_left;
    bool out_of_frames;
  };
  const Case cases[] = {{"frames to spare", 3, false}, {"one frame short", 1, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s;
    s.cpus = {CpuProgram{0, {testing::Write(0, 5), testing::Write(1, 6)}},
              CpuProgram{0, {testing::Read(0)}}};
    Executor ex;
    testing::ProbeDecider decider(ex, s.decisions);
    const ReplayOutput out = testing::MustRunProbed(ex, s, decider, [&](Kernel& k) {
      k.next_page = static_cast<int16_t>(kMaxPages - c.frames_left);
    });
    EXPECT_EQ(out.result.out_of_frames, c.out_of_frames);
    EXPECT_FALSE(out.finding.has_value()) << out.finding->Signature();
    if (c.out_of_frames) {
      // The second write's fault found no frame; CPU 1 never ran.
      EXPECT_EQ(testing::Count(out.trace, StepId::kUserWrite), 1);
      EXPECT_EQ(testing::Count(out.trace, StepId::kUserRead), 0);
    }
  }
}

}  // namespace
}  // namespace swapfuzz
