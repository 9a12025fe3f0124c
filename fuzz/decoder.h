// Decoding fuzzer bytes into schedules.
//
// Any byte string decodes to a valid schedule; decoding never fails, never
// allocates in proportion to anything in the input, and a one-byte change
// makes a local change: every field sits at a fixed offset.
//
// Layout of an input (missing bytes read as 0):
// (fuzz/input_layout.h names every offset and magic number below.)
//   [0]      CPUs: 2 + (b & 3) % 3 (DecodedCpus()); addresses used: 2 + (b >> 2 & 3),
//            or 2 + 2 * (b >> 2 & 3) on a target with large folios;
//            memory.zswap.writeback off if b & 0x10 (where it can run:
//            memcg and zswap, and a release that runs it off); mthp_order:
//            the smaller of the target's and b >> 5 & 3 on a target with
//            large folios
//   [1]      page_cluster: b & 1; slots cache: 2 entries if b & 2;
//            swap offsets: 8 + 4 * (b >> 2 & 3), or with two swap devices
//            3 + 2 * (b >> 2 & 3) on the first; memcg_max: 1 + (b >> 4 & 7)
//            if b & 0x80, else 0 (no limit)
//   [2]      the mm of CPU i: bit i (mm 1 exists once some CPU forks it);
//            memcg_mms: b >> 4
//   [3]      the scheduler past the last decision byte: 0, the default
//            policy (DefaultPick: no more preemptions); otherwise a PCT
//            schedule (fuzz/pct.h) seeded by the byte, of depth 2 + (b >> 7),
//            with its change points among the first PctTailSteps() steps
//            past the decisions
//   [4, 68)  programs: kMaxCpus x kOpsPerCpu ops of two bytes, [selector, operand]:
//            selector & 15 indexes the target's op table (an end marker stops
//            that CPU's program); operand % addresses is the va, and
//            operand >> 4 the argument
//   [68, ..) interleaving decisions, one byte each time the scheduler picks:
//            below 0xc0 keeps the current CPU if it can run; otherwise, or when
//            it cannot, picks among the runnable CPUs by (b & 0x3f) % count.
//            Past the end, the scheduler byte [3] says what finishes the run.

#ifndef SWAPFUZZ_FUZZ_DECODER_H_
#define SWAPFUZZ_FUZZ_DECODER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz/input_layout.h"
#include "fuzz/pct.h"
#include "model/schedule.h"

namespace swapfuzz {

inline constexpr uint64_t kPctTailSteps = 128;

// The offsets of a target's second swap device (fuzz/targets.h), its header
// included: with the first device's at most 9, the two fit in kMaxSlots.
inline constexpr int kSecondDeviceSlots = 6;

// The number of CPUs an input whose byte 0 is `b0` runs.
constexpr int DecodedCpus(uint8_t b0) { return 2 + (b0 & 3) % 3; }
// `b0` with its CPU bits set so that it runs `cpus` (2 to kMaxCpus) CPUs.
constexpr uint8_t WithDecodedCpus(uint8_t b0, int cpus) {
  return static_cast<uint8_t>((b0 & ~3u) | static_cast<unsigned>(cpus - 2));
}
static_assert(DecodedCpus(WithDecodedCpus(0xff, 2)) == 2 &&
              DecodedCpus(WithDecodedCpus(0xff, 3)) == 3 &&
              DecodedCpus(WithDecodedCpus(0xff, kMaxCpus)) == kMaxCpus);

// The `nth` (from 0) set bit of `mask`, which has more than `nth` set bits.
inline int NthSetBit(uint32_t mask, uint64_t nth) {
  while (nth-- > 0) mask &= mask - 1;
  return __builtin_ctz(mask);
}

// A family of kernels to fuzz: the profile, the device, and which operations
// the programs draw from (OpKind::kCount in the table ends a program).
struct FuzzTarget {
  std::string_view name;
  std::string_view description;
  ScheduleConfig base;
  OpTable op_table;  // IsOpTable()
};

std::span<const FuzzTarget> AllTargets();
const FuzzTarget* TargetByName(std::string_view name);

// Decodes the configuration and programs of `data` into `out`, reusing its
// vectors' storage. Decisions are not decoded here: ByteDecider reads them.
void DecodePrograms(const FuzzTarget& target, std::span<const uint8_t> data, Schedule& out);

// The decision bytes of an input (possibly empty).
std::span<const uint8_t> DecisionBytes(std::span<const uint8_t> data);

// The k of an input's PCT tail: the steps past its `decision_bytes`
// decisions among which the tail's change points fall, an estimate of what
// is left of the run (12 steps an operation of the decoded programs, less one
// a decision, from 16 to kPctTailSteps). PCT finds a depth-d bug with
// probability 1/(n * k^(d-1)), so a k near the tail's real length matters: a
// change point past the end of the run is lost.
uint64_t PctTailSteps(const Schedule& decoded, size_t decision_bytes);

// Picks CPUs from decision bytes as described above; past them, by the
// default policy when `tail` is 0, else by a PCT schedule seeded by `tail`
// with its change points among the first `tail_steps` steps past the
// decisions (at most kPctTailSteps).
class ByteDecider final : public Decider {
 public:
  explicit ByteDecider(std::span<const uint8_t> bytes, uint8_t tail = 0,
                       uint64_t tail_steps = kPctTailSteps);
  int Pick(uint32_t runnable, int current, const Kernel& k) override;
  void Executed(int cpu, StepId step) override;

 private:
  std::span<const uint8_t> bytes_;
  size_t next_ = 0;
  bool pct_tail_ = false;
  bool in_tail_ = false;  // the decisions have run out
  PctDecider pct_;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_DECODER_H_
