// kernel/cpu.c as 6.12.94 and 7.1.5 run it for the model's one subsystem with
// a hotplug state (zswap). The hotplug lock (cpus_write_lock()) serialises
// hotplug against hotplug; the ops run one at a time per task, and two tasks
// racing to take the same CPU down is not modelled beyond the second finding
// it already down.

#include "model/kernel/cpu.h"

#include <bit>

#include "model/mm/zswap.h"

namespace swapfuzz {
namespace {

constexpr int16_t kEbusy = -16;

bool online(const Kernel& k, int cpu) { return (k.cpu_online >> cpu) & 1u; }

}  // namespace

StepResult cpu_down(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_cpu_down(SWAPFUZZ_STATE_ENUMERATOR) };
  const int cpu = Locals<Fn::kCpuDown>(f).cpu;
  switch (f.pc) {
    case kTakedown: {
      const uint8_t others = static_cast<uint8_t>(k.cpu_online & ~(1u << cpu));
      const bool down = online(k, cpu) && others != 0;
      Emit(k, c, StepId::kCpuDownTakedown, kNoOffset, kNoPage,
           down ? static_cast<Token>(cpu) : ~Token{0});
      if (!online(k, cpu)) return Finish(c, 0);
      if (!down) return Finish(c, kEbusy);
      k.cpu_online = others;
      const int8_t target = static_cast<int8_t>(std::countr_zero(others));
      for (int i = 0; i < k.ncpus; ++i) {
        if (k.cpus[i].on_cpu == cpu) k.cpus[i].on_cpu = target;
      }
      if (!zswap_has_cpu_dead_callback(k)) return Finish(c, 0);
      f.pc = kTeardown;
      return StepResult::kStep;
    }
    case kTeardown:
      if (auto r = zswap_cpu_comp_dead(k, c, cpu)) return *r;
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

StepResult cpu_up(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_cpu_up(SWAPFUZZ_STATE_ENUMERATOR) };
  const int cpu = Locals<Fn::kCpuUp>(f).cpu;
  switch (f.pc) {
    case kPrepare:
      if (online(k, cpu)) {
        Emit(k, c, StepId::kCpuUpOnline, kNoOffset, kNoPage, ~Token{0});
        return Finish(c, 0);  // already up
      }
      f.pc = kOnline;
      if (!zswap_has_cpu_dead_callback(k)) return StepResult::kContinue;
      if (auto r = zswap_cpu_comp_prepare(k, c, cpu)) {
        f.pc = kPrepare;
        return *r;
      }
      return StepResult::kStep;
    case kOnline:
      k.cpu_online = static_cast<uint8_t>(k.cpu_online | (1u << cpu));
      Emit(k, c, StepId::kCpuUpOnline, kNoOffset, kNoPage, static_cast<Token>(cpu));
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
