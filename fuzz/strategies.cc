#include "fuzz/strategies.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_format.h"
#include "fuzz/decoder.h"
#include "fuzz/pct.h"
#include "model/steps.h"

namespace swapfuzz {

double PctMissBound(int n, uint64_t k, int d, uint64_t runs) {
  if (n <= 0 || k == 0 || d <= 0) return 1.0;
  // p = 1 / (n * k^(d-1)), in logs so that large k does not overflow.
  const double log_denominator = std::log(static_cast<double>(n)) +
                                 (d - 1) * std::log(static_cast<double>(k));
  const double p = std::exp(-log_denominator);
  if (p >= 1.0) return runs == 0 ? 1.0 : 0.0;
  return std::exp(static_cast<double>(runs) * std::log1p(-p));
}

// ---------------------------------------------------------------- programs

void ProgramSource::Fill(FuzzRunner& runner) {
  Schedule& s = runner.schedule();
  if (fixed_) {
    s.config = fixed_->config;
    s.cpus = fixed_->cpus;
    s.decisions.clear();
    s.expected.reset();
    return;
  }
  bytes_.resize(kDecisionOffset);
  for (size_t i = 0; i < bytes_.size(); i += 8) {
    uint64_t w = rng_.Next();
    for (size_t j = i; j < std::min(i + 8, bytes_.size()); ++j, w >>= 8) {
      bytes_[j] = static_cast<uint8_t>(w);
    }
  }
  DecodePrograms(runner.target(), bytes_, s);
}

namespace {

// ---------------------------------------------------------------- bytes

class ByteStrategy final : public Strategy {
 public:
  ByteStrategy(uint64_t seed, std::optional<Schedule> fixed) : source_(seed, std::move(fixed)) {}
  std::string_view name() const override { return "bytes"; }
  Decider* Next(FuzzRunner& runner) override {
    source_.Fill(runner);
    decisions_.resize(256);
    for (uint8_t& b : decisions_) b = static_cast<uint8_t>(source_.rng().Next());
    decider_.emplace(decisions_);
    return &*decider_;
  }

 private:
  ProgramSource source_;
  std::vector<uint8_t> decisions_;
  std::optional<ByteDecider> decider_;
};

// ---------------------------------------------------------------- random walk

class RandomDecider final : public Decider {
 public:
  explicit RandomDecider(Rng& rng) : rng_(rng) {}
  int Pick(uint32_t runnable, int, const Kernel&) override {
    return NthSetBit(runnable, rng_.Below(__builtin_popcount(runnable)));
  }

 private:
  Rng& rng_;
};

class RandomWalk final : public Strategy {
 public:
  RandomWalk(uint64_t seed, std::optional<Schedule> fixed)
      : source_(seed, std::move(fixed)), decider_(source_.rng()) {}
  std::string_view name() const override { return "random"; }
  Decider* Next(FuzzRunner& runner) override {
    source_.Fill(runner);
    return &decider_;
  }

 private:
  ProgramSource source_;
  RandomDecider decider_;
};

// ---------------------------------------------------------------- PCT

class Pct final : public Strategy {
 public:
  Pct(uint64_t seed, int depth, std::optional<Schedule> fixed)
      : source_(seed, std::move(fixed)), depth_(std::max(depth, 1)) {}
  std::string_view name() const override { return "pct"; }
  Decider* Next(FuzzRunner& runner) override {
    source_.Fill(runner);
    decider_.Reset(source_.rng(), depth_, k_);
    return &decider_;
  }
  void Done(const FuzzRunner& runner) override {
    k_ = std::max<uint64_t>(k_, runner.last_result().steps);
  }

 private:
  ProgramSource source_;
  int depth_;
  uint64_t k_ = 0;
  PctDecider decider_;
};

// ---------------------------------------------------------------- DFS

// What a step touched: up to four swap offsets and pages, or everything.
struct Footprint {
  bool global = true;
  uint8_t count = 0;
  std::array<Offset, 4> offsets{};
  std::array<PageId, 4> pages{};
};

Footprint FootprintOf(const std::vector<TraceEvent>& trace, size_t begin, size_t end) {
  Footprint f;
  if (begin >= end) return f;  // blocked, or only finished its program
  f.global = false;
  for (size_t i = begin; i < end; ++i) {
    const TraceEvent& e = trace[i];
    // The shared zero page names no object of its own: a step that maps or
    // unmaps it works on a PTE no event names, so it depends on everything.
    if ((e.offset == kNoOffset && (e.page == kNoPage || e.page == kZeroPage)) ||
        FnTouchesSharedState(StepFn(e.id)) ||
        f.count == f.offsets.size()) {
      f.global = true;
      return f;
    }
    f.offsets[f.count] = e.offset;
    f.pages[f.count] = e.page;
    ++f.count;
  }
  return f;
}

struct Move {
  int cpu = 0;
  Footprint footprint;
};

bool Independent(const Move& a, const Move& b) {
  if (a.cpu == b.cpu || a.footprint.global || b.footprint.global) return false;
  for (int i = 0; i < a.footprint.count; ++i) {
    for (int j = 0; j < b.footprint.count; ++j) {
      const Offset oa = a.footprint.offsets[i], ob = b.footprint.offsets[j];
      const PageId pa = a.footprint.pages[i], pb = b.footprint.pages[j];
      if (oa != kNoOffset && oa == ob) return false;
      if (pa != kNoPage && pa == pb) return false;
    }
  }
  return true;
}

struct Node {
  std::vector<int> choices;  // in exploration order
  size_t next = 0;           // the index of the next untried choice
  Move chosen;               // the choice being explored, with its footprint
  std::vector<Move> sleep;   // asleep on entry
  std::vector<Move> done;    // explored choices, with their footprints
  int preemptions = 0;       // before this pick
  int current = -1;
  uint32_t runnable = 0;
};

class Dfs final : public Strategy, public Decider {
 public:
  Dfs(const Schedule& fixed, const DfsOptions& options)
      : source_(0, fixed), options_(options) {}
  std::string_view name() const override { return "dfs"; }
  std::vector<TraceEvent>* trace() override { return &trace_; }

  Decider* Next(FuzzRunner& runner) override {
    if (started_ && !Backtrack()) return nullptr;
    started_ = true;
    source_.Fill(runner);
    trace_.clear();
    depth_ = 0;
    mark_ = 0;
    pruned_ = false;
    return this;
  }

  void Done(const FuzzRunner& runner) override {
    if (!pruned_) CloseStep(runner.kernel());
    ++executions_;
  }

  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    CloseStep(k);
    if (pruned_) return DefaultPick(runnable, current);
    if (depth_ < stack_.size()) return stack_[depth_++].chosen.cpu;
    Node node;
    node.runnable = runnable;
    node.current = current;
    if (!stack_.empty()) {
      const Node& parent = stack_.back();
      node.preemptions = parent.preemptions + (IsPreemption(parent, parent.chosen.cpu) ? 1 : 0);
      if (options_.sleep_sets) {
        for (const std::vector<Move>* from : {&parent.sleep, &parent.done}) {
          for (const Move& m : *from) {
            if (Independent(m, parent.chosen)) node.sleep.push_back(m);
          }
        }
      }
    }
    auto allowed = [&](int cpu) {
      if (!((runnable >> cpu) & 1u)) return false;
      for (const Move& m : node.sleep) {
        if (m.cpu == cpu) return false;
      }
      return !IsPreemption(node, cpu) || node.preemptions < options_.preemption_bound;
    };
    if (current >= 0 && allowed(current)) node.choices.push_back(current);
    for (int cpu = 0; cpu <= kMaxCpus; ++cpu) {
      if (cpu != current && allowed(cpu)) node.choices.push_back(cpu);
    }
    if (node.choices.empty()) {
      // Every choice is asleep: an equivalent run was explored already.
      pruned_ = true;
      ++sleep_blocked_;
      return DefaultPick(runnable, current);
    }
    node.chosen.cpu = node.choices[0];
    node.next = 1;
    stack_.push_back(std::move(node));
    ++depth_;
    ++states_;
    return stack_.back().chosen.cpu;
  }

  std::string Summary() const override {
    return absl::StrFormat("%d executions, %d states, %d sleep-set prunings, preemption bound %d",
                           executions_, states_, sleep_blocked_, options_.preemption_bound);
  }

 private:
  static bool IsPreemption(const Node& node, int cpu) {
    return node.current >= 0 && cpu != node.current && ((node.runnable >> node.current) & 1u);
  }
  // The step since the last pick belongs to the node picked last.
  // `k` is the machine after the step.
  void CloseStep(const Kernel& k) {
    if (!pruned_ && depth_ > 0 && depth_ <= stack_.size()) {
      Footprint& f = stack_[depth_ - 1].chosen.footprint;
      f = FootprintOf(trace_, mark_, trace_.size());
      // With several swap devices, a step that changed the avail list (a
      // free that put a full device back) depends on every other such step:
      // their order is the list's order. One device has no order to change.
      if (k.swap_multi && k.avail_seq != mark_avail_seq_) f.global = true;
    }
    mark_ = trace_.size();
    mark_avail_seq_ = k.avail_seq;
  }
  // Moves to the next untried choice of the deepest node that has one.
  bool Backtrack() {
    while (!stack_.empty()) {
      Node& top = stack_.back();
      top.done.push_back(top.chosen);
      if (top.next < top.choices.size()) {
        top.chosen = Move{top.choices[top.next++], Footprint{}};
        return true;
      }
      stack_.pop_back();
    }
    return false;
  }

  ProgramSource source_;
  DfsOptions options_;
  std::vector<Node> stack_;
  std::vector<TraceEvent> trace_;
  size_t depth_ = 0;
  size_t mark_ = 0;
  uint16_t mark_avail_seq_ = 0;
  bool pruned_ = false;
  bool started_ = false;
  uint64_t executions_ = 0, states_ = 0, sleep_blocked_ = 0;
};

// Forwards to another decider and remembers which CPUs were ever runnable.
class CountingDecider final : public Decider {
 public:
  explicit CountingDecider(Decider& inner) : inner_(inner) {}
  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    seen_ |= runnable;
    return inner_.Pick(runnable, current, k);
  }
  void Executed(int cpu, StepId step) override { inner_.Executed(cpu, step); }
  uint32_t seen() const { return seen_; }

 private:
  Decider& inner_;
  uint32_t seen_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> MakeByteStrategy(uint64_t seed, std::optional<Schedule> fixed) {
  return std::make_unique<ByteStrategy>(seed, std::move(fixed));
}
std::unique_ptr<Strategy> MakeRandomWalk(uint64_t seed, std::optional<Schedule> fixed) {
  return std::make_unique<RandomWalk>(seed, std::move(fixed));
}
std::unique_ptr<Strategy> MakePct(uint64_t seed, int depth, std::optional<Schedule> fixed) {
  return std::make_unique<Pct>(seed, depth, std::move(fixed));
}
std::unique_ptr<Strategy> MakeDfs(const Schedule& fixed, const DfsOptions& options) {
  return std::make_unique<Dfs>(fixed, options);
}

ExploreResult Explore(Strategy& strategy, FuzzRunner& runner, const ExploreOptions& options) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_progress = start;
  ExploreResult out;
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  while (options.max_runs == 0 || out.executions < options.max_runs) {
    if (options.max_seconds > 0 && (out.executions & 63) == 0 && elapsed() >= options.max_seconds) {
      break;
    }
    Decider* decider = strategy.Next(runner);
    if (decider == nullptr) {
      out.exhausted = true;
      break;
    }
    CountingDecider counting(*decider);
    const Finding* f = runner.RunWith(counting, nullptr, strategy.trace());
    strategy.Done(runner);
    ++out.executions;
    out.n = std::max(out.n, __builtin_popcount(counting.seen()));
    out.k = std::max<uint64_t>(out.k, runner.last_result().steps);
    if (f != nullptr) {
      if (!options.counts || options.counts(runner.LastSchedule())) {
        out.found = true;
        out.signature = f->Signature();
        break;
      }
      ++out.passed_over;
    }
    if (options.progress && (out.executions & 255) == 0) {
      const Clock::time_point now = Clock::now();
      if (now - last_progress >= std::chrono::seconds(1)) {
        last_progress = now;
        options.progress(absl::StrFormat("%d executions in %.1f s, n=%d k=%d", out.executions,
                                         elapsed(), out.n, out.k));
      }
    }
  }
  out.seconds = elapsed();
  out.summary = strategy.Summary();
  return out;
}

}  // namespace swapfuzz
