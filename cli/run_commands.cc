// The commands that run one FILE: replay, record, minimize, convert, explain.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "base/file.h"
#include "cli/cli.h"
#include "cli/schedule_input.h"
#include "format/schedule_io.h"
#include "model/executor.h"
#include "model/knobs.h"
#include "model/schedule.h"
#include "model/trace.h"
#include "replay/bisect.h"
#include "replay/minimize.h"
#include "replay/render.h"
#include "replay/verify.h"

namespace swapfuzz::cli {
namespace {

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
               HashToString(out.result.trace_hash));
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
    absl::PrintF("MISMATCH trace_hash: expected %s, got %s\n", HashToString(want.trace_hash),
                 HashToString(got.trace_hash));
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

}  // namespace

int ReplayCommand(const Invocation& inv) {
  const std::string& file = inv.file;
  absl::StatusOr<Schedule> schedule = LoadSchedule(file, inv);
  if (!schedule.ok()) return Fail(schedule.status().message());
  if (inv.verify && !schedule->expected) {
    return Fail(absl::StrCat(file,
                             ": --verify: the file has no \"expected\" block"
                             " (swapfuzz record writes one)"));
  }
  if (inv.break_at_step >= 0) {
    std::vector<std::string> words;
    for (const std::string& arg : inv.argv) words.push_back(ShellWord(arg));
    absl::PrintF("to stop before step %d: gdb -ex 'break swapfuzz_step_hook' -ex run --args %s\n",
                 inv.break_at_step, absl::StrJoin(words, " "));
  }
  const bool keep_trace =
      inv.trace || inv.diagram || inv.verify || !inv.perfetto.empty() || !inv.html.empty();
  Executor executor;
  absl::StatusOr<ReplayOutput> out =
      RunSchedule(executor, *schedule, "", keep_trace, inv.break_at_step);
  if (!out.ok()) return Fail(absl::StrCat(file, ": ", out.status().message()));
  PrintRun(file, schedule->config, *out, executor.kernel().findings, inv.trace);
  // Steps are numbered from 0: a run of M steps never reaches step M.
  if (inv.break_at_step >= 0 && static_cast<uint64_t>(inv.break_at_step) >= out->result.steps) {
    return Fail(absl::StrFormat("--break_at_step=%d: the run had only %d steps (0 to %d), so "
                                "swapfuzz_step_hook() was never called",
                                inv.break_at_step, out->result.steps,
                                static_cast<int64_t>(out->result.steps) - 1));
  }
  if (inv.diagram) std::fputs(("\n" + RenderCpuDiagram(out->trace, out->finding)).c_str(), stdout);
  Env& env = Env::Default();
  if (!inv.perfetto.empty()) {
    if (absl::Status st = env.WriteFileAtomically(
            inv.perfetto, RenderTraceEventJson(out->trace, out->finding));
        !st.ok()) {
      return Fail(st.message());
    }
    absl::PrintF("wrote %s (open it in ui.perfetto.dev or chrome://tracing)\n", inv.perfetto);
  }
  if (!inv.html.empty()) {
    const std::string title = schedule->description.empty() ? file : schedule->description;
    if (absl::Status st = env.WriteFileAtomically(
            inv.html, RenderHtmlTimeline(out->trace, out->finding, title));
        !st.ok()) {
      return Fail(st.message());
    }
    absl::PrintF("wrote %s\n", inv.html);
  }
  if (inv.verify) {
    return Verify(*schedule->expected, ExpectationOf(out->result, &out->trace), out->trace);
  }
  return out->finding ? kExitFinding : kExitOk;
}

int MinimizeCommand(const Invocation& inv) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(inv.file, inv);
  if (!schedule.ok()) return Fail(schedule.status().message());
  MinimizeOptions options;
  options.progress = [](const std::string& line) { absl::PrintF("  %s\n", line); };
  absl::PrintF("minimizing %s\n", inv.file);
  absl::StatusOr<MinimizeResult> result = Minimize(*schedule, options);
  if (!result.ok()) return Fail(absl::StrCat(inv.file, ": ", result.status().message()));
  auto size = [](const ScheduleSize& z) {
    return absl::StrFormat("%d ops on %d cpus, %d preemptions, %d decision segments, %d steps",
                           z.ops, z.cpus, z.preemptions, z.segments, z.steps);
  };
  absl::PrintF("before: %s\nafter:  %s\n(%d replays)\n", size(result->before),
               size(result->after), result->replays);
  if (absl::Status v = VerifyReproducer(result->schedule, &result->trace); !v.ok()) {
    return Fail(absl::StrCat("internal error: not writing ", inv.o, ": ", v.message()));
  }
  if (absl::Status st = WriteAnySchedule(inv.o, result->schedule); !st.ok()) {
    return Fail(st.message());
  }
  absl::PrintF("wrote %s: %s\n", inv.o, result->schedule.expected->signature);
  return kExitOk;
}

int ConvertCommand(const Invocation& inv) {
  absl::StatusOr<Schedule> schedule = ReadAnySchedule(inv.file, inv.target);
  if (!schedule.ok()) return Fail(schedule.status().message());
  if (absl::Status st = WriteAnySchedule(inv.o, *schedule); !st.ok()) return Fail(st.message());
  absl::PrintF("wrote %s\n", inv.o);
  return kExitOk;
}

int ExplainCommand(const Invocation& inv) {
  const std::string& file = inv.file;
  absl::StatusOr<Schedule> schedule = LoadSchedule(file, inv);
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

int RecordCommand(const Invocation& inv) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(inv.file, inv);
  if (!schedule.ok()) return Fail(schedule.status().message());
  Executor executor;
  absl::StatusOr<ReplayOutput> out = RunSchedule(executor, *schedule, "", /*keep_trace=*/true);
  if (!out.ok()) return Fail(absl::StrCat(inv.file, ": ", out.status().message()));
  PrintRun(inv.file, schedule->config, *out, executor.kernel().findings, /*trace=*/false);
  schedule->expected = ExpectationOf(out->result, &out->trace);
  if (absl::Status v = VerifyReproducer(*schedule, &out->trace); !v.ok()) {
    return Fail(absl::StrCat("internal error: not writing ", inv.o, ": ", v.message()));
  }
  if (absl::Status s = WriteScheduleFile(inv.o, *schedule); !s.ok()) return Fail(s.message());
  absl::PrintF("wrote %s\n", inv.o);
  return kExitOk;
}

int BisectCommand(const Invocation& inv) {
  absl::StatusOr<Schedule> schedule = LoadSchedule(inv.file, inv);
  if (!schedule.ok()) return Fail(schedule.status().message());
  absl::StatusOr<std::vector<BisectRow>> rows = Bisect(*schedule);
  if (!rows.ok()) return Fail(absl::StrCat(inv.file, ": ", rows.status().message()));
  absl::PrintF("%s\n%s", inv.file, RenderBisectTable(*rows));
  return kExitOk;
}

}  // namespace swapfuzz::cli
