// Minimizing a failing schedule to a small reproducer with the same finding.
//
// Passes run to a fixed point, and a candidate is accepted only if replaying it
// gives the same finding signature:
//   1. cut everything after the failing step (later decisions, unstarted ops);
//   2. delta-debug the operations (each CPU's, then whole CPUs);
//   3. remove preemptions: drop decision segments, so the running CPU goes on;
//   4. rename canonically: CPUs in order of first run, addresses and child mms
//      in order of first use;
//   5. simplify the configuration: lower each field to the simpler values its
//      row of SWAPFUZZ_CONFIG_FIELDS gives (model/config_fields.h: no
//      readahead, no slots cache, fewer slots), and drop every knob override
//      that the finding does not need.
// The result keeps the input's profile and ends with an `expected` block.

#ifndef SWAPFUZZ_REPLAY_MINIMIZE_H_
#define SWAPFUZZ_REPLAY_MINIMIZE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/schedule.h"
#include "model/trace.h"

namespace swapfuzz {

// How big a schedule is, as a reader of a reproducer counts it.
struct ScheduleSize {
  int ops = 0;
  int cpus = 0;
  int segments = 0;
  // Switches away from a CPU that could have gone on.
  int preemptions = 0;
  uint64_t steps = 0;
};

// Replays `s` and measures it. Fails if the schedule does not run.
absl::StatusOr<ScheduleSize> MeasureSchedule(const Schedule& s);

struct MinimizeOptions {
  // Called after every accepted candidate with a one-line description.
  std::function<void(const std::string&)> progress;
  // Replays allowed, to bound the time on large inputs.
  int max_replays = 20000;
};

struct MinimizeResult {
  Schedule schedule;
  // The run of `schedule` its expected block was taken from, step by step.
  std::vector<TraceEvent> trace;
  ScheduleSize before;
  ScheduleSize after;
  int replays = 0;
};

// Fails if `input` does not replay to a fatal finding.
absl::StatusOr<MinimizeResult> Minimize(const Schedule& input,
                                        const MinimizeOptions& options = {});

// The catalogue knobs a finding needs: the historical bugs without which it
// does not happen. The schedule is minimized first; then, for each knob its
// configuration sets, the minimized run is replayed with that one fix applied
// (same profile, same era features), with its decisions both as step counts
// and anchored to step identities. A knob is needed when neither replay
// reproduces the finding. (Step counts alone are not enough: applying a fix
// adds or removes steps, which moves every later decision.)
absl::StatusOr<std::vector<std::string>> KnobsNeeded(const Schedule& input,
                                                     const MinimizeOptions& options = {});

// Whether the finding needs `knob`: KnobsNeeded(input) contains it. Cheaper
// when it does not: the unminimized run is first replayed with that fix
// applied, and a finding that persists is answered without minimizing, so a
// hunt (SWAPFUZZ_HUNT, `swapfuzz explore --hunt`) passes over other bugs at
// the cost of a few replays. False when the configuration does not set the
// knob; an error for an unknown knob or a run without a fatal finding.
absl::StatusOr<bool> NeedsKnob(const Schedule& input, const std::string& knob,
                               const MinimizeOptions& options = {});

// NeedsKnob() as a hunt filter (ExploreOptions::counts): a finding counts
// when it needs `knob`; one whose attribution fails does not.
std::function<bool(const Schedule&)> HuntFilter(std::string knob);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_REPLAY_MINIMIZE_H_
