#include "model/mm/huge_memory.h"

#include "model/mm/swapfile.h"

namespace swapfuzz {

bool can_split_folio(const Kernel& k, PageId folio, int caller_pins) {
  const Page& p = k.pages[folio];
  const int extra_pins = p.swapcache ? folio_nr_pages(k, folio) : 0;
  return p.refcount == folio_mapcount(k, folio) + extra_pins + caller_pins;
}

int split_folio(Kernel& k, Cpu& c, PageId folio, Fn fn) {
  Page& head = page_checked(k, folio, fn);
  if (head.writeback) return kSplitEBusy;
  // folio_get_anon_vma() finds no anon_vma for a folio that is not anonymous
  // or that nothing maps any more: -EBUSY.
  if (head.index == kNoIndex || folio_mapcount(k, folio) == 0) return kSplitEBusy;
  if (!can_split_folio(k, folio, 1)) return kSplitEAgain;
  const int nr = folio_nr_pages(k, folio);
  head.order = 0;
  // "split_folio() removes folio from list on success."
  head.partially_mapped = false;
  head.deferred_list = Page::DeferredList::kNone;
  for (int i = 0; i < nr; ++i) {
    const PageId id = static_cast<PageId>(folio + i);
    Page& p = k.pages[id];
    if (i > 0) {
      // __split_huge_page_tail(): the head's flags, memcg and swap entry.
      p.head = kNoPage;
      p.swapbacked = head.swapbacked;
      p.uptodate = head.uptodate;
      p.dirty = head.dirty;
      p.memcg = head.memcg;
      p.swapcache = head.swapcache;
      p.lru = true;  // lru_add_split_folio(): beside the head
      if (p.swapcache) {
        p.private_offset = static_cast<Offset>(head.private_offset + i);
        k.swap_cache[p.private_offset] = id;
      }
    }
    // remap_page(): the migration entries become PTEs of the new folios.
    if (p.data == 0) {
      for (Mm& mm : k.mms) {
        if (!mm.alive) continue;
        for (Pte& pte : mm.pte) {
          if (pte.kind != Pte::Kind::kPresent || pte.page != id) continue;
          pte = Pte{Pte::Kind::kPresent, false, kZeroPage, kNoOffset};
          --p.mapcount;
        }
      }
    }
    // The head: its mappings, the swap cache and the caller; a tail: the
    // same with the split's own reference in place of the caller's.
    p.refcount = static_cast<int16_t>(p.mapcount + (p.swapcache ? 1 : 0) + 1);
  }
  for (int i = 1; i < nr; ++i) {
    const PageId id = static_cast<PageId>(folio + i);
    Page& p = k.pages[id];
    // "folio_unlock(new_folio); free_folio_and_swap_cache(new_folio);"
    if (p.swapcache && p.mapcount == 0 && trylock_page(k, c, id)) {
      try_to_free_swap(k, c, id);
      unlock_page(k, id, fn);
    }
    put_page(k, id, fn);
  }
  return 0;
}

StepResult deferred_split_scan(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_deferred_split_scan(SWAPFUZZ_STATE_ENUMERATOR) };
  using DeferredList = Page::DeferredList;
  DeferredSplitScanLocals& l = Locals<Fn::kDeferredSplitScan>(f);
  const bool batch = k.config.features.deferred_split_folio_batch;
  auto put = [&](uint8_t folio) { put_page(k, folio, Fn::kDeferredSplitScan); };
  switch (f.pc) {
    case kPin: {
      // "Take pin on all head pages to avoid freeing them under us": a queued
      // folio is never at refcount 0 here, since the model frees a folio
      // (and so unqueues it) as its last reference goes. 6.12.94 and 6.18.35
      // list_move() it to the scan's private list, 7.1.5 list_del_init()s it.
      l.nr = 0;
      l.next = 0;
      for (int id = 0; id < k.next_page && l.to_scan > 0; ++id) {
        Page& p = k.pages[id];
        if (p.freed || p.deferred_list != DeferredList::kQueued) continue;
        get_page(k, static_cast<PageId>(id), Fn::kDeferredSplitScan);
        p.deferred_list = batch ? DeferredList::kNone : DeferredList::kScanning;
        l.folio[l.nr++] = static_cast<uint8_t>(id);
        --l.to_scan;
      }
      Emit(k, c, StepId::kDeferredSplitPin, kNoOffset, kNoPage, l.nr);
      if (l.nr == 0) return Finish(c, 0);
      f.pc = kSplit;
      return StepResult::kStep;
    }
    case kSplit: {
      const uint8_t folio = l.folio[l.next++];
      Page& p = k.pages[folio];
      // The trace's detail: 0 split; split_folio()'s error negated; 1 the
      // trylock failed; 2 not partially mapped any more.
      Token outcome = 2;
      if (p.partially_mapped) {
        outcome = 1;
        if (trylock_page(k, c, folio)) {
          outcome = static_cast<Token>(-split_folio(k, c, folio, Fn::kDeferredSplitScan));
          unlock_page(k, folio, Fn::kDeferredSplitScan);
        }
      }
      Emit(k, c, StepId::kDeferredSplitFolio, kNoOffset, folio, outcome);
      const bool split = outcome == 0;
      if (batch) {
        // "if (did_split || !folio_test_partially_mapped(folio)) continue;
        // requeue:" a folio on no list goes back on the queue.
        if (!split && p.partially_mapped && p.deferred_list == DeferredList::kNone) {
          p.deferred_list = DeferredList::kQueued;
        }
      } else if (split) {
        put(folio);
      } else if (!p.partially_mapped) {
        p.deferred_list = DeferredList::kNone;  // list_del_init(); removed++
        put(folio);
      } else {
        // It stays on the private list; its reference goes with the next
        // such folio's turn, the last one's after the splice.
        if (l.prev != DeferredSplitScanLocals::kNoPrev) put(l.prev);
        l.prev = folio;
      }
      if (l.next < l.nr) return StepResult::kStep;
      f.pc = batch ? kPut : kSplice;
      return StepResult::kStep;
    }
    case kSplice:
      // [split_queue_lock] list_splice_tail(&list, &ds_queue->split_queue),
      // then folio_put(prev).
      Emit(k, c, StepId::kDeferredSplitSplice, kNoOffset, kNoPage, l.nr);
      for (int i = 0; i < l.nr; ++i) {
        Page& p = k.pages[l.folio[i]];
        if (p.deferred_list == DeferredList::kScanning) p.deferred_list = DeferredList::kQueued;
      }
      if (l.prev != DeferredSplitScanLocals::kNoPrev) put(l.prev);
      return Finish(c, 0);
    case kPut: {
      // folios_put(&fbatch); "if (sc->nr_to_scan &&
      // !list_empty(&ds_queue->split_queue)) goto retry;"
      Emit(k, c, StepId::kDeferredSplitPut, kNoOffset, kNoPage, l.nr);
      for (int i = 0; i < l.nr; ++i) put(l.folio[i]);
      bool queued = false;
      for (int id = 0; id < k.next_page && !queued; ++id) {
        queued = !k.pages[id].freed && k.pages[id].deferred_list == DeferredList::kQueued;
      }
      if (l.to_scan == 0 || !queued) return Finish(c, 0);
      f.pc = kPin;
      return StepResult::kStep;
    }
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
