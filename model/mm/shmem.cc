#include "model/mm/shmem.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "model/mm/memcontrol.h"
#include "model/mm/memory.h"
#include "model/mm/page_io.h"
#include "model/mm/swap_state.h"
#include "model/mm/zswap.h"
#include "model/mm/swapfile.h"

namespace swapfuzz {
namespace {

bool IndexHoldsSwap(const Kernel& k, int index, Offset off) {
  const ShmemEntry& e = k.shmem.i_pages[index];
  return e.kind == ShmemEntry::Kind::kSwap && e.swap == off;
}

// The first index of the (naturally aligned) entry of order `order` that
// holds `index`: round_down(index, 1 << order).
int EntryBase(int index, int order) { return index & ~((1 << order) - 1); }

// The page of folio `head` (in the page cache or the swap cache) that holds
// page index `index`: a folio's pages hold the naturally aligned indices of
// its size.
PageId PageOfIndex(const Kernel& k, PageId head, int index) {
  return static_cast<PageId>(head + (index & (folio_nr_pages(k, head) - 1)));
}

// shmem_recalc_inode(): under info->lock, info->alloced and info->swapped move
// by the deltas, and whatever is neither in the page cache nor swapped is
// freed from alloced. shmem_writeout() raises swapped before nrpages drops,
// which a positive `swapped` compensates for. Returns whether the inode's
// first page went to swap.
bool shmem_recalc_inode(Kernel& k, int alloced, int swapped) {
  ShmemInode& inode = k.shmem;
  inode.alloced = static_cast<int16_t>(inode.alloced + alloced);
  inode.swapped = static_cast<int16_t>(inode.swapped + swapped);
  int freed = inode.alloced - inode.swapped - inode.nrpages;
  bool first_swapped = false;
  if (swapped > 0) {
    first_swapped = inode.swapped == swapped;
    freed += swapped;
  }
  if (freed > 0) inode.alloced = static_cast<int16_t>(inode.alloced - freed);
  return first_swapped;
}

// shmem_add_to_page_cache()'s test under xa_lock of the range of `nr`
// indices from `index`: empty (expected kNoOffset), or filled with swap
// entries whose slots run on from `expected` with no gap, and cover exactly
// `nr` slots ("iter.val - nr != swap.val"): xas_for_each_conflict() visits
// each entry once, a large one by its order, so an entry larger than the
// folio fails the test.
bool RangeHolds(const Kernel& k, int index, int nr, Offset expected) {
  int iter = expected;
  for (int i = index; i < index + nr;) {
    const ShmemEntry& e = k.shmem.i_pages[i];
    if (expected == kNoOffset) {
      if (e.kind != ShmemEntry::Kind::kNone) return false;
      ++i;
      continue;
    }
    if (e.kind != ShmemEntry::Kind::kSwap || e.swap != iter) return false;
    iter += 1 << e.order;
    i = EntryBase(i, e.order) + (1 << e.order);
  }
  return expected == kNoOffset || iter - nr == expected;
}

// Under xa_lock: the folio goes into the page cache at `index`, all of its
// indices, which takes a reference per page (shmem_add_to_page_cache():
// folio_ref_add(folio, nr), folio->mapping and folio->index, nrpages).
void AddToPageCache(Kernel& k, PageId id, int index) {
  Page& p = k.pages[id];
  const int nr = folio_nr_pages(k, id);
  for (int i = index; i < index + nr; ++i) {
    k.shmem.i_pages[i] = ShmemEntry{ShmemEntry::Kind::kFolio, id, kNoOffset, p.order};
  }
  p.shmem_index = static_cast<int8_t>(index);
  p.refcount = static_cast<int16_t>(p.refcount + nr);
  k.shmem.nrpages = static_cast<int16_t>(k.shmem.nrpages + nr);
}

// Under xa_lock: the folio leaves the page cache, `replacement` takes its
// indices (a swap entry of its order, or holes), and the page cache's
// references go after the lock (folio_put_refs(folio, nr)).
void DeleteFromPageCache(Kernel& k, PageId id, ShmemEntry replacement, Fn fn) {
  Page& p = k.pages[id];
  const int nr = folio_nr_pages(k, id);
  for (int i = p.shmem_index; i < p.shmem_index + nr; ++i) k.shmem.i_pages[i] = replacement;
  p.shmem_index = kNoIndex;
  k.shmem.nrpages = static_cast<int16_t>(k.shmem.nrpages - nr);
  for (int i = 0; i < nr; ++i) put_page(k, id, fn);
}

// Whether the release's shmem counts with SWAP_MAP_SHMEM (6.12.94 and
// 6.18.35, Features::ShmemSwap::kWritepage and kSwapMapShmem): a mapping's
// entry counts SWAP_MAP_SHMEM, the counts go with swap_free_nr() and
// free_swap_and_cache_nr(), and a swap-in takes the folio out of the swap
// cache before it puts the count; else 7.1.5's folio_dup_swap() and
// folio_put_swap().
bool MapShmem(const Kernel& k) {
  return k.config.features.shmem_swap == Features::ShmemSwap::kSwapMapShmem ||
         k.config.features.shmem_swap == Features::ShmemSwap::kWritepage;
}

// 6.18.35's swap-in on SWP_SYNCHRONOUS_IO skips the swap cache
// (shmem_swap_alloc_folio() with swapcache_prepare()).
bool Shmem618(const Kernel& k) {
  return k.config.features.shmem_swap == Features::ShmemSwap::kSwapMapShmem;
}

// 6.12.94's shmem_writepage() (under shmem_swaplist_mutex, with
// add_to_swap_cache() of its own) and its swap-in, always through the swap
// cache after shmem_split_large_entry() (Features::ShmemSwap::kWritepage).
bool Shmem612(const Kernel& k) {
  return k.config.features.shmem_swap == Features::ShmemSwap::kWritepage;
}

// The mapping's counts on the `nr` slots from `off` go, now that a folio
// holds the data: folio_put_swap() (7.1.5), whose slots the folio in the
// swap table keeps, or swap_free_nr() (6.12.94, 6.18.35), which frees a slot
// no cache pin holds. Under the cluster lock.
void PutMappingSwapCounts(Kernel& k, Cpu& c, Offset off, int nr) {
  const Fn fn = MapShmem(k) ? Fn::kSwapFree : Fn::kFolioPutSwap;
  for (Offset slot = off; slot < off + nr; ++slot) swap_free(k, c, slot, fn);
}

// inode_lock() of the shmem file (i_rwsem for write, held across steps), in
// a step `step`; false, with nothing changed, while another task holds it.
bool InodeLock(Kernel& k, Cpu& c, StepId step) {
  if (k.shmem.i_rwsem_owner != -1) return false;
  Emit(k, c, step, kNoOffset, kNoPage);
  k.shmem.i_rwsem_owner = static_cast<int8_t>(CpuIndex(k, c));
  return true;
}

// inode_unlock(), the last step of the op that took it.
StepResult InodeUnlock(Kernel& k, Cpu& c, StepId step) {
  Emit(k, c, step, kNoOffset, kNoPage);
  k.shmem.i_rwsem_owner = -1;
  return Finish(c, 0);
}

// folio_split(folio, 0, split_at, NULL) of a large page cache folio the
// caller holds locked with one reference (7.1.5 huge_memory.c:4051
// __folio_split(), 6.18.35 :3600; try_folio_split_to_order() takes the
// non-uniform split for shmem, whose mapping supports large folios). It fails
// with -EBUSY for a folio no longer the file's or under writeback
// (folio_check_splittable()) and with -EAGAIN for a reference beyond the page
// cache's, its PTEs' and the caller's, changing nothing. Else, in one step
// (the folio lock, i_mmap_lock_read() and xa_lock are held throughout):
// unmap_folio() zaps every PTE of it (a file folio is faulted back, not
// remapped); the buddy-like split halves the piece holding `split_index`
// until it is order 0, each other half a folio of its own with the head's
// flags, in the page cache at its indices; a piece past EOF ("new_folio->index
// >= end", end from i_size; shmem_fallocend() has no fallocate to extend it)
// leaves the page cache and is freed, except the first, which keeps the
// caller's lock and reference; every other piece is unlocked and its split
// reference put.
int ShmemFolioSplit(Kernel& k, PageId folio, int split_index) {
  Page& head = k.pages[folio];
  if (head.shmem_index == kNoIndex || head.writeback) return -EBUSY;
  const int base = head.shmem_index, order = head.order, nr = 1 << order;
  if (head.refcount != nr + folio_mapcount(k, folio) + 1) return -EAGAIN;
  unmap_mapping_folio(k, folio, Fn::kTruncateInodePartialFolio);
  ShmemInode& inode = k.shmem;
  const int end = inode.i_size;
  // The pieces, as (first index, order): each round's other half, then the
  // order-0 piece at split_index.
  std::array<std::pair<int, int>, kMaxShmemPages> pieces{};
  int npieces = 0, at = base;
  for (int o = order - 1; o >= 0; --o) {
    const int half = 1 << o;
    const bool upper = split_index >= at + half;
    pieces[npieces++] = {upper ? at : at + half, o};
    if (upper) at += half;
  }
  pieces[npieces++] = {at, 0};
  for (int i = 0; i < npieces; ++i) {
    const auto [first, piece_order] = pieces[i];
    const PageId id = static_cast<PageId>(folio + (first - base));
    for (int j = 0; j < (1 << piece_order); ++j) {
      Page& q = k.pages[id + j];
      q.head = j == 0 ? kNoPage : id;
      q.mapcount = 0;
    }
    Page& p = k.pages[id];
    p.order = static_cast<uint8_t>(piece_order);
    for (int index = first; index < first + (1 << piece_order); ++index) {
      inode.i_pages[index] = ShmemEntry{ShmemEntry::Kind::kFolio, id, kNoOffset, p.order};
    }
    if (id == folio) {
      p.refcount = static_cast<int16_t>((1 << piece_order) + 1);
      continue;
    }
    // __split_folio_to_order(): the head's flags; lru_add_split_folio().
    p.swapbacked = head.swapbacked;
    p.uptodate = head.uptodate;
    p.dirty = head.dirty;
    p.memcg = head.memcg;
    p.lru = head.lru;
    p.shmem_index = static_cast<int8_t>(first);
    p.refcount = static_cast<int16_t>((1 << piece_order) + 1);
    p.locked = false;  // folio_unlock() of each piece but the caller's
    p.lock_owner = -1;
  }
  bool dropped = false;
  for (int i = 0; i < npieces; ++i) {
    const auto [first, piece_order] = pieces[i];
    const PageId id = static_cast<PageId>(folio + (first - base));
    if (id == folio) continue;
    if (first >= end) {
      dropped = true;
      // "Drop folio beyond EOF": __filemap_remove_folio(), folio_put_refs();
      // shmem_uncharge() recalculates the inode. Its data is gone.
      DeleteFromPageCache(k, id, ShmemEntry{}, Fn::kTruncateInodePartialFolio);
      for (int index = first; index < first + (1 << piece_order); ++index) {
        if (inode.logical[index] != 0) SetFileValue(inode, index, 0);
      }
    }
    put_page(k, id, Fn::kTruncateInodePartialFolio);  // free_folio_and_swap_cache()
  }
  if (dropped) shmem_recalc_inode(k, 0, 0);
  return 0;
}

// unmap_mapping_range() of the file's page indices [first, end): under
// i_mmap_lock_read(), the zap of each mm's VMA that maps a page of the range,
// a PTL section (a step) each; one step when no mm does. `next_mm` and
// `stepped` carry the walk across the caller's slots. kMore: a zap's step was
// emitted and more mms may follow; kDoneNow: this call emitted the walk's
// only step; kDone: the walk ended in an earlier slot.
enum class UnmapWalk : uint8_t { kMore, kDoneNow, kDone };
UnmapWalk UnmapMappingRange(Kernel& k, Cpu& c, int first, int end, uint8_t& next_mm,
                            bool& stepped) {
  auto maps_range = [&](const Mm& mm) {
    for (int i = first; mm.alive && i < end; ++i) {
      if (mm.shmem_pte[i].kind == Pte::Kind::kPresent) return true;
    }
    return false;
  };
  int m = next_mm;
  while (m < kMaxMms && !maps_range(k.mms[m])) ++m;
  if (m < kMaxMms) {
    Emit(k, c, StepId::kShmemUnmapMappingRange, kNoOffset, kNoPage, static_cast<Token>(m));
    zap_file_ptes(k, k.mms[m], first, end - first, kNoPage, Fn::kUnmapMappingRange);
    next_mm = static_cast<uint8_t>(m + 1);
    stepped = true;
    return UnmapWalk::kMore;
  }
  if (stepped) return UnmapWalk::kDone;
  Emit(k, c, StepId::kShmemUnmapMappingRange, kNoOffset, kNoPage, static_cast<Token>(-1));
  stepped = true;
  return UnmapWalk::kDoneNow;
}

}  // namespace

StepResult shmem_file_read_iter(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_file_read_iter(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemFileReadIterLocals& l = Locals<Fn::kShmemFileReadIter>(f);
  // The value copied must be one the index held since the read started.
  auto check = [&](Token value) {
    if (FileMayHaveHeld(k.shmem, f.va, l.since, l.at_start, value)) return;
    Report(k, Oracle::kDataIntegrity, Fn::kShmemFileReadIter, ObjectKind::kShmemFile, true,
           "a read of shmem index %d copied %#llx, which the index never held while it ran "
           "(it held %#llx at the start, %#llx now)",
           f.va, static_cast<unsigned long long>(value),
           static_cast<unsigned long long>(l.at_start),
           static_cast<unsigned long long>(k.shmem.logical[f.va]));
  };
  switch (f.pc) {
    case kGet:
      // "if (unlikely(iocb->ki_pos >= i_size)) break;" with i_size read
      // locklessly; in the same step as shmem_get_folio()'s lookup.
      if (f.va >= k.shmem.i_size) {
        Emit(k, c, StepId::kShmemReadPastEof, kNoOffset, kNoPage, k.shmem.i_size);
        return Finish(c, 0);
      }
      l.at_start = k.shmem.logical[f.va];
      l.since = k.shmem.changes[f.va];
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterGet, kNoOffset, kNoPage, {.sgp = Sgp::kRead});
    case kAfterGet:
      // Truncated since the first check: "if (error == -EINVAL) error = 0;
      // break;", nothing read.
      if (c.ret == kEinvalPastEof) return Return(c, 0);
      // A hole (or an error, "break" without a copy) has nothing to unlock:
      // straight to the copy's step.
      l.error = c.ret < 0;
      f.page = c.ret < 0 ? kNoPage : c.ret_page;
      return GoTo(k, f, f.page == kNoPage ? kCopy : kUnlock);
    case kUnlock:
      Emit(k, c, StepId::kShmemReadUnlock, kNoOffset, f.page,
           page_checked(k, PageOfIndex(k, f.page, f.va), Fn::kShmemFileReadIter).data);
      unlock_page(k, f.page, Fn::kShmemFileReadIter);
      f.pc = kCopy;
      return StepResult::kStep;
    case kCopy: {
      // "We must evaluate after, since reads (unlike writes) are called
      // without i_rwsem protection against truncate": past i_size now,
      // folio_put() and nothing copied.
      if (!l.error && f.va >= k.shmem.i_size) {
        Emit(k, c, StepId::kShmemReadPastEofPut, kNoOffset, f.page, k.shmem.i_size);
        if (f.page != kNoPage) put_page(k, f.page, Fn::kShmemFileReadIter);
        return Finish(c, 0);
      }
      // SGP_READ on a hole: iov_iter_zero(); or the error goes back.
      if (f.page == kNoPage) {
        Emit(k, c, StepId::kShmemReadCopy, kNoOffset, kNoPage, 0);
        if (!l.error) check(0);
        return Finish(c, 0);
      }
      // The folio is large or not as it was: the model splits no shmem folio.
      const Token value =
          page_checked(k, PageOfIndex(k, f.page, f.va), Fn::kShmemFileReadIter).data;
      Emit(k, c, StepId::kShmemReadCopy, kNoOffset, f.page, value);
      check(value);
      put_page(k, f.page, Fn::kShmemFileReadIter);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

StepResult shmem_file_write_iter(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_file_write_iter(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemInode& inode = k.shmem;
  switch (f.pc) {
    case kLock:
      if (!InodeLock(k, c, StepId::kShmemWriteLock)) return Block(c, Wait::Kind::kInodeLock, 0);
      f.pc = kGet;
      return StepResult::kStep;
    case kGet:
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterGet, kNoOffset, kNoPage, {.sgp = Sgp::kWrite});
    case kAfterGet:
      // An error skips the copy.
      f.page = c.ret < 0 ? kNoPage : c.ret_page;
      return GoTo(k, f, f.page == kNoPage ? kUnlock : kCopy);
    case kCopy: {
      const Op& op = c.program[c.op_index];
      const Token value =
          op.value != 0 ? op.value : (static_cast<Token>(c.tid) << 32) | ++c.write_seq;
      Emit(k, c, StepId::kShmemWriteCopy, kNoOffset, f.page, value);
      // The copy goes to the index's page; shmem_write_end() zeroes the rest
      // of a new folio (its pages hold zero already) and marks it uptodate.
      page_checked(k, PageOfIndex(k, f.page, f.va), Fn::kShmemFileWriteIter).data = value;
      Page& p = page_checked(k, f.page, Fn::kShmemFileWriteIter);
      p.uptodate = true;
      p.dirty = true;
      SetFileValue(inode, f.va, value);
      // "if (pos + copied > inode->i_size) i_size_write(inode, pos + copied);"
      inode.i_size = std::max<int8_t>(inode.i_size, static_cast<int8_t>(f.va + 1));
      unlock_page(k, f.page, Fn::kShmemFileWriteIter);
      put_page(k, f.page, Fn::kShmemFileWriteIter);
      f.pc = kUnlock;
      return StepResult::kStep;
    }
    case kUnlock:
      return InodeUnlock(k, c, StepId::kShmemWriteUnlock);
  }
  return StepResult::kStep;
}

StepResult shmem_get_folio_gfp(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_get_folio_gfp(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemGetFolioGfpLocals& l = Locals<Fn::kShmemGetFolioGfp>(f);
  ShmemInode& inode = k.shmem;
  // "if (sgp <= SGP_CACHE && ((loff_t)index << PAGE_SHIFT) >=
  // i_size_read(inode)) return -EINVAL;", read locklessly.
  const bool past_eof = l.sgp != Sgp::kWrite && f.va >= inode.i_size;
  // "clear:": a folio that is not uptodate, new (SGP_CACHE) or left by a
  // failed write, is zeroed and marked uptodate for any sgp but SGP_WRITE.
  auto clear = [&](PageId id) {
    Page& p = k.pages[id];
    if (l.sgp == Sgp::kWrite || p.uptodate) return;
    for (int i = 0; i < folio_nr_pages(k, id); ++i) k.pages[id + i].data = 0;
    p.uptodate = true;
  };
  switch (f.pc) {
    case kLookup: {
      // repeat: the i_size check, then filemap_get_entry() under RCU, with a
      // reference on a folio. shmem_get_partial_folio() looks up first and
      // checks i_size only for a swap entry, in shmem_get_folio(SGP_READ).
      const ShmemEntry e = inode.i_pages[f.va];
      if (past_eof && (!l.partial || e.kind == ShmemEntry::Kind::kSwap)) {
        Emit(k, c, StepId::kShmemGetPastEof, kNoOffset, kNoPage, inode.i_size);
        return Finish(c, kEinvalPastEof);
      }
      Emit(k, c, StepId::kShmemGetEntry, e.swap, e.folio);
      switch (e.kind) {
        case ShmemEntry::Kind::kSwap:
          // shmem_get_partial_folio() is in shmem_get_folio() from here on.
          l.partial = false;
          Call<Fn::kShmemSwapinFolio>(c, f, kAfterSwapin, e.swap, kNoPage);
          return StepResult::kStep;
        case ShmemEntry::Kind::kFolio:
          get_page(k, e.folio, Fn::kShmemGetFolioGfp);
          f.page = e.folio;
          f.pc = kLock;
          return StepResult::kStep;
        case ShmemEntry::Kind::kNone:
          if (l.sgp == Sgp::kRead) return Finish(c, 0, kNoPage);  // "succeed on hole"
          f.pc = kAlloc;
          return StepResult::kStep;
      }
      return StepResult::kStep;
    }
    case kAfterSwapin:
      // "if (error == -EEXIST) goto repeat".
      if (c.ret == -EEXIST) return GoTo(k, f, kLookup);
      return Return(c, c.ret, c.ret_page);
    case kLock: {
      Page& p = page_checked(k, f.page, Fn::kShmemGetFolioGfp);
      if (p.locked) return Block(c, Wait::Kind::kPageLock, f.page);
      Emit(k, c, StepId::kShmemFolioLock, kNoOffset, f.page, static_cast<Token>(p.shmem_index));
      trylock_page(k, c, f.page);
      // "Has the folio been truncated or swapped out?" The lookup
      // repeats; shmem_get_partial_folio() goes on to shmem_get_folio(),
      // whose lookups check i_size.
      if (p.shmem_index == kNoIndex) {
        unlock_page(k, f.page, Fn::kShmemGetFolioGfp);
        put_page(k, f.page, Fn::kShmemGetFolioGfp);
        f.page = kNoPage;
        l.partial = false;
        f.pc = kLookup;
        return StepResult::kStep;
      }
      // shmem_get_partial_folio() returns the folio locked as it is (71:1088).
      if (l.partial) return Finish(c, 0, f.page);
      // A folio not uptodate (only a write's, whose copy failed, could be)
      // is a hole to SGP_READ.
      if (!p.uptodate && l.sgp == Sgp::kRead) {
        unlock_page(k, f.page, Fn::kShmemGetFolioGfp);
        put_page(k, f.page, Fn::kShmemGetFolioGfp);
        return Finish(c, 0, kNoPage);
      }
      clear(f.page);
      return Finish(c, 0, f.page);
    }
    case kAlloc: {
      // shmem_alloc_and_add_folio(): SGP_WRITE or SGP_CACHE on a hole (a
      // fault's VMA maps the whole file, so thp_vma_suitable_orders() allows
      // the same orders) takes the highest
      // order the mount allows (huge=always) whose naturally aligned range
      // is empty (shmem_suitable_orders()), else order 0; a new folio, locked and
      // swap-backed while only this task sees it; shmem_add_to_page_cache()
      // under xa_lock, which fails with -EEXIST unless the range is still
      // empty; shmem_recalc_inode(); folio_add_lru(). One step: the lookup
      // of the orders and the add see the same mapping.
      int order = 0;
      for (int o = k.config.shmem_huge_order; o > 0 && order == 0; --o) {
        if (RangeHolds(k, EntryBase(f.va, o), 1 << o, kNoOffset)) order = o;
      }
      const PageId id = order > 0 ? alloc_folio(k, order) : alloc_page(k);
      if (id == kNoPage) {
        Emit(k, c, StepId::kShmemAllocAdd, kNoOffset, kNoPage);
        return Finish(c, -ENOMEM);
      }
      if (inode.i_pages[f.va].kind != ShmemEntry::Kind::kNone) {
        Emit(k, c, StepId::kShmemAllocRaced, kNoOffset, id);
        put_page(k, id, Fn::kShmemAllocAndAddFolio);
        f.pc = kLookup;
        return StepResult::kStep;
      }
      // "Perhaps the file has been truncated since we checked": i_size
      // read again once the folio is added; the folio goes back out
      // (filemap_remove_folio(), folio_unlock(), folio_put()).
      const bool truncated = l.sgp == Sgp::kCache && f.va >= inode.i_size;
      Emit(k, c, truncated ? StepId::kShmemAllocPastEof : StepId::kShmemAllocAdd, kNoOffset, id,
           static_cast<Token>(order));
      Page& p = k.pages[id];
      p.locked = true;
      p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      p.swapbacked = true;
      AddToPageCache(k, id, EntryBase(f.va, order));
      shmem_recalc_inode(k, 1 << order, 0);
      p.lru = true;
      if (truncated) {
        DeleteFromPageCache(k, id, ShmemEntry{}, Fn::kShmemGetFolioGfp);
        shmem_recalc_inode(k, 0, 0);
        unlock_page(k, id, Fn::kShmemGetFolioGfp);
        put_page(k, id, Fn::kShmemGetFolioGfp);
        return Finish(c, kEinvalPastEof);
      }
      // SGP_WRITE leaves the new folio !uptodate for shmem_write_end() to
      // mark; its data is zero until the copy.
      for (int i = 0; i < (1 << order); ++i) k.pages[id + i].data = 0;
      clear(id);
      return Finish(c, 0, id);
    }
  }
  return StepResult::kStep;
}

StepResult shmem_swapin_folio(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_swapin_folio(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemSwapinFolioLocals& l = Locals<Fn::kShmemSwapinFolio>(f);
  // unlock: folio_unlock(); failed_nolock: (6.18.35) "if (skip_swapcache)
  // swapcache_clear(si, folio->swap, nr)", folio_put(); put_swap_device().
  // In a step that has emitted.
  auto fail = [&](int16_t error, bool locked) {
    if (f.page != kNoPage) {
      if (locked) unlock_page(k, f.page, Fn::kShmemSwapinFolio);
      if (l.skip) {
        Page& p = k.pages[f.page];
        swapcache_clear(k, c, p.private_offset, folio_nr_pages(k, f.page));
        p.private_offset = kNoOffset;
        l.skip = false;
      }
      put_page(k, f.page, Fn::kShmemSwapinFolio);
    }
    put_device(k, f.offset, l.si_ref);
    return Finish(c, error);
  };
  // "If the folio is large, round down swap and index by folio size."
  auto round_to_folio = [&] {
    const int nr = folio_nr_pages(k, f.page);
    f.offset = static_cast<Offset>(f.offset & ~(nr - 1));
    f.va = static_cast<int8_t>(EntryBase(f.va, k.pages[f.page].order));
  };
  // With the folio: a large entry the folio is smaller than is split first.
  auto have_folio = [&] {
    if (l.order > k.pages[f.page].order) return GoTo(k, f, kSplit);
    round_to_folio();
    return GoTo(k, f, kLock);
  };
  switch (f.pc) {
    case kLookup: {
      l.si_ref = get_swap_device(k, f.offset);
      const ShmemEntry e = k.shmem.i_pages[f.va];
      const bool confirmed = IndexHoldsSwap(k, f.va, f.offset);
      l.index_entry = f.offset;
      // "index may point to the middle of a large entry, get the sub entry"
      if (confirmed) {
        l.order = static_cast<int8_t>(e.order);
        f.offset = e.SlotAt(f.va);
      }
      const PageId cached = l.si_ref ? k.swap_cache[f.offset] : kNoPage;
      Emit(k, c, StepId::kShmemSwapinLookup, f.offset, cached, confirmed);
      if (!l.si_ref) return Finish(c, confirmed ? -EINVAL : -EEXIST);
      if (!confirmed) return fail(-EEXIST, false);
      if (cached != kNoPage) {
        // swap_cache_get_folio()'s folio_try_get(); swap_update_readahead()
        // with no VMA clears only PG_readahead.
        get_page(k, cached, Fn::kShmemSwapinFolio);
        k.pages[cached].readahead = false;
        f.page = cached;
        return have_folio();
      }
      // 6.12.94: shmem_split_large_entry() before every read, then
      // shmem_swapin_cluster() through the swap cache, on any device.
      if (Shmem612(k)) {
        f.pc = kSplitFirst;
        return StepResult::kStep;
      }
      if (swap_entry_to_info(k, f.offset).sync_io) {
        // shmem_swap_alloc_folio(): a folio of the entry's order, unless
        // zswap was ever enabled or a slot of the range is cached
        // (non_swapcache_batch(): SWAP_HAS_CACHE, or a folio in the swap
        // table); then swapin_folio() adds it to the swap cache and reads
        // it, or returns another task's folio that won (7.1.5), or
        // swapcache_prepare() pins the range and the folio is read outside
        // the swap cache (6.18.35).
        const int nr = 1 << l.order;
        bool uncached = true;
        for (int i = 0; i < nr; ++i) uncached &= !slot_cache_pinned(k, l.index_entry + i);
        l.large = l.order > 0 && zswap_never_enabled(k) && uncached;
        f.pc = kSwapAlloc;
        return StepResult::kStep;
      }
      // shmem_swapin_cluster() -> swap_cluster_readahead(), order 0 only:
      // the page_cluster window's slots into the swap cache, then the
      // entry's, whose __read_swap_cache_async(..., false) waits for
      // another task's insertion of the slot (skip_if_exists false).
      Call<Fn::kSwapinReadahead>(c, f, kAfterRead, f.offset, kNoPage, {.cluster = true});
      return StepResult::kStep;
    }
    case kSwapAlloc: {
      if (Shmem618(k)) {
        // 6.18.35: shmem_alloc_folio() of the order (a large folio at the
        // entry's first slot), then swapcache_prepare() of its range under
        // the cluster lock. A large try that fails falls back to order 0 at
        // the sub-entry; an order-0 failure is -EEXIST, and
        // shmem_get_folio_gfp() repeats its lookup at once: the task spins
        // until the pin's holder clears it, so it yields to the others.
        const int order = l.large ? l.order : 0;
        const Offset entry = l.large ? l.index_entry : f.offset;
        const PageId id = order > 0 ? alloc_folio(k, order) : alloc_page(k);
        if (id == kNoPage && order > 0) {
          l.large = false;
          return StepResult::kContinue;
        }
        const bool pinned = id != kNoPage && swapcache_prepare(k, entry, 1 << order) == 0;
        Emit(k, c, StepId::kShmemSwapAllocPin, entry, id, pinned);
        // Out of frames (the run ends without a verdict): "failed:" makes
        // the -ENOMEM -EEXIST if the index no longer holds the entry.
        if (id == kNoPage) {
          return fail(IndexHoldsSwap(k, f.va, f.offset) ? -ENOMEM : -EEXIST, false);
        }
        if (!pinned) {
          put_page(k, id, Fn::kShmemSwapAllocFolio);
          if (order > 0) {
            l.large = false;
            return StepResult::kStep;
          }
          fail(-EEXIST, false);
          return Yield(k, c);
        }
        Page& p = k.pages[id];
        p.locked = true;  // __folio_set_locked()
        p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
        p.swapbacked = true;
        p.private_offset = entry;  // new->swap = entry
        p.lru = true;              // folio_add_lru(), before swap_read_folio()
        f.page = id;
        l.skip = true;
        l.large = false;
        Call<Fn::kSwapReadpage>(c, f, kAfterSkipRead, entry, id);
        return StepResult::kStep;  // the read starts in the next slot
      }
      if (!l.large) {
        return Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterRead, f.offset, kNoPage,
                                              {.read = true, .lookup = false});
      }
      // shmem_alloc_folio() of the order; swapin_folio() inserts it at the
      // entry's first slot. Out of frames: the fallback to order 0.
      const PageId id = alloc_folio(k, l.order);
      if (id == kNoPage) {
        l.large = false;
        return StepResult::kContinue;
      }
      Page& p = k.pages[id];
      p.locked = true;  // __folio_set_locked()
      p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      p.swapbacked = true;
      return Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterRead, l.index_entry, id,
                                            {.read = true, .lookup = false});
    }
    case kAfterRead:
      // No folio: swapin_folio() lost a race (-EEXIST), or the cluster read
      // found none (-ENOMEM); "failed:" makes either -EEXIST if the index no
      // longer holds the entry. A large try falls back to order 0 first.
      f.page = c.ret_page;
      if (f.page == kNoPage && l.large) {
        l.large = false;
        return GoTo(k, f, kSwapAlloc);
      }
      if (f.page == kNoPage) return GoTo(k, f, kFailed);
      return have_folio();
    case kAfterSkipRead:
      // swap_read_folio() has read the folio and unlocked it.
      return have_folio();
    case kSplitFirst: {
      // 6.12.94 shmem_split_large_entry() (612:2065) under xa_lock: the
      // index must still hold the entry, else -EEXIST ("goto failed"). Its
      // tmpfs has only order-0 entries (no mTHP), so nothing is split and
      // the lock is not dropped for xas_split_alloc().
      const bool still = IndexHoldsSwap(k, f.va, l.index_entry);
      Emit(k, c, StepId::kShmemSplitLargeEntryCheck, l.index_entry, kNoPage, still);
      if (!still) return fail(-EEXIST, false);
      f.pc = kRead;
      return StepResult::kStep;
    }
    case kRead:
      // shmem_swapin_cluster() -> swap_cluster_readahead(), as above
      // (6.12.94 swap_state.c:703: skip_if_exists false).
      return Call<Fn::kSwapinReadahead>(c, f, kAfterRead, f.offset, kNoPage, {.cluster = true});
    case kSplit: {
      // shmem_split_large_entry() under xa_lock: the index must still hold
      // the entry the lookup found, else -EEXIST ("failed_nolock"); a large
      // one becomes order-0 entries of consecutive slots.
      const ShmemEntry e = k.shmem.i_pages[f.va];
      const bool still = IndexHoldsSwap(k, f.va, l.index_entry);
      Emit(k, c, StepId::kShmemSplitLargeEntry, l.index_entry, f.page,
           still ? static_cast<Token>(e.order) : static_cast<Token>(-1));
      if (!still) return fail(-EEXIST, false);
      const int base = EntryBase(f.va, e.order);
      for (int i = 0; i < (1 << e.order); ++i) {
        k.shmem.i_pages[base + i] =
            ShmemEntry{ShmemEntry::Kind::kSwap, kNoPage, static_cast<Offset>(e.swap + i), 0};
      }
      l.order = 0;
      round_to_folio();
      f.pc = kLock;
      return StepResult::kStep;
    }
    case kFailed: {
      const bool confirmed = IndexHoldsSwap(k, f.va, f.offset);
      Emit(k, c, StepId::kShmemSwapinFailed, f.offset, kNoPage, confirmed);
      // 7.1.5's and 6.18.35's swapin_folio() on SWP_SYNCHRONOUS_IO failed
      // with -EEXIST; a read through the swap cache (6.12.94 always) found
      // no folio: -ENOMEM.
      const bool sync = swap_entry_to_info(k, f.offset).sync_io && !Shmem612(k);
      return fail(sync || !confirmed ? -EEXIST : -ENOMEM, false);
    }
    case kLock: {
      Page& p = page_checked(k, f.page, Fn::kShmemSwapinFolio);
      if (p.locked) return Block(c, Wait::Kind::kPageLock, f.page);
      trylock_page(k, c, f.page);
      // 6.18.35: "(!skip_swapcache && !folio_test_swapcache(folio)) || ...
      // folio->swap.val != swap.val".
      const bool matches = (l.skip ? p.private_offset == f.offset
                                   : folio_matches_swap_entry(k, f.page, f.offset)) &&
                           IndexHoldsSwap(k, f.va, f.offset);
      Emit(k, c, StepId::kShmemSwapinLock, f.offset, f.page, matches);
      if (!matches) return fail(-EEXIST, true);
      // A read that failed leaves the folio !uptodate; the model's reads do
      // not fail, and shmem_set_folio_swapin_error() is not modelled.
      if (!p.uptodate) return fail(-EIO, true);
      f.pc = kWaitWriteback;
      return StepResult::kStep;
    }
    case kWaitWriteback:
      // folio_wait_writeback(), the folio locked: zswap writeback's write of
      // a folio it found in the swap cache may still be in flight.
      if (k.pages[f.page].writeback) return Block(c, Wait::Kind::kWriteback, f.page);
      f.pc = kAdd;
      return StepResult::kContinue;
    case kAdd: {
      const bool still = RangeHolds(k, f.va, folio_nr_pages(k, f.page), f.offset);
      Emit(k, c, StepId::kShmemSwapinAdd, f.offset, f.page, still);
      if (!still) return fail(-EEXIST, true);  // failed: shmem_confirm_swap() < 0
      AddToPageCache(k, f.page, f.va);
      f.pc = MapShmem(k) ? kClearCache : kPutSwap;
      return StepResult::kStep;
    }
    case kPutSwap:
      Emit(k, c, StepId::kShmemSwapinPutSwap, f.offset, f.page);
      shmem_recalc_inode(k, 0, -folio_nr_pages(k, f.page));
      PutMappingSwapCounts(k, c, f.offset, folio_nr_pages(k, f.page));
      f.pc = kDelCache;
      return StepResult::kStep;
    case kClearCache: {
      // 6.18.35: the pin goes before the count: a skipped folio's
      // "folio->swap.val = 0; swapcache_clear()", else swap_cache_del_folio()
      // (6.12.94: delete_from_swap_cache()).
      Emit(k, c, StepId::kShmemSwapinClearCache, f.offset, f.page, l.skip);
      const int nr = folio_nr_pages(k, f.page);
      shmem_recalc_inode(k, 0, -nr);
      Page& p = k.pages[f.page];
      if (l.skip) {
        p.private_offset = kNoOffset;
        l.skip = false;
        swapcache_clear(k, c, f.offset, nr);
      } else {
        delete_from_swap_cache(k, c, f.page);
      }
      p.dirty = true;  // folio_mark_dirty()
      f.pc = kSwapFreeNr;
      return StepResult::kStep;
    }
    case kSwapFreeNr:
      Emit(k, c, StepId::kShmemSwapinSwapFreeNr, f.offset, f.page);
      PutMappingSwapCounts(k, c, f.offset, folio_nr_pages(k, f.page));
      put_device(k, f.offset, l.si_ref);
      return Finish(c, 0, f.page);
    case kDelCache:
      Emit(k, c, StepId::kShmemSwapinDelCache, f.offset, f.page);
      delete_from_swap_cache(k, c, f.page);
      k.pages[f.page].dirty = true;
      put_device(k, f.offset, l.si_ref);
      return Finish(c, 0, f.page);
  }
  return StepResult::kStep;
}

StepResult shmem_writeout(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_writeout(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemWriteoutLocals& l = Locals<Fn::kShmemWriteout>(f);
  Page& p = page_checked(k, f.page, Fn::kShmemWriteout);
  switch (f.pc) {
    case kAlloc: {
      // The folio is uptodate, no large folio crosses i_size (the file's
      // size is fixed), and swap is on: straight to
      // folio_alloc_swap(). With one device, its reclaim of a slot only the
      // swap cache holds comes first, as for an anonymous folio
      // (model/mm/vmscan.cc kAddToSwap); with several, folio_alloc_swap()'s
      // slow path does it.
      l.index = p.shmem_index;
      const Offset victim = !k.swap_multi && k.config.features.allocator_reclaims_cached_slots
                                ? swap_reclaim_candidate(k, 0)
                                : kNoOffset;
      // The allocator holds the device across its reclaim
      // (get_swap_device_info(si)), so swapoff waits for it.
      if (victim == kNoOffset || !(l.si_ref = get_swap_device(k, victim))) {
        return GoTo(k, f, kAllocate);
      }
      Emit(k, c, StepId::kClusterReclaimRange, victim, k.swap_cache[victim]);
      f.offset = victim;
      f.pc = kReclaimSlot;
      return StepResult::kStep;
    }
    case kReclaimSlot:
      return Call<Fn::kTryToReclaimSwap>(c, f, kAfterReclaimSlot, f.offset, kNoPage,
                                         {.anyway = true, .only_if_cached = true});
    case kAfterReclaimSlot:
      put_device(k, f.offset, l.si_ref);
      f.offset = kNoOffset;
      return GoTo(k, f, kAllocate);
    case kAllocate:
      if (Shmem612(k)) {
        // 6.12.94 folio_alloc_swap() (swap_slots.c:305): get_swap_page()
        // (from the slots cache, which the model's v6.12.y keeps off:
        // Features::slots_cache), the slot reserved with SWAP_HAS_CACHE, and
        // mem_cgroup_try_charge_swap(); no swap cache yet. No slot: redirty.
        f.offset = get_swap_page(k, c);
        if (f.offset != kNoOffset) mem_cgroup_try_charge_swap(k, f.page, f.offset);
        Emit(k, c, StepId::kShmemWritepageAllocSwap, f.offset, f.page);
        if (f.offset == kNoOffset) {
          p.dirty = true;
          return Return(c, kAopWritepageActivate);  // reclaim keeps it in this step
        }
        f.pc = kSwaplist;
        return StepResult::kStep;
      }
      return Call<Fn::kFolioAllocSwap>(c, f, kAfterAlloc, kNoOffset, f.page);
    case kSwaplist:
      // "mutex_lock(&shmem_swaplist_mutex); if (list_empty(&info->swaplist))
      // list_add(&info->swaplist, &shmem_swaplist);", before swapped rises.
      if (k.shmem.swaplist_mutex_owner != -1) return Block(c, Wait::Kind::kShmemSwaplist, 0);
      Emit(k, c, StepId::kShmemWritepageSwaplist, f.offset, f.page, k.shmem.on_swaplist);
      k.shmem.swaplist_mutex_owner = static_cast<int8_t>(CpuIndex(k, c));
      k.shmem.on_swaplist = true;
      f.pc = kCacheAdd;
      return StepResult::kStep;
    case kCacheAdd:
      // add_to_swap_cache() under xa_lock (its -ENOMEM, which the model's
      // allocations never give, would put the slot and redirty).
      Emit(k, c, StepId::kShmemWritepageCacheAdd, f.offset, f.page);
      add_to_swap_cache(k, f.page, f.offset);
      f.pc = kDupSwap;
      return StepResult::kStep;
    case kAfterAlloc:
      // folio_alloc_swap() returns in its last step, which allocated the
      // slot and added the folio; then its swap charge. A large folio that
      // gets no slots goes to "try_split": split_folio_to_list() of a shmem
      // folio is not modelled, and fails as it may in the kernel (another
      // reference), so the folio is redirtied.
      if (c.ret < 0) {
        p.dirty = true;  // redirty
        return Return(c, kAopWritepageActivate);
      }
      f.offset = static_cast<Offset>(c.ret);
      // 6.18.35's folio_alloc_swap() charged before its insertion.
      if (!MapShmem(k)) mem_cgroup_try_charge_swap(k, f.page, f.offset);
      return GoTo(k, f, kDupSwap);
    case kDupSwap: {
      const int nr = folio_nr_pages(k, f.page);
      const bool map_shmem = MapShmem(k);
      Emit(k, c,
           Shmem612(k)  ? StepId::kShmemWritepageShmemAlloc
           : map_shmem ? StepId::kShmemWriteoutShmemAlloc
                       : StepId::kShmemWriteoutDupSwap,
           f.offset, f.page);
      // 6.18.35 and 7.1.5 put the inode on the list when its first page
      // goes to swap; 6.12.94 did under the mutex.
      if (shmem_recalc_inode(k, 0, nr) && !Shmem612(k)) k.shmem.on_swaplist = true;
      if (map_shmem) {
        swap_shmem_alloc(k, f.offset, nr);
      } else {
        for (Offset slot = f.offset; slot < f.offset + nr; ++slot) {
          swap_duplicate(k, slot, Fn::kFolioDupSwap);
        }
      }
      f.pc = kDelete;
      return StepResult::kStep;
    }
    case kDelete:
      // The folio's indices hold one swap entry of its order; 6.12.94 then
      // drops shmem_swaplist_mutex.
      Emit(k, c, Shmem612(k) ? StepId::kShmemWritepageDelete : StepId::kShmemWriteoutDelete,
           f.offset, f.page);
      DeleteFromPageCache(k, f.page,
                          ShmemEntry{ShmemEntry::Kind::kSwap, kNoPage, f.offset, p.order},
                          Fn::kShmemDeleteFromPageCache);
      if (Shmem612(k)) k.shmem.swaplist_mutex_owner = -1;
      Call<Fn::kSwapWritepage>(c, f, kAfterWrite, f.offset, f.page);
      return StepResult::kStep;
    case kAfterWrite:
      // 6.12.94 returns swap_writepage()'s AOP_WRITEPAGE_ACTIVATE as it is:
      // the folio stays in the swap cache, its entry in the mapping.
      if (c.ret == kAopWritepageActivate && Shmem612(k)) return Return(c, c.ret);
      if (c.ret == kAopWritepageActivate) return GoTo(k, f, kReAdd);
      // Written, and the folio unlocked: reclaim's next step (trylock after
      // the write) is pageout()'s caller's, in a slot of its own.
      if (k.emitted) return StepResult::kStep;
      return Return(c, c.ret);
    case kReAdd: {
      // "Swap entry might be erased by racing shmem_free_swap()".
      const bool still = RangeHolds(k, l.index, folio_nr_pages(k, f.page), f.offset);
      Emit(k, c, StepId::kShmemWriteoutReAdd, f.offset, f.page, still);
      if (still) AddToPageCache(k, f.page, l.index);
      f.pc = still ? kPutSwap : kDelCache;
      return StepResult::kStep;
    }
    case kPutSwap:
      Emit(k, c,
           MapShmem(k) ? StepId::kShmemWriteoutSwapFreeNr : StepId::kShmemWriteoutPutSwap,
           f.offset, f.page);
      shmem_recalc_inode(k, 0, -folio_nr_pages(k, f.page));
      PutMappingSwapCounts(k, c, f.offset, folio_nr_pages(k, f.page));
      f.pc = kDelCache;
      return StepResult::kStep;
    case kDelCache:
      // Returns AOP_WRITEPAGE_ACTIVATE in this step: reclaim keeps the
      // folio, locked, as swap_writeout()'s own activation does.
      Emit(k, c, StepId::kShmemWriteoutDelCache, f.offset, f.page);
      delete_from_swap_cache(k, c, f.page);
      p.dirty = true;
      return Return(c, kAopWritepageActivate);
  }
  return StepResult::kStep;
}

StepResult shmem_fallocate(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_fallocate(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemFallocateLocals& l = Locals<Fn::kShmemFallocate>(f);
  ShmemInode& inode = k.shmem;
  const uint8_t end = static_cast<uint8_t>(std::max(f.va, l.last) + 1);
  // shmem_truncate_range() -> shmem_undo_range() of the hole.
  auto truncate_range = [&] {
    return Call<Fn::kShmemUndoRange>(c, f, kAfterUndo, kNoOffset, kNoPage,
                                     {.start = f.va, .end = end, .loop_start = f.va,
                                      .loop_end = end, .index = f.va});
  };
  switch (f.pc) {
    case kLock:
      if (!InodeLock(k, c, StepId::kShmemFallocLock)) return Block(c, Wait::Kind::kInodeLock, 0);
      if (k.shmem_mapped) {
        f.pc = kPrivate;
        return StepResult::kStep;
      }
      truncate_range();
      return StepResult::kStep;
    case kPrivate:
      // "spin_lock(&inode->i_lock); inode->i_private = &shmem_falloc;"
      Emit(k, c, StepId::kShmemFallocStart, kNoOffset, kNoPage);
      inode.falloc_active = true;
      inode.falloc_start = static_cast<int8_t>(f.va);
      inode.falloc_next = static_cast<int8_t>(end);
      f.pc = kUnmap;
      return StepResult::kStep;
    case kUnmap:
      // unmap_mapping_range(mapping, unmap_start, 1 + unmap_end -
      // unmap_start, 0) of the hole's pages.
      switch (UnmapMappingRange(k, c, f.va, end, l.unmap_mm, l.unmapped)) {
        case UnmapWalk::kMore:
          return StepResult::kStep;
        case UnmapWalk::kDoneNow:
          truncate_range();
          return StepResult::kStep;
        case UnmapWalk::kDone:
          return truncate_range();  // the last zap's step was the previous slot
      }
      return StepResult::kStep;
    case kAfterUndo:
      return GoTo(k, f, k.shmem_mapped ? kWake : kUnlock);
    case kWake:
      // "inode->i_private = NULL; wake_up_all(&shmem_falloc_waitq);" under
      // i_lock.
      Emit(k, c, StepId::kShmemFallocEnd, kNoOffset, kNoPage);
      inode.falloc_active = false;
      ++inode.falloc_wakeups;
      f.pc = kUnlock;
      return StepResult::kStep;
    case kUnlock:
      return InodeUnlock(k, c, StepId::kShmemFallocUnlock);
  }
  return StepResult::kStep;
}

StepResult shmem_setattr(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_setattr(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemSetattrLocals& l = Locals<Fn::kShmemSetattr>(f);
  ShmemInode& inode = k.shmem;
  // "if (oldsize > holebegin) unmap_mapping_range(inode->i_mapping,
  // holebegin, 0, 1);" with holebegin the new size; a file no mm maps has
  // no VMA to walk.
  const bool unmaps = k.shmem_mapped && l.oldsize > l.size;
  // "if (info->alloced) shmem_truncate_range(inode, newsize, (loff_t)-1);"
  auto truncate_range = [&] {
    if (inode.alloced == 0) return GoTo(k, f, kAfterUndo);
    Call<Fn::kShmemUndoRange>(c, f, kAfterUndo, kNoOffset, kNoPage,
                              {.start = l.size, .end = kMaxShmemPages, .loop_start = l.size,
                               .loop_end = kMaxShmemPages, .index = l.size, .truncating = true});
    return k.emitted ? StepResult::kStep : StepResult::kContinue;
  };
  switch (f.pc) {
    case kLock:
      if (!InodeLock(k, c, StepId::kShmemSetattrLock)) return Block(c, Wait::Kind::kInodeLock, 0);
      l.oldsize = static_cast<uint8_t>(inode.i_size);
      f.pc = kSize;
      return StepResult::kStep;
    case kSize:
      // "if (newsize != oldsize) { ... i_size_write(inode, newsize); }"
      if (l.size != l.oldsize) {
        Emit(k, c, StepId::kShmemSetattrSize, kNoOffset, kNoPage, l.size);
        inode.i_size = static_cast<int8_t>(l.size);
      }
      // Oracle state: what lies past a smaller (or the same) size is gone,
      // and reads zero once the file grows over it again.
      if (l.size <= l.oldsize) {
        for (int index = l.size; index < kMaxShmemPages; ++index) {
          if (inode.logical[index] != 0) SetFileValue(inode, index, 0);
        }
        inode.truncating_from = static_cast<int8_t>(l.size);
      }
      if (l.size > l.oldsize) return GoTo(k, f, kUnlock);
      if (unmaps) return GoTo(k, f, kUnmap);
      return truncate_range();
    case kUnmap:
      switch (UnmapMappingRange(k, c, l.size, kMaxShmemPages, l.unmap_mm, l.unmapped)) {
        case UnmapWalk::kMore:
          return StepResult::kStep;
        case UnmapWalk::kDoneNow:
        case UnmapWalk::kDone:
          return l.again ? GoTo(k, f, kUnlock) : truncate_range();
      }
      return StepResult::kStep;
    case kAfterUndo:
      // "unmap again to remove racily COWed private pages": a second walk.
      if (!unmaps) return GoTo(k, f, kUnlock);
      l.again = true;
      l.unmap_mm = 0;
      l.unmapped = false;
      return GoTo(k, f, kUnmap);
    case kUnlock:
      inode.truncating_from = kMaxShmemPages;
      return InodeUnlock(k, c, StepId::kShmemSetattrUnlock);
  }
  return StepResult::kStep;
}

StepResult shmem_fault(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_fault(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemFaultLocals& l = Locals<Fn::kShmemFault>(f);
  ShmemInode& inode = k.shmem;
  switch (f.pc) {
    case kStart:
      // "if (unlikely(inode->i_private))", a lockless read.
      f.pc = inode.falloc_active ? kFallocWait : kGet;
      return StepResult::kContinue;
    case kFallocWait: {
      // shmem_falloc_wait(), under i_lock: a punch of a range holding the
      // index makes the fault sleep until the punch is done.
      const bool punching =
          inode.falloc_active && f.va >= inode.falloc_start && f.va < inode.falloc_next;
      Emit(k, c, StepId::kShmemFaultFallocWait, kNoOffset, kNoPage, punching);
      if (!punching) {
        f.pc = kGet;
        return StepResult::kStep;
      }
      // maybe_unlock_mmap_for_io(): the first try (not FAULT_FLAG_TRIED)
      // drops mmap_lock and will return VM_FAULT_RETRY; a retry sleeps
      // holding it and returns VM_FAULT_NOPAGE.
      l.unlocked = !l.tried;
      if (l.unlocked) --k.mms[c.mm].mmap_readers;
      l.wakeups = inode.falloc_wakeups;
      f.pc = kSleep;
      return StepResult::kStep;
    }
    case kSleep:
      if (inode.falloc_wakeups == l.wakeups) {
        return Block(c, Wait::Kind::kShmemFalloc, static_cast<int16_t>(l.wakeups));
      }
      Emit(k, c, StepId::kShmemFaultFallocWoken, kNoOffset, kNoPage, l.unlocked);
      return Finish(c, l.unlocked ? kVmFaultRetry : 0, kNoPage);
    case kGet:
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterGet, kNoOffset, kNoPage,
                                         {.sgp = Sgp::kCache});
    case kAfterGet:
      // The folio locked (VM_FAULT_LOCKED), or the error.
      return Return(c, c.ret, c.ret < 0 ? kNoPage : c.ret_page);
  }
  return StepResult::kStep;
}

StepResult shmem_undo_range(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_undo_range(SWAPFUZZ_STATE_ENUMERATOR) };
  enum : uint8_t { kFirstLoop, kPartialStart, kPartialEnd, kWholeFolios };
  ShmemUndoRangeLocals& l = Locals<Fn::kShmemUndoRange>(f);
  ShmemInode& inode = k.shmem;
  const bool stale_order = k.knob(Knob::kShmemFreeSwapStaleOrder);
  // The hole's data is gone: each index of [lstart, lend] that loses its
  // entry or has its page zeroed reads zero. Indices outside the hole keep
  // their value, whatever happens to their entries.
  auto hole_zeroed = [&](int index) {
    if (index >= l.start && index < l.end) SetFileValue(inode, index, 0);
  };
  // truncate_inode_folio() of the locked folio, whole, under xa_lock, after
  // truncate_cleanup_folio()'s unmap_mapping_folio() of a mapped one, whose
  // i_mmap_lock and PTL sections share the step: the folio lock keeps every
  // fault and fault-around from mapping it again, so between two mms' zaps
  // only loads and stores through the PTEs not yet zapped could run, which
  // act as they would before the step.
  auto truncate_folio = [&] {
    Page& p = k.pages[f.page];
    const int base = p.shmem_index;
    if (folio_mapcount(k, f.page) > 0) unmap_mapping_folio(k, f.page, Fn::kTruncateInodeFolio);
    DeleteFromPageCache(k, f.page, ShmemEntry{}, Fn::kTruncateInodeFolio);
    for (int i = base; i < base + folio_nr_pages(k, f.page); ++i) hole_zeroed(i);
    p.dirty = false;  // folio_cancel_dirty()
  };
  // "offset++; if (nr_reclaimed) offset = round_up(offset,
  // abs(nr_reclaimed))": past the folio __try_to_reclaim_swap() found.
  // Folios are aligned in their device's offsets.
  auto reclaim_next = [&](int nr) {
    const int step = nr == 0 ? 1 : (nr < 0 ? -nr : nr);
    const int base = swap_entry_to_info(k, f.offset).base;
    f.offset = static_cast<Offset>(base + (f.offset - base + step) / step * step);
  };
  // folio_unlock() and the batch's folio_put(); the loop goes on at `next`.
  auto release = [&](uint8_t next) {
    unlock_page(k, f.page, Fn::kShmemUndoRange);
    put_page(k, f.page, Fn::kShmemUndoRange);
    f.page = kNoPage;
    l.index = next;
    f.pc = kFind;
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kFind: {
      // The next entry at or after the loop's index, under RCU:
      // find_lock_entries() in the first loop, which passes over a large
      // folio across either end of the hole, and a large swap entry that
      // begins before the loop's start; one across the end ends the loop.
      // find_get_entries() in the second, which returns every entry.
      const bool first = l.pass == kFirstLoop;
      const int end = first ? l.end : l.loop_end;
      int index = l.index;
      while (index < end) {
        const ShmemEntry& e = inode.i_pages[index];
        if (e.kind == ShmemEntry::Kind::kNone) {
          ++index;
          continue;
        }
        const int base = EntryBase(index, e.order), nr = 1 << e.order;
        if (!first) break;
        if (base >= l.index && base + nr <= end) break;
        index = e.kind == ShmemEntry::Kind::kSwap && base + nr > end ? end : base + nr;
      }
      const StepId step = first ? StepId::kShmemUndoFindLock : StepId::kShmemUndoFindGet;
      if (index >= end) {
        Emit(k, c, step, kNoOffset, kNoPage, static_cast<Token>(index));
        if (!first) {
          // "But if truncating, restart to make sure all gone": unless
          // this search began at start. The loop's cond_resched() lets the
          // others run first: a restart that meets the same folio again (a
          // reader's reference keeps its split from succeeding) waits for
          // them, as the kernel's would.
          if (l.truncating && l.index != l.loop_start) {
            l.index = l.loop_start;
            return Yield(k, c);
          }
          // "we're done"; shmem_recalc_inode(inode, 0, -nr_swaps_freed).
          shmem_recalc_inode(k, 0, -l.swaps_freed);
          return Finish(c, 0);
        }
        // The partial-folio lookups: lstart's page, then lend's unless
        // both are in one page. A truncation's lend page lies past any
        // index, where the lookup finds nothing: the model skips it.
        l.pass = kPartialStart;
        l.same_folio = !l.truncating && l.start == l.end - 1;
        f.pc = kPartial;
        if (l.start >= kMaxShmemPages) {
          // A truncation to the model's whole size: lstart's page lies past
          // the file's indices, where the lookup finds nothing.
          l.pass = kWholeFolios;
          l.index = l.loop_start;
          f.pc = kFind;
        }
        return StepResult::kStep;
      }
      const ShmemEntry e = inode.i_pages[index];
      Emit(k, c, step, e.swap, e.folio, static_cast<Token>(index));
      l.index = static_cast<uint8_t>(index);  // xas.xa_index
      l.next = static_cast<uint8_t>(EntryBase(index, e.order) + (1 << e.order));
      if (e.kind == ShmemEntry::Kind::kSwap) {
        f.offset = e.swap;
        f.pc = stale_order ? kFreeSwapOrder : kFreeSwap;
        return StepResult::kStep;
      }
      get_page(k, e.folio, Fn::kShmemUndoRange);
      f.page = e.folio;
      if (!first) {
        f.pc = kFolioLock;
        return StepResult::kStep;
      }
      // find_lock_entries(): folio_trylock(); a folio no longer the
      // mapping's or under writeback is left for the second loop.
      const Page& p = k.pages[e.folio];
      if (!trylock_page(k, c, e.folio)) {
        put_page(k, f.page, Fn::kShmemUndoRange);
      } else if (p.shmem_index == kNoIndex || p.writeback) {
        unlock_page(k, f.page, Fn::kShmemUndoRange);
        put_page(k, f.page, Fn::kShmemUndoRange);
      } else {
        f.pc = kTruncate;
        return StepResult::kStep;
      }
      f.page = kNoPage;
      l.index = l.next;
      return StepResult::kStep;
    }
    case kTruncate:
      Emit(k, c, StepId::kShmemUndoTruncate, kNoOffset, f.page, l.index);
      truncate_folio();
      return release(l.next);
    case kFolioLock: {
      // folio_lock(); then truncate_inode_folio() (or, for a large folio,
      // truncate_inode_partial_folio()) takes xa_lock in a step of its own,
      // as the first loop's does after find_lock_entries().
      Page& p = page_checked(k, f.page, Fn::kShmemUndoRange);
      if (p.locked) return Block(c, Wait::Kind::kPageLock, f.page);
      trylock_page(k, c, f.page);
      const bool still = p.shmem_index != kNoIndex;
      Emit(k, c, StepId::kShmemUndoFolioLock, kNoOffset, f.page, still);
      // "Page was replaced by swap: retry" at its index.
      if (!still) return release(l.index);
      f.pc = p.order == 0 ? kTruncate : kPartialTruncate;
      return StepResult::kStep;
    }
    case kPartial:
      // shmem_get_partial_folio(): filemap_get_entry(), and for a folio
      // folio_lock() and the mapping's check, or shmem_get_folio(SGP_READ),
      // which swaps an entry in unless the index is past i_size.
      f.va = static_cast<int8_t>(l.pass == kPartialStart ? l.start : l.end - 1);
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterPartial, kNoOffset, kNoPage,
                                         {.sgp = Sgp::kRead, .partial = true});
    case kAfterPartial:
      f.page = c.ret < 0 ? kNoPage : c.ret_page;
      if (f.page != kNoPage) return GoTo(k, f, kPartialTruncate);
      if (l.pass == kPartialStart && !l.same_folio && !l.truncating) {
        l.pass = kPartialEnd;
        return GoTo(k, f, kPartial);
      }
      l.pass = kWholeFolios;
      l.index = l.loop_start;
      return GoTo(k, f, kFind);
    case kPartialTruncate: {
      // truncate_inode_partial_folio(folio, lstart, lend), the folio locked
      // (and, from a lookup, folio_mark_dirty() first): a folio inside the
      // hole is truncated; else its part in the hole is zeroed and
      // try_folio_split_or_unmap() splits it at the hole's first page
      // (ShmemFolioSplit()), then the piece at the hole's end at that page
      // (folio_try_get() and folio_trylock() of it first). A folio that did
      // not split stays mapped (shmem is exempt from the unmap), and returns
      // false if dirty, else is truncated whole.
      Page& p = page_checked(k, f.page, Fn::kTruncateInodePartialFolio);
      const int base = p.shmem_index, nr = folio_nr_pages(k, f.page);
      const bool whole = base >= l.start && base + nr <= l.end;
      Emit(k, c, StepId::kShmemPartialTruncate, kNoOffset, f.page, whole);
      if (l.pass != kWholeFolios) p.dirty = true;
      // A truncation's lend of -1 is past every folio: 7.1.5 compares it as
      // uoff_t ("lend < folio_next_pos(folio)", 71:1165); 6.12.94 and
      // 6.18.35 take lend as loff_t, but "lend < folio_pos(folio) +
      // folio_size(folio)" (618:1147, 612:1088) adds a size_t, so on 64-bit
      // the comparison is unsigned there too.
      if (l.pass == kPartialStart) l.same_folio = !l.truncating && l.end - 1 < base + nr;
      bool kept = false, split = false;
      if (whole) {
        truncate_folio();
      } else {
        const int zero_first = std::max<int>(base, l.start);
        const int zero_end = std::min(base + nr, int{l.end});
        for (int i = zero_first; i < zero_end; ++i) {
          k.pages[f.page + (i - base)].data = 0;
          hole_zeroed(i);
        }
        split = ShmemFolioSplit(k, f.page, zero_first) == 0;
        if (split && zero_end < base + nr) {
          // folio_try_get() fails on a piece the split dropped past EOF.
          const PageId folio2 = page_folio(k, static_cast<PageId>(f.page + (zero_end - base)));
          if (!k.pages[folio2].freed && folio_nr_pages(k, folio2) > 1 &&
              trylock_page(k, c, folio2)) {
            get_page(k, folio2, Fn::kTruncateInodePartialFolio);
            ShmemFolioSplit(k, folio2, zero_end);
            unlock_page(k, folio2, Fn::kTruncateInodePartialFolio);
            put_page(k, folio2, Fn::kTruncateInodePartialFolio);
          }
        } else if (!split && p.dirty) {
          kept = true;
        } else if (!split) {
          truncate_folio();
        }
        // Returned false: "start = folio_next_index(folio); if (same_folio)
        // end = folio->index;" after lstart's folio, "end = folio->index"
        // after lend's.
        if (kept && l.pass == kPartialStart) {
          l.loop_start = static_cast<uint8_t>(base + nr);
          if (l.same_folio) l.loop_end = static_cast<uint8_t>(base);
        } else if (kept && l.pass == kPartialEnd) {
          l.loop_end = static_cast<uint8_t>(base);
        }
      }
      // "If we split a page, reset the loop so that we pick up the new
      // sub pages": when the piece the caller holds is order 0 now.
      const bool reset = split && k.pages[f.page].order == 0;
      unlock_page(k, f.page, Fn::kShmemUndoRange);
      put_page(k, f.page, Fn::kShmemUndoRange);
      f.page = kNoPage;
      if (l.pass == kWholeFolios) {
        l.index = reset ? l.loop_start : l.next;
        f.pc = kFind;
      } else if (l.pass == kPartialStart && !l.same_folio && !l.truncating) {
        l.pass = kPartialEnd;
        f.pc = kPartial;
      } else {
        l.pass = kWholeFolios;
        l.index = l.loop_start;
        f.pc = kFind;
      }
      return StepResult::kStep;
    }
    case kFreeSwapOrder: {
      // shmem_free_swap_stale_order: xa_get_order() under RCU alone, before
      // the cmpxchg takes xa_lock.
      const ShmemEntry& e = inode.i_pages[l.index];
      l.order = e.kind == ShmemEntry::Kind::kNone ? 0 : e.order;
      Emit(k, c, StepId::kShmemFreeSwapOrder, f.offset, kNoPage, l.order);
      f.pc = kFreeSwap;
      return StepResult::kStep;
    }
    case kFreeSwap: {
      // shmem_free_swap() under xa_lock: the entry goes if the index still
      // holds it, whole; cleared, only if it lies inside the range (7.1.5
      // shmem.c:964). The stale order's xa_cmpxchg_irq() erases whatever
      // entry holds the index now, of any order.
      const ShmemEntry e = inode.i_pages[l.index];
      const int base = EntryBase(l.index, e.order);
      int nr = 0;
      if (IndexHoldsSwap(k, l.index, f.offset)) {
        nr = stale_order ? 1 << l.order : 1 << e.order;
        const int end = l.pass == kFirstLoop ? l.end : l.loop_end;
        if (!stale_order && (base < l.index || base + nr > end)) nr = 0;
      }
      Emit(k, c, StepId::kShmemFreeSwapStore, f.offset, kNoPage, static_cast<Token>(nr));
      if (nr == 0) {
        // None freed: the first loop goes on; the second checks the entry
        // again, or (stale order) retries at this index ("Swap was replaced
        // by page or extended, retry").
        if (l.pass == kFirstLoop) {
          l.index = l.next;
          f.pc = kFind;
        } else {
          f.pc = stale_order ? kFind : kConfirm;
        }
        return StepResult::kStep;
      }
      for (int i = base; i < base + (1 << e.order); ++i) {
        inode.i_pages[i] = ShmemEntry{};
        hole_zeroed(i);
      }
      l.put_end = static_cast<Offset>(f.offset + nr);
      f.pc = kPutSwap;
      return StepResult::kStep;
    }
    case kConfirm: {
      // shmem_confirm_swap() under RCU: a large entry across the hole's
      // border is skipped ("the truncate_inode_partial_folio above should
      // have at least zerod its content once"); else the loop retries at
      // the entry's first index.
      const ShmemEntry& e = inode.i_pages[l.index];
      const bool still = IndexHoldsSwap(k, l.index, f.offset);
      const int order = still ? e.order : -1;
      Emit(k, c, StepId::kShmemUndoConfirm, f.offset, kNoPage, static_cast<Token>(order));
      int base = l.index;
      if (order > 0) {
        base = EntryBase(l.index, order);
        if (base < l.loop_start || base + (1 << order) > l.loop_end) {
          l.index = l.next;
          f.pc = kFind;
          return StepResult::kStep;
        }
      }
      l.index = static_cast<uint8_t>(base);
      f.pc = kFind;
      return StepResult::kStep;
    }
    case kPutSwap: {
      // swap_put_entries_direct() (7.1.5) or free_swap_and_cache_nr()
      // (6.18.35): get_swap_device(), the cluster's put; a cached slot left
      // with no count is reclaimed by __try_to_reclaim_swap() in steps of
      // its own.
      Emit(k, c, MapShmem(k) ? StepId::kShmemFreeSwapAndCache : StepId::kShmemFreeSwapPut,
           f.offset, k.swap_cache[f.offset]);
      const int nr = l.put_end - f.offset;
      l.swaps_freed = static_cast<int8_t>(l.swaps_freed + nr);
      l.index = l.next;
      f.pc = kFind;
      if (PutSwapEntries(k, c, f.offset, nr, l.si_ref) == SwapEntryPut::kReclaim) {
        f.pc = kTryReclaim;
      } else {
        put_device(k, f.offset, l.si_ref);
      }
      return StepResult::kStep;
    }
    case kTryReclaim: {
      // swap_put_entries_cluster()'s loop (7.1.5 swapfile.c:1590): each
      // slot from the first, __try_to_reclaim_swap() in steps of its own
      // (v6.15+; one step before), moving past each folio it finds.
      if (f.offset >= l.put_end) {
        put_device(k, static_cast<Offset>(l.put_end - 1), l.si_ref);
        f.pc = kFind;
        return StepResult::kContinue;
      }
      int nr = 0;
      if (TryReclaimSwapEntry(k, c, f, kAfterReclaim, nr)) return StepResult::kContinue;
      reclaim_next(nr);
      return StepResult::kStep;
    }
    case kAfterReclaim:
      reclaim_next(c.ret);
      return GoTo(k, f, kTryReclaim);
  }
  return StepResult::kStep;
}

StepResult shmem_unuse(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_unuse(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemUnuseLocals& l = Locals<Fn::kShmemUnuse>(f);
  ShmemInode& inode = k.shmem;
  switch (f.pc) {
    case kStart:
      // "if (!info->swapped) { list_del_init(&info->swaplist); continue; }"
      // 6.12.94 takes and drops shmem_swaplist_mutex around it, in this
      // step.
      if (Shmem612(k) && inode.swaplist_mutex_owner != -1) {
        return Block(c, Wait::Kind::kShmemSwaplist, 0);
      }
      Emit(k, c, Shmem612(k) ? StepId::kShmemUnuseStartMutex : StepId::kShmemUnuseStart, kNoOffset,
           kNoPage, static_cast<Token>(inode.swapped));
      if (!inode.on_swaplist) return Finish(c, 0);
      if (inode.swapped == 0) {
        inode.on_swaplist = false;
        return Finish(c, 0);
      }
      l.index = 0;
      f.pc = kFind;
      return StepResult::kStep;
    case kFind: {
      // "start = indices[folio_batch_count(&fbatch) - 1]": the walk goes on
      // from the last index it swapped in, which holds a folio now.
      int index = l.index;
      while (index < kMaxShmemPages &&
             (inode.i_pages[index].kind != ShmemEntry::Kind::kSwap ||
              swp_type(k, inode.i_pages[index].swap) != l.type)) {
        ++index;
      }
      if (index == kMaxShmemPages) {
        Emit(k, c, StepId::kShmemUnuseFind, kNoOffset, kNoPage, static_cast<Token>(index));
        f.pc = kEnd;
        return StepResult::kStep;
      }
      const Offset entry = inode.i_pages[index].swap;
      Emit(k, c, StepId::kShmemUnuseFind, entry, kNoPage, static_cast<Token>(index));
      l.index = static_cast<uint8_t>(index);
      f.va = static_cast<int8_t>(index);
      Call<Fn::kShmemSwapinFolio>(c, f, kAfterSwapin, entry, kNoPage);
      return StepResult::kStep;
    }
    case kAfterSwapin:
      // shmem_unuse_swap_entries(): folio_unlock(), folio_put() of a folio
      // swapped in; -ENOMEM breaks off.
      if (c.ret == 0) {
        unlock_page(k, c.ret_page, Fn::kShmemUnuse);
        put_page(k, c.ret_page, Fn::kShmemUnuse);
      } else if (c.ret == -ENOMEM) {
        l.error = -ENOMEM;
        return GoTo(k, f, kEnd);
      }
      return GoTo(k, f, kFind);
    case kEnd:
      // "if (!info->swapped) list_del_init(&info->swaplist)"
      if (Shmem612(k) && inode.swaplist_mutex_owner != -1) {
        return Block(c, Wait::Kind::kShmemSwaplist, 0);
      }
      Emit(k, c, Shmem612(k) ? StepId::kShmemUnuseEndMutex : StepId::kShmemUnuseEnd, kNoOffset,
           kNoPage, static_cast<Token>(inode.swapped));
      if (inode.swapped == 0) inode.on_swaplist = false;
      return Finish(c, l.error);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
