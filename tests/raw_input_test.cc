// Raw fuzzer inputs, the same bytes two ways: through `swapfuzz replay FILE
// --target=T --verify` (decoded, run, turned into a schedule and replayed) and
// through the target's own <T>_replay binary (LLVMFuzzerTestOneInput, as
// libFuzzer runs it). Both must report the same trace hash. The inputs come
// from the project PRNG, a fixed set per target, and include the awkward
// ones: inputs that start with "{" (one raw input in 256 does) or with the
// binary schedule magic, which must still be read as raw inputs when the
// target is named.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "base/rng.h"
#include "format/schedule_binary.h"
#include "fuzz/decoder.h"

namespace swapfuzz {
namespace {

namespace fs = std::filesystem;

struct Output {
  int status = -1;  // the exit status, or 128 + the signal
  std::string text; // stdout and stderr
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Output RunCommand(const std::string& command, const std::string& scratch) {
  const std::string out = scratch + "/output";
  const int raw = std::system(absl::StrCat(command, " >", out, " 2>&1 </dev/null").c_str());
  Output r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) r.status = 128 + WTERMSIG(raw);
  r.text = Slurp(out);
  return r;
}

// The trace hash a line of `text` names right after `after`, or "".
std::string HashAfter(const std::string& text, const std::string& after) {
  const std::regex re(after + R"([^\n]*trace hash (0x[0-9a-f]{16}))");
  std::smatch m;
  return std::regex_search(text, m, re) ? m[1].str() : "";
}

uint64_t NameSeed(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: the same inputs in every build
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// The inputs of `target`: random bytes of random length, the first bytes of
// some replaced by an awkward start.
std::vector<std::string> Inputs(std::string_view target) {
  const std::vector<std::string> heads = {
      "", "{", " \n{", std::string(kBinaryMagic), std::string(kBinaryMagic) + "\x01",
      "{\"format\": \"swapfuzz-schedule\", "};
  std::vector<std::string> inputs = {"", "{"};
  Rng rng(NameSeed(target));
  for (int i = 0; i < 18; ++i) {
    std::string bytes(rng.Below(160), '\0');
    for (char& c : bytes) c = static_cast<char>(rng.Below(256));
    inputs.push_back(heads[i % heads.size()] + bytes);
  }
  return inputs;
}

class RawInputTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RawInputTest, CliAndReplayerAgreeOnTheTraceHash) {
  const std::string target = GetParam();
  const std::string bin = SWAPFUZZ_BIN_DIR;
  const std::string scratch =
      (fs::path(::testing::TempDir()) / absl::StrCat("raw_input_test_", getpid(), "_", target))
          .string();
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  const std::vector<std::string> inputs = Inputs(target);
  int braces = 0, magics = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    // Every other input names its target by its file name instead of --target.
    const bool prefixed = i % 2 == 1;
    const std::string file =
        absl::StrCat(scratch, "/", prefixed ? target + "-" : "", "input-", i);
    std::ofstream(file, std::ios::binary) << inputs[i];
    braces += !inputs[i].empty() && inputs[i].find_first_not_of(" \n") != std::string::npos &&
              inputs[i][inputs[i].find_first_not_of(" \n")] == '{';
    magics += inputs[i].rfind(kBinaryMagic, 0) == 0;
    SCOPED_TRACE(absl::StrCat(file, " (", inputs[i].size(), " bytes)"));

    const Output cli = RunCommand(
        absl::StrCat(bin, "/swapfuzz replay ", file, prefixed ? "" : " --target=" + target,
                     " --verify"),
        scratch);
    // --verify: the schedule the raw run became replays to the same run.
    EXPECT_EQ(cli.status, 0) << cli.text;
    EXPECT_EQ(cli.text.find("note:"), std::string::npos) << cli.text;  // read as raw
    const std::string cli_hash = HashAfter(cli.text, file + ": profile ");

    const Output replayer = RunCommand(
        absl::StrCat("SWAPFUZZ_ARTIFACTS=", scratch, "/findings ", bin, "/", target, "_replay ",
                     file),
        scratch);
    // A finding aborts the replayer, as it does libFuzzer.
    EXPECT_TRUE(replayer.status == 0 || replayer.status == 128 + SIGABRT) << replayer.text;
    const std::string replayer_hash =
        HashAfter(replayer.text, replayer.status == 0 ? "ran " + file : "aborted on " + file);

    ASSERT_FALSE(cli_hash.empty()) << cli.text;
    ASSERT_FALSE(replayer_hash.empty()) << replayer.text;
    EXPECT_EQ(cli_hash, replayer_hash) << cli.text << replayer.text;
  }
  EXPECT_GE(braces, 4);
  EXPECT_GE(magics, 4);
  fs::remove_all(scratch);
}

std::vector<std::string> AllTargetNames() {
  std::vector<std::string> names;
  for (const FuzzTarget& t : AllTargets()) names.emplace_back(t.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Targets, RawInputTest, ::testing::ValuesIn(AllTargetNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace swapfuzz
