// mm/swapfile.c: the swap_map and the slot lifecycle.
//
// Each function here runs inside one step of its caller, under the lock the
// kernel takes (the cluster lock or si->lock): a swap_map read-modify-write is
// atomic. Modelled on v5.16 (mm/swapfile.c), whose shape 6.x keeps, and on
// v7.0's swap table (Features::SwapCachePin::kTableFolio), where the folio in
// the slot's table word takes SWAP_HAS_CACHE's place: slot_cache_pinned()
// reads whichever the release has, so the count arithmetic is one code.

#include "model/mm/swapfile.h"

#include "model/drivers/block/zram/zram_drv.h"
#include "model/mm/memcontrol.h"
#include "model/mm/swap_state.h"
#include "model/mm/zswap.h"
#include "model/step.h"

namespace swapfuzz {
namespace {

void Bad(Kernel& k, Fn fn, Offset off, const char* what) {
  Report(k, Oracle::kSwapCount, fn, ObjectKind::kSwapSlot, true, "%s: offset %d map 0x%02x",
         what, off, k.si.swap_map[off]);
}

// __swap_entry_free_locked(): returns the remaining usage; at zero the map
// keeps SWAP_HAS_CACHE so the slot stays reserved until the batch free. In the
// swap table (v7.0+), __swap_cluster_put_entry(): the usage is the count and
// whether a folio is cached, which the caller has already removed when it
// drops the cache (swap_cache_del_folio()).
uint8_t swap_entry_free_locked(Kernel& k, Fn fn, Offset off, bool drop_cache) {
  uint8_t& map = k.si.swap_map[off];
  uint8_t count = swap_count(map);
  bool has_cache = slot_cache_pinned(k, off);
  if (drop_cache) {
    if (!has_cache && !swap_table_pins(k)) {
      Bad(k, fn, off, "VM_BUG_ON(!has_cache): clearing an unset SWAP_HAS_CACHE");
    }
    has_cache = false;
  } else {
    if (count == 0) {
      Bad(k, fn, off, "swap_map count underflow");
      return map;
    }
    // "Or we could insist on shmem.c using a special swap_shmem_free()"
    // (6.18.35 swap_entry_put_locked()).
    count = count == SWAP_MAP_SHMEM ? 0 : static_cast<uint8_t>(count - 1);
  }
  const uint8_t usage = count | (has_cache ? SWAP_HAS_CACHE : 0);
  if (swap_table_pins(k)) {
    map = count;
  } else {
    map = usage ? usage : SWAP_HAS_CACHE;
  }
  return usage;
}

// swap_range_free(): the slot is free; tell the layers that cache its data:
// the zeromap bit (v6.12+), frontswap_invalidate_page() (v5.16) /
// zswap_invalidate() (v6.6+), then the disk's swap_slot_free_notify (zram's
// only).
void swap_range_free(Kernel& k, Offset off) {
  // 7.1.5 __swap_cluster_free_entries() calls "mem_cgroup_uncharge_swap()"
  // just before swap_range_free() (swapfile.c 1890), in the same cluster-lock
  // section; 6.12.94 and 6.18.35 call it from the batch free.
  mem_cgroup_uncharge_swap(k, off);
  k.si.table_used[off] = false;
  k.si.zeromap[off] = false;
  SwapDevice& si = swap_entry_to_info(k, off);
  // swap_usage_sub(): "if (unlikely(val & SWAP_USAGE_OFFLIST_BIT))
  // add_to_avail_list(si, false);" - a device that was full comes back.
  --si.inuse_pages;
  if (!si.on_avail) add_to_avail_list(k, swp_type(k, off), false);
  zswap_invalidate(k, off);
  // Only a block device (zram) has swap_slot_free_notify.
  if (!si.disk) zram_slot_free_notify(k, off);
}

// The batch free's name in the release: swapcache_free_entries() with
// SWAP_HAS_CACHE, __swap_cluster_free_entries() in the swap table.
Fn FreeEntriesFn(const Kernel& k) {
  return swap_table_pins(k) ? Fn::kSwapClusterFreeEntries : Fn::kSwapcacheFreeEntries;
}

// The first count of a slot is taken for the folio leaving its owner (a
// PTE's unmap, or shmem_writeout()), which is locked in the swap cache:
// reclaim added it first.
void CheckFirstCountHolder(Kernel& k, Fn fn, Offset off) {
  const PageId cached = k.swap_cache[off];
  if (cached == kNoPage || !k.pages[cached].locked) {
    Report(k, Oracle::kSwapCount, fn, ObjectKind::kSwapSlot, true,
           "offset %d: first swap count taken while %s", off,
           cached == kNoPage ? "no folio is in its swap cache"
                             : "its swap cache folio is unlocked");
  }
}

}  // namespace

bool get_swap_device_info(Kernel& k, int type) {
  // percpu_ref_tryget_live(&si->users)
  SwapDevice& si = k.swap_info[type];
  if (!si.active || si.users_dead) return false;
  ++si.users;
  return true;
}

bool get_swap_device(Kernel& k, Offset off) { return get_swap_device_info(k, swp_type(k, off)); }

void put_swap_device(Kernel& k, Offset off) {
  SwapDevice& si = swap_entry_to_info(k, off);
  if (--si.users < 0) {
    Report(k, Oracle::kSwapCount, Fn::kGetSwapDevice, ObjectKind::kSwapDevice, true,
           "put_swap_device without a reference (si->users %d)", si.users);
  }
}

bool swap_device_live(Kernel& k, Offset off, Fn fn) {
  if (!swap_entry_to_info(k, off).map_freed) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kSwapDevice, true,
         "swap device used after swapoff freed swap_map and its swap cache");
  return false;
}

int swap_duplicate(Kernel& k, Offset off, Fn fn) {
  // __swap_duplicate() pins the device itself (get_swap_device()); v7.0's
  // folio_dup_swap() runs with the folio locked in the cache and
  // swap_dup_entry_direct() on a count the caller's PTE holds.
  if (const SwapDevice& si = swap_entry_to_info(k, off); !si.active || si.users_dead) {
    return -2;  // -ENOENT
  }
  uint8_t& map = k.si.swap_map[off];
  // "Must be either cached or have a count already".
  if (swap_count(map) == 0 && !slot_cache_pinned(k, off)) return -2;  // -ENOENT
  if (swap_count(map) >= SWAP_MAP_MAX) {
    Bad(k, fn, off, "swap_map count overflow");
    return -2;
  }
  if (swap_count(map) == 0) CheckFirstCountHolder(k, fn, off);
  ++map;
  return 0;
}

int swapcache_prepare(Kernel& k, Offset off, int nr) {
  if (const SwapDevice& si = swap_entry_to_info(k, off); !si.active || si.users_dead) {
    return -2;  // __swap_duplicate(): no device
  }
  for (Offset slot = off; slot < off + nr; ++slot) {
    const uint8_t map = k.si.swap_map[slot];
    if (swap_count(map) == 0 && !(map & SWAP_HAS_CACHE)) return -2;  // -ENOENT
    if (map & SWAP_HAS_CACHE) return -17;                              // -EEXIST
  }
  for (Offset slot = off; slot < off + nr; ++slot) k.si.swap_map[slot] |= SWAP_HAS_CACHE;
  return 0;
}

int swap_shmem_alloc(Kernel& k, Offset off, int nr) {
  if (const SwapDevice& si = swap_entry_to_info(k, off); !si.active || si.users_dead) {
    return -2;  // -ENOENT
  }
  // __swap_duplicate() checks every slot under the cluster lock before it
  // counts any: "if (!count && !has_cache) err = -ENOENT". shmem_writeout()
  // calls it on slots it has just allocated; one that already has a count
  // would be corrupted by "count += usage", so the model reports it.
  for (Offset slot = off; slot < off + nr; ++slot) {
    const uint8_t map = k.si.swap_map[slot];
    if (swap_count(map) == 0 && !(map & SWAP_HAS_CACHE)) return -2;  // -ENOENT
    if (swap_count(map) != 0) {
      Bad(k, Fn::kSwapShmemAlloc, slot, "swap_shmem_alloc of a slot that already has a count");
      return -22;  // -EINVAL
    }
  }
  for (Offset slot = off; slot < off + nr; ++slot) {
    CheckFirstCountHolder(k, Fn::kSwapShmemAlloc, slot);
    k.si.swap_map[slot] |= SWAP_MAP_SHMEM;
  }
  return 0;
}

uint8_t swap_free(Kernel& k, Cpu& c, Offset off, Fn fn) {
  if (!swap_device_live(k, off, fn)) return 0;
  // _swap_info_get(): "Unused swap offset entry" for a free slot.
  if (!slot_allocated(k, off)) {
    Bad(k, fn, off, "swap_free of an unused swap offset entry");
    return 0;
  }
  const uint8_t usage = swap_entry_free_locked(k, fn, off, false);
  if (usage == 0) free_swap_slot(k, c, off);
  return usage;
}

void put_swap_page(Kernel& k, Cpu& c, Offset off) {
  const Fn fn = swap_table_pins(k) ? Fn::kSwapCacheDelFolio : Fn::kPutSwapPage;
  if (!swap_device_live(k, off, fn)) return;
  if (swap_entry_free_locked(k, fn, off, true) == 0) free_swap_slot(k, c, off);
}

void swapcache_clear(Kernel& k, Cpu& c, Offset off, int nr) {
  if (!swap_device_live(k, off, Fn::kSwapcacheClear)) return;
  for (Offset slot = off; slot < off + nr; ++slot) {
    if (swap_entry_free_locked(k, Fn::kSwapcacheClear, slot, true) == 0) free_swap_slot(k, c, slot);
  }
}

bool vm_swap_full(const Kernel& k) {
  // "atomic_long_read(&nr_swap_pages) * 2 < total_swap_pages", summed over the
  // devices. swapoff's first section takes its device out of both counters
  // ("atomic_long_sub(p->pages, &nr_swap_pages); total_swap_pages -=
  // p->pages;", every release read), and reinsert_swap_info() puts it back.
  // In between the device adds minus its slots in use to nr_swap_pages, so
  // with one device the test is true while anything is: pages faulted in
  // during try_to_unuse() give up their slots at once.
  int total = 0, nr_swap_pages = 0;
  for (const SwapDevice& si : k.swap_info) {
    if (!si.active) continue;
    const int pages = si.writeok ? si.nslots - 1 : 0;
    total += pages;
    nr_swap_pages += pages - si.inuse_pages;
  }
  return nr_swap_pages * 2 < total;
}

void swapcache_free_entries(Kernel& k, const Offset* offsets, int n) {
  const Fn fn = FreeEntriesFn(k);
  if (n > 0 && !swap_device_live(k, offsets[0], fn)) return;
  for (int i = 0; i < n; ++i) {
    const Offset off = offsets[i];
    uint8_t& map = k.si.swap_map[off];
    // swap_entry_free(): VM_BUG_ON(count != SWAP_HAS_CACHE); v7.0's
    // __swap_cluster_free_entries(): only a slot whose count is gone.
    if (map != (swap_table_pins(k) ? 0 : SWAP_HAS_CACHE) || !slot_allocated(k, off)) {
      Bad(k, fn, off, "freeing a slot that is not reserved");
      continue;
    }
    // Whatever pins the swap cache keeps the slot: the cache is emptied
    // before the slot is freed.
    if (k.swap_cache[off] != kNoPage) {
      Report(k, Oracle::kSwapCache, fn, ObjectKind::kSwapSlot, true,
             "offset %d freed while page %d is in its swap cache", off, k.swap_cache[off]);
    }
    map = 0;
    swap_range_free(k, off);
  }
}

Offset swap_alloc_on(Kernel& k, int type, int nr) {
  // scan_swap_map_slots(), simplified to lowest-free-first. The kernel's cluster
  // allocator also reuses freed offsets soon; this makes reuse the rule, which
  // is what the ABA windows need.
  // scan_swap_map_slots() and 7.1.5's __swap_cluster_alloc_entries() allocate
  // only from a device with SWP_WRITEOK.
  SwapDevice& si = k.swap_info[type];
  if (!si.active || !si.writeok) return kNoOffset;
  for (Offset off = si.base + 1; off + nr <= si.base + si.nslots; ++off) {
    // A large folio's slots are naturally aligned and contiguous. The kernel
    // takes them from a free cluster or one of the folio's order; the model's
    // device is smaller than one cluster, and any aligned free range serves.
    if (nr > 1 && (off - si.base) % nr != 0) continue;
    bool free = true;
    for (int i = 0; i < nr; ++i) free = free && !slot_allocated(k, static_cast<Offset>(off + i));
    if (!free) continue;
    if (si.alloc_closed) {
      Report(k, Oracle::kSwapAvail, Fn::kFolioAllocSwap, ObjectKind::kSwapDevice, true,
             "type %d: offset %d allocated after swapoff's allocation barrier", type, off);
    }
    for (Offset slot = off; slot < off + nr; ++slot) {
      // SWAP_HAS_CACHE reserves the slot for the caller; in the swap table the
      // caller's folio goes into the slot's word in the same section.
      k.si.swap_map[slot] = swap_table_pins(k) ? 0 : SWAP_HAS_CACHE;
      k.si.table_used[slot] = swap_table_pins(k);
      ++k.si.generation[slot];
    }
    // swap_usage_add(): "if (val == si->pages) del_from_avail_list(si,
    // false);"
    si.inuse_pages = static_cast<int16_t>(si.inuse_pages + nr);
    if (si.inuse_pages == si.nslots - 1) del_from_avail_list(k, type, false);
    return off;
  }
  return kNoOffset;
}

Offset get_swap_pages(Kernel& k, int nr) { return swap_alloc_on(k, 0, nr); }

Offset swap_reclaim_candidate(const Kernel& k, int type) {
  const SwapDevice& si = k.swap_info[type];
  if (!si.active || !si.writeok || !vm_swap_full(k)) return kNoOffset;
  Offset victim = kNoOffset;
  for (Offset off = si.base + 1; off < si.base + si.nslots; ++off) {
    if (!slot_allocated(k, off)) return kNoOffset;
    if (slot_only_cached(k, off) && victim == kNoOffset) victim = off;
  }
  return victim;
}

void add_to_avail_list(Kernel& k, int type, bool swapon) {
  SwapDevice& si = k.swap_info[type];
  if (swapon) {
    si.writeok = true;
  } else if (!si.writeok) {
    return;  // a free during swapoff does not put the device back
  }
  // "if (!(atomic_long_read(&si->inuse_pages) & SWAP_USAGE_OFFLIST_BIT))
  // goto skip;" then clear the bit; a full device sets it again and stays
  // off, since its del_from_avail_list() would find nothing to delete.
  if (si.on_avail || si.inuse_pages == si.nslots - 1) return;
  si.on_avail = true;
  // plist_add(): behind every device of the same or a higher priority.
  int at = k.navail;
  for (int i = 0; i < k.navail; ++i) {
    if (k.swap_info[k.avail[i]].prio < si.prio) {
      at = i;
      break;
    }
  }
  for (int i = k.navail; i > at; --i) k.avail[i] = k.avail[i - 1];
  k.avail[at] = static_cast<int8_t>(type);
  ++k.navail;
  ++k.avail_seq;
}

void del_from_avail_list(Kernel& k, int type, bool swapoff) {
  SwapDevice& si = k.swap_info[type];
  if (swapoff) si.writeok = false;
  if (!si.on_avail) return;
  si.on_avail = false;
  int i = 0;
  while (k.avail[i] != type) ++i;
  for (; i + 1 < k.navail; ++i) k.avail[i] = k.avail[i + 1];
  --k.navail;
  ++k.avail_seq;
}

void avail_requeue(Kernel& k, int type) {
  int i = 0;
  while (k.avail[i] != type) ++i;
  const int16_t prio = k.swap_info[type].prio;
  for (; i + 1 < k.navail && k.swap_info[k.avail[i + 1]].prio == prio; ++i) {
    k.avail[i] = k.avail[i + 1];
  }
  k.avail[i] = static_cast<int8_t>(type);
  ++k.avail_seq;
}

int avail_next(const Kernel& k, int type) {
  for (int i = 0; i + 1 < k.navail; ++i) {
    if (k.avail[i] == type) return k.avail[i + 1];
  }
  return -1;
}

StepResult folio_alloc_swap(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_folio_alloc_swap(SWAPFUZZ_STATE_ENUMERATOR) };
  FolioAllocSwapLocals& l = Locals<Fn::kFolioAllocSwap>(f);
  Cpu& pcp = k.cpus[c.on_cpu];  // this_cpu_ptr(&percpu_swap_cluster)
  // [ci->lock] the allocation and, in the same section, the folio's
  // insertion into the swap cache; alloc_swap_scan_cluster() makes a
  // SWP_SOLIDSTATE device the CPU's, with the next offset (0 once full).
  auto alloc = [&](int type) {
    const Offset off = swap_alloc_on(k, type);
    if (off == kNoOffset) return off;
    add_to_swap_cache(k, f.page, off);
    const SwapDevice& si = k.swap_info[type];
    if (!si.rotational) {
      pcp.pcp_si = static_cast<int8_t>(type);
      pcp.pcp_offset = si.inuse_pages < si.nslots - 1;
    }
    return off;
  };
  // [swap_avail_lock] start_over: the first device, then plist_requeue().
  auto start_over = [&](StepId step) {
    Emit(k, c, step, kNoOffset, f.page, static_cast<Token>(k.navail ? k.avail[0] : -1));
    if (k.navail == 0) return Return(c, -1);
    l.si = k.avail[0];
    l.next = static_cast<int8_t>(avail_next(k, l.si));
    avail_requeue(k, l.si);
    f.pc = kSlowAlloc;
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kFast: {
      if (!swap_table_pins(k)) {
        const int nr = folio_nr_pages(k, f.page);
        const Offset off = nr > 1 ? get_swap_pages(k, nr) : get_swap_page(k, c);
        Emit(k, c, StepId::kFolioAllocSwapHasCache, off, f.page);
        if (off == kNoOffset) return Return(c, -1);
        mem_cgroup_try_charge_swap(k, f.page, off);
        f.offset = off;
        f.pc = kCacheAdd;
        return StepResult::kStep;
      }
      if (!k.swap_multi) {
        // One device: the allocation and the insertion, one step; a large
        // folio's naturally aligned slots (swap_alloc_fast() and the slow
        // path try the folio's order, as 7.1.5 does, and fail without them).
        const int nr = folio_nr_pages(k, f.page);
        const Offset off = nr > 1 ? get_swap_pages(k, nr) : get_swap_page(k, c);
        Emit(k, c, StepId::kFolioAllocSwap, off, f.page);
        if (off == kNoOffset) return Return(c, -1);
        add_to_swap_cache(k, f.page, off);
        return Return(c, off);
      }
      // "if (!si || !offset || !get_swap_device_info(si)) return false;":
      // per-CPU reads and a tryget, no lock, so no step of their own.
      f.pc = kSlowPick;
      if (pcp.pcp_si < 0 || !pcp.pcp_offset || !get_swap_device_info(k, pcp.pcp_si)) {
        return StepResult::kContinue;
      }
      const int type = pcp.pcp_si;
      // A full cluster fails cluster_is_usable() and is only unlocked: the
      // CPU keeps its offset. A usable one goes to alloc_swap_scan_cluster(),
      // which writes the next offset, 0 if it allocated nothing (no
      // SWP_WRITEOK).
      const SwapDevice& si = k.swap_info[type];
      const bool usable = si.inuse_pages < si.nslots - 1;
      const Offset off = alloc(type);
      if (usable && off == kNoOffset) pcp.pcp_offset = false;
      Emit(k, c, StepId::kSwapAllocFast, off, f.page, static_cast<Token>(type));
      put_swap_device(k, k.swap_info[type].base);
      if (off != kNoOffset) return Return(c, off);
      return StepResult::kStep;
    }
    case kCacheAdd:
      Emit(k, c, StepId::kFolioAllocSwapCacheAdd, f.offset, f.page);
      add_to_swap_cache(k, f.page, f.offset);
      return Return(c, f.offset);
    case kSlowPick:
      return start_over(StepId::kSwapAllocSlowPick);
    case kSlowAlloc:
    case kSlowAllocRetry: {
      Offset off = kNoOffset;
      const bool pinned = l.pinned || get_swap_device_info(k, l.si);
      l.pinned = false;
      if (pinned && f.pc == kSlowAlloc && k.config.features.allocator_reclaims_cached_slots) {
        const Offset victim = swap_reclaim_candidate(k, l.si);
        if (victim != kNoOffset) {
          Emit(k, c, StepId::kClusterReclaimRange, victim, k.swap_cache[victim]);
          l.pinned = true;
          f.offset = victim;
          f.pc = kReclaim;
          return StepResult::kStep;
        }
      }
      if (pinned) off = alloc(l.si);
      Emit(k, c, StepId::kSwapAllocSlowAlloc, off, f.page,
           static_cast<Token>(l.si) | (pinned ? 0x10u : 0u));
      if (pinned) put_swap_device(k, k.swap_info[l.si].base);
      if (off != kNoOffset) return Return(c, off);
      f.pc = kSlowNext;
      return StepResult::kStep;
    }
    case kReclaim:
      // cluster_reclaim_range(): with ci->lock dropped, the slot is read
      // again and its folio reclaimed.
      return Call<Fn::kTryToReclaimSwap>(c, f, kAfterReclaim, f.offset, kNoPage,
                                         {.anyway = true, .only_if_cached = true});
    case kAfterReclaim:
      // Back from __try_to_reclaim_swap(), in its last step; the scan under
      // the retaken cluster lock is the next.
      f.offset = kNoOffset;
      f.pc = kSlowAllocRetry;
      return StepResult::kStep;
    case kSlowNext: {
      // [swap_avail_lock] "if (plist_node_empty(&next->avail_list)) goto
      // start_over;" - the loop's end is the list head, always listed.
      if (l.next < 0) {
        Emit(k, c, StepId::kSwapAllocSlowEnd, kNoOffset, f.page);
        return Return(c, -1);
      }
      if (!k.swap_info[l.next].on_avail) {
        if (++l.restarts > k.config.max_retries) {
          Report(k, Oracle::kLiveness, Fn::kFolioAllocSwap, ObjectKind::kSwapDevice, true,
                 "swap_alloc_slow: started over %d times without a slot", l.restarts - 1);
        }
        return start_over(StepId::kSwapAllocSlowRestart);
      }
      l.si = l.next;
      l.next = static_cast<int8_t>(avail_next(k, l.si));
      Emit(k, c, StepId::kSwapAllocSlowNext, kNoOffset, f.page, static_cast<Token>(l.si));
      avail_requeue(k, l.si);
      f.pc = kSlowAlloc;
      return StepResult::kStep;
    }
  }
  return StepResult::kStep;
}

StepResult try_to_reclaim_swap(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_try_to_reclaim_swap(SWAPFUZZ_STATE_ENUMERATOR) };
  TryToReclaimSwapLocals& l = Locals<Fn::kTryToReclaimSwap>(f);
  switch (f.pc) {
    case kLookup: {
      if (l.entry == kNoOffset) {
        l.entry = f.offset;
        if (l.only_if_cached && !slot_only_cached(k, f.offset)) {
          Emit(k, c, StepId::kReclaimSkipped, f.offset, kNoPage);
          return Return(c, 0);
        }
      }
      const PageId cached =
          l.entry > 0 && l.entry < kMaxSlots ? k.swap_cache[l.entry] : kNoPage;
      Emit(k, c, StepId::kReclaimGetFolio, l.entry, cached);
      // The caller's own step goes on after a return: it ends this one.
      if (!swap_device_live(k, l.entry, Fn::kTryToReclaimSwap) || cached == kNoPage) {
        return Return(c, 0);
      }
      get_page(k, cached, Fn::kTryToReclaimSwap);
      l.folio = cached;
      f.pc = kTrylock;
      return StepResult::kStep;
    }
    case kTrylock: {
      // "if (!folio_trylock(folio)) goto out;" The folio may have left the
      // swap cache since the lookup, and been swapped out again to another
      // slot: "if (!folio_matches_swap_entry(folio, entry)) { folio_unlock;
      // folio_put; goto again; }" with the entry asked for. Before
      // a733d8de7f1c the retry took "entry = folio->swap" and failed the same
      // range check against the offset asked for at the folio's new slot.
      const PageId folio = l.folio;
      l.folio = kNoPage;
      const Page& p = page_checked(k, folio, Fn::kTryToReclaimSwap);
      const bool locked = trylock_page(k, c, folio);
      if (locked && !folio_matches_swap_entry(k, folio, f.offset)) {
        Emit(k, c, StepId::kReclaimRetry, f.offset, folio);
        if (k.knob(Knob::kReclaimRetryUsesFolioEntry)) {
          // folio->swap: entry 0 (the header slot) once it left the cache.
          l.entry = p.swapcache ? p.private_offset : 0;
        }
        unlock_page(k, folio, Fn::kTryToReclaimSwap);
        put_page(k, folio, Fn::kTryToReclaimSwap);
        f.pc = kLookup;
        return StepResult::kStep;
      }
      Emit(k, c, StepId::kReclaimTrylock, f.offset, folio);
      bool reclaimed = false;
      if (locked) {
        // need_reclaim: TTRS_ANYWAY, or TTRS_UNMAPPED and unmapped, or
        // TTRS_FULL and mem_cgroup_swap_full(); then folio_swapcache_freeable()
        // and, [cluster lock], only the cache holds the slot.
        if (l.anyway || folio_mapcount(k, folio) == 0 || vm_swap_full(k)) {
          reclaimed = try_to_free_swap(k, c, folio);
        }
        unlock_page(k, folio, Fn::kTryToReclaimSwap);
      }
      // The folio's size: positive if reclaimed, negative if not.
      const int nr = folio_nr_pages(k, folio);
      put_page(k, folio, Fn::kTryToReclaimSwap);
      return Return(c, reclaimed ? nr : -nr);
    }
  }
  return StepResult::kStep;
}

bool try_to_free_swap(Kernel& k, Cpu& c, PageId id) {
  // folio_free_swap() in the swap table's releases.
  const Fn fn = swap_table_pins(k) ? Fn::kFolioFreeSwap : Fn::kTryToFreeSwap;
  Page& p = page_checked(k, id, fn);
  if (!p.locked) {
    Report(k, Oracle::kPageState, fn, ObjectKind::kPage, true,
           "VM_BUG_ON_PAGE(!PageLocked): page %d", id);
  }
  if (!p.swapcache || p.writeback) return false;
  if (!swap_device_live(k, p.private_offset, fn)) return false;
  // folio_swapped(): a count on any of the folio's slots.
  for (int i = 0; i < folio_nr_pages(k, id); ++i) {
    if (swap_count(k.si.swap_map[p.private_offset + i]) != 0) return false;
  }
  delete_from_swap_cache(k, c, id);
  p.dirty = true;
  return true;
}

// --- swapoff and swapon ---

StepResult try_to_unuse(Kernel& k, Cpu& c, Frame& f) {
  // Frame: offset = the entry (in the sweep, the next offset to look at),
  // page = its page, va = the address the scan found it at.
  enum : uint8_t { SWAPFUZZ_STATES_try_to_unuse(SWAPFUZZ_STATE_ENUMERATOR) };
  TryToUnuseLocals& l = Locals<Fn::kTryToUnuse>(f);
  SwapDevice& si = k.swap_info[l.type];
  // try_to_free_swap(page); unlock_page(page); put_page(page), then the next
  // PTE, or the next offset of the swap cache sweep. The caller emitted the step.
  auto release_folio = [&] {
    try_to_free_swap(k, c, f.page);
    unlock_page(k, f.page, Fn::kTryToUnuse);
    put_page(k, f.page, Fn::kTryToUnuse);
    f.page = kNoPage;
    if (l.sweep) {
      ++f.offset;
      f.pc = kSweep;
    } else {
      f.pc = kScan;
    }
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kScan: {
      // "retry: retval = shmem_unuse(type);", first in each pass; nothing to
      // do, and no step, while no shmem file is on shmem_swaplist.
      if (!l.shmem_done && k.shmem.on_swaplist) {
        l.shmem_done = true;
        return Call<Fn::kShmemUnuse>(c, f, kAfterShmemUnuse, kNoOffset, kNoPage,
                                     {.type = l.type});
      }
      // unuse_mm() -> unuse_pte_range() for every mm on the mmlist: the next
      // swap PTE (a lockless read), then lookup_swap_cache(). Addresses
      // without a swap PTE cost no step. The mmap_lock unuse_mm() takes is
      // left out: it only keeps VMAs stable, and the model has none.
      for (; l.mm < kMaxMms; ++l.mm, l.addr = 0) {
        const Mm& mm = k.mms[l.mm];
        if (!mm.alive) continue;
        for (; l.addr < kMaxVas; ++l.addr) {
          const Pte& pte = mm.pte[l.addr];
          // "if (!is_swap_pte(ptent)) continue; entry = pte_to_swp_entry(ptent);
          // if (swp_type(entry) != type) continue;"
          if (pte.kind != Pte::Kind::kSwap || swp_type(k, pte.offset) != l.type) continue;
          f.offset = pte.offset;
          f.va = static_cast<uint8_t>(l.addr);
          ++l.addr;
          const PageId cached = k.swap_cache[f.offset];
          Emit(k, c, swap_table_pins(k) ? StepId::kUnuseScanTable : StepId::kUnuseScan, f.offset,
               cached, static_cast<Token>(l.mm));
          // 6.12.94 passes the VMA to swap_cache_get_folio(), so a hit here
          // also counts as swap_update_readahead() does; 6.18.35 and 7.1.5
          // look up without it. The model counts no hit here, as they do
          // (in 6.12.94 only the readahead window of later faults differs).
          if (cached != kNoPage) {
            get_page(k, cached, Fn::kTryToUnuse);
            f.page = cached;
            f.pc = kLock;
            return StepResult::kStep;
          }
          Call<Fn::kSwapinReadahead>(c, f, kAfterRead, f.offset, kNoPage,
                                     {.mm = static_cast<uint8_t>(l.mm)});
          return StepResult::kStep;
        }
      }
      l.sweep = true;
      f.offset = static_cast<Offset>(si.base + 1);
      f.pc = kSweep;
      return StepResult::kContinue;
    }
    case kAfterShmemUnuse:
      // "if (retval) return retval;" The walk ended its last step.
      if (c.ret < 0) return Return(c, c.ret);
      f.pc = kScan;
      return StepResult::kContinue;
    case kAfterRead:
      f.page = c.ret_page;
      if (f.page == kNoPage) {
        // "if (!page) { if (*swap_map == 0 || *swap_map == SWAP_MAP_BAD)
        // goto try_next; return -ENOMEM; }", read in the next step.
        f.pc = kScan;
        // v7.0+: "if (swp_tb_get_count(swp_tb) <= 0) continue;".
        const uint8_t map = k.si.swap_map[f.offset];
        if ((swap_table_pins(k) ? swap_count(map) : map) == 0) return StepResult::kContinue;
        Emit(k, c, swap_table_pins(k) ? StepId::kUnuseScanTable : StepId::kUnuseScan, f.offset,
             kNoPage, 0);
        return Finish(c, -12);
      }
      f.pc = kLock;
      return StepResult::kContinue;
    case kLock: {
      // lock_page(page); wait_on_page_writeback(page)
      page_checked(k, f.page, Fn::kTryToUnuse);
      if (!trylock_page(k, c, f.page)) return Block(c, Wait::Kind::kPageLock, f.page);
      Emit(k, c, StepId::kUnuseLock, f.offset, f.page);
      f.pc = kWaitWriteback;
      return StepResult::kStep;
    }
    case kWaitWriteback:
      if (k.pages[f.page].writeback) return Block(c, Wait::Kind::kWriteback, f.page);
      f.pc = l.sweep ? kFree : kUnusePte;
      return StepResult::kContinue;
    case kUnusePte: {
      // v6.18's unuse_pte() first checks, under the folio lock, that the
      // folio it was handed is still the swap cache folio of the entry
      // ("if (!folio_matches_swap_entry(folio, entry)) return 0;", from "mm,
      // swap: always lock and check the swap cache folio before use"). zswap
      // writeback's stale path deletes a never-read folio from the swap cache
      // while this CPU sleeps on its lock; the PTE is left for
      // try_to_unuse()'s next pass. Before the fix (the knob), nothing checks.
      // unuse_pte() returns 0 and unuse_pte_range() releases the folio
      // without dropping the folio lock in between: one step.
      if (!k.knob(Knob::kUnusePteNoFolioCheck)) {
        page_checked(k, f.page, Fn::kUnusePte);
        if (!folio_matches_swap_entry(k, f.page, f.offset)) {
          Emit(k, c, StepId::kUnusePteMismatch, f.offset, f.page);
          return release_folio();
        }
      }
      // The fix swapfuzz proposes (unuse_pte_large_swapin_folio cleared): a
      // large folio that is not anonymous yet is a swap-in no fault has
      // mapped (its fault may also have backed out). Drop it from the swap
      // cache as do_swap_page() drops one it cannot map whole
      // (swap_cache_del_folio(), 7.1.5 memory.c:5035; such a folio is clean,
      // read and never written), and look at the same PTE again: the swap
      // cache misses, and readahead reads the entry at order 0.
      if (!k.knob(Knob::kUnusePteLargeSwapinFolio) && k.pages[f.page].order > 0 &&
          k.pages[f.page].index == kNoIndex) {
        Emit(k, c, StepId::kUnusePteLargeNotAnon, f.offset, f.page);
        // (Not in the swap cache only when unuse_pte_no_folio_check skipped
        // the match above; the next look then misses the cache anyway.)
        if (k.pages[f.page].swapcache) delete_from_swap_cache(k, c, f.page);
        --l.addr;
        return release_folio();
      }
      // unuse_pte(): [PTL] pte_same_as_swp() ignores the swap PTE's software
      // bits; install the page read-only and old, swap_free(entry). Of a
      // large folio, the one page that holds the entry ("page =
      // folio_file_page(folio, swp_offset(entry))"): swapoff maps large
      // folios page by page and splits none (6.12.94, 6.18.35, 7.1.5).
      Mm& mm = k.mms[l.mm];
      Pte& pte = mm.pte[f.va];
      const PageId page = page_of_entry(k, f.page, f.offset);
      Page& p = page_checked(k, page, Fn::kUnusePte);
      const bool same = pte.kind == Pte::Kind::kSwap && pte.offset == f.offset;
      // v7.0+: folio_put_swap() where swap_free() was.
      const bool table = swap_table_pins(k);
      Emit(k, c, table ? StepId::kUnusePtePut : StepId::kUnusePte, f.offset, page,
           same ? p.data : 0);
      if (same) {
        if (!k.pages[f.page].uptodate) {
          // v5.16 maps it; v6.x installs a poisoned swap entry instead and
          // frees the slot. Either way the data the PTE stood for is lost.
          Report(k, Oracle::kPageState, Fn::kUnusePte, ObjectKind::kPage, true,
                 "unuse_pte: page %d is not uptodate (not the swap cache page of offset %d "
                 "any more: %d)",
                 page, f.offset, !folio_matches_swap_entry(k, f.page, f.offset));
        }
        // "We currently only expect small !anon folios ... If we ever get
        // large folios here, we have to be careful": a large folio that is
        // not anonymous yet would go to folio_add_new_anon_rmap(), which
        // maps every page of it at this one address (7.1.5 swapfile.c:
        // 2321-2329; 6.12.94 and 6.18.35 alike).
        if (k.pages[f.page].order > 0 && k.pages[f.page].index == kNoIndex) {
          Report(k, Oracle::kPageState, Fn::kUnusePte, ObjectKind::kPage, true,
                 "VM_WARN_ON_ONCE(folio_test_large(folio)): unuse_pte of large folio %d, not "
                 "anonymous yet, for offset %d",
                 f.page, f.offset);
        }
        get_page(k, page, Fn::kUnusePte);
        ++p.mapcount;
        folio_add_anon_rmap(k, page, f.va, Fn::kUnusePte);
        pte = Pte{Pte::Kind::kPresent, false, page, kNoOffset};
        // v6.x: "if (pte_swp_exclusive(old_pte)) rmap_flags |= RMAP_EXCLUSIVE"
        if ((mm.swp_exclusive >> f.va) & 1u) p.anon_exclusive = true;
        mm.swp_exclusive &= static_cast<uint8_t>(~(1u << f.va));
        const Token want = mm.logical[f.va];
        if (!MayHold(mm, f.va, p.data)) {
          Report(k, Oracle::kDataIntegrity, Fn::kUnusePte, ObjectKind::kPage, true,
                 "mm %d va %d: swapoff mapped page %d holding %#llx, the user last wrote %#llx",
                 l.mm, f.va, page, static_cast<unsigned long long>(p.data),
                 static_cast<unsigned long long>(want));
        }
        SawValue(mm, f.va, p.data);
        swap_free(k, c, f.offset, table ? Fn::kFolioPutSwap : Fn::kSwapFree);
      }
      f.pc = kFree;
      return StepResult::kStep;
    }
    case kFree:
      Emit(k, c, swap_table_pins(k) ? StepId::kUnuseFolioFree : StepId::kUnuseFree, f.offset,
           f.page);
      return release_folio();
    case kSweep:
      // find_next_to_unuse(): offsets still in use (lockless swap_map reads),
      // and the page each has in the swap cache; the pages are freed once
      // nothing maps the slot any more.
      for (; f.offset < si.base + si.nslots; ++f.offset) {
        if (!slot_allocated(k, f.offset)) continue;
        const PageId cached = k.swap_cache[f.offset];
        if (cached == kNoPage) continue;
        Emit(k, c, swap_table_pins(k) ? StepId::kUnuseCacheTable : StepId::kUnuseCache, f.offset,
             cached);
        get_page(k, cached, Fn::kTryToUnuse);
        f.page = cached;
        f.pc = kLock;
        return StepResult::kStep;
      }
      f.pc = kCheck;
      return StepResult::kContinue;
    case kCheck:
      // "if (READ_ONCE(si->inuse_pages)) goto retry": swap entries can come
      // back into page tables after the scan passed them. The read is
      // lockless; when it is zero it is folded into swapoff's next step.
      if (si.inuse_pages == 0) return Return(c, 0);
      Emit(k, c, StepId::kUnuseRetry, kNoOffset, kNoPage, static_cast<Token>(si.inuse_pages));
      if (++c.retries > k.config.max_retries) {
        Report(k, Oracle::kLiveness, Fn::kTryToUnuse, ObjectKind::kSwapDevice, true,
               "try_to_unuse: %d slots still in use after %d passes", si.inuse_pages,
               c.retries - 1);
      }
      l = TryToUnuseLocals{.type = l.type};
      f.pc = kScan;
      return Yield(k, c);
  }
  return StepResult::kStep;
}

StepResult swapoff(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swapoff(SWAPFUZZ_STATE_ENUMERATOR) };
  const int type = Locals<Fn::kSwapoff>(f).type;
  SwapDevice& si = k.swap_info[type];
  switch (f.pc) {
    case kStart:
      // [swap_lock] find the device; [si->lock] del_from_avail_list(p,
      // true) clears SWP_WRITEOK, and the device leaves the active list and
      // the counters: nothing allocates from it any more.
      if (!si.active || !si.writeok) {
        Emit(k, c, StepId::kSwapoffInval, kNoOffset, kNoPage);
        return Finish(c, -22);
      }
      Emit(k, c, StepId::kSwapoffStart, kNoOffset, kNoPage);
      del_from_avail_list(k, type, true);
      // One device: the model's allocation is one step that checks
      // SWP_WRITEOK, so none is in flight past this one.
      if (!k.swap_multi) si.alloc_closed = true;
      // Only releases with mm/swap_slots.c drain the slots caches.
      f.pc = k.config.features.slots_cache ? kDrain
             : k.swap_multi                 ? kWaitForAllocation
                                            : kUnuse;
      return StepResult::kStep;
    case kWaitForAllocation:
      // wait_for_allocation(): "for (offset = 0; offset < end; offset +=
      // SWAPFILE_CLUSTER) { ci = swap_cluster_lock(si, offset);
      // swap_cluster_unlock(ci); }" - an allocation that saw SWP_WRITEOK
      // has finished.
      Emit(k, c, StepId::kSwapoffWaitForAllocation, kNoOffset, kNoPage, static_cast<Token>(type));
      si.alloc_closed = true;
      f.pc = kUnuse;
      return StepResult::kStep;
    case kDrain:
      // disable_swap_slots_cache_lock(): drains every CPU's cache; frees go
      // straight to swapcache_free_entries() until the caches come back.
      Emit(k, c, StepId::kSwapoffDrain, kNoOffset, kNoPage);
      k.slots_cache_disabled = true;
      for (int cpu = 0; cpu < kMaxCpus; ++cpu) drain_slots_cache_cpu(k, cpu);
      f.pc = kUnuse;
      return StepResult::kStep;
    case kUnuse:
      return Call<Fn::kTryToUnuse>(c, f, kAfterUnuse, kNoOffset, kNoPage,
                                   {.type = static_cast<uint8_t>(type)});
    case kAfterUnuse:
      // reenable_swap_slots_cache_unlock()
      k.slots_cache_disabled = false;
      if (c.ret != 0) {
        // try_to_unuse() ended its last step with its error; this step is
        // reinsert_swap_info()'s.
        if (k.swap_multi) {
          f.pc = kReinsert;
          return StepResult::kContinue;
        }
        // reinsert_swap_info(): the device goes back on the avail list.
        add_to_avail_list(k, type, true);
        si.alloc_closed = false;
        return Finish(c, c.ret);
      }
      f.pc = kKill;
      return StepResult::kContinue;
    case kReinsert:
      // reinsert_swap_info(): [swap_lock, si->lock] setup_swap_info()'s
      // active list and counters, add_to_avail_list(si, true).
      Emit(k, c, StepId::kSwapoffReinsert, kNoOffset, kNoPage, static_cast<Token>(type));
      add_to_avail_list(k, type, true);
      si.alloc_closed = false;
      return Finish(c, c.ret);
    case kKill:
      // percpu_ref_kill(&p->users); synchronize_rcu(): get_swap_device()
      // fails from now on.
      Emit(k, c, StepId::kSwapoffKill, kNoOffset, kNoPage, static_cast<Token>(si.users));
      si.users_dead = true;
      f.pc = kWait;
      return StepResult::kStep;
    case kWait:
      // wait_for_completion(&p->comp): every get_swap_device() reference gone.
      if (si.users != 0) return Block(c, Wait::Kind::kSwapUsers, static_cast<int16_t>(type));
      Emit(k, c, StepId::kSwapoffWait, kNoOffset, kNoPage);
      // flush_percpu_swap_cluster(p): "cmpxchg(&pcp_si[i], si, NULL)" on
      // every CPU, lockless.
      for (Cpu& cpu : k.cpus) {
        if (cpu.pcp_si == type) cpu.pcp_si = -1;
      }
      f.pc = kTeardown;
      return StepResult::kStep;
    case kTeardown: {
      // destroy_swap_extents(); "if (!(p->flags & SWP_SOLIDSTATE))
      // atomic_dec(&nr_rotate_swap);" [swap_lock, si->lock] p->swap_map =
      // NULL, p->max = 0; later vfree(swap_map) and exit_swap_address_space().
      Emit(k, c, StepId::kSwapoffTeardown, kNoOffset, kNoPage);
      if (si.rotational) --k.nr_rotate_swap;
      for (Offset off = si.base + 1; off < si.base + si.nslots; ++off) {
        if (slot_allocated(k, off) || k.swap_cache[off] != kNoPage) {
          Report(k, Oracle::kAccounting, Fn::kSwapoff, ObjectKind::kSwapSlot, true,
                 "swapoff frees swap_map with offset %d still in use (map 0x%02x, page %d)", off,
                 k.si.swap_map[off], k.swap_cache[off]);
          break;
        }
      }
      si.map_freed = true;
      f.pc = kZswapSwapoff;
      return StepResult::kStep;
    }
    case kZswapSwapoff:
      // frontswap_invalidate_area() / zswap_swapoff(type); with one device,
      // p->flags = 0 too.
      Emit(k, c, StepId::kZswapSwapoff, kNoOffset, kNoPage, k.zswap.tree_id[type]);
      zswap_swapoff(k, type);
      if (k.swap_multi) {
        f.pc = kClearUsed;
        return StepResult::kStep;
      }
      si.active = false;
      return Finish(c, 0);
    case kClearUsed:
      // [swap_lock] "p->flags = 0;": the type may be swapped on again.
      Emit(k, c, StepId::kSwapoffClearUsed, kNoOffset, kNoPage, static_cast<Token>(type));
      si.active = false;
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

namespace {

// A new swap_map (and swap cache and extents) for the device's offsets,
// swap_cgroup_swapon()'s zeroed map, nr_rotate_swap, and zswap_swapon().
// The backing store keeps what it held (mkswap does not clear it).
void swapon_setup(Kernel& k, int type) {
  SwapDevice& si = k.swap_info[type];
  for (Offset off = si.base; off < si.base + si.nslots; ++off) {
    k.si.swap_map[off] = 0;
    k.si.table_used[off] = false;
    k.si.zeromap[off] = false;
    k.si.swap_cgroup[off] = 0;
    k.swap_cache[off] = kNoPage;
  }
  si.inuse_pages = 0;
  si.users = 0;
  si.map_freed = false;
  if (si.rotational) ++k.nr_rotate_swap;
  zswap_swapon(k, type);
}

}  // namespace

StepResult swapon(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swapon(SWAPFUZZ_STATE_ENUMERATOR) };
  const int type = Locals<Fn::kSwapon>(f).type;
  SwapDevice& si = k.swap_info[type];
  switch (f.pc) {
    case kAllocInfo:
      if (si.active) {
        Emit(k, c, StepId::kSwaponBusy, kNoOffset, kNoPage);
        return Finish(c, -16);
      }
      if (!k.swap_multi) {
        // One step: the setup, percpu_ref_resurrect(), zswap_swapon() /
        // frontswap_init(), then enable_swap_info() puts the device on the
        // avail list with SWP_WRITEOK.
        Emit(k, c, StepId::kSwaponStart, kNoOffset, kNoPage);
        swapon_setup(k, type);
        si.users_dead = false;
        si.active = true;
        si.alloc_closed = false;
        add_to_avail_list(k, type, true);
        return Finish(c, 0);
      }
      // alloc_swap_info(): [swap_lock] "p->flags = SWP_USED;", the users
      // percpu_ref starts dead (PERCPU_REF_INIT_DEAD), and inuse_pages
      // carries SWAP_USAGE_OFFLIST_BIT.
      Emit(k, c, StepId::kSwaponAllocInfo, kNoOffset, kNoPage, static_cast<Token>(type));
      si.active = true;
      si.users_dead = true;
      f.pc = kSetup;
      return StepResult::kStep;
    case kSetup:
      // claim_swapfile() .. setup_clusters(), the SWP_SOLIDSTATE or
      // nr_rotate_swap decision, zswap_swapon(type), then [swapon_mutex] the
      // priority (the configured one: the model's devices keep theirs).
      Emit(k, c, StepId::kSwaponSetup, kNoOffset, kNoPage, static_cast<Token>(type));
      swapon_setup(k, type);
      f.pc = kEnable;
      return StepResult::kStep;
    case kEnable:
      // enable_swap_info(): percpu_ref_resurrect(&si->users); [swap_lock,
      // si->lock] _enable_swap_info(): the active list, the counters, and
      // add_to_avail_list(si, true), which sets SWP_WRITEOK.
      Emit(k, c, StepId::kSwaponEnable, kNoOffset, kNoPage, static_cast<Token>(type));
      si.users_dead = false;
      si.alloc_closed = false;
      add_to_avail_list(k, type, true);
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
