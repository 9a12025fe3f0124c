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
  explicit FuzzRunner(const FuzzTarget& target);

  // Decodes and runs one input; `coverage` (optional) collects interleaving
  // features, and every executed step is appended to `trace` when it is set.
  // Returns the first fatal finding, valid until the next Run().
  const Finding* Run(std::span<const uint8_t> data, InterleavingCoverage* coverage = nullptr,
                     std::vector<TraceEvent>* trace = nullptr);

  // Runs `programs` (already in `schedule`) with any decider, recording picks;
  // every executed step is appended to `trace` when it is set.
  const Finding* RunWith(Decider& decider, InterleavingCoverage* coverage = nullptr,
                         std::vector<TraceEvent>* trace = nullptr);

  // The last run as a schedule that replays it exactly, with its expectation.
  Schedule LastSchedule() const;

  const RunResult& last_result() const { return result_; }
  // Every pick of the last run, as RunOptions::picks records them.
  const std::vector<uint8_t>& last_picks() const { return picks_; }
  const FuzzTarget& target() const { return target_; }
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
