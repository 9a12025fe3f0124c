// The reproducer soak: every run is a reproducer, and every reproducer must
// replay exactly.
//
//   reproducer_soak [--runs=N] [--findings=F] [--max_runs=X] [--seed=S]
//                   [--strategy=LIST] [--target=T] [--profile=P] [--dfs_runs=M]
//                   [--show=K] [--no_harness]
//
// For each strategy of LIST (default "bytes,random,pct2,pct3,dfs"), N runs
// (default 15000), then more until F of them (default 0) ended in a finding or
// X runs (default 100 N) were made, spread round-robin over every model fuzz
// target (fuzz/targets.h) under every profile, or the ones --target and
// --profile name:
//   bytes    libFuzzer-style inputs (random bytes, half of them put through
//            the structural mutator) decoded and run by FuzzRunner::Run
//   random   the random walk (MakeRandomWalk)
//   pct2     PCT of depth 2 (MakePct), as `swapfuzz explore --strategy=pct`
//   pct3     PCT of depth 3
//   dfs      the preemption-bounded search with sleep sets (MakeDfs, bound 2)
//            over decoded programs, at most M runs (default 40) per program
// Programs come from the target's decoder fed with the soak's PRNG, seeded by
// --seed, so the same flags give the same runs.
//
// Each run's FuzzRunner::LastSchedule(), with or without a finding, is checked
// with VerifyReproducer() against the trace the run recorded, and (unless
// --no_harness) the way the reproducer sink checks it before it writes a
// file: VerifyLastRun(), which takes the recorded trace by running the
// recorded picks again. Prints one line per strategy:
//   "<strategy>: <runs> reproducers (<findings> with a finding) ..., <failures>
//    do not replay, <harness failures> fail the sink's check; ..."
// and the first K failures (default 5) with the first divergent step. For
// comparison, each line also counts the runs whose schedule, recorded as it
// was before commit 58ac59a (the step picks only, without the picks that took
// no step), would not replay; those are not failures of this build.
// Exit status: 0 when every reproducer replayed, 1 otherwise, 2 bad usage.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "base/rng.h"
#include "fuzz/decoder.h"
#include "fuzz/mutator.h"
#include "fuzz/runner.h"
#include "tools/soak/soak_util.h"
#include "fuzz/strategies.h"
#include "harness/reproducer.h"
#include "model/knobs.h"
#include "replay/verify.h"

namespace swapfuzz {
namespace {

struct Options {
  uint64_t runs = 15000;
  uint64_t findings = 0;
  uint64_t max_runs = 0;  // 0: 100 * runs
  uint64_t seed = 1;
  std::vector<std::string> strategies = {"bytes", "random", "pct2", "pct3", "dfs"};
  std::string target;   // empty: every target
  std::string profile;  // empty: every profile
  uint64_t dfs_runs = 40;
  uint64_t show = 5;
  bool harness = true;
};

struct Tally {
  uint64_t runs = 0;
  uint64_t findings = 0;
  uint64_t failures = 0;
  uint64_t harness_failures = 0;
  uint64_t old_failures = 0;
  uint64_t old_finding_failures = 0;
};

// The run's schedule as it was recorded before picks that took no step were
// kept (commit 58ac59a): its step picks only.
Schedule StepPicksOnly(const FuzzRunner& runner) {
  Schedule s = runner.LastSchedule();
  std::vector<uint8_t> steps;
  for (uint8_t pick : runner.last_picks()) {
    if (!(pick & kPickTookNoStep)) steps.push_back(pick);
  }
  s.decisions = SegmentsFromPicks(steps);
  return s;
}

using soak::HashText;
using soak::Mix;

// One model target under one profile: what `swapfuzz explore --target=T
// --profile=P` runs.
struct Combo {
  FuzzTarget target;
  std::string label;  // "target/profile"
};

// Produces the runs of one strategy on one combo.
class Source {
 public:
  virtual ~Source() = default;
  // Runs the next execution on `runner`, recording its trace into `trace`.
  virtual void RunNext(FuzzRunner& runner, std::vector<TraceEvent>& trace) = 0;
};

class ByteSource final : public Source {
 public:
  explicit ByteSource(uint64_t seed) : rng_(seed) {}
  void RunNext(FuzzRunner& runner, std::vector<TraceEvent>& trace) override {
    input_.resize(kDecisionOffset + 256);
    for (uint8_t& b : input_) b = static_cast<uint8_t>(rng_.Next() >> 56);
    size_t size = rng_.Below(kDecisionOffset + 192);
    if (rng_.Below(2) == 0) {
      // The structural mutator's edits give end markers, preemptions and
      // PCT tails the way a fuzzing campaign's inputs have them.
      for (int i = 1 + rng_.Below(4); i > 0; --i) {
        size = MutateSchedule(input_.data(), size, input_.size(),
                              static_cast<uint32_t>(rng_.Next()));
      }
    }
    trace.clear();
    runner.Run({input_.data(), size}, nullptr, &trace);
  }

 private:
  Rng rng_;
  std::vector<uint8_t> input_;
};

// A Strategy of fuzz/strategies.h. For DFS, a fresh decoded program (and a
// fresh search) every `per_program` runs or when the search is exhausted.
class StrategySource final : public Source {
 public:
  StrategySource(std::string kind, const FuzzTarget& target, uint64_t seed, uint64_t per_program)
      : kind_(std::move(kind)), target_(target), rng_(seed), per_program_(per_program) {}

  void RunNext(FuzzRunner& runner, std::vector<TraceEvent>& trace) override {
    Decider* decider = nullptr;
    for (int attempt = 0; decider == nullptr; ++attempt) {
      if (strategy_ == nullptr || (kind_ == "dfs" && used_ >= per_program_) || attempt > 0) {
        strategy_ = Make();
        used_ = 0;
      }
      decider = strategy_->Next(runner);
    }
    ++used_;
    std::vector<TraceEvent>* into = strategy_->trace();  // DFS reads its own trace
    if (into == nullptr) {
      trace.clear();
      into = &trace;
    }
    runner.RunWith(*decider, nullptr, into);
    strategy_->Done(runner);
    if (into != &trace) trace = *into;
  }

 private:
  std::unique_ptr<Strategy> Make() {
    const uint64_t seed = rng_.Next();
    if (kind_ == "random") return MakeRandomWalk(seed);
    if (kind_ == "pct2") return MakePct(seed, 2);
    if (kind_ == "pct3") return MakePct(seed, 3);
    // dfs: programs decoded from PRNG bytes, as ProgramSource makes them.
    std::vector<uint8_t> bytes(kDecisionOffset);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng_.Next() >> 56);
    Schedule fixed;
    DecodePrograms(target_, bytes, fixed);
    DfsOptions options;
    options.preemption_bound = 2;
    return MakeDfs(fixed, options);
  }

  std::string kind_;
  const FuzzTarget& target_;
  Rng rng_;
  uint64_t per_program_;
  uint64_t used_ = 0;
  std::unique_ptr<Strategy> strategy_;
};

using soak::ParseCount;
using soak::ParseFlag;

int Usage(const char* why) {
  std::fprintf(stderr,
               "reproducer_soak: %s\nusage: reproducer_soak [--runs=N] [--findings=F] [--max_runs=X] "
               "[--seed=S] "
               "[--strategy=bytes,random,pct2,pct3,dfs] [--target=T] [--profile=P] "
               "[--dfs_runs=M] [--show=K] [--no_harness]\n",
               why);
  return 2;
}

bool KnownStrategy(std::string_view s) {
  return s == "bytes" || s == "random" || s == "pct2" || s == "pct3" || s == "dfs";
}

}  // namespace

int SoakMain(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i], v;
    if (ParseFlag(arg, "runs", &v)) {
      if (!ParseCount(v, &o.runs)) return Usage("--runs takes a whole number");
    } else if (ParseFlag(arg, "findings", &v)) {
      if (!ParseCount(v, &o.findings)) return Usage("--findings takes a whole number");
    } else if (ParseFlag(arg, "max_runs", &v)) {
      if (!ParseCount(v, &o.max_runs)) return Usage("--max_runs takes a whole number");
    } else if (ParseFlag(arg, "seed", &v)) {
      if (!ParseCount(v, &o.seed)) return Usage("--seed takes a whole number");
    } else if (ParseFlag(arg, "strategy", &v)) {
      o.strategies.clear();
      for (absl::string_view s :
           absl::StrSplit(absl::string_view(v.data(), v.size()), ',', absl::SkipEmpty())) {
        if (!KnownStrategy(std::string_view(s.data(), s.size()))) {
          return Usage("unknown --strategy");
        }
        o.strategies.emplace_back(s.data(), s.size());
      }
      if (o.strategies.empty()) return Usage("--strategy names none");
    } else if (ParseFlag(arg, "target", &v)) {
      if (TargetByName(v) == nullptr) return Usage("unknown --target");
      o.target = std::string(v);
    } else if (ParseFlag(arg, "profile", &v)) {
      if (ProfileByName(v) == nullptr) return Usage("unknown --profile");
      o.profile = std::string(v);
    } else if (ParseFlag(arg, "dfs_runs", &v)) {
      if (!ParseCount(v, &o.dfs_runs) || o.dfs_runs == 0) {
        return Usage("--dfs_runs takes a positive number");
      }
    } else if (ParseFlag(arg, "show", &v)) {
      if (!ParseCount(v, &o.show)) return Usage("--show takes a whole number");
    } else if (arg == "--no_harness") {
      o.harness = false;
    } else {
      return Usage("unknown argument");
    }
  }

  std::vector<Combo> combos;
  for (const FuzzTarget& t : AllTargets()) {
    if (!o.target.empty() && t.name != o.target) continue;
    for (const Profile& p : AllProfiles()) {
      if (!o.profile.empty() && p.name != o.profile) continue;
      Combo c{t, std::string(t.name) + "/" + std::string(p.name)};
      c.target.base.profile = std::string(p.name);
      // A release that cannot run the target's configuration (several swap
      // devices before 7.1.5) or its ops (shmem before 7.1.5) has no pair.
      const absl::StatusOr<RunConfig> config = Resolve(c.target.base);
      if (!config.ok() || !CheckOpsModelled(t.op_table, *config).ok()) continue;
      combos.push_back(std::move(c));
    }
  }

  uint64_t total_failures = 0;
  for (const std::string& kind : o.strategies) {
    Tally tally;
    uint64_t shown = 0;
    std::vector<std::unique_ptr<FuzzRunner>> runners;
    std::vector<std::unique_ptr<Source>> sources;
    for (const Combo& c : combos) {
      runners.push_back(std::make_unique<FuzzRunner>(c.target));
      const uint64_t seed = Mix(Mix(o.seed, HashText(kind)), HashText(c.label));
      if (kind == "bytes") {
        sources.push_back(std::make_unique<ByteSource>(seed));
      } else {
        sources.push_back(std::make_unique<StrategySource>(kind, c.target, seed, o.dfs_runs));
      }
    }
    std::vector<TraceEvent> trace;
    const uint64_t max_runs = o.max_runs != 0 ? o.max_runs : 100 * o.runs;
    for (uint64_t n = 0; n < o.runs || (tally.findings < o.findings && n < max_runs); ++n) {
      const size_t i = n % combos.size();
      FuzzRunner& runner = *runners[i];
      sources[i]->RunNext(runner, trace);
      ++tally.runs;
      tally.findings += runner.last_result().finding != nullptr;
      const absl::Status direct = VerifyReproducer(runner.LastSchedule(), &trace);
      const absl::Status sink = o.harness ? VerifyLastRun(runner) : absl::OkStatus();
      tally.failures += !direct.ok();
      tally.harness_failures += !sink.ok();
      if (!VerifyReproducer(StepPicksOnly(runner), &trace).ok()) {
        ++tally.old_failures;
        tally.old_finding_failures += runner.last_result().finding != nullptr;
      }
      if ((!direct.ok() || !sink.ok()) && shown++ < o.show) {
        std::fprintf(stderr, "reproducer_soak: %s run %llu on %s (%s): %s\n", kind.c_str(),
                     static_cast<unsigned long long>(n), combos[i].label.c_str(),
                     runner.last_result().finding != nullptr
                         ? runner.last_result().finding->Signature().c_str()
                         : "no finding",
                     std::string(!direct.ok() ? direct.message() : sink.message()).c_str());
      }
    }
    std::printf("%s: %llu reproducers (%llu with a finding) on %zu target/profile pairs, %llu do "
                "not replay, %llu fail the sink's check%s; recorded as before 58ac59a (step "
                "picks only), %llu would not replay (%llu with a finding)\n",
                kind.c_str(), static_cast<unsigned long long>(tally.runs),
                static_cast<unsigned long long>(tally.findings), combos.size(),
                static_cast<unsigned long long>(tally.failures),
                static_cast<unsigned long long>(tally.harness_failures),
                o.harness ? "" : " (not checked)",
                static_cast<unsigned long long>(tally.old_failures),
                static_cast<unsigned long long>(tally.old_finding_failures));
    std::fflush(stdout);
    total_failures += tally.failures + tally.harness_failures;
  }
  return total_failures == 0 ? 0 : 1;
}

}  // namespace swapfuzz

int main(int argc, char** argv) { return swapfuzz::SoakMain(argc, argv); }
