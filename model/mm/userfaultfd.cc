#include "model/mm/userfaultfd.h"

#include "model/mm/huge_memory.h"

namespace swapfuzz {
namespace {

enum : uint8_t { SWAPFUZZ_STATES_move_pages(SWAPFUZZ_STATE_ENUMERATOR) };

constexpr int16_t kPageSize = 4096;
constexpr int16_t kEINVAL = -22;
constexpr int16_t kENOENT = -2;
constexpr int16_t kEAGAIN = -11;
constexpr int16_t kEBUSY = -16;
constexpr int16_t kEEXIST = -17;

// is_pte_pages_stable() under double_pt_lock(): the src PTE is still the one
// read, and the dst PTE still none (pmd_same() always holds: no THP).
bool PtesStable(const Mm& mm, const Frame& f, const MovePagesLocals& l) {
  return mm.pte[f.va] == l.orig_src_pte && mm.pte[l.dst].kind == Pte::Kind::kNone;
}

// The end of one move_pages_ptes() call, in the step that decided `ret`, and
// move_pages()'s loop after it.
StepResult PtesDone(Kernel& k, Cpu& c, Frame& f, int16_t ret) {
  MovePagesLocals& l = Locals<Fn::kMovePages>(f);
  // move_pages_ptes()'s "out:": folio_unlock(), folio_put() of src_folio,
  // pte_unmap() of both, put_swap_device().
  if (f.page != kNoPage) {
    unlock_page(k, f.page, Fn::kMovePagesPtes);
    put_page(k, f.page, Fn::kMovePagesPtes);
    f.page = kNoPage;
  }
  if (l.si_ref) {
    l.si_ref = false;
    put_swap_device(k, f.offset);
  }
  // 6.18.35 and 7.1.5: "if (ret < 0) err = ret; else step_size = ret;" - an
  // -EAGAIN of an earlier pass is still err after this one moved the page, so
  // the loop goes round again at the same address (which now finds the dst
  // PTE taken). 6.12.94: "err = move_pages_pte(...)".
  if (!k.config.features.uffd_move_batched || ret < 0) l.err = ret;
  if (l.err == kEAGAIN) {
    // "if (err == -EAGAIN) continue;" after cond_resched().
    f.pc = kReadDst;
    return Yield(k, c);
  }
  // uffd_move_unlock(); "return moved ? moved : err;" (len is one page).
  --k.mms[c.mm].mmap_readers;
  return Finish(c, l.err != 0 ? l.err : kPageSize);
}

}  // namespace

StepResult move_pages(Kernel& k, Cpu& c, Frame& f) {
  MovePagesLocals& l = Locals<Fn::kMovePages>(f);
  Mm& mm = k.mms[c.mm];
  switch (f.pc) {
    case kLock:
      if (!k.config.features.uffd_move) {
        // userfaultfd_ioctl() before v6.8: "int ret = -EINVAL;" and no case
        // for the command (read in 5.15.215 and 6.1.166).
        Emit(k, c, StepId::kUffdIoctlUnknown, kNoOffset, kNoPage);
        return Finish(c, kEINVAL);
      }
      // uffd_move_lock(): uffd_lock_vma(mm, dst_start) -> lock_vma_under_rcu(),
      // or mmap_read_lock() while a writer holds the VMA; src_start lies in
      // the same VMA, which is locked once. Either waits for munmap and fork.
      if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
      ++mm.mmap_readers;
      mm.uffd_armed = true;  // both addresses lie in the one registered VMA
      Emit(k, c, StepId::kUffdMoveLock, kNoOffset, kNoPage, l.dst);
      f.pc = kReadDst;
      return StepResult::kStep;
    case kReadDst: {
      // move_pages_ptes(), "retry:": "spin_lock(dst_ptl); orig_dst_pte =
      // ptep_get(dst_pte); spin_unlock(dst_ptl); if (!pte_none(orig_dst_pte))
      // { ret = -EEXIST; goto out; }"
      const Pte dst = mm.pte[l.dst];
      Emit(k, c, StepId::kUffdMoveReadDst, dst.offset, dst.page, l.dst);
      if (dst.kind != Pte::Kind::kNone) return PtesDone(k, c, f, kEEXIST);
      f.pc = kReadSrc;
      return StepResult::kStep;
    }
    case kReadSrc: {
      // "spin_lock(src_ptl); orig_src_pte = ptep_get(src_pte);
      // spin_unlock(src_ptl);"
      const Pte src = mm.pte[f.va];
      Emit(k, c, StepId::kUffdMoveReadSrc, src.offset, src.page, f.va);
      // "if (pte_none(orig_src_pte)) { if (!(mode &
      // UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)) ret = -ENOENT; ..."
      if (src.kind == Pte::Kind::kNone) return PtesDone(k, c, f, kENOENT);
      // "If PTE changed after we locked the folio then start over"
      if (f.page != kNoPage && !(src == l.orig_src_pte)) return PtesDone(k, c, f, kEAGAIN);
      l.orig_src_pte = src;
      if (src.kind == Pte::Kind::kPresent) {
        if (src.page == kZeroPage) {
          f.pc = kZeropage;
        } else {
          // With src_folio held and locked since the last pass, straight to
          // move_present_ptes() (6.12.94 and 6.18.35 lock src_anon_vma
          // first: see the header).
          f.pc = f.page == kNoPage ? kPinFolio : kMovePresent;
        }
        return StepResult::kStep;
      }
      // !pte_present(): a swap entry (the model has no migration entries).
      // "if (!pte_swp_exclusive(orig_src_pte)) { ret = -EBUSY; goto out; }"
      if (!((mm.swp_exclusive >> f.va) & 1u)) return PtesDone(k, c, f, kEBUSY);
      f.offset = src.offset;
      f.pc = kSwapLookup;
      return StepResult::kStep;
    }
    case kPinFolio: {
      // "Pin the page while holding the lock": spin_lock(src_ptl); pte_same
      // again; "folio = vm_normal_folio(...); if (!folio ||
      // !PageAnonExclusive(&folio->page)) { ret = -EBUSY; goto out; }" - a
      // folio fork shares, or one swapped in without the exclusive bit, is
      // refused. Then folio_trylock(), folio_get(), spin_unlock(src_ptl).
      // PageAnonExclusive(&folio->page) tests the folio's first page.
      const Pte src = mm.pte[f.va];
      const bool same = src == l.orig_src_pte;
      if (same) page_checked(k, src.page, Fn::kMovePagesPtes);
      const PageId folio = same ? page_folio(k, src.page) : kNoPage;
      const bool exclusive = same && k.pages[folio].anon_exclusive;
      const bool large = same && k.pages[folio].order > 0;
      const bool locked = exclusive && trylock_page(k, c, folio);
      Emit(k, c, StepId::kUffdMovePinFolio, kNoOffset, same ? src.page : kNoPage,
           (same ? 1u : 0u) | (exclusive ? 2u : 0u) | (locked ? 4u : 0u) | (large ? 8u : 0u));
      if (!same) return PtesDone(k, c, f, kEAGAIN);
      if (!exclusive) return PtesDone(k, c, f, kEBUSY);
      // "If we are unable to lock a large folio, return -EAGAIN without
      // taking a reference" (split_folio() would fail on it anyway).
      if (!locked && large) return PtesDone(k, c, f, kEAGAIN);
      get_page(k, folio, Fn::kMovePagesPtes);
      f.page = folio;
      // "if (WARN_ON_ONCE(!folio_test_anon(src_folio)))": a mapped folio of
      // the model always is.
      // Not locked: "pte_unmap(src_pte); pte_unmap(dst_pte); ...
      // folio_lock(src_folio); goto retry;"
      f.pc = !locked ? kLockFolio : large ? kSplitSrc : kMovePresent;
      return StepResult::kStep;
    }
    case kSplitSrc: {
      // "if (folio_test_large(src_folio)) { ... pte_unmap(&orig_src_pte);
      // pte_unmap(&orig_dst_pte); src_pte = dst_pte = NULL; err =
      // split_folio(src_folio); if (err) goto out; /* have to reacquire the
      // folio after it got split */ folio_unlock(src_folio);
      // folio_put(src_folio); src_folio = NULL; goto retry; }"
      const int err = split_folio(k, c, f.page, Fn::kMovePagesPtes);
      Emit(k, c, StepId::kUffdMoveSplit, kNoOffset, f.page, static_cast<Token>(-err));
      if (err != 0) return PtesDone(k, c, f, static_cast<int16_t>(err));
      unlock_page(k, f.page, Fn::kMovePagesPtes);
      put_page(k, f.page, Fn::kMovePagesPtes);
      f.page = kNoPage;
      f.pc = kReadDst;
      return StepResult::kStep;
    }
    case kLockFolio:
      // folio_lock(src_folio) with the PTEs unmapped (for a swap PTE after
      // put_swap_device()), then "goto retry".
      if (!trylock_page(k, c, f.page)) return Block(c, Wait::Kind::kPageLock, f.page);
      Emit(k, c, StepId::kUffdMoveFolioLock, f.offset, f.page);
      f.pc = kReadDst;
      return StepResult::kStep;
    case kMovePresent: {
      // move_present_ptes() (6.12.94: move_present_pte()): double_pt_lock();
      // "if (!is_pte_pages_stable(...)) { err = -EAGAIN; goto out; } if
      // (folio_test_large(src_folio) || folio_maybe_dma_pinned(src_folio) ||
      // !PageAnonExclusive(&src_folio->page)) { err = -EBUSY; goto out; }"
      Page& p = page_checked(k, f.page, Fn::kMovePresentPtes);
      const bool stable = PtesStable(mm, f, l);
      Emit(k, c, StepId::kUffdMovePresent, kNoOffset, f.page,
           (stable ? 1u : 0u) | (p.anon_exclusive ? 2u : 0u));
      if (!stable) return PtesDone(k, c, f, kEAGAIN);
      if (!p.anon_exclusive) return PtesDone(k, c, f, kEBUSY);
      // "orig_src_pte = ptep_get_and_clear(mm, src_addr, src_pte);
      // folio_move_anon_rmap(src_folio, dst_vma); src_folio->index =
      // linear_page_index(dst_vma, dst_addr);" and the dst PTE made writable
      // (pte_mkwrite()), dirty if the src one was (the model's folio dirty
      // flag stands for both). 7.1.5 drops the pin's reference first
      // ("the page-table is holding one") and unlocks the folio inside
      // double_pt_lock(); 6.12.94's "out:" does both after the PTL: nothing
      // another CPU sees lies between.
      mm.pte[l.dst] = Pte{Pte::Kind::kPresent, true, f.page, kNoOffset};
      mm.pte[f.va] = Pte{};
      p.index = static_cast<int8_t>(l.dst);
      MoveLogical(mm, f.va, l.dst);
      return PtesDone(k, c, f, k.config.features.uffd_move_batched ? kPageSize : 0);
    }
    case kZeropage: {
      // move_zeropage_pte(): double_pt_lock(); is_pte_pages_stable();
      // "zero_pte = pte_mkspecial(pfn_pte(zero_pfn(dst_addr), ...));
      // ptep_clear_flush(src_vma, src_addr, src_pte); set_pte_at(mm,
      // dst_addr, dst_pte, zero_pte);" and PAGE_SIZE (6.12.94: 0).
      const bool stable = PtesStable(mm, f, l);
      Emit(k, c, StepId::kUffdMoveZeropage, kNoOffset, kZeroPage, stable);
      if (!stable) return PtesDone(k, c, f, kEAGAIN);
      mm.pte[l.dst] = Pte{Pte::Kind::kPresent, false, kZeroPage, kNoOffset};
      mm.pte[f.va] = Pte{};
      MoveLogical(mm, f.va, l.dst);
      return PtesDone(k, c, f, k.config.features.uffd_move_batched ? kPageSize : 0);
    }
    case kSwapLookup: {
      // "si = get_swap_device(entry); if (unlikely(!si)) { ret = -EAGAIN;
      // goto out; }"; without src_folio, "folio = swap_cache_get_folio(entry);"
      // (6.12.94: filemap_get_folio(swap_address_space(entry), ...)), a
      // lockless lookup with folio_try_get(); then folio_trylock(), or
      // "put_swap_device(si); si = NULL; folio_lock(src_folio); goto retry;".
      // A large folio is refused before the trylock: "if
      // (folio_test_large(folio)) { ret = -EBUSY; folio_put(folio); goto
      // out; }" (6.12.94 userfaultfd.c:1403, 6.18.35:1494, 7.1.5:1620).
      const bool device = get_swap_device(k, f.offset);
      const PageId cached = device && f.page == kNoPage ? k.swap_cache[f.offset] : kNoPage;
      const bool large = cached != kNoPage && k.pages[cached].order > 0;
      const bool locked = cached != kNoPage && !large && trylock_page(k, c, cached);
      Emit(k, c, StepId::kUffdMoveSwapLookup, f.offset, f.page != kNoPage ? f.page : cached,
           (device ? 1u : 0u) | (locked ? 2u : 0u) | (large ? 4u : 0u));
      if (!device) return PtesDone(k, c, f, kEAGAIN);
      l.si_ref = true;
      if (large) return PtesDone(k, c, f, kEBUSY);
      if (cached != kNoPage) {
        get_page(k, cached, Fn::kMovePagesPtes);
        f.page = cached;  // src_folio_pte = orig_src_pte
        if (!locked) {
          l.si_ref = false;
          put_swap_device(k, f.offset);
          f.pc = kLockFolio;
          return StepResult::kStep;
        }
      }
      f.pc = kMoveSwap;
      return StepResult::kStep;
    }
    case kMoveSwap: {
      // move_swap_pte(): "if (src_folio && unlikely(!folio_test_swapcache(
      // src_folio) || entry.val != src_folio->swap.val)) return -EAGAIN;"
      // under the folio lock; then double_pt_lock() and
      // is_pte_pages_stable().
      const PageId folio = f.page;
      bool moved_ok = true;
      if (folio != kNoPage) {
        const Page& p = page_checked(k, folio, Fn::kMoveSwapPte);
        moved_ok = p.swapcache && p.private_offset == f.offset;
      }
      moved_ok = moved_ok && PtesStable(mm, f, l);
      // No folio: "Check if the swap entry is cached after acquiring the
      // src_pte lock. Otherwise, we might miss a newly loaded swap cache
      // folio." - 7.1.5 swap_cache_has_folio(entry); 6.12.94 and 6.18.35
      // "READ_ONCE(si->swap_map[swp_offset(entry)]) & SWAP_HAS_CACHE", which
      // the skip-swapcache pin sets as well (a retry, as their comment says).
      if (moved_ok && folio == kNoPage && slot_cache_pinned(k, f.offset)) moved_ok = false;
      Emit(k, c, StepId::kUffdMoveSwap, f.offset, folio, moved_ok);
      if (!moved_ok) return PtesDone(k, c, f, kEAGAIN);
      // "folio_move_anon_rmap(src_folio, dst_vma); src_folio->index =
      // linear_page_index(dst_vma, dst_addr);": a swap-in at dst may find the
      // folio in the swap cache and map it there.
      if (folio != kNoPage) k.pages[folio].index = static_cast<int8_t>(l.dst);
      // "orig_src_pte = ptep_get_and_clear(mm, src_addr, src_pte); ...
      // set_pte_at(mm, dst_addr, dst_pte, orig_src_pte);": the entry moves
      // with its software bits (exclusive, uffd-wp); its swap count stays.
      mm.pte[l.dst] = mm.pte[f.va];
      mm.pte[f.va] = Pte{};
      mm.swp_exclusive = static_cast<uint8_t>((mm.swp_exclusive & ~(1u << f.va)) | (1u << l.dst));
      MoveLogical(mm, f.va, l.dst);
      return PtesDone(k, c, f, k.config.features.uffd_move_batched ? kPageSize : 0);
    }
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
