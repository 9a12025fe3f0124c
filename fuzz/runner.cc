#include "fuzz/runner.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace swapfuzz {

FuzzRunner::FuzzRunner(const FuzzTarget& target) : target_(target) {
  absl::StatusOr<RunConfig> base = Resolve(target.base);
  if (!base.ok()) {
    // A broken precondition (runner.h), not an input error: say which, and
    // stop before running anything with a configuration that did not resolve.
    absl::FPrintF(stderr, "FuzzRunner: target '%s': the base configuration does not resolve: %s\n",
                  target.name, base.status().message());
    std::abort();
  }
  // The op table's end marker is OpKind::kCount, which no check looks at.
  if (absl::Status st = CheckOpsModelled(target.op_table, *base); !st.ok()) {
    absl::FPrintF(stderr, "FuzzRunner: target '%s' under profile %s: %s\n", target.name,
                  target.base.profile, st.message());
    std::abort();
  }
  base_ = *std::move(base);
  picks_.reserve(4096);
}

const Finding* FuzzRunner::Run(std::span<const uint8_t> data, InterleavingCoverage* coverage,
                               std::vector<TraceEvent>* trace) {
  DecodePrograms(target_, data, schedule_);
  const std::span<const uint8_t> decisions = DecisionBytes(data);
  ByteDecider decider(decisions, data.size() > kTailByte ? data[kTailByte] : 0,
                      PctTailSteps(schedule_, decisions.size()));
  return RunWith(decider, coverage, trace);
}

const Finding* FuzzRunner::RunWith(Decider& decider, InterleavingCoverage* coverage,
                                   std::vector<TraceEvent>* trace) {
  RunConfig config = base_;
  ResolvePerInputConfigFields(schedule_.config, config);
  executor_.Reset(config, schedule_.cpus);
  picks_.clear();
  if (coverage != nullptr) coverage->Reset();
  RunOptions options;
  options.picks = &picks_;
  options.coverage = coverage;
  options.trace = trace;
  result_ = executor_.Run(decider, options);
  return result_.finding;
}

Schedule FuzzRunner::LastSchedule() const {
  Schedule s = schedule_;
  s.description = absl::StrCat("found by the swapfuzz '", std::string(target_.name), "' target");
  s.decisions = SegmentsFromPicks(picks_);
  s.expected = ExpectationOf(result_);
  return s;
}

}  // namespace swapfuzz
