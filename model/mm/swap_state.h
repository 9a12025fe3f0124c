// mm/swap_state.c: the swap cache and swap-in through it.
//
// Modelled on v5.16 (the research notes cite the stored v5.16-5.18
// mm/swap_state.c) and, for the swap table's releases, on 7.1.5
// (swap_cache_alloc_folio()); VMA readahead on 6.12.94, 6.18.35 and 7.1.5
// (swap_vma_readahead()). Kernel::swap_cache maps offset -> page: the
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

// swapin_readahead(): swap_vma_readahead() when swap_use_vma_readahead()
// (Features::vma_readahead on a non-rotational device), else
// swap_cluster_readahead(), which reads the 2^page_cluster aligned window
// around the entry into the swap cache, then returns the entry's page like
// read_swap_cache_async(). Frame: offset = the entry, va = the fault address;
// SwapinReadaheadLocals::mm the VMA's mm; SwapinReadaheadLocals::cluster: shmem's
// swap_cluster_readahead() (shmem_swapin_cluster()). The model's cluster readahead always
// reads the whole window (it leaves out swapin_nr_pages()'s hit heuristic);
// both leave unmapped neighbour pages in the swap cache.
#define SWAPFUZZ_STATES_swapin_readahead(X) \
  X(kStart) X(kNext) X(kAfterRead) X(kTarget) X(kAfterTarget)
StepResult swapin_readahead(Kernel& k, Cpu& c, Frame& f);

// swap_use_vma_readahead(): "READ_ONCE(enable_vma_readahead) &&
// !atomic_read(&nr_rotate_swap)". swapon() counts a device in nr_rotate_swap
// unless "si->bdev && bdev_nonrot(si->bdev)": zram is non-rotational, and the
// model's disk backend stands for a rotational disk. enable_vma_readahead is
// its default, true.
bool swap_use_vma_readahead(const Kernel& k);

// swap_vma_readahead() of 6.12.94, 6.18.35 and 7.1.5 (Features::vma_readahead).
// [kWindow] swap_vma_ra_win(): the window from the VMA's swap_readahead_info
// (the previous fault address, window and hits; __swapin_nr_pages()), written
// back with this fault's address, the window and no hits, one step (two
// lockless atomics); a window of 1 reads only the target. Then for each
// address of the window, the target's included: [kPte] ptep_get_lockless()
// without the PTL, one step; a swap entry is read into the swap cache with
// CallSwapCacheRead() (__read_swap_cache_async() with swap_read_folio(), or
// 7.1.5's swap_cache_alloc_folio()); [kAfterRead] a folio allocated here for an
// address other than the fault's gets PG_readahead, and the reference is put.
// Last, [kTarget] the target entry as read_swap_cache_async() would: normally a
// hit on the folio the loop read. Returns it like swapin_readahead().
// An entry of another swap type than the target's (several devices) is
// pinned first with get_swap_device(), and skipped if that fails; the pin is
// put after swap_cache_alloc_folio() [kAfterAlloc], before the read
// [kAfterForeignRead] (7.1.5 mm/swap_state.c 841-862; 1c2a936edd71).
#define SWAPFUZZ_STATES_swap_vma_readahead(X) \
  X(kWindow) X(kPte) X(kRead) X(kAfterRead) X(kTarget) X(kAfterTarget) X(kAfterAlloc) \
  X(kAfterForeignRead)
StepResult swap_vma_readahead(Kernel& k, Cpu& c, Frame& f);

// swap_update_readahead() of 6.18.35 and 7.1.5, which do_swap_page() calls on a
// swap cache hit (6.12.94: the end of swap_cache_get_folio(entry, vma, addr)):
// clears the folio's PG_readahead and, with VMA readahead, stores the fault's
// address in the VMA's swap_readahead_info and counts the hit. Runs inside the
// lookup's step; nothing without Features::vma_readahead.
void swap_update_readahead(Kernel& k, Mm& mm, PageId id, uint8_t va);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SWAP_STATE_H_
