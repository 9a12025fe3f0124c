#include "fuzz/mutator.h"

#include <algorithm>
#include <cstring>

#include "fuzz/decoder.h"
#include "fuzz/rng.h"

namespace swapfuzz {
namespace {

constexpr size_t OpAt(int cpu, int i) { return kHeaderBytes + (cpu * kOpsPerCpu + i) * 2; }

void InsertOp(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus), at = rng.Below(kOpsPerCpu);
  std::memmove(d + OpAt(cpu, at + 1), d + OpAt(cpu, at), (kOpsPerCpu - 1 - at) * 2);
  d[OpAt(cpu, at)] = static_cast<uint8_t>(rng.Below(15));  // never the end marker slot 15
  d[OpAt(cpu, at) + 1] = static_cast<uint8_t>(rng.Below(256));
}

void DeleteOp(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus), at = rng.Below(kOpsPerCpu);
  std::memmove(d + OpAt(cpu, at), d + OpAt(cpu, at + 1), (kOpsPerCpu - 1 - at) * 2);
  d[OpAt(cpu, kOpsPerCpu - 1)] = 15;  // an end marker in the freed slot
}

void SwapOps(uint8_t* d, Rng& rng) {
  const size_t a = OpAt(rng.Below(kMaxCpus), rng.Below(kOpsPerCpu));
  const size_t b = OpAt(rng.Below(kMaxCpus), rng.Below(kOpsPerCpu));
  std::swap(d[a], d[b]);
  std::swap(d[a + 1], d[b + 1]);
}

void RetargetOp(uint8_t* d, Rng& rng) {
  const size_t a = OpAt(rng.Below(kMaxCpus), rng.Below(kOpsPerCpu));
  if (rng.Below(2)) {
    d[a + 1] = static_cast<uint8_t>((d[a + 1] & 0xf0) | rng.Below(16));  // the address
  } else {
    d[a] = static_cast<uint8_t>(rng.Below(15));  // the operation
  }
}

// A fresh random program of one to kOpsPerCpu operations for one CPU: the
// jump that lets the fuzzer leave a corner of program space that its small
// edits keep it in.
void RandomProgram(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus);
  const int n = 1 + rng.Below(kOpsPerCpu);
  for (int i = 0; i < kOpsPerCpu; ++i) {
    d[OpAt(cpu, i)] = static_cast<uint8_t>(i < n ? rng.Below(15) : 15);
    d[OpAt(cpu, i) + 1] = static_cast<uint8_t>(rng.Below(256));
  }
}

// How far into a run PreemptAt() reaches: runs of the targets' programs take
// some tens to a few hundred scheduler picks.
constexpr size_t kPreemptReach = 192;

// A preemption at pick `p` of the run: missing decisions before it become
// "keep" bytes, so the switch lands at that point of the run in one edit
// instead of the many that growing the decisions byte by byte would take.
size_t PreemptAt(uint8_t* d, size_t size, size_t max_size, Rng& rng) {
  const size_t p = kDecisionOffset + rng.Below(kPreemptReach);
  if (p >= max_size) return size;
  for (size_t i = size; i < p; ++i) d[i] = static_cast<uint8_t>(rng.Below(0xc0));
  d[p] = static_cast<uint8_t>(0xc0 + rng.Below(4));
  return std::max(size, p + 1);
}

// Moves a preemption: a switching decision byte trades places with a nearby
// one, or a byte flips between "keep" and "switch to the n-th runnable CPU".
size_t MutateDecisions(uint8_t* d, size_t size, size_t max_size, Rng& rng) {
  if (size <= kDecisionOffset || rng.Below(4) == 0) {
    if (size < max_size) {  // grow: one more decision
      d[size] = static_cast<uint8_t>(rng.Below(2) ? rng.Below(0xc0) : 0xc0 + rng.Below(4));
      return size + 1;
    }
  }
  if (size <= kDecisionOffset) return size;
  const size_t n = size - kDecisionOffset;
  const size_t i = kDecisionOffset + rng.Below(n);
  switch (rng.Below(3)) {
    case 0: {  // move this decision a little earlier or later
      const size_t j = kDecisionOffset + std::min<size_t>(n - 1, (i - kDecisionOffset) + rng.Below(9) -
                                                                    std::min<size_t>(4, i - kDecisionOffset));
      std::swap(d[i], d[j]);
      break;
    }
    case 1:  // toggle keep/switch
      d[i] = d[i] >= 0xc0 ? static_cast<uint8_t>(rng.Below(0xc0))
                          : static_cast<uint8_t>(0xc0 + rng.Below(4));
      break;
    case 2:  // retarget the switch
      d[i] = static_cast<uint8_t>(0xc0 + rng.Below(4));
      break;
  }
  return size;
}

}  // namespace

size_t MutateSchedule(uint8_t* data, size_t size, size_t max_size, uint32_t seed) {
  Rng rng(seed);
  if (max_size < kDecisionOffset) return size;
  if (size < kDecisionOffset) {
    std::memset(data + size, 0, kDecisionOffset - size);
    size = kDecisionOffset;
  }
  // One to three edits, stacked.
  for (int edits = 1 + rng.Below(3); edits > 0; --edits) {
    switch (rng.Below(9)) {
      case 0: InsertOp(data, rng); break;
      case 1: DeleteOp(data, rng); break;
      case 2: SwapOps(data, rng); break;
      case 3: RetargetOp(data, rng); break;
      case 4: RandomProgram(data, rng); break;
      case 5:  // the header, the PCT tail byte included
        data[rng.Below(kHeaderBytes)] = static_cast<uint8_t>(rng.Below(256));
        break;
      case 6: size = PreemptAt(data, size, max_size, rng); break;
      default: size = MutateDecisions(data, size, max_size, rng); break;
    }
  }
  return size;
}

size_t CrossOverSchedules(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                          uint8_t* out, size_t max_out, uint32_t seed) {
  Rng rng(seed);
  auto at = [](const uint8_t* p, size_t n, size_t i) -> uint8_t { return i < n ? p[i] : 0; };
  const size_t b_decisions = b_size > kDecisionOffset ? b_size - kDecisionOffset : 0;
  const size_t size = std::min(max_out, kDecisionOffset + b_decisions);
  const int swapped_cpu = rng.Below(2) ? static_cast<int>(rng.Below(kMaxCpus)) : -1;
  for (size_t i = 0; i < size; ++i) {
    const bool from_b = i >= kDecisionOffset ||
                        (swapped_cpu >= 0 && i >= OpAt(swapped_cpu, 0) &&
                         i < OpAt(swapped_cpu, kOpsPerCpu));
    out[i] = from_b ? at(b, b_size, i) : at(a, a_size, i);
  }
  return size;
}

}  // namespace swapfuzz
