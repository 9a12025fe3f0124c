// A readable snapshot of the whole machine, for the debugger and for tests.
//
// At a `--break_at_step` breakpoint (model/executor.h: swapfuzz_step_hook),
// gdb can print it with `call swapfuzz_dump_state()`: every CPU's position in
// its program and kernel call stack (each frame as function@state, e.g.
// do_swap_page@kLockPage) and what it waits for, the page tables,
// swap_map, the swap cache, zram, zswap, the disk, and the held locks.

#ifndef SWAPFUZZ_MODEL_DUMP_H_
#define SWAPFUZZ_MODEL_DUMP_H_

#include <string>

#include "model/kernel.h"

namespace swapfuzz {

std::string FormatKernelState(const Kernel& k);

}  // namespace swapfuzz

// Prints FormatKernelState() of the machine the executor is running (or last
// ran) to stdout; "no machine" before any run. Callable from gdb.
extern "C" void swapfuzz_dump_state();

#endif  // SWAPFUZZ_MODEL_DUMP_H_
