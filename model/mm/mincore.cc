#include "model/mm/mincore.h"

namespace swapfuzz {

StepResult do_mincore(Kernel& k, Cpu& c, Frame& f) {
  Mm& mm = k.mms[c.mm];
  // sys_mincore(): "mmap_read_lock(current->mm); retval = do_mincore(...);
  // mmap_read_unlock(current->mm);". The walk, and so the whole answer, lies
  // inside one PTL section of mincore_pte_range().
  if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
  const Pte pte = mm.pte[f.va];
  if (pte.kind != Pte::Kind::kSwap) {
    // "if (pte_none(pte) || pte_is_marker(pte)) __mincore_unmapped_range()"
    // (0: the VMA has no file); "else if (pte_present(pte))" 1.
    const bool present = pte.kind == Pte::Kind::kPresent;
    Emit(k, c, StepId::kMincorePte, kNoOffset, present ? pte.page : kNoPage, present);
    return Finish(c, present);
  }
  // "*vec = mincore_swap(entry, false);" (6.18.35, 7.1.5): no
  // get_swap_device() for a PTE's entry - "mincore page table walk locks the
  // PTL, and the swap device is stable" - then "folio =
  // swap_cache_get_folio(entry); ... present = folio_test_uptodate(folio);
  // folio_put(folio);". 6.12.94: mincore_page(swap_address_space(entry),
  // swap_cache_index(entry)) -> filemap_get_incore_folio() ->
  // filemap_get_entry(), the same lookup in the xarray.
  const bool map_freed = swap_entry_to_info(k, pte.offset).map_freed;
  const PageId folio = map_freed ? kNoPage : k.swap_cache[pte.offset];
  const bool uptodate = folio != kNoPage && k.pages[folio].uptodate;
  Emit(k, c, StepId::kMincoreSwap, pte.offset, folio, uptodate);
  // A swap PTE under the PTL keeps swapoff from freeing the cache.
  if (!swap_device_live(k, pte.offset, Fn::kMincorePteRange)) return Finish(c, 0);
  if (folio != kNoPage) {
    get_page(k, folio, Fn::kMincorePteRange);  // folio_try_get()
    put_page(k, folio, Fn::kMincorePteRange);  // folio_put()
  }
  return Finish(c, uptodate);
}

}  // namespace swapfuzz
