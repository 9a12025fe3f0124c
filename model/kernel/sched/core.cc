#include "model/kernel/sched/core.h"

namespace swapfuzz {

StepResult sched_setaffinity(Kernel& k, Cpu& c, Frame& f) {
  const SchedSetaffinityLocals& l = Locals<Fn::kSchedSetaffinity>(f);
  const bool ok = l.task < k.ncpus && ((k.cpu_online >> l.cpu) & 1u);
  Emit(k, c, StepId::kSchedSetaffinity, kNoOffset, kNoPage,
       ok ? static_cast<Token>(l.task * kMaxCpus + l.cpu) : ~Token{0});
  if (!ok) return Finish(c, -22);  // -EINVAL
  k.cpus[l.task].on_cpu = static_cast<int8_t>(l.cpu);
  return Finish(c, 0);
}

}  // namespace swapfuzz
