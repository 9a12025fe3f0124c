// mm/vmscan.c: reclaim of one anonymous page, as shrink_page_list() does it.
//
// The op `reclaim va` models kswapd or direct reclaim picking the page mapped
// at va off the LRU: isolate, trylock, add_to_swap, try_to_unmap one PTE per
// step, pageout() -> swap_writepage(), then __remove_mapping() for a
// synchronous write. Modelled on v5.16. A lazyfree folio (MADV_FREE,
// model/mm/madvise.h) skips add_to_swap, meets try_to_unmap_one()'s
// "MADV_FREE page check" at each PTE, and is freed without a write.

#ifndef SWAPFUZZ_MODEL_MM_VMSCAN_H_
#define SWAPFUZZ_MODEL_MM_VMSCAN_H_

#include "model/step.h"

namespace swapfuzz {

// The op `shmem_reclaim index` picks the shmem file's folio at that page
// index, or the swap cache folio of the swap entry there: a shmem folio has
// no add_to_swap(), and pageout() hands it to shmem_writeout()
// (model/mm/shmem.h), which moves it from the page cache to the swap cache
// and writes it; __remove_mapping() then drops it from the swap cache, as for
// an anonymous folio.
//
// Frame: va; with ShrinkPageListLocals::isolated (reclaim_pages() from
// madvise_pageout()), page = the folio the caller isolated, and the machine
// starts at folio_trylock(). A folio it does not reclaim goes back on the LRU
// (keep: putback_lru_page(), as reclaim_folio_list()'s folio_putback_lru()).
#define SWAPFUZZ_STATES_shrink_page_list(X) \
  X(kIsolate) X(kTrylock) X(kAddToSwap) X(kInsert) X(kUnmap) X(kPageout) X(kAfterWrite) \
  X(kRelock) X(kRemove) X(kReclaimSlot) X(kAfterReclaimSlot) X(kAllocAfterReclaim) X(kFreeLazy) \
  X(kAfterAlloc) X(kSplit)
StepResult shrink_page_list(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_VMSCAN_H_
