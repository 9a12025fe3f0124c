#include "replay/bisect.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/executor.h"
#include "model/knobs.h"
#include "model/steps.h"
#include "model/trace.h"

namespace swapfuzz {
namespace {

std::string Describe(const TraceEvent& e) {
  std::string out = absl::StrCat("cpu ", static_cast<int>(e.cpu), " ", std::string(StepName(e.id)));
  if (e.offset != kNoOffset) absl::StrAppend(&out, " (offset ", e.offset, ")");
  return out;
}

bool SameEvent(const TraceEvent& a, const TraceEvent& b) {
  return a.cpu == b.cpu && a.id == b.id && a.offset == b.offset && a.detail == b.detail;
}

}  // namespace

absl::StatusOr<std::vector<BisectRow>> Bisect(const Schedule& schedule) {
  if (absl::Status s = Validate(schedule); !s.ok()) return s;
  std::vector<BisectRow> rows;
  std::vector<TraceEvent> previous;
  bool have_previous = false;
  Executor executor;
  auto run = [&](BisectRow row, const Schedule& s) {
    absl::StatusOr<ReplayOutput> out = RunSchedule(executor, s, "", /*keep_trace=*/true);
    if (!out.ok()) {
      row.invalid = std::string(out.status().message());
      rows.push_back(std::move(row));
      return;
    }
    row.finding = out->finding.has_value();
    if (row.finding) row.signature = out->finding->Signature();
    row.steps = out->result.steps;
    row.trace_hash = out->result.trace_hash;
    if (have_previous) {
      const size_t n = std::min(previous.size(), out->trace.size());
      for (size_t i = 0; i < n; ++i) {
        if (!SameEvent(previous[i], out->trace[i])) {
          row.diverges_at = i;
          row.previous_step = Describe(previous[i]);
          row.this_step = Describe(out->trace[i]);
          if (row.previous_step == row.this_step) {
            // Same step on the same object: what it saw differs.
            absl::StrAppend(&row.previous_step, " seeing ", previous[i].detail);
            absl::StrAppend(&row.this_step, " seeing ", out->trace[i].detail);
          }
          break;
        }
      }
      if (!row.diverges_at && previous.size() != out->trace.size()) {
        row.diverges_at = n;
        row.previous_step = n < previous.size() ? Describe(previous[n]) : "(end of run)";
        row.this_step = n < out->trace.size() ? Describe(out->trace[n]) : "(end of run)";
      }
    }
    previous = std::move(out->trace);
    have_previous = true;
    rows.push_back(std::move(row));
  };

  BisectRow saved;
  saved.profile = "as saved";
  saved.release = schedule.config.profile;
  for (const KnobOverride& k : schedule.config.knobs) {
    absl::StrAppend(&saved.release, " ", k.name, "=", k.on ? "on" : "off");
  }
  run(std::move(saved), schedule);
  for (const Profile& profile : AllProfiles()) {
    Schedule as_released = schedule;
    as_released.config.profile = std::string(profile.name);
    as_released.config.knobs.clear();
    BisectRow row;
    row.profile = std::string(profile.name);
    row.release = std::string(profile.release);
    run(std::move(row), as_released);
  }
  return rows;
}

std::string RenderBisectTable(const std::vector<BisectRow>& rows) {
  std::string out = "| profile | release | outcome | steps | first step that differs from the row above that ran |\n"
                    "|---|---|---|---|---|\n";
  for (const BisectRow& r : rows) {
    std::string outcome, divergence;
    if (!r.invalid.empty()) {
      outcome = absl::StrCat("cannot run: ", r.invalid);
    } else {
      outcome = r.finding ? r.signature : "clean";
      if (r.diverges_at) {
        divergence = absl::StrFormat("step %d: %s, was %s", *r.diverges_at, r.this_step,
                                     r.previous_step);
      } else if (&r != &rows.front()) {
        divergence = "none";
      }
    }
    absl::StrAppend(&out, "| ", r.profile, " | ", r.release, " | ", outcome, " | ",
                    r.invalid.empty() ? absl::StrCat(r.steps) : "", " | ", divergence, " |\n");
  }
  return out;
}

}  // namespace swapfuzz
