// Replays every schedule in corpus/regressions/.
//
// Each file records the finding (or none) its own configuration gives, and the
// trace hash. For every file: the replay matches that record, twice, with a
// byte-identical trace; and under the same profile with every knob cleared
// (every catalogued fix applied to that release's code) it is clean. A file
// whose record is a finding must therefore name a window that some fix
// closes.

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "format/schedule_io.h"
#include "tests/corpus_test_util.h"
#include "model/knobs.h"

namespace swapfuzz {
namespace {

using ::swapfuzz::testing::CorpusFiles;

class RegressionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionTest, ReplaysAsRecordedTwiceAndIsCleanWithItsKnobsCleared) {
  absl::StatusOr<Schedule> s = ReadScheduleFile(GetParam());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->expected.has_value()) << "record it: swapfuzz record FILE -o FILE";
  Executor ex;
  absl::StatusOr<ReplayOutput> first = RunSchedule(ex, *s, "", /*keep_trace=*/true);
  absl::StatusOr<ReplayOutput> second = RunSchedule(ex, *s, "", /*keep_trace=*/true);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->finding ? first->finding->Signature() : "", s->expected->signature);
  EXPECT_EQ(first->result.trace_hash, s->expected->trace_hash);
  EXPECT_EQ(first->result.steps, s->expected->steps);
  EXPECT_EQ(FormatTrace(first->trace), FormatTrace(second->trace));

  Schedule fixed = *s;
  fixed.config.knobs.clear();
  for (const KnobInfo& info : AllKnobs()) fixed.config.knobs.push_back({std::string(info.name), false});
  absl::StatusOr<ReplayOutput> clean = RunSchedule(ex, fixed);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_FALSE(clean->finding.has_value())
      << clean->finding->Signature() << ": " << clean->finding->message.data();
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(info.param.rfind('/') + 1);
  name = name.substr(0, name.size() - 5);
  for (char& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, RegressionTest, ::testing::ValuesIn(CorpusFiles("regressions")),
                         TestName);

// corpus/open-questions/: findings on a release that no catalogue knob
// explains (corpus/open-questions/README.md). Each still replays as recorded,
// on its release as it is; when a model change makes one clean, this says
// so, and the file moves out (or the change is wrong).
class OpenQuestionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenQuestionTest, StillFailsOnItsReleaseAsRecorded) {
  absl::StatusOr<Schedule> s = ReadScheduleFile(GetParam());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->expected.has_value()) << "record it: swapfuzz record FILE -o FILE";
  EXPECT_NE(ProfileByName(s->config.profile), nullptr);
  EXPECT_TRUE(s->config.knobs.empty()) << "an open question runs a release as it is";
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, *s);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->finding.has_value()) << "clean on its release now";
  EXPECT_EQ(out->finding->Signature(), s->expected->signature);
  EXPECT_EQ(out->result.trace_hash, s->expected->trace_hash);
}

INSTANTIATE_TEST_SUITE_P(Corpus, OpenQuestionTest,
                         ::testing::ValuesIn(CorpusFiles("open-questions")), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpenQuestionTest);

// The directory stays, with its README, which names every schedule in it:
// the README is where a reader finds the open questions and their analyses.
TEST(OpenQuestionsTest, DirectoryIsKeptWithItsReadmeNamingEachSchedule) {
  const std::string dir = std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/open-questions";
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr) << dir;
  closedir(d);
  std::ifstream readme(dir + "/README.md");
  ASSERT_TRUE(readme.good()) << dir << "/README.md";
  const std::string text((std::istreambuf_iterator<char>(readme)), std::istreambuf_iterator<char>());
  for (const std::string& path : CorpusFiles("open-questions")) {
    const std::string name = path.substr(path.find_last_of('/') + 1);
    EXPECT_NE(text.find(name), std::string::npos) << name << " is not named in the README";
  }
}

// The seed-000 bpftrace sequence: the second reader of the entry reads the
// emptied zram slot (the report's warning) and discards that copy at
// pte_same(); the data the user sees stays intact. Kernels without the
// skip-swapcache pin get the warning. With the pin (13ddaf26be32, v6.8) the
// second reader cannot start its read while the first holds the entry, so the
// warning cannot happen at all: the kernel wins over the report's premise.
TEST(Seed000Test, EmptyZramReadIsBenignOnEveryProfile) {
  absl::StatusOr<Schedule> s =
      ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) +
                       "/corpus/regressions/seed000_benign_empty_read.json");
  ASSERT_TRUE(s.ok()) << s.status();
  struct Case {
    std::string profile;
    int diagnostics;
  };
  for (const Case& c : {Case{"v5.16", 1}, Case{"v6.3", 1}, Case{"v6.9", 0}}) {
    SCOPED_TRACE(c.profile);
    Executor ex;
    absl::StatusOr<ReplayOutput> out = RunSchedule(ex, *s, c.profile);
    ASSERT_TRUE(out.ok());
    EXPECT_FALSE(out->finding.has_value());
    EXPECT_EQ(out->result.diagnostics, c.diagnostics);
  }
}

// The catalogue's zram bugs each fail under the release that had them.
TEST(CatalogueTest, EachZramBugFailsOnItsReleaseOnly) {
  struct Case {
    std::string file;
    std::string failing_profile;
    std::string clean_profile;
  };
  const Case cases[] = {
      {"zram_free_notify_on_read.json", "v5.16", "v6.3"},
      {"skip_swapcache_aba.json", "v6.3", "v6.9"},
      {"skip_swapcache_aba.json", "v5.16", "v6.9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file + " " + c.failing_profile);
    absl::StatusOr<Schedule> s =
        ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions/" + c.file);
    ASSERT_TRUE(s.ok());
    Executor ex;
    absl::StatusOr<ReplayOutput> bad = RunSchedule(ex, *s, c.failing_profile);
    absl::StatusOr<ReplayOutput> good = RunSchedule(ex, *s, c.clean_profile);
    ASSERT_TRUE(bad.ok() && good.ok());
    ASSERT_TRUE(bad->finding.has_value());
    EXPECT_EQ(bad->finding->oracle, Oracle::kDataIntegrity);
    EXPECT_FALSE(good->finding.has_value());
  }
}

}  // namespace
}  // namespace swapfuzz
