// kernel/cpu.c as 6.12.94 and 7.1.5 run it for the model's one subsystem with
// a hotplug state (zswap). cpu_hotplug_lock, taken for write by
// cpus_write_lock() for the whole operation, serialises hotplug against
// hotplug; the model takes it in the first step and drops it in the last.

#include "model/kernel/cpu.h"

#include <bit>

#include "model/mm/zswap.h"

namespace swapfuzz {
namespace {

constexpr int16_t kEbusy = -16;

bool online(const Kernel& k, int cpu) { return (k.cpu_online >> cpu) & 1u; }

// cpus_write_lock() ... cpus_write_unlock() around the whole operation: a
// cpu_up() never runs between a cpu_down()'s takedown and its teardown
// callbacks, nor two operations at once.
bool take_hotplug_lock(Kernel& k, Cpu& c) {
  if (k.cpu_hotplug_owner != -1) return false;
  k.cpu_hotplug_owner = static_cast<int8_t>(CpuIndex(k, c));
  return true;
}

StepResult finish_hotplug(Kernel& k, Cpu& c, int16_t ret) {
  k.cpu_hotplug_owner = -1;  // cpus_write_unlock()
  return Finish(c, ret);
}

}  // namespace

StepResult cpu_down(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_cpu_down(SWAPFUZZ_STATE_ENUMERATOR) };
  const int cpu = Locals<Fn::kCpuDown>(f).cpu;
  switch (f.pc) {
    case kTakedown: {
      if (!take_hotplug_lock(k, c)) return Block(c, Wait::Kind::kCpuHotplug, 0);
      const uint8_t others = static_cast<uint8_t>(k.cpu_online & ~(1u << cpu));
      const bool down = online(k, cpu) && others != 0;
      Emit(k, c, StepId::kCpuDownTakedown, kNoOffset, kNoPage,
           down ? static_cast<Token>(cpu) : ~Token{0});
      if (!online(k, cpu)) return finish_hotplug(k, c, 0);
      if (!down) return finish_hotplug(k, c, kEbusy);
      // CPUHP_AP_ONLINE_DYN's teardown runs first, on the dying CPU:
      // free_slot_cache() drains its swap slots cache (v4.13 .. v6.14; an
      // empty cache where the release has none).
      drain_slots_cache_cpu(k, cpu);
      k.cpu_online = others;
      const int8_t target = static_cast<int8_t>(std::countr_zero(others));
      for (int i = 0; i < k.ncpus; ++i) {
        if (k.cpus[i].on_cpu == cpu) k.cpus[i].on_cpu = target;
      }
      if (!zswap_has_cpu_dead_callback(k)) return finish_hotplug(k, c, 0);
      f.pc = kTeardown;
      return StepResult::kStep;
    }
    case kTeardown:
      if (auto r = zswap_cpu_comp_dead(k, c, cpu)) return *r;
      return finish_hotplug(k, c, 0);
  }
  return StepResult::kStep;
}

StepResult cpu_up(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_cpu_up(SWAPFUZZ_STATE_ENUMERATOR) };
  const int cpu = Locals<Fn::kCpuUp>(f).cpu;
  switch (f.pc) {
    case kPrepare:
      if (k.cpu_hotplug_owner != -1) return Block(c, Wait::Kind::kCpuHotplug, 0);
      // The prepare callback's mutex is free here once cpu_down()'s teardown
      // has run (later lockers of a context with req NULL drop it in their
      // step), so waiting for it before cpus_write_lock() rather than after
      // loses no interleaving; it keeps a blocked pick from changing state.
      if (!online(k, cpu) && zswap_has_cpu_dead_callback(k)) {
        if (auto r = zswap_cpu_comp_prepare(k, c, cpu)) return *r;
      }
      take_hotplug_lock(k, c);
      if (online(k, cpu)) {
        Emit(k, c, StepId::kCpuUpOnline, kNoOffset, kNoPage, ~Token{0});
        return finish_hotplug(k, c, 0);  // already up
      }
      f.pc = kOnline;
      return zswap_has_cpu_dead_callback(k) ? StepResult::kStep : StepResult::kContinue;
    case kOnline:
      k.cpu_online = static_cast<uint8_t>(k.cpu_online | (1u << cpu));
      Emit(k, c, StepId::kCpuUpOnline, kNoOffset, kNoPage, static_cast<Token>(cpu));
      return finish_hotplug(k, c, 0);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
