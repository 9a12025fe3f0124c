#include "harness/reproducer.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "tests/fuzz_test_util.h"
#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

// Random inputs on the 5.16 zram target reach a corruption, and the saved
// reproducer file replays to the same signature.
TEST(ReproducerTest, ZramTargetFindsDataCorruptionAndSavesIt) {
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

// The sink replays what it is about to write. Here the schedule claims a
// profile the run did not use (mainline, which has the fix), so it does not
// replay: nothing is written, and the error names the first divergent step.
TEST(ReproducerTest, SaveReproducerRefusesAScheduleThatDoesNotReplay) {
  FuzzRunner runner(*TargetByName("zram"));
  Rng rng(11);
  const Finding* f = nullptr;
  for (int runs = 0; runs < 200000 && f == nullptr; ++runs) {
    const Finding* got = runner.Run(RandomInput(rng));
    if (got != nullptr && got->oracle == Oracle::kDataIntegrity) f = got;
  }
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(VerifyLastRun(runner).ok()) << VerifyLastRun(runner);
  runner.schedule().config.profile = "v6.9";
  const absl::Status verified = VerifyLastRun(runner);
  EXPECT_EQ(verified.code(), absl::StatusCode::kInternal) << verified;
  EXPECT_NE(verified.message().find("first divergent step"), absl::string_view::npos) << verified;
  const std::string dir =
      testing::TempDir() + "/swapfuzz_refused_test_" + std::to_string(getpid());
  absl::StatusOr<SavedReproducer> saved = SaveReproducer(runner, dir);
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(saved.status().message().find("internal error: not writing"), absl::string_view::npos)
      << saved.status();
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

// Every run's picks, taken again, give the run's trace.
TEST(ReproducerTest, RecordedTraceIsTheRunsTrace) {
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(std::string(target.name));
    FuzzRunner runner(target);
    Rng rng(5);
    for (int i = 0; i < 200; ++i) {
      std::vector<TraceEvent> trace;
      runner.Run(RandomInput(rng), nullptr, &trace);
      const std::vector<TraceEvent> again = RecordedTrace(runner);
      ASSERT_EQ(FormatTrace(again), FormatTrace(trace));
      ASSERT_TRUE(VerifyLastRun(runner).ok()) << VerifyLastRun(runner);
    }
  }
}

}  // namespace
}  // namespace swapfuzz
