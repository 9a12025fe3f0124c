// mm/userfaultfd.c: ioctl(UFFDIO_MOVE) of one page within the task's mm (op
// uffd_move: the op's va is src_start, its argument dst_start, len one page,
// mode 0).
//
// Modelled on 7.1.5 (danayer/linux-7.1.5 @9d1745cf8134); 6.18.35 and 6.12.94
// differ only where Features says (model/sources.cc). The task's own
// userfaultfd is registered over its one anonymous VMA, so src_vma and
// dst_vma are that VMA and validate_move_areas() passes; no non-cooperative
// event (UFFD_FEATURE_EVENT_*) is enabled, so ctx->mmap_changing stays 0.
//
// The locks, and how the model has them:
//  - uffd_move_lock(): uffd_lock_vma() takes the VMA's read lock (v6.10+;
//    mmap_read_lock() in v6.8 and v6.9 and without CONFIG_PER_VMA_LOCK).
//    Counted with mmap_lock's readers (MmLock, model/frame_locals.h): it keeps
//    munmap and fork out and lets faults, reclaim and madvise in. Taken in
//    the op's first step, dropped in its last (uffd_move_unlock()).
//  - The PTLs: the model's VMA lies in one PMD, so src_ptl and dst_ptl are one
//    lock; double_pt_lock() takes it once. Each of move_pages_ptes()'s PTL
//    sections (the dst read, the src read, the pin, the move) is a step.
//  - The folio lock: a sleeping lock_page() after a failed trylock, with the
//    PTEs unmapped, then "goto retry" from the dst read.
//  - anon_vma: 6.12.94 and 6.18.35 take src_anon_vma's write lock before
//    move_present_pte(s) to keep folio_referenced() out; 7.1.5 does not. The
//    model has one anon_vma, and its only rmap walk, reclaim's try_to_unmap(),
//    holds the folio lock, which the move holds too: the lock is left out.
// Left out: large folios and their split, THP PMDs (move_pages_huge_pmd()),
// migration entries, DMA pins (folio_maybe_dma_pinned()), the batch of
// move_present_ptes() (len is one page), UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES and
// UFFDIO_MOVE_MODE_DONTWAKE, mmu notifiers and the TLB, the soft-dirty bit,
// and userfault delivery: a later access of the now empty source faults in the
// zero page, as if the monitor had resolved it with UFFDIO_ZEROPAGE.

#ifndef SWAPFUZZ_MODEL_MM_USERFAULTFD_H_
#define SWAPFUZZ_MODEL_MM_USERFAULTFD_H_

#include "model/step.h"

namespace swapfuzz {

// move_pages() with move_pages_ptes() and the functions it calls, one page.
// [kLock] uffd_move_lock(); before v6.8 (!Features::uffd_move)
// userfaultfd_ioctl()'s -EINVAL for an unknown command instead. [kReadDst]
// retry: the dst PTE, -EEXIST unless none. [kReadSrc] the src PTE: none
// -ENOENT; the PTE the held folio was pinned under changed -EAGAIN; then by
// kind. [kPinFolio] a present folio: -EBUSY unless PageAnonExclusive, trylock
// ([kLockFolio] else sleep for it and retry; a large folio instead gives
// -EAGAIN). [kSplitSrc] a large folio is split (model/mm/huge_memory.h) and
// the pass retried, or its error returned. [kMovePresent] or [kZeropage]
// the move under double_pt_lock(). [kSwapLookup] a swap PTE: -EBUSY unless
// pte_swp_exclusive(), get_swap_device(), the swap cache folio (-EBUSY if
// it is large) and its trylock. [kMoveSwap] move_swap_pte(). The step that ends move_pages_ptes()
// drops the folio and the device (its "out:"), and either retries (-EAGAIN,
// after cond_resched()) or drops the VMA lock and returns. Frame: va = src;
// page = src_folio; MovePagesLocals.
#define SWAPFUZZ_STATES_move_pages(X) \
  X(kLock)                            \
  X(kReadDst)                         \
  X(kReadSrc) X(kPinFolio) X(kLockFolio) X(kSplitSrc) X(kMovePresent) X(kZeropage) X(kSwapLookup) X(kMoveSwap)
StepResult move_pages(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_USERFAULTFD_H_
