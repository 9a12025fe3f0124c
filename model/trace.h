// The trace: one event per atomic step, and a hash of all of them.
//
// The hash is always kept (it is what `replay --verify` compares); the event
// list only when a Trace is attached, so fuzzing pays for neither I/O nor heap.
// Events print like the bpftrace lines of the seed reports:
//   do_swap_page       lock_page                  offset = 3 page = 7 [cpu = 1, tid = 2]

#ifndef SWAPFUZZ_MODEL_TRACE_H_
#define SWAPFUZZ_MODEL_TRACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {

struct TraceEvent {
  uint64_t step = 0;
  int8_t cpu = 0;
  int16_t tid = 0;
  StepId id = StepId::kCount;
  Offset offset = kNoOffset;
  PageId page = kNoPage;
  Token detail = 0;
};

// FNV-1a over the fields of each event, independent of compiler and platform.
class TraceHash {
 public:
  void Add(const TraceEvent& e);
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

// "do_swap_page  get_swap_device  offset = 3 [cpu = 1, tid = 2]"
std::string FormatEvent(const TraceEvent& e);

// One byte per step (two hex digits), from a hash of the step's event: two
// traces differ first where their digests differ (up to a 1/256 chance per
// step of a step that differs with the same byte).
std::string StepDigest(const std::vector<TraceEvent>& events);

// The index of the first step at which `digest` and the trace disagree, or -1
// when they agree for the length of both and have the same length.
int64_t FirstDivergence(const std::string& digest, const std::vector<TraceEvent>& events);
std::string FormatTrace(const std::vector<TraceEvent>& events);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_TRACE_H_
