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
    --count;
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
  --k.si.inuse_pages;
  zswap_invalidate(k, off);
  if (!k.si.disk) zram_slot_free_notify(k, off);
}

// The batch free's name in the release: swapcache_free_entries() with
// SWAP_HAS_CACHE, __swap_cluster_free_entries() in the swap table.
Fn FreeEntriesFn(const Kernel& k) {
  return swap_table_pins(k) ? Fn::kSwapClusterFreeEntries : Fn::kSwapcacheFreeEntries;
}

}  // namespace

bool get_swap_device(Kernel& k) {
  // percpu_ref_tryget_live(&si->users)
  if (!k.si.active || k.si.users_dead) return false;
  ++k.si.users;
  return true;
}

void put_swap_device(Kernel& k) {
  if (--k.si.users < 0) {
    Report(k, Oracle::kSwapCount, Fn::kGetSwapDevice, ObjectKind::kSwapDevice, true,
           "put_swap_device without a reference (si->users %d)", k.si.users);
  }
}

bool swap_device_live(Kernel& k, Fn fn) {
  if (!k.si.map_freed) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kSwapDevice, true,
         "swap device used after swapoff freed swap_map and its swap cache");
  return false;
}

int swap_duplicate(Kernel& k, Offset off, Fn fn) {
  // __swap_duplicate() pins the device itself (get_swap_device()); v7.0's
  // folio_dup_swap() runs with the folio locked in the cache and
  // swap_dup_entry_direct() on a count the caller's PTE holds.
  if (!k.si.active || k.si.users_dead) return -2;  // -ENOENT
  uint8_t& map = k.si.swap_map[off];
  // "Must be either cached or have a count already".
  if (swap_count(map) == 0 && !slot_cache_pinned(k, off)) return -2;  // -ENOENT
  if (swap_count(map) >= SWAP_MAP_MAX) {
    Bad(k, fn, off, "swap_map count overflow");
    return -2;
  }
  if (swap_count(map) == 0) {
    // The first reference to a slot is taken for the folio being unmapped,
    // which is locked in the swap cache: reclaim added it before the unmap.
    const PageId cached = k.swap_cache[off];
    if (cached == kNoPage || !k.pages[cached].locked) {
      Report(k, Oracle::kSwapCount, fn, ObjectKind::kSwapSlot, true,
             "offset %d: first swap count taken while %s", off,
             cached == kNoPage ? "no folio is in its swap cache"
                               : "its swap cache folio is unlocked");
    }
  }
  ++map;
  return 0;
}

int swapcache_prepare(Kernel& k, Offset off) {
  if (!k.si.active || k.si.users_dead) return -2;  // __swap_duplicate(): no device
  uint8_t& map = k.si.swap_map[off];
  if (swap_count(map) == 0 && !(map & SWAP_HAS_CACHE)) return -2;  // -ENOENT
  if (map & SWAP_HAS_CACHE) return -17;                              // -EEXIST
  map |= SWAP_HAS_CACHE;
  return 0;
}

uint8_t swap_free(Kernel& k, Cpu& c, Offset off, Fn fn) {
  if (!swap_device_live(k, fn)) return 0;
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
  if (!swap_device_live(k, fn)) return;
  if (swap_entry_free_locked(k, fn, off, true) == 0) free_swap_slot(k, c, off);
}

void swapcache_clear(Kernel& k, Cpu& c, Offset off) {
  if (!swap_device_live(k, Fn::kSwapcacheClear)) return;
  if (swap_entry_free_locked(k, Fn::kSwapcacheClear, off, true) == 0) free_swap_slot(k, c, off);
}

bool vm_swap_full(const Kernel& k) {
  // swapoff's first section takes the device out of both counters
  // ("atomic_long_sub(p->pages, &nr_swap_pages); total_swap_pages -=
  // p->pages;", every release read), and reinsert_swap_info() puts it back.
  // In between nr_swap_pages is minus the slots in use, so the test is true
  // while anything is: pages faulted in during try_to_unuse() give up their
  // slots at once.
  if (!k.si.active) return false;
  const int total = k.si.writeok ? k.si.nslots - 1 : 0;
  const int nr_swap_pages = total - k.si.inuse_pages;
  return nr_swap_pages * 2 < total;
}

void swapcache_free_entries(Kernel& k, const Offset* offsets, int n) {
  const Fn fn = FreeEntriesFn(k);
  if (n > 0 && !swap_device_live(k, fn)) return;
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

Offset get_swap_pages(Kernel& k) {
  // scan_swap_map_slots(), simplified to lowest-free-first. The kernel's cluster
  // allocator also reuses freed offsets soon; this makes reuse the rule, which
  // is what the ABA windows need.
  // scan_swap_map_slots() allocates only from a device with SWP_WRITEOK.
  if (!k.si.active || !k.si.writeok) return kNoOffset;
  for (Offset off = 1; off < k.si.nslots; ++off) {
    if (slot_allocated(k, off)) continue;
    // SWAP_HAS_CACHE reserves the slot for the caller; in the swap table the
    // caller's folio goes into the slot's word in the same section.
    k.si.swap_map[off] = swap_table_pins(k) ? 0 : SWAP_HAS_CACHE;
    k.si.table_used[off] = swap_table_pins(k);
    ++k.si.generation[off];
    ++k.si.inuse_pages;
    return off;
  }
  return kNoOffset;
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
      if (!swap_device_live(k, Fn::kTryToReclaimSwap) || cached == kNoPage) return Return(c, 0);
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
      if (locked && !(p.swapcache && p.private_offset == f.offset)) {
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
        if (l.anyway || p.mapcount == 0 || vm_swap_full(k)) {
          reclaimed = try_to_free_swap(k, c, folio);
        }
        unlock_page(k, folio, Fn::kTryToReclaimSwap);
      }
      put_page(k, folio, Fn::kTryToReclaimSwap);
      return Return(c, reclaimed ? 1 : -1);
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
  if (!swap_device_live(k, fn)) return false;
  if (swap_count(k.si.swap_map[p.private_offset]) != 0) return false;  // page_swapped()
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
      // unuse_mm() -> unuse_pte_range() for every mm on the mmlist: the next
      // swap PTE (a lockless read), then lookup_swap_cache(). Addresses
      // without a swap PTE cost no step. The mmap_lock unuse_mm() takes is
      // left out: it only keeps VMAs stable, and the model has none.
      for (; l.mm < kMaxMms; ++l.mm, l.addr = 0) {
        const Mm& mm = k.mms[l.mm];
        if (!mm.alive) continue;
        for (; l.addr < kMaxVas; ++l.addr) {
          const Pte& pte = mm.pte[l.addr];
          if (pte.kind != Pte::Kind::kSwap) continue;
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
      f.offset = 1;
      f.pc = kSweep;
      return StepResult::kContinue;
    }
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
        const Page& p = page_checked(k, f.page, Fn::kUnusePte);
        if (!p.swapcache || p.private_offset != f.offset) {
          Emit(k, c, StepId::kUnusePteMismatch, f.offset, f.page);
          return release_folio();
        }
      }
      // unuse_pte(): [PTL] pte_same_as_swp() ignores the swap PTE's software
      // bits; install the page read-only and old, swap_free(entry).
      Mm& mm = k.mms[l.mm];
      Pte& pte = mm.pte[f.va];
      Page& p = page_checked(k, f.page, Fn::kUnusePte);
      const bool same = pte.kind == Pte::Kind::kSwap && pte.offset == f.offset;
      // v7.0+: folio_put_swap() where swap_free() was.
      const bool table = swap_table_pins(k);
      Emit(k, c, table ? StepId::kUnusePtePut : StepId::kUnusePte, f.offset, f.page,
           same ? p.data : 0);
      if (same) {
        if (!p.uptodate) {
          // v5.16 maps it; v6.x installs a poisoned swap entry instead and
          // frees the slot. Either way the data the PTE stood for is lost.
          Report(k, Oracle::kPageState, Fn::kUnusePte, ObjectKind::kPage, true,
                 "unuse_pte: page %d is not uptodate (not the swap cache page of offset %d "
                 "any more: %d)",
                 f.page, f.offset, !(p.swapcache && p.private_offset == f.offset));
        }
        get_page(k, f.page, Fn::kUnusePte);
        ++p.mapcount;
        folio_add_anon_rmap(k, f.page, f.va, Fn::kUnusePte);
        pte = Pte{Pte::Kind::kPresent, false, f.page, kNoOffset};
        // v6.x: "if (pte_swp_exclusive(old_pte)) rmap_flags |= RMAP_EXCLUSIVE"
        if ((mm.swp_exclusive >> f.va) & 1u) p.anon_exclusive = true;
        mm.swp_exclusive &= static_cast<uint8_t>(~(1u << f.va));
        const Token want = mm.logical[f.va];
        if (!MayHold(mm, f.va, p.data)) {
          Report(k, Oracle::kDataIntegrity, Fn::kUnusePte, ObjectKind::kPage, true,
                 "mm %d va %d: swapoff mapped page %d holding %#llx, the user last wrote %#llx",
                 l.mm, f.va, f.page, static_cast<unsigned long long>(p.data),
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
      for (; f.offset < k.si.nslots; ++f.offset) {
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
      if (k.si.inuse_pages == 0) return Return(c, 0);
      Emit(k, c, StepId::kUnuseRetry, kNoOffset, kNoPage, static_cast<Token>(k.si.inuse_pages));
      if (++c.retries > k.config.max_retries) {
        Report(k, Oracle::kLiveness, Fn::kTryToUnuse, ObjectKind::kSwapDevice, true,
               "try_to_unuse: %d slots still in use after %d passes", k.si.inuse_pages,
               c.retries - 1);
      }
      l = TryToUnuseLocals{};
      f.pc = kScan;
      return Yield(k, c);
  }
  return StepResult::kStep;
}

StepResult swapoff(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swapoff(SWAPFUZZ_STATE_ENUMERATOR) };
  SwapInfo& si = k.si;
  switch (f.pc) {
    case kStart:
      // [swap_lock] find the device; [si->lock] del_from_avail_list(),
      // clear SWP_WRITEOK: nothing allocates from it any more.
      if (!si.active || !si.writeok) {
        Emit(k, c, StepId::kSwapoffInval, kNoOffset, kNoPage);
        return Finish(c, -22);
      }
      Emit(k, c, StepId::kSwapoffStart, kNoOffset, kNoPage);
      si.writeok = false;
      // Only releases with mm/swap_slots.c drain the slots caches.
      f.pc = k.config.features.slots_cache ? kDrain : kUnuse;
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
      return Call<Fn::kTryToUnuse>(c, f, kAfterUnuse, kNoOffset, kNoPage);
    case kAfterUnuse:
      // reenable_swap_slots_cache_unlock()
      k.slots_cache_disabled = false;
      if (c.ret != 0) {
        // reinsert_swap_info(): the device goes back on the avail list.
        si.writeok = true;
        return Finish(c, c.ret);
      }
      f.pc = kKill;
      return StepResult::kContinue;
    case kKill:
      // percpu_ref_kill(&p->users); synchronize_rcu(): get_swap_device()
      // fails from now on.
      Emit(k, c, StepId::kSwapoffKill, kNoOffset, kNoPage, static_cast<Token>(si.users));
      si.users_dead = true;
      f.pc = kWait;
      return StepResult::kStep;
    case kWait:
      // wait_for_completion(&p->comp): every get_swap_device() reference gone.
      if (si.users != 0) return Block(c, Wait::Kind::kSwapUsers, 0);
      Emit(k, c, StepId::kSwapoffWait, kNoOffset, kNoPage);
      f.pc = kTeardown;
      return StepResult::kStep;
    case kTeardown: {
      // destroy_swap_extents(); [swap_lock, si->lock] p->swap_map = NULL,
      // p->max = 0; later vfree(swap_map) and exit_swap_address_space().
      Emit(k, c, StepId::kSwapoffTeardown, kNoOffset, kNoPage);
      for (Offset off = 1; off < si.nslots; ++off) {
        if (slot_allocated(k, off) || k.swap_cache[off] != kNoPage) {
          Report(k, Oracle::kAccounting, Fn::kSwapoff, ObjectKind::kSwapSlot, true,
                 "swapoff frees swap_map with offset %d still in use (map 0x%02x, page %d)", off,
                 si.swap_map[off], k.swap_cache[off]);
          break;
        }
      }
      si.map_freed = true;
      f.pc = kZswapSwapoff;
      return StepResult::kStep;
    }
    case kZswapSwapoff:
      // frontswap_invalidate_area() / zswap_swapoff(); p->flags = 0.
      Emit(k, c, StepId::kZswapSwapoff, kNoOffset, kNoPage, k.zswap.tree_id);
      zswap_swapoff(k);
      si.active = false;
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

StepResult swapon(Kernel& k, Cpu& c, Frame& f) {
  SwapInfo& si = k.si;
  if (si.active) {
    Emit(k, c, StepId::kSwaponBusy, kNoOffset, kNoPage);
    return Finish(c, -16);
  }
  // A new swap_map (and swap cache and extents), percpu_ref_resurrect(),
  // zswap_swapon() / frontswap_init(), then enable_swap_info() puts the
  // device on the avail list with SWP_WRITEOK. The backing store keeps what
  // it held (mkswap does not clear it).
  Emit(k, c, StepId::kSwaponStart, kNoOffset, kNoPage);
  si.swap_map.fill(0);
  si.table_used.fill(false);
  si.zeromap.fill(false);
  si.swap_cgroup.fill(0);  // swap_cgroup_swapon(): a zeroed map
  si.inuse_pages = 0;
  si.users = 0;
  si.users_dead = false;
  si.map_freed = false;
  si.active = true;
  si.writeok = true;
  k.swap_cache.fill(kNoPage);
  zswap_swapon(k);
  return Finish(c, 0);
}

}  // namespace swapfuzz
