// The byte layout of a fuzz input, in one place: the decoder reads it
// (fuzz/decoder.cc) and the structural mutator writes it (fuzz/mutator.cc).
// fuzz/decoder.h describes what each field means.
//
//   [0, kHeaderBytes)                 the header: CPUs and addresses, the
//                                     configuration, the mm bits, the PCT tail
//   [kHeaderBytes, kDecisionOffset)   kMaxCpus x kOpsPerCpu ops of kOpBytes
//                                     bytes: [selector, operand]
//   [kDecisionOffset, ..)             one decision byte a scheduler pick

#ifndef SWAPFUZZ_FUZZ_INPUT_LAYOUT_H_
#define SWAPFUZZ_FUZZ_INPUT_LAYOUT_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {

// --- the header ---
inline constexpr size_t kCpusByte = 0;    // CPUs and addresses used
inline constexpr size_t kConfigByte = 1;  // page_cluster, slots cache, swap offsets
inline constexpr size_t kMmByte = 2;      // bit i: the mm of CPU i
inline constexpr size_t kTailByte = 3;    // the scheduler past the decisions
inline constexpr size_t kHeaderBytes = 4;

// --- the programs ---
inline constexpr int kOpsPerCpu = 8;
inline constexpr size_t kOpBytes = 2;  // [selector, operand]
inline constexpr size_t kProgramBytes = kMaxCpus * kOpsPerCpu * kOpBytes;
// A selector indexes a target's op table of kOpTableSize entries by its low
// bits; the last entry, kEndMarker, is OpKind::kCount and ends the program.
inline constexpr size_t kOpTableSize = 16;
inline constexpr uint8_t kOpSelectorMask = kOpTableSize - 1;
inline constexpr uint8_t kEndMarker = kOpTableSize - 1;
using OpTable = std::array<OpKind, kOpTableSize>;

// The byte offset of op `i` of CPU `cpu` (its selector; the operand follows).
constexpr size_t OpAt(int cpu, int i) {
  return kHeaderBytes + (static_cast<size_t>(cpu) * kOpsPerCpu + i) * kOpBytes;
}

// Whether `table` is an op table: OpKind::kCount at kEndMarker, and only
// there, so that every other selector is an operation.
constexpr bool IsOpTable(const OpTable& table) {
  for (size_t i = 0; i < kEndMarker; ++i) {
    if (table[i] == OpKind::kCount) return false;
  }
  return table[kEndMarker] == OpKind::kCount;
}

// --- the decisions ---
inline constexpr size_t kDecisionOffset = kHeaderBytes + kProgramBytes;
// A decision byte below kKeepCurrentBelow keeps the current CPU if it can
// run; from it up, or when the current CPU cannot run, the byte's low bits
// (kSwitchChoiceMask) pick among the runnable CPUs: the n-th, n modulo their
// count.
inline constexpr uint8_t kKeepCurrentBelow = 0xc0;
inline constexpr uint8_t kSwitchChoiceMask = 0x3f;
// The decision byte that switches to the `nth` runnable CPU.
constexpr uint8_t SwitchTo(int nth) { return static_cast<uint8_t>(kKeepCurrentBelow + nth); }

static_assert(kTailByte < kHeaderBytes && kMmByte < kHeaderBytes && kConfigByte < kHeaderBytes &&
              kCpusByte < kHeaderBytes);
static_assert((kOpTableSize & (kOpTableSize - 1)) == 0, "a selector's low bits index the table");
static_assert(kEndMarker == 15 && kOpSelectorMask == 15);
static_assert(kDecisionOffset == 68, "the decoder.h layout: decisions from byte 68");
static_assert(OpAt(kMaxCpus, 0) == kDecisionOffset);
static_assert(kKeepCurrentBelow + kSwitchChoiceMask == 0xff &&
                  (kKeepCurrentBelow & kSwitchChoiceMask) == 0,
              "a switch byte's choice is its low bits");
static_assert(kSwitchChoiceMask + 1 >= kMaxCpus + 1, "a switch byte can name every runnable CPU");

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_INPUT_LAYOUT_H_
