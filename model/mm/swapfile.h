// mm/swapfile.c. The swap_map primitives are declared in model/step.h, since
// every path calls them; this header adds the allocator the slots cache uses.

#ifndef SWAPFUZZ_MODEL_MM_SWAPFILE_H_
#define SWAPFUZZ_MODEL_MM_SWAPFILE_H_

#include "model/step.h"

namespace swapfuzz {

// get_swap_pages(1) of type 0, the one-device allocator: reserves the lowest
// free offset (map = SWAP_HAS_CACHE) and bumps its generation. kNoOffset when
// the device is full or is not SWP_WRITEOK.
// `nr` > 1: get_swap_pages(1, &entry, order) of a large folio, which bypasses
// the slots cache.
Offset get_swap_pages(Kernel& k, int nr = 1);

// The allocation of `nr` slots on device `type`, inside the cluster lock
// section that takes them (__swap_cluster_alloc_entries()): nothing without
// SWP_WRITEOK or free slots; else the lowest free one (for a large folio the
// lowest naturally aligned run of `nr` free ones), and swap_usage_add(),
// which takes a device it fills off the avail list (del_from_avail_list(si,
// false)).
Offset swap_alloc_on(Kernel& k, int type, int nr = 1);

// Features::allocator_reclaims_cached_slots: when device `type` has no free
// slot, its lowest one that only the swap cache holds (count 0:
// SWAP_HAS_CACHE alone, or in the swap table a folio and no count), which
// cluster_scan_range() marks need_reclaim (swap_reclaim_full_clusters() in
// 7.1.5's slow path) under vm_swap_full(); kNoOffset when a slot is free, or
// there is none such.
Offset swap_reclaim_candidate(const Kernel& k, int type);

// The avail list (swap_avail_head, under swap_avail_lock) and the enable and
// disable of a device on it, as 7.1.5 has them.
//   add_to_avail_list(si, swapon): swapon sets SWP_WRITEOK; otherwise a
//     device without it, or already listed, or full, stays off.
//   del_from_avail_list(si, swapoff): swapoff clears SWP_WRITEOK.
void add_to_avail_list(Kernel& k, int type, bool swapon);
void del_from_avail_list(Kernel& k, int type, bool swapoff);
// plist_requeue(): behind the devices of the same priority.
void avail_requeue(Kernel& k, int type);
// The device after `type` on the list; -1 at the end.
int avail_next(const Kernel& k, int type);

// folio_alloc_swap() of the swap table (v7.0+), for the locked folio in the
// frame. With one device, one step: the allocation and the folio's insertion
// into the swap cache. With several (Kernel::swap_multi), 7.1.5
// mm/swapfile.c 1349-1413 and 1696-1741:
//   kFast      swap_alloc_fast(): the CPU's percpu_swap_cluster.si, if it
//              names a device and its offset is not 0: get_swap_device_info(),
//              [ci->lock] the allocation and the folio's insertion into the
//              swap cache, put_swap_device(). A step only if it locks.
//   kSlowPick  swap_alloc_slow(): [swap_avail_lock] start_over: the first
//              device and its next, plist_requeue(), unlock.
//   kSlowAlloc get_swap_device_info(si), [ci->lock] cluster_alloc_swap_entry()
//              (and the insertion), put_swap_device(). On a full device,
//              "if (vm_swap_full()) swap_reclaim_full_clusters(si, false);"
//              first: the lowest cache-only slot (swap_reclaim_candidate())
//              goes to __try_to_reclaim_swap() with the lock dropped and the
//              pin held, once per device tried, and the allocation is
//              kSlowAllocRetry, a step after.
//   kSlowNext  [swap_avail_lock] at the end, give up; if next left the list,
//              start over; else next is tried, requeued first.
// A device with SWP_SOLIDSTATE that gave a slot becomes the CPU's
// percpu_swap_cluster.si. swap_sync_discard() after a failure is not modelled:
// no model device has SWP_PAGE_DISCARD, so it finds nothing to discard.
// Returns the offset, or -1, in its last step.
// Before the swap table (6.18.35 swapfile.c:1428, one device): [ci->lock]
// the allocation, which sets SWAP_HAS_CACHE, and mem_cgroup_try_charge_swap();
// then [ci->lock] kCacheAdd, swap_cache_add_folio().
#define SWAPFUZZ_STATES_folio_alloc_swap(X) \
  X(kFast) X(kSlowPick) X(kSlowAlloc) X(kSlowNext) X(kReclaim) X(kAfterReclaim) X(kSlowAllocRetry) \
  X(kCacheAdd)
StepResult folio_alloc_swap(Kernel& k, Cpu& c, Frame& f);

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
// Returns the folio's page count when it dropped the folio, its negation when
// it found one but did not, 0 when there was none (the kernel's nr_pages,
// -nr_pages and 0: the zap's loop steps to the folio's end), within its
// last step: the caller's resume state runs in that step and ends it.
#define SWAPFUZZ_STATES_try_to_reclaim_swap(X) X(kLookup) X(kTrylock)
StepResult try_to_reclaim_swap(Kernel& k, Cpu& c, Frame& f);

// swapoff() of a type (ops swapoff, swapoff_dev), modelled on v5.16..v6.9,
// whose steps keep this order: clear SWP_WRITEOK; drain and disable the slots
// caches; try_to_unuse(); percpu_ref_kill(&si->users) and wait for every
// get_swap_device() reference; free swap_map, the swap extents and the swap
// cache's address space; zswap_swapoff(). -EINVAL when the type is not
// swapped on. With several devices (Kernel::swap_multi) it runs as 7.1.5 cuts
// it (mm/swapfile.c 2904-3037): the first section also takes the device off
// the active list; kWaitForAllocation is wait_for_allocation(); a failed
// try_to_unuse() is reinsert_swap_info() in a step of its own (kReinsert);
// flush_percpu_swap_cluster() ends the wait; and p->flags = 0 (kClearUsed)
// follows zswap_swapoff() in its own swap_lock section.
#define SWAPFUZZ_STATES_swapoff(X)                                                         \
  X(kStart) X(kDrain) X(kUnuse) X(kAfterUnuse) X(kKill) X(kWait) X(kTeardown) X(kZswapSwapoff) \
  X(kWaitForAllocation) X(kReinsert) X(kClearUsed)
StepResult swapoff(Kernel& k, Cpu& c, Frame& f);

// try_to_unuse(): brings every swapped page of its type back: first the shmem
// file's entries (shmem_unuse(), model/mm/shmem.h), then for each swap
// PTE of that type (mm by mm; 7.1.5 swapfile.c 2379 skips the others) read
// the page in through the swap cache, lock it, unuse_pte() under the
// PTL (install it, swap_free()), try_to_free_swap(); then free swap cache
// pages left for offsets still in use; retry while inuse_pages != 0.
#define SWAPFUZZ_STATES_try_to_unuse(X)                                                   \
  X(kScan) X(kAfterShmemUnuse) X(kAfterRead) X(kLock) X(kWaitWriteback) X(kUnusePte) X(kFree) \
  X(kSweep) X(kCheck)
StepResult try_to_unuse(Kernel& k, Cpu& c, Frame& f);

// swapon() of a type (ops swapon, swapon_dev): a fresh device of the same
// size, on the avail list, with a new zswap tree. -EBUSY when the device is
// active. One step with one device; with several, 7.1.5's three sections
// (mm/swapfile.c 3433-3678): kAllocInfo alloc_swap_info() [swap_lock]
// (SWP_USED, users dead, off the list); kSetup (swap_map, flags,
// nr_rotate_swap, zswap_swapon(), the priority); kEnable
// percpu_ref_resurrect() and [swap_lock, si->lock] _enable_swap_info().
#define SWAPFUZZ_STATES_swapon(X) X(kAllocInfo) X(kSetup) X(kEnable)
StepResult swapon(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_SWAPFILE_H_
