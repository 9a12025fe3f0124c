#include "model/mm/vmscan.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memcontrol.h"
#include "model/mm/memory.h"
#include "model/mm/page_io.h"
#include "model/mm/shmem.h"
#include "model/mm/swapfile.h"

namespace swapfuzz {
namespace {

// keep_locked / keep: unlock if we hold the lock, putback_lru_page().
StepResult Keep(Kernel& k, Cpu& c, Frame& f, bool locked) {
  if (locked) {
    // activate_locked: "Not a candidate for swapping, so reclaim swap space."
    Page& p = k.pages[f.page];
    if (p.swapcache && vm_swap_full(k)) try_to_free_swap(k, c, f.page);
    unlock_page(k, f.page, Fn::kShrinkPageList);
  }
  page_checked(k, f.page, Fn::kShrinkPageList).lru = true;
  put_page(k, f.page, Fn::kShrinkPageList);
  return Finish(c, 0);
}

// The next PTE still mapping a page of the folio, searched like an rmap walk.
bool NextMapping(const Kernel& k, PageId folio, int* mm_out, int* va_out) {
  for (int mm = 0; mm < kMaxMms; ++mm) {
    if (!k.mms[mm].alive) continue;
    for (int va = 0; va < kMaxVas; ++va) {
      const Pte& pte = k.mms[mm].pte[va];
      if (pte.kind == Pte::Kind::kPresent && pte.page >= 0 && page_folio(k, pte.page) == folio) {
        *mm_out = mm;
        *va_out = va;
        return true;
      }
    }
  }
  return false;
}

// try_to_unmap_one() of a lazyfree folio's PTE at (mm, va), under the PTL:
// the PTE is cleared ("if (pte_dirty(pteval)) folio_mark_dirty(folio)": the
// model's store set the folio dirty already), then the "MADV_FREE page
// check". A redirtied folio goes back into the page table and is swap-backed
// again; so, in 5.15.215 .. 6.12.94, is a clean one that someone else holds a
// reference to (GUP, or a fault copying it), while 6.18.35 and 7.1.5 leave
// that one lazyfree (Features::lazyfree_referenced_stays_lazy). Either way
// walk_abort: try_to_unmap() fails and the folio is kept. A clean folio with
// only the isolation's and its mappings' references is discarded from this
// PTE: the next access faults in a zero page.
StepResult UnmapLazyfree(Kernel& k, Cpu& c, Frame& f, int mm, int va) {
  Page& p = k.pages[f.page];
  const bool referenced = p.refcount != 1 + p.mapcount;
  const Token where = static_cast<Token>(mm * kMaxVas + va);
  if (p.dirty || referenced) {
    Emit(k, c, StepId::kUnmapLazyfreeRemap, kNoOffset, f.page, where);
    if (p.dirty || !k.config.features.lazyfree_referenced_stays_lazy) {
      p.swapbacked = true;  // folio_set_swapbacked()
    }
    return Keep(k, c, f, true);  // activate_locked
  }
  Emit(k, c, StepId::kUnmapLazyfreeDiscard, kNoOffset, f.page, where);
  k.mms[mm].pte[va] = Pte{};
  --p.mapcount;                             // discard: folio_remove_rmap_pte()
  put_page(k, f.page, Fn::kShrinkPageList);  // the mapping's reference
  return StepResult::kStep;
}

}  // namespace

StepResult shrink_page_list(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shrink_page_list(SWAPFUZZ_STATE_ENUMERATOR) };
  switch (f.pc) {
    case kIsolate: {
      // reclaim_pages() (madvise_pageout()): the caller isolated the folio
      // under its PTL and holds the isolation's reference;
      // shrink_folio_list() starts at folio_trylock(). reclaim_pages()'s
      // folio_clear_active() and list_move() change nothing the model has.
      if (Locals<Fn::kShrinkPageList>(f).isolated) {
        f.pc = kTrylock;
        return StepResult::kContinue;
      }
      // The page backing va: the mapped page, or for a swap PTE the page
      // still in the swap cache (unmapped, on the LRU for kswapd to find).
      // shmem_reclaim: the shmem file's folio at index va, or the swap
      // cache folio of the swap entry there.
      const Pte pte = k.mms[c.mm].pte[f.va];
      PageId target = kNoPage;
      if (Locals<Fn::kShrinkPageList>(f).shmem) {
        const ShmemEntry e = k.shmem.i_pages[f.va];
        if (e.kind == ShmemEntry::Kind::kFolio) {
          target = e.folio;
        } else if (e.kind == ShmemEntry::Kind::kSwap && !swap_entry_to_info(k, e.swap).map_freed) {
          target = k.swap_cache[e.SlotAt(f.va)];
        }
      } else if (pte.kind == Pte::Kind::kPresent && pte.page != kZeroPage) {
        target = page_folio(k, pte.page);
      } else if (pte.kind == Pte::Kind::kSwap && !swap_entry_to_info(k, pte.offset).map_freed) {
        target = k.swap_cache[pte.offset];
      }
      const bool candidate = target != kNoPage && k.pages[target].lru;
      Emit(k, c, StepId::kIsolate, kNoOffset, candidate ? target : kNoPage);
      if (!candidate) return Finish(c, 0);
      f.page = target;
      Page& p = page_checked(k, f.page, Fn::kShrinkPageList);
      p.lru = false;  // isolate_lru_page() takes a reference
      ++p.refcount;
      f.pc = kTrylock;
      return StepResult::kStep;
    }
    case kTrylock: {
      Emit(k, c, StepId::kTrylock, k.pages[f.page].private_offset, f.page);
      if (!trylock_page(k, c, f.page)) return Keep(k, c, f, false);
      const Page& p = k.pages[f.page];
      if (p.writeback) return Keep(k, c, f, true);
      // "Lazyfree folio could be freed directly": add_to_swap() /
      // folio_alloc_swap() only for a swap-backed folio not yet cached.
      // A shmem folio is not anonymous: pageout() hands it to
      // shmem_writeout(), which moves it to the swap cache.
      f.pc = p.swapcache || !p.swapbacked || p.shmem_index != kNoIndex ? kUnmap : kAddToSwap;
      if (f.pc == kAddToSwap && p.order > 0) {
        // "cannot split folio, skip it"; "Split partially mapped folios
        // right away. We can free the unmapped pages without IO."
        if (!can_split_folio(k, f.page, 1)) return Keep(k, c, f, true);
        if (p.partially_mapped) f.pc = kSplit;
      }
      return StepResult::kStep;
    }
    case kAddToSwap:
    case kAllocAfterReclaim: {
      // The allocator finds no free slot but one only the swap cache holds:
      // [ci lock] the scan marks it need_reclaim and cluster_reclaim_range()
      // drops the lock for __try_to_reclaim_swap(TTRS_ANYWAY); then [ci lock]
      // the scan runs again (kAllocAfterReclaim). Once per allocation here;
      // the kernel goes on to the next offset of the cluster.
      // With several devices folio_alloc_swap() reclaims on the device it
      // tries. The allocator holds the device (get_swap_device_info(si),
      // 6.18.35 and 7.1.5) until it is done, so swapoff waits for the
      // reclaim.
      const int nr = folio_nr_pages(k, f.page);
      if (f.pc == kAddToSwap && !k.swap_multi && nr == 1 &&
          k.config.features.allocator_reclaims_cached_slots) {
        const Offset victim = swap_reclaim_candidate(k, 0);
        bool& si_ref = Locals<Fn::kShrinkPageList>(f).si_ref;
        if (victim != kNoOffset && (si_ref = get_swap_device(k, victim))) {
          Emit(k, c, StepId::kClusterReclaimRange, victim, k.swap_cache[victim]);
          f.offset = victim;
          f.pc = kReclaimSlot;
          return StepResult::kStep;
        }
      }
      // v7.0+: folio_alloc_swap() allocates the slot and adds the folio to
      // the swap cache in one cluster lock section (270f095179ff); with
      // several devices it walks them in steps of its own.
      if (swap_table_pins(k)) {
        return Call<Fn::kFolioAllocSwap>(c, f, kAfterAlloc, kNoOffset, f.page);
      }
      // add_to_swap() -> get_swap_page(): the slot comes reserved with
      // SWAP_HAS_CACHE, which makes us the one context that may insert it.
      // A large folio: "get_swap_pages(1, &entry, folio_order(folio))",
      // past the slots cache.
      f.offset = nr > 1 ? get_swap_pages(k, nr) : get_swap_page(k, c);
      // "mem_cgroup_try_charge_swap(folio, folio->swap)" (6.12.94
      // get_swap_page(), 6.18.35 folio_alloc_swap()).
      if (f.offset != kNoOffset) mem_cgroup_try_charge_swap(k, f.page, f.offset);
      Emit(k, c, StepId::kAddToSwap, f.offset, f.page);
      if (f.offset == kNoOffset) {
        // "Fallback to swap normal pages": split, and add_to_swap() again.
        if (nr > 1) {
          f.pc = kSplit;
          return StepResult::kStep;
        }
        return Keep(k, c, f, true);
      }
      f.pc = kInsert;
      return StepResult::kStep;
    }
    case kAfterAlloc:
      // Back from folio_alloc_swap(), in its last step, which allocated the
      // slot and added the folio: "if (unlikely(mem_cgroup_try_charge_swap(
      // folio, folio->swap))) swap_cache_del_folio(folio);" (7.1.5, after
      // the allocation; the model's charge never fails).
      f.offset = c.ret < 0 ? kNoOffset : static_cast<Offset>(c.ret);
      if (f.offset == kNoOffset) {
        if (k.pages[f.page].order > 0) {  // "Fallback to swap normal pages"
          f.pc = kSplit;
          return StepResult::kStep;
        }
        return Keep(k, c, f, true);
      }
      mem_cgroup_try_charge_swap(k, f.page, f.offset);
      k.pages[f.page].dirty = true;  // folio_mark_dirty()
      f.pc = kUnmap;
      return StepResult::kStep;
    case kSplit: {
      // split_folio_to_list() (model/mm/huge_memory.h); then add_to_swap()
      // of the head, now order 0. A folio someone else took a reference to
      // meanwhile cannot be split: activate_locked. The kernel puts the
      // other pages on this pass's list; the model leaves them on the LRU
      // for a later reclaim (an unmapped one is freed by the split).
      const int nr = folio_nr_pages(k, f.page);
      Emit(k, c, StepId::kSplitFolio, kNoOffset, f.page, static_cast<Token>(nr));
      if (split_folio(k, c, f.page, Fn::kShrinkPageList) != 0) return Keep(k, c, f, true);
      f.offset = kNoOffset;
      f.pc = kAddToSwap;
      return StepResult::kStep;
    }
    case kReclaimSlot:
      // cluster_reclaim_range(): with ci->lock dropped, the slot is read
      // again (6.18.35: "switch (READ_ONCE(map[offset]))"; 7.1.5: a count
      // stops it, a folio is reclaimed).
      return Call<Fn::kTryToReclaimSwap>(c, f, kAfterReclaimSlot, f.offset, kNoPage,
                                         {.anyway = true, .only_if_cached = true});
    case kAfterReclaimSlot:
      // Back from __try_to_reclaim_swap(), in its last step; the scan under
      // the retaken cluster lock is the next.
      put_device(k, f.offset, Locals<Fn::kShrinkPageList>(f).si_ref);
      f.pc = kAllocAfterReclaim;
      return StepResult::kStep;
    case kInsert:
      Emit(k, c, StepId::kAddToSwapCache, f.offset, f.page);
      add_to_swap_cache(k, f.page, f.offset);
      k.pages[f.page].dirty = true;  // set_page_dirty()
      f.pc = kUnmap;
      return StepResult::kStep;
    case kUnmap: {
      // A shmem folio: try_to_unmap() -> rmap_walk_file() under
      // i_mmap_lock_read, then try_to_unmap_one() of each mm's shared
      // mapping under its PTL, a step each: the PTEs of the folio's pages
      // cleared (to none: a file PTE keeps no swap entry; the next access
      // faults through shmem_fault()), folio_remove_rmap_ptes() and
      // folio_put() of each.
      if (const int base = k.pages[f.page].shmem_index; base != kNoIndex) {
        for (int m = 0; m < kMaxMms; ++m) {
          Mm& mm = k.mms[m];
          const int nr = folio_nr_pages(k, f.page);
          bool maps = false;
          for (int i = base; mm.alive && i < base + nr; ++i) {
            maps |= mm.shmem_pte[i].kind == Pte::Kind::kPresent &&
                    page_folio(k, mm.shmem_pte[i].page) == f.page;
          }
          if (!maps) continue;
          Emit(k, c, StepId::kUnmapFile, kNoOffset, f.page, static_cast<Token>(m));
          zap_file_ptes(k, mm, base, nr, f.page, Fn::kTryToUnmapOne);
          return StepResult::kStep;
        }
        f.pc = kPageout;
        return StepResult::kContinue;
      }
      // try_to_unmap(): one PTE per step, each under its PTL.
      int mm = 0, va = 0;
      if (!NextMapping(k, f.page, &mm, &va)) {
        f.pc = kPageout;
        return StepResult::kContinue;
      }
      Page& p = page_checked(k, f.page, Fn::kShrinkPageList);
      if (!p.swapbacked) return UnmapLazyfree(k, c, f, mm, va);
      const PageId first = k.mms[mm].pte[va].page;
      Emit(k, c, StepId::kUnmap, static_cast<Offset>(p.private_offset + (first - f.page)),
           f.page, static_cast<Token>(mm * kMaxVas + va));
      // try_to_unmap_one() walks the folio's PTEs in this mm under one PTL
      // (page_vma_mapped_walk()): each page's PTE becomes its slot's entry.
      for (; va < kMaxVas; ++va) {
        const Pte pte = k.mms[mm].pte[va];
        if (pte.kind != Pte::Kind::kPresent || pte.page < 0 || page_folio(k, pte.page) != f.page) {
          continue;
        }
        const Offset off = static_cast<Offset>(p.private_offset + (pte.page - f.page));
        // v7.0+: folio_dup_swap(), with the folio locked in the cache.
        if (swap_duplicate(k, off,
                           swap_table_pins(k) ? Fn::kFolioDupSwap : Fn::kSwapDuplicate) < 0) {
          return Keep(k, c, f, true);  // restore the PTE; walk_abort
        }
        k.mms[mm].pte[va] = Pte{Pte::Kind::kSwap, false, kNoPage, off};
        // v6.x: an exclusive page moves its exclusivity to the swap PTE
        // (page_try_share_anon_rmap(); pte_swp_mkexclusive()).
        Page& sub = k.pages[pte.page];
        if (sub.anon_exclusive) {
          k.mms[mm].swp_exclusive |= static_cast<uint8_t>(1u << va);
          sub.anon_exclusive = false;
        }
        --sub.mapcount;
        put_page(k, f.page, Fn::kShrinkPageList);
      }
      return StepResult::kStep;
    }
    case kPageout: {
      Page& p = page_checked(k, f.page, Fn::kPageout);
      if (!p.swapbacked) {  // unmapped lazyfree: clean, no swap cache, no write
        f.pc = kFreeLazy;
        return StepResult::kContinue;
      }
      f.offset = p.private_offset;
      if (!p.dirty) {  // PAGE_CLEAN: the device already holds this data
        f.pc = kRemove;
        return StepResult::kContinue;
      }
      Emit(k, c, StepId::kPageoutStart, f.offset, f.page);
      // is_page_cache_freeable(): only our isolation ref and the cache's
      // ("folio_ref_count(folio) - folio_test_private(folio) == 1 +
      // folio_nr_pages(folio)").
      if (p.refcount != 1 + folio_nr_pages(k, f.page)) return Keep(k, c, f, true);
      p.dirty = false;  // clear_page_dirty_for_io()
      // pageout() (7.1.5: writeout()): folio_set_reclaim() before the write,
      // folio_clear_reclaim() after it, or when its writeback ends.
      // PG_reclaim is PG_readahead, so a flag left from VMA readahead ends
      // here (the model leaves out the flag's life during the write).
      p.readahead = false;
      // writeout(): a shmem folio goes to shmem_writeout(), which finds it
      // a slot; any other swap-backed folio is in the swap cache already.
      if (p.shmem_index != kNoIndex) {
        Call<Fn::kShmemWriteout>(c, f, kAfterWrite, kNoOffset, f.page);
      } else {
        Call<Fn::kSwapWritepage>(c, f, kAfterWrite, f.offset, f.page);
      }
      return StepResult::kStep;
    }
    case kAfterWrite:
      // After shmem_writeout() (the only write that starts without a slot),
      // the folio's slot is the one it gave it.
      if (f.offset == kNoOffset) f.offset = k.pages[f.page].private_offset;
      // PAGE_ACTIVATE: activate_locked, the folio still locked.
      if (c.ret == kAopWritepageActivate) return Keep(k, c, f, true);
      // PAGE_SUCCESS on a synchronous device: try to free the page now.
      f.pc = kRelock;
      return StepResult::kContinue;
    case kRelock: {
      Emit(k, c, StepId::kRelock, f.offset, f.page);
      if (!trylock_page(k, c, f.page)) return Keep(k, c, f, false);
      const Page& p = k.pages[f.page];
      if (p.dirty || p.writeback) return Keep(k, c, f, true);
      f.pc = kRemove;
      return StepResult::kStep;
    }
    case kRemove: {
      // __remove_mapping(): freeze the refcount at 1 + nr under the xa lock,
      // then __delete_from_swap_cache() and put_swap_folio() of each slot.
      Page& p = page_checked(k, f.page, Fn::kRemoveMapping);
      Emit(k, c, StepId::kRemoveMapping, f.offset, f.page);
      const int nr = folio_nr_pages(k, f.page);
      if (!p.swapcache || p.refcount != 1 + nr || p.dirty) return Keep(k, c, f, true);
      for (int i = 0; i < nr; ++i) k.swap_cache[f.offset + i] = kNoPage;
      p.swapcache = false;
      p.private_offset = kNoOffset;
      for (int i = 0; i < nr; ++i) put_swap_page(k, c, static_cast<Offset>(f.offset + i));
      unlock_page(k, f.page, Fn::kShrinkPageList);
      p.refcount = 1;  // the frozen references: the cache's is gone, ours goes now
      put_page(k, f.page, Fn::kShrinkPageList);
      return Finish(c, 0);
    }
    case kFreeLazy: {
      // "if (folio_test_lazyfree(folio))": "follow __remove_mapping for
      // reference", folio_ref_freeze(folio, 1): only the isolation's
      // reference may be left; else keep_locked. The flag is not checked
      // again (5.15.215 to 7.1.5): nothing maps the folio now. The model
      // keeps a dirty one all the same (the kernel's pageout() would keep
      // a dirty anonymous folio that has no swap cache).
      Page& p = page_checked(k, f.page, Fn::kShrinkPageList);
      Emit(k, c, StepId::kLazyfreeFreeze, kNoOffset, f.page);
      if (p.refcount != 1 || p.dirty) return Keep(k, c, f, true);
      unlock_page(k, f.page, Fn::kShrinkPageList);
      put_page(k, f.page, Fn::kShrinkPageList);  // free_it: the frozen reference
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
