#include "fuzz/mutator.h"

#include <algorithm>
#include <cstring>

#include "fuzz/decoder.h"
#include "base/rng.h"

namespace swapfuzz {
namespace {

// A switch byte made here picks one of the first kSwitchChoices runnable CPUs.
constexpr int kSwitchChoices = 4;

// A keep byte: the current CPU goes on if it can.
uint8_t KeepByte(Rng& rng) { return static_cast<uint8_t>(rng.Below(kKeepCurrentBelow)); }
// A switch byte: one of the first kSwitchChoices runnable CPUs.
uint8_t SwitchByte(Rng& rng) { return SwitchTo(static_cast<int>(rng.Below(kSwitchChoices))); }
// A selector of any operation of the op table (never the end marker).
uint8_t OpSelector(Rng& rng) { return static_cast<uint8_t>(rng.Below(kEndMarker)); }

// A PCT schedule for the part of a run past its decisions (never 0, the
// default policy).
uint8_t FreshTail(Rng& rng) { return static_cast<uint8_t>(1 + rng.Below(255)); }

void InsertOp(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus), at = rng.Below(kOpsPerCpu);
  std::memmove(d + OpAt(cpu, at + 1), d + OpAt(cpu, at), (kOpsPerCpu - 1 - at) * kOpBytes);
  d[OpAt(cpu, at)] = OpSelector(rng);
  d[OpAt(cpu, at) + 1] = static_cast<uint8_t>(rng.Below(256));
}

void DeleteOp(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus), at = rng.Below(kOpsPerCpu);
  std::memmove(d + OpAt(cpu, at), d + OpAt(cpu, at + 1), (kOpsPerCpu - 1 - at) * kOpBytes);
  d[OpAt(cpu, kOpsPerCpu - 1)] = kEndMarker;  // in the freed slot
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
    d[a] = OpSelector(rng);  // the operation
  }
}

// A fresh random program of one to kOpsPerCpu operations for one CPU: the
// jump that lets the fuzzer leave a corner of program space that its small
// edits keep it in.
void RandomProgram(uint8_t* d, Rng& rng) {
  const int cpu = rng.Below(kMaxCpus);
  const int n = 1 + rng.Below(kOpsPerCpu);
  for (int i = 0; i < kOpsPerCpu; ++i) {
    d[OpAt(cpu, i)] = i < n ? OpSelector(rng) : kEndMarker;
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
  for (size_t i = size; i < p; ++i) d[i] = KeepByte(rng);
  d[p] = SwitchByte(rng);
  return std::max(size, p + 1);
}

// The next preemption after the decisions there are: a log-uniform gap of
// "keep" bytes (0 to 127), then a switch. Schedules grow a preemption at a
// time, and the one a race needs next is usually close to the last.
size_t PreemptNext(uint8_t* d, size_t size, size_t max_size, Rng& rng) {
  const size_t gap = rng.Below(1u << rng.Below(8));
  const size_t p = std::max(size, kDecisionOffset) + gap;
  if (p >= max_size) return size;
  for (size_t i = size; i < p; ++i) d[i] = KeepByte(rng);
  d[p] = SwitchByte(rng);
  return p + 1;
}

// Moves a preemption: a switching decision byte trades places with a nearby
// one, or a byte flips between "keep" and "switch to the n-th runnable CPU".
size_t MutateDecisions(uint8_t* d, size_t size, size_t max_size, Rng& rng) {
  if (size <= kDecisionOffset || rng.Below(4) == 0) {
    if (size < max_size) {  // grow: one more decision
      d[size] = rng.Below(2) ? KeepByte(rng) : SwitchByte(rng);
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
      d[i] = d[i] >= kKeepCurrentBelow ? KeepByte(rng) : SwitchByte(rng);
      break;
    case 2:  // retarget the switch
      d[i] = SwitchByte(rng);
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
  // A quarter of the time, the same program and decisions under another
  // schedule past them: a race the program can run into is often one PCT
  // schedule away (fuzz/pct.h).
  if (rng.Below(4) == 0) {
    data[kTailByte] = FreshTail(rng);
    return size;
  }
  // One to three edits, stacked.
  bool program_changed = false;
  for (int edits = 1 + rng.Below(3); edits > 0; --edits) {
    const int edit = rng.Below(10);
    program_changed |= edit <= 4;
    switch (edit) {
      case 0: InsertOp(data, rng); break;
      case 1: DeleteOp(data, rng); break;
      case 2: SwapOps(data, rng); break;
      case 3: RetargetOp(data, rng); break;
      case 4: RandomProgram(data, rng); break;
      case 5:  // the header, the PCT tail byte included
        data[rng.Below(kHeaderBytes)] = static_cast<uint8_t>(rng.Below(256));
        break;
      case 6: size = PreemptAt(data, size, max_size, rng); break;
      case 7: size = PreemptNext(data, size, max_size, rng); break;
      default: size = MutateDecisions(data, size, max_size, rng); break;
    }
  }
  // The decisions were made for the old program; half the time a new one
  // also runs under a fresh schedule past them rather than the parent's.
  if (program_changed && rng.Below(2) == 0) data[kTailByte] = FreshTail(rng);
  return size;
}

size_t CrossOverSchedules(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                          uint8_t* out, size_t max_out, uint32_t seed) {
  Rng rng(seed);
  auto at = [](const uint8_t* p, size_t n, size_t i) -> uint8_t { return i < n ? p[i] : 0; };
  const int a_cpus = DecodedCpus(at(a, a_size, kCpusByte));
  if (a_cpus < kMaxCpus && max_out >= kDecisionOffset) {
    // Concurrency: a keeps its CPUs and decision bytes, and b's CPUs join
    // them (as many as fit, from a random one on), so that what a and b each
    // do alone now runs side by side, under a fresh schedule past a's
    // decisions: the default policy would run the newcomers last, alone.
    // (A switch byte picks among the runnable CPUs, the newcomers included,
    // so a's preemptions may now land elsewhere.)
    const size_t size = std::min(max_out, std::max(a_size, kDecisionOffset));
    for (size_t i = 0; i < size; ++i) out[i] = at(a, a_size, i);
    const int b_cpus = DecodedCpus(at(b, b_size, kCpusByte));
    const int first = rng.Below(b_cpus);
    int cpu = a_cpus;
    for (int j = 0; j < b_cpus && cpu < kMaxCpus; ++j, ++cpu) {
      const int from = (first + j) % b_cpus;
      for (size_t i = 0; i < kOpsPerCpu * kOpBytes; ++i) {
        out[OpAt(cpu, 0) + i] = at(b, b_size, OpAt(from, 0) + i);
      }
      const uint8_t mm_bit =
          static_cast<uint8_t>(((at(b, b_size, kMmByte) >> from) & 1u) << cpu);
      out[kMmByte] = static_cast<uint8_t>((out[kMmByte] & ~(1u << cpu)) | mm_bit);
    }
    out[kCpusByte] = WithDecodedCpus(out[kCpusByte], cpu);
    out[kTailByte] = FreshTail(rng);
    return size;
  }
  // a has every CPU there is (or there is no room for whole programs):
  // programs from a and decisions from b, or one of a's CPUs running b's
  // program instead.
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
