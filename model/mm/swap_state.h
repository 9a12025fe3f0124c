// mm/swap_state.c: the swap cache and swap-in through it.
//
// Modelled on v5.16 (the research notes cite the stored v5.16-5.18
// mm/swap_state.c). The swap cache is an xarray of offset -> page under the xa
// lock; each insertion or deletion is one step.

#ifndef SWAPFUZZ_MODEL_MM_SWAP_STATE_H_
#define SWAPFUZZ_MODEL_MM_SWAP_STATE_H_

#include "model/step.h"

namespace swapfuzz {

// read_swap_cache_async(): __read_swap_cache_async() and, when it allocated
// the page, swap_readpage(). Frame: offset = the entry; with
// ReadSwapCacheAsyncLocals::alloc_only, only __read_swap_cache_async(): the
// new page is returned locked and not read (zswap writeback). Returns the page
// with a reference held (c.ret_page), or kNoPage when the slot is free or the
// device is going away; c.ret is 1 when the page was allocated here
// (page_was_allocated), 0 when it was found.
#define SWAPFUZZ_STATES_read_swap_cache_async(X) \
  X(kFind) X(kPrepare) X(kInsert) X(kAfterRead)
StepResult read_swap_cache_async(Kernel& k, Cpu& c, Frame& f);

// swapin_readahead(), as swap_cluster_readahead(): reads the 2^page_cluster
// aligned window around the entry into the swap cache, then returns the
// entry's page like read_swap_cache_async(). (VMA readahead, which 5.16 uses
// for non-rotational devices, picks neighbours by address instead; both leave
// unmapped neighbour pages in the swap cache.)
#define SWAPFUZZ_STATES_swapin_readahead(X) \
  X(kStart) X(kNext) X(kAfterRead) X(kTarget) X(kAfterTarget)
StepResult swapin_readahead(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SWAP_STATE_H_
