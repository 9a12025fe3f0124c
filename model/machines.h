// The step machines by function: the machine column of SWAPFUZZ_FUNCTIONS
// (model/steps.h) resolved to the functions model/mm/*.h and model/drivers/
// declare, and the names of each machine's states (SWAPFUZZ_STATES_<machine>,
// model/step.h) for the dump.

#ifndef SWAPFUZZ_MODEL_MACHINES_H_
#define SWAPFUZZ_MODEL_MACHINES_H_

#include <cstdint>
#include <string_view>

#include "model/step.h"

namespace swapfuzz {

using Machine = StepResult (*)(Kernel&, Cpu&, Frame&);

// The machine that runs a frame of `fn`. For a kInStep function, one that
// reports a model bug (no frame of one is ever pushed).
Machine MachineFor(Fn fn);

// The name of state `pc` of fn's machine ("kLockPage"); empty when the machine
// has no states (one step) or `pc` is not one of them.
std::string_view MachineStateName(Fn fn, uint8_t pc);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MACHINES_H_
