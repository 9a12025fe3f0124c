// mm/swap_state.c: the swap cache and swap-in through it.
//
// Modelled on v5.16 (the research notes cite the stored v5.16-5.18
// mm/swap_state.c) and, for the swap table's releases, on 7.1.5
// (swap_cache_alloc_folio()). Kernel::swap_cache maps offset -> page: the
// xarray under the xa lock up to 6.17, the clusters' swap table under the
// cluster lock from 6.18; each insertion or deletion is one step.

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

// swap_cache_alloc_folio() of v7.0+ (the swap table), with
// __swap_cache_prepare_and_add(): [RCU] swap_cache_get_folio(), and on a miss
// swap_entry_swapped() and a new locked folio; then [cluster lock]
// swap_cache_add_folio(), which inserts the folio, or fails with -EEXIST (a
// folio is cached: look it up again, and use it, or add again if it has gone)
// or -ENOENT (the count is zero: give up). With
// SwapCacheAllocFolioLocals::read, a new folio is read with swap_readpage()
// (read_swap_cache_async(), swapin_folio()); without, it comes back locked and
// unread (zswap writeback). SwapCacheAllocFolioLocals::lookup false is
// swapin_folio(): do_swap_page() has looked the entry up, so it starts at the
// add. Returns like read_swap_cache_async(): the folio with a reference
// (kNoPage: none), c.ret 1 when it was allocated here.
#define SWAPFUZZ_STATES_swap_cache_alloc_folio(X) \
  X(kLookup) X(kAdd) X(kAfterRead)
StepResult swap_cache_alloc_folio(Kernel& k, Cpu& c, Frame& f);

// Calls the release's function that brings `off` into the swap cache and
// resumes `caller` at `resume_pc`: read_swap_cache_async() (with
// SWAP_HAS_CACHE) or swap_cache_alloc_folio() (the swap table). `read`: read a
// newly allocated folio; false leaves it locked and unread. `skip_if_exists`:
// __read_swap_cache_async()'s (v6.8+), which the swap table's allocation
// always does.
StepResult CallSwapCacheRead(Kernel& k, Cpu& c, Frame& caller, uint8_t resume_pc, Offset off,
                             bool read, bool skip_if_exists);

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
