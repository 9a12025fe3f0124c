// swapfuzz: the command line. Lists the bug catalogue and the profiles, replays
// saved schedules (docs/schedule-format.md) and records what a run produced.
// kUsage below is the manual.

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
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
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/file.h"
#include "format/schedule_binary.h"
#include "format/schedule_io.h"
#include "fuzz/runner.h"
#include "fuzz/strategies.h"
#include "harness/reproducer.h"
#include "model/executor.h"
#include "model/knobs.h"
#include "model/schedule.h"
#include "model/trace.h"
#include "replay/minimize.h"
#include "replay/render.h"
#include "replay/verify.h"

ABSL_FLAG(std::string, profile, "", "replay, record: run under this profile instead of the file's");
ABSL_FLAG(std::vector<std::string>, knob, {},
          "replay, record: knob overrides, a comma-separated list of name=on|off");
ABSL_FLAG(bool, trace, false, "replay: print every step");
ABSL_FLAG(bool, verify, false, "replay: compare the run with the file's \"expected\" block");
ABSL_FLAG(int64_t, break_at_step, -1,
          "replay: call swapfuzz_step_hook() before step N, for a gdb breakpoint");
ABSL_FLAG(std::string, o, "",
          "record, minimize, convert: the file to write (.json for JSON, any other name for "
          "the binary format)");
ABSL_FLAG(bool, names, false, "list-bugs: print only the knob names");
ABSL_FLAG(std::string, target, "",
          "for a raw libFuzzer input: the fuzz target that made it (zram, zswap, mainline, "
          "mainline_zswap, mainline_zram_zswap); not needed when the file name starts with "
          "\"<target>-\"");
ABSL_FLAG(bool, diagram, false, "replay: print the race as CPU columns, for a commit message");
ABSL_FLAG(std::string, perfetto, "", "replay: write a Chrome/Perfetto trace-event JSON file");
ABSL_FLAG(std::string, html, "", "replay: write a self-contained HTML timeline");
ABSL_FLAG(std::string, strategy, "", "explore: random, pct or dfs");
ABSL_FLAG(int, depth, 2, "explore --strategy=pct: the bug depth d (1 or more)");
ABSL_FLAG(int, bound, 2, "explore --strategy=dfs: the preemption bound");
ABSL_FLAG(uint64_t, runs, 0, "explore: stop after N executions (0: no limit)");
ABSL_FLAG(double, seconds, 0, "explore: stop after S seconds (0: no limit)");
ABSL_FLAG(uint64_t, seed, 1, "explore: the PRNG seed of random and pct");
ABSL_FLAG(std::string, hunt, "",
          "explore: count only findings that need this knob (swapfuzz explain's attribution)");
ABSL_FLAG(std::string, from, "", "explore: take the programs (and config) from this schedule");
ABSL_FLAG(bool, json, false, "explore: end with a one-line JSON summary");
ABSL_FLAG(bool, no_por, false, "explore --strategy=dfs: without sleep sets (for comparison)");

namespace swapfuzz {
namespace {

constexpr int kExitOk = 0;        // no finding; with --verify, the run matched
constexpr int kExitFinding = 1;   // the run ended in a fatal finding
constexpr int kExitUsage = 2;     // a bad command line or input file
constexpr int kExitMismatch = 3;  // --verify: the run differs from "expected"

constexpr char kUsage[] =
    R"(usage: swapfuzz <command> [arguments] [flags]

commands:
  list-bugs              the bug catalogue: each knob, its fix, the releases it
                         affects and the profiles that set it
  list-profiles          each profile and the knobs it sets
  replay FILE [flags]    run a saved schedule and report its finding
  minimize FILE -o OUT   shrink a failing schedule, keeping its finding
  convert FILE -o OUT    rewrite a schedule as JSON (OUT ends in .json) or binary
  explain FILE           the catalogue bugs the finding needs (knob attribution)
  record FILE -o OUT     run a saved schedule and write it to OUT with an
                         "expected" block from the run
  explore --strategy=random|pct|dfs [flags]
                         search for a finding in-process: a random walk,
                         PCT, or a preemption-bounded exhaustive search with
                         sleep sets (dfs needs --from FILE)
  help                   this text

FILE may be a JSON or binary schedule, or a raw input a fuzz target saved
(crash-...): name its target with --target=T unless the file name starts
with "T-".

flags for replay, record, minimize and explain:
  --profile=P            run under profile P instead of the file's
  --knob=NAME=on|off[,NAME=on|off...]
                         set or clear knobs on top of the profile and the
                         file's knobs (one comma-separated list; a second
                         --knob replaces the first)
flags for replay:
  --trace                print every step
  --verify               compare the run with the file's "expected" block
  --break_at_step=N      call swapfuzz_step_hook() before step N and print
                         the gdb command line that stops there; in gdb,
                         `call swapfuzz_dump_state()` prints the machine
  --diagram              print the race as CPU columns, ready for a commit
  --perfetto=FILE        write a Chrome/Perfetto trace-event JSON file
  --html=FILE            write a self-contained HTML timeline
flags for record, minimize and convert:
  -o OUT                 the file to write (replaced atomically); .json
                         gives JSON, any other name the binary format
flags for list-bugs:
  --names                print only the knob names
flags for explore (also --target, --profile, --knob, -o):
  --target=T             the fuzz target whose decoder makes the programs
                         (zram, zswap, mainline, mainline_zswap,
                         mainline_zram_zswap)
  --from=FILE            explore FILE's programs and config instead
  --strategy=S           random, pct or dfs
  --depth=D              pct: the bug depth (default 2)
  --bound=B              dfs: the preemption bound (default 2)
  --no_por               dfs: no sleep sets
  --runs=N, --seconds=S  stop after N executions or S seconds
  --seed=N               the PRNG seed (default 1)
  --hunt=KNOB            count only findings that need KNOB
  --json                 end with one JSON line: signature, seconds,
                         executions, strategy, n, k, bound
  -o OUT                 write the finding's schedule to OUT (a directory:
                         one reproducer per signature, as the fuzzers do)

exit status:
  0  no finding; with --verify, the run matched the "expected" block
  1  the run ended in a finding (without --verify); explore: a finding
  2  usage error, or a file that cannot be read, parsed or run
  3  --verify: the run differs from the "expected" block

Schedule files are described in docs/schedule-format.md.
)";

// Prints `problem` as one line on stderr; returns kExitUsage.
int Fail(absl::string_view problem) {
  absl::FPrintF(stderr, "swapfuzz: %s\n", problem);
  return kExitUsage;
}

// Fail(), followed by the usage text.
int UsageError(absl::string_view problem) {
  Fail(problem);
  std::fputs(kUsage, stderr);
  return kExitUsage;
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

// The flags `command` does not take, as an error; nothing when there are none.
std::optional<std::string> FlagsNotFor(const std::string& command) {
  std::vector<std::string> extra;
  const bool runs = command == "replay" || command == "record" || command == "minimize" ||
                    command == "explain";
  const bool reads = runs || command == "convert";
  const bool explores = command == "explore";
  if (!reads && !explores && !absl::GetFlag(FLAGS_target).empty()) extra.push_back("--target");
  if (command != "list-bugs" && absl::GetFlag(FLAGS_names)) extra.push_back("--names");
  if (command != "replay") {
    if (absl::GetFlag(FLAGS_diagram)) extra.push_back("--diagram");
    if (!absl::GetFlag(FLAGS_perfetto).empty()) extra.push_back("--perfetto");
    if (!absl::GetFlag(FLAGS_html).empty()) extra.push_back("--html");
  }
  if (!runs && !explores && !absl::GetFlag(FLAGS_profile).empty()) extra.push_back("--profile");
  if (!runs && !explores && !absl::GetFlag(FLAGS_knob).empty()) extra.push_back("--knob");
  if (!explores) {
    if (!absl::GetFlag(FLAGS_strategy).empty()) extra.push_back("--strategy");
    if (absl::GetFlag(FLAGS_depth) != 2) extra.push_back("--depth");
    if (absl::GetFlag(FLAGS_bound) != 2) extra.push_back("--bound");
    if (absl::GetFlag(FLAGS_runs) != 0) extra.push_back("--runs");
    if (absl::GetFlag(FLAGS_seconds) != 0) extra.push_back("--seconds");
    if (absl::GetFlag(FLAGS_seed) != 1) extra.push_back("--seed");
    if (!absl::GetFlag(FLAGS_hunt).empty()) extra.push_back("--hunt");
    if (!absl::GetFlag(FLAGS_from).empty()) extra.push_back("--from");
    if (absl::GetFlag(FLAGS_json)) extra.push_back("--json");
    if (absl::GetFlag(FLAGS_no_por)) extra.push_back("--no_por");
  }
  if (command != "replay") {
    if (absl::GetFlag(FLAGS_trace)) extra.push_back("--trace");
    if (absl::GetFlag(FLAGS_verify)) extra.push_back("--verify");
    if (absl::GetFlag(FLAGS_break_at_step) != -1) extra.push_back("--break_at_step");
  }
  const bool writes =
      command == "record" || command == "minimize" || command == "convert" || explores;
  if (!writes && !absl::GetFlag(FLAGS_o).empty()) extra.push_back("-o");
  if (extra.empty()) return std::nullopt;
  return absl::StrCat(command, " does not take ", absl::StrJoin(extra, ", "));
}

// `text` as lines of at most `width` characters (a longer word stays whole),
// the first starting with `first` and the others with `indent`.
std::string Wrap(std::string_view text, absl::string_view first, absl::string_view indent,
                 size_t width = 80) {
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

int ListBugs() {
  if (absl::GetFlag(FLAGS_names)) {
    for (const KnobInfo& info : AllKnobs()) absl::PrintF("%s\n", info.name);
    return kExitOk;
  }
  constexpr char kIndent[] = "              ";
  bool first = true;
  for (const KnobInfo& info : AllKnobs()) {
    std::vector<std::string> profiles;
    for (const Profile& p : AllProfiles()) {
      if (p.knobs.Has(info.knob)) profiles.emplace_back(p.name);
    }
    absl::PrintF("%s%s\n", first ? "" : "\n", info.name);
    absl::PrintF("%s", Wrap(absl::StrFormat("%s %s", info.fix_hash, info.fix_title),
                            "    fix:      ", kIndent));
    absl::PrintF("%s", Wrap(info.affected, "    affects:  ", kIndent));
    absl::PrintF("%s", Wrap(profiles.empty() ? "no profile" : absl::StrJoin(profiles, ", "),
                            "    set in:   ", kIndent));
    absl::PrintF("%s", Wrap(info.description, "    ", "    "));
    first = false;
  }
  return kExitOk;
}

int ListProfiles() {
  size_t width = 0;
  for (const Profile& p : AllProfiles()) width = std::max(width, p.name.size());
  const std::string indent(width + 2, ' ');
  for (const Profile& p : AllProfiles()) {
    std::vector<std::string> knobs;
    for (const KnobInfo& info : AllKnobs()) {
      if (p.knobs.Has(info.knob)) knobs.emplace_back(info.name);
    }
    absl::PrintF("%s", Wrap(p.description,
                            absl::StrFormat("%-*s  ", static_cast<int>(width), p.name), indent));
    absl::PrintF("%s", Wrap(knobs.empty() ? "none" : absl::StrJoin(knobs, ", "),
                            absl::StrCat(indent, "knobs: "), absl::StrCat(indent, "       ")));
  }
  return kExitOk;
}

// Applies --profile and --knob to `config`. A --knob replaces the file's
// setting of the same knob.
absl::Status ApplyOverrides(ScheduleConfig& config) {
  const std::string profile = absl::GetFlag(FLAGS_profile);
  if (!profile.empty()) {
    if (ProfileByName(profile) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--profile: unknown profile '", profile, "' (see swapfuzz list-profiles)"));
    }
    config.profile = profile;
  }
  for (const std::string& spec : absl::GetFlag(FLAGS_knob)) {
    absl::StatusOr<std::vector<KnobOverride>> knobs = ParseKnobSettings(spec);
    if (!knobs.ok()) return absl::InvalidArgumentError(absl::StrCat("--knob=", knobs.status().message()));
    for (const KnobOverride& knob : *knobs) SetKnobOverride(config, knob);
  }
  return absl::OkStatus();
}

// The target a raw fuzzer input came from: --target, or the "<target>-"
// prefix libFuzzer's -artifact_prefix gives the file name.
const FuzzTarget* RawInputTarget(const std::string& file) {
  const std::string flag = absl::GetFlag(FLAGS_target);
  if (!flag.empty()) return TargetByName(flag);
  std::string base = file.substr(file.rfind('/') + 1);
  const FuzzTarget* best = nullptr;
  for (const FuzzTarget& t : AllTargets()) {
    const std::string prefix = std::string(t.name) + "-";
    if (base.rfind(prefix, 0) == 0 && (best == nullptr || t.name.size() > best->name.size())) {
      best = &t;
    }
  }
  return best;
}

// Reads a schedule in any of the three forms: JSON, binary, or the raw input
// of a fuzz target (decoded and run once to record its decisions).
absl::StatusOr<Schedule> ReadAnySchedule(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(file, ": cannot open: ", std::strerror(errno)));
  std::string bytes;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    bytes.append(buf, in.gcount());
    if (bytes.size() > kMaxScheduleBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": larger than ", kMaxScheduleBytes, " bytes"));
    }
  }
  if (bytes.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
  if (LooksLikeBinarySchedule(bytes)) {
    absl::StatusOr<Schedule> s = ParseScheduleBinary(bytes);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", s.status().message()));
    return s;
  }
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && bytes[first] == '{') return ReadScheduleFile(file);
  const FuzzTarget* target = RawInputTarget(file);
  if (target == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": not a JSON or binary schedule; if it is a raw fuzzer input, name its target "
              "with --target=zram|zswap|mainline|mainline_zswap"));
  }
  FuzzRunner runner(*target);
  runner.Run({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  if (absl::Status v = VerifyLastRun(runner); !v.ok()) {
    return absl::InternalError(absl::StrCat(file, ": internal error: ", v.message()));
  }
  return runner.LastSchedule();
}

// Reads `file` and applies the command-line overrides.
absl::StatusOr<Schedule> LoadSchedule(const std::string& file) {
  absl::StatusOr<Schedule> schedule = ReadAnySchedule(file);
  if (!schedule.ok()) return schedule;
  if (absl::Status s = ApplyOverrides(schedule->config); !s.ok()) return s;
  return schedule;
}

std::string HashString(uint64_t hash) { return absl::StrFormat("0x%016x", hash); }

Expectation ExpectationOf(const ReplayOutput& out) {
  Expectation e;
  if (out.finding) e.signature = out.finding->Signature();
  e.trace_hash = out.result.trace_hash;
  e.steps = out.result.steps;
  e.step_digest = StepDigest(out.trace);  // empty when the run kept no trace
  return e;
}

// "<signature> at step <n> on cpu <c>: <message>"
std::string Describe(const Finding& f) {
  return absl::StrFormat(
      "%s at step %d on cpu %d: %s", f.Signature(), f.step, f.cpu,
      std::string(f.message.data(), strnlen(f.message.data(), f.message.size())));
}

// The header line, the diagnostics, and the finding or "no finding".
void PrintRun(const std::string& file, const ScheduleConfig& config, const ReplayOutput& out,
              const Findings& findings, bool trace) {
  std::string profile = config.profile;
  if (!config.knobs.empty()) {
    absl::StrAppend(&profile, " with ",
                    absl::StrJoin(config.knobs, ", ", [](std::string* s, const KnobOverride& k) {
                      absl::StrAppend(s, k.name, "=", k.on ? "on" : "off");
                    }));
  }
  absl::PrintF("%s: profile %s, %d steps, trace hash %s\n", file, profile, out.result.steps,
               HashString(out.result.trace_hash));
  if (trace) std::fputs(FormatTrace(out.trace).c_str(), stdout);
  int shown = 0;
  for (int i = 0; i < findings.nkept; ++i) {
    if (findings.kept[i].fatal) continue;
    absl::PrintF("diagnostic %s\n", Describe(findings.kept[i]));
    ++shown;
  }
  if (out.result.diagnostics > 0) {
    absl::PrintF("%d diagnostic%s", out.result.diagnostics, out.result.diagnostics == 1 ? "" : "s");
    if (shown < out.result.diagnostics) absl::PrintF(" (%d shown)", shown);
    absl::PrintF("\n");
  }
  if (out.finding) {
    absl::PrintF("FINDING %s\n", Describe(*out.finding));
  } else if (out.result.out_of_frames) {
    absl::PrintF("no finding: stopped at step %d, the model ran out of its %d page frames\n",
                 out.result.steps, kMaxPages);
  } else {
    absl::PrintF("no finding\n");
  }
}

// Compares the run with the expected block; prints each difference.
int Verify(const Expectation& want, const Expectation& got,
           const std::vector<TraceEvent>& trace) {
  auto finding = [](const std::string& signature) {
    return signature.empty() ? std::string("no finding") : signature;
  };
  bool match = true;
  if (got.signature != want.signature) {
    absl::PrintF("MISMATCH signature: expected %s, got %s\n", finding(want.signature),
                 finding(got.signature));
    match = false;
  }
  if (got.trace_hash != want.trace_hash) {
    absl::PrintF("MISMATCH trace_hash: expected %s, got %s\n", HashString(want.trace_hash),
                 HashString(got.trace_hash));
    match = false;
  }
  if (got.steps != want.steps) {
    absl::PrintF("MISMATCH steps: expected %d, got %d\n", want.steps, got.steps);
    match = false;
  }
  if (!match) {
    if (!want.step_digest.empty()) {
      const int64_t at = FirstDivergence(want.step_digest, trace);
      if (at >= 0 && at < static_cast<int64_t>(trace.size())) {
        absl::PrintF("first divergence at step %d; this run took: %s\n", at,
                     FormatEvent(trace[at]));
      } else if (at >= 0) {
        absl::PrintF("first divergence at step %d: this run ended there\n", at);
      }
    } else {
      absl::PrintF("(no step digest recorded: `swapfuzz record` writes one, so a divergence "
                   "can name its first step)\n");
    }
    return kExitMismatch;
  }
  absl::PrintF("verified: the run matches the expected block\n");
  return kExitOk;
}

// `word` quoted for a POSIX shell when it needs to be.
std::string ShellWord(absl::string_view word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || std::strchr("_-+=,./:@%", c);
  });
  if (plain) return std::string(word);
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

int Replay(const std::string& file, int argc, char** argv) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(file);
  if (!schedule.ok()) return Fail(schedule.status().message());
  const bool verify = absl::GetFlag(FLAGS_verify);
  if (verify && !schedule->expected) {
    return Fail(absl::StrCat(file,
                             ": --verify: the file has no \"expected\" block"
                             " (swapfuzz record writes one)"));
  }
  const bool trace = absl::GetFlag(FLAGS_trace);
  const int64_t break_at_step = absl::GetFlag(FLAGS_break_at_step);
  if (break_at_step >= 0) {
    std::vector<std::string> words;
    for (int i = 0; i < argc; ++i) words.push_back(ShellWord(argv[i]));
    absl::PrintF("to stop before step %d: gdb -ex 'break swapfuzz_step_hook' -ex run --args %s\n",
                 break_at_step, absl::StrJoin(words, " "));
  }
  const bool diagram = absl::GetFlag(FLAGS_diagram);
  const std::string perfetto = absl::GetFlag(FLAGS_perfetto);
  const std::string html = absl::GetFlag(FLAGS_html);
  const bool keep_trace = trace || diagram || verify || !perfetto.empty() || !html.empty();
  Executor executor;
  absl::StatusOr<ReplayOutput> out =
      RunSchedule(executor, *schedule, "", keep_trace, break_at_step);
  if (!out.ok()) return Fail(absl::StrCat(file, ": ", out.status().message()));
  PrintRun(file, schedule->config, *out, executor.kernel().findings, trace);
  if (diagram) std::fputs(("\n" + RenderCpuDiagram(out->trace, out->finding)).c_str(), stdout);
  if (!perfetto.empty()) {
    if (absl::Status st = Env::Default().WriteFileAtomically(perfetto, RenderTraceEventJson(out->trace, out->finding));
        !st.ok()) {
      return Fail(st.message());
    }
    absl::PrintF("wrote %s (open it in ui.perfetto.dev or chrome://tracing)\n", perfetto);
  }
  if (!html.empty()) {
    const std::string title = absl::StrCat(schedule->description.empty() ? file : schedule->description);
    if (absl::Status st = Env::Default().WriteFileAtomically(html, RenderHtmlTimeline(out->trace, out->finding, title));
        !st.ok()) {
      return Fail(st.message());
    }
    absl::PrintF("wrote %s\n", html);
  }
  if (verify) return Verify(*schedule->expected, ExpectationOf(*out), out->trace);
  return out->finding ? kExitFinding : kExitOk;
}

// Writes a schedule as JSON when `path` ends in .json, else as binary.
absl::Status WriteAnySchedule(const std::string& path, const Schedule& s) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    return WriteScheduleFile(path, s);
  }
  if (absl::Status v = Validate(s); !v.ok()) return absl::InvalidArgumentError(v.message());
  return Env::Default().WriteFileAtomically(path, ScheduleToBinary(s));
}

int Minimize(const std::string& file, const std::string& out_file) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(file);
  if (!schedule.ok()) return Fail(schedule.status().message());
  MinimizeOptions options;
  options.progress = [](const std::string& line) { absl::PrintF("  %s\n", line); };
  absl::PrintF("minimizing %s\n", file);
  absl::StatusOr<MinimizeResult> result = swapfuzz::Minimize(*schedule, options);
  if (!result.ok()) return Fail(absl::StrCat(file, ": ", result.status().message()));
  auto size = [](const ScheduleSize& z) {
    return absl::StrFormat("%d ops on %d cpus, %d preemptions, %d decision segments, %d steps",
                           z.ops, z.cpus, z.preemptions, z.segments, z.steps);
  };
  absl::PrintF("before: %s\nafter:  %s\n(%d replays)\n", size(result->before),
               size(result->after), result->replays);
  if (absl::Status v = VerifyReproducer(result->schedule, &result->trace); !v.ok()) {
    return Fail(absl::StrCat("internal error: not writing ", out_file, ": ", v.message()));
  }
  if (absl::Status st = WriteAnySchedule(out_file, result->schedule); !st.ok()) {
    return Fail(st.message());
  }
  absl::PrintF("wrote %s: %s\n", out_file, result->schedule.expected->signature);
  return kExitOk;
}

int Convert(const std::string& file, const std::string& out_file) {
  absl::StatusOr<Schedule> schedule = ReadAnySchedule(file);
  if (!schedule.ok()) return Fail(schedule.status().message());
  if (absl::Status st = WriteAnySchedule(out_file, *schedule); !st.ok()) return Fail(st.message());
  absl::PrintF("wrote %s\n", out_file);
  return kExitOk;
}

int Explain(const std::string& file) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(file);
  if (!schedule.ok()) return Fail(schedule.status().message());
  absl::StatusOr<std::vector<std::string>> needed = KnobsNeeded(*schedule);
  if (!needed.ok()) return Fail(absl::StrCat(file, ": ", needed.status().message()));
  if (needed->empty()) {
    absl::PrintF("%s: the finding needs none of the catalogue's bugs: it happens with every "
                 "knob the profile sets cleared, one at a time\n", file);
    return kExitOk;
  }
  for (const std::string& name : *needed) {
    const KnobInfo& info = InfoFor(*KnobByName(name));
    absl::PrintF("%s: needs %s: %s %s (%s)\n", file, name, info.fix_hash, info.fix_title,
                 info.affected);
  }
  return kExitOk;
}

int Record(const std::string& file, const std::string& out_file) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(file);
  if (!schedule.ok()) return Fail(schedule.status().message());
  Executor executor;
  absl::StatusOr<ReplayOutput> out = RunSchedule(executor, *schedule, "", /*keep_trace=*/true);
  if (!out.ok()) return Fail(absl::StrCat(file, ": ", out.status().message()));
  PrintRun(file, schedule->config, *out, executor.kernel().findings, /*trace=*/false);
  schedule->expected = ExpectationOf(*out);
  if (absl::Status v = VerifyReproducer(*schedule, &out->trace); !v.ok()) {
    return Fail(absl::StrCat("internal error: not writing ", out_file, ": ", v.message()));
  }
  if (absl::Status s = WriteScheduleFile(out_file, *schedule); !s.ok()) return Fail(s.message());
  absl::PrintF("wrote %s\n", out_file);
  return kExitOk;
}

// `s` as a JSON string literal (signatures and names are plain ASCII).
std::string JsonString(const std::string& s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

int Explore() {
  const std::string strategy = absl::GetFlag(FLAGS_strategy);
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string target_name = absl::GetFlag(FLAGS_target);
  const std::string hunt = absl::GetFlag(FLAGS_hunt);
  const int depth = absl::GetFlag(FLAGS_depth);
  const int bound = absl::GetFlag(FLAGS_bound);
  if (strategy != "random" && strategy != "pct" && strategy != "dfs") {
    return UsageError("explore: --strategy must be random, pct or dfs");
  }
  if (strategy == "dfs" && from.empty()) return UsageError("explore --strategy=dfs needs --from FILE");
  if (from.empty() && target_name.empty()) return UsageError("explore: missing --target=T or --from=FILE");
  if (depth < 1) return Fail("--depth: must be 1 or more");
  if (bound < 0) return Fail("--bound: must be 0 or more");
  if (absl::GetFlag(FLAGS_seconds) < 0) return Fail("--seconds: must be 0 or more");
  if (!hunt.empty() && !KnobByName(hunt)) {
    return Fail(absl::StrCat("--hunt: unknown knob '", hunt, "' (see swapfuzz list-bugs)"));
  }
  const FuzzTarget* base = TargetByName(target_name.empty() ? "zram" : target_name);
  if (base == nullptr) return Fail(absl::StrCat("--target: unknown target '", target_name, "'"));
  FuzzTarget target = *base;
  std::optional<Schedule> fixed;
  if (!from.empty()) {
    absl::StatusOr<Schedule> s = LoadSchedule(from);
    if (!s.ok()) return Fail(s.status().message());
    if (absl::Status v = Validate(*s); !v.ok()) return Fail(absl::StrCat(from, ": ", v.message()));
    fixed = *s;
    target.base = s->config;
  } else if (absl::Status st = ApplyOverrides(target.base); !st.ok()) {
    return Fail(st.message());
  }
  if (absl::StatusOr<RunConfig> r = Resolve(target.base); !r.ok()) return Fail(r.status().message());
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  std::unique_ptr<Strategy> s;
  if (strategy == "random") s = MakeRandomWalk(seed, fixed);
  if (strategy == "pct") s = MakePct(seed, depth, fixed);
  if (strategy == "dfs") {
    DfsOptions options;
    options.preemption_bound = bound;
    options.sleep_sets = !absl::GetFlag(FLAGS_no_por);
    s = MakeDfs(*fixed, options);
  }
  FuzzRunner runner(target);
  ExploreOptions options;
  options.max_runs = absl::GetFlag(FLAGS_runs);
  options.max_seconds = absl::GetFlag(FLAGS_seconds);
  if (!hunt.empty()) options.counts = HuntFilter(hunt);
  options.progress = [](const std::string& line) { absl::FPrintF(stderr, "explore: %s\n", line); };
  std::string what = from.empty() ? absl::StrCat("target ", std::string(target.name)) : from;
  absl::FPrintF(stderr, "explore: %s on %s (profile %s), seed %d\n", strategy, what,
                target.base.profile, seed);
  const ExploreResult r = swapfuzz::Explore(*s, runner, options);
  if (r.found) {
    absl::PrintF("FINDING %s after %d executions in %.3f s\n", r.signature, r.executions,
                 r.seconds);
    const std::string out_file = absl::GetFlag(FLAGS_o);
    if (!out_file.empty()) {
      struct stat st;
      if (stat(out_file.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        absl::StatusOr<SavedReproducer> saved = SaveReproducer(runner, out_file);
        if (!saved.ok()) return Fail(saved.status().message());
        absl::PrintF("wrote %s\n", saved->path);
      } else {
        if (absl::Status v = VerifyLastRun(runner); !v.ok()) {
          return Fail(absl::StrCat("internal error: not writing ", out_file, ": ", v.message()));
        }
        if (absl::Status st2 = WriteAnySchedule(out_file, runner.LastSchedule()); !st2.ok()) {
          return Fail(st2.message());
        }
        absl::PrintF("wrote %s\n", out_file);
      }
    }
  } else if (strategy == "dfs" && r.exhausted) {
    absl::PrintF("no finding within preemption bound %d (%s)\n", bound, r.summary);
  } else {
    absl::PrintF("no finding in %d executions, %.3f s%s\n", r.executions, r.seconds,
                 r.exhausted ? "" : " (limit reached)");
  }
  if (r.passed_over > 0) {
    absl::PrintF("passed over %d findings that do not need %s\n", r.passed_over, hunt);
  }
  double miss = 1.0;
  if (strategy == "pct") {
    miss = PctMissBound(r.n, r.k, depth, r.executions);
    absl::PrintF("PCT: n=%d k=%d, %d runs: P(miss a depth-%d bug) <= %.4g\n", r.n, r.k,
                 r.executions, depth, miss);
  } else if (strategy == "dfs") {
    absl::PrintF("dfs: %s\n", r.summary);
  }
  if (absl::GetFlag(FLAGS_json)) {
    absl::PrintF("{\"signature\": %s, \"seconds\": %.4f, \"executions\": %d, \"strategy\": %s, "
                 "\"n\": %d, \"k\": %d, \"bound\": %s, \"exhausted\": %s}\n",
                 JsonString(r.signature), r.seconds, r.executions, JsonString(strategy), r.n, r.k,
                 strategy == "pct" ? absl::StrFormat("%.6g", miss) : std::string("null"),
                 r.exhausted ? "true" : "false");
  }
  return r.found ? kExitFinding : kExitOk;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  if (WantsHelp(argc, argv)) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (std::optional<std::string> problem = CheckFlags(argc, argv)) return Fail(*problem);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) return UsageError("missing command");
  const std::string command = args[1];
  const std::vector<std::string> operands(args.begin() + 2, args.end());
  const bool runs = command == "replay" || command == "record" || command == "minimize" ||
                    command == "convert" || command == "explain";
  if (!runs && command != "list-bugs" && command != "list-profiles" && command != "help" &&
      command != "explore") {
    return UsageError(absl::StrCat("unknown command '", command, "'"));
  }
  if (std::optional<std::string> problem = FlagsNotFor(command)) return UsageError(*problem);
  if (absl::GetFlag(FLAGS_break_at_step) < -1) return Fail("--break_at_step: must be 0 or more");
  if (!runs && !operands.empty()) {
    return UsageError(absl::StrCat(command, " takes no arguments"));
  }
  if (runs && operands.size() != 1) {
    return UsageError(operands.empty()
                          ? absl::StrCat(command, ": missing FILE")
                          : absl::StrCat(command, " takes one FILE, not ", operands.size()));
  }
  if (command == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (command == "explore") return Explore();
  if (command == "list-bugs") return ListBugs();
  if (command == "list-profiles") return ListProfiles();
  if (command == "replay") return Replay(operands[0], argc, argv);
  if (command == "explain") return Explain(operands[0]);
  const std::string out_file = absl::GetFlag(FLAGS_o);
  if (out_file.empty()) return UsageError(absl::StrCat(command, ": missing -o OUT"));
  if (command == "minimize") return Minimize(operands[0], out_file);
  if (command == "convert") return Convert(operands[0], out_file);
  return Record(operands[0], out_file);
}

}  // namespace
}  // namespace swapfuzz

int main(int argc, char** argv) { return swapfuzz::Main(argc, argv); }
