// Which releases a schedule fails on: syzbot's "which releases are affected"
// answer, for one saved schedule.
//
// Bisect() replays the schedule once as saved (its own profile and knob
// overrides) and once under each release profile as that release is (the
// file's knob overrides dropped, as `--profile` does), oldest release first.
// Each row says how the run ended and where its trace first departs from the
// row before it. The decisions are replayed as saved, as step counts: where a
// release takes other steps, later decisions can land elsewhere, and the
// divergence column shows where that begins.
#ifndef SWAPFUZZ_REPLAY_BISECT_H_
#define SWAPFUZZ_REPLAY_BISECT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/schedule.h"

namespace swapfuzz {

struct BisectRow {
  std::string profile;    // a release, or "as saved"
  std::string release;    // what the profile follows ("Linux 6.1.166"); the file's profile for "as saved"
  std::string invalid;    // non-empty: the schedule cannot run under this profile, and why
  bool finding = false;
  std::string signature;  // the finding's, when there is one
  uint64_t steps = 0;
  uint64_t trace_hash = 0;
  // The first step whose event differs from the run of the nearest row above
  // that ran (that row's event and this row's, as "cpu N function: label"),
  // or nothing when the runs agree, or for the first row that ran.
  std::optional<uint64_t> diverges_at;
  std::string previous_step;
  std::string this_step;
};

// Fails only when the schedule itself is malformed (Validate()); a profile
// under which it cannot run is a row with `invalid` set.
absl::StatusOr<std::vector<BisectRow>> Bisect(const Schedule& schedule);

// The rows as a table for a terminal or a markdown file.
std::string RenderBisectTable(const std::vector<BisectRow>& rows);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_REPLAY_BISECT_H_
