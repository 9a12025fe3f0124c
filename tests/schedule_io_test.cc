#include "format/schedule_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "model/schedule.h"
#include "model/steps.h"

namespace swapfuzz {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A schedule that uses every feature of the format.
Schedule FullSchedule() {
  Schedule s;
  s.description = "quotes \" and a\nnewline, unicode \xc3\xa9";
  s.config.profile = "v5.16";
  // Not in catalogue order: the order given must survive.
  s.config.knobs = {{"skip_swapcache_unpinned", false}, {"free_notify_on_read", true}};
  s.config.nslots = 20;
  s.config.page_cluster = 2;
  s.config.slots_cache_size = 4;
  s.config.zram_empty_read_fatal = true;
  s.config.backend = "disk";
  s.config.zswap = true;
  s.config.zswap_max_pool_percent = 35;
  s.config.ram_pages = 77;
  s.cpus.push_back(CpuProgram{
      0,
      {Op{OpKind::kWrite, 0, 0, 0}, Op{OpKind::kWrite, 7, 0, 0xdeadbeefcafef00d},
       Op{OpKind::kReclaim, 0, 0, 0}, Op{OpKind::kFork, 0, 3, 0}, Op{OpKind::kRead, 1, 0, 0}}});
  s.cpus.push_back(CpuProgram{3, {Op{OpKind::kMunmap, 1, 0, 0}, Op{OpKind::kDrainSlots, 0, 0, 0}}});
  s.cpus.push_back(CpuProgram{1, {}});
  s.decisions = {Segment{0, 3, std::nullopt}, Segment{1, 0, StepId::kPteSameInstall},
                 Segment{2, 65535, std::nullopt}, Segment{0, 0, std::nullopt}};
  s.expected = Expectation{"data-integrity:do_swap_page:page", 0x1234abcd5678ef00, 42, ""};
  return s;
}

std::string ErrorOf(const absl::Status& status) { return std::string(status.message()); }

void ExpectSameSchedule(const Schedule& want, const Schedule& got) {
  EXPECT_EQ(want.description, got.description);
  EXPECT_EQ(want.config, got.config);
  ASSERT_EQ(want.cpus.size(), got.cpus.size());
  for (size_t i = 0; i < want.cpus.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("cpus[", i, "]"));
    EXPECT_EQ(want.cpus[i].mm, got.cpus[i].mm);
    ASSERT_EQ(want.cpus[i].ops.size(), got.cpus[i].ops.size());
    for (size_t j = 0; j < want.cpus[i].ops.size(); ++j) {
      SCOPED_TRACE(absl::StrCat("ops[", j, "]"));
      const Op& a = want.cpus[i].ops[j];
      const Op& b = got.cpus[i].ops[j];
      EXPECT_EQ(a.kind, b.kind);
      EXPECT_EQ(a.va, b.va);
      EXPECT_EQ(a.arg, b.arg);
      EXPECT_EQ(a.value, b.value);
    }
  }
  EXPECT_EQ(want.decisions, got.decisions);
  EXPECT_EQ(want.expected, got.expected);
}

TEST(ScheduleIoTest, RoundTripKeepsEverything) {
  const Schedule original = FullSchedule();
  const std::string json = ScheduleToJson(original);
  absl::StatusOr<Schedule> parsed = ParseScheduleJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
  ExpectSameSchedule(original, *parsed);
  // Writing the parsed schedule gives the same text: the output is stable.
  EXPECT_EQ(json, ScheduleToJson(*parsed));
}

TEST(ScheduleIoTest, EveryOpKindRoundTrips) {
  Schedule s;
  // swapoff_dev and swapon_dev name a type the configuration swaps on.
  s.config.swap_devices = kMaxSwapDevices;
  for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
    // More ops than one program holds: the next CPU's program takes the rest.
    if (i % kMaxOpsPerCpu == 0) s.cpus.emplace_back();
    CpuProgram& program = s.cpus.back();
    const OpKind kind = static_cast<OpKind>(i);
    Op op;
    op.kind = kind;
    if (OpTakesVa(kind)) op.va = kMaxVas - 1;
    if (OpArgLimit(kind) > 0) op.arg = static_cast<uint8_t>(OpArgLimit(kind) - 1);
    if (kind == OpKind::kWrite) op.value = 0x2a;
    program.ops.push_back(op);
  }
  absl::StatusOr<Schedule> parsed = ParseScheduleJson(ScheduleToJson(s));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSameSchedule(s, *parsed);
}

TEST(ScheduleIoTest, DecisionMayNameTheInterruptCpu) {
  Schedule s;
  s.cpus.emplace_back().ops.push_back(Op{OpKind::kRead, 0, 0, 0});
  s.decisions.push_back(Segment{static_cast<uint8_t>(kIrqCpu), 1, std::nullopt});
  absl::StatusOr<Schedule> parsed = ParseScheduleJson(ScheduleToJson(s));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->decisions, s.decisions);
}

TEST(ScheduleIoTest, OutputIsIndentedAndEndsWithNewline) {
  const std::string json = ScheduleToJson(FullSchedule());
  EXPECT_EQ(json.back(), '\n');
  EXPECT_THAT(json, HasSubstr("\n  \"format\": \"swapfuzz-schedule\",\n  \"version\": 5,\n"));
  EXPECT_THAT(json, HasSubstr("\"write 7 0xdeadbeefcafef00d\""));
  EXPECT_THAT(json, HasSubstr("\"fork 3\""));
  EXPECT_THAT(json, HasSubstr("\"through\": \"do_swap_page: pte_same, install, swap_free\""));
  EXPECT_THAT(json, HasSubstr("\"trace_hash\": \"0x1234abcd5678ef00\""));
  EXPECT_LT(json.find("skip_swapcache_unpinned"), json.find("free_notify_on_read"));
}

TEST(ScheduleIoTest, NoExpectedBlockWhenThereIsNone) {
  Schedule s = FullSchedule();
  s.expected.reset();
  const std::string json = ScheduleToJson(s);
  EXPECT_THAT(json, Not(HasSubstr("expected")));
  absl::StatusOr<Schedule> parsed = ParseScheduleJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->expected.has_value());
}

TEST(ScheduleIoTest, ParsesTheDocumentedExample) {
  const std::string json = R"({
    "format": "swapfuzz-schedule",
    "version": 1,
    "description": "free text",
    "config": {
      "profile": "v5.16",
      "knobs": {"free_notify_on_read": true, "skip_swapcache_unpinned": false},
      "nslots": 16, "page_cluster": 1, "slots_cache_size": 0, "zram_empty_read_fatal": false
    },
    "cpus": [
      {"mm": 0, "ops": ["write 0", "write 1 0x1234", "reclaim 0", "read 0", "munmap 1", "fork 1",
                        "drain_slots"]},
      {"mm": 0, "ops": ["read 0"]}
    ],
    "decisions": [
      {"cpu": 0, "steps": 3},
      {"cpu": 1, "through": "do_swap_page: pte_same, install, swap_free"},
      {"cpu": 0}
    ],
    "expected": {"signature": "data-integrity:do_swap_page:page",
                 "trace_hash": "0x1234abcd5678ef00", "steps": 42}
  })";
  absl::StatusOr<Schedule> s = ParseScheduleJson(json);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->description, "free text");
  EXPECT_EQ(s->config.profile, "v5.16");
  EXPECT_EQ(s->config.knobs, (std::vector<KnobOverride>{{"free_notify_on_read", true},
                                                        {"skip_swapcache_unpinned", false}}));
  ASSERT_EQ(s->cpus.size(), 2u);
  ASSERT_EQ(s->cpus[0].ops.size(), 7u);
  EXPECT_EQ(s->cpus[0].ops[1].kind, OpKind::kWrite);
  EXPECT_EQ(s->cpus[0].ops[1].va, 1);
  EXPECT_EQ(s->cpus[0].ops[1].value, 0x1234u);
  EXPECT_EQ(s->cpus[0].ops[5].kind, OpKind::kFork);
  EXPECT_EQ(s->cpus[0].ops[5].va, 0);
  EXPECT_EQ(s->cpus[0].ops[5].arg, 1);
  EXPECT_EQ(s->cpus[0].ops[6].kind, OpKind::kDrainSlots);
  EXPECT_EQ(s->decisions,
            (std::vector<Segment>{
                {0, 3, std::nullopt}, {1, 0, StepId::kPteSameInstall}, {0, 0, std::nullopt}}));
  ASSERT_TRUE(s->expected.has_value());
  EXPECT_EQ(s->expected->trace_hash, 0x1234abcd5678ef00u);
  EXPECT_EQ(s->expected->steps, 42u);
}

TEST(ScheduleIoTest, ConfigFieldsDefault) {
  absl::StatusOr<Schedule> s = ParseScheduleJson(
      R"({"format": "swapfuzz-schedule", "version": 1, "cpus": [{"ops": ["write 2 17"]}]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->config, ScheduleConfig{});
  EXPECT_EQ(s->cpus[0].mm, 0);
  EXPECT_EQ(s->cpus[0].ops[0].value, 17u);
  EXPECT_TRUE(s->decisions.empty());
  EXPECT_FALSE(s->expected.has_value());
}

TEST(ScheduleIoTest, FieldOrderDoesNotMatter) {
  absl::StatusOr<Schedule> s = ParseScheduleJson(
      R"({"cpus": [{"ops": ["read 0"], "mm": 1}], "version": 1, "format": "swapfuzz-schedule"})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpus[0].mm, 1);
}

TEST(ScheduleIoTest, ReadsTheRegressionCorpus) {
  int files = 0;
  for (const fs::directory_entry& e :
       fs::directory_iterator(fs::path(SWAPFUZZ_SOURCE_DIR) / "corpus" / "regressions")) {
    if (e.path().extension() != ".json") continue;
    SCOPED_TRACE(e.path().string());
    absl::StatusOr<Schedule> s = ReadScheduleFile(e.path().string());
    EXPECT_TRUE(s.ok()) << s.status();
    ++files;
  }
  EXPECT_GT(files, 0);
}

// A document with the header and `body` (the rest of the top-level fields).
std::string Doc(const std::string& body) {
  return absl::StrCat(R"({"format": "swapfuzz-schedule", "version": 1, )", body, "}");
}

// A document with one CPU running `ops` (a JSON array body) and `rest`.
std::string OpsDoc(const std::string& ops, const std::string& rest = "") {
  return Doc(absl::StrCat(R"("cpus": [{"mm": 0, "ops": [)", ops, "]}]", rest));
}

struct BadInput {
  const char* name;
  std::string text;
  const char* message;  // a substring of the error
};

TEST(ScheduleIoTest, RejectsMalformedInputWithAMessageNamingTheProblem) {
  const std::string valid = OpsDoc(R"("write 0", "read 0")");
  const std::vector<BadInput> cases = {
      {"empty", "", "empty document"},
      {"blank", " \n\t ", "empty document"},
      {"truncated", valid.substr(0, valid.size() / 2), "malformed JSON: unexpected end of file"},
      {"trailing garbage", valid + "x", "malformed JSON at line 1, column"},
      {"bad token on line 2", "{\"format\": \"swapfuzz-schedule\",\n  \"version\" 1}",
       "malformed JSON at line 2, column 13"},
      {"not an object", "[1, 2]", "not a JSON object"},
      {"too deep", std::string(100000, '[') + std::string(100000, ']'), "not a JSON object"},
      {"too deep object", "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}",
       "nested more than 16 deep at line 1, column 21"},
      {"too large", "{" + std::string(kMaxScheduleBytes, ' ') + "}", "larger than"},
      {"missing format", R"({"version": 1, "cpus": []})",
       "not a swapfuzz schedule (missing \"format\")"},
      {"wrong format", R"({"format": "other", "version": 1})",
       "not a swapfuzz schedule (format is \"other\""},
      {"format not a string", R"({"format": 1, "version": 1})", "format: expected a string"},
      {"missing version", R"({"format": "swapfuzz-schedule", "cpus": []})", "version: missing"},
      {"version 6", R"({"format": "swapfuzz-schedule", "version": 6, "cpus": [], "new": 1})",
       "format version 6 is newer than this build supports (5)"},
      {"version 0", R"({"format": "swapfuzz-schedule", "version": 0})",
       "version: 0 is not a format version"},
      {"version a string", R"({"format": "swapfuzz-schedule", "version": "1"})",
       "version: expected an integer"},
      {"cpus missing", Doc(R"("description": "x")"), "cpus: missing"},
      {"cpus an object", Doc(R"("cpus": {})"), "cpus: expected an array"},
      {"no cpus", Doc(R"("cpus": [])"), "cpus: need 1 to 4 programs, have 0"},
      {"5 cpus", Doc(R"("cpus": [{}, {}, {}, {}, {}])"), "cpus: need 1 to 4 programs, have 5"},
      {"cpu not an object", Doc(R"("cpus": [[]])"), "cpus[0]: expected an object"},
      {"mm out of range", Doc(R"("cpus": [{"mm": 4}])"), "cpus[0].mm out of range"},
      {"mm too big", Doc(R"("cpus": [{"mm": 256}])"),
       "cpus[0].mm: expected an integer from 0 to 255, got 256"},
      {"op not a string", OpsDoc("1"), "cpus[0].ops[0]: expected a string"},
      {"unknown op", OpsDoc(R"("raed 0")"), "cpus[0].ops[0]: unknown op \"raed\""},
      {"empty op", OpsDoc(R"(" ")"), "cpus[0].ops[0]: empty op"},
      {"negative va", OpsDoc(R"("read 0", "write -1")"),
       "cpus[0].ops[1]: \"write -1\": expected a va from 0 to 7, got \"-1\""},
      {"va too big", OpsDoc(R"("read 8")"), "expected a va from 0 to 7, got \"8\""},
      {"va huge", OpsDoc(R"("read 99999999999999999999999")"), "expected a va from 0 to 7"},
      {"va missing", OpsDoc(R"("reclaim")"), "\"reclaim\": missing a va from 0 to 7"},
      {"fork child missing", OpsDoc(R"("fork")"), "\"fork\": missing an argument from 0 to 3"},
      {"fork child too big", OpsDoc(R"("fork 4")"), "expected an argument from 0 to 3, got \"4\""},
      {"extra operand", OpsDoc(R"("drain_slots 1")"), "\"drain_slots 1\": unexpected \"1\""},
      {"read with a value", OpsDoc(R"("read 0 5")"), "unexpected \"5\""},
      {"hex overflow", OpsDoc(R"("write 0 0x10000000000000000")"),
       "value \"0x10000000000000000\" is not a 64-bit number"},
      {"bad value", OpsDoc(R"("write 0 12ab")"), "value \"12ab\" is not a 64-bit number"},
      {"too many ops",
       OpsDoc(R"("read 0",)" + absl::StrJoin(std::vector<std::string>(24, "\"read 0\""), ",")),
       "cpus[0].ops: at most 24 operations"},
      {"decision cpu missing", OpsDoc(R"("read 0")", R"(, "decisions": [{"steps": 1}])"),
       "decisions[0]: missing \"cpu\""},
      {"decision cpu too big", OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": -1}])"),
       "decisions[0].cpu: expected an integer from 0 to 255, got -1"},
      {"decision cpu without a program", OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": 1}])"),
       "decisions[0].cpu out of range"},
      {"steps 70000", OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": 0, "steps": 70000}])"),
       "decisions[0].steps: expected an integer from 1 to 65535, got 70000"},
      {"steps 0", OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": 0, "steps": 0}])"),
       "decisions[0].steps: expected an integer from 1 to 65535, got 0"},
      {"steps a fraction", "{\"steps\":\n 1.5}", "non-integer number at line 2, column 3"},
      {"zero with an exponent", "{\"a\": [-0E132]}", "non-integer number at line 1, column 10"},
      {"infinity", "{\"a\": [Inf.0]}", "malformed JSON at line 1, column 8"},
      {"exponent", OpsDoc(R"("read 0")", R"(, "config": {"nslots": 1e1})"),
       "non-integer number at line 1, column"},
      {"steps a string", OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": 0, "steps": "2"}])"),
       "decisions[0].steps: expected an integer from 1 to 65535"},
      {"unknown step",
       OpsDoc(R"("read 0")", R"(, "decisions": [{"cpu": 0, "through": "do_swap_page: nap"}])"),
       "decisions[0].through: unknown step \"do_swap_page: nap\""},
      {"steps and through",
       OpsDoc(R"("read 0")",
              R"(, "decisions": [{"cpu": 0, "steps": 2, "through": "user_access: read"}])"),
       "decisions[0]: has both \"steps\" and \"through\""},
      {"unknown profile", OpsDoc(R"("read 0")", R"(, "config": {"profile": "v9"})"),
       "config.profile: unknown profile 'v9'"},
      {"knobs non-bool",
       OpsDoc(R"("read 0")", R"(, "config": {"knobs": {"free_notify_on_read": 1}})"),
       "config.knobs.free_notify_on_read: expected true or false"},
      {"knobs an array", OpsDoc(R"("read 0")", R"(, "config": {"knobs": []})"),
       "config.knobs: expected an object"},
      {"repeated knob",
       OpsDoc(
           R"("read 0")",
           R"(, "config": {"knobs": {"free_notify_on_read": true, "free_notify_on_read": false}})"),
       "config.knobs.free_notify_on_read: repeated field"},
      {"nslots too small", OpsDoc(R"("read 0")", R"(, "config": {"nslots": 1})"),
       "config.nslots: 2 to 32"},
      {"nslots huge", OpsDoc(R"("read 0")", R"(, "config": {"nslots": 18446744073709551616})"),
       "config.nslots: expected an integer from 0 to 2147483647"},
      {"nslots negative huge",
       OpsDoc(R"("read 0")", R"(, "config": {"nslots": -9223372036854775809})"),
       "config.nslots: expected an integer from 0 to 2147483647"},
      {"page_cluster negative", OpsDoc(R"("read 0")", R"(, "config": {"page_cluster": -1})"),
       "config.page_cluster: expected an integer from 0 to 2147483647, got -1"},
      {"page_cluster too big", OpsDoc(R"("read 0")", R"(, "config": {"page_cluster": 4})"),
       "config.page_cluster: 0 to 3"},
      {"backend", OpsDoc(R"("read 0")", R"(, "config": {"backend": "tape"})"),
       "config.backend: \"zram\" or \"disk\""},
      {"unknown config field", OpsDoc(R"("read 0")", R"(, "config": {"nslot": 4})"),
       "config.nslot: unknown field"},
      {"unknown top-level field", OpsDoc(R"("read 0")", R"(, "decision": [])"),
       "decision: unknown field"},
      {"repeated top-level field",
       OpsDoc(R"("read 0")", R"(, "description": "a", "description": "b")"),
       "description: repeated field"},
      {"trace_hash not hex",
       OpsDoc(R"("read 0")",
              R"(, "expected": {"signature": "", "trace_hash": "1234", "steps": 1})"),
       "expected.trace_hash: expected a 64-bit hex string"},
      {"trace_hash overflow",
       OpsDoc(
           R"("read 0")",
           R"(, "expected": {"signature": "", "trace_hash": "0x1ffffffffffffffff", "steps": 1})"),
       "expected.trace_hash: expected a 64-bit hex string"},
      {"trace_hash a number",
       OpsDoc(R"("read 0")", R"(, "expected": {"signature": "", "trace_hash": 5, "steps": 1})"),
       "expected.trace_hash: expected a string"},
      {"expected incomplete", OpsDoc(R"("read 0")", R"(, "expected": {"signature": ""})"),
       "expected: needs \"signature\", \"trace_hash\" and \"steps\""},
      {"expected steps negative",
       OpsDoc(R"("read 0")",
              R"(, "expected": {"signature": "", "trace_hash": "0x1", "steps": -1})"),
       "expected.steps: expected an integer from 0 to"},
      {"newline in a field name", OpsDoc(R"("read 0")", R"(, "a\nb": 1)"), "a\\nb: unknown field"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Schedule> s = ParseScheduleJson(c.text);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ErrorOf(s.status()), HasSubstr(c.message));
    EXPECT_THAT(ErrorOf(s.status()), Not(HasSubstr("\n")));
  }
}

// Every truncation and many byte-level corruptions of a valid document give a
// status, never a crash.
TEST(ScheduleIoTest, SurvivesTruncationAndCorruption) {
  const std::string json = ScheduleToJson(FullSchedule());
  for (size_t n = 0; n <= json.rfind('}'); ++n) {
    EXPECT_FALSE(ParseScheduleJson(json.substr(0, n)).ok()) << n;
  }
  uint64_t state = 42;  // a fixed LCG, so the test is deterministic
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  const std::string bytes = std::string("{}[]\",:0123456789-x\\ ") + '\0' + '\xff';
  for (int i = 0; i < 20000; ++i) {
    std::string mutated = json;
    for (int k = 1 + next() % 3; k > 0; --k) {
      mutated[next() % mutated.size()] = bytes[next() % bytes.size()];
    }
    (void)ParseScheduleJson(mutated);
  }
}

class ScheduleFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("schedule_io_test_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all);
    fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  static void WriteText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string ReadText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Names in the directory other than `keep`.
  std::vector<std::string> Leftovers(const std::string& keep) const {
    std::vector<std::string> out;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
      if (e.path().filename() != keep) out.push_back(e.path().filename().string());
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(ScheduleFileTest, WriteThenReadGivesTheSchedule) {
  const std::string path = Path("s.json");
  WriteText(path, "old contents");
  ASSERT_TRUE(WriteScheduleFile(path, FullSchedule()).ok());
  EXPECT_EQ(ReadText(path), ScheduleToJson(FullSchedule()));
  absl::StatusOr<Schedule> s = ReadScheduleFile(path);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectSameSchedule(FullSchedule(), *s);
  EXPECT_THAT(Leftovers("s.json"), ::testing::IsEmpty());
}

TEST_F(ScheduleFileTest, ReadErrorsStartWithThePath) {
  const std::string empty = Path("empty.json");
  WriteText(empty, "");
  EXPECT_EQ(ErrorOf(ReadScheduleFile(empty).status()), empty + ": empty file");

  const std::string bad = Path("bad.json");
  WriteText(bad, OpsDoc(R"("read 0")", R"(, "config": {"profile": "v9"})"));
  EXPECT_EQ(ErrorOf(ReadScheduleFile(bad).status()),
            bad + ": config.profile: unknown profile 'v9'");

  const std::string newer = Path("newer.json");
  WriteText(newer, R"({"format": "swapfuzz-schedule", "version": 7})");
  EXPECT_EQ(ErrorOf(ReadScheduleFile(newer).status()),
            newer + ": format version 7 is newer than this build supports (5)");

  const std::string missing = Path("missing.json");
  const absl::Status status = ReadScheduleFile(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ErrorOf(status), HasSubstr(missing + ": cannot open"));

  // A directory is named as one (it read as "cannot read" here, and as an
  // "empty file" on the command line).
  EXPECT_EQ(ErrorOf(ReadScheduleFile(dir_.string()).status()), dir_.string() + ": is a directory");
}

TEST_F(ScheduleFileTest, FailedRenameLeavesTargetAndNoTemporary) {
  // rename() cannot replace a non-empty directory, even for root.
  const std::string target = Path("target.json");
  fs::create_directory(target);
  WriteText(target + "/inside", "x");
  const absl::Status status = WriteScheduleFile(target, FullSchedule());
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(ErrorOf(status), HasSubstr(target + ": cannot rename"));
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(ReadText(target + "/inside"), "x");
  EXPECT_THAT(Leftovers("target.json"), ::testing::IsEmpty());
}

TEST_F(ScheduleFileTest, UnwritableDirectoryLeavesTargetUntouched) {
  if (geteuid() == 0) GTEST_SKIP() << "root can write to a read-only directory";
  const std::string target = Path("s.json");
  WriteText(target, "old contents");
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  const absl::Status status = WriteScheduleFile(target, FullSchedule());
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(ErrorOf(status), HasSubstr(target + ": cannot create"));
  EXPECT_EQ(ReadText(target), "old contents");
  EXPECT_THAT(Leftovers("s.json"), ::testing::IsEmpty());
}

TEST_F(ScheduleFileTest, MissingDirectoryIsAnError) {
  const std::string target = Path("no/such/dir/s.json");
  const absl::Status status = WriteScheduleFile(target, FullSchedule());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ErrorOf(status), HasSubstr(target + ": cannot create"));
}

TEST_F(ScheduleFileTest, InvalidScheduleIsNotWritten) {
  const std::string target = Path("s.json");
  Schedule s = FullSchedule();
  s.config.profile = "v9";
  EXPECT_EQ(ErrorOf(WriteScheduleFile(target, s)),
            target + ": config.profile: unknown profile 'v9'");
  s = FullSchedule();
  s.cpus.clear();
  EXPECT_THAT(ErrorOf(WriteScheduleFile(target, s)), HasSubstr(target + ": cpus: need 1 to 4"));
  EXPECT_THAT(Leftovers(""), ::testing::IsEmpty());
}

// Files keep their meaning: "mainline", and a file without a profile, mean
// v6.9 whatever the newest release is; the writer stores the release.
TEST(ScheduleIoTest, MainlineInAFileIsV69Forever) {
  struct Case {
    const char* config;
    const char* profile;
  };
  const Case cases[] = {
      {R"(, "config": {"profile": "mainline"})", "v6.9"},
      {"", "v6.9"},
      {R"(, "config": {"profile": "v6.9"})", "v6.9"},
      {R"(, "config": {"profile": "v6.1.y"})", "v6.1.y"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.config);
    const std::string text = std::string(R"({"format": "swapfuzz-schedule", "version": 1)") +
                             c.config + R"(, "cpus": [{"mm": 0, "ops": ["read 0"]}]})";
    absl::StatusOr<Schedule> s = ParseScheduleJson(text);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->config.profile, c.profile);
    EXPECT_NE(ScheduleToJson(*s).find(absl::StrCat("\"profile\": \"", c.profile, "\"")),
              std::string::npos);
  }
}

}  // namespace
}  // namespace swapfuzz
