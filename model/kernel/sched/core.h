// kernel/sched/core.c: moving a task to another CPU (op migrate).

#ifndef SWAPFUZZ_MODEL_KERNEL_SCHED_CORE_H_
#define SWAPFUZZ_MODEL_KERNEL_SCHED_CORE_H_

#include "model/step.h"

namespace swapfuzz {

// sched_setaffinity() of another task to one online CPU: one step. A task
// that sleeps or runs in the kernel moves between its steps, which is where
// the kernel moves it (at wakeup, or through the stopper at its next
// preemption point). Refused (-EINVAL) for an offline CPU or a column with no
// program. Frame locals: the task and the CPU.
#define SWAPFUZZ_STATES_sched_setaffinity(X)  // one step
StepResult sched_setaffinity(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KERNEL_SCHED_CORE_H_
