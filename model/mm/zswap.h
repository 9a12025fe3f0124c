// mm/zswap.c: the compressed cache in front of the swap device.
//
// Two shapes are modelled, chosen by the profile's Features:
//  - the zpool-LRU zswap of v5.16..v6.4 (frontswap hooks, the zpool driver's
//    LRU calling back zswap_writeback_entry(pool, handle), entries erased from
//    the tree when their last reference goes);
//  - the zswap-LRU zswap of mainline: its own LRU walked by shrink_memcg_cb(),
//    exclusive loads, and writeback that pins the swap entry with a swap cache
//    folio before it looks at the tree (5878303c5353).
// The knobs of 04fc7816089c, e3b63e966cac, ca56489c2f1d, 678e54d4bb9a,
// 25cd241408a2 and 5878303c5353 restore the code before each fix.
//
// Mainline's zswap has since lost the entry refcount ("mm/zswap: zswap entry
// doesn't need refcount anymore", v6.9) and the rbtree (an xarray, v6.12). The
// model keeps the refcounted rbtree of v6.9-rc1, between 5878303c5353 and that
// removal: with every fix applied its loads and writeback take the same steps
// in the same order, with a get/put pair where the later code erases first.
//
// Simplifications: compression is the identity and a stored page takes one
// pool page (same-filled, i.e. zero, pages take none); the zpool driver adds a
// handle to its LRU when the entry is inserted (zbud does it at allocation,
// which only lets the shrinker find a handle whose entry is not in the tree
// yet, a case it treats like an invalidated one); the dynamic shrinker and
// memcg limits are not modelled.

#ifndef SWAPFUZZ_MODEL_MM_ZSWAP_H_
#define SWAPFUZZ_MODEL_MM_ZSWAP_H_

#include "model/step.h"

namespace swapfuzz {

// zswap_store() (zswap_frontswap_store() with __frontswap_store()'s duplicate
// handling before v6.6). Frame: offset, page = a locked swap cache page.
// c.ret 0: stored, and the page's writeback started and ended and the page
// unlocked, as swap_writepage() does; -1: rejected, the page is still locked.
StepResult zswap_store(Kernel& k, Cpu& c, Frame& f);

// zswap_load() (zswap_frontswap_load()). Frame: offset, page = a locked page.
// c.ret 0: the page holds the data, is uptodate and unlocked; -1: no entry.
StepResult zswap_load(Kernel& k, Cpu& c, Frame& f);

// shrink_worker(): one pass of the shrink work (op zswap_shrink). It writes
// back LRU entries until zswap_can_accept() or MAX_RECLAIM_RETRIES failures.
StepResult shrink_worker(Kernel& k, Cpu& c, Frame& f);

// The zswap module parameters (ops zswap_enable, zswap_max_pool). Frame:
// i = 0 for "enabled", 1 for "max_pool_percent"; j = the value.
StepResult zswap_param_set(Kernel& k, Cpu& c, Frame& f);

// Sets zswap up as the run's configuration asks (Executor::Reset).
void zswap_reset(Kernel& k);
// zswap_swapon() / frontswap_init(): a new tree for the device.
void zswap_swapon(Kernel& k);
// zswap_swapoff() / zswap_frontswap_invalidate_area(): frees every entry in
// the tree and the tree, inside swapoff's step.
void zswap_swapoff(Kernel& k);

// zswap_is_full() and zswap_can_accept().
bool zswap_is_full(const Kernel& k);
bool zswap_can_accept(const Kernel& k);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_ZSWAP_H_
