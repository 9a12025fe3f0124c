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

}  // namespace
}  // namespace swapfuzz
