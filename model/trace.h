// The trace: one event per atomic step, and a hash of all of them.
//
// The hash is always kept (it is what `replay --verify` compares); the event
// list only when a Trace is attached, so fuzzing pays for neither I/O nor heap.
// Events print like the bpftrace lines of the seed reports:
//   do_swap_page       get_swap_device            offset = 3 [cpu = 1, tid = 2]

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
std::string FormatTrace(const std::vector<TraceEvent>& events);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_TRACE_H_
