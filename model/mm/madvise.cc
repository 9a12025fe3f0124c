#include "model/mm/madvise.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/swap_state.h"

namespace swapfuzz {
namespace {

// folio_mark_lazyfree() (mm/swap.c): an anonymous, swap-backed folio on the
// LRU and not in the swap cache becomes lazyfree, PG_swapbacked cleared.
//
// The kernel takes a reference and adds the folio to the CPU's lru_lazyfree
// batch; lru_lazyfree() clears PG_swapbacked when the batch is drained (full,
// lru_add_drain() in reclaim or the next madvise, or lru_cache_disabled()),
// skipping a folio that reclaim isolated meanwhile (folio_test_clear_lru()
// fails). The model drains at once, in this step: a folio the batch would
// still hold when reclaim isolates it is reclaimed as swap-backed, which is
// the run where reclaim comes before MADV_FREE, so that order is still
// explored; the batch's reference is taken and dropped within the step.
void folio_mark_lazyfree(Page& p) {
  if (!p.swapbacked || !p.lru || p.swapcache) return;
  p.swapbacked = false;
}

// Whether the madvise walks take a large folio as mapped shared: 6.18.35's and
// 7.1.5's folio_maybe_mapped_shared() (mm.h, CONFIG_MM_ID) while two mms map
// any of its pages; 6.12.94's folio_likely_mapped_shared() (mm.h:2183) guesses
// from the mapcounts: more mappings than pages, or the first page mapped twice.
bool folio_mapped_shared(const Kernel& k, PageId folio) {
  const int mapcount = folio_mapcount(k, folio);
  if (mapcount <= 1) return false;
  if (!k.config.features.folio_mm_id_sharing) {
    return mapcount > folio_nr_pages(k, folio) || k.pages[folio].mapcount > 1;
  }
  int mms = 0;
  for (const Mm& mm : k.mms) {
    if (!mm.alive) continue;
    for (const Pte& pte : mm.pte) {
      if (pte.kind == Pte::Kind::kPresent && pte.page != kZeroPage &&
          page_folio(k, pte.page) == folio) {
        ++mms;
        break;
      }
    }
  }
  return mms > 1;
}

// The madvise walks' treatment of a large folio of which the range (one page)
// covers less than the whole: "if (folio_likely_mapped_shared(folio))
// continue;" (6.18.35, 7.1.5: folio_maybe_mapped_shared()); "if
// (!folio_trylock(folio)) continue; folio_get(folio);
// arch_leave_lazy_mmu_mode(); pte_unmap_unlock(start_pte, ptl);" Returns
// whether the folio is now locked and held, for the split.
bool TakeLargeFolioForSplit(Kernel& k, Cpu& c, PageId folio, StepId step) {
  const bool shared = folio_mapped_shared(k, folio);
  const bool locked = !shared && trylock_page(k, c, folio);
  Emit(k, c, step, kNoOffset, folio, shared ? 0 : locked ? 2 : 1);
  if (locked) get_page(k, folio, StepFn(step));
  return locked;
}

// "err = split_folio(folio); folio_unlock(folio); folio_put(folio);" Returns
// split_folio()'s result: 0, and the walk takes the PTL again and looks at the
// same PTE ("if (!err) nr = 0; continue;"), now of an order-0 folio;
// otherwise it goes past it.
int SplitLargeFolio(Kernel& k, Cpu& c, PageId folio, StepId step) {
  const int err = split_folio(k, c, folio, StepFn(step));
  Emit(k, c, step, kNoOffset, folio, static_cast<Token>(-err));
  unlock_page(k, folio, StepFn(step));
  put_page(k, folio, StepFn(step));
  return err;
}

}  // namespace

StepResult do_madvise(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_do_madvise(SWAPFUZZ_STATE_ENUMERATOR) };
  const DoMadviseLocals l = Locals<Fn::kDoMadvise>(f);
  Mm& mm = k.mms[c.mm];
  switch (f.pc) {
    case kLock: {
      // madvise_lock(): MADV_DONTNEED and MADV_FREE take no mmap_lock there
      // from v6.16 (MADVISE_VMA_READ_LOCK); madvise_walk_vmas()'s
      // try_vma_read_lock() takes lock_vma_under_rcu(), and falls back to
      // mmap_read_lock() while munmap or fork holds the VMA for write. Up to
      // v6.15: mmap_read_lock(). Either waits for a writer of the mm.
      if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
      ++mm.mmap_readers;
      const bool vma_lock = k.config.features.madvise_vma_lock;
      Emit(k, c, vma_lock ? StepId::kMadviseLockVma : StepId::kMadviseMmapReadLock, kNoOffset,
           kNoPage);
      const MmLock lock = vma_lock ? MmLock::kVmaRead : MmLock::kMmapRead;
      if (l.shmem) {
        f.pc = kZapFile;
        return StepResult::kStep;
      }
      if (l.behavior == MadviseBehavior::kDontneed) {
        // madvise_dontneed_single_vma() -> zap_page_range_single()
        // (7.1.5: zap_vma_range_batched()) -> zap_pte_range().
        Call<Fn::kZapPteRange>(c, f, kAfterWalk, kNoOffset, kNoPage,
                               {.last_va = l.last_va, .lock = lock});
      } else {
        // madvise_free_single_vma() -> walk_page_range_vma().
        Call<Fn::kMadviseFreePteRange>(c, f, kAfterWalk, kNoOffset, kNoPage, {.lock = lock});
      }
      return StepResult::kStep;
    }
    case kAfterWalk:
      // madvise_unlock() / vma_end_read() ran in the walk's last step.
      return Return(c, 0);
    case kZapFile: {
      const Pte pte = mm.shmem_pte[f.va];
      Emit(k, c, StepId::kZapFilePte, kNoOffset,
           pte.kind == Pte::Kind::kPresent ? pte.page : kNoPage);
      zap_file_ptes(k, mm, f.va, 1, kNoPage, Fn::kDoMadvise);
      mm_lock_release(mm,
                      k.config.features.madvise_vma_lock ? MmLock::kVmaRead : MmLock::kMmapRead);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

StepResult madvise_free_pte_range(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_madvise_free_pte_range(SWAPFUZZ_STATE_ENUMERATOR) };
  MadviseFreePteRangeLocals& l = Locals<Fn::kMadviseFreePteRange>(f);
  Mm& mm = k.mms[c.mm];
  auto finish = [&] {
    mm_lock_release(mm, l.lock);  // do_madvise()'s madvise_unlock() / vma_end_read()
    return Finish(c, 0);
  };
  switch (f.pc) {
    case kPte: {
      // pte_offset_map_lock(): everything below for this PTE is one PTL
      // section (the folio trylock, folio_free_swap() and the LRU move all
      // nest inside it).
      const Pte pte = mm.pte[f.va];
      if (pte.kind == Pte::Kind::kSwap) {
        // "just clear page table to prevent swap-in": 6.12.94 and 6.18.35
        // free_swap_and_cache_nr(), 7.1.5 swap_put_entries_direct(), then
        // pte_clear_not_present_full() / clear_not_present_full_ptes(). The
        // address reads zero from here, as after a zap.
        Emit(k, c, StepId::kMadvFreeSwapPte, pte.offset, kNoPage);
        ZapPte(mm, f.va);
        f.offset = pte.offset;
        switch (PutSwapEntries(k, c, f.offset, 1, l.si_ref)) {
          case SwapEntryPut::kBadEntry:
          case SwapEntryPut::kRangeFree:  // not for one entry
            return finish();
          case SwapEntryPut::kReclaim:
            f.pc = kTryReclaim;
            return StepResult::kStep;
          case SwapEntryPut::kDone:
            return finish();
        }
      }
      // pte_none(), or vm_normal_folio() is NULL (the shared zero page).
      if (pte.kind != Pte::Kind::kPresent || pte.page == kZeroPage) {
        Emit(k, c, StepId::kMadvFreeNothing, kNoOffset, pte.page);
        return finish();
      }
      if (const PageId folio = page_folio(k, pte.page); k.pages[folio].order > 0) {
        page_checked(k, pte.page, Fn::kMadviseFreePteRange);
        if (!TakeLargeFolioForSplit(k, c, folio, StepId::kMadvFreeLarge)) return finish();
        f.page = folio;
        f.pc = kSplit;
        return StepResult::kStep;
      }
      f.page = pte.page;
      Page& p = page_checked(k, f.page, Fn::kMadviseFreePteRange);
      const Offset cached_at = p.swapcache ? p.private_offset : kNoOffset;
      // "if (folio_test_swapcache(folio) || folio_test_dirty(folio))": lock
      // it without sleeping, give up on a folio mapped more than once, drop
      // its swap cache (folio_free_swap(), which fails while the slot has a
      // count or the folio is under writeback), clean it. Any failure skips
      // the folio: it stays as it is. The model's folio dirty flag also
      // stands for its PTEs' dirty bits (a store sets it at once), so a
      // folio written since it was last cleaned always takes this branch.
      bool skip = false;
      if (p.swapcache || p.dirty) {
        if (!trylock_page(k, c, f.page)) {
          skip = true;
        } else {
          if (p.mapcount != 1 || (p.swapcache && !try_to_free_swap(k, c, f.page))) {
            skip = true;
          } else {
            p.dirty = false;  // folio_clear_dirty(); clear_young_dirty_ptes()
          }
          unlock_page(k, f.page, Fn::kMadviseFreePteRange);
        }
      }
      Emit(k, c, skip ? StepId::kMadvFreeSkipFolio : StepId::kMadvFreeLazyfree, cached_at,
           f.page);
      if (!skip) {
        // Oracle: the PTE is clean now, so from here until the next write
        // the address may read zero: the folio may be discarded, now if
        // folio_mark_lazyfree() takes it, or after a later MADV_FREE of it
        // from another mm that shares it (fork copies the clean PTE). A
        // skipped folio keeps its dirty PTE, and a zero there is lost data.
        mm.may_read_zero |= static_cast<uint8_t>(1u << f.va);
        folio_mark_lazyfree(p);
      }
      return finish();
    }
    case kSplit:
      if (SplitLargeFolio(k, c, f.page, StepId::kMadvFreeSplit) != 0) return finish();
      f.page = kNoPage;
      f.pc = kPte;
      return StepResult::kStep;
    case kTryReclaim:
      if (int nr; TryReclaimSwapEntry(k, c, f, kReclaimed, nr)) return StepResult::kContinue;
      put_device(k, f.offset, l.si_ref);
      return finish();
    case kReclaimed:
      put_device(k, f.offset, l.si_ref);
      return finish();
  }
  return StepResult::kStep;
}


StepResult madvise_pageout(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_madvise_pageout(SWAPFUZZ_STATE_ENUMERATOR) };
  Mm& mm = k.mms[c.mm];
  switch (f.pc) {
    case kWalk:
      // madvise_lock(): mmap_read_lock() (7.1.5 get_lock_mode():
      // MADVISE_MMAP_READ_LOCK for MADV_PAGEOUT), held until kAfterReclaim
      // or the walk's end.
      if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
      ++mm.mmap_readers;
      f.pc = kPte;
      return StepResult::kContinue;
    case kPte: {
      // madvise_cold_or_pageout_pte_range(): pte_offset_map_lock(), then for
      // the PTE: "if (pte_none(ptent)) continue; if (!pte_present(ptent))
      // continue;" (swap PTEs are not paged out again); "folio =
      // vm_normal_folio(vma, addr, ptent); if (!folio ...) continue;" (the
      // zero page has none); "if (!folio_test_lru(folio) ||
      // folio_mapcount(folio) != folio_nr_pages(folio)) continue;".
      const Pte pte = mm.pte[f.va];
      const bool normal = pte.kind == Pte::Kind::kPresent && pte.page != kZeroPage;
      if (normal && k.pages[page_folio(k, pte.page)].order > 0) {
        // madvise_folio_pte_batch() over the one page: nr 1 < folio_nr_pages().
        const PageId folio = page_folio(k, pte.page);
        page_checked(k, pte.page, Fn::kMadviseColdOrPageoutPteRange);
        if (!TakeLargeFolioForSplit(k, c, folio, StepId::kPageoutLarge)) {
          --mm.mmap_readers;
          return Finish(c, 0);
        }
        f.page = folio;
        f.pc = kSplit;
        return StepResult::kStep;
      }
      if (!normal || !k.pages[pte.page].lru || k.pages[pte.page].mapcount != 1) {
        Emit(k, c, StepId::kPageoutSkip, pte.kind == Pte::Kind::kSwap ? pte.offset : kNoOffset,
             normal ? pte.page : kNoPage);
        if (normal) page_checked(k, pte.page, Fn::kMadviseColdOrPageoutPteRange);
        // An empty folio_list: reclaim_pages() returns at once; then
        // tlb_finish_mmu() and madvise_unlock().
        --mm.mmap_readers;
        return Finish(c, 0);
      }
      Page& p = k.pages[pte.page];
      Emit(k, c, StepId::kPageoutIsolate, p.swapcache ? p.private_offset : kNoOffset, pte.page);
      page_checked(k, pte.page, Fn::kMadviseColdOrPageoutPteRange);
      // folio_clear_referenced() and folio_test_clear_young() (the model has
      // no reference bits); "if (folio_isolate_lru(folio))": off the LRU,
      // with a reference; the folio is evictable, so it goes on folio_list.
      p.lru = false;
      ++p.refcount;
      // pte_unmap_unlock(); the mmap_lock stays held for read across
      // reclaim_pages(), which runs inside the walk.
      // reclaim_pages() after the PTL is dropped: shrink_folio_list()'s
      // folio_trylock() is the next step.
      Call<Fn::kShrinkPageList>(c, f, kAfterReclaim, kNoOffset, pte.page, {.isolated = true});
      return StepResult::kStep;
    }
    case kSplit:
      if (SplitLargeFolio(k, c, f.page, StepId::kPageoutSplit) != 0) {
        --mm.mmap_readers;
        return Finish(c, 0);
      }
      f.page = kNoPage;
      f.pc = kPte;
      return StepResult::kStep;
    case kAfterReclaim:
      // reclaim_folio_list() put a folio it kept back on the LRU
      // (folio_putback_lru(), the machine's keep); then cond_resched(),
      // tlb_finish_mmu() and madvise_unlock(): mmap_read_unlock().
      --mm.mmap_readers;
      return Return(c, 0);
  }
  return StepResult::kStep;
}

StepResult madvise_willneed(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_madvise_willneed(SWAPFUZZ_STATE_ENUMERATOR) };
  MadviseWillneedLocals& l = Locals<Fn::kMadviseWillneed>(f);
  Mm& mm = k.mms[c.mm];
  switch (f.pc) {
    case kWalk: {
      // madvise_lock(): mmap_read_lock() (MADVISE_MMAP_READ_LOCK for
      // MADV_WILLNEED in 6.18.35 and 7.1.5; madvise_need_mmap_write() 0 in
      // 6.12.94). "if (!file) { walk_page_range_vma(vma, start, end,
      // &swapin_walk_ops, vma); lru_add_drain(); return 0; }"
      if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
      // swapin_walk_pmd_entry(): "ptep = pte_offset_map_lock(...); pte =
      // ptep_get(ptep); entry = softleaf_from_pte(pte); if
      // (unlikely(!softleaf_is_swap(entry))) continue;" (6.12.94 and 6.18.35:
      // is_swap_pte() and non_swap_entry()).
      const Pte pte = mm.pte[f.va];
      if (pte.kind != Pte::Kind::kSwap) {
        // The walk ends: pte_unmap_unlock(), swap_read_unplug() of no plug,
        // lru_add_drain(), madvise_unlock().
        Emit(k, c, StepId::kWillneedSkip, kNoOffset,
             pte.kind == Pte::Kind::kPresent ? pte.page : kNoPage);
        return Finish(c, 0);
      }
      // "pte_unmap_unlock(ptep, ptl); ptep = NULL;": the PTL is dropped
      // before the read, so the entry may be swapped in, zapped or freed by
      // the time read_swap_cache_async() looks at it.
      f.offset = pte.offset;
      ++mm.mmap_readers;
      Emit(k, c, StepId::kWillneedSwapPte, f.offset, kNoPage);
      f.pc = kRead;
      return StepResult::kStep;
    }
    case kRead:
      // read_swap_cache_async(): "si = get_swap_device(entry); if (!si)
      // return NULL;" (6.18.35, 7.1.5; 6.12.94 takes it inside
      // __read_swap_cache_async(), across the lookup and the insertion,
      // where the locked folio then holds swapoff off the read).
      if (!get_swap_device(k, f.offset)) {
        Emit(k, c, StepId::kWillneedNoDevice, f.offset, kNoPage);
        --mm.mmap_readers;
        return Finish(c, 0);
      }
      l.si_ref = true;
      // "folio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,
      // &page_allocated); ... if (page_allocated) swap_read_folio(folio,
      // plug);" (7.1.5; before: __read_swap_cache_async()).
      return CallSwapCacheRead(k, c, f, kAfterRead, f.offset, /*read=*/true,
                               /*skip_if_exists=*/false);
    case kAfterRead: {
      // put_swap_device(); "if (folio) folio_put(folio);" - the swap cache
      // keeps its own reference - then, the walk over, swap_read_unplug(),
      // lru_add_drain() and madvise_unlock(): mmap_read_unlock().
      const PageId folio = c.ret_page;
      Emit(k, c, StepId::kWillneedPut, f.offset, folio, folio != kNoPage && c.ret == 1);
      if (l.si_ref) {
        l.si_ref = false;
        put_swap_device(k, f.offset);
      }
      if (folio != kNoPage) put_page(k, folio, Fn::kSwapinWalkPmdEntry);
      --mm.mmap_readers;
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
