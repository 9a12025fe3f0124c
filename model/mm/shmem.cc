#include "model/mm/shmem.h"

#include <cerrno>

#include "model/mm/memcontrol.h"
#include "model/mm/memory.h"
#include "model/mm/page_io.h"
#include "model/mm/swap_state.h"
#include "model/mm/swapfile.h"

namespace swapfuzz {
namespace {

bool IndexHoldsSwap(const Kernel& k, int index, Offset off) {
  const ShmemEntry& e = k.shmem.i_pages[index];
  return e.kind == ShmemEntry::Kind::kSwap && e.swap == off;
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

// Under xa_lock: the folio goes into the page cache at `index`, which takes a
// reference for it (shmem_add_to_page_cache(): folio_ref_add(), folio->mapping
// and folio->index, nrpages).
void AddToPageCache(Kernel& k, PageId id, int index) {
  k.shmem.i_pages[index] = ShmemEntry{ShmemEntry::Kind::kFolio, id, kNoOffset};
  Page& p = k.pages[id];
  p.shmem_index = static_cast<int8_t>(index);
  ++p.refcount;
  ++k.shmem.nrpages;
}

// Under xa_lock: the folio leaves the page cache, `replacement` takes its
// index (a swap entry, or a hole), and the page cache's reference goes after
// the lock (folio_put_refs()).
void DeleteFromPageCache(Kernel& k, PageId id, ShmemEntry replacement, Fn fn) {
  Page& p = k.pages[id];
  k.shmem.i_pages[p.shmem_index] = replacement;
  p.shmem_index = kNoIndex;
  --k.shmem.nrpages;
  put_page(k, id, fn);
}

// The folio is back in the page cache, and its swap entry no longer owns
// the slot: shmem_recalc_inode(inode, 0, -1), then folio_put_swap() under the
// cluster lock (the slot stays, pinned by the swap cache).
void PutSwapOfCachedFolio(Kernel& k, Cpu& c, Offset off) {
  shmem_recalc_inode(k, 0, -1);
  swap_free(k, c, off, Fn::kFolioPutSwap);
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

// Moves to state `next`: in the next slot if this one has emitted its step,
// else at once. A state reached when a callee returns may be either (the
// callees end their last step with Finish() or Return()), and each slot
// emits exactly one step.
StepResult GoTo(const Kernel& k, Frame& f, uint8_t next) {
  f.pc = next;
  return k.emitted ? StepResult::kStep : StepResult::kContinue;
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
      // In the same step as shmem_get_folio()'s lookup.
      l.at_start = k.shmem.logical[f.va];
      l.since = k.shmem.changes[f.va];
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterGet, kNoOffset, kNoPage, {.write = false});
    case kAfterGet:
      // A hole (or an error, "break" without a copy) has nothing to unlock:
      // straight to the copy's step.
      l.error = c.ret < 0;
      f.page = c.ret < 0 ? kNoPage : c.ret_page;
      return GoTo(k, f, f.page == kNoPage ? kCopy : kUnlock);
    case kUnlock:
      Emit(k, c, StepId::kShmemReadUnlock, kNoOffset, f.page,
           page_checked(k, f.page, Fn::kShmemFileReadIter).data);
      unlock_page(k, f.page, Fn::kShmemFileReadIter);
      f.pc = kCopy;
      return StepResult::kStep;
    case kCopy: {
      // SGP_READ on a hole: iov_iter_zero(); or the error goes back.
      if (f.page == kNoPage) {
        Emit(k, c, StepId::kShmemReadCopy, kNoOffset, kNoPage, 0);
        if (!l.error) check(0);
        return Finish(c, 0);
      }
      const Token value = page_checked(k, f.page, Fn::kShmemFileReadIter).data;
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
      return Call<Fn::kShmemGetFolioGfp>(c, f, kAfterGet, kNoOffset, kNoPage, {.write = true});
    case kAfterGet:
      // An error skips the copy.
      f.page = c.ret < 0 ? kNoPage : c.ret_page;
      return GoTo(k, f, f.page == kNoPage ? kUnlock : kCopy);
    case kCopy: {
      const Op& op = c.program[c.op_index];
      const Token value =
          op.value != 0 ? op.value : (static_cast<Token>(c.tid) << 32) | ++c.write_seq;
      Emit(k, c, StepId::kShmemWriteCopy, kNoOffset, f.page, value);
      Page& p = page_checked(k, f.page, Fn::kShmemFileWriteIter);
      p.data = value;
      p.uptodate = true;
      p.dirty = true;
      SetFileValue(inode, f.va, value);
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
  const ShmemGetFolioGfpLocals& l = Locals<Fn::kShmemGetFolioGfp>(f);
  ShmemInode& inode = k.shmem;
  switch (f.pc) {
    case kLookup: {
      // repeat: filemap_get_entry() under RCU, with a reference on a folio.
      const ShmemEntry e = inode.i_pages[f.va];
      Emit(k, c, StepId::kShmemGetEntry, e.swap, e.folio);
      switch (e.kind) {
        case ShmemEntry::Kind::kSwap:
          Call<Fn::kShmemSwapinFolio>(c, f, kAfterSwapin, e.swap, kNoPage);
          return StepResult::kStep;
        case ShmemEntry::Kind::kFolio:
          get_page(k, e.folio, Fn::kShmemGetFolioGfp);
          f.page = e.folio;
          f.pc = kLock;
          return StepResult::kStep;
        case ShmemEntry::Kind::kNone:
          if (!l.write) return Finish(c, 0, kNoPage);  // SGP_READ: "succeed on hole"
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
      // "Has the folio been truncated or swapped out?"
      if (p.shmem_index != f.va) {
        unlock_page(k, f.page, Fn::kShmemGetFolioGfp);
        put_page(k, f.page, Fn::kShmemGetFolioGfp);
        f.page = kNoPage;
        f.pc = kLookup;
        return StepResult::kStep;
      }
      // A folio not uptodate (only a write's, whose copy failed, could be)
      // is a hole to SGP_READ.
      if (!p.uptodate && !l.write) {
        unlock_page(k, f.page, Fn::kShmemGetFolioGfp);
        put_page(k, f.page, Fn::kShmemGetFolioGfp);
        return Finish(c, 0, kNoPage);
      }
      return Finish(c, 0, f.page);
    }
    case kAlloc: {
      // shmem_alloc_and_add_folio(): a new folio, locked and swap-backed
      // while only this task sees it; shmem_add_to_page_cache() under
      // xa_lock, which fails with -EEXIST unless the index is still a hole;
      // shmem_recalc_inode(); folio_add_lru().
      const PageId id = alloc_page(k);
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
      Emit(k, c, StepId::kShmemAllocAdd, kNoOffset, id);
      Page& p = k.pages[id];
      p.locked = true;
      p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      p.swapbacked = true;
      AddToPageCache(k, id, f.va);
      shmem_recalc_inode(k, 1, 0);
      p.lru = true;
      // SGP_WRITE leaves the new folio !uptodate for shmem_write_end() to
      // mark; its data is zero until the copy.
      p.data = 0;
      return Finish(c, 0, id);
    }
  }
  return StepResult::kStep;
}

StepResult shmem_swapin_folio(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_swapin_folio(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemSwapinFolioLocals& l = Locals<Fn::kShmemSwapinFolio>(f);
  // unlock: folio_unlock(); failed_nolock: folio_put(); put_swap_device().
  // In a step that has emitted.
  auto fail = [&](int16_t error, bool locked) {
    if (f.page != kNoPage) {
      if (locked) unlock_page(k, f.page, Fn::kShmemSwapinFolio);
      put_page(k, f.page, Fn::kShmemSwapinFolio);
    }
    put_device(k, f.offset, l.si_ref);
    return Finish(c, error);
  };
  switch (f.pc) {
    case kLookup: {
      l.si_ref = get_swap_device(k, f.offset);
      const bool confirmed = IndexHoldsSwap(k, f.va, f.offset);
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
        f.pc = kLock;
        return StepResult::kStep;
      }
      if (swap_entry_to_info(k, f.offset).sync_io) {
        // shmem_swap_alloc_folio() -> swapin_folio(): a new folio added to
        // the swap cache and read, or another task's folio that won the add.
        Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterRead, f.offset, kNoPage,
                                       {.read = true, .lookup = false});
        return StepResult::kStep;
      }
      // shmem_swapin_cluster() -> swap_cluster_readahead(): the model reads
      // the entry alone, as read_swap_cache_async() does.
      CallSwapCacheRead(k, c, f, kAfterRead, f.offset, /*read=*/true, /*skip_if_exists=*/true);
      return StepResult::kStep;
    }
    case kAfterRead:
      // No folio: swapin_folio() lost a race (-EEXIST), or the cluster read
      // found none (-ENOMEM); "failed:" makes either -EEXIST if the index no
      // longer holds the entry.
      f.page = c.ret_page;
      return GoTo(k, f, f.page == kNoPage ? kFailed : kLock);
    case kFailed: {
      const bool confirmed = IndexHoldsSwap(k, f.va, f.offset);
      Emit(k, c, StepId::kShmemSwapinFailed, f.offset, kNoPage, confirmed);
      const bool sync = swap_entry_to_info(k, f.offset).sync_io;
      return fail(sync || !confirmed ? -EEXIST : -ENOMEM, false);
    }
    case kLock: {
      Page& p = page_checked(k, f.page, Fn::kShmemSwapinFolio);
      if (p.locked) return Block(c, Wait::Kind::kPageLock, f.page);
      trylock_page(k, c, f.page);
      const bool matches =
          folio_matches_swap_entry(k, f.page, f.offset) && IndexHoldsSwap(k, f.va, f.offset);
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
      const bool still = IndexHoldsSwap(k, f.va, f.offset);
      Emit(k, c, StepId::kShmemSwapinAdd, f.offset, f.page, still);
      if (!still) return fail(-EEXIST, true);  // failed: shmem_confirm_swap() < 0
      AddToPageCache(k, f.page, f.va);
      f.pc = kPutSwap;
      return StepResult::kStep;
    }
    case kPutSwap:
      Emit(k, c, StepId::kShmemSwapinPutSwap, f.offset, f.page);
      PutSwapOfCachedFolio(k, c, f.offset);
      f.pc = kDelCache;
      return StepResult::kStep;
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
      // The folio is order 0 and uptodate, and swap is on: straight to
      // folio_alloc_swap(). With one device, its reclaim of a slot only the
      // swap cache holds comes first, as for an anonymous folio
      // (model/mm/vmscan.cc kAddToSwap); with several, folio_alloc_swap()'s
      // slow path does it.
      l.index = p.shmem_index;
      const Offset victim = !k.swap_multi && k.config.features.allocator_reclaims_cached_slots
                                ? swap_reclaim_candidate(k, 0)
                                : kNoOffset;
      if (victim == kNoOffset) return GoTo(k, f, kAllocate);
      Emit(k, c, StepId::kClusterReclaimRange, victim, k.swap_cache[victim]);
      f.offset = victim;
      f.pc = kReclaimSlot;
      return StepResult::kStep;
    }
    case kReclaimSlot:
      return Call<Fn::kTryToReclaimSwap>(c, f, kAfterReclaimSlot, f.offset, kNoPage,
                                         {.anyway = true, .only_if_cached = true});
    case kAfterReclaimSlot:
      f.offset = kNoOffset;
      return GoTo(k, f, kAllocate);
    case kAllocate:
      return Call<Fn::kFolioAllocSwap>(c, f, kAfterAlloc, kNoOffset, f.page);
    case kAfterAlloc:
      // folio_alloc_swap() returns in its last step, which allocated the
      // slot and added the folio; then its swap charge.
      if (c.ret < 0) {
        p.dirty = true;  // redirty
        return Return(c, kAopWritepageActivate);
      }
      f.offset = static_cast<Offset>(c.ret);
      mem_cgroup_try_charge_swap(k, f.page, f.offset);
      return GoTo(k, f, kDupSwap);
    case kDupSwap:
      Emit(k, c, StepId::kShmemWriteoutDupSwap, f.offset, f.page);
      if (shmem_recalc_inode(k, 0, 1)) k.shmem.on_swaplist = true;
      swap_duplicate(k, f.offset, Fn::kFolioDupSwap);
      f.pc = kDelete;
      return StepResult::kStep;
    case kDelete:
      Emit(k, c, StepId::kShmemWriteoutDelete, f.offset, f.page);
      DeleteFromPageCache(k, f.page, ShmemEntry{ShmemEntry::Kind::kSwap, kNoPage, f.offset},
                          Fn::kShmemDeleteFromPageCache);
      Call<Fn::kSwapWritepage>(c, f, kAfterWrite, f.offset, f.page);
      return StepResult::kStep;
    case kAfterWrite:
      if (c.ret == kAopWritepageActivate) return GoTo(k, f, kReAdd);
      // Written, and the folio unlocked: reclaim's next step (trylock after
      // the write) is pageout()'s caller's, in a slot of its own.
      if (k.emitted) return StepResult::kStep;
      return Return(c, c.ret);
    case kReAdd: {
      // "Swap entry might be erased by racing shmem_free_swap()".
      const bool still = IndexHoldsSwap(k, l.index, f.offset);
      Emit(k, c, StepId::kShmemWriteoutReAdd, f.offset, f.page, still);
      if (still) AddToPageCache(k, f.page, l.index);
      f.pc = still ? kPutSwap : kDelCache;
      return StepResult::kStep;
    }
    case kPutSwap:
      Emit(k, c, StepId::kShmemWriteoutPutSwap, f.offset, f.page);
      PutSwapOfCachedFolio(k, c, f.offset);
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
  const ShmemFallocateLocals& l = Locals<Fn::kShmemFallocate>(f);
  switch (f.pc) {
    case kLock: {
      if (!InodeLock(k, c, StepId::kShmemFallocLock)) return Block(c, Wait::Kind::kInodeLock, 0);
      const uint8_t last = std::max(f.va, l.last);
      Call<Fn::kShmemUndoRange>(c, f, kAfterUndo, kNoOffset, kNoPage,
                                {.start = f.va, .end = static_cast<uint8_t>(last + 1),
                                 .index = f.va});
      return StepResult::kStep;
    }
    case kAfterUndo:
      return GoTo(k, f, kUnlock);
    case kUnlock:
      return InodeUnlock(k, c, StepId::kShmemFallocUnlock);
  }
  return StepResult::kStep;
}

StepResult shmem_undo_range(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shmem_undo_range(SWAPFUZZ_STATE_ENUMERATOR) };
  ShmemUndoRangeLocals& l = Locals<Fn::kShmemUndoRange>(f);
  ShmemInode& inode = k.shmem;
  // truncate_inode_folio() of the locked folio, then folio_unlock() and the
  // batch's folio_put(); the loop goes on after its index.
  auto truncate = [&] {
    Emit(k, c, StepId::kShmemUndoTruncate, kNoOffset, f.page, l.index);
    DeleteFromPageCache(k, f.page, ShmemEntry{}, Fn::kTruncateInodeFolio);
    SetFileValue(inode, l.index, 0);
    k.pages[f.page].dirty = false;  // folio_cancel_dirty()
    unlock_page(k, f.page, Fn::kTruncateInodeFolio);
    put_page(k, f.page, Fn::kShmemUndoRange);
    f.page = kNoPage;
    l.index = static_cast<uint8_t>(l.index + 1);
    f.pc = kFind;
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kFind: {
      // The next entry at or after the loop's index: find_lock_entries()
      // first, find_get_entries() once the first loop is over.
      int index = l.index;
      while (index < l.end && inode.i_pages[index].kind == ShmemEntry::Kind::kNone) ++index;
      const StepId step = l.second_pass ? StepId::kShmemUndoFindGet : StepId::kShmemUndoFindLock;
      if (index == l.end) {
        Emit(k, c, step, kNoOffset, kNoPage, static_cast<Token>(index));
        if (l.second_pass) {
          // Hole-punch: "we're done"; shmem_recalc_inode(inode, 0,
          // -nr_swaps_freed).
          shmem_recalc_inode(k, 0, -l.swaps_freed);
          return Finish(c, 0);
        }
        l.second_pass = true;  // whole_folios: from the start
        l.index = l.start;
        return StepResult::kStep;
      }
      const ShmemEntry e = inode.i_pages[index];
      Emit(k, c, step, e.swap, e.folio, static_cast<Token>(index));
      l.index = static_cast<uint8_t>(index);
      if (e.kind == ShmemEntry::Kind::kSwap) {
        f.offset = e.swap;
        f.pc = kFreeSwap;
        return StepResult::kStep;
      }
      get_page(k, e.folio, Fn::kShmemUndoRange);
      f.page = e.folio;
      if (l.second_pass) {
        f.pc = kFolioLock;
        return StepResult::kStep;
      }
      // find_lock_entries(): folio_trylock(); a folio no longer the
      // mapping's or under writeback is left for the second loop.
      const Page& p = k.pages[e.folio];
      if (!trylock_page(k, c, e.folio)) {
        put_page(k, f.page, Fn::kShmemUndoRange);
      } else if (p.shmem_index != index || p.writeback) {
        unlock_page(k, f.page, Fn::kShmemUndoRange);
        put_page(k, f.page, Fn::kShmemUndoRange);
      } else {
        f.pc = kTruncate;
        return StepResult::kStep;
      }
      f.page = kNoPage;
      l.index = static_cast<uint8_t>(index + 1);
      return StepResult::kStep;
    }
    case kTruncate:
      return truncate();
    case kFolioLock: {
      // folio_lock(); then truncate_inode_folio() takes xa_lock in a step of
      // its own, as the first loop's does after find_lock_entries().
      Page& p = page_checked(k, f.page, Fn::kShmemUndoRange);
      if (p.locked) return Block(c, Wait::Kind::kPageLock, f.page);
      trylock_page(k, c, f.page);
      const bool still = p.shmem_index == l.index;
      Emit(k, c, StepId::kShmemUndoFolioLock, kNoOffset, f.page, still);
      if (still) {
        f.pc = kTruncate;
        return StepResult::kStep;
      }
      // "Page was replaced by swap: retry" at its index.
      unlock_page(k, f.page, Fn::kShmemUndoRange);
      put_page(k, f.page, Fn::kShmemUndoRange);
      f.page = kNoPage;
      f.pc = kFind;
      return StepResult::kStep;
    }
    case kFreeSwap: {
      // shmem_free_swap(): under xa_lock, the entry goes if it is still the
      // one the lookup found.
      const bool still = IndexHoldsSwap(k, l.index, f.offset);
      Emit(k, c, StepId::kShmemFreeSwapStore, f.offset, kNoPage, still);
      if (!still) {
        // None freed: the first loop goes on; the second retries at this
        // index ("Swap was replaced by page or extended, retry").
        if (!l.second_pass) l.index = static_cast<uint8_t>(l.index + 1);
        f.pc = kFind;
        return StepResult::kStep;
      }
      inode.i_pages[l.index] = ShmemEntry{};
      SetFileValue(inode, l.index, 0);
      f.pc = kPutSwap;
      return StepResult::kStep;
    }
    case kPutSwap: {
      // swap_put_entries_direct(): get_swap_device(), the cluster's put; a
      // cached slot left with no count is reclaimed by
      // __try_to_reclaim_swap() in steps of its own (7.1.5).
      Emit(k, c, StepId::kShmemFreeSwapPut, f.offset, k.swap_cache[f.offset]);
      ++l.swaps_freed;
      l.index = static_cast<uint8_t>(l.index + 1);
      if (PutSwapEntries(k, c, f.offset, 1, l.si_ref) == SwapEntryPut::kReclaim) {
        f.pc = kTryReclaim;
        return StepResult::kStep;
      }
      put_device(k, f.offset, l.si_ref);
      f.pc = kFind;
      return StepResult::kStep;
    }
    case kTryReclaim: {
      // In a slot of its own: __try_to_reclaim_swap() is a machine of its
      // own steps (v6.15+), or one step before.
      int nr = 0;
      if (TryReclaimSwapEntry(k, c, f, kAfterReclaim, nr)) return StepResult::kContinue;
      put_device(k, f.offset, l.si_ref);
      f.pc = kFind;
      return StepResult::kStep;
    }
    case kAfterReclaim:
      put_device(k, f.offset, l.si_ref);
      return GoTo(k, f, kFind);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
