// Costs of the fuzzing loop's parts, through the byte decoder as the fuzz
// targets run it (FuzzRunner on the `zram` target, v5.16, no sanitizers in the
// default build):
//   BM_Decode          DecodePrograms() on one input (configuration + programs)
//   BM_Oracles         CheckAfterStep() + CheckQuiescent() on a prepared kernel
//                      (the state a clean 60-odd-step run ends in)
//   BM_Schedules/N     whole schedules (decode + run + oracles) of about N
//                      steps (N = 16, 64, 256): inputs are drawn from a seeded
//                      PRNG and kept when their run takes N/1.5 .. N*1.5 steps
//   BM_Strategy/...    one execution of each in-process strategy (random,
//                      pct d=2) on random programs
// Inputs come from the strategies' own Rng, so every machine measures the
// same schedules.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "fuzz/decoder.h"
#include "fuzz/runner.h"
#include "fuzz/strategies.h"
#include "model/oracles.h"

namespace swapfuzz {
namespace {

std::vector<uint8_t> RandomInput(Rng& rng, size_t size) {
  std::vector<uint8_t> in(size);
  for (uint8_t& b : in) b = static_cast<uint8_t>(rng.Next());
  return in;
}

// Inputs whose run (no finding) takes about `steps` steps.
std::vector<std::vector<uint8_t>> InputsOfSteps(const FuzzTarget& target, uint64_t steps,
                                               size_t want) {
  FuzzRunner runner(target);
  Rng rng(steps);
  std::vector<std::vector<uint8_t>> out;
  for (int tries = 0; tries < 2000000 && out.size() < want; ++tries) {
    std::vector<uint8_t> in = RandomInput(rng, kDecisionOffset + 2 * steps);
    // Fewer ops for short schedules: end programs early.
    if (steps <= 16) {
      for (size_t i = kHeaderBytes + 4; i < kDecisionOffset; i += 2) in[i] = 15;
    } else if (steps <= 64) {
      for (size_t i = kHeaderBytes; i < kDecisionOffset; i += 2) {
        if (((i - kHeaderBytes) / 2) % kOpsPerCpu >= 4) in[i] = 15;
      }
    }
    if (runner.Run(in) != nullptr) continue;
    const uint64_t got = runner.last_result().steps;
    if (got * 3 >= steps * 2 && got * 2 <= steps * 3) out.push_back(std::move(in));
  }
  return out;
}

void BM_Decode(benchmark::State& state) {
  const FuzzTarget& target = *TargetByName("zram");
  Rng rng(1);
  std::vector<std::vector<uint8_t>> inputs;
  for (int i = 0; i < 256; ++i) inputs.push_back(RandomInput(rng, kDecisionOffset + 64));
  Schedule s;
  size_t i = 0;
  for (auto _ : state) {
    DecodePrograms(target, inputs[i++ & 255], s);
    benchmark::DoNotOptimize(s.cpus.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode);

void BM_Oracles(benchmark::State& state) {
  const FuzzTarget& target = *TargetByName("zram");
  std::vector<std::vector<uint8_t>> inputs = InputsOfSteps(target, 64, 1);
  if (inputs.empty()) {
    state.SkipWithError("no input of about 64 steps");
    return;
  }
  // Replay it on a bare executor to keep its end state.
  FuzzRunner runner(target);
  runner.Run(inputs[0]);
  Executor executor;
  absl::StatusOr<ReplayOutput> out = RunSchedule(executor, runner.LastSchedule());
  if (!out.ok() || out->finding) {
    state.SkipWithError("the prepared run failed");
    return;
  }
  Kernel& k = executor.mutable_kernel();
  for (auto _ : state) {
    CheckAfterStep(k);
    CheckQuiescent(k);
    benchmark::DoNotOptimize(k.findings.fatal);
  }
  if (k.findings.fatal) state.SkipWithError("the oracles reported a finding");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Oracles);

void BM_Schedules(benchmark::State& state) {
  const FuzzTarget& target = *TargetByName("zram");
  const uint64_t steps = static_cast<uint64_t>(state.range(0));
  std::vector<std::vector<uint8_t>> inputs = InputsOfSteps(target, steps, 64);
  if (inputs.empty()) {
    state.SkipWithError("no inputs of that size");
    return;
  }
  FuzzRunner runner(target);
  uint64_t total_steps = 0;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(runner.Run(inputs[i++ % inputs.size()]));
    total_steps += runner.last_result().steps;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["steps/schedule"] =
      static_cast<double>(total_steps) / static_cast<double>(state.iterations());
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(total_steps),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Schedules)->Arg(16)->Arg(64)->Arg(256);

void BM_Strategy(benchmark::State& state) {
  const FuzzTarget& target = *TargetByName("mainline");
  FuzzRunner runner(target);
  std::unique_ptr<Strategy> strategy =
      state.range(0) == 0 ? MakeRandomWalk(1) : MakePct(1, 2);
  uint64_t total_steps = 0;
  for (auto _ : state) {
    Decider* d = strategy->Next(runner);
    benchmark::DoNotOptimize(runner.RunWith(*d));
    strategy->Done(runner);
    total_steps += runner.last_result().steps;
  }
  state.SetLabel(state.range(0) == 0 ? "random" : "pct d=2");
  state.SetItemsProcessed(state.iterations());
  state.counters["steps/schedule"] =
      static_cast<double>(total_steps) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Strategy)->Arg(0)->Arg(1);

}  // namespace
}  // namespace swapfuzz

BENCHMARK_MAIN();
