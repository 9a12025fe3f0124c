// What the commands of the `swapfuzz` program share: the parsed command line,
// the exit statuses, one-line errors and the handlers the command table in
// swapfuzz_main.cc dispatches to.
#ifndef SWAPFUZZ_CLI_CLI_H_
#define SWAPFUZZ_CLI_CLI_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace swapfuzz::cli {

inline constexpr int kExitOk = 0;        // no finding; with --verify, the run matched
inline constexpr int kExitFinding = 1;   // the run ended in a fatal finding
inline constexpr int kExitUsage = 2;     // a bad command line or input file
inline constexpr int kExitMismatch = 3;  // --verify: the run differs from "expected"

// The command line after parsing: the command, its FILE operand and every
// flag's value (the flag's default when it was not given; the command table
// has already rejected flags the command does not take).
struct Invocation {
  std::string command;
  std::string file;               // the FILE operand of the commands that take one
  std::vector<std::string> argv;  // the whole command line, for replay's gdb hint

  std::string target;
  std::string profile;
  std::vector<std::string> knob;
  bool trace = false;
  bool verify = false;
  int64_t break_at_step = -1;
  bool diagram = false;
  std::string perfetto;
  std::string html;
  std::string o;
  bool names = false;
  bool json = false;
  std::string from;
  std::string strategy;
  int depth = 2;
  int bound = 2;
  bool no_por = false;
  uint64_t runs = 0;
  double seconds = 0;
  uint64_t seed = 1;
  std::string hunt;
  bool verbose = false;
};

// Prints `problem` as one line on stderr; returns kExitUsage.
int Fail(absl::string_view problem);

// Fail(), followed by the usage text.
int UsageError(absl::string_view problem);

// The usage text, generated from the command and flag tables.
std::string UsageText();

// `text` as lines of at most `width` characters (a longer word stays whole),
// the first starting with `first` and the others with `indent`.
std::string Wrap(std::string_view text, absl::string_view first, absl::string_view indent,
                 size_t width = 80);

// Whether explore's -o names a directory of reproducers (an existing
// directory, or a name ending in "/") rather than one schedule file.
bool OutputIsDirectory(const std::string& path);

// The command handlers; each returns the exit status.
int ListBugs(const Invocation& inv);
int ListProfiles(const Invocation& inv);
int ListTargets(const Invocation& inv);
int ReplayCommand(const Invocation& inv);
int MinimizeCommand(const Invocation& inv);
int ConvertCommand(const Invocation& inv);
int ExplainCommand(const Invocation& inv);
int RecordCommand(const Invocation& inv);
int ExploreCommand(const Invocation& inv);
int BisectCommand(const Invocation& inv);

}  // namespace swapfuzz::cli

#endif  // SWAPFUZZ_CLI_CLI_H_
