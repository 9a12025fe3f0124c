#include "model/mm/swap_state.h"

#include <algorithm>

#include "model/mm/memcontrol.h"

namespace swapfuzz {

void add_to_swap_cache(Kernel& k, PageId id, Offset off) {
  Page& p = page_checked(k, id, Fn::kAddToSwapCache);
  // "Only the context which have set SWAP_HAS_CACHE flag would call
  // add_to_swap_cache()": the slot must be reserved and have no page yet. In
  // the swap table (__swap_cache_add_folio()), the slot is allocated and its
  // word holds no folio: "VM_WARN_ON_ONCE(swp_tb_is_folio(old_tb))". A large
  // folio takes each of its slots, and a reference for each
  // ("folio_ref_add(folio, nr)").
  const int nr = folio_nr_pages(k, id);
  for (int i = 0; i < nr; ++i) {
    const Offset slot = static_cast<Offset>(off + i);
    const bool owned = swap_table_pins(k) ? slot_allocated(k, slot)
                                          : (k.si.swap_map[slot] & SWAP_HAS_CACHE) != 0;
    if (!owned || k.swap_cache[slot] != kNoPage) {
      Report(k, Oracle::kSwapCache, Fn::kAddToSwapCache, ObjectKind::kSwapSlot, true,
             "add_to_swap_cache of page %d at offset %d without owning it (map 0x%02x, cached "
             "page %d)",
             id, slot, k.si.swap_map[slot], k.swap_cache[slot]);
    }
    k.swap_cache[slot] = id;
  }
  if (!p.locked || p.swapcache || !p.swapbacked) {
    Report(k, Oracle::kPageState, Fn::kAddToSwapCache, ObjectKind::kPage, true,
           "add_to_swap_cache: page %d must be locked, swapbacked and not in the cache", id);
  }
  p.refcount = static_cast<int16_t>(p.refcount + nr);
  p.swapcache = true;
  p.private_offset = off;
}

void delete_from_swap_cache(Kernel& k, Cpu& c, PageId id) {
  const Fn fn = swap_table_pins(k) ? Fn::kSwapCacheDelFolio : Fn::kDeleteFromSwapCache;
  Page& p = page_checked(k, id, fn);
  const Offset off = p.private_offset;
  if (!p.locked || !p.swapcache || p.writeback || off == kNoOffset ||
      k.swap_cache[off] != id) {
    Report(k, Oracle::kSwapCache, fn, ObjectKind::kPage, true,
           "%s: page %d (offset %d) is not a locked swap cache page", FnName(fn).data(), id,
           off);
    return;
  }
  // __delete_from_swap_cache() under the xa lock, then put_swap_page() (of
  // each slot of a large folio: put_swap_folio()). In the swap table,
  // __swap_cache_del_folio() under the cluster lock: the word becomes a
  // shadow of the count, and a slot whose count is zero is freed in the same
  // section.
  const int nr = folio_nr_pages(k, id);
  for (int i = 0; i < nr; ++i) k.swap_cache[off + i] = kNoPage;
  p.swapcache = false;
  p.private_offset = kNoOffset;
  for (int i = 0; i < nr; ++i) put_swap_page(k, c, static_cast<Offset>(off + i));
  for (int i = 0; i < nr; ++i) put_page(k, id, fn);
}

StepResult CallSwapCacheRead(Kernel& k, Cpu& c, Frame& caller, uint8_t resume_pc, Offset off,
                             bool read, bool skip_if_exists) {
  if (swap_table_pins(k)) {
    return Call<Fn::kSwapCacheAllocFolio>(c, caller, resume_pc, off, kNoPage,
                                          {.read = read, .lookup = true});
  }
  return Call<Fn::kReadSwapCacheAsync>(c, caller, resume_pc, off, kNoPage,
                                       {.alloc_only = !read, .skip_if_exists = skip_if_exists});
}

StepResult swap_cache_alloc_folio(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swap_cache_alloc_folio(SWAPFUZZ_STATE_ENUMERATOR) };
  SwapCacheAllocFolioLocals& l = Locals<Fn::kSwapCacheAllocFolio>(f);
  // Gives up: the new folio (if any) is put, and the caller gets `found`.
  auto give_up = [&](PageId found) {
    if (f.page != kNoPage) {
      Page& p = page_checked(k, f.page, Fn::kSwapCacheAllocFolio);
      p.locked = false;  // folio_unlock() of a folio no one else has seen
      p.lock_owner = -1;
      put_page(k, f.page, Fn::kSwapCacheAllocFolio);
      f.page = kNoPage;
    }
    return Finish(c, 0, found);
  };
  switch (f.pc) {
    case kLookup: {
      // swapin_folio() starts at the add: do_swap_page() looked the entry up.
      if (!l.lookup) {
        l.lookup = true;
        f.pc = kAdd;
        return StepResult::kContinue;
      }
      // swap_cache_get_folio(): RCU lookup, folio_try_get(). On a miss,
      // swap_cache_alloc_folio() asks swap_entry_swapped() (a short cluster
      // lock section, folded into this step) and allocates a folio.
      const PageId cached = k.swap_cache[f.offset];
      Emit(k, c, StepId::kCacheGetFolio, f.offset, cached);
      if (!swap_device_live(k, f.offset, Fn::kSwapCacheGetFolio)) return give_up(kNoPage);
      if (cached != kNoPage) {
        get_page(k, cached, Fn::kSwapCacheGetFolio);
        return give_up(cached);
      }
      if (f.page == kNoPage) {
        if (swap_count(k.si.swap_map[f.offset]) == 0) return give_up(kNoPage);
        f.page = alloc_page(k);
        if (f.page == kNoPage) return give_up(kNoPage);
        // __swap_cache_prepare_and_add(): __folio_set_locked(),
        // __folio_set_swapbacked() on a folio only this task sees, then, as
        // released, mem_cgroup_swapin_charge_folio(folio, NULL, gfp, entry)
        // before swap_cache_add_folio() pins the slot (NULL: the current
        // task's memcg when the entry has no record).
        if (k.knob(Knob::kMemcgSwapinChargeBeforePin)) {
          mem_cgroup_swapin_charge_folio(k, f.page, c.mm, f.offset);
        }
        Page& p = k.pages[f.page];
        p.locked = true;
        p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
        p.swapbacked = true;
      }
      f.pc = kAdd;
      return StepResult::kStep;
    }
    case kAdd: {
      // swap_cache_add_folio() under the cluster lock: -EEXIST if a folio is
      // cached, -ENOENT if the count is zero; else the locked folio goes in.
      if (f.page == kNoPage) {
        // swapin_folio(): do_swap_page() allocated the folio (alloc_swap_folio()).
        f.page = alloc_page(k);
        if (f.page == kNoPage) return Finish(c, 0, kNoPage);
        Page& p = k.pages[f.page];
        p.locked = true;
        p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
        p.swapbacked = true;
        // As released, __alloc_swap_folio() charges it with
        // mem_cgroup_swapin_charge_folio(folio, vma->vm_mm, GFP_KERNEL, entry)
        // before swapin_folio() takes the cluster lock to add it: a step of
        // its own, in which nothing pins the slot or its record. Cleared,
        // the charge follows the add below, as the RFC's second patch has it.
        if (k.knob(Knob::kMemcgSwapinChargeBeforePin) && !mem_cgroup_disabled(k)) {
          mem_cgroup_swapin_charge_folio(k, f.page, c.mm, f.offset);
          Emit(k, c, StepId::kSwapinFolioCharged, f.offset, f.page, k.pages[f.page].memcg);
          return StepResult::kStep;
        }
      }
      if (!swap_device_live(k, f.offset, Fn::kSwapCacheAllocFolio)) return give_up(kNoPage);
      // A large folio (swapin_folio()'s mTHP) needs every slot of its range
      // counted and uncached; any conflict fails the whole insertion: "if
      // (ret != -EEXIST || folio_test_large(folio)) goto failed;" (7.1.5
      // swap_state.c:491), and swapin_folio() returns NULL.
      // The fix swapfuzz proposes (large_swapin_zeromap_unpinned cleared):
      // the range's zeromap bits, tested again under the cluster lock, must
      // still agree (token 0: they do not).
      const int nr = folio_nr_pages(k, f.page);
      bool exists = false, freed = false, zeromap_mixed = false;
      for (Offset off = f.offset; off < f.offset + nr; ++off) {
        exists = exists || k.swap_cache[off] != kNoPage;
        freed = freed || swap_count(k.si.swap_map[off]) == 0;
        zeromap_mixed = zeromap_mixed || k.si.zeromap[off] != k.si.zeromap[f.offset];
      }
      if (k.knob(Knob::kLargeSwapinZeromapUnpinned)) zeromap_mixed = false;
      if (exists || freed || zeromap_mixed) {
        Emit(k, c, StepId::kCacheAddRaced, f.offset, f.page, exists ? 17 : freed ? 2 : 0);
        if (!exists || nr > 1) return give_up(kNoPage);  // -ENOENT: swapped in and freed meanwhile
        // -EEXIST: "swapcache = swap_cache_get_folio(entry)", then add again
        // if that folio has gone meanwhile.
        f.pc = kLookup;
        return StepResult::kStep;
      }
      Emit(k, c, StepId::kCacheAddFolio, f.offset, f.page);
      add_to_swap_cache(k, f.page, f.offset);
      // The RFC's order (memcg_swapin_charge_before_pin cleared): charge
      // once the folio in the swap cache pins the slot and its record.
      if (!k.knob(Knob::kMemcgSwapinChargeBeforePin) && k.pages[f.page].memcg == 0) {
        mem_cgroup_swapin_charge_folio(k, f.page, c.mm, f.offset);
      }
      k.pages[f.page].lru = true;  // folio_add_lru()
      if (!l.read) return Finish(c, 1, f.page);
      // "Caller will initiate read into locked folio": swapin_folio() and
      // read_swap_cache_async() read it now.
      Call<Fn::kSwapReadpage>(c, f, kAfterRead, f.offset, f.page);
      return StepResult::kStep;
    }
    case kAfterRead:
      return Return(c, 1, f.page);
  }
  return StepResult::kStep;
}

StepResult read_swap_cache_async(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_read_swap_cache_async(SWAPFUZZ_STATE_ENUMERATOR) };
  const ReadSwapCacheAsyncLocals& l = Locals<Fn::kReadSwapCacheAsync>(f);
  switch (f.pc) {
    case kFind: {
      // get_swap_device(); find_get_page(); put_swap_device(). A device that
      // swapoff has killed gives no page.
      if (const SwapDevice& si = swap_entry_to_info(k, f.offset); !si.active || si.users_dead) {
        Emit(k, c, StepId::kFindGetPage, f.offset, kNoPage);
        return Finish(c, 0, kNoPage);
      }
      const PageId cached = k.swap_cache[f.offset];
      Emit(k, c, StepId::kFindGetPage, f.offset, cached);
      if (cached != kNoPage) {
        get_page(k, cached, Fn::kReadSwapCacheAsync);
        return Finish(c, 0, cached);
      }
      // A freed slot parked in a slots cache: nothing to read. Releases
      // without the caches skip every slot with no count: 6.12's
      // "!swap_swapcount(entry) && swap_slot_cache_enabled" (enabled whenever
      // a device is usable), 6.18's "!swap_entry_swapped(si, entry)".
      const bool skip_unused = k.config.features.slots_cache
                                   ? k.config.slots_cache_size > 0 && !k.slots_cache_disabled
                                   : true;
      if (swap_count(k.si.swap_map[f.offset]) == 0 && skip_unused) {
        return Finish(c, 0, kNoPage);
      }
      f.page = alloc_page(k);
      if (f.page == kNoPage) {
        return Finish(c, 0, kNoPage);
      }
      f.pc = kPrepare;
      return StepResult::kStep;
    }
    case kPrepare: {
      const int err = swapcache_prepare(k, f.offset);
      if (err == 0) {
        Emit(k, c, StepId::kPrepare, f.offset, f.page);
        f.pc = kInsert;
        return StepResult::kStep;
      }
      Emit(k, c, StepId::kPrepareBusy, f.offset, f.page, static_cast<Token>(-err));
      put_page(k, f.page, Fn::kReadSwapCacheAsync);
      f.page = kNoPage;
      // skip_if_exists (zswap writeback, v6.8+) gives up instead of waiting
      // for the owner.
      if (err != -17 || l.skip_if_exists) {
        return Finish(c, 0, kNoPage);
      }
      // -EEXIST: another context owns SWAP_HAS_CACHE but has not inserted its
      // page yet. schedule_timeout_uninterruptible(1), then look again.
      if (++c.retries > k.config.max_retries) {
        Report(k, Oracle::kLiveness, Fn::kReadSwapCacheAsync, ObjectKind::kSwapSlot, true,
               "swapcache_prepare(%d) kept failing with -EEXIST", f.offset);
      }
      f.pc = kFind;
      return Yield(k, c);
    }
    case kInsert: {
      Page& p = page_checked(k, f.page, Fn::kReadSwapCacheAsync);
      p.locked = true;  // __SetPageLocked() on a page no one else sees yet
      p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      p.swapbacked = true;
      // "if (mem_cgroup_swapin_charge_folio(folio, NULL, gfp_mask, entry))",
      // with the entry pinned by swapcache_prepare().
      mem_cgroup_swapin_charge_folio(k, f.page, c.mm, f.offset);
      Emit(k, c, StepId::kAddToSwapCache, f.offset, f.page);
      add_to_swap_cache(k, f.page, f.offset);
      p.lru = true;  // lru_cache_add()
      if (l.alloc_only) {
        // __read_swap_cache_async() alone: the caller fills the locked page.
        return Finish(c, 1, f.page);
      }
      Call<Fn::kSwapReadpage>(c, f, kAfterRead, f.offset, f.page);
      return StepResult::kStep;
    }
    case kAfterRead:
      return Return(c, 1, f.page);
  }
  return StepResult::kStep;
}

StepResult swapin_readahead(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swapin_readahead(SWAPFUZZ_STATE_ENUMERATOR) };
  SwapinReadaheadLocals& l = Locals<Fn::kSwapinReadahead>(f);
  const int window = 1 << k.config.page_cluster;
  switch (f.pc) {
    case kStart:
      // "folio = swap_use_vma_readahead() ? swap_vma_readahead(entry, gfp_mask,
      // mpol, ilx, vmf) : swap_cluster_readahead(entry, gfp_mask, mpol, ilx);"
      // (6.12.94, 6.18.35 and 7.1.5 mm/swap_state.c swapin_readahead()).
      if (!l.cluster && swap_use_vma_readahead(k)) {
        return Call<Fn::kSwapVmaReadahead>(c, f, kAfterTarget, f.offset, kNoPage,
                                           {.mm = l.mm});
      }
      // swap_cluster_readahead(): "if (!mask) goto skip;" - a one-page window
      // reads only the target.
      if (window == 1) {
        f.pc = kTarget;
        return StepResult::kContinue;
      }
      // The aligned window of the device's own offsets, skipping its header.
      {
        const SwapDevice& si = swap_entry_to_info(k, f.offset);
        l.offset = static_cast<Offset>(si.base + ((f.offset - si.base) & ~(window - 1)));
        if (l.offset == si.base) ++l.offset;
      }
      f.pc = kNext;
      return StepResult::kContinue;
    case kNext: {
      // "if (end_offset >= si->max) end_offset = si->max - 1;"
      const SwapDevice& si = swap_entry_to_info(k, f.offset);
      const int end = si.base + ((f.offset - si.base) | (window - 1));
      if (l.offset > end || l.offset >= si.base + si.nslots) {
        f.pc = kTarget;
        return StepResult::kContinue;
      }
      return CallSwapCacheRead(k, c, f, kAfterRead, l.offset, /*read=*/true,
                               /*skip_if_exists=*/false);
    }
    case kAfterRead:
      ++l.offset;
      f.pc = kNext;
      if (c.ret_page == kNoPage) return StepResult::kContinue;
      Emit(k, c, StepId::kReadaheadPut, static_cast<Offset>(l.offset - 1), c.ret_page);
      put_page(k, c.ret_page, Fn::kSwapinReadahead);
      return StepResult::kStep;
    case kTarget:
      return CallSwapCacheRead(k, c, f, kAfterTarget, f.offset, /*read=*/true,
                               /*skip_if_exists=*/false);
    case kAfterTarget:
      return Return(c, 0, c.ret_page);
  }
  return StepResult::kStep;
}

bool swap_use_vma_readahead(const Kernel& k) {
  return k.config.features.vma_readahead && k.nr_rotate_swap == 0;
}

namespace {

// SWAP_RA_ORDER_CEILING and SWAP_RA_HITS_MAX (SWAP_RA_HITS_MASK, 6 bits with
// 4 KiB pages) of mm/swap_state.c.
constexpr int kSwapRaOrderCeiling = 5;
constexpr int kSwapRaHitsMax = 63;

// __swapin_nr_pages(prev_offset, offset, hits, max_pages, prev_win), as
// swap_vma_ra_win() calls it with the page numbers of the two fault addresses.
int swapin_nr_pages(int prev_offset, int offset, int hits, int max_pages, int prev_win) {
  // "please don't ask what the "+ 2" means, it just happens to work well"
  int pages = hits + 2;
  if (pages == 2) {
    // No hits to judge by: a fault next to the previous one still reads two.
    if (offset != prev_offset + 1 && offset != prev_offset - 1) pages = 1;
  } else {
    int roundup = 4;
    while (roundup < pages) roundup <<= 1;
    pages = roundup;
  }
  if (pages > max_pages) pages = max_pages;
  // "Don't shrink readahead too fast"
  const int last_ra = prev_win / 2;
  if (pages < last_ra) pages = last_ra;
  return pages;
}

}  // namespace

void swap_update_readahead(Kernel& k, Mm& mm, PageId id, uint8_t va) {
  if (!k.config.features.vma_readahead) return;
  // "readahead = folio_test_clear_readahead(folio);"
  Page& p = k.pages[id];
  const bool readahead = p.readahead;
  p.readahead = false;
  if (!swap_use_vma_readahead(k)) {
    // "if (!vma || !vma_ra) atomic_inc(&swapin_readahead_hits)": the
    // model's cluster readahead reads its whole window and keeps no hits.
    return;
  }
  // ra_val = GET_SWAP_RA_VAL(vma); "if (readahead) hits = min_t(int, hits + 1,
  // SWAP_RA_HITS_MAX);" atomic_long_set(&vma->swap_readahead_info,
  // SWAP_RA_VAL(addr, win, hits)): the address is stored hit or not.
  SwapRaInfo& ra = mm.swap_ra;
  int hits = ra.hits;
  if (readahead) hits = std::min(hits + 1, kSwapRaHitsMax);
  ra = SwapRaInfo{static_cast<int8_t>(va), ra.win, static_cast<uint8_t>(hits)};
}

StepResult swap_vma_readahead(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swap_vma_readahead(SWAPFUZZ_STATE_ENUMERATOR) };
  SwapVmaReadaheadLocals& l = Locals<Fn::kSwapVmaReadahead>(f);
  Mm& mm = k.mms[l.mm];
  switch (f.pc) {
    case kWindow: {
      // swap_vma_ra_win(): "max_win = 1 << min(READ_ONCE(page_cluster),
      // SWAP_RA_ORDER_CEILING); if (max_win == 1) return 1;", and then
      // "if (win == 1) goto skip;" in swap_vma_readahead().
      const int max_win = 1 << std::min<int>(k.config.page_cluster, kSwapRaOrderCeiling);
      if (max_win == 1) {
        f.pc = kTarget;
        return StepResult::kContinue;
      }
      // ra_val = GET_SWAP_RA_VAL(vma); win = __swapin_nr_pages(PFN_DOWN(
      // prev_faddr), PFN_DOWN(faddr), hits, max_win, prev_win);
      // atomic_long_set(&vma->swap_readahead_info, SWAP_RA_VAL(faddr, win,
      // 0)). The read and the set are two lockless atomics, one step here: a
      // hit another fault counts in between is lost either way.
      const int faddr = f.va;
      const SwapRaInfo prev = mm.swap_ra;
      const int win = swapin_nr_pages(prev.addr, faddr, prev.hits, max_win, prev.win);
      mm.swap_ra = SwapRaInfo{static_cast<int8_t>(faddr), static_cast<uint8_t>(win), 0};
      Emit(k, c, StepId::kVmaRaWin, f.offset, kNoPage, static_cast<Token>(win));
      if (win == 1) {
        f.pc = kTarget;
        return StepResult::kStep;
      }
      // "if (faddr == prev_faddr + PAGE_SIZE) left = faddr; else if
      // (prev_faddr == faddr + PAGE_SIZE) left = faddr - (win << PAGE_SHIFT)
      // + PAGE_SIZE; else left = faddr - (((win - 1) / 2) << PAGE_SHIFT);"
      int left;
      if (faddr == prev.addr + 1) {
        left = faddr;
      } else if (prev.addr == faddr + 1) {
        left = faddr - win + 1;
      } else {
        left = faddr - (win - 1) / 2;
      }
      const int right = left + win;
      // "*start = max3(left, vma->vm_start, faddr & PMD_MASK); *end =
      // min3(right, vma->vm_end, (faddr & PMD_MASK) + PMD_SIZE);": the VMA
      // is addresses 0 .. kMaxVas-1, inside one PMD.
      l.addr = static_cast<int8_t>(std::max(left, 0));
      l.end = static_cast<int8_t>(std::min(right, kMaxVas));
      f.pc = kPte;
      return StepResult::kStep;
    }
    case kPte: {
      // "for (addr = start; addr < end; ilx++, addr += PAGE_SIZE)": the
      // plug, and the unplug and lru_add_drain() after the loop, are not
      // modelled (folios go on the LRU as they are added).
      if (l.addr >= l.end) {
        f.pc = kTarget;
        return StepResult::kContinue;
      }
      // pte_offset_map(); "pentry = ptep_get_lockless(pte); if
      // (!is_swap_pte(pentry)) continue;" (7.1.5: softleaf_from_pte(),
      // softleaf_is_swap()). No PTL: the entry may be stale by the time it
      // is read into the swap cache, which checks the slot's count.
      const Pte pte = mm.pte[l.addr];
      const bool swap = pte.kind == Pte::Kind::kSwap;
      Emit(k, c, StepId::kVmaRaPte, swap ? pte.offset : kNoOffset,
           pte.kind == Pte::Kind::kPresent ? pte.page : kNoPage, static_cast<Token>(l.addr));
      if (!swap) {
        ++l.addr;
        return StepResult::kStep;
      }
      l.entry = pte.offset;
      f.pc = kRead;
      return StepResult::kStep;
    }
    case kRead:
      // "folio = __read_swap_cache_async(entry, gfp_mask, mpol, ilx,
      // &page_allocated, false);" and "if (page_allocated)
      // swap_read_folio(folio, &splug);" (7.1.5: swap_cache_alloc_folio()),
      // under the caller's pin of the target's device.
      if (swp_type(k, l.entry) == swp_type(k, f.offset)) {
        return CallSwapCacheRead(k, c, f, kAfterRead, l.entry, /*read=*/true,
                                 /*skip_if_exists=*/false);
      }
      // "Readahead entry may come from a device that we are not holding a
      // reference to, try to grab a reference, or skip." (6.18.35 and 7.1.5,
      // 1c2a936edd71.) Only a run with several devices gets here.
      if (!get_swap_device(k, l.entry)) {
        Emit(k, c, StepId::kVmaRaNoDevice, l.entry, kNoPage, static_cast<Token>(l.addr));
        ++l.addr;
        f.pc = kPte;
        return StepResult::kStep;
      }
      return CallSwapCacheRead(k, c, f, kAfterAlloc, l.entry, /*read=*/false,
                               /*skip_if_exists=*/false);
    case kAfterAlloc:
      // "if (si) put_swap_device(si);" - the locked folio in the swap cache
      // holds swapoff off the read that follows.
      put_swap_device(k, l.entry);
      if (c.ret_page == kNoPage || c.ret != 1) {
        f.pc = kAfterRead;
        return StepResult::kContinue;
      }
      l.foreign_folio = c.ret_page;
      return Call<Fn::kSwapReadpage>(c, f, kAfterForeignRead, l.entry, c.ret_page);
    case kAfterForeignRead:
      // As if CallSwapCacheRead() had read it: a new folio, returned.
      c.ret = 1;
      c.ret_page = l.foreign_folio;
      l.foreign_folio = kNoPage;
      f.pc = kAfterRead;
      return StepResult::kContinue;
    case kAfterRead: {
      const int addr = l.addr++;
      f.pc = kPte;
      if (c.ret_page == kNoPage) return StepResult::kContinue;  // "if (!folio) continue;"
      // "if (addr != vmf->address) { folio_set_readahead(folio);
      // count_vm_event(SWAP_RA); }" for a folio allocated here, then
      // folio_put(folio): the swap cache keeps its own reference.
      Page& p = page_checked(k, c.ret_page, Fn::kSwapVmaReadahead);
      const bool readahead = c.ret == 1 && addr != f.va;
      if (readahead) p.readahead = true;
      Emit(k, c, StepId::kVmaRaPut, l.entry, c.ret_page, readahead);
      put_page(k, c.ret_page, Fn::kSwapVmaReadahead);
      return StepResult::kStep;
    }
    case kTarget:
      // skip: "folio = __read_swap_cache_async(targ_entry, ...); if
      // (unlikely(page_allocated)) swap_read_folio(folio, NULL);"
      return CallSwapCacheRead(k, c, f, kAfterTarget, f.offset, /*read=*/true,
                               /*skip_if_exists=*/false);
    case kAfterTarget:
      return Return(c, 0, c.ret_page);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
