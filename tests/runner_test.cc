#include "fuzz/runner.h"

#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"

namespace swapfuzz {
namespace {

std::vector<uint8_t> RandomInput(Rng& rng) {
  std::vector<uint8_t> in(kDecisionOffset + rng.Next() % 160);
  for (uint8_t& b : in) b = static_cast<uint8_t>(rng.Next());
  return in;
}

// Every run, with or without a finding, replays exactly from its schedule.
TEST(RunnerTest, LastScheduleReplaysExactly) {
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(std::string(target.name));
    FuzzRunner runner(target);
    Executor replayer;
    Rng rng(7);
    int findings = 0;
    for (int i = 0; i < 300; ++i) {
      const std::vector<uint8_t> input = RandomInput(rng);
      const Finding* f = runner.Run(input);
      findings += f != nullptr;
      const Schedule s = runner.LastSchedule();
      absl::StatusOr<ReplayOutput> out = RunSchedule(replayer, s);
      ASSERT_TRUE(out.ok()) << out.status();
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

}  // namespace
}  // namespace swapfuzz
