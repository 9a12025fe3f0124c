// mm/huge_memory.c: the split of an anonymous large folio into order-0 folios.
//
// Modelled on 6.12.94's split_huge_page_to_list_to_order() and the
// __folio_split() of 6.18.35 and 7.1.5, which agree on everything the model
// has (model/sources.cc). The split is one step: the kernel holds the
// anon_vma write lock throughout and turns every PTE of the folio into a
// migration entry (unmap_folio()) before it freezes the reference count, so a
// fault on any of them waits (migration_entry_wait()) until remap_page() has
// put them back; no CPU sees the folio half split.
//
// The deferred-split queue is the set of large folios whose
// Page::deferred_list is kQueued (deferred_split_folio() queues an mTHP folio
// when __folio_remove_rmap() first flags it partially mapped:
// folio_remove_rmap_ptes() in model/step.cc), scanned in page order; a split
// or freed folio leaves it. Its shrinker, deferred_split_scan(), is the op of
// that name.
//
// Left out: splits to an order above 0, the queue's per-memcg lists and its
// insertion order, thp_underused() (PMD-sized folios only, which the model
// has not), hwpoison and device-private folios.

#ifndef SWAPFUZZ_MODEL_MM_HUGE_MEMORY_H_
#define SWAPFUZZ_MODEL_MM_HUGE_MEMORY_H_

#include "model/step.h"

namespace swapfuzz {

inline constexpr int kSplitEBusy = -16;   // -EBUSY: under writeback
inline constexpr int kSplitEAgain = -11;  // -EAGAIN: a reference beyond the expected ones

// can_split_folio(folio, caller_pins, &extra_pins): the folio's references are
// its mappings', the caller's `caller_pins` and, in the swap cache, one per
// page ("folio_mapcount(folio) == folio_ref_count(folio) - extra_pins -
// caller_pins"); the freeze after the unmap then expects the same set.
bool can_split_folio(const Kernel& k, PageId folio, int caller_pins);

// split_folio() of a large anonymous folio the caller holds locked, with one
// reference of its own. Returns 0, kSplitEBusy ("if (folio_test_writeback(
// folio)) return -EBUSY;") or kSplitEAgain (can_split_folio() fails), leaving
// the folio as it was on failure. -EBUSY also when folio_get_anon_vma() finds
// no anon_vma: the folio is not anonymous, or nothing maps it any more (a
// caller dropped the PTL before the split; 6.12.94 huge_memory.c:3468-3471,
// 6.18.35 3658-3660, 7.1.5 4095-4097). On success:
//  - each page is an order-0 folio with the head's flags and memcg; in the
//    swap cache, page i caches slot folio->swap + i (__split_huge_page()'s
//    __xa_store(), 6.18.35's and 7.1.5's __swap_cache_replace_folio());
//  - remap_page(RMP_USE_SHARED_ZEROPAGE) (7.1.5: TTU_USE_SHARED_ZEROPAGE)
//    puts each PTE back on its page, except that a zero-filled page is
//    mapped as the shared zero page instead (try_to_map_unused_to_zeropage(),
//    6.12.94 migrate.c:241, 6.18.35 and 7.1.5 :298);
//  - the head keeps the caller's lock and reference; every other page is
//    unlocked and goes through free_page_and_swap_cache(): a page nothing maps
//    leaves the swap cache if none of its slot's count is left
//    (folio_free_swap()), and is freed when its last reference goes.
int split_folio(Kernel& k, Cpu& c, PageId folio, Fn fn);

// The deferred split shrinker's scan (op deferred_split_scan; 6.12.94
// huge_memory.c:3763, 6.18.35 :4140, 7.1.5 :4514), with an nr_to_scan of
// kDeferredSplitBatch.
//   kPin     [split_queue_lock] folio_try_get() of each queued folio, taken
//            off the queue: 6.12.94 and 6.18.35 list_move() it to a private
//            list, 7.1.5 list_del_init()s it into a folio_batch
//   kSplit   one folio a step: one no longer partially mapped is dropped;
//            else folio_trylock(), split_folio(), folio_unlock(). 6.12.94
//            and 6.18.35 put a split or dropped folio here and keep a
//            partially mapped one on the private list, its reference
//            deferred to the next such folio ("swap(folio, prev)"); 7.1.5
//            requeues a partially mapped folio it did not split
//   kSplice  6.12.94, 6.18.35: [split_queue_lock] the private list spliced
//            back onto the queue, then folio_put(prev)
//   kPut     7.1.5 (Features::deferred_split_folio_batch): folios_put() of
//            the batch, and "goto retry" while nr_to_scan is left and the
//            queue is not empty
#define SWAPFUZZ_STATES_deferred_split_scan(X) X(kPin) X(kSplit) X(kPut) X(kSplice)
StepResult deferred_split_scan(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_HUGE_MEMORY_H_
