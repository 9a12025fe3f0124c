// mm/shmem.c: a shmem (tmpfs) file, the second owner of swap entries.
//
// Modelled on 7.1.5 (danayer/linux-7.1.5 @9d1745cf8134 mm/shmem.c), order-0
// and large folios and entries (RunConfig::shmem_huge_order); on 6.18.35
// (leftymods/linux-6.18.y @40a9e9f43d44), whose functions differ from 7.1.5's
// only in the swap calls named below; and on 6.12.94 (RBCSFQ/linux-6.12.y
// @f98186d5cccb), order 0 only, whose shmem_writepage(), swap-in and
// shmem_unuse() differ as named below (Features::shmem_swap). The file is
// Kernel::shmem: at each page index a hole, a folio of its page cache, or a
// swap entry, each of whose slots counts 1 as a swap PTE does (7.1.5), or
// SWAP_MAP_SHMEM (6.12.94, 6.18.35). Each xa_lock section of the mapping,
// each cluster-lock section and each folio lock is a step of its own;
// info->lock, which guards only counters the oracles read at quiescence,
// shares the step of the cluster-lock section that follows it, and
// shmem_unuse()'s swaplist lock (6.12.94: mutex) sections are steps.
//
// The file's MAP_SHARED mapping faults through shmem_fault() (below) from
// do_fault() (model/mm/memory.h).
//
// The file has an i_size (ShmemInode::i_size), which ftruncate()
// (shmem_setattr()) and writes move and reads, faults and fault-around check.
//
// Not modelled yet (docs/shmem.md): munmap() of the shared mapping, the split
// of a large folio shmem_writeout() finds no large slot range for, and the
// memcg charges of shmem folios (config.memcg is refused).

#ifndef SWAPFUZZ_MODEL_MM_SHMEM_H_
#define SWAPFUZZ_MODEL_MM_SHMEM_H_

#include <cerrno>

#include "model/step.h"

namespace swapfuzz {

// shmem_file_read_iter() of one page (op shmem_read; the frame's va is the
// page index): nothing past i_size; shmem_get_folio(SGP_READ) (past i_size
// now: nothing read); [kUnlock] folio_unlock(); [kCopy]
// copy_folio_to_iter() and folio_put(), or for a hole iov_iter_zero(), unless
// i_size, read again, has fallen to the page (folio_put() alone). What
// the copy reads is judged by the oracle on the file (model/oracles.h): the
// folio it copies was the file's at its index when shmem_get_folio() returned
// it, and holds the file's data until it leaves the file; after that, nothing
// writes it.
#define SWAPFUZZ_STATES_shmem_file_read_iter(X) X(kGet) X(kAfterGet) X(kUnlock) X(kCopy)
StepResult shmem_file_read_iter(Kernel& k, Cpu& c, Frame& f);

// shmem_file_write_iter() of one page (op shmem_write; the value is the op's,
// or a fresh token): [kLock] inode_lock(); shmem_write_begin() ->
// shmem_get_folio(SGP_WRITE); [kCopy] copy_from_iter() and shmem_write_end():
// i_size raised past the page, uptodate, dirty, folio_unlock(), folio_put();
// [kUnlock] inode_unlock().
#define SWAPFUZZ_STATES_shmem_file_write_iter(X) X(kLock) X(kGet) X(kAfterGet) X(kCopy) X(kUnlock)
StepResult shmem_file_write_iter(Kernel& k, Cpu& c, Frame& f);

// shmem_get_folio_gfp() (7.1.5 shmem.c:2462): [kLookup] filemap_get_entry():
// a swap entry goes to shmem_swapin_folio(), whose -EEXIST repeats the
// lookup; before it, SGP_READ and SGP_CACHE fail with kEinvalPastEof at or
// past i_size; a folio is locked [kLock] and must still be the mapping's, else the
// lookup repeats, and one not uptodate is a hole to SGP_READ; a hole gives no
// folio to SGP_READ, and to SGP_WRITE or SGP_CACHE a new one [kAlloc]
// (shmem_alloc_and_add_folio(): allocated, locked and added under xa_lock in
// one step, left !uptodate for shmem_write_end(); -EEXIST if the index is no
// longer a hole, and the lookup repeats; SGP_CACHE reads i_size again and
// takes a folio added past it back out, kEinvalPastEof). Returns the folio locked with a
// reference (c.ret_page; kNoPage for a hole read), c.ret 0 or an error.
#define SWAPFUZZ_STATES_shmem_get_folio_gfp(X) X(kLookup) X(kAfterSwapin) X(kLock) X(kAlloc)
StepResult shmem_get_folio_gfp(Kernel& k, Cpu& c, Frame& f);

// shmem_swapin_folio() (7.1.5 shmem.c:2288) of the entry at the frame's
// offset for page index va: [kLookup] get_swap_device(), shmem_confirm_swap()
// (which reads the entry's order; a large entry's slot for va is its
// sub-entry) and swap_cache_get_folio(), all lockless; on a miss, on
// SWP_SYNCHRONOUS_IO [kSwapAlloc] shmem_swap_alloc_folio(): a folio of the
// entry's order unless zswap was ever enabled or a slot of the range is
// cached, else (and after a failed large try) order 0, then swapin_folio()
// (swap_cache_alloc_folio() from its add); on another device
// shmem_swapin_cluster() (swap_cluster_readahead() of the page_cluster
// window, then the entry: swapin_readahead(), model/mm/swap_state.h); [kSplit] a folio smaller than the entry has it
// split by shmem_split_large_entry() under xa_lock (-EEXIST if the index no
// longer holds it); [kLock] folio_lock(), folio_matches_swap_entry() and
// shmem_confirm_swap() at the index and entry rounded down to the folio's
// size, then folio_wait_writeback(); [kAdd] shmem_add_to_page_cache() under
// xa_lock if the range still holds the folio's entries; [kPutSwap]
// folio_put_swap(); [kDelCache] swap_cache_del_folio(), which frees the
// slots, and folio_mark_dirty(). Returns like shmem_get_folio_gfp() (the
// folio's head); -EEXIST when the entry changed.
// 6.18.35 (shmem.c:2279): on SWP_SYNCHRONOUS_IO, [kSwapAlloc]
// shmem_swap_alloc_folio() skips the swap cache: a folio of the order, and
// swapcache_prepare() of its range under the cluster lock (on a conflict,
// order 0 at the sub-entry; at order 0, -EEXIST, and the task yields:
// shmem_get_folio_gfp() repeats at once while the pin's holder runs);
// folio->swap set, swap_read_folio() [kAfterSkipRead]. The lock's recheck
// takes folio->swap for a skipped folio. After the add, [kClearCache]
// shmem_recalc_inode(), "folio->swap.val = 0; swapcache_clear()" (skipped)
// or swap_cache_del_folio(), folio_mark_dirty(); [kSwapFreeNr]
// swap_free_nr(), which frees the slots, and put_swap_device(). A failure
// clears a skipped folio's pin.
// 6.12.94 (shmem.c:2149): every miss goes to [kSplitFirst]
// shmem_split_large_entry() under xa_lock (-EEXIST if the index no longer
// holds the entry; the file's entries are order 0, so nothing is split),
// then [kRead] shmem_swapin_cluster() through the swap cache, on any
// device; the end is 6.18.35's for a folio from the swap cache
// (delete_from_swap_cache(), then swap_free_nr()).
#define SWAPFUZZ_STATES_shmem_swapin_folio(X)                                               \
  X(kLookup) X(kSwapAlloc) X(kAfterRead) X(kSplit) X(kFailed) X(kLock) X(kWaitWriteback) \
  X(kAdd) X(kPutSwap) X(kDelCache) X(kAfterSkipRead) X(kClearCache) X(kSwapFreeNr)        \
  X(kSplitFirst) X(kRead)
StepResult shmem_swapin_folio(Kernel& k, Cpu& c, Frame& f);

// shmem_writeout() (7.1.5 shmem.c:1591), from reclaim's pageout() with the
// frame's page, a page cache folio, locked and isolated: folio_alloc_swap()
// (the slot and the swap cache in one cluster-lock section, two in 6.18.35;
// with one device and no free slot, first [kReclaimSlot] its reclaim of a
// slot only the swap cache holds, as model/mm/vmscan.h has it for anonymous
// folios); [kDupSwap] shmem_recalc_inode(), the swaplist, folio_dup_swap()
// (6.18.35: swap_shmem_alloc(), SWAP_MAP_SHMEM); [kDelete]
// shmem_delete_from_page_cache(): the index holds the swap entry now; then
// swap_writeout() (the model's swap_writepage()). If that activates the folio
// (zswap refused it and cannot write back): [kReAdd]
// shmem_add_to_page_cache() unless shmem_free_swap() erased the entry,
// [kPutSwap] folio_put_swap() (6.18.35: swap_free_nr()) if it went back,
// [kDelCache] swap_cache_del_folio(). Returns 0 (the folio unlocked) or
// kAopWritepageActivate (locked, redirtied). swap_writeout() activates only
// a folio whose memcg has memory.zswap.writeback 0, so with shmem folios
// uncharged (config.memcg is refused) no accepted schedule reaches the undo;
// tests/shmem_paths_test.cc drives it with a charged folio.
// 6.12.94's shmem_writepage() (shmem.c:1505): [kAllocate]
// folio_alloc_swap() (get_swap_page() and the swap charge, no swap cache);
// [kSwaplist] mutex_lock(&shmem_swaplist_mutex), the inode onto the list;
// [kCacheAdd] add_to_swap_cache() under xa_lock; [kDupSwap]
// shmem_recalc_inode(), swap_shmem_alloc(); [kDelete]
// shmem_delete_from_page_cache() and mutex_unlock(); swap_writepage(), whose
// AOP_WRITEPAGE_ACTIVATE it returns with no undo.
#define SWAPFUZZ_STATES_shmem_writeout(X)                                                     \
  X(kAlloc) X(kReclaimSlot) X(kAfterReclaimSlot) X(kAllocate) X(kAfterAlloc) X(kDupSwap)  \
  X(kDelete) X(kAfterWrite) X(kReAdd) X(kPutSwap) X(kDelCache) X(kSwaplist) X(kCacheAdd)
StepResult shmem_writeout(Kernel& k, Cpu& c, Frame& f);

// shmem_fallocate(FALLOC_FL_PUNCH_HOLE) of the page indices va .. last (op
// shmem_punch; 7.1.5 shmem.c:3673): [kLock] inode_lock(); while the file is
// mapped (Kernel::shmem_mapped), [kPrivate] inode->i_private set to the
// hole under i_lock, [kUnmap] unmap_mapping_range() of the hole, a step
// for each mm that maps it (zap_file_ptes(), model/mm/memory.h);
// shmem_truncate_range() -> shmem_undo_range(); while
// mapped, [kWake] i_private cleared and wake_up_all() of the faults
// sleeping in shmem_falloc_wait(); [kUnlock] inode_unlock(). An unmapped
// file has no VMA to unmap and no fault to hold off, and takes none of
// those steps.
#define SWAPFUZZ_STATES_shmem_fallocate(X) \
  X(kLock) X(kPrivate) X(kUnmap) X(kAfterUndo) X(kWake) X(kUnlock)
StepResult shmem_fallocate(Kernel& k, Cpu& c, Frame& f);

// shmem_setattr(ATTR_SIZE) from ftruncate() (op shmem_truncate; 7.1.5
// shmem.c:1316; 6.18.35 and 6.12.94 the same but for SHMEM_F_MAPPING_FROZEN):
// [kLock] do_truncate()'s inode_lock(); [kSize] i_size_write() of a new
// size (ShmemInode::truncating_from marks the indices from a smaller or
// equal size as gone for the oracle until the unlock); if it shrinks or keeps
// the file: while the file is mapped and the old size reaches past the new,
// [kUnmap] unmap_mapping_range(holebegin, 0, 1), a step per mm that maps a
// page past the new size (one when none does); if info->alloced,
// shmem_truncate_range(newsize, -1) -> shmem_undo_range(), truncating; then
// [kUnmap] "unmap again" in the same way; [kUnlock] inode_unlock(). It sets
// no inode->i_private: a fault past the new size fails its i_size check
// (SIGBUS) instead of waiting.
#define SWAPFUZZ_STATES_shmem_setattr(X) X(kLock) X(kSize) X(kUnmap) X(kAfterUndo) X(kUnlock)
StepResult shmem_setattr(Kernel& k, Cpu& c, Frame& f);

// shmem_get_folio_gfp()'s -EINVAL for an index at or past i_size (SGP_READ,
// SGP_CACHE): a read ends there and a fault gets SIGBUS, as the kernel
// means them to. The model keeps it apart from shmem_swapin_folio()'s
// -EINVAL for a device gone, which loses the index's data: a fault's SIGBUS
// is a finding for that one only.
inline constexpr int16_t kEinvalPastEof = -EINVAL - 0x100;

// shmem_fault() (7.1.5 shmem.c:2744; 6.18.35 the same) of page index va,
// from do_fault() (model/mm/memory.h): [kStart] the lockless test of
// inode->i_private; if a punch is in progress, [kFallocWait]
// shmem_falloc_wait() under i_lock: for an index inside the hole, the first
// try releases mmap_lock (maybe_unlock_mmap_for_io()) and [kSleep] sleeps
// until the punch's wake_up_all(), then returns VM_FAULT_RETRY; a retry
// (FAULT_FLAG_TRIED) sleeps holding it and returns VM_FAULT_NOPAGE. Then
// [kGet] shmem_get_folio_gfp(SGP_CACHE), whose folio comes back locked
// (VM_FAULT_LOCKED). Returns 0 with the folio (c.ret_page; kNoPage for
// VM_FAULT_NOPAGE), kVmFaultRetry, or the error.
#define SWAPFUZZ_STATES_shmem_fault(X) X(kStart) X(kFallocWait) X(kSleep) X(kGet) X(kAfterGet)
StepResult shmem_fault(Kernel& k, Cpu& c, Frame& f);

// shmem_undo_range() (7.1.5 shmem.c:1108) of a page-aligned hole, or of
// everything from a truncation's new size (ShmemUndoRangeLocals::truncating,
// lend -1), one entry a step. First the find_lock_entries() loop [kFind], which passes over a
// large folio across either end of the hole and a large swap entry that
// begins before the loop's index, and ends at one across the end: a folio
// it trylocks is truncated [kTruncate], one it cannot lock is left; a swap
// entry goes to shmem_free_swap(): [kFreeSwap] under xa_lock, NULL in place
// of the entry if the index still holds it and it lies inside the hole, then
// [kPutSwap] swap_put_entries_direct() (6.18.35: free_swap_and_cache_nr())
// of its slots, each cached slot left at no count reclaimed by
// __try_to_reclaim_swap() [kTryReclaim]. Then the
// partial-folio lookups of the hole's first and last page (a truncation's
// first only) [kPartial]: shmem_get_partial_folio(), a page cache folio
// locked whatever i_size, else shmem_get_folio(SGP_READ), which swaps an
// entry in (and splits a large one) unless the index is past i_size; and
// [kPartialTruncate] truncate_inode_partial_folio(): a folio inside the hole
// is truncated, one across its border has its part zeroed and is split there
// (folio_split(), model/mm/shmem.cc's ShmemFolioSplit()); one that does not
// split narrows the second loop. Then the find_get_entries() loop
// ("whole_folios"): a folio is locked [kFolioLock] and truncated (a large
// one by truncate_inode_partial_folio(), after whose split the loop starts
// again) if still the mapping's, else the loop restarts at its index; a swap
// entry shmem_free_swap() did not free is looked up again [kConfirm]: one
// across the border is skipped, else the loop restarts at it; a lookup that
// finds nothing ends a punch, and a truncation once it began at the start
// ("But if truncating, restart to make sure all gone"). With
// shmem_free_swap_stale_order set, [kFreeSwapOrder] xa_get_order() comes
// first, under RCU alone, and the second loop retries whatever it could not
// free.
// Simplified: 7.1.5 gathers a batch of up to 31 entries under RCU (and
// trylocks the batch's folios) before it handles any; the model takes one at
// a time, so another task may change a later entry between two of them.
#define SWAPFUZZ_STATES_shmem_undo_range(X)                                             \
  X(kFind) X(kTruncate) X(kFolioLock) X(kPartial) X(kAfterPartial) X(kPartialTruncate) \
  X(kFreeSwapOrder) X(kFreeSwap) X(kConfirm) X(kPutSwap) X(kTryReclaim) X(kAfterReclaim)
StepResult shmem_undo_range(Kernel& k, Cpu& c, Frame& f);

// shmem_unuse() of the frame's type (7.1.5 shmem.c:1540), from
// try_to_unuse() at the start of each pass, when the file is on
// shmem_swaplist (list_empty() is a lockless read): [kStart] under the
// swaplist lock, a file with nothing swapped leaves the list, else
// stop_eviction and the lock dropped; shmem_unuse_inode(): [kFind]
// shmem_find_swap_entries() under RCU, the next swap entry of the type from
// the last index, and shmem_swapin_folio() of it (SGP_CACHE), whose folio is
// unlocked and put; -ENOMEM ends the walk, any other error goes on; [kEnd]
// under the swaplist lock again, the file leaves the list if nothing is
// swapped. Returns 0 or the walk's -ENOMEM. The model takes one entry per
// shmem_find_swap_entries() where 7.1.5 gathers a batch.
#define SWAPFUZZ_STATES_shmem_unuse(X) X(kStart) X(kFind) X(kAfterSwapin) X(kEnd)
StepResult shmem_unuse(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SHMEM_H_
