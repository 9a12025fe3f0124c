// Throughput of the deterministic executor: atomic steps per second, and whole
// schedules per second at three schedule sizes, under five releases.
//
// Every schedule is two to four CPU programs (CLONE_VM threads of mm 0 and,
// with three or more CPUs, CPU 2 running in an mm that CPU 0 forks) with a mix of
// write / read / reclaim / munmap / drain_slots operations on a handful of
// addresses, run to the end with a decider that picks a random runnable CPU at
// every step. Programs and decisions come from a small Park-Miller generator
// (the one LevelDB's util/random.h uses), so a run of the binary measures the
// same schedules on every machine.
//
// The programs are prepared before timing and one Executor is reused, so the
// timed loop allocates nothing: Executor::Reset + Run allocate nothing when no
// trace or pick list is attached.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/executor.h"
#include "base/rng.h"
#include "model/schedule.h"

namespace swapfuzz {
namespace {

// Picks uniformly among the runnable CPUs. A CPU whose mm does not exist yet
// (the child of a fork still to come) is kept off while another CPU can run.
class RandomDecider final : public Decider {
 public:
  explicit RandomDecider(uint64_t seed) : rnd_(seed) {}

  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    (void)current;
    uint32_t mask = 0;
    for (int i = 0; i < k.ncpus; ++i) {
      if (((runnable >> i) & 1u) && k.mms[k.cpus[i].mm].alive) mask |= 1u << i;
    }
    if (mask == 0) mask = runnable;
    uint64_t r = rnd_.Below(static_cast<uint64_t>(__builtin_popcount(mask)));
    while (r-- > 0) mask &= mask - 1;  // drop the lowest set bits
    return __builtin_ctz(mask);
  }

 private:
  Rng rnd_;  // the project PRNG: the same schedules on every machine
};

constexpr int kVas = 4;           // addresses the programs touch
constexpr int kPoolSize = 64;     // distinct program sets per benchmark
constexpr uint8_t kChildMm = 1;   // the mm CPU 0 forks for CPU 2

// One program set: `ncpus` programs of `ops` operations each.
std::vector<CpuProgram> MakePrograms(Rng& rnd, int ncpus, int ops) {
  std::vector<CpuProgram> cpus(ncpus);
  const bool fork = ncpus >= 3;
  for (int c = 0; c < ncpus; ++c) {
    CpuProgram& p = cpus[c];
    p.mm = (fork && c == 2) ? kChildMm : 0;
    for (int j = 0; j < ops; ++j) {
      Op op;
      op.va = static_cast<uint8_t>(rnd.Below(kVas));
      if (fork && c == 0 && j == ops / 3) {
        op.kind = OpKind::kFork;
        op.arg = kChildMm;
        op.va = 0;
        p.ops.push_back(op);
        continue;
      }
      const uint32_t dice = rnd.Below(100);
      if (dice < 35) op.kind = OpKind::kWrite;         // value 0: a fresh token
      else if (dice < 60) op.kind = OpKind::kRead;
      else if (dice < 85) op.kind = OpKind::kReclaim;
      else if (dice < 93) op.kind = OpKind::kMunmap;
      else op.kind = OpKind::kDrainSlots;
      p.ops.push_back(op);
    }
  }
  return cpus;
}

// A resolved configuration and a pool of program sets of about one size.
struct Workload {
  RunConfig config;
  std::vector<std::vector<CpuProgram>> pool;
  int ncpus = 0;
  int ops = 0;
  double calibrated_steps = 0;  // mean steps per schedule over one pass of the pool
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "executor_benchmark: %s\n", what.c_str());
  std::abort();
}

RunConfig ResolveProfile(const std::string& profile) {
  ScheduleConfig sc;
  sc.profile = profile;
  absl::StatusOr<RunConfig> config = Resolve(sc);
  if (!config.ok()) Die(std::string(config.status().message()));
  return *config;
}

std::vector<std::vector<CpuProgram>> MakePool(int ncpus, int ops) {
  Rng rnd(301 + 7 * ncpus + ops);
  std::vector<std::vector<CpuProgram>> pool;
  pool.reserve(kPoolSize);
  for (int i = 0; i < kPoolSize; ++i) {
    pool.push_back(MakePrograms(rnd, ncpus, ops));
    Schedule s;
    s.cpus = pool.back();
    if (absl::Status st = Validate(s); !st.ok()) Die(std::string(st.message()));
  }
  return pool;
}

// Seeds of the decider: schedule i of a pass uses seed i + 1.
double MeanSteps(Executor& ex, const RunConfig& config,
                 const std::vector<std::vector<CpuProgram>>& pool) {
  uint64_t steps = 0;
  for (size_t i = 0; i < pool.size(); ++i) {
    RandomDecider decider(static_cast<uint32_t>(i + 1));
    ex.Reset(config, pool[i]);
    steps += ex.Run(decider).steps;
  }
  return static_cast<double>(steps) / static_cast<double>(pool.size());
}

// Chooses the CPU count and program length whose mean schedule length is
// closest to `target_steps` under `profile`. Three CPUs (two threads and a
// forked child, the shape of seed 000) are preferred whenever they come within
// 10% of the target, so that sizes compare like with like; otherwise two or
// four CPUs are tried too.
Workload MakeWorkload(const std::string& profile, int target_steps) {
  const RunConfig config = ResolveProfile(profile);
  auto executor = std::make_unique<Executor>();
  Workload best;
  double best_err = -1;
  for (int ncpus : {3, 2, 4}) {
    if (best_err >= 0 && best.ncpus == 3 && best_err <= 0.1 * target_steps) break;
    for (int ops = 1; ops <= kMaxOpsPerCpu; ++ops) {
      std::vector<std::vector<CpuProgram>> pool = MakePool(ncpus, ops);
      const double mean = MeanSteps(*executor, config, pool);
      const double err = mean > target_steps ? mean - target_steps : target_steps - mean;
      if (best_err < 0 || err < best_err) {
        best_err = err;
        best.config = config;
        best.pool = std::move(pool);
        best.ncpus = ncpus;
        best.ops = ops;
        best.calibrated_steps = mean;
      }
      if (mean > 2.0 * target_steps) break;
    }
  }
  return best;
}

// Workloads are built once per (profile, size): the library calls a benchmark
// function several times while it settles the iteration count.
const Workload& CachedWorkload(const std::string& profile, int target_steps) {
  static auto* cache = new std::map<std::pair<std::string, int>, std::unique_ptr<Workload>>;
  std::unique_ptr<Workload>& w = (*cache)[{profile, target_steps}];
  if (w == nullptr) w = std::make_unique<Workload>(MakeWorkload(profile, target_steps));
  return *w;
}

// Runs the workload's schedules round-robin, one per iteration.
void RunSchedules(benchmark::State& state, const Workload& w) {
  auto executor = std::make_unique<Executor>();
  Executor& ex = *executor;
  uint64_t steps = 0, fatal = 0, schedules = 0;
  uint32_t seed = 1;
  size_t next = 0;
  for (auto _ : state) {
    RandomDecider decider(seed++);
    ex.Reset(w.config, w.pool[next]);
    const RunResult r = ex.Run(decider);
    benchmark::DoNotOptimize(r.trace_hash);
    steps += r.steps;
    fatal += r.finding != nullptr;
    ++schedules;
    if (++next == w.pool.size()) next = 0;
  }
  const double n = schedules == 0 ? 1.0 : static_cast<double>(schedules);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps),
                                                 benchmark::Counter::kIsRate);
  state.counters["schedules/s"] = benchmark::Counter(static_cast<double>(schedules),
                                                     benchmark::Counter::kIsRate);
  state.counters["avg_steps"] = static_cast<double>(steps) / n;
  // Share of schedules that ended in a fatal finding (a bug, a deadlock or a
  // spent budget); these end early, so they shorten the average.
  state.counters["finding_rate"] = static_cast<double>(fatal) / n;
  state.counters["cpus"] = w.ncpus;
  state.counters["ops/cpu"] = w.ops;
}

// Steps per second, on mid-sized (~64 step) mainline schedules.
void BM_Steps(benchmark::State& state) {
  RunSchedules(state, CachedWorkload("mainline", 64));
}
BENCHMARK(BM_Steps);

// Whole schedules per second; the argument is the approximate steps per schedule.
void BM_Schedules(benchmark::State& state, const char* profile) {
  RunSchedules(state, CachedWorkload(profile, static_cast<int>(state.range(0))));
}
BENCHMARK_CAPTURE(BM_Schedules, v5.16, "v5.16")->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_CAPTURE(BM_Schedules, v6.9, "v6.9")->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_CAPTURE(BM_Schedules, v6.12.y, "v6.12.y")->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_CAPTURE(BM_Schedules, v6.18.y, "v6.18.y")->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_CAPTURE(BM_Schedules, v7.1.y, "v7.1.y")->Arg(16)->Arg(64)->Arg(256);

}  // namespace
}  // namespace swapfuzz

BENCHMARK_MAIN();
