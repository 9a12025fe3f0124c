// A schedule: everything needed to replay one run exactly.
//
// It holds the configuration (a profile, knob overrides, sizes), one program
// per CPU, and the interleaving decisions. Decisions are segments "run CPU c
// for n steps" or "run CPU c through step S"; a segment whose CPU cannot run
// ends early. Once the segments are used up, DefaultPick() finishes the run.
// Saved schedules are JSON (format/schedule_io.h, docs/schedule-format.md).

#ifndef SWAPFUZZ_MODEL_SCHEDULE_H_
#define SWAPFUZZ_MODEL_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/config_fields.h"
#include "model/executor.h"

namespace swapfuzz {

struct KnobOverride {
  std::string name;
  bool on = false;
  friend bool operator==(const KnobOverride&, const KnobOverride&) = default;
};

// The configuration a schedule runs with: a profile, knob overrides on top of
// it, and one member per row of SWAPFUZZ_CONFIG_FIELDS (model/config_fields.h).
// Each of those is an int, a bool or a std::string, as the row's domain says,
// and the row documents it.
struct ScheduleConfig {
  // A schedule without a profile runs v6.9, forever (kFileMainlineProfile).
  std::string profile = std::string(kFileMainlineProfile);
  std::vector<KnobOverride> knobs;
  SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_SCHEDULE_CONFIG_MEMBER)
  friend bool operator==(const ScheduleConfig&, const ScheduleConfig&) = default;
};

struct Segment {
  uint8_t cpu = 0;                  // a program's CPU, or kIrqCpu (the interrupt)
  // Without `through`: the number of steps, 0 meaning until the CPU blocks or
  // ends. With `through`: which occurrence of that step ends the segment
  // (0 and 1 both mean the first).
  uint16_t steps = 0;
  std::optional<StepId> through;    // stop after the CPU executes this step
  friend bool operator==(const Segment&, const Segment&) = default;
};

// What a recorded run produced; replay --verify compares against it.
struct Expectation {
  std::string signature;  // empty: no finding
  uint64_t trace_hash = 0;
  uint64_t steps = 0;
  // StepDigest() of the trace, when recorded: it lets a divergent replay name
  // the first step that differs. Empty when not recorded.
  std::string step_digest;
  friend bool operator==(const Expectation&, const Expectation&) = default;
};

struct Schedule {
  std::string description;
  ScheduleConfig config;
  std::vector<CpuProgram> cpus;
  std::vector<Segment> decisions;
  std::optional<Expectation> expected;
};

// Checks every bound the executor relies on, and that every step a decision
// names exists. Errors are one line and name the field, e.g.
// "config.nslots: 2 to 32" or "decisions[3].through: no such step". The
// profile and knob names are not checked (Resolve() does).
absl::Status Validate(const Schedule& schedule);

// The run configuration for `config`, with `profile_override` (if non-empty)
// replacing its profile. Unknown profile or knob names are errors, and so is a
// config field out of its range (with Validate()'s message), so a config that
// resolves is safe to run.
absl::StatusOr<RunConfig> Resolve(const ScheduleConfig& config,
                                  const std::string& profile_override = "");

// Whether the release `config` resolved to models every op (of the programs):
// shmem ops need a release whose shmem swap paths are modelled
// (Features::shmem_swap), and are refused with the memory controller on
// (shmem folios are not charged). The error is one line naming the first op refused. Everything
// that runs a schedule calls it after Resolve().
absl::Status CheckOpsModelled(std::span<const OpKind> ops, const RunConfig& config);
absl::Status CheckOpsModelled(const std::vector<CpuProgram>& programs, const RunConfig& config);

// Follows a schedule's segments, then DefaultPick().
class SegmentDecider final : public Decider {
 public:
  explicit SegmentDecider(const std::vector<Segment>& segments) : segments_(segments) {}
  int Pick(uint32_t runnable, int current, const Kernel& k) override;
  void Executed(int cpu, StepId step) override;

 private:
  const std::vector<Segment>& segments_;
  size_t index_ = 0;
  uint32_t taken_ = 0;  // steps taken in the current segment
};

// Run-length encodes a list of picks (RunOptions::picks: one CPU per step,
// and kPickTookNoStep picks) as segments that SegmentDecider replays pick for
// pick: a CPU's run of steps is "run CPU c for n steps", and a run that ends
// in a pick that took no step (the CPU blocked or finished) is "run CPU c
// until it blocks or ends", so that replay makes that pick too. A list without
// kPickTookNoStep picks encodes as it always has.
std::vector<Segment> SegmentsFromPicks(const std::vector<uint8_t>& picks);

struct ReplayOutput {
  RunResult result;
  std::optional<Finding> finding;  // a copy, valid after the executor is reused
  std::vector<TraceEvent> trace;
};

// The "expected" block of a finished run: its fatal finding's signature (if
// any), trace hash and step count, and StepDigest() of `trace` when the run
// kept one (null or empty: no digest). Every writer of an expected block
// builds it here.
Expectation ExpectationOf(const RunResult& result,
                          const std::vector<TraceEvent>* trace = nullptr);

// Validates, resolves and runs a schedule on `executor`.
absl::StatusOr<ReplayOutput> RunSchedule(Executor& executor, const Schedule& schedule,
                                         const std::string& profile_override = "",
                                         bool keep_trace = false, int64_t break_at_step = -1);

// Applies one knob override on top of a resolved configuration.
absl::Status ApplyKnob(RunConfig& config, const KnobOverride& knob);

// ParseKnobSettings()
//
// Parses a comma-separated list of "NAME=on" and "NAME=off" items, as the
// command line's --knob and the fuzz targets' SWAPFUZZ_KNOBS take them. Every
// item must name a catalogue knob and say exactly "on" or "off"; empty items
// are skipped. The error names the item, e.g. "maybe: expected NAME=on or
// NAME=off".
absl::StatusOr<std::vector<KnobOverride>> ParseKnobSettings(std::string_view list);

// Sets `knob` in `config`, replacing the config's own setting of that knob.
void SetKnobOverride(ScheduleConfig& config, const KnobOverride& knob);


}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_SCHEDULE_H_
