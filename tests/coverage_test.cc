// Tests for model/coverage.h: the step and interleaving counters the fuzzers
// feed to libFuzzer.

#include "model/coverage.h"

#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "model/schedule.h"
#include "format/schedule_io.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using testing::Read;
using testing::Reclaim;
using testing::RunCpu;
using testing::Write;

const std::vector<Segment> kRaceTheSwapIn = {Segment{0, 2, StepId::kFault}, RunCpu(1), RunCpu(0)};

using Counters = std::array<uint8_t, InterleavingCoverage::kCounters>;

struct Covered {
  Counters counters{};
  std::vector<TraceEvent> trace;
};

// Runs `s` like RunSchedule, adding its features to `coverage`.
void RunCovered(const Schedule& s, InterleavingCoverage& coverage, std::vector<TraceEvent>& trace) {
  ASSERT_TRUE(Validate(s).ok());
  absl::StatusOr<RunConfig> config = Resolve(s.config);
  ASSERT_TRUE(config.ok());
  Executor ex;
  ex.Reset(*config, s.cpus);
  SegmentDecider decider(s.decisions);
  RunOptions options;
  options.coverage = &coverage;
  options.trace = &trace;
  coverage.Reset();
  ex.Run(decider, options);
}

Covered RunWithCoverage(const Schedule& s) {
  Covered out;
  InterleavingCoverage coverage(out.counters.data());
  RunCovered(s, coverage, out.trace);
  return out;
}

constexpr int kPairsBegin = InterleavingCoverage::kStepCounters;
constexpr int kReportsBegin = kPairsBegin + InterleavingCoverage::kPairCounters;

int PairTotal(const Counters& c) {
  return std::accumulate(c.begin() + kPairsBegin, c.begin() + kReportsBegin, 0);
}
int ReportTotal(const Counters& c) {
  return std::accumulate(c.begin() + kReportsBegin, c.end(), 0);
}

// Two threads of one mm: CPU 0 swaps va 0 out, then both fault it in.
// kRaceTheSwapIn stops CPU 0 right after its second fault (the swap-in one;
// the first is the write's) and lets CPU 1 fault the same entry.
Schedule TwoReaders(std::vector<Segment> decisions) {
  Schedule s;
  s.cpus = {CpuProgram{0, {Write(0, 7), Reclaim(0), Read(0)}}, CpuProgram{0, {Read(0)}}};
  s.decisions = std::move(decisions);
  return s;
}

TEST(CoverageTest, StepCountersCountEveryExecutedStep) {
  const Covered run = RunWithCoverage(TwoReaders({}));
  ASSERT_FALSE(run.trace.empty());
  std::array<int, InterleavingCoverage::kStepCounters> want{};
  for (const TraceEvent& e : run.trace) ++want[static_cast<uint16_t>(e.id)];
  for (int i = 0; i < InterleavingCoverage::kStepCounters; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(run.counters[i], std::min(want[i], 255));
  }
}

TEST(CoverageTest, PairsNeedTwoCpusOnOneObject) {
  struct Case {
    const char* name;
    Schedule schedule;
    bool pairs;
  };
  Schedule alone = TwoReaders({});
  alone.cpus.resize(1);
  Schedule other_va = TwoReaders({});
  other_va.cpus[1].ops = {Read(1)};
  const Case cases[] = {
      {"one CPU", alone, false},
      // Default order: CPU 0 finishes before CPU 1 touches anything, but CPU 1's
      // fault then meets the page CPU 0 left: one cross-CPU pair at least.
      {"serial, same page", TwoReaders({}), true},
      {"serial, other address", other_va, false},
      {"interleaved faults",
       TwoReaders(kRaceTheSwapIn), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Covered run = RunWithCoverage(c.schedule);
    EXPECT_EQ(PairTotal(run.counters) > 0, c.pairs);
  }
}

TEST(CoverageTest, InterleavingChangesPairs) {
  const Covered serial = RunWithCoverage(TwoReaders({RunCpu(0), RunCpu(1)}));
  const Covered raced = RunWithCoverage(TwoReaders(kRaceTheSwapIn));
  EXPECT_FALSE(std::equal(serial.counters.begin() + kPairsBegin,
                          serial.counters.begin() + kReportsBegin,
                          raced.counters.begin() + kPairsBegin));
}

TEST(CoverageTest, ResetForgetsTheLastToucherButKeepsCounts) {
  Counters counters{};
  InterleavingCoverage coverage(counters.data());
  std::vector<TraceEvent> trace;
  Schedule first = TwoReaders({});
  first.cpus.resize(1);
  RunCovered(first, coverage, trace);
  const Counters after_first = counters;
  EXPECT_EQ(PairTotal(counters), 0);
  // A second run whose only program is on another CPU: without the reset
  // between runs, its first touch of page/offset state left by run one would
  // count as a cross-CPU pair.
  Schedule second = TwoReaders({});
  second.cpus[0].ops = {};
  second.cpus[1].ops = {Write(0, 9), Reclaim(0)};
  RunCovered(second, coverage, trace);
  EXPECT_EQ(PairTotal(counters), 0);
  for (int i = 0; i < InterleavingCoverage::kStepCounters; ++i) {
    SCOPED_TRACE(i);
    EXPECT_GE(counters[i], after_first[i]);
  }
  EXPECT_EQ(coverage.DistinctPairs(), 0);
  EXPECT_GT(coverage.DistinctSteps(), 0);
}

TEST(CoverageTest, CountersSaturate) {
  Counters counters{};
  InterleavingCoverage coverage(counters.data());
  for (int i = 0; i < 300; ++i) coverage.Hit(i % 2, StepId::kFault, 1, kNoPage);
  EXPECT_EQ(counters[static_cast<uint16_t>(StepId::kFault)], 255);
  EXPECT_EQ(coverage.DistinctSteps(), 1);
  EXPECT_EQ(coverage.DistinctPairs(), 1);
  EXPECT_EQ(PairTotal(counters), 255);
}

// Seed 000's benign sequence on v5.16: zram reads a slot the other thread's
// read already freed (a diagnostic, not a finding). The run reaches the report
// table; a clean run of the same programs does not.
TEST(CoverageTest, DiagnosticsReachTheReportTable) {
  absl::StatusOr<Schedule> benign = ReadScheduleFile(
      std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions/seed000_benign_empty_read.json");
  ASSERT_TRUE(benign.ok()) << benign.status();
  const Covered diagnosed = RunWithCoverage(*benign);
  EXPECT_GT(ReportTotal(diagnosed.counters), 0);
  Schedule serial = *benign;
  serial.decisions.clear();
  const Covered clean = RunWithCoverage(serial);
  EXPECT_EQ(ReportTotal(clean.counters), 0);

  Counters counters{};
  InterleavingCoverage coverage(counters.data());
  coverage.Reported(Oracle::kZramEmptyRead, Fn::kZramBvecRead);
  coverage.Reported(Oracle::kZramEmptyRead, Fn::kZramBvecRead);
  coverage.Reported(Oracle::kDataIntegrity, Fn::kDoSwapPage);
  EXPECT_EQ(coverage.DistinctReports(), 2);
  EXPECT_EQ(ReportTotal(counters), 3);
  EXPECT_EQ(coverage.DistinctSteps() + coverage.DistinctPairs(), 0);
}

}  // namespace
}  // namespace swapfuzz
