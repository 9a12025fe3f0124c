#include "replay/verify.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace swapfuzz {
namespace {

bool SameEvent(const TraceEvent& a, const TraceEvent& b) {
  return a.step == b.step && a.cpu == b.cpu && a.tid == b.tid && a.id == b.id &&
         a.offset == b.offset && a.page == b.page && a.detail == b.detail;
}

uint64_t HashOf(const std::vector<TraceEvent>& trace) {
  TraceHash h;
  for (const TraceEvent& e : trace) h.Add(e);
  return h.value();
}

std::string Hex(uint64_t v) { return absl::StrFormat("0x%016x", v); }

std::string FindingName(const std::string& signature) {
  return signature.empty() ? std::string("no finding") : signature;
}

}  // namespace

int64_t FirstDifferentEvent(const std::vector<TraceEvent>& a, const std::vector<TraceEvent>& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (!SameEvent(a[i], b[i])) return static_cast<int64_t>(i);
  }
  return a.size() == b.size() ? -1 : static_cast<int64_t>(n);
}

std::string DescribeStep(const std::vector<TraceEvent>& trace, int64_t index) {
  if (index < 0 || index >= static_cast<int64_t>(trace.size())) {
    return "no step (the run had ended)";
  }
  const TraceEvent& e = trace[index];
  return absl::StrCat("cpu ", static_cast<int>(e.cpu), " ", std::string(StepName(e.id)));
}

absl::Status VerifyReproducer(const Schedule& s, const std::vector<TraceEvent>* recorded) {
  if (!s.expected) {
    return absl::InvalidArgumentError("the reproducer has no \"expected\" block to verify");
  }
  const Expectation& want = *s.expected;
  Executor executor;
  absl::StatusOr<ReplayOutput> out = RunSchedule(executor, s, "", /*keep_trace=*/true);
  if (!out.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the reproducer does not run: ", out.status().message()));
  }
  const std::vector<TraceEvent>& replayed = out->trace;
  const std::string got_signature = out->finding ? out->finding->Signature() : "";

  std::vector<std::string> problems;
  if (got_signature != want.signature) {
    problems.push_back(absl::StrCat("finding ", FindingName(want.signature), " recorded, ",
                                    FindingName(got_signature), " replayed"));
  }
  if (out->result.trace_hash != want.trace_hash) {
    problems.push_back(absl::StrCat("trace hash ", Hex(want.trace_hash), " recorded, ",
                                    Hex(out->result.trace_hash), " replayed"));
  }
  if (out->result.steps != want.steps) {
    problems.push_back(
        absl::StrCat(want.steps, " steps recorded, ", out->result.steps, " replayed"));
  }
  int64_t at = -1;
  if (!want.step_digest.empty()) {
    at = FirstDivergence(want.step_digest, replayed);
    if (at >= 0) problems.push_back(absl::StrCat("step digest differs from step ", at));
  }
  if (recorded != nullptr) {
    // The recorded trace must be the run the expectation describes.
    if (HashOf(*recorded) != want.trace_hash) {
      problems.push_back(absl::StrCat("the recorded trace hashes to ", Hex(HashOf(*recorded)),
                                      ", not to the expected ", Hex(want.trace_hash)));
    }
    if (!want.step_digest.empty() && StepDigest(*recorded) != want.step_digest) {
      problems.push_back("the recorded trace does not match the expected step digest");
    }
    const int64_t differs = FirstDifferentEvent(*recorded, replayed);
    if (differs >= 0) {
      at = at < 0 ? differs : std::min(at, differs);
      if (problems.empty()) problems.push_back("the replayed steps differ from the recorded ones");
    }
  }
  if (problems.empty()) return absl::OkStatus();
  if (at < 0 && out->result.steps != want.steps) {
    // Nothing says where the runs part; they differ from the shorter's end.
    at = static_cast<int64_t>(std::min(out->result.steps, want.steps));
  }

  std::string message =
      absl::StrCat("the reproducer does not replay: ", absl::StrJoin(problems, "; "));
  if (at >= 0) {
    std::string recorded_step;
    if (recorded != nullptr) {
      recorded_step = DescribeStep(*recorded, at);
    } else if (static_cast<size_t>(at) * 2 + 2 <= want.step_digest.size()) {
      recorded_step = absl::StrCat("a step with digest ", want.step_digest.substr(at * 2, 2));
    } else if (static_cast<uint64_t>(at) >= want.steps) {
      recorded_step = "no step (the run had ended)";
    } else {
      recorded_step = "a step not known (no recorded trace or step digest)";
    }
    absl::StrAppend(&message, "; first divergent step ", at, ": recorded ", recorded_step,
                    ", replayed ", DescribeStep(replayed, at));
  } else if (recorded != nullptr || !want.step_digest.empty()) {
    absl::StrAppend(&message, "; every step agrees (", replayed.size(), " steps)");
  }
  return absl::InternalError(message);
}

}  // namespace swapfuzz
