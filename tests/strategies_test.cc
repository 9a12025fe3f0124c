// The in-process strategies: the PRNG, PCT's bound, and the exhaustive search
// on the catalogue's regression programs (a finding per zram bug within
// preemption bound 3; mainline proven clean on the same programs).

#include "fuzz/strategies.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "replay/minimize.h"
#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

Schedule Regression(const std::string& file) {
  absl::StatusOr<Schedule> s =
      ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions/" + file);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Schedule{};
}

// A runner whose base configuration is `s`'s, as `swapfuzz explore --from` builds it.
FuzzTarget TargetFor(const Schedule& s) {
  FuzzTarget t = *TargetByName("zram");
  t.base = s.config;
  return t;
}

TEST(PctMissBoundTest, MatchesTheFormula) {
  struct Case {
    int n;
    uint64_t k;
    int d;
    uint64_t runs;
    double want;
  };
  const Case cases[] = {
      {2, 1, 1, 1, 0.5},                            // 1 - 1/2
      {4, 10, 2, 1, 1 - 1.0 / 40},                  // 1 - 1/(4*10)
      {4, 10, 2, 100, std::pow(1 - 1.0 / 40, 100)},
      {3, 50, 3, 1000, std::pow(1 - 1.0 / (3 * 2500.0), 1000)},
      {5, 100, 1, 10, std::pow(0.8, 10)},            // depth 1: k does not matter
      {2, 40, 2, 0, 1.0},                            // no runs: no guarantee
      {0, 40, 2, 10, 1.0},                           // nothing measured
      {2, 0, 2, 10, 1.0},
      {1, 1, 1, 5, 0.0},                             // certain every run
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "n=" << c.n << " k=" << c.k << " d=" << c.d
                                    << " N=" << c.runs);
    EXPECT_NEAR(PctMissBound(c.n, c.k, c.d, c.runs), c.want, 1e-12);
  }
  // Large k and depth neither overflow nor underflow to a wrong answer.
  const double big = PctMissBound(4, 1000000, 3, 1000);
  EXPECT_GT(big, 0.999);
  EXPECT_LT(big, 1.0);
}

TEST(RngTest, SeededAndInRange) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  for (uint64_t n : {1ull, 2ull, 3ull, 5ull, 1000ull, (1ull << 63) + 5}) {
    SCOPED_TRACE(n);
    std::vector<int> hits(std::min<uint64_t>(n, 8), 0);
    for (int i = 0; i < 4000; ++i) {
      const uint64_t v = a.Below(n);
      ASSERT_LT(v, n);
      if (n <= 8) ++hits[v];
    }
    for (int h : hits) {
      if (n <= 8) EXPECT_GT(h, 4000 / static_cast<int>(n) / 2);  // roughly uniform
    }
  }
}

// The zram catalogue bugs, each from its regression file's programs and config.
struct BugCase {
  const char* file;
  const char* knob;
};
const BugCase kZramBugs[] = {
    {"zram_free_notify_on_read.json", "free_notify_on_read"},
    {"skip_swapcache_aba.json", "skip_swapcache_unpinned"},
    {"free_notify_shared_slot.json", "free_notify_shared_slot"},
};

TEST(DfsTest, FindsEachZramBugWithinBoundThreeAndReplaysIt) {
  for (const BugCase& c : kZramBugs) {
    SCOPED_TRACE(c.file);
    Schedule s = Regression(c.file);
    s.decisions.clear();
    const FuzzTarget target = TargetFor(s);
    FuzzRunner runner(target);
    std::unique_ptr<Strategy> dfs = MakeDfs(s, {.preemption_bound = 3});
    ExploreOptions options;
    options.counts = HuntFilter(c.knob);
    const ExploreResult r = Explore(*dfs, runner, options);
    ASSERT_TRUE(r.found) << r.summary;
    EXPECT_FALSE(r.exhausted);
    // The finding is saved as the fuzzer's are, and replays exactly.
    const Schedule found = runner.LastSchedule();
    ASSERT_TRUE(found.expected);
    EXPECT_EQ(found.expected->signature, r.signature);
    Executor replayer;
    absl::StatusOr<ReplayOutput> out = RunSchedule(replayer, found);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_TRUE(out->finding);
    EXPECT_EQ(out->finding->Signature(), found.expected->signature);
    EXPECT_EQ(out->result.trace_hash, found.expected->trace_hash);
    EXPECT_EQ(out->result.steps, found.expected->steps);
    absl::StatusOr<std::vector<std::string>> needed = KnobsNeeded(found);
    ASSERT_TRUE(needed.ok()) << needed.status();
    EXPECT_NE(std::find(needed->begin(), needed->end(), c.knob), needed->end());
  }
}

TEST(DfsTest, ProvesMainlineCleanOnTheRegressionPrograms) {
  for (const BugCase& c : kZramBugs) {
    for (bool sleep_sets : {true, false}) {
      SCOPED_TRACE(testing::Message() << c.file << (sleep_sets ? " with" : " without")
                                      << " sleep sets");
      Schedule s = Regression(c.file);
      s.decisions.clear();
      s.config.profile = "v6.9";
      s.config.knobs.clear();
      const FuzzTarget target = TargetFor(s);
      FuzzRunner runner(target);
      std::unique_ptr<Strategy> dfs =
          MakeDfs(s, {.preemption_bound = 3, .sleep_sets = sleep_sets});
      const ExploreResult r = Explore(*dfs, runner, {});
      EXPECT_FALSE(r.found) << r.signature;
      EXPECT_TRUE(r.exhausted);
      EXPECT_GT(r.executions, 100u);  // it did explore
    }
  }
}

// Sleep sets prune: never more executions than without them, the same
// verdict, and fewer on at least one program.
TEST(DfsTest, SleepSetsKeepTheVerdictAndPrune) {
  uint64_t with_total = 0, without_total = 0;
  for (const char* file : {"zram_free_notify_on_read.json", "skip_swapcache_aba.json",
                           "free_notify_shared_slot.json", "seed000_benign_empty_read.json"}) {
    SCOPED_TRACE(file);
    Schedule s = Regression(file);
    s.config.profile = "v6.9";
    s.config.knobs.clear();
    const FuzzTarget target = TargetFor(s);
    ExploreResult results[2];
    for (int por = 0; por < 2; ++por) {
      FuzzRunner runner(target);
      std::unique_ptr<Strategy> dfs = MakeDfs(s, {.preemption_bound = 3, .sleep_sets = por == 1});
      results[por] = Explore(*dfs, runner, {});
    }
    EXPECT_EQ(results[0].found, results[1].found);
    EXPECT_LE(results[1].executions, results[0].executions);
    without_total += results[0].executions;
    with_total += results[1].executions;
  }
  EXPECT_LT(with_total, without_total);
}

// The preemption bound bounds: bound 0 explores only the non-preemptive runs,
// strictly fewer than bound 1, and (a race needing a preemption) finds nothing.
TEST(DfsTest, PreemptionBoundLimitsTheSearch) {
  Schedule s = Regression("skip_swapcache_aba.json");
  const FuzzTarget target = TargetFor(s);
  uint64_t executions[3];
  for (int bound = 0; bound < 3; ++bound) {
    SCOPED_TRACE(bound);
    FuzzRunner runner(target);
    std::unique_ptr<Strategy> dfs = MakeDfs(s, {.preemption_bound = bound});
    ExploreOptions options;
    options.counts = HuntFilter("skip_swapcache_unpinned");
    const ExploreResult r = Explore(*dfs, runner, options);
    executions[bound] = r.executions;
    if (bound == 0) {
      EXPECT_FALSE(r.found);
      EXPECT_TRUE(r.exhausted);
    }
  }
  EXPECT_LT(executions[0], executions[1]);
}

// Random and PCT: the same seed gives the same runs; a finding replays exactly.
TEST(StrategiesTest, SeededFindingsReplayExactly) {
  Schedule s = Regression("skip_swapcache_aba.json");
  const FuzzTarget target = TargetFor(s);
  struct Case {
    const char* name;
    std::unique_ptr<Strategy> (*make)(uint64_t, const Schedule&);
  };
  const Case cases[] = {
      {"random", [](uint64_t seed, const Schedule& f) { return MakeRandomWalk(seed, f); }},
      {"pct2", [](uint64_t seed, const Schedule& f) { return MakePct(seed, 2, f); }},
      {"pct3", [](uint64_t seed, const Schedule& f) { return MakePct(seed, 3, f); }},
      {"bytes", [](uint64_t seed, const Schedule& f) { return MakeByteStrategy(seed, f); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExploreResult r[2];
    Schedule found[2];
    for (int i = 0; i < 2; ++i) {
      FuzzRunner runner(target);
      std::unique_ptr<Strategy> strategy = c.make(42, s);
      ExploreOptions options;
      options.max_runs = 200000;
      r[i] = Explore(*strategy, runner, options);
      found[i] = runner.LastSchedule();
    }
    ASSERT_TRUE(r[0].found);
    EXPECT_EQ(r[0].executions, r[1].executions);
    EXPECT_EQ(found[0].expected, found[1].expected);
    Executor replayer;
    absl::StatusOr<ReplayOutput> out = RunSchedule(replayer, found[0]);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_TRUE(out->finding);
    EXPECT_EQ(out->finding->Signature(), r[0].signature);
    EXPECT_EQ(out->result.trace_hash, found[0].expected->trace_hash);
  }
}

// PCT with depth 1 never switches away from a runnable CPU: one priority order.
TEST(StrategiesTest, PctDepthOneIsNonPreemptive) {
  Schedule s = Regression("skip_swapcache_aba.json");
  const FuzzTarget target = TargetFor(s);
  FuzzRunner runner(target);
  std::unique_ptr<Strategy> pct = MakePct(3, 1, s);
  ExploreOptions options;
  options.max_runs = 50;
  options.counts = HuntFilter("skip_swapcache_unpinned");
  const ExploreResult r = Explore(*pct, runner, options);
  EXPECT_FALSE(r.found);  // the ABA needs preemptions
  EXPECT_EQ(r.executions, 50u);
}

}  // namespace
}  // namespace swapfuzz
