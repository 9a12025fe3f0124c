#include "model/coverage.h"

namespace swapfuzz {

void InterleavingCoverage::Reset() {
  by_offset_.fill(Last{});
  by_page_.fill(Last{});
}

void InterleavingCoverage::Pair(Last& last, int cpu, StepId step, uint32_t salt) {
  if (last.cpu >= 0 && last.cpu != cpu) {
    const uint32_t a = static_cast<uint32_t>(last.step);
    const uint32_t b = static_cast<uint32_t>(step);
    const uint32_t h = ((a * 131u + b) * 2u + salt) * 2654435761u;
    uint8_t& counter = counters_[kStepCounters + (h >> 16) % kPairCounters];
    if (counter != 255) ++counter;
  }
  last.cpu = static_cast<int8_t>(cpu);
  last.step = step;
}

void InterleavingCoverage::Hit(int cpu, StepId step, Offset offset, PageId page) {
  uint8_t& counter = counters_[static_cast<uint16_t>(step)];
  if (counter != 255) ++counter;
  if (offset > 0 && offset < kMaxSlots) Pair(by_offset_[offset], cpu, step, 0);
  if (page >= 0 && page < kMaxPages) Pair(by_page_[page], cpu, step, 1);
}

void InterleavingCoverage::Reported(Oracle oracle, Fn function) {
  const uint32_t h = (static_cast<uint32_t>(oracle) * 256u + static_cast<uint32_t>(function)) *
                     2654435761u;
  uint8_t& counter = counters_[kStepCounters + kPairCounters + (h >> 16) % kReportCounters];
  if (counter != 255) ++counter;
}

int InterleavingCoverage::DistinctSteps() const {
  int n = 0;
  for (int i = 0; i < kStepCounters; ++i) n += counters_[i] != 0;
  return n;
}

int InterleavingCoverage::DistinctPairs() const {
  int n = 0;
  for (int i = kStepCounters; i < kStepCounters + kPairCounters; ++i) n += counters_[i] != 0;
  return n;
}

int InterleavingCoverage::DistinctReports() const {
  int n = 0;
  for (int i = kStepCounters + kPairCounters; i < kCounters; ++i) n += counters_[i] != 0;
  return n;
}

}  // namespace swapfuzz
