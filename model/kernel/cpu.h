// kernel/cpu.c: taking a CPU down and bringing it up (ops cpu_offline and
// cpu_online), with the hotplug callbacks of the subsystems the model has.
//
// The per-CPU state the model's hotplug touches: the swap slots cache
// (mm/swap_slots.c, CPUHP_AP_ONLINE_DYN: free_slot_cache() drains it) and
// zswap's compression context (mm/zswap.c, CPUHP_MM_ZSWP_POOL_PREPARE). A
// task's CPU is Cpu::on_cpu, which is its column until a CPU goes down under
// it or sched_setaffinity() moves it.

#ifndef SWAPFUZZ_MODEL_KERNEL_CPU_H_
#define SWAPFUZZ_MODEL_KERNEL_CPU_H_

#include "model/step.h"

namespace swapfuzz {

// cpu_device_down() -> _cpu_down(). Frame locals: the CPU.
//   kTakedown  cpus_write_lock() (cpu_hotplug_lock, held to the end); the
//              AP teardown callbacks (free_slot_cache()); then
//              takedown_cpu(): the CPU leaves cpu_online_mask, and the tasks
//              on it move to the lowest online CPU (migrate_tasks()). Refused
//              (-EBUSY) for the last online CPU, and a no-op for one that is
//              already down.
//   kTeardown  the PREPARE-stage teardown callbacks, on the control CPU after
//              the CPU is dead: zswap_cpu_comp_dead() (model/mm/zswap.h).
#define SWAPFUZZ_STATES_cpu_down(X) X(kTakedown) X(kTeardown)
StepResult cpu_down(Kernel& k, Cpu& c, Frame& f);

// cpu_device_up() -> _cpu_up(). Frame locals: the CPU.
//   kPrepare   cpus_write_lock() and the PREPARE-stage startup callbacks:
//              zswap_cpu_comp_prepare(), whose mutex the model waits for
//              before the hotplug lock (model/kernel/cpu.cc says why).
//   kOnline    bringup_cpu(): the CPU joins cpu_online_mask; cpus_write_unlock().
#define SWAPFUZZ_STATES_cpu_up(X) X(kPrepare) X(kOnline)
StepResult cpu_up(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KERNEL_CPU_H_
