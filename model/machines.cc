#include "model/machines.h"

#include <iterator>
#include <string>

#include "model/drivers/block/zram/zram_drv.h"
#include "model/kernel/cpu.h"
#include "model/kernel/sched/core.h"
#include "model/mm/huge_memory.h"
#include "model/mm/madvise.h"
#include "model/mm/memcontrol.h"
#include "model/mm/memory.h"
#include "model/mm/mincore.h"
#include "model/mm/page_io.h"
#include "model/mm/shmem.h"
#include "model/mm/swap_state.h"
#include "model/mm/swapfile.h"
#include "model/mm/userfaultfd.h"
#include "model/mm/vmscan.h"
#include "model/mm/zswap.h"

namespace swapfuzz {
namespace {

// The machine of drain_slots_cache_cpu() as an op (drain_slots): one step.
#define SWAPFUZZ_STATES_DrainSlotsOp(X)  // one step
StepResult DrainSlotsOp(Kernel& k, Cpu& c, Frame&) {
  Emit(k, c, StepId::kDrain, kNoOffset, kNoPage);
  drain_slots_cache_cpu(k, c.on_cpu);
  return Finish(c, 0);
}

// The machine of a function that runs only inside its caller's step
// (SWAPFUZZ_FUNCTIONS: kInStep).
#define SWAPFUZZ_STATES_kInStep(X)
StepResult InStepOnly(Kernel& k, Cpu& c, Frame& f) {
  Report(k, Oracle::kLiveness, f.fn, ObjectKind::kCpu, true,
         "model bug: a frame of %s, which runs only inside its caller's step",
         std::string(FnName(f.fn)).c_str());
  return StepResult::kStep;
}
constexpr Machine kInStep = InStepOnly;

constexpr Machine kMachines[] = {SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_MACHINE)};
static_assert(std::size(kMachines) == static_cast<size_t>(Fn::kCount));

// Each function's state names, from its machine's SWAPFUZZ_STATES_ list; every
// list ends with an empty name, so that one of no states is an array too.
#define SWAPFUZZ_STATE_NAME(state) #state,
#define SWAPFUZZ_FN_STATE_NAMES(e, name, file, machine, cls) \
  constexpr std::string_view kStates_##e[] = {SWAPFUZZ_STATES_##machine(SWAPFUZZ_STATE_NAME) ""};
SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_STATE_NAMES)
#undef SWAPFUZZ_FN_STATE_NAMES

struct StateNames {
  const std::string_view* names;
  size_t count;  // without the final empty name
};
constexpr StateNames kStateNames[] = {
#define SWAPFUZZ_FN_STATE_LIST(e, name, file, machine, cls) \
  {kStates_##e, std::size(kStates_##e) - 1},
    SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_STATE_LIST)
#undef SWAPFUZZ_FN_STATE_LIST
};
static_assert(std::size(kStateNames) == static_cast<size_t>(Fn::kCount));

}  // namespace

Machine MachineFor(Fn fn) { return kMachines[static_cast<size_t>(fn)]; }

std::string_view MachineStateName(Fn fn, uint8_t pc) {
  const StateNames& s = kStateNames[static_cast<size_t>(fn)];
  return pc < s.count ? s.names[pc] : std::string_view();
}

}  // namespace swapfuzz
