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
#include "format/schedule_binary.h"
#include "format/schedule_io.h"
#include "fuzz/decoder.h"
#include "model/knobs.h"
#include "model/schedule.h"

namespace swapfuzz {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
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
  EXPECT_THAT(r.out, HasSubstr("knobs: unuse_pte_no_folio_check, zswap_acomp_unsynced_cpu_dead\n"));  // v6.9
}

TEST_F(SwapfuzzCliTest, CleanRunExitsZero) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", file});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> lines = r.OutLines();
  ASSERT_EQ(lines.size(), 2u) << r.out;
  // A file without a profile runs v6.9, whatever mainline means today.
  EXPECT_THAT(lines[0], StartsWith(file + ": profile v6.9, "));
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
  // Writers store the release, never the alias.
  EXPECT_EQ(s->config.profile, NewestProfile());
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

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const FuzzTarget& t : AllTargets()) names.emplace_back(t.name);
  return names;
}

TEST_F(SwapfuzzCliTest, ListTargetsPrintsTheTargetTable) {
  const Result r = Run({"list-targets"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const FuzzTarget& t : AllTargets()) {
    EXPECT_THAT(r.out, HasSubstr(std::string(t.name) + " "));
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("profile ", t.base.profile, ", backend ",
                                              t.base.backend, ", zswap ",
                                              t.base.zswap ? "on" : "off")));
    EXPECT_THAT(r.out, HasSubstr(std::string(t.description).substr(0, 20)));
  }
  EXPECT_EQ(Run({"list-targets", "--names"}).OutLines(), TargetNames());
  const Result json = Run({"list-targets", "--json"});
  EXPECT_EQ(json.status, 0);
  for (const std::string& name : TargetNames()) {
    EXPECT_THAT(json.out, HasSubstr("{\"name\": \"" + name + "\", "));
  }
  // --names belongs to list-bugs and list-targets only.
  EXPECT_EQ(Run({"list-profiles", "--names"}).status, 2);
}

TEST_F(SwapfuzzCliTest, ListCommandsPrintJson) {
  const Result bugs = Run({"list-bugs", "--json"});
  EXPECT_EQ(bugs.status, 0) << bugs.err;
  EXPECT_THAT(bugs.out, StartsWith("[\n"));
  for (const KnobInfo& info : AllKnobs()) {
    EXPECT_THAT(bugs.out, HasSubstr(absl::StrCat("{\"name\": \"", std::string(info.name),
                                                 "\", \"fix\": \"", std::string(info.fix_hash),
                                                 "\"")));
  }
  const Result profiles = Run({"list-profiles", "--json"});
  EXPECT_EQ(profiles.status, 0) << profiles.err;
  for (const Profile& p : AllProfiles()) {
    EXPECT_THAT(profiles.out, HasSubstr(absl::StrCat("{\"name\": \"", std::string(p.name), "\"")));
  }
}

TEST_F(SwapfuzzCliTest, EveryTargetIsNamedWhereATargetIsAskedFor) {
  // The help of --target and the error for a raw input without one both come
  // from the target table (the old error left out mainline_zram_zswap).
  const Result help = Run({"help"});
  const std::string raw = WriteFile("crash-abc", std::string(80, '\x07'));
  const Result unnamed = Run({"replay", raw});
  EXPECT_EQ(unnamed.status, 2);
  for (const std::string& name : TargetNames()) {
    EXPECT_THAT(help.out, HasSubstr(name));
    EXPECT_THAT(unnamed.err, HasSubstr(name));
  }
  const Result unknown = Run({"replay", raw, "--target=nope"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.ErrLines(),
              ElementsAre("swapfuzz: --target: unknown target 'nope' (see swapfuzz list-targets)"));
}

// About one raw input in 256 starts with "{": with its target named, it is a
// raw input, whatever it starts with.
TEST_F(SwapfuzzCliTest, RawInputThatLooksLikeAScheduleIsReadAsRawWithItsTarget) {
  const std::string tail(79, '\x07');
  for (const std::string& head : {std::string("{"), std::string(" \n{"),
                                  std::string(kBinaryMagic), std::string(kBinaryMagic) + "\x01"}) {
    SCOPED_TRACE(head);
    const std::string raw = WriteFile("crash-odd", head + tail);
    const Result r = Run({"replay", raw, "--target=zram", "--verify"});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_THAT(r.out, StartsWith(raw + ": profile v5.16, "));
    // Named by the file name instead.
    const std::string prefixed = WriteFile("mainline-crash-odd", head + tail);
    const Result p = Run({"replay", prefixed});
    EXPECT_THAT(p.status, AnyOf(0, 1)) << p.err;
    EXPECT_THAT(p.out, StartsWith(prefixed + ": profile " + std::string(NewestProfile()) + ", "));
    // Without a target it is still a schedule that does not parse.
    const Result unnamed = Run({"replay", raw});
    EXPECT_EQ(unnamed.status, 2);
    EXPECT_THAT(unnamed.ErrLines(), ElementsAre(HasSubstr(raw + ": ")));
  }
  // An empty raw input is an input too.
  const Result empty = Run({"replay", WriteFile("crash-empty", ""), "--target=mainline"});
  EXPECT_EQ(empty.status, 0) << empty.err;
}

TEST_F(SwapfuzzCliTest, ValidScheduleWithATargetIsReadAsAScheduleWithANote) {
  const std::string json = WriteFile("clean.json", kCleanSchedule);
  const Result r = Run({"replay", json, "--target=zram"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.ErrLines(), ElementsAre("swapfuzz: note: " + json +
                                        " is a valid JSON schedule: read as one, not as a raw "
                                        "input of target zram"));
  EXPECT_THAT(r.out, StartsWith(json + ": profile v6.9, "));
  const std::string bin = Path("clean.swpf");
  ASSERT_EQ(Run({"convert", json, "-o", bin}).status, 0);
  const Result b = Run({"replay", bin, "--target=zswap"});
  EXPECT_EQ(b.status, 0) << b.err;
  EXPECT_THAT(b.ErrLines(), ElementsAre(HasSubstr(bin + " is a valid binary schedule: read as one")));
}

TEST_F(SwapfuzzCliTest, ADirectoryIsNamedAsOneByEveryCommand) {
  const std::string dir = Path("adir");
  fs::create_directories(dir);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"replay", dir},
           {"replay", dir, "--target=zram"},
           {"explain", dir},
           {"minimize", dir, "-o", Path("out.json")},
           {"convert", dir, "-o", Path("out.json")},
           {"record", dir, "-o", Path("out.json")},
           {"explore", "--strategy=dfs", "--from=" + dir},
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    const Result r = Run(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.ErrLines(), ElementsAre("swapfuzz: " + dir + ": is a directory"));
  }
  EXPECT_FALSE(fs::exists(Path("out.json")));
}

TEST_F(SwapfuzzCliTest, BreakAtStepPastTheEndSaysHowLongTheRunWas) {
  const std::string file = WriteFile("clean.json", kCleanSchedule);
  const Result plain = Run({"replay", file});
  ASSERT_EQ(plain.status, 0);
  const std::string header = plain.OutLines()[0];
  // "FILE: profile mainline, N steps, trace hash 0x..."
  const size_t end = header.find(" steps, trace hash");
  const size_t start = header.rfind(' ', end - 1) + 1;
  const int steps = std::stoi(header.substr(start, end - start));
  ASSERT_GT(steps, 1) << header;
  // The last step: the hook runs.
  EXPECT_EQ(Run({"replay", file, absl::StrCat("--break_at_step=", steps - 1)}).status, 0);
  for (const int n : {steps, steps + 1000}) {
    const Result r = Run({"replay", file, absl::StrCat("--break_at_step=", n)});
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_THAT(r.ErrLines(),
                ElementsAre(absl::StrCat("swapfuzz: --break_at_step=", n, ": the run had only ",
                                         steps, " steps (0 to ", steps - 1,
                                         "), so swapfuzz_step_hook() was never called")));
  }
}

TEST_F(SwapfuzzCliTest, UnwritableOutputFailsBeforeAnyWorkAndLeavesNothing) {
  const std::string regression = Corpus("zram_free_notify_on_read.json");
  const std::string missing = Path("no/such/dir/out.json");
  const std::string a_file = WriteFile("plain.txt", "x");
  const std::string under_a_file = a_file + "/out.json";
  const std::string a_dir = Path("adir");
  fs::create_directories(a_dir);
  for (const std::string& bad : {missing, under_a_file, a_dir}) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"minimize", regression, "-o", bad},
             {"record", regression, "-o", bad},
             {"convert", regression, "-o", bad},
             {"replay", regression, "--html=" + bad},
             {"replay", regression, "--perfetto=" + bad},
             {"replay", regression, "--perfetto=" + Path("fine.json"), "--html=" + bad},
             {"explore", "--strategy=random", "--target=zram", "--runs=3000", "-o", bad + "x"},
         }) {
      if (args[0] == "explore" && bad == a_dir) continue;  // a directory is explore's other form
      SCOPED_TRACE(absl::StrJoin(args, " "));
      const Result r = Run(args);
      EXPECT_EQ(r.status, 2);
      EXPECT_EQ(r.out, "");  // no work done
      ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
      EXPECT_THAT(r.ErrLines()[0], StartsWith("swapfuzz: " + (args[0] == "explore" ? bad + "x" : bad) + ": "));
    }
  }
  // explore -o DIR/: a directory that cannot be made.
  const Result dir = Run({"explore", "--strategy=random", "--target=zram", "-o", under_a_file + "/"});
  EXPECT_EQ(dir.status, 2);
  EXPECT_EQ(dir.out, "");
  EXPECT_THAT(dir.ErrLines(), ElementsAre(StartsWith("swapfuzz: " + under_a_file + "/: ")));
  // Nothing left behind: no file, no temporary, no directory.
  std::vector<std::string> left;
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  EXPECT_THAT(left, ElementsAre("adir", "plain.txt", "stderr", "stdout"));
  // The reason appears once.
  const Result once = Run({"record", regression, "-o", missing});
  EXPECT_THAT(once.err, Not(HasSubstr("No such file or directory: No such file or directory")));
}

TEST_F(SwapfuzzCliTest, ExploreWritesAReproducerIntoADirectory) {
  const std::string dir = Path("found") + "/";
  const Result r = Run({"explore", "--strategy=random", "--target=zram", "--runs=20000", "-o", dir});
  ASSERT_EQ(r.status, 1) << r.out << r.err;
  const std::string wrote = r.OutLines().back();
  ASSERT_THAT(wrote, StartsWith("wrote " + Path("found") + "/zram__"));
  absl::StatusOr<Schedule> s = ReadScheduleFile(wrote.substr(6));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Run({"replay", wrote.substr(6), "--verify"}).status, 0);
}

TEST_F(SwapfuzzCliTest, MinimizedScheduleRecordsItsStepDigest) {
  const std::string small = Path("small.json");
  ASSERT_EQ(Run({"minimize", Corpus("zram_free_notify_on_read.json"), "-o", small}).status, 0);
  absl::StatusOr<Schedule> s = ReadScheduleFile(small);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->expected.has_value());
  // One byte, two hex digits, a step: what lets --verify name a divergence.
  EXPECT_EQ(s->expected->step_digest.size(), 2 * s->expected->steps);
  s->expected->trace_hash ^= 1;
  s->expected->step_digest[0] = s->expected->step_digest[0] == '0' ? '1' : '0';
  ASSERT_TRUE(WriteScheduleFile(small, *s).ok());
  const Result v = Run({"replay", small, "--verify"});
  EXPECT_EQ(v.status, 3);
  EXPECT_THAT(v.out, HasSubstr("first divergence at step 0; this run took:"));
}

TEST_F(SwapfuzzCliTest, FlagsACommandDoesNotTakeAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"replay", Corpus("skip_swapcache_aba.json"), "--strategy=pct"},
           {"convert", Corpus("skip_swapcache_aba.json"), "-o", Path("x.json"), "--profile=v6.3"},
           {"list-profiles", "--names"},
           {"explain", Corpus("skip_swapcache_aba.json"), "--json"},
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    const Result r = Run(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_THAT(r.err, HasSubstr(" does not take "));
    EXPECT_THAT(r.err, HasSubstr("usage: swapfuzz"));
  }
}

}  // namespace
}  // namespace swapfuzz

namespace swapfuzz {
namespace {

// --profile=P runs release P as it is: a file's knob overrides restored other
// code, so they are dropped, with one note saying which; --knob still applies
// on top.
TEST_F(SwapfuzzCliTest, ProfileRunsTheReleaseAsItIs) {
  struct Case {
    std::vector<std::string> args;
    int status;
    const char* note;  // empty: no note
  };
  const std::string leak = Corpus("zswap_wb_stale_folio_leak.json");  // mainline + the leak knob
  const Case cases[] = {
      {{"replay", leak}, 1, ""},
      {{"replay", leak, "--profile=v6.9"}, 0,
       "swapfuzz: note: --profile=v6.9 runs Linux 6.9 as released: dropped the file's "
       "zswap_wb_stale_folio_leak=on"},
      {{"replay", leak, "--profile=mainline"}, 0,
       "swapfuzz: note: --profile=mainline runs Linux 7.1.5 as released: dropped the file's "
       "zswap_wb_stale_folio_leak=on"},
      {{"replay", leak, "--profile=v6.9", "--knob=zswap_wb_stale_folio_leak=on"}, 1,
       "dropped the file's zswap_wb_stale_folio_leak=on"},
      {{"replay", Corpus("skip_swapcache_aba.json"), "--profile=v6.3"}, 1, ""},
      {{"replay", Corpus("skip_swapcache_aba.json"), "--profile=v6.1.y"}, 0, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrJoin(c.args, " "));
    const Result r = Run(c.args);
    EXPECT_EQ(r.status, c.status) << r.out << r.err;
    if (*c.note == '\0') {
      EXPECT_THAT(r.err, Not(HasSubstr("note:")));
    } else {
      EXPECT_THAT(r.err, HasSubstr(c.note));
    }
  }
}

TEST_F(SwapfuzzCliTest, BisectPrintsARowPerRelease) {
  const Result r = Run({"bisect", Corpus("skip_swapcache_aba.json")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("| as saved | v6.3 | data-integrity:do_swap_page:page | 41 |  |"));
  for (const Profile& p : AllProfiles()) {
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("| ", std::string(p.name), " | ",
                                              std::string(p.release), " | ")));
  }
  EXPECT_THAT(r.out, HasSubstr("| v6.1.y | Linux 6.1.166 | clean |"));
  const Result missing = Run({"bisect", Path("missing.json")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.ErrLines().size(), 1u) << missing.err;
}

TEST_F(SwapfuzzCliTest, ListProfilesVerboseNamesWhatEachFileFollows) {
  const Result plain = Run({"list-profiles"});
  EXPECT_THAT(plain.out, HasSubstr("Linux 7.1.5 (mainline: the newest modelled release)"));
  EXPECT_THAT(plain.out, Not(HasSubstr("model/mm/zswap.cc")));
  const Result verbose = Run({"list-profiles", "--verbose"});
  EXPECT_EQ(verbose.status, 0) << verbose.err;
  EXPECT_THAT(verbose.out, HasSubstr("model/mm/zswap.cc (mm/zswap.c): v6.9-rc1"));
  EXPECT_THAT(verbose.out, HasSubstr("@003ae2fb0b36"));
  EXPECT_THAT(verbose.out, HasSubstr("model/mm/swapfile.cc (mm/swapfile.c): 7.1.5: counts in the"));
  EXPECT_THAT(verbose.out, HasSubstr("@9d1745cf8134"));
  EXPECT_THAT(verbose.out, HasSubstr("mainline: v7.1.y on the command line"));
}

}  // namespace
}  // namespace swapfuzz
