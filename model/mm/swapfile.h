// mm/swapfile.c. The swap_map primitives are declared in model/step.h, since
// every path calls them; this header adds the allocator the slots cache uses.

#ifndef SWAPFUZZ_MODEL_MM_SWAPFILE_H_
#define SWAPFUZZ_MODEL_MM_SWAPFILE_H_

#include "model/step.h"

namespace swapfuzz {

// get_swap_pages(1): reserves the lowest free offset (map = SWAP_HAS_CACHE)
// and bumps its generation. kNoOffset when the device is full or is not
// SWP_WRITEOK.
Offset get_swap_pages(Kernel& k);

// __try_to_reclaim_swap() of v6.15+ (Features::try_to_reclaim_swap_retries),
// for the zap (TTRS_UNMAPPED | TTRS_FULL) and the allocator (TTRS_ANYWAY,
// TryToReclaimSwapLocals::anyway). Frame: offset = the entry to reclaim.
//   kLookup   "again: folio = swap_cache_get_folio(entry)", with a reference;
//             with TryToReclaimSwapLocals::only_if_cached, first the caller's
//             lockless read of the slot, which calls only when the swap
//             cache alone holds it
//   kTrylock  folio_trylock(); a folio that no longer matches the entry is
//             unlocked and put, and the lookup runs again; one that does is
//             dropped from the swap cache if the flags ask for it and only
//             the cache holds its slot.
// Returns 1 when it dropped the folio, -1 when it found one but did not, 0
// when there was none (the kernel's nr_pages, -nr_pages and 0), within its
// last step: the caller's resume state runs in that step and ends it.
#define SWAPFUZZ_STATES_try_to_reclaim_swap(X) X(kLookup) X(kTrylock)
StepResult try_to_reclaim_swap(Kernel& k, Cpu& c, Frame& f);

// swapoff() of the device (op swapoff), modelled on v5.16..v6.9, whose steps
// keep this order: clear SWP_WRITEOK; drain and disable the slots caches;
// try_to_unuse(); percpu_ref_kill(&si->users) and wait for every
// get_swap_device() reference; free swap_map, the swap extents and the swap
// cache's address space; zswap_swapoff(). -EINVAL when there is no device.
#define SWAPFUZZ_STATES_swapoff(X) \
  X(kStart) X(kDrain) X(kUnuse) X(kAfterUnuse) X(kKill) X(kWait) X(kTeardown) X(kZswapSwapoff)
StepResult swapoff(Kernel& k, Cpu& c, Frame& f);

// try_to_unuse(): brings every swapped page back: for each swap PTE (mm by
// mm) read the page in through the swap cache, lock it, unuse_pte() under the
// PTL (install it, swap_free()), try_to_free_swap(); then free swap cache
// pages left for offsets still in use; retry while inuse_pages != 0.
#define SWAPFUZZ_STATES_try_to_unuse(X) \
  X(kScan) X(kAfterRead) X(kLock) X(kWaitWriteback) X(kUnusePte) X(kFree) X(kSweep) X(kCheck)
StepResult try_to_unuse(Kernel& k, Cpu& c, Frame& f);

// swapon() (op swapon): a fresh device of the same size, on the avail list,
// with a new zswap tree. -EBUSY when the device is active.
#define SWAPFUZZ_STATES_swapon(X)  // one step
StepResult swapon(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SWAPFILE_H_
