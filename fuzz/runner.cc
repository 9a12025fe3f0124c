#include "fuzz/runner.h"

#include "absl/strings/str_cat.h"

namespace swapfuzz {

FuzzRunner::FuzzRunner(const FuzzTarget& target) : target_(target) {
  // Targets are built in; their base configuration always resolves.
  base_ = *Resolve(target.base);
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
  config.nslots = static_cast<int16_t>(schedule_.config.nslots);
  config.page_cluster = static_cast<uint8_t>(schedule_.config.page_cluster);
  config.slots_cache_size = static_cast<uint8_t>(schedule_.config.slots_cache_size);
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
  Expectation e;
  if (result_.finding != nullptr) e.signature = result_.finding->Signature();
  e.trace_hash = result_.trace_hash;
  e.steps = result_.steps;
  s.expected = e;
  return s;
}

}  // namespace swapfuzz
