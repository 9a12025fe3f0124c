// mm/memcontrol.c and mm/swap_cgroup.c: cgroup v2 memory charging of anonymous
// folios and swap slots (RunConfig::memcg; off, mem_cgroup_disabled() makes
// every function here return at once).
//
// Modelled on 7.1.5 (danayer/linux-7.1.5 @9d1745cf8134: mm/memcontrol.c,
// mm/swap_cgroup.c, include/linux/memcontrol.h), whose rules 6.12.94 and
// 6.18.35 share at these call sites:
//  - mem_cgroup_charge(folio, mm, gfp): a new anonymous folio of a fault
//    (alloc_anon_folio()) or a COW copy (wp_page_copy()) is charged to
//    get_mem_cgroup_from_mm(mm).
//  - mem_cgroup_swapin_charge_folio(folio, mm, gfp, entry): a folio allocated
//    to swap in `entry` is charged to the memcg whose id swap_cgroup records
//    for the entry, or, with no record, to mm's memcg (mm NULL, as in
//    swap_cache_alloc_folio(): the current task's).
//  - __mem_cgroup_try_charge_swap(folio, entry): when reclaim allocates a
//    slot for a folio (folio_alloc_swap()), the slot's swap is charged to the
//    folio's memcg and swap_cgroup records it.
//  - __mem_cgroup_uncharge_swap(entry): when the slot is freed
//    (7.1.5: __swap_cluster_free_entries(), just before swap_range_free()),
//    swap_cgroup's record is cleared and that memcg's
//    swap uncharged. cgroup v2 charges swap per slot, from allocation to
//    free; a swap-in does not move it (memcg1_swapin() is cgroup v1's).
//  - mem_cgroup_uncharge(folio): when a charged folio is freed.
//  - memcg1_swapout() (mem_cgroup_swapout() before 6.10) does nothing on
//    cgroup v2 ("if (!do_memsw_account()) return"): the folio keeps its
//    charge until it is freed.
// charge_memcg() -> try_charge_memcg(): page_counter_try_charge() against
// memory.max; over it, try_to_free_mem_cgroup_pages() reclaims the memcg's
// own folios and the charge is tried again, up to MAX_RECLAIM_RETRIES
// rounds. The model does this for mem_cgroup_charge() (faults and COW); the
// swap-in charge is made over the limit (mem_cgroup_swapin_charge_folio()
// below). The model reclaims one folio a round with shrink_page_list(): the
// memcg LRU's oldest (the lowest page id). With nothing left to reclaim it
// fails the charge (-ENOMEM) at once: the kernel would go round its retries
// without progress and then call the memcg OOM killer, which the model does
// not have (mem_cgroup_oom() finding no victim ends the same way).
// Left out: cgroup v1 (memsw), memory.swap.max (swap charges never fail),
// memory.high and memory.low, the root memcg's uncounted charges, moving
// charges, per-CPU stock, large folios, zswap's obj_cgroup charging of its
// compressed copies and memory.zswap.max, the kernel memory of page tables.

#ifndef SWAPFUZZ_MODEL_MM_MEMCONTROL_H_
#define SWAPFUZZ_MODEL_MM_MEMCONTROL_H_

#include "model/step.h"

namespace swapfuzz {

// MAX_RECLAIM_RETRIES (mm/internal.h).
inline constexpr int kMaxReclaimRetries = 16;

inline bool mem_cgroup_disabled(const Kernel& k) { return !k.config.memcg; }
// mem_cgroup_zswap_writeback_enabled(): memory.zswap.writeback of the memcg
// and its ancestors (RunConfig::memcg_zswap_writeback, for every memcg); true
// without a memcg, and while zswap is disabled ("if zswap is disabled, do not
// block pages going to the swapping device").
inline bool mem_cgroup_zswap_writeback_enabled(const Kernel& k, uint8_t memcg) {
  return mem_cgroup_disabled(k) || memcg == 0 || !k.zswap.enabled ||
         k.config.memcg_zswap_writeback;
}

// The memcg a task of mm `mm` is in: memcg 2 for the mms of
// RunConfig::memcg_mms, memcg 1 for the others (attached when created).
uint8_t memcg_of_new_mm(const Kernel& k, int mm);

// get_mem_cgroup_from_mm().
inline uint8_t get_mem_cgroup_from_mm(const Kernel& k, int mm) { return k.mms[mm].memcg; }

// The memcg mem_cgroup_swapin_charge_folio() charges for `entry`: the id
// lookup_swap_cgroup_id() returns, else mm's.
uint8_t swapin_charge_memcg(const Kernel& k, Offset entry, int mm);

// charge_memcg() without reclaim, inside the caller's step: true if
// page_counter_try_charge() stays within memory.max, and then commit_charge()
// has set folio->memcg_data. False: the caller calls try_charge_memcg()
// (Call<Fn::kTryChargeMemcg>), which reclaims and charges in steps of its own.
// A disabled controller charges nothing and returns true.
bool charge_memcg(Kernel& k, PageId page, uint8_t memcg);

// mem_cgroup_swapin_charge_folio() of `page` for `entry`, on behalf of mm
// `mm`, inside the caller's step. The model does not reclaim from the swap-in
// paths: a charge there goes past memory.max (the kernel's try_charge_memcg()
// would reclaim first).
void mem_cgroup_swapin_charge_folio(Kernel& k, PageId page, int mm, Offset entry);

// mem_cgroup_uncharge() from the folio's free (__folio_put()).
void mem_cgroup_uncharge(Kernel& k, PageId page);

// __mem_cgroup_try_charge_swap() for the folio that gets slot `entry`.
void mem_cgroup_try_charge_swap(Kernel& k, PageId page, Offset entry);

// __mem_cgroup_uncharge_swap() of a slot being freed.
void mem_cgroup_uncharge_swap(Kernel& k, Offset entry);

// try_charge_memcg() over memory.max. Frame: page = the folio to charge;
// TryChargeMemcgLocals::memcg. Each round isolates the memcg's oldest folio
// and reclaims it with shrink_page_list() (try_to_free_mem_cgroup_pages()),
// then tries the charge again. Returns 0 charged, -12 (-ENOMEM) not.
#define SWAPFUZZ_STATES_try_charge_memcg(X) X(kTryCharge) X(kAfterReclaim)
StepResult try_charge_memcg(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_MEMCONTROL_H_
