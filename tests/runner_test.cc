#include "fuzz/runner.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/rng.h"

#include "replay/schedule_io.h"

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

// Random inputs on the 5.16 zram target reach a corruption, and the saved
// reproducer file replays to the same signature.
TEST(RunnerTest, ZramTargetFindsDataCorruptionAndSavesIt) {
  FuzzRunner runner(*TargetByName("zram"));
  Rng rng(11);
  const Finding* f = nullptr;
  int runs = 0;
  for (; runs < 200000 && f == nullptr; ++runs) {
    const Finding* got = runner.Run(RandomInput(rng));
    if (got != nullptr && got->oracle == Oracle::kDataIntegrity) f = got;
  }
  ASSERT_NE(f, nullptr) << "no data-integrity finding in " << runs << " random runs";
  const std::string dir = testing::TempDir() + "/swapfuzz_runner_test_" + std::to_string(getpid());
  absl::StatusOr<SavedReproducer> saved = SaveReproducer(runner, dir);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_TRUE(saved->created);
  absl::StatusOr<SavedReproducer> again = SaveReproducer(runner, dir);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);  // one per signature
  absl::StatusOr<Schedule> loaded = ReadScheduleFile(saved->path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, *loaded);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->finding.has_value());
  EXPECT_EQ(out->finding->Signature(), f->Signature());
  EXPECT_EQ(out->result.trace_hash, loaded->expected->trace_hash);
  std::filesystem::remove_all(dir);
}

TEST(RunnerTest, SignatureListedMatchesWholeItemsOnly) {
  struct Case {
    const char* list;
    const char* signature;
    bool listed;
  };
  const Case cases[] = {
      {"page-state:unuse_pte:page", "page-state:unuse_pte:page", true},
      {"a:b:c,page-state:unuse_pte:page", "page-state:unuse_pte:page", true},
      {",,page-state:unuse_pte:page,", "page-state:unuse_pte:page", true},
      {"page-state:unuse_pte", "page-state:unuse_pte:page", false},
      {"page-state:unuse_pte:page:x", "page-state:unuse_pte:page", false},
      {"", "page-state:unuse_pte:page", false},
      {",", "", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.list) + " / " + c.signature);
    EXPECT_EQ(SignatureListed(c.list, c.signature), c.listed);
  }
}

}  // namespace
}  // namespace swapfuzz
