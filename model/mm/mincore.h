// mm/mincore.c: mincore() of one address (op mincore).
//
// Modelled on 7.1.5 (danayer/linux-7.1.5 @9d1745cf8134) and 6.18.35
// (mincore_swap()), with 6.12.94's mincore_page(swap_address_space(entry), ...)
// -> filemap_get_incore_folio() the same step (model/sources.cc).

#ifndef SWAPFUZZ_MODEL_MM_MINCORE_H_
#define SWAPFUZZ_MODEL_MM_MINCORE_H_

#include "model/step.h"

namespace swapfuzz {

// sys_mincore() -> do_mincore() under mmap_read_lock() -> walk_page_range() ->
// mincore_pte_range() under the PTL, one step: a present PTE is 1, an empty
// one 0 (an anonymous VMA has no page cache to ask); a swap PTE is what the
// swap cache says: the folio cached for the entry, if any, and whether it is
// uptodate (a folio a swap-in is still reading is not). The lookup takes a
// folio reference and drops it in the same PTL section; the answer is the
// step's trace detail (and the frame's return), and nothing else changes.
// Frame: va.
#define SWAPFUZZ_STATES_do_mincore(X)  // one step
StepResult do_mincore(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_MINCORE_H_
