// mm/madvise.c: madvise(MADV_DONTNEED) and madvise(MADV_FREE) of one address
// of the task's anonymous VMA (ops madvise_dontneed and madvise_free).
//
// Modelled on 7.1.5; Features picks the older releases' lock. Both behaviours
// take a read lock (the per-VMA lock from v6.16, mmap_read_lock() before), so
// they run beside faults of the same mm; munmap and fork wait for them.
//  - MADV_DONTNEED: madvise_dontneed_single_vma() -> zap_page_range_single()
//    (7.1.5: zap_vma_range_batched()) -> zap_pte_range(), the machine munmap
//    runs (model/mm/memory.h), under the read lock.
//  - MADV_FREE: madvise_free_single_vma() -> walk_page_range_vma() ->
//    madvise_free_pte_range(), one PTL section for the address: a swap PTE is
//    cleared and its entry freed as a zap frees it; a present order-0 folio
//    mapped once is cleaned and made lazyfree (folio_mark_lazyfree(), mm/swap.c).
//    Reclaim then discards it if it stays clean (model/mm/vmscan.cc).
// Left out: the range walk (one address per op), large folios and their split,
// userfaultfd_remove(), hugetlb and VM_DROPPABLE VMAs, MADV_DONTNEED_LOCKED,
// lru_add_drain() before the walk, the TLB batching (the model has no TLB).

#ifndef SWAPFUZZ_MODEL_MM_MADVISE_H_
#define SWAPFUZZ_MODEL_MM_MADVISE_H_

#include "model/step.h"

namespace swapfuzz {

// do_madvise() -> madvise_lock() / madvise_walk_vmas(): takes the read lock in
// a step of its own, then walks the address with zap_pte_range()
// (DoMadviseLocals::behavior kDontneed) or madvise_free_pte_range() (kFree),
// whose last step drops the lock. Frame: va.
#define SWAPFUZZ_STATES_do_madvise(X) X(kLock) X(kAfterWalk)
StepResult do_madvise(Kernel& k, Cpu& c, Frame& f);

// madvise_free_pte_range() of one address, under the PTL. Frame: va; offset
// and page: the swap entry or folio the PTE held.
#define SWAPFUZZ_STATES_madvise_free_pte_range(X) X(kPte) X(kTryReclaim) X(kReclaimed)
StepResult madvise_free_pte_range(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_MADVISE_H_
