// What a modelled kernel function may do inside one step, shared by every path.
//
// A path is a function `StepResult fn(Kernel&, Cpu&, Frame&)` that switches on
// frame.pc and performs exactly one atomic step per call:
//   - kStep: it did one atomic step (and emitted it); the scheduler picks next.
//   - kContinue: it only moved local state (frame pc, a call or a return); the
//     executor runs the next piece at once, in the same scheduling slot.
//   - kBlocked: it needs a sleeping lock that is held. It changed nothing but
//     cpu.wait; the CPU is not runnable until the wait is satisfied.
// Spinlocks are never held across steps: a spinlock critical section is one step.
//
// A machine's states (the values of frame.pc) are listed once, in its header,
// in the order of their values:
//   #define SWAPFUZZ_STATES_do_swap_page(X) X(kLookup) X(kSkipCheck) ...
// The machine declares its enum from the list,
//   enum : uint8_t { SWAPFUZZ_STATES_do_swap_page(SWAPFUZZ_STATE_ENUMERATOR) };
// and model/machines.cc names the states for the dump ("do_swap_page@kLockPage").
// A state is named for what runs there, except kAfterFoo: where a caller
// resumes when its callee foo returns. A machine of one step has no states.

#ifndef SWAPFUZZ_MODEL_STEP_H_
#define SWAPFUZZ_MODEL_STEP_H_

#include <cstdarg>

#include "model/kernel.h"

namespace swapfuzz {

enum class StepResult : uint8_t { kStep, kContinue, kBlocked };

#define SWAPFUZZ_STATE_ENUMERATOR(state) state,

// Records the step in the trace (when one is attached) and in the trace hash.
void Emit(Kernel& k, const Cpu& c, StepId step, Offset offset, PageId page,
          Token detail = 0);

// Reports an oracle violation at the current step.
void Report(Kernel& k, Oracle oracle, Fn fn, ObjectKind object, bool fatal,
            const char* fmt, ...) __attribute__((format(printf, 6, 7)));

// Pushes a frame of kFn with the call's arguments: offset, page and kFn's
// locals (model/frame_locals.h; the callee inherits va). Its first
// step runs next, in the same slot. The caller resumes at `resume_pc` when the
// callee returns.
template <Fn kFn>
StepResult Call(Cpu& c, Frame& caller, uint8_t resume_pc, Offset offset, PageId page,
                const LocalsOf<kFn>& locals = {});
// The part of Call() that does not depend on the callee.
Frame& PushFrame(Cpu& c, Frame& caller, uint8_t resume_pc, Fn fn, Offset offset, PageId page);

template <Fn kFn>
StepResult Call(Cpu& c, Frame& caller, uint8_t resume_pc, Offset offset, PageId page,
                const LocalsOf<kFn>& locals) {
  InitLocals<kFn>(PushFrame(c, caller, resume_pc, kFn, offset, page), locals);
  return StepResult::kContinue;
}
// Pops the current frame, leaving `ret` and `page` for the caller.
StepResult Return(Cpu& c, int16_t ret, PageId page = kNoPage);
// Return() at the end of a step that did atomic work: the slot ends here.
inline StepResult Finish(Cpu& c, int16_t ret, PageId page = kNoPage) {
  Return(c, ret, page);
  return StepResult::kStep;
}

// Moves to state `next`: in the next slot if this one has emitted its step,
// else at once. A state reached when a callee returns may be either (the
// callees end their last step with Finish() or Return()), and each slot
// emits exactly one step.
inline StepResult GoTo(const Kernel& k, Frame& f, uint8_t next) {
  f.pc = next;
  return k.emitted ? StepResult::kStep : StepResult::kContinue;
}

StepResult Block(Cpu& c, Wait::Kind kind, int16_t id);
// schedule_timeout_uninterruptible() / cond_resched() in a retry loop: the CPU
// runs again once every CPU that could run meanwhile has taken a step (or
// cannot run), and spins only when nothing else can run.
StepResult Yield(Kernel& k, Cpu& c);

inline int CpuIndex(const Kernel& k, const Cpu& c) {
  return static_cast<int>(&c - k.cpus.data());
}

// --- page frames (mm/page_alloc.c, mm/swap.c, mm/filemap.c) ---

// alloc_page(): a fresh frame with one reference, or kNoPage when the run's
// frame budget is spent (the allocation failure paths then run).
PageId alloc_page(Kernel& k);
// folio_alloc() of an order > 0: 1 << order consecutive frames, the first the
// head holding the one reference; kNoPage when the frames run out.
PageId alloc_folio(Kernel& k, int order);
// page_folio(): the folio (its head) a page belongs to. The zero page and
// kNoPage are their own.
inline PageId page_folio(const Kernel& k, PageId id) {
  return id >= 0 && k.pages[id].head != kNoPage ? k.pages[id].head : id;
}
inline int folio_nr_pages(const Kernel& k, PageId folio) { return 1 << k.pages[folio].order; }
// folio_mapcount(): the PTEs mapping any page of the folio.
int folio_mapcount(const Kernel& k, PageId folio);
// Whether the folio is in the swap cache for entry `off`, as
// folio_matches_swap_entry() tests (any of a large folio's slots).
inline bool folio_matches_swap_entry(const Kernel& k, PageId folio, Offset off) {
  const Page& p = k.pages[folio];
  return p.swapcache && off >= p.private_offset &&
         off < p.private_offset + folio_nr_pages(k, folio);
}
// The page of `folio` that holds entry `off` (folio_page(folio,
// off - folio->swap)); the folio itself when it does not cache the entry.
inline PageId page_of_entry(const Kernel& k, PageId folio, Offset off) {
  return folio_matches_swap_entry(k, folio, off)
             ? static_cast<PageId>(folio + (off - k.pages[folio].private_offset))
             : folio;
}
// The page, checking that it was not freed (use-after-free oracle).
Page& page_checked(Kernel& k, PageId id, Fn fn);
// The reference count, PG_locked and the free are the folio's: these take a
// page of a large folio to its head (folio_get(page_folio(page)) and so on).
void get_page(Kernel& k, PageId id, Fn fn);
void put_page(Kernel& k, PageId id, Fn fn);
bool trylock_page(Kernel& k, Cpu& c, PageId id);
void unlock_page(Kernel& k, PageId id, Fn fn);
// The rmap of a folio being mapped at `va` (mm/rmap.c): a folio that is not
// anonymous yet gets `va` as its index (folio_add_new_anon_rmap() ->
// __folio_set_anon()); an anonymous one must have it already
// (folio_add_anon_rmap_ptes() -> __page_check_anon_rmap(), 7.1.5's
// VM_BUG_ON_PAGE(page_pgoff(folio, page) != linear_page_index(vma, address))).
void folio_add_anon_rmap(Kernel& k, PageId id, int va, Fn fn);
// folio_remove_rmap_ptes() of `nr` present PTEs mapping pages `id` to
// `id + nr - 1` of one folio: each page's mapcount drops, and then, once for
// the batch, __folio_remove_rmap() queues an anonymous folio that stays
// mapped for the deferred split, partially mapped (deferred_split_folio():
// not order 0 or 1, not in the swap cache; 6.12.94 huge_memory.c:3669).
void folio_remove_rmap_ptes(Kernel& k, PageId id, int nr, Fn fn);
inline void folio_remove_rmap_pte(Kernel& k, PageId id, Fn fn) {
  folio_remove_rmap_ptes(k, id, 1, fn);
}

// --- the swap device (mm/swapfile.c) ---

// get_swap_device(entry): a users reference on the entry's device, unless
// swapoff has killed it (percpu_ref_kill) or the device is not set up.
// put_swap_device() drops it.
bool get_swap_device(Kernel& k, Offset off);
void put_swap_device(Kernel& k, Offset off);
// get_swap_device_info(si): the same reference on device `type`.
bool get_swap_device_info(Kernel& k, int type);
// Whether the entry's device has its swap_map, the swap cache's address space
// and the swap extents live; once swapoff has freed them, a path about to use
// them reports a use-after-free (attributed to `fn`) and gets false.
bool swap_device_live(Kernel& k, Offset off, Fn fn);

// --- swap_map primitives (mm/swapfile.c); each is called inside a step ---

inline uint8_t swap_count(uint8_t map) { return map & ~SWAP_HAS_CACHE; }
// Whether the release keeps its swap cache pin in the swap table's folio word
// (v7.0+) rather than in SWAP_HAS_CACHE.
inline bool swap_table_pins(const Kernel& k) {
  return k.config.features.swap_cache_pin == Features::SwapCachePin::kTableFolio;
}
// Whether the slot is allocated: handed out and not freed since. With
// SWAP_HAS_CACHE its swap_map byte is not 0; in the swap table its word is
// not NULL.
inline bool slot_allocated(const Kernel& k, Offset off) {
  return swap_table_pins(k) ? k.si.table_used[off] : k.si.swap_map[off] != 0;
}
// Whether the slot's swap cache is pinned: SWAP_HAS_CACHE, or in the swap
// table a folio in the slot's word.
inline bool slot_cache_pinned(const Kernel& k, Offset off) {
  return swap_table_pins(k) ? k.swap_cache[off] != kNoPage
                            : (k.si.swap_map[off] & SWAP_HAS_CACHE) != 0;
}
// Whether only the swap cache holds the slot: "swap_map[offset] ==
// SWAP_HAS_CACHE", or in the swap table a folio and no count.
inline bool slot_only_cached(const Kernel& k, Offset off) {
  return swap_table_pins(k) ? swap_count(k.si.swap_map[off]) == 0 && k.swap_cache[off] != kNoPage
                            : k.si.swap_map[off] == SWAP_HAS_CACHE;
}
// __swap_duplicate(): 0, or -ENOENT (free slot), -EEXIST (cache already owned).
// v7.0's folio_dup_swap() and swap_dup_entry_direct() are this count arithmetic
// in the swap table; `fn` names the caller's function for reports.
int swap_duplicate(Kernel& k, Offset off, Fn fn = Fn::kSwapDuplicate);
// `nr` > 1: swapcache_prepare(entry, nr) of a large folio's aligned slots,
// all or none (__swap_duplicate() checks every slot before it sets any).
int swapcache_prepare(Kernel& k, Offset off, int nr = 1);
// swap_shmem_alloc(entry, nr) (up to v6.18): __swap_duplicate(entry,
// SWAP_MAP_SHMEM, nr), the count of a shmem mapping's entry on each of `nr`
// slots, all or none. 0, or -ENOENT (a free slot), -EINVAL (a slot already
// counted).
int swap_shmem_alloc(Kernel& k, Offset off, int nr);
// swap_free() / __swap_entry_free(): drop one count; frees the slot through
// free_swap_slot() at 0. Returns the usage left (count | SWAP_HAS_CACHE), 0
// when the slot was freed. A count of SWAP_MAP_SHMEM drops to 0 at once. In the swap table it is folio_put_swap() (the slot
// stays cached) and swap_put_entries_direct()'s put (a slot without a cached
// folio is freed at 0, in the same section); `fn` names the caller.
uint8_t swap_free(Kernel& k, Cpu& c, Offset off, Fn fn = Fn::kSwapFree);
// put_swap_page(): drop SWAP_HAS_CACHE; frees the slot at 0.
void put_swap_page(Kernel& k, Cpu& c, Offset off);
// swapcache_clear() (6.8+): drop the skip-swapcache pin.
void swapcache_clear(Kernel& k, Cpu& c, Offset off, int nr = 1);
// vm_swap_full(): more than half the swap space in use; while swapoff runs,
// anything in use (its device has left the counters).
bool vm_swap_full(const Kernel& k);
// try_to_free_swap(): page locked; drops the swap cache copy if no PTE
// references the slot any more. Returns true if it did.
bool try_to_free_swap(Kernel& k, Cpu& c, PageId id);
// swapcache_free_entries(): the batch free under si->lock.
void swapcache_free_entries(Kernel& k, const Offset* offsets, int n);

// --- mm/swap_slots.c ---
// get_swap_page() and free_swap_slot() use the cache of the CPU the task `c`
// runs on (raw_cpu_ptr(&swp_slots)); drain_slots_cache_cpu() drains CPU
// `cpu`'s.
Offset get_swap_page(Kernel& k, Cpu& c);
void free_swap_slot(Kernel& k, Cpu& c, Offset off);
void drain_slots_cache_cpu(Kernel& k, int cpu);

// --- swap cache (mm/swap_state.c) ---
// add_to_swap_cache(): the caller must own SWAP_HAS_CACHE for `off`.
void add_to_swap_cache(Kernel& k, PageId id, Offset off);
void delete_from_swap_cache(Kernel& k, Cpu& c, PageId id);

// --- zswap (mm/zswap.c); called inside the caller's step ---
// zswap_invalidate() / frontswap_invalidate_page(): from swap_range_free().
void zswap_invalidate(Kernel& k, Offset off);

// --- zram (drivers/block/zram/zram_drv.c) ---
void zram_free_page(Kernel& k, Offset index);
// zram_slot_free_notify(): trylock; a busy slot counts a miss_free.
void zram_slot_free_notify(Kernel& k, Offset index);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_STEP_H_
