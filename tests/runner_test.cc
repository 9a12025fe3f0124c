#include "fuzz/runner.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "format/schedule_io.h"
#include "model/knobs.h"
#include "model/steps.h"
#include "tests/corpus_test_util.h"
#include "tests/fuzz_test_util.h"

namespace swapfuzz {
namespace {

// A finding as the open questions are told apart: its signature and the
// functions of the run's last steps (a loop's, for a liveness finding).
using FindingKind = std::pair<std::string, std::set<Fn>>;
FindingKind KindOf(const ReplayOutput& out) {
  constexpr size_t kLastSteps = 16;
  std::set<Fn> fns;
  const size_t n = out.trace.size();
  for (size_t i = n > kLastSteps ? n - kLastSteps : 0; i < n; ++i) {
    fns.insert(StepFn(out.trace[i].id));
  }
  return {out.finding ? out.finding->Signature() : "", fns};
}

// The findings the open questions (corpus/open-questions/) make on the
// release of `profile`.
std::set<FindingKind> OpenQuestionKinds(std::string_view profile) {
  std::set<FindingKind> kinds;
  const Profile* release = ProfileByName(profile);
  for (const std::string& path : testing::CorpusFiles("open-questions")) {
    absl::StatusOr<Schedule> s = ReadScheduleFile(path);
    if (!s.ok() || ProfileByName(s->config.profile) != release) continue;
    Executor ex;
    absl::StatusOr<ReplayOutput> out = RunSchedule(ex, *s, "", /*keep_trace=*/true);
    if (out.ok() && out->finding) kinds.insert(KindOf(*out));
  }
  return kinds;
}

// Every run, with or without a finding, replays exactly from its schedule.
// The newest release's targets find nothing but what its open questions
// find: the same signature, ending in the same functions.
TEST(RunnerTest, LastScheduleReplaysExactly) {
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(std::string(target.name));
    const std::set<FindingKind> open = OpenQuestionKinds(target.base.profile);
    FuzzRunner runner(target);
    Executor replayer;
    Rng rng(7);
    int findings = 0;
    for (int i = 0; i < 300; ++i) {
      const std::vector<uint8_t> input = RandomInput(rng);
      const Finding* f = runner.Run(input);
      const Schedule s = runner.LastSchedule();
      absl::StatusOr<ReplayOutput> out = RunSchedule(replayer, s, "", /*keep_trace=*/f != nullptr);
      ASSERT_TRUE(out.ok()) << out.status();
      findings += f != nullptr && !open.contains(KindOf(*out));
      EXPECT_EQ(out->result.trace_hash, s.expected->trace_hash);
      EXPECT_EQ(out->result.steps, s.expected->steps);
      EXPECT_EQ(out->finding ? out->finding->Signature() : "", s.expected->signature);
    }
    if (target.name.substr(0, 8) == "mainline") EXPECT_EQ(findings, 0);
  }
}

// A target whose base configuration does not resolve breaks the constructor's
// precondition: it stops with a message naming the target and the error,
// instead of running with a configuration it could not make.
TEST(RunnerDeathTest, TargetThatDoesNotResolveStopsWithItsError) {
  FuzzTarget bad_profile = *TargetByName("zram");
  bad_profile.base.profile = "v9";
  EXPECT_DEATH(FuzzRunner{bad_profile}, "FuzzRunner: target 'zram': .*unknown profile 'v9'");
  FuzzTarget bad_field = *TargetByName("zram");
  bad_field.base.nslots = 1;
  EXPECT_DEATH(FuzzRunner{bad_field}, "config.nslots: 2 to 32");
}

// Issue 11, item 6: a pick that takes no step is a decision too. CPU 0's
// fault finds the swap entry pinned by CPU 1's skip-swapcache fault and
// yields (schedule_timeout_uninterruptible) until CPU 1 and CPU 2, the CPUs
// that could run then, have each taken a step, blocked or finished. CPU 2 is
// picked next and blocks on the mmap write lock (the faults hold it for read):
// no step, but CPU 2 left the runnable mask, so after one step of CPU 1,
// CPU 0 is released and runs. Recorded without that pick, the schedule
// replayed CPU 1's step with CPU 2 still runnable, CPU 0 still waiting for
// it, so CPU 0's segment ended early and the replay went elsewhere.
TEST(RunnerTest, LastScheduleReplaysAPickThatBlocks) {
  // zram on a release with the skip-swapcache path and its pin.
  const FuzzTarget& target = *TargetByName("lts612_zram_zswap");
  FuzzRunner runner(target);
  Schedule& s = runner.schedule();
  s.config = target.base;
  s.cpus = {
      CpuProgram{0, {Op{OpKind::kRead, 0, 0, 0}}},
      CpuProgram{0, {Op{OpKind::kWrite, 0, 0, 0}, Op{OpKind::kReclaim, 0, 0, 0},
                     Op{OpKind::kRead, 0, 0, 0}}},
      CpuProgram{0, {Op{OpKind::kMunmap, 1, 0, 0}}},
  };
  const std::vector<Segment> script = {
      // CPU 1 writes va 0, swaps it out, faults it back in: the entry is pinned.
      Segment{1, 0, StepByName("swapcache_prepare: pin skip-swapcache entry")},
      // CPU 0 faults on the same entry and yields.
      Segment{0, 0, StepByName("swapcache_prepare: -EEXIST, schedule_timeout")},
      Segment{2, 1, std::nullopt},  // blocks on mmap_write_lock: no step
      Segment{1, 1, std::nullopt},  // CPU 0 is released
      Segment{0, 1, std::nullopt},
  };
  ASSERT_TRUE(script[0].through && script[1].through);
  SegmentDecider decider(script);
  std::vector<TraceEvent> recorded;
  runner.RunWith(decider, nullptr, &recorded);
  // The scenario happened: CPU 0 yielded, then took a step right after
  // CPU 1's next one, CPU 2 having taken none in between.
  size_t yield = 0;
  while (yield < recorded.size() && recorded[yield].id != StepId::kSkipPinBusy) ++yield;
  ASSERT_LT(yield + 2, recorded.size());
  EXPECT_EQ(recorded[yield].cpu, 0);
  EXPECT_EQ(recorded[yield + 1].cpu, 1);
  EXPECT_EQ(recorded[yield + 2].cpu, 0);
  // The run's schedule replays it exactly.
  const Schedule last = runner.LastSchedule();
  Executor replayer;
  absl::StatusOr<ReplayOutput> out = RunSchedule(replayer, last, "", /*keep_trace=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->result.trace_hash, last.expected->trace_hash);
  EXPECT_EQ(out->result.steps, last.expected->steps);
  EXPECT_EQ(FormatTrace(out->trace), FormatTrace(recorded));
}

}  // namespace
}  // namespace swapfuzz
