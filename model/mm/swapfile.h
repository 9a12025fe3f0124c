// mm/swapfile.c. The swap_map primitives are declared in model/step.h, since
// every path calls them; this header adds the allocator the slots cache uses.

#ifndef SWAPFUZZ_MODEL_MM_SWAPFILE_H_
#define SWAPFUZZ_MODEL_MM_SWAPFILE_H_

#include "model/kernel.h"

namespace swapfuzz {

// get_swap_pages(1): reserves the lowest free offset (map = SWAP_HAS_CACHE)
// and bumps its generation. kNoOffset when the device is full.
Offset get_swap_pages(Kernel& k);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SWAPFILE_H_
