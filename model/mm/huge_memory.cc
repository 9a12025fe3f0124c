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
  head.partially_mapped = false;
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

}  // namespace swapfuzz
