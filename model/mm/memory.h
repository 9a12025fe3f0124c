// mm/memory.c: user access, page faults, unmapping and fork.
//
// Step machines (see model/step.h), modelled on v5.16 unless a knob restores
// older code or the fixed code of a later release; a profile's Features pick
// later releases' shapes (model/sources.cc says which, file by file, up to
// 7.1.5's swap table). Simplifications, each kept
// because no swap-path race in the catalogue depends on it:
//  - the hardware fault and handle_pte_fault()'s lockless orig_pte read are one
//    step;
//  - lock_page_or_retry() is a plain sleeping lock_page();
//  - a write fault that do_swap_page() maps read-only returns, and the retried
//    access takes the do_wp_page() fault;
//  - munmap holds mmap_lock for write across the zap (the kernel downgrades it),
//    and the address is at once mapped again as fresh anonymous memory, so a
//    later access faults in a zero page.

#ifndef SWAPFUZZ_MODEL_MM_MEMORY_H_
#define SWAPFUZZ_MODEL_MM_MEMORY_H_

#include "model/step.h"

namespace swapfuzz {

// A fault's VM_FAULT_OOM, as do_wp_page() returns it when its copy cannot be
// charged (model/mm/memcontrol.h): the access is given up.
inline constexpr int16_t kVmFaultOom = 1;
// VM_FAULT_RETRY with mmap_lock already released (shmem_falloc_wait()'s
// maybe_unlock_mmap_for_io()): the caller does not unlock it, and retries.
inline constexpr int16_t kVmFaultRetry = 2;

// A user read or write of one address (op read / write). Frame: va;
// UserAccessLocals::write. With the memory controller on, a write fault's new
// folio is charged to the mm's memcg; over memory.max the charge reclaims
// (try_charge_memcg()) and, failing, ends the fault with VM_FAULT_OOM.
// With UserAccessLocals::shmem (ops shmem_map_read, shmem_map_write) the
// access goes through the shmem file's MAP_SHARED mapping (Mm::shmem_pte) at
// page index va: a present PTE is read or written in place (a store marks the
// folio dirty, as the PTE's dirty bit does when reclaim or a zap clears it,
// and is the file's new data at the index); a none PTE faults into
// do_fault().
#define SWAPFUZZ_STATES_user_access(X) \
  X(kAccess) X(kAnonymous) X(kAfterFault) X(kAnonCharged)
StepResult user_access(Kernel& k, Cpu& c, Frame& f);

// do_wp_page(): write fault on a present read-only PTE. Frame: va, page;
// DoWpPageLocals::orig_pte.
#define SWAPFUZZ_STATES_do_wp_page(X) \
  X(kReuseOrCopy) X(kCopyData) X(kInstall) X(kFreeOld) X(kCopyCharged)
StepResult do_wp_page(Kernel& k, Cpu& c, Frame& f);

// do_swap_page(): fault on a swap PTE. Frame: va, offset;
// DoSwapPageLocals::orig_pte and write.
#define SWAPFUZZ_STATES_do_swap_page(X) \
  X(kLookup) X(kSkipCheck) X(kPin) X(kAfterSkipRead) X(kAfterReadahead) X(kLockPage) \
  X(kInstallPte) X(kClear) X(kSkipRead) X(kCanSwapinThp) X(kAllocSwapFolio)
StepResult do_swap_page(Kernel& k, Cpu& c, Frame& f);

// munmap() of one address (under mmap_lock for write, which its first step
// takes), or MADV_DONTNEED's zap_page_range_single() of the addresses from the
// frame's va to ZapPteRangeLocals::last_va (under do_madvise()'s read lock:
// ZapPteRangeLocals::lock): zap_pte_range() and the tlb-batched frees.
//   kZap           under the PTL, one batch a step from the frame's va to the
//                  range's end (the kernel's need_resched() points): a none
//                  PTE or the zero page alone; the present PTEs of
//                  consecutive pages of one folio (folio_pte_batch()),
//                  cleared, their rmap dropped once for the batch and the
//                  folio gathered (Cpu::tlb); contiguous swap entries with the
//                  same bits and swap_cgroup id (swap_pte_batch()), cleared
//                  and put (PutSwapEntries()). Batches need large folios in
//                  swap (Features::large_folio_swapout, v6.10); before, every
//                  batch is one PTE.
//   kRangeFree     6.12.94: the batch's slots freed under si->lock
//   kTryReclaim    __try_to_reclaim_swap() over the put range, stepping over
//   kReclaimed     each folio it finds (TryReclaimSwapEntry()); then the
//                  device is put and the walk goes on
//   kFreeSwapCache after the PTL: tlb_finish_mmu() ->
//                  free_pages_and_swap_cache(), free_swap_cache() of a
//                  gathered folio per step; the last step puts the
//                  references of a lone folio, or
//   kFoliosPut     folios_put_refs() of several
// The last step drops the lock.
#define SWAPFUZZ_STATES_zap_pte_range(X) \
  X(kLock) X(kZap) X(kTryReclaim) X(kFreeSwapCache) X(kReclaimed) X(kRangeFree) X(kFoliosPut)
StepResult zap_pte_range(Kernel& k, Cpu& c, Frame& f);

// do_fault() of the shmem file's shared mapping at page index va (7.1.5
// memory.c:6013; 6.18.35 the same), from handle_pte_fault() on a none PTE
// under mmap_read_lock. A read fault first does do_fault_around() [kAround]:
// filemap_map_pages() over the whole VMA (fault_around_bytes 64K spans it),
// under RCU and the PTL in one step: each folio of the page cache that is
// uptodate, not under PG_readahead and that it can trylock gets its none
// PTEs mapped (a large folio whole, as it lies inside the VMA and one PMD),
// and the fault is done (VM_FAULT_NOPAGE) if its own PTE was mapped. Else
// [kFault] __do_fault() -> vma->vm_ops->fault, shmem_fault() (model/mm/shmem.h),
// which returns the folio locked with a reference [kAfterFault], or
// VM_FAULT_RETRY with mmap_lock released; then finish_fault() [kFinish],
// under the PTL: a large folio whose PTEs are all none is mapped whole
// (folio_ref_add(folio, nr - 1)), else "goto fallback" retakes the PTL for
// the fault's page alone in a second step; that page's PTE must still be
// none (vmf_pte_changed()), else VM_FAULT_NOPAGE. The PTEs are writable (no
// write notification for shmem). Then [kUnlock] do_read_fault():
// folio_unlock(), and folio_put() if nothing was mapped; do_shared_fault():
// fault_dirty_shared_page() (folio_mark_dirty(), folio_unlock()), or
// folio_unlock() and folio_put() if nothing was mapped. Returns 0,
// kVmFaultRetry or kVmFaultOom (-ENOMEM); any other error is vmf_error()'s
// VM_FAULT_SIGBUS, which is a finding (the task loses the file's data) and
// gives the access up. The VMA is never registered with userfaultfd (no
// per-page fidelity, no VM_UFFD_MINOR).
#define SWAPFUZZ_STATES_do_fault(X) X(kAround) X(kFault) X(kAfterFault) X(kFinish) X(kUnlock)
StepResult do_fault(Kernel& k, Cpu& c, Frame& f);

// The zap of one mm's shared mapping of the shmem file under its PTL, as
// unmap_mapping_range() and try_to_unmap_one() make it: each present PTE of
// the indices [first, first + nr) (mapping `single_folio`, when it is not
// kNoPage) cleared, folio_remove_rmap_ptes(), and the mapping's reference
// put (the kernel's tlb batch puts it after the PTL; the page cache still
// holds the folio, so nothing between could see the difference). A dirty
// PTE marks its folio dirty; the model's stores did that already.
void zap_file_ptes(Kernel& k, Mm& mm, int first, int nr, PageId single_folio, Fn fn);
// unmap_mapping_folio() of truncate_cleanup_folio(): zap_file_ptes() of the
// folio in every mm, inside the caller's step (the caller holds the folio
// lock, so no fault maps it meanwhile).
void unmap_mapping_folio(Kernel& k, PageId folio, Fn fn);

// --- shared by zap_pte_range(), madvise_free_pte_range() (mm/madvise.c) and,
// for put_device(), shmem_swapin_folio() and shmem_undo_range() (mm/shmem.c) ---

// put_swap_device(), if the frame holds the reference.
void put_device(Kernel& k, Offset off, bool& si_ref);
// Drops the lock a zap or a madvise() walk ran under, in its last step.
void mm_lock_release(Mm& mm, MmLock lock);
// Clears the PTE at va under the PTL (zap, or MADV_FREE of a swap PTE): the
// next access faults in a zero page, so the address now holds zero.
void ZapPte(Mm& mm, uint8_t va);
// The swap entries of `nr` PTEs being cleared (one, or a swap_pte_batch() of
// contiguous entries), in the caller's PTL step: free_swap_and_cache_nr() up
// to 6.18.35, swap_put_entries_direct() in 7.1.5 (get_swap_device(), then the
// puts). kReclaim: the swap cache is all that holds some slot, and
// __try_to_reclaim_swap() follows over the range (TryReclaimSwapEntry(),
// holding si_ref); kRangeFree: 6.12.94's __swap_entries_free() frees the whole
// range under si->lock next (holding si_ref); kDone: finished, si_ref
// dropped; kBadEntry: a fatal finding was reported.
enum class SwapEntryPut : uint8_t { kDone, kReclaim, kRangeFree, kBadEntry };
SwapEntryPut PutSwapEntries(Kernel& k, Cpu& c, Offset off, int nr, bool& si_ref);
// __try_to_reclaim_swap() of the frame's offset after PutSwapEntries() said
// kReclaim. True: it pushed the v6.15+ machine's frame, and the caller resumes
// at resume_pc, where c.ret is the machine's result; false: it ran the older
// lookup and trylock as this step, and `nr` is the result: the folio's page
// count if it was reclaimed, its negation if not, 0 if none was cached.
bool TryReclaimSwapEntry(Kernel& k, Cpu& c, Frame& f, uint8_t resume_pc, int& nr);

// UFFDIO_WRITEPROTECT of one address (op uffd_wp): toggles the uffd-wp bit of
// a swap PTE, which makes a concurrent fault's pte_same() fail. Frame: va.
#define SWAPFUZZ_STATES_change_pte_range(X)  // one step
StepResult change_pte_range(Kernel& k, Cpu& c, Frame& f);

// fork(): copy_page_range() of the task's mm into mm
// CopyPteRangeLocals::dst_mm, the op's argument (one step: both
// page table locks and mmap_lock for write are held throughout).
#define SWAPFUZZ_STATES_copy_pte_range(X)  // one step
StepResult copy_pte_range(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_MEMORY_H_
