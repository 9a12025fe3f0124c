// Checking a reproducer before it is written: exact replay is the promise.
//
// Every writer of a schedule file that claims to reproduce a run (the fuzz
// targets' and `swapfuzz explore`'s reproducer sink, `swapfuzz record -o`,
// `swapfuzz minimize -o`) replays the schedule it is about to save and
// compares the replay with what it claims: the finding's signature, the trace
// hash, the step count and the steps themselves. A schedule that does not
// replay is an internal error, never a silent save.

#ifndef SWAPFUZZ_REPLAY_VERIFY_H_
#define SWAPFUZZ_REPLAY_VERIFY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/schedule.h"
#include "model/trace.h"

namespace swapfuzz {

// VerifyReproducer()
//
// Replays `s` (as `swapfuzz replay` would: RunSchedule()) and compares the run
// with `s.expected`: signature, trace hash, step count, and the step digest
// when the block has one. When `recorded` is given it is the trace of the run
// that `s` is meant to reproduce: the replay must take the same steps, and
// `recorded` must itself agree with `s.expected` (trace hash, and step digest
// when there is one).
//
// Returns OK when everything matches. A schedule without an `expected` block,
// or one that does not run, is InvalidArgument. A mismatch is Internal, with a
// message that says what differs and names the first divergent step, e.g.
//   "the reproducer does not replay: trace hash 0x... recorded, 0x... replayed;
//    79 steps recorded, 98 replayed; first divergent step 42: recorded cpu 0
//    handle_pte_fault (fault, orig_pte snapshot), replayed cpu 2 do_swap_page
//    (lock_page)"
// Without `recorded`, the recorded side of that step is named only when the
// step digest says which step differs ("recorded: digest 3f").
absl::Status VerifyReproducer(const Schedule& s, const std::vector<TraceEvent>* recorded = nullptr);

// The first index at which two traces differ (every field of the event), or
// -1 when they are equal. When one is a prefix of the other, the length of the
// shorter.
int64_t FirstDifferentEvent(const std::vector<TraceEvent>& a, const std::vector<TraceEvent>& b);

// "cpu 2 do_swap_page (lock_page)", or "no step (the run had ended)" past the
// end of `trace`.
std::string DescribeStep(const std::vector<TraceEvent>& trace, int64_t index);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_REPLAY_VERIFY_H_
