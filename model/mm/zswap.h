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

#include <optional>

#include "model/step.h"

namespace swapfuzz {

// zswap_never_enabled(): zswap's static key is set the first time zswap is
// set up enabled, at boot or by the parameter (the model's Zswap::initialized).
inline bool zswap_never_enabled(const Kernel& k) { return !k.zswap.initialized; }

// zswap_store() (zswap_frontswap_store() with __frontswap_store()'s duplicate
// handling before v6.6). Frame: offset, page = a locked swap cache page.
// c.ret 0: stored, and the page's writeback started and ended and the page
// unlocked, as swap_writepage() does; -1: rejected, the page is still locked.
#define SWAPFUZZ_STATES_zswap_store(X) \
  X(kDuplicate) X(kCheck) X(kCompress) X(kInsert) X(kCheckOld)
StepResult zswap_store(Kernel& k, Cpu& c, Frame& f);

// zswap_load() (zswap_frontswap_load()). Frame: offset, page = a locked page.
// c.ret 0: the page holds the data, is uptodate and unlocked; -1: no entry.
#define SWAPFUZZ_STATES_zswap_load(X) \
  X(kFind) X(kDecompress) X(kPut)
StepResult zswap_load(Kernel& k, Cpu& c, Frame& f);

// --- Writeback ---
//
// shrink_worker() -> zswap_reclaim_entry() -> zswap_writeback_entry(), one
// machine each, linked by Call(). They cover four eras, picked from the
// profile's Features::zswap_lru and the zswap_lru_wb_before_pin knob
// (5878303c5353). Whatever the era, the trace names the steps after the
// v6.5 functions.
//
//   era             releases       what differs
//   --------------  -------------  ---------------------------------------------------------
//   kZpoolLru       v5.16 .. v6.4  zpool LRU: zbud_reclaim_page() takes the tail handle and
//                                  calls zswap_writeback_entry(pool, handle), which reads the
//                                  swap entry and tree from the handle and [tree lock]
//                                  zswap_entry_find_get()s the entry (none: "entry was
//                                  invalidated", return 0); after the write, [tree lock] put
//                                  the local reference and, if the entry is still in the
//                                  tree, the initial one. zbud puts a live handle back.
//   kZswapLru       v6.5 .. v6.8   zswap LRU: zswap_reclaim_entry() reads the tree first:
//                                  [lru_lock] list_del_init, copy swpoffset and tree; [tree
//                                  lock] entry still current? get : -EAGAIN. Then
//                                  zswap_writeback_entry(entry, tree): allocate the folio
//                                  (skip_if_exists, from v6.8), recheck, decompress, write;
//                                  back in reclaim, [tree lock] invalidate on success, put
//                                  the entry back on the LRU on failure; put.
//   kPinFirst       v6.9+          pin first (5878303c5353): shrink_memcg_cb() [lru_lock]
//                                  rotates the entry (list_move_tail) and copies only the
//                                  swap entry; zswap_writeback_entry(entry, swpentry)
//                                  allocates the swap cache folio before touching the tree,
//                                  then [tree lock] recheck, get; decompress; [tree lock]
//                                  invalidate, put; write. No tree lock after the write.
//                                  From v6.15 (Features::callers_pin_swap_device) the
//                                  allocation runs under the writeback's own
//                                  get_swap_device(); in the swap table (v7.0+) it is
//                                  swap_cache_alloc_folio() (CallSwapCacheRead()).
//   kZpoolPinFirst  none           the zpool LRU of kZpoolLru with the writeback of kPinFirst
//                                  (no skip_if_exists): a zpool profile with the knob
//                                  cleared, as knob attribution runs it.
//
// The zswap_wb_no_recheck knob (04fc7816089c) drops the recheck, and
// zswap_wb_stale_folio_leak (e3b63e966cac) leaves the stale folio locked.

// shrink_worker(): one pass of the shrink work (op zswap_shrink). It calls
// zswap_reclaim_entry() until zswap_can_accept() or MAX_RECLAIM_RETRIES
// failures; an empty LRU (-EINVAL) stops it.
#define SWAPFUZZ_STATES_shrink_worker(X) \
  X(kReclaim) X(kAfterReclaim) X(kExit)
StepResult shrink_worker(Kernel& k, Cpu& c, Frame& f);

// zswap_reclaim_entry(): takes the oldest LRU entry and writes it back with
// zswap_writeback_entry(). c.ret 0: written back (or, kZpoolLru, already
// invalidated); -EAGAIN: failed; -EINVAL: the LRU is empty. Its steps also
// hold zswap_writeback_entry()'s final put_page(), which takes no lock.
#define SWAPFUZZ_STATES_zswap_reclaim_entry(X) \
  X(kIsolate) X(kTreeGet) X(kWriteback) X(kAfterWriteback) X(kDone) X(kFail)
StepResult zswap_reclaim_entry(Kernel& k, Cpu& c, Frame& f);

// zswap_writeback_entry(): allocates the swap cache folio, decompresses the
// entry into it and writes it with __swap_writepage(). Frame: offset; the
// entry, and the tree zswap_reclaim_entry() read (kZpoolLru, kZswapLru), come
// in ZswapWritebackEntryLocals. c.ret 0, -ENOMEM or -EEXIST; c.ret_page: the
// folio it holds a reference on, which the caller puts (kNoPage: none).
#define SWAPFUZZ_STATES_zswap_writeback_entry(X) \
  X(kAlloc) X(kAfterAlloc) X(kRecheck) X(kDecompress) X(kInvalidate) X(kWrite) X(kAfterWrite)
StepResult zswap_writeback_entry(Kernel& k, Cpu& c, Frame& f);

// The zswap module parameters (ops zswap_enable, zswap_max_pool): which one
// and the value in ZswapParamSetLocals.
#define SWAPFUZZ_STATES_zswap_param_set(X)  // one step
StepResult zswap_param_set(Kernel& k, Cpu& c, Frame& f);

// Sets zswap up as the run's configuration asks (Executor::Reset).
void zswap_reset(Kernel& k);
// zswap_swapon(type) / frontswap_init(): a new tree for the device `type`.
void zswap_swapon(Kernel& k, int type);
// zswap_swapoff(type) / zswap_frontswap_invalidate_area(): frees every entry
// in the device's tree and the tree, inside swapoff's step.
void zswap_swapoff(Kernel& k, int type);

// --- CPU hotplug (CPUHP_MM_ZSWP_POOL_PREPARE) ---
//
// Whether the pool registered a teardown callback: zswap is set up and the
// release frees a context when its CPU goes down
// (Features::ZswapAcompCtx::kFreedOnCpuDead).
bool zswap_has_cpu_dead_callback(const Kernel& k);
// zswap_cpu_comp_dead(), in cpu_down()'s teardown step: 6.12.94 takes the
// context's mutex, sets req, acomp and buffer to NULL, drops it and frees
// them; with zswap_acomp_unsynced_cpu_dead (before 12dcb0ef5406) it frees them
// without the mutex. Returns the step's result while it waits for the mutex,
// nullopt once it has run (the caller finishes in the same step).
std::optional<StepResult> zswap_cpu_comp_dead(Kernel& k, Cpu& c, int cpu);
// zswap_cpu_comp_prepare() in cpu_up(): allocates the context's request,
// transform and buffer, and publishes them under its mutex (6.12.94;
// before 12dcb0ef5406, without it). The same contract as above.
std::optional<StepResult> zswap_cpu_comp_prepare(Kernel& k, Cpu& c, int cpu);

// zswap_is_full() and zswap_can_accept().
bool zswap_is_full(const Kernel& k);
bool zswap_can_accept(const Kernel& k);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_ZSWAP_H_
