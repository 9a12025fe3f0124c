// mm/madvise.c: madvise() of one address of the task's anonymous VMA.
//
// MADV_DONTNEED and MADV_FREE (ops madvise_dontneed and madvise_free):
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
// A large folio, of which the one address covers less than the whole, is
// split first unless mapped shared or locked ([kSplit], model/mm/huge_memory.h),
// and the PTE looked at again under the PTL; both walks, and MADV_PAGEOUT alike.
// Left out: the range walk (one address per op), userfaultfd_remove(), hugetlb and VM_DROPPABLE VMAs, MADV_DONTNEED_LOCKED,
// lru_add_drain() before the walk, the TLB batching (the model has no TLB).
//
// MADV_PAGEOUT and MADV_WILLNEED (ops madvise_pageout and madvise_willneed):
// Modelled on 7.1.5 (danayer/linux-7.1.5 @9d1745cf8134), whose steps 6.18.35
// and 6.12.94 share (model/sources.cc). Both advices run under
// mmap_read_lock(): get_lock_mode() returns MADVISE_MMAP_READ_LOCK for
// MADV_WILLNEED and MADV_PAGEOUT in 6.18.35 and 7.1.5 (the per-VMA lock is for
// MADV_DONTNEED and MADV_FREE only), as madvise_need_mmap_write() did in
// 6.12.94. The model's VMA is anonymous, so madvise_willneed() never drops the
// lock (it does so for file VMAs only, around vfs_fadvise()).
//
// For these two, taking mmap_read_lock() is folded into the first PTL section, as the fault's
// first step folds it: a writer blocks before either, and nothing the model
// has lies between them (lru_add_drain(), the VMA lookup, tlb_gather_mmu()).

#ifndef SWAPFUZZ_MODEL_MM_MADVISE_H_
#define SWAPFUZZ_MODEL_MM_MADVISE_H_

#include "model/step.h"

namespace swapfuzz {

// do_madvise() -> madvise_lock() / madvise_walk_vmas(): takes the read lock in
// a step of its own, then walks the address with zap_pte_range()
// (DoMadviseLocals::behavior kDontneed) or madvise_free_pte_range() (kFree),
// whose last step drops the lock. Frame: va.
// With DoMadviseLocals::shmem, MADV_DONTNEED of the shmem file's shared
// mapping: [kZapFile] zap_pte_range() of the page index's file PTE under the
// PTL (folio_remove_rmap_ptes(); the folio's reference goes with the TLB
// batch, in the same step: the model has no TLB), and the lock's release.
// The folio stays in the page cache: the file keeps its data.
#define SWAPFUZZ_STATES_do_madvise(X) X(kLock) X(kAfterWalk) X(kZapFile)
StepResult do_madvise(Kernel& k, Cpu& c, Frame& f);

// madvise_free_pte_range() of one address, under the PTL. Frame: va; offset
// and page: the swap entry or folio the PTE held.
#define SWAPFUZZ_STATES_madvise_free_pte_range(X) X(kPte) X(kSplit) X(kTryReclaim) X(kReclaimed)
StepResult madvise_free_pte_range(Kernel& k, Cpu& c, Frame& f);


// madvise(va, PAGE_SIZE, MADV_PAGEOUT): madvise_pageout() ->
// madvise_cold_or_pageout_pte_range(). [kWalk] mmap_read_lock; [kPte] under
// the PTL, a present PTE of a large folio takes it for [kSplit], after which
// [kPte] looks again; a present PTE whose folio (vm_normal_folio(): not the
// zero page) is on the LRU and mapped once ("folio_mapcount(folio) !=
// folio_nr_pages(folio)": order 0) is isolated with folio_isolate_lru(), which
// takes a reference; anything else (none, a swap PTE, a shared or isolated
// folio) is skipped and the lock dropped. Then, still under mmap_read_lock, reclaim_pages() ->
// reclaim_folio_list() -> shrink_folio_list() on the isolated folio: the
// shrink_page_list machine from its trylock ([kAfterReclaim] mmap_read_unlock
// after it, no step of its own). Frame: va.
#define SWAPFUZZ_STATES_madvise_pageout(X) X(kWalk) X(kPte) X(kSplit) X(kAfterReclaim)
StepResult madvise_pageout(Kernel& k, Cpu& c, Frame& f);

// madvise(va, PAGE_SIZE, MADV_WILLNEED) on an anonymous VMA: madvise_willneed()
// -> walk_page_range_vma() -> swapin_walk_pmd_entry(). [kWalk] mmap_read_lock;
// pte_offset_map_lock(), ptep_get(); a swap entry drops the PTL
// (pte_unmap_unlock()) before the read, anything else ends the walk. [kRead]
// read_swap_cache_async(): get_swap_device(), then the release's swap cache
// read (CallSwapCacheRead(): __read_swap_cache_async() and swap_read_folio(),
// or 7.1.5's swap_cache_alloc_folio()), in the same slot as its first step.
// [kAfterRead] put_swap_device(), folio_put() of the folio it returned;
// swap_read_unplug(), lru_add_drain(), mmap_read_unlock(). The entry is left in
// the swap cache, unmapped. Frame: va; offset = the entry.
#define SWAPFUZZ_STATES_madvise_willneed(X) X(kWalk) X(kRead) X(kAfterRead)
StepResult madvise_willneed(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_MADVISE_H_
