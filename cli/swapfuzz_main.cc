// swapfuzz: the command line. Lists the bug catalogue, the profiles and the
// fuzz targets, replays saved schedules (docs/schedule-format.md), records
// and minimizes what a run produced, and explores in-process.
//
// One table of commands (kCommands below: name, handler, whether it takes
// FILE and writes -o, the flags it takes, its help) drives the usage text,
// the check of which flags a command takes, and the dispatch; one table of
// flags (kFlags) documents them. `swapfuzz help` prints the manual.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/file.h"
#include "cli/cli.h"
#include "cli/schedule_input.h"
#include "fuzz/decoder.h"

// The flags' documentation is kFlags below (`swapfuzz help`); the help
// strings here are what absl shows for a flag that fails to parse.
ABSL_FLAG(std::string, target, "", "the fuzz target (swapfuzz list-targets)");
ABSL_FLAG(std::string, profile, "", "run under this profile (swapfuzz list-profiles)");
ABSL_FLAG(std::vector<std::string>, knob, {}, "knob overrides, name=on|off,...");
ABSL_FLAG(bool, trace, false, "print every step");
ABSL_FLAG(bool, verify, false, "compare the run with the file's \"expected\" block");
ABSL_FLAG(int64_t, break_at_step, -1, "call swapfuzz_step_hook() before step N");
ABSL_FLAG(bool, diagram, false, "print the race as CPU columns");
ABSL_FLAG(std::string, perfetto, "", "write a Chrome/Perfetto trace-event JSON file");
ABSL_FLAG(std::string, html, "", "write a self-contained HTML timeline");
ABSL_FLAG(std::string, o, "", "the file (or explore: directory) to write");
ABSL_FLAG(bool, names, false, "print only the names");
ABSL_FLAG(bool, json, false, "print JSON");
ABSL_FLAG(std::string, from, "", "explore this schedule's programs and config");
ABSL_FLAG(std::string, strategy, "", "random, pct or dfs");
ABSL_FLAG(int, depth, 2, "pct: the bug depth d (1 or more)");
ABSL_FLAG(int, bound, 2, "dfs: the preemption bound");
ABSL_FLAG(bool, no_por, false, "dfs: without sleep sets");
ABSL_FLAG(uint64_t, runs, 0, "stop after N executions (0: no limit)");
ABSL_FLAG(double, seconds, 0, "stop after S seconds (0: no limit)");
ABSL_FLAG(uint64_t, seed, 1, "the PRNG seed of random and pct");
ABSL_FLAG(std::string, hunt, "", "count only findings that need this knob");
ABSL_FLAG(bool, verbose, false, "list-profiles: what each model file follows");

namespace swapfuzz::cli {
namespace {

// The flags, one bit each, in the order the usage text documents them.
enum FlagBit : uint32_t {
  kTarget = 1u << 0,
  kProfile = 1u << 1,
  kKnob = 1u << 2,
  kTrace = 1u << 3,
  kVerify = 1u << 4,
  kBreakAtStep = 1u << 5,
  kDiagram = 1u << 6,
  kPerfetto = 1u << 7,
  kHtml = 1u << 8,
  kOut = 1u << 9,
  kNames = 1u << 10,
  kJson = 1u << 11,
  kFrom = 1u << 12,
  kStrategy = 1u << 13,
  kDepth = 1u << 14,
  kBound = 1u << 15,
  kNoPor = 1u << 16,
  kRuns = 1u << 17,
  kSeconds = 1u << 18,
  kSeed = 1u << 19,
  kHunt = 1u << 20,
  kVerbose = 1u << 21,
};
using FlagSet = uint32_t;

struct FlagInfo {
  FlagBit bit;
  absl::string_view name;      // as absl knows it
  absl::string_view synopsis;  // the left column of the usage text
  absl::string_view help;      // kTarget's gets the target list appended
};

constexpr FlagInfo kFlags[] = {
    {kTarget, "target", "--target=T",
     "the fuzz target that made a raw input, or whose decoder makes explore's programs; not "
     "needed when the file name starts with \"T-\". Targets:"},
    {kProfile, "profile", "--profile=P",
     "run release P as it is: the file's own profile and knob overrides are dropped (a note says "
     "which); \"mainline\" is the newest release (swapfuzz list-profiles)"},
    {kKnob, "knob", "--knob=NAME=on|off[,NAME=on|off...]",
     "set or clear knobs on top of the profile and the file's knobs (with --profile, on top of "
     "the release alone; one comma-separated list; a second --knob replaces the first)"},
    {kTrace, "trace", "--trace", "print every step"},
    {kVerify, "verify", "--verify", "compare the run with the file's \"expected\" block"},
    {kBreakAtStep, "break_at_step", "--break_at_step=N",
     "call swapfuzz_step_hook() before step N (from 0) and print the gdb command line that "
     "stops there; in gdb, `call swapfuzz_dump_state()` prints the machine. A run of N steps "
     "or fewer never gets there: that is an error (exit 2) naming the run's length"},
    {kDiagram, "diagram", "--diagram", "print the race as CPU columns, ready for a commit"},
    {kPerfetto, "perfetto", "--perfetto=FILE", "write a Chrome/Perfetto trace-event JSON file"},
    {kHtml, "html", "--html=FILE", "write a self-contained HTML timeline"},
    {kOut, "o", "-o OUT",
     "the file to write (replaced atomically); .json gives JSON, any other name the binary "
     "format. explore writes the finding's schedule there, or, when OUT is a directory or ends "
     "in \"/\", one reproducer per signature into it, as the fuzzers do"},
    {kNames, "names", "--names", "print only the names, one a line"},
    {kJson, "json", "--json",
     "list-*: print the table as a JSON array of objects; explore: end with one JSON line: "
     "signature, seconds, executions, strategy, n, k, bound"},
    {kFrom, "from", "--from=FILE", "explore FILE's programs and config instead of a target's"},
    {kStrategy, "strategy", "--strategy=S", "random, pct or dfs"},
    {kDepth, "depth", "--depth=D", "pct: the bug depth (default 2)"},
    {kBound, "bound", "--bound=B", "dfs: the preemption bound (default 2)"},
    {kNoPor, "no_por", "--no_por", "dfs: no sleep sets"},
    {kRuns, "runs", "--runs=N", "stop after N executions"},
    {kSeconds, "seconds", "--seconds=S", "stop after S seconds"},
    {kSeed, "seed", "--seed=N", "the PRNG seed (default 1)"},
    {kHunt, "hunt", "--hunt=KNOB", "count only findings that need KNOB"},
    {kVerbose, "verbose", "--verbose",
     "list-profiles: under each profile, the release and the kernel text each model file's code "
     "follows (model/sources.h)"},
};

// What a command does with -o.
enum class Output {
  kNone,
  kFile,             // required: one schedule file
  kFileOrDirectory,  // optional: a schedule file, or a directory (OutputIsDirectory())
};

int Help(const Invocation&);

struct Command {
  absl::string_view name;
  absl::string_view synopsis;  // after the name in the usage text
  bool takes_file;            // exactly one FILE operand; otherwise none
  Output output;
  FlagSet flags;
  absl::string_view help;
  int (*run)(const Invocation&);
};

constexpr FlagSet kRunFlags = kTarget | kProfile | kKnob;
constexpr FlagSet kExploreFlags = kTarget | kProfile | kKnob | kOut | kJson | kFrom | kStrategy |
                                  kDepth | kBound | kNoPor | kRuns | kSeconds | kSeed | kHunt;

constexpr Command kCommands[] = {
    {"list-bugs", "", false, Output::kNone, kNames | kJson,
     "the bug catalogue: each knob, its fix, the releases it affects and the profiles that set it",
     ListBugs},
    {"list-profiles", "", false, Output::kNone, kJson | kVerbose,
     "each profile: the release it is, the knobs it sets; with --verbose, what each model file "
     "follows",
     ListProfiles},
    {"list-targets", "", false, Output::kNone, kNames | kJson,
     "each model fuzz target: its profile, swap device, whether zswap is on, its ops and what "
     "it is for",
     ListTargets},
    {"replay", "FILE [flags]", true, Output::kNone,
     kRunFlags | kTrace | kVerify | kBreakAtStep | kDiagram | kPerfetto | kHtml,
     "run a saved schedule and report its finding", ReplayCommand},
    {"minimize", "FILE -o OUT", true, Output::kFile, kRunFlags | kOut,
     "shrink a failing schedule, keeping its finding", MinimizeCommand},
    {"convert", "FILE -o OUT", true, Output::kFile, kTarget | kOut,
     "rewrite a schedule as JSON (OUT ends in .json) or binary", ConvertCommand},
    {"explain", "FILE", true, Output::kNone, kRunFlags,
     "the catalogue bugs the finding needs (knob attribution)", ExplainCommand},
    {"bisect", "FILE", true, Output::kNone, kTarget,
     "which releases the schedule fails on: one row as saved, then one per release profile with "
     "the file's knobs dropped, each with its outcome and the first step that differs from the "
     "row above that ran; it exits 0 whatever the rows found",
     BisectCommand},
    {"record", "FILE -o OUT", true, Output::kFile, kRunFlags | kOut,
     "run a saved schedule and write it to OUT with an \"expected\" block from the run",
     RecordCommand},
    {"explore", "--strategy=random|pct|dfs [flags]", false, Output::kFileOrDirectory,
     kExploreFlags,
     "search for a finding in-process: a random walk, PCT, or a preemption-bounded exhaustive "
     "search with sleep sets (dfs needs --from FILE)",
     ExploreCommand},
    {"help", "", false, Output::kNone, 0, "this text", Help},
};

constexpr size_t kHelpColumn = 25;

// One entry of the usage text: `left` in the first column, `help` wrapped in
// the second (on the next line when `left` is too wide).
std::string UsageItem(absl::string_view left, absl::string_view help_text) {
  const std::string_view help(help_text.data(), help_text.size());
  const std::string indent(kHelpColumn, ' ');
  std::string first = absl::StrCat("  ", left);
  if (first.size() + 1 > kHelpColumn) return absl::StrCat(first, "\n", Wrap(help, indent, indent));
  first.resize(kHelpColumn, ' ');
  return Wrap(help, first, indent);
}

std::string FlagHelp(const FlagInfo& flag) {
  if (flag.bit != kTarget) return std::string(flag.help);
  return absl::StrCat(flag.help, " ", TargetNames(), " (swapfuzz list-targets)");
}

std::string FlagName(const FlagInfo& flag) {
  return absl::StrCat(flag.name.size() == 1 ? "-" : "--", flag.name);
}

const Command* CommandByName(absl::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// "a", "a and b", "a, b and c"
std::string Enumerate(const std::vector<std::string>& items) {
  if (items.size() <= 1) return absl::StrJoin(items, "");
  return absl::StrCat(absl::StrJoin(items.begin(), items.end() - 1, ", "), " and ", items.back());
}

int Help(const Invocation&) {
  std::fputs(UsageText().c_str(), stdout);
  return kExitOk;
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "-h" || arg == "-help" || arg == "--help" || arg == "--helpfull") return true;
  }
  return false;
}

// absl::ParseCommandLine() exits with status 1 on a bad flag, which here would
// read as "finding". This checks every flag first, the way it parses them, so
// that a bad flag is a usage error. Returns the problem, or nothing.
std::optional<std::string> CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    absl::string_view spec = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t eq = spec.find('=');
    absl::string_view name = spec.substr(0, eq);
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && eq == absl::string_view::npos && absl::ConsumePrefix(&name, "no")) {
      flag = absl::FindCommandLineFlag(name);  // --noverify
      if (flag != nullptr && !flag->IsOfType<bool>()) flag = nullptr;
    }
    if (flag == nullptr) return absl::StrCat("unknown flag '", arg, "'");
    absl::string_view value;
    if (eq != absl::string_view::npos) {
      value = spec.substr(eq + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("flag '", arg, "' needs a value");
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return absl::StrCat(arg, ": ", error);
  }
  return std::nullopt;
}

// The flags set (to other than their defaults) that `command` does not take,
// as an error; nothing when there are none.
std::optional<std::string> FlagsNotFor(const Command& command) {
  std::vector<std::string> extra;
  for (const FlagInfo& flag : kFlags) {
    const absl::CommandLineFlag* f = absl::FindCommandLineFlag(flag.name);
    if ((command.flags & flag.bit) == 0 && f->CurrentValue() != f->DefaultValue()) {
      extra.push_back(FlagName(flag));
    }
  }
  if (extra.empty()) return std::nullopt;
  return absl::StrCat(command.name, " does not take ", absl::StrJoin(extra, ", "));
}

Invocation FromFlags() {
  Invocation inv;
  inv.target = absl::GetFlag(FLAGS_target);
  inv.profile = absl::GetFlag(FLAGS_profile);
  inv.knob = absl::GetFlag(FLAGS_knob);
  inv.trace = absl::GetFlag(FLAGS_trace);
  inv.verify = absl::GetFlag(FLAGS_verify);
  inv.break_at_step = absl::GetFlag(FLAGS_break_at_step);
  inv.diagram = absl::GetFlag(FLAGS_diagram);
  inv.perfetto = absl::GetFlag(FLAGS_perfetto);
  inv.html = absl::GetFlag(FLAGS_html);
  inv.o = absl::GetFlag(FLAGS_o);
  inv.names = absl::GetFlag(FLAGS_names);
  inv.json = absl::GetFlag(FLAGS_json);
  inv.from = absl::GetFlag(FLAGS_from);
  inv.strategy = absl::GetFlag(FLAGS_strategy);
  inv.depth = absl::GetFlag(FLAGS_depth);
  inv.bound = absl::GetFlag(FLAGS_bound);
  inv.no_por = absl::GetFlag(FLAGS_no_por);
  inv.runs = absl::GetFlag(FLAGS_runs);
  inv.seconds = absl::GetFlag(FLAGS_seconds);
  inv.seed = absl::GetFlag(FLAGS_seed);
  inv.hunt = absl::GetFlag(FLAGS_hunt);
  inv.verbose = absl::GetFlag(FLAGS_verbose);
  return inv;
}

// Whether every file the command will write can be written, checked before
// any work starts, so that an unwritable output costs nothing and leaves
// nothing behind.
absl::Status CheckOutputs(const Command& command, const Invocation& inv) {
  Env& env = Env::Default();
  if (!inv.o.empty()) {
    const bool dir = command.output == Output::kFileOrDirectory && OutputIsDirectory(inv.o);
    if (absl::Status s = dir ? env.CheckWritableDir(inv.o) : env.CheckWritable(inv.o); !s.ok()) {
      return s;
    }
  }
  for (const std::string* path : {&inv.perfetto, &inv.html}) {
    if (path->empty()) continue;
    if (absl::Status s = env.CheckWritable(*path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage("swapfuzz <command> [arguments] [flags]; see swapfuzz help");
  if (WantsHelp(argc, argv)) return Help(Invocation{});
  if (std::optional<std::string> problem = CheckFlags(argc, argv)) return Fail(*problem);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) return UsageError("missing command");
  const Command* command = CommandByName(args[1]);
  if (command == nullptr) return UsageError(absl::StrCat("unknown command '", args[1], "'"));
  if (std::optional<std::string> problem = FlagsNotFor(*command)) {
    return UsageError(*problem);
  }
  Invocation inv = FromFlags();
  inv.command = std::string(command->name);
  inv.argv.assign(argv, argv + argc);
  if (inv.break_at_step < -1) return Fail("--break_at_step: must be 0 or more");
  const std::vector<std::string> operands(args.begin() + 2, args.end());
  if (!command->takes_file && !operands.empty()) {
    return UsageError(absl::StrCat(command->name, " takes no arguments"));
  }
  if (command->takes_file && operands.size() != 1) {
    return UsageError(operands.empty()
                          ? absl::StrCat(command->name, ": missing FILE")
                          : absl::StrCat(command->name, " takes one FILE, not ", operands.size()));
  }
  if (command->takes_file) inv.file = operands[0];
  if (command->output == Output::kFile && inv.o.empty()) {
    return UsageError(absl::StrCat(command->name, ": missing -o OUT"));
  }
  if (!inv.target.empty() && TargetByName(inv.target) == nullptr) {
    return Fail(absl::StrCat("--target: unknown target '", inv.target,
                             "' (see swapfuzz list-targets)"));
  }
  if (absl::Status s = CheckOutputs(*command, inv); !s.ok()) return Fail(s.message());
  return command->run(inv);
}

}  // namespace

int Fail(absl::string_view problem) {
  absl::FPrintF(stderr, "swapfuzz: %s\n", problem);
  return kExitUsage;
}

int UsageError(absl::string_view problem) {
  Fail(problem);
  std::fputs(UsageText().c_str(), stderr);
  return kExitUsage;
}

std::string Wrap(std::string_view text, absl::string_view first, absl::string_view indent,
                 size_t width) {
  std::string out;
  std::string line(first);
  size_t prefix = first.size();
  for (absl::string_view word :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ' ', absl::SkipEmpty())) {
    if (line.size() > prefix && line.size() + 1 + word.size() > width) {
      absl::StrAppend(&out, line, "\n");
      line = std::string(indent);
      prefix = indent.size();
    }
    absl::StrAppend(&line, line.size() > prefix ? " " : "", word);
  }
  absl::StrAppend(&out, line, "\n");
  return out;
}

std::string UsageText() {
  std::string out = "usage: swapfuzz <command> [arguments] [flags]\n\ncommands:\n";
  for (const Command& c : kCommands) {
    absl::StrAppend(&out, UsageItem(absl::StrCat(c.name, c.synopsis.empty() ? "" : " ", c.synopsis),
                                    c.help));
  }
  absl::StrAppend(&out, "\n", Wrap(
      "FILE may be a JSON or binary schedule, or a raw input a fuzz target saved (crash-...): "
      "name its target with --target=T unless the file name starts with \"T-\". With a target, a "
      "file that does not parse as a schedule is read as a raw input of that target; one that "
      "does is read as a schedule, and a note on stderr says so.", "", ""));
  // Each flag under the commands that take it; flags taken by the same
  // commands share a heading.
  FlagSet last_takers = ~FlagSet{0};
  for (const FlagInfo& flag : kFlags) {
    std::vector<std::string> takers;
    FlagSet mask = 0;
    for (size_t i = 0; i < std::size(kCommands); ++i) {
      if (kCommands[i].flags & flag.bit) {
        takers.emplace_back(kCommands[i].name);
        mask |= FlagSet{1} << i;
      }
    }
    if (mask != last_takers) absl::StrAppend(&out, "\nflags for ", Enumerate(takers), ":\n");
    last_takers = mask;
    absl::StrAppend(&out, UsageItem(flag.synopsis, FlagHelp(flag)));
  }
  absl::StrAppend(&out, R"(
exit status:
  0  no finding; with --verify, the run matched the "expected" block
  1  the run ended in a finding (without --verify); explore: a finding
  2  usage error, or a file that cannot be read, parsed, run or written
  3  --verify: the run differs from the "expected" block

Schedule files are described in docs/schedule-format.md.
)");
  return out;
}

}  // namespace swapfuzz::cli

int main(int argc, char** argv) { return swapfuzz::cli::Main(argc, argv); }
