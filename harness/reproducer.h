// The reproducer sink: where a finding's schedule is written, by the fuzz
// targets and by `swapfuzz explore`.
#ifndef SWAPFUZZ_HARNESS_REPRODUCER_H_
#define SWAPFUZZ_HARNESS_REPRODUCER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fuzz/runner.h"
#include "model/trace.h"

namespace swapfuzz {

struct SavedReproducer {
  std::string path;
  bool created = false;
};

// Writes the last run of `runner` (which must have a finding) as a JSON
// reproducer into `dir` (created if missing), named
// "<target>__<signature stem>.json". Keeps the first reproducer of each
// signature: returns its path, and whether it was new. A new reproducer is
// verified first (VerifyLastRun()): one that does not replay is an Internal
// error naming the first divergent step, and nothing is written.
absl::StatusOr<SavedReproducer> SaveReproducer(const FuzzRunner& runner, const std::string& dir);

// The trace of the last run of `runner`, taken by running its programs again
// on a fresh runner of the same target with exactly the picks it made
// (FuzzRunner::last_picks()).
std::vector<TraceEvent> RecordedTrace(const FuzzRunner& runner);

// Whether runner.LastSchedule() replays the last run exactly:
// VerifyReproducer() (replay/verify.h) against RecordedTrace(runner).
absl::Status VerifyLastRun(const FuzzRunner& runner);

// "data-integrity:do_swap_page:page" -> "data-integrity__do_swap_page__page"
std::string SignatureFileStem(const std::string& signature);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_HARNESS_REPRODUCER_H_
