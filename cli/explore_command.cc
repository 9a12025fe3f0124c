// explore: the in-process search strategies (fuzz/strategies.h).

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file.h"
#include "base/json_string.h"
#include "cli/cli.h"
#include "cli/schedule_input.h"
#include "fuzz/decoder.h"
#include "fuzz/runner.h"
#include "fuzz/strategies.h"
#include "harness/reproducer.h"
#include "model/knobs.h"
#include "model/schedule.h"
#include "replay/minimize.h"

namespace swapfuzz::cli {

bool OutputIsDirectory(const std::string& path) {
  return (!path.empty() && path.back() == '/') || Env::Default().IsDirectory(path);
}

int ExploreCommand(const Invocation& inv) {
  const std::string& strategy = inv.strategy;
  const std::string& from = inv.from;
  const std::string& hunt = inv.hunt;
  if (strategy != "random" && strategy != "pct" && strategy != "dfs") {
    return UsageError("explore: --strategy must be random, pct or dfs");
  }
  if (strategy == "dfs" && from.empty()) return UsageError("explore --strategy=dfs needs --from FILE");
  if (from.empty() && inv.target.empty()) return UsageError("explore: missing --target=T or --from=FILE");
  if (inv.depth < 1) return Fail("--depth: must be 1 or more");
  if (inv.bound < 0) return Fail("--bound: must be 0 or more");
  if (inv.seconds < 0) return Fail("--seconds: must be 0 or more");
  if (!hunt.empty() && !KnobByName(hunt)) {
    return Fail(absl::StrCat("--hunt: unknown knob '", hunt, "' (see swapfuzz list-bugs)"));
  }
  const FuzzTarget* base = TargetByName(inv.target.empty() ? "zram" : inv.target);
  if (base == nullptr) return Fail(absl::StrCat("--target: unknown target '", inv.target, "'"));
  FuzzTarget target = *base;
  std::optional<Schedule> fixed;
  if (!from.empty()) {
    absl::StatusOr<Schedule> s = LoadSchedule(from, inv);
    if (!s.ok()) return Fail(s.status().message());
    if (absl::Status v = Validate(*s); !v.ok()) return Fail(absl::StrCat(from, ": ", v.message()));
    fixed = *s;
    target.base = s->config;
  } else if (absl::Status st = ApplyOverrides(inv, target.base); !st.ok()) {
    return Fail(st.message());
  }
  const absl::StatusOr<RunConfig> resolved = Resolve(target.base);
  if (!resolved.ok()) return Fail(resolved.status().message());
  // The runner's precondition, and the ops a schedule from --from runs.
  if (absl::Status st = CheckOpsModelled(target.op_table, *resolved); !st.ok()) {
    return Fail(absl::StrCat("--target=", std::string(target.name), ": ", st.message()));
  }
  if (fixed) {
    if (absl::Status st = CheckOpsModelled(fixed->cpus, *resolved); !st.ok()) {
      return Fail(absl::StrCat(from, ": ", st.message()));
    }
  }
  std::unique_ptr<Strategy> s;
  if (strategy == "random") s = MakeRandomWalk(inv.seed, fixed);
  if (strategy == "pct") s = MakePct(inv.seed, inv.depth, fixed);
  if (strategy == "dfs") {
    DfsOptions options;
    options.preemption_bound = inv.bound;
    options.sleep_sets = !inv.no_por;
    s = MakeDfs(*fixed, options);
  }
  FuzzRunner runner(target);
  ExploreOptions options;
  options.max_runs = inv.runs;
  options.max_seconds = inv.seconds;
  if (!hunt.empty()) options.counts = HuntFilter(hunt);
  options.progress = [](const std::string& line) { absl::FPrintF(stderr, "explore: %s\n", line); };
  const std::string what = from.empty() ? absl::StrCat("target ", std::string(target.name)) : from;
  absl::FPrintF(stderr, "explore: %s on %s (profile %s), seed %d\n", strategy, what,
                target.base.profile, inv.seed);
  const ExploreResult r = Explore(*s, runner, options);
  if (r.found) {
    absl::PrintF("FINDING %s after %d executions in %.3f s\n", r.signature, r.executions,
                 r.seconds);
    if (!inv.o.empty() && OutputIsDirectory(inv.o)) {
      std::string dir = inv.o;
      while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
      absl::StatusOr<SavedReproducer> saved = SaveReproducer(runner, dir);
      if (!saved.ok()) return Fail(saved.status().message());
      absl::PrintF("wrote %s\n", saved->path);
    } else if (!inv.o.empty()) {
      if (absl::Status v = VerifyLastRun(runner); !v.ok()) {
        return Fail(absl::StrCat("internal error: not writing ", inv.o, ": ", v.message()));
      }
      if (absl::Status st = WriteAnySchedule(inv.o, runner.LastSchedule()); !st.ok()) {
        return Fail(st.message());
      }
      absl::PrintF("wrote %s\n", inv.o);
    }
  } else if (strategy == "dfs" && r.exhausted) {
    absl::PrintF("no finding within preemption bound %d (%s)\n", inv.bound, r.summary);
  } else {
    absl::PrintF("no finding in %d executions, %.3f s%s\n", r.executions, r.seconds,
                 r.exhausted ? "" : " (limit reached)");
  }
  if (r.passed_over > 0) {
    absl::PrintF("passed over %d findings that do not need %s\n", r.passed_over, hunt);
  }
  double miss = 1.0;
  if (strategy == "pct") {
    miss = PctMissBound(r.n, r.k, inv.depth, r.executions);
    absl::PrintF("PCT: n=%d k=%d, %d runs: P(miss a depth-%d bug) <= %.4g\n", r.n, r.k,
                 r.executions, inv.depth, miss);
  } else if (strategy == "dfs") {
    absl::PrintF("dfs: %s\n", r.summary);
  }
  if (inv.json) {
    absl::PrintF("{\"signature\": %s, \"seconds\": %.4f, \"executions\": %d, \"strategy\": %s, "
                 "\"n\": %d, \"k\": %d, \"bound\": %s, \"exhausted\": %s}\n",
                 JsonQuote(r.signature), r.seconds, r.executions, JsonQuote(strategy), r.n, r.k,
                 strategy == "pct" ? absl::StrFormat("%.6g", miss) : std::string("null"),
                 r.exhausted ? "true" : "false");
  }
  return r.found ? kExitFinding : kExitOk;
}

}  // namespace swapfuzz::cli
