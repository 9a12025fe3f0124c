// Runs the built `swapfuzz` program (from SWAPFUZZ_BIN_DIR) on temporary files
// and checks its exit statuses and output.

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "model/knobs.h"
#include "model/schedule.h"
#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Result {
  int status = -1;
  std::string out;
  std::string err;

  std::vector<std::string> OutLines() const { return absl::StrSplit(out, '\n', absl::SkipEmpty()); }
  std::vector<std::string> ErrLines() const { return absl::StrSplit(err, '\n', absl::SkipEmpty()); }
};

class SwapfuzzCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("swapfuzz_cli_test_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs swapfuzz with `args`, which must not need shell quoting.
  Result Run(const std::vector<std::string>& args) const {
    const std::string out = Path("stdout"), err = Path("stderr");
    const std::string command =
        absl::StrCat(SWAPFUZZ_BIN_DIR, "/swapfuzz ", absl::StrJoin(args, " "), " >", out, " 2>",
                     err, " </dev/null");
    const int raw = std::system(command.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  fs::path dir_;
};

constexpr char kCleanSchedule[] = R"({
  "format": "swapfuzz-schedule",
  "version": 1,
  "cpus": [{"mm": 0, "ops": ["write 0", "read 0"]}]
})";

std::string Corpus(const std::string& name) {
  return absl::StrCat(SWAPFUZZ_SOURCE_DIR, "/corpus/regressions/", name);
}

TEST_F(SwapfuzzCliTest, ListBugsNamesEveryKnob) {
  const Result r = Run({"list-bugs"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const KnobInfo& info : AllKnobs()) {
    EXPECT_THAT(r.out, HasSubstr(std::string(info.name)));
    EXPECT_THAT(r.out, HasSubstr(std::string(info.fix_hash)));
  }
  EXPECT_THAT(r.out, HasSubstr("set in:   v5.16"));
}

TEST_F(SwapfuzzCliTest, ListProfilesNamesEveryProfile) {
  const Result r = Run({"list-profiles"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const Profile& p : AllProfiles()) EXPECT_THAT(r.out, HasSubstr(std::string(p.name)));
  EXPECT_THAT(r.out, HasSubstr("knobs: none"));
}

TEST_F(SwapfuzzCliTest, CleanRunExitsZero) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", file});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> lines = r.OutLines();
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_THAT(lines[0], StartsWith(file + ": profile mainline, "));
  EXPECT_THAT(lines[0], HasSubstr(" steps, trace hash 0x"));
  EXPECT_EQ(lines[1], "no finding");
}

TEST_F(SwapfuzzCliTest, FindingExitsOne) {
  const Result r = Run({"replay", Corpus("skip_swapcache_aba.json")});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.OutLines().back(), StartsWith("FINDING data-integrity:do_swap_page:page at step "));
  // The fixed kernel runs the same schedule clean.
  const Result fixed = Run({"replay", Corpus("skip_swapcache_aba.json"), "--profile=mainline"});
  EXPECT_EQ(fixed.status, 0) << fixed.out << fixed.err;
  EXPECT_EQ(fixed.OutLines().back(), "no finding");
}

TEST_F(SwapfuzzCliTest, KnobOverrideChangesTheRun) {
  const Result r =
      Run({"replay", Corpus("skip_swapcache_aba.json"), "--knob=skip_swapcache_unpinned=off"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("with skip_swapcache_unpinned=off"));
}

TEST_F(SwapfuzzCliTest, DiagnosticsAreCounted) {
  const Result r = Run({"replay", Corpus("seed000_benign_empty_read.json")});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("diagnostic zram-empty-read:"));
  EXPECT_THAT(r.out, HasSubstr("1 diagnostic\n"));
}

TEST_F(SwapfuzzCliTest, TracePrintsEveryStep) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", file, "--trace"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("do_anonymous_page"));
  EXPECT_GT(r.OutLines().size(), 3u);
}

TEST_F(SwapfuzzCliTest, BreakAtStepPrintsTheGdbCommand) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", file, "--break_at_step=1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.OutLines()[0], HasSubstr("gdb -ex 'break swapfuzz_step_hook' -ex run --args "));
  EXPECT_THAT(r.OutLines()[0], HasSubstr("/swapfuzz replay " + file + " --break_at_step=1"));
}

TEST_F(SwapfuzzCliTest, RecordThenVerify) {
  const std::string recorded = Path("recorded.json");
  const Result r = Run({"record", Corpus("skip_swapcache_aba.json"), "-o", recorded});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.OutLines().back(), "wrote " + recorded);
  absl::StatusOr<Schedule> s = ReadScheduleFile(recorded);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->expected.has_value());
  EXPECT_EQ(s->expected->signature, "data-integrity:do_swap_page:page");

  const Result verified = Run({"replay", recorded, "--verify"});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_EQ(verified.OutLines().back(), "verified: the run matches the expected block");

  s->expected->trace_hash ^= 1;
  ASSERT_TRUE(WriteScheduleFile(recorded, *s).ok());
  const Result mismatch = Run({"replay", recorded, "--verify"});
  EXPECT_EQ(mismatch.status, 3) << mismatch.out << mismatch.err;
  EXPECT_THAT(mismatch.out, HasSubstr("MISMATCH trace_hash: expected 0x"));
  EXPECT_THAT(mismatch.out, testing::Not(HasSubstr("MISMATCH signature")));
}

// explore -o checks the reproducer before writing it; it replays.
TEST_F(SwapfuzzCliTest, ExploreWritesAReproducerThatReplays) {
  const std::string out = Path("explored.json");
  const Result r = Run({"explore", "--strategy=pct", "--depth=2", "--target=zswap", "--seed=1",
                        "--runs=20000", "-o", out});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote " + out));
  const Result verified = Run({"replay", out, "--verify"});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
}

TEST_F(SwapfuzzCliTest, DivergenceNamesTheFirstDifferentStep) {
  // A recorded file whose decisions were edited: the run takes another path.
  absl::StatusOr<Schedule> s = ReadScheduleFile(Corpus("skip_swapcache_aba.json"));
  ASSERT_TRUE(s.ok());
  ASSERT_FALSE(s->expected->step_digest.empty());
  s->decisions[1].through = StepByName("do_swap_page: lock_page");
  const std::string edited = Path("edited.json");
  ASSERT_TRUE(WriteScheduleFile(edited, *s).ok());
  const Result r = Run({"replay", edited, "--verify"});
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("first divergence at step 18; this run took:"));
  EXPECT_THAT(r.out, HasSubstr("do_swap_page             lock_page"));
}

TEST_F(SwapfuzzCliTest, GoldenFilesOfEveryFormatVersionReplay) {
  const fs::path golden = fs::path(SWAPFUZZ_SOURCE_DIR) / "tests" / "golden";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(golden)) {
    if (entry.path().extension() == ".md") continue;
    SCOPED_TRACE(entry.path().string());
    // The promise of a format version: an old file still reads, runs, and
    // reproduces its recorded finding. (Its trace hash may change when the
    // model becomes more faithful; corpus/regressions/ pins those.)
    const std::string file = entry.path().string();
    const Result r = Run({"replay", file});
    ASSERT_TRUE(r.status == 0 || r.status == 1) << r.out << r.err;
    const std::string converted = Path("golden.json");
    ASSERT_EQ(Run({"convert", file, "-o", converted}).status, 0);
    absl::StatusOr<Schedule> back = ReadScheduleFile(converted);
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_TRUE(back->expected.has_value());
    if (back->expected->signature.empty()) {
      EXPECT_EQ(r.status, 0) << r.out;
    } else {
      EXPECT_THAT(r.out, HasSubstr("FINDING " + back->expected->signature)) << r.out;
    }
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST_F(SwapfuzzCliTest, ConvertMovesBetweenTheThreeForms) {
  const std::string bin = Path("s.swpf"), json = Path("s.json");
  EXPECT_EQ(Run({"convert", Corpus("skip_swapcache_aba.json"), "-o", bin}).status, 0);
  EXPECT_EQ(Run({"convert", bin, "-o", json}).status, 0);
  EXPECT_EQ(ReadFile(json), ReadFile(Corpus("skip_swapcache_aba.json")));
  // A raw fuzzer input needs its target: named by flag or by file name.
  const std::string raw = WriteFile("crash-abc", std::string(80, '\x07'));
  const Result unnamed = Run({"replay", raw});
  EXPECT_EQ(unnamed.status, 2);
  EXPECT_THAT(unnamed.err, HasSubstr("--target="));
  const Result named = Run({"replay", raw, "--target=mainline"});
  EXPECT_THAT(named.status, testing::AnyOf(0, 1)) << named.err;
  const std::string prefixed = WriteFile("zram-crash-abc", std::string(80, '\x07'));
  EXPECT_EQ(Run({"convert", prefixed, "-o", Path("from_raw.json")}).status, 0);
  absl::StatusOr<Schedule> from_raw = ReadScheduleFile(Path("from_raw.json"));
  ASSERT_TRUE(from_raw.ok()) << from_raw.status();
  EXPECT_EQ(from_raw->config.profile, "v5.16");
}

TEST_F(SwapfuzzCliTest, MinimizeAndExplain) {
  const std::string small = Path("small.json");
  const Result m = Run({"minimize", Corpus("zram_free_notify_on_read.json"), "-o", small});
  EXPECT_EQ(m.status, 0) << m.err;
  EXPECT_THAT(m.out, HasSubstr("before: "));
  EXPECT_THAT(m.out, HasSubstr("after:  "));
  const Result v = Run({"replay", small, "--verify"});
  EXPECT_EQ(v.status, 0) << v.out;
  const Result e = Run({"explain", small});
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr("needs free_notify_on_read: e914d8f00391"));
}

TEST_F(SwapfuzzCliTest, RecordUnderAnotherProfileRecordsTheProfile) {
  const std::string recorded = Path("recorded.json");
  const Result r =
      Run({"record", Corpus("skip_swapcache_aba.json"), "--profile=mainline", "-o", recorded});
  EXPECT_EQ(r.status, 0) << r.err;
  absl::StatusOr<Schedule> s = ReadScheduleFile(recorded);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->config.profile, "mainline");
  EXPECT_EQ(s->expected->signature, "");
  EXPECT_EQ(Run({"replay", recorded, "--verify"}).status, 0);
}

TEST_F(SwapfuzzCliTest, VerifyWithoutExpectedBlockIsAnInputError) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", file, "--verify"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.ErrLines(), ElementsAre(HasSubstr(file + ": --verify: the file has no")));
}

TEST_F(SwapfuzzCliTest, BadFileIsOneLineNamingTheFile) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"malformed.json", R"({"format": "swapfuzz-schedule", "version": 1,)"},
      {"other.json", R"({"name": "not a schedule"})"},
      {"badop.json",
       R"({"format": "swapfuzz-schedule", "version": 1, "cpus": [{"ops": ["jump 0"]}]})"},
      {"badknob.json",
       R"({"format": "swapfuzz-schedule", "version": 1, "config": {"knobs": {"nope": true}},
           "cpus": [{"ops": ["read 0"]}]})"},
      {"empty.json", ""},
  };
  for (const auto& [name, text] : files) {
    SCOPED_TRACE(name);
    const std::string file = WriteFile(name, text);
    const Result r = Run({"replay", file});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.ErrLines(), ElementsAre(HasSubstr(file + ": ")));
  }
  const Result missing = Run({"replay", Path("missing.json")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.ErrLines(), ElementsAre(HasSubstr(Path("missing.json") + ": cannot open")));
}

TEST_F(SwapfuzzCliTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"replay"},
           {"record", Corpus("skip_swapcache_aba.json")},
           {"list-bugs", "extra"},
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    const Result r = Run(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_THAT(r.err, HasSubstr("usage: swapfuzz"));
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"replay", Corpus("skip_swapcache_aba.json"), "--bogus"},
           {"replay", Corpus("skip_swapcache_aba.json"), "--break_at_step=soon"},
           {"replay", Corpus("skip_swapcache_aba.json"), "--knob=skip_swapcache_unpinned"},
           {"replay", Corpus("skip_swapcache_aba.json"), "--knob=nope=on"},
           {"replay", Corpus("skip_swapcache_aba.json"), "--profile=v9"},
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    const Result r = Run(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.ErrLines().size(), 1u) << r.err;
  }
}

TEST_F(SwapfuzzCliTest, HelpExitsZero) {
  const Result r = Run({"help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, StartsWith("usage: swapfuzz"));
  EXPECT_EQ(Run({"--help"}).out, r.out);
}

}  // namespace
}  // namespace swapfuzz
