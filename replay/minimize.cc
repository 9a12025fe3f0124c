#include "replay/minimize.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "model/config_fields.h"

namespace swapfuzz {
namespace {

// Steps that exist only while a knob is set: clearing it removes them. Most
// fixes add code (a recheck, a pin), so clearing their knob removes no step;
// e914d8f00391 removed the free notify on read.
std::vector<StepId> StepsOnlyWith(const std::string& knob) {
  if (knob == InfoFor(Knob::kFreeNotifyOnRead).name) return {StepId::kFreeNotify};
  return {};
}

// Follows the schedule and remembers, for every executed step, its CPU and
// which CPUs could have run instead.
class RecordingDecider final : public Decider {
 public:
  explicit RecordingDecider(const std::vector<Segment>& segments) : inner_(segments) {}
  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    last_runnable_ = runnable;
    const int cpu = inner_.Pick(runnable, current, k);
    const Cpu& c = k.cpus[cpu];
    last_op_ = c.depth == 0 ? c.op_index + 1 : c.op_index;  // the op this step belongs to
    return cpu;
  }
  void Executed(int cpu, StepId step) override {
    inner_.Executed(cpu, step);
    picks.push_back(static_cast<uint8_t>(cpu));
    runnable.push_back(last_runnable_);
    ops.push_back(static_cast<uint8_t>(last_op_));
    steps.push_back(step);
  }
  std::vector<uint8_t> picks;
  std::vector<uint32_t> runnable;
  std::vector<uint8_t> ops;  // per step: the index of the op it belongs to
  std::vector<StepId> steps;

 private:
  SegmentDecider inner_;
  uint32_t last_runnable_ = 0;
  int last_op_ = 0;
};

struct Observed {
  std::string signature;  // empty: no fatal finding
  uint64_t finding_step = 0;
  uint64_t steps = 0;
  uint64_t trace_hash = 0;
  std::vector<uint8_t> picks;
  std::vector<uint32_t> runnable;
  std::vector<uint8_t> ops;
  std::vector<StepId> step_ids;  // per step: which step it was
  // Every pick, those that took no step included (RunOptions::picks): what
  // SegmentsFromPicks() needs to replay the run exactly.
  std::vector<uint8_t> all_picks;
  // Per CPU: how many of its ops had started when the run ended.
  std::array<int, kMaxCpus> ops_started{};
};

// A run's interleaving anchored to step identities: each run of a CPU ends at
// the n-th occurrence of its last step. Unlike step counts, this survives a
// change that adds or removes steps elsewhere in the run, such as clearing a
// knob. Steps in `gone` (those that exist only while the knob being cleared is
// set) are never used as anchors.
std::vector<Segment> AnchoredSegments(const Observed& o, const std::vector<StepId>& gone) {
  auto is_gone = [&](StepId id) { return std::find(gone.begin(), gone.end(), id) != gone.end(); };
  const size_t n = std::min<size_t>(o.picks.size(), o.finding_step + 1);
  std::vector<Segment> out;
  for (size_t begin = 0; begin < n;) {
    size_t end = begin;
    while (end + 1 < n && o.picks[end + 1] == o.picks[begin]) ++end;
    size_t anchor = end;
    while (anchor > begin && is_gone(o.step_ids[anchor])) --anchor;
    const StepId last = o.step_ids[anchor];
    uint16_t occurrence = 0;
    for (size_t j = begin; j <= anchor; ++j) occurrence += o.step_ids[j] == last;
    out.push_back(Segment{o.picks[begin], occurrence, last});
    begin = end + 1;
  }
  return out;
}

// Switches away from a CPU that could have gone on, among the steps up to
// the failing one (all of them without a finding).
int Preemptions(const Observed& o) {
  const size_t last = o.signature.empty()
                          ? o.picks.size()
                          : std::min<size_t>(o.picks.size(), o.finding_step + 1);
  int preemptions = 0;
  for (size_t j = 1; j < last; ++j) {
    const uint8_t prev = o.picks[j - 1];
    if (o.picks[j] != prev && ((o.runnable[j] >> prev) & 1u)) ++preemptions;
  }
  return preemptions;
}

// The size of `s`, whose replay `o` observed.
ScheduleSize SizeOf(const Schedule& s, const Observed& o) {
  ScheduleSize size;
  size.cpus = static_cast<int>(s.cpus.size());
  for (const CpuProgram& p : s.cpus) size.ops += static_cast<int>(p.ops.size());
  size.segments = static_cast<int>(s.decisions.size());
  size.preemptions = Preemptions(o);
  size.steps = o.steps;
  return size;
}

class Minimizer {
 public:
  explicit Minimizer(const MinimizeOptions& options) : options_(options) {}

  // Replays `s`; every step is appended to `trace` when it is set.
  absl::StatusOr<Observed> Observe(const Schedule& s, std::vector<TraceEvent>* trace = nullptr) {
    ++replays_;
    if (absl::Status st = Validate(s); !st.ok()) return st;
    absl::StatusOr<RunConfig> config = Resolve(s.config);
    if (!config.ok()) return config.status();
    if (absl::Status st = CheckOpsModelled(s.cpus, *config); !st.ok()) return st;
    executor_.Reset(*config, s.cpus);
    RecordingDecider decider(s.decisions);
    Observed o;
    RunOptions options;
    options.picks = &o.all_picks;
    options.trace = trace;
    const RunResult r = executor_.Run(decider, options);
    if (r.finding != nullptr) {
      o.signature = r.finding->Signature();
      o.finding_step = r.finding->step;
    }
    o.steps = r.steps;
    o.trace_hash = r.trace_hash;
    o.picks = std::move(decider.picks);
    o.runnable = std::move(decider.runnable);
    o.ops = std::move(decider.ops);
    o.step_ids = std::move(decider.steps);
    const Kernel& k = executor_.kernel();
    for (size_t i = 0; i < s.cpus.size(); ++i) {
      const Cpu& c = k.cpus[i];
      o.ops_started[i] = c.done ? c.n_ops : c.op_index + 1;
    }
    return o;
  }

  // How big a canonical schedule is (its ScheduleSize, counting steps to the
  // failing one, and its configuration); candidates must be strictly
  // smaller. Preemptions come first: they are what a reader of the diagram
  // has to follow, and a schedule with one more op but one fewer preemption
  // is the simpler race.
  struct Cost {
    ScheduleSize size;
    uint64_t finding_step = 0;
    int config = 0;
    auto Key() const {
      return std::tuple(size.preemptions, size.ops, size.cpus, size.segments, finding_step,
                        config);
    }
    friend auto operator<=>(const Cost& a, const Cost& b) { return a.Key() <=> b.Key(); }
    friend bool operator==(const Cost& a, const Cost& b) { return a.Key() == b.Key(); }
  };

  // What the configuration adds to the size: one per knob override, and the
  // ordinal of every field the minimizer simplifies (model/config_fields.h),
  // so that lowering one makes the schedule smaller.
  static int ConfigCost(const ScheduleConfig& config) {
    int cost = static_cast<int>(config.knobs.size());
    for (const ConfigField& f : ConfigFields()) {
      if (!f.simpler.ordinals().empty()) cost += f.Ordinal(config);
    }
    return cost;
  }

  static Cost CostOf(const Schedule& s, const Observed& o) {
    Cost c;
    c.size = SizeOf(s, o);
    c.finding_step = o.finding_step;
    c.config = ConfigCost(s.config);
    return c;
  }

  // Accepts `candidate` if it gives the target signature and, canonicalized,
  // is smaller than the best so far (or, with `same_size_ok`, no larger).
  bool Try(Schedule candidate, const std::string& what, bool same_size_ok = false) {
    if (replays_ >= options_.max_replays) return false;
    absl::StatusOr<Observed> o = Observe(candidate);
    if (!o.ok() || o->signature != signature_) return false;
    Canonicalize(candidate, *o);
    absl::StatusOr<Observed> again = Observe(candidate);  // the canonical form itself
    if (!again.ok() || again->signature != signature_) return false;
    const Cost cost = CostOf(candidate, *again);
    if (cost > best_cost_ || (cost == best_cost_ && !same_size_ok)) return false;
    best_ = std::move(candidate);
    best_cost_ = cost;
    best_obs_ = *std::move(again);
    if (options_.progress) {
      options_.progress(absl::StrCat(what, ": ", cost.size.ops, " ops, ", cost.size.preemptions,
                                     " preemptions, ", cost.finding_step + 1, " steps"));
    }
    return true;
  }

  // Decisions become the picks up to the failing step; ops that never started
  // are dropped.
  void Canonicalize(Schedule& s, const Observed& o) {
    // Every pick up to the failing step's, those that took no step included:
    // they are decisions too (a CPU that blocked left the runnable mask).
    std::vector<uint8_t> picks;
    uint64_t steps = 0;
    for (uint8_t pick : o.all_picks) {
      picks.push_back(pick);
      if (!(pick & kPickTookNoStep) && ++steps > o.finding_step) break;
    }
    s.decisions = SegmentsFromPicks(picks);
    for (size_t i = 0; i < s.cpus.size(); ++i) {
      std::vector<Op>& ops = s.cpus[i].ops;
      if (static_cast<int>(ops.size()) > o.ops_started[i]) ops.resize(o.ops_started[i]);
    }
  }

  // The best schedule's picks up to the failing step, with the op of each.
  struct Picks {
    std::vector<uint8_t> cpu;
    std::vector<uint8_t> op;
  };
  Picks BestPicks() const {
    const size_t n = std::min<size_t>(best_obs_.picks.size(), best_obs_.finding_step + 1);
    return {std::vector<uint8_t>(best_obs_.picks.begin(), best_obs_.picks.begin() + n),
            std::vector<uint8_t>(best_obs_.ops.begin(), best_obs_.ops.begin() + n)};
  }

  std::vector<Segment> ThroughSegments(const std::vector<StepId>& gone) const {
    return AnchoredSegments(best_obs_, gone);
  }

  const Observed& best_observed() const { return best_obs_; }

  // ddmin over operations: an op goes together with its steps, so the rest of
  // the interleaving keeps its order.
  bool DropOps() {
    bool any = false;
    for (size_t cpu = 0; cpu < best_.cpus.size(); ++cpu) {
      for (size_t i = best_.cpus[cpu].ops.size(); i-- > 0;) {
        if (cpu >= best_.cpus.size() || i >= best_.cpus[cpu].ops.size()) continue;
        const Picks p = BestPicks();
        std::vector<uint8_t> kept;
        for (size_t j = 0; j < p.cpu.size(); ++j) {
          if (!(p.cpu[j] == cpu && p.op[j] == i)) kept.push_back(p.cpu[j]);
        }
        Schedule c = best_;
        c.cpus[cpu].ops.erase(c.cpus[cpu].ops.begin() + i);
        c.decisions = SegmentsFromPicks(kept);
        any |= Try(std::move(c), absl::StrCat("dropped op ", i, " of cpu ", cpu));
      }
    }
    for (size_t cpu = best_.cpus.size(); cpu-- > 0;) {
      if (best_.cpus.size() == 1 || cpu >= best_.cpus.size()) continue;
      const Picks p = BestPicks();
      std::vector<uint8_t> kept;
      for (uint8_t pick : p.cpu) {
        if (pick == cpu) continue;
        // Programs after the dropped one move down; the interrupt keeps its number.
        kept.push_back(pick > cpu && pick < best_.cpus.size() ? pick - 1 : pick);
      }
      Schedule c = best_;
      c.cpus.erase(c.cpus.begin() + cpu);
      c.decisions = SegmentsFromPicks(kept);
      any |= Try(std::move(c), absl::StrCat("dropped cpu ", cpu));
    }
    return any;
  }

  // Removes preemptions: a CPU's later run of steps is moved up to join its
  // earlier one, or a run is dropped (the default policy places its steps).
  bool DropPreemptions() {
    bool any = false;
    if (!best_.decisions.empty()) {
      Schedule none = best_;
      none.decisions.clear();
      any |= Try(std::move(none), "default policy suffices");
    }
    for (size_t i = 0; i + 2 < best_.decisions.size(); ++i) {
      for (size_t k = i + 2; k < best_.decisions.size(); ++k) {
        if (best_.decisions[k].cpu != best_.decisions[i].cpu) continue;
        Schedule c = best_;
        const Segment moved = c.decisions[k];
        c.decisions.erase(c.decisions.begin() + k);
        c.decisions.insert(c.decisions.begin() + i + 1, moved);
        if (Try(std::move(c), absl::StrCat("joined cpu ", int(moved.cpu), "'s runs"))) {
          any = true;
        }
        break;
      }
    }
    for (size_t i = best_.decisions.size(); i-- > 0;) {
      if (i >= best_.decisions.size()) continue;
      Schedule c = best_;
      c.decisions.erase(c.decisions.begin() + i);
      any |= Try(std::move(c), absl::StrCat("dropped decision segment ", i));
    }
    return any;
  }

  // Iterative context bounding (CHESS): look for the same finding over the
  // same programs with fewer preemptions than the best schedule has, trying
  // bound 0, then 1, and so on. Greedy removal cannot do this when the extra
  // preemptions are the price of a dropped op.
  bool FewerPreemptions() {
    for (int bound = 0; bound < best_cost_.size.preemptions; ++bound) {
      int budget = 4000;
      std::vector<uint8_t> prefix;
      if (SearchBounded(best_, prefix, 0, bound, budget)) return true;
      if (budget <= 0) return false;
    }
    return false;
  }

  // Runs `base`'s programs with `prefix` as decisions, then the default
  // policy; returns true when it reproduces the finding (and was accepted).
  // Otherwise branches on every later step where switching CPUs would be a
  // preemption, while `used` < `bound`.
  bool SearchBounded(const Schedule& base, std::vector<uint8_t>& prefix, int used, int bound,
                     int& budget) {
    if (--budget < 0 || replays_ >= options_.max_replays) return false;
    Schedule c = base;
    c.decisions = SegmentsFromPicks(prefix);
    absl::StatusOr<Observed> o = Observe(c);
    if (!o.ok()) return false;
    if (o->signature == signature_) {
      return Try(std::move(c), absl::StrCat("found with ", used, " preemptions"));
    }
    if (used == bound) return false;
    for (size_t j = std::max<size_t>(prefix.size(), 1); j < o->picks.size(); ++j) {
      const uint8_t ran = o->picks[j - 1];
      if (!((o->runnable[j] >> ran) & 1u)) continue;  // switching here is not a preemption
      for (int other = 0; other <= kMaxCpus; ++other) {
        if (other == ran || !((o->runnable[j] >> other) & 1u)) continue;
        std::vector<uint8_t> next(o->picks.begin(), o->picks.begin() + j);
        next.push_back(static_cast<uint8_t>(other));
        if (SearchBounded(base, next, used + 1, bound, budget)) return true;
        if (budget <= 0) return false;
      }
    }
    return false;
  }

  bool Rename() {
    Schedule c = best_;
    // CPUs in order of first run.
    absl::StatusOr<Observed> o = Observe(best_);
    if (!o.ok()) return false;
    std::vector<int> order;
    for (uint8_t cpu : o->picks) {
      if (cpu >= best_.cpus.size()) continue;  // the interrupt: not a program's CPU
      if (std::find(order.begin(), order.end(), cpu) == order.end()) order.push_back(cpu);
    }
    for (size_t cpu = 0; cpu < best_.cpus.size(); ++cpu) {
      if (std::find(order.begin(), order.end(), static_cast<int>(cpu)) == order.end()) {
        order.push_back(static_cast<int>(cpu));
      }
    }
    std::vector<int> new_index(best_.cpus.size());
    for (size_t i = 0; i < order.size(); ++i) {
      c.cpus[i] = best_.cpus[order[i]];
      new_index[order[i]] = static_cast<int>(i);
    }
    for (Segment& seg : c.decisions) {
      if (seg.cpu < new_index.size()) seg.cpu = static_cast<uint8_t>(new_index[seg.cpu]);
    }
    // Child mms and addresses in order of first use.
    std::map<int, int> mm_map = {{0, 0}};
    for (const CpuProgram& p : c.cpus) {
      for (const Op& op : p.ops) {
        if (op.kind == OpKind::kFork && !mm_map.count(op.arg)) {
          mm_map.emplace(op.arg, static_cast<int>(mm_map.size()));
        }
      }
    }
    std::map<int, int> va_map;
    for (CpuProgram& p : c.cpus) {
      if (!mm_map.count(p.mm)) mm_map.emplace(p.mm, static_cast<int>(mm_map.size()));
      p.mm = static_cast<uint8_t>(mm_map[p.mm]);
      for (Op& op : p.ops) {
        if (op.kind == OpKind::kFork) op.arg = static_cast<uint8_t>(mm_map[op.arg]);
        if (!OpTakesVa(op.kind)) continue;
        if (!va_map.count(op.va)) va_map.emplace(op.va, static_cast<int>(va_map.size()));
        op.va = static_cast<uint8_t>(va_map[op.va]);
      }
    }
    if (SameShape(c, best_)) return false;
    return Try(std::move(c), "renamed cpus, mms and addresses canonically",
               /*same_size_ok=*/true);
  }

  bool SimplifyConfig() {
    bool any = false;
    // Each field's simpler values, in table order (model/config_fields.h).
    for (const ConfigField& f : ConfigFields()) {
      for (const int simpler : f.simpler.ordinals()) {
        Schedule c = best_;
        f.SetOrdinal(c.config, std::min(f.Ordinal(c.config), simpler));
        if (c.config == best_.config) continue;
        any |= Try(std::move(c), std::string(f.simpler.what));
      }
    }
    for (size_t i = best_.config.knobs.size(); i-- > 0;) {
      if (i >= best_.config.knobs.size()) continue;
      Schedule c = best_;
      const std::string name = best_.config.knobs[i].name;
      c.config.knobs.erase(c.config.knobs.begin() + i);
      c.decisions = ThroughSegments(StepsOnlyWith(name));
      any |= Try(std::move(c), absl::StrCat("dropped the ", name, " override"));
    }
    return any;
  }

  static bool SameShape(const Schedule& a, const Schedule& b) {
    if (a.cpus.size() != b.cpus.size() || a.decisions != b.decisions) return false;
    for (size_t i = 0; i < a.cpus.size(); ++i) {
      if (a.cpus[i].mm != b.cpus[i].mm || a.cpus[i].ops.size() != b.cpus[i].ops.size()) {
        return false;
      }
      for (size_t j = 0; j < a.cpus[i].ops.size(); ++j) {
        const Op& x = a.cpus[i].ops[j];
        const Op& y = b.cpus[i].ops[j];
        if (x.kind != y.kind || x.va != y.va || x.arg != y.arg || x.value != y.value) {
          return false;
        }
      }
    }
    return true;
  }

  absl::StatusOr<MinimizeResult> Run(const Schedule& input) {
    absl::StatusOr<Observed> first = Observe(input);
    if (!first.ok()) return first.status();
    if (first->signature.empty()) {
      return absl::FailedPreconditionError("the schedule replays without a finding");
    }
    signature_ = first->signature;
    MinimizeResult result;
    absl::StatusOr<ScheduleSize> before = MeasureSchedule(input);
    if (!before.ok()) return before.status();
    result.before = *before;
    best_ = input;
    Canonicalize(best_, *first);
    absl::StatusOr<Observed> cut = Observe(best_);
    if (!cut.ok() || cut->signature != signature_) {
      return absl::InternalError("cutting after the failing step changed the finding");
    }
    best_obs_ = *std::move(cut);
    best_cost_ = CostOf(best_, best_obs_);
    if (options_.progress) options_.progress("cut after the failing step");
    bool changed = true;
    while (changed && replays_ < options_.max_replays) {
      changed = false;
      changed |= FewerPreemptions();
      changed |= DropOps();
      changed |= DropPreemptions();
      changed |= SimplifyConfig();
      changed |= Rename();
    }
    ++replays_;
    absl::StatusOr<ReplayOutput> last = RunSchedule(executor_, best_, "", /*keep_trace=*/true);
    if (!last.ok()) return last.status();
    best_.expected = ExpectationOf(last->result, &last->trace);
    result.trace = std::move(last->trace);
    if (best_.description.find("(minimized)") == std::string::npos) {
      best_.description += best_.description.empty() ? "(minimized)" : " (minimized)";
    }
    result.schedule = best_;
    absl::StatusOr<ScheduleSize> after = MeasureSchedule(best_);
    if (!after.ok()) return after.status();
    result.after = *after;
    result.replays = replays_;
    return result;
  }

 private:
  const MinimizeOptions& options_;
  Executor executor_;
  Schedule best_;
  Observed best_obs_;
  Cost best_cost_;
  std::string signature_;
  int replays_ = 0;
};

}  // namespace

absl::StatusOr<ScheduleSize> MeasureSchedule(const Schedule& s) {
  MinimizeOptions options;
  Minimizer m(options);
  absl::StatusOr<Observed> o = m.Observe(s);
  if (!o.ok()) return o.status();
  return SizeOf(s, *o);
}

absl::StatusOr<MinimizeResult> Minimize(const Schedule& input, const MinimizeOptions& options) {
  Minimizer m(options);
  return m.Run(input);
}

namespace {

// Whether `s`, whose run `base` observed, fails the same way with the fix for
// `knob` applied (same profile, same era features): replayed with its
// decisions as step counts, and anchored to step identities.
bool PersistsWithFix(Minimizer& m, const Schedule& s, const Observed& base,
                     const std::string& knob) {
  for (bool anchored : {false, true}) {
    Schedule fixed = s;
    fixed.config.knobs.push_back({knob, false});
    if (anchored) fixed.decisions = AnchoredSegments(base, StepsOnlyWith(knob));
    absl::StatusOr<Observed> o = m.Observe(fixed);
    if (o.ok() && o->signature == base.signature) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> KnobsNeeded(const Schedule& input,
                                                     const MinimizeOptions& options) {
  absl::StatusOr<MinimizeResult> min = Minimize(input, options);
  if (!min.ok()) return min.status();
  const Schedule& small = min->schedule;
  absl::StatusOr<RunConfig> config = Resolve(small.config);
  if (!config.ok()) return config.status();
  Minimizer m(options);
  absl::StatusOr<Observed> base = m.Observe(small);
  if (!base.ok()) return base.status();
  std::vector<std::string> needed;
  for (const KnobInfo& info : AllKnobs()) {
    if (!config->knobs.Has(info.knob)) continue;
    const std::string name(info.name);
    if (!PersistsWithFix(m, small, *base, name)) needed.push_back(name);
  }
  return needed;
}

absl::StatusOr<bool> NeedsKnob(const Schedule& input, const std::string& knob,
                               const MinimizeOptions& options) {
  absl::StatusOr<RunConfig> config = Resolve(input.config);
  if (!config.ok()) return config.status();
  const std::optional<Knob> hunted = KnobByName(knob);
  if (!hunted) return absl::InvalidArgumentError(absl::StrCat("unknown knob '", knob, "'"));
  if (!config->knobs.Has(*hunted)) return false;
  Minimizer m(options);
  absl::StatusOr<Observed> base = m.Observe(input);
  if (!base.ok()) return base.status();
  if (base->signature.empty()) {
    return absl::FailedPreconditionError("the schedule does not replay to a fatal finding");
  }
  // The unminimized run failing the same way with the fix is already a run
  // the bug does not explain; only a finding that survives this check pays
  // for the minimization.
  if (PersistsWithFix(m, input, *base, knob)) return false;
  absl::StatusOr<std::vector<std::string>> needed = KnobsNeeded(input, options);
  if (!needed.ok()) return needed.status();
  return std::find(needed->begin(), needed->end(), knob) != needed->end();
}

std::function<bool(const Schedule&)> HuntFilter(std::string knob) {
  return [knob = std::move(knob)](const Schedule& finding) {
    absl::StatusOr<bool> needed = NeedsKnob(finding, knob);
    return needed.ok() && *needed;
  };
}

}  // namespace swapfuzz
