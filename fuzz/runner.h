// The engine-agnostic core of the fuzz targets: bytes in, a run, a finding out.
//
// A FuzzRunner decodes an input with DecodePrograms() and ByteDecider, runs it,
// and can hand back the run as a schedule that replays it exactly (its
// decisions are the CPUs the run actually picked). The libFuzzer adapter,
// the standalone replayer and the in-process strategies all sit on top of it.

#ifndef SWAPFUZZ_FUZZ_RUNNER_H_
#define SWAPFUZZ_FUZZ_RUNNER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fuzz/decoder.h"
#include "model/executor.h"
#include "model/schedule.h"

namespace swapfuzz {

class FuzzRunner {
 public:
  // Resolves `target.base` once; `target` must outlive the runner.
  //
  // Precondition: Resolve(target.base) succeeds, and the release it resolves
  // to models the target's ops (CheckOpsModelled()). The built-in targets
  // (fuzz/targets.h) do; a caller that puts a user's profile, knobs or other
  // config fields into a target must check that first and report the error
  // itself, as HarnessConfigFromEnv() (harness/env_config.h) and `swapfuzz
  // explore` do. A runner built on a target that does not resolve prints the
  // target's name and the error to stderr and aborts, before any run: a
  // programming error is reported, never run with a half-made configuration.
  explicit FuzzRunner(const FuzzTarget& target);

  // Decodes and runs one input; `coverage` (optional) collects interleaving
  // features, and every executed step is appended to `trace` when it is set.
  // Returns the first fatal finding, valid until the next Run().
  const Finding* Run(std::span<const uint8_t> data, InterleavingCoverage* coverage = nullptr,
                     std::vector<TraceEvent>* trace = nullptr);

  // Runs the programs of schedule() with any decider, recording picks; every
  // executed step is appended to `trace` when it is set.
  //
  // Of schedule().config, RunWith() reads only the fields the fuzz decoder
  // sets from each input: the kPerInput and kPerInputUpToTarget rows of
  // SWAPFUZZ_CONFIG_FIELDS (model/config_fields.h).
  // Every other field, the profile and the knobs come from the target's base
  // configuration, resolved once by the constructor. A caller that runs a
  // schedule of its own through a runner therefore builds the runner on a
  // target whose base is that schedule's config.
  const Finding* RunWith(Decider& decider, InterleavingCoverage* coverage = nullptr,
                         std::vector<TraceEvent>* trace = nullptr);

  // The last run as a schedule that replays it exactly, with its expectation.
  Schedule LastSchedule() const;

  const RunResult& last_result() const { return result_; }
  // Every pick of the last run, as RunOptions::picks records them.
  const std::vector<uint8_t>& last_picks() const { return picks_; }
  const FuzzTarget& target() const { return target_; }
  // The machine as the last run left it.
  const Kernel& kernel() const { return executor_.kernel(); }
  // The decoded schedule of the last input (no decisions); strategies may
  // fill it directly before RunWith().
  Schedule& schedule() { return schedule_; }

 private:
  const FuzzTarget& target_;
  RunConfig base_;
  Schedule schedule_;
  std::vector<uint8_t> picks_;
  Executor executor_;
  RunResult result_;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_RUNNER_H_
