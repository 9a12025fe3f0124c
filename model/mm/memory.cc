#include "model/mm/memory.h"

#include <algorithm>
#include <array>
#include <cerrno>

#include "model/mm/memcontrol.h"
#include "model/mm/shmem.h"
#include "model/mm/swap_state.h"
#include "model/mm/zswap.h"

namespace swapfuzz {
namespace {

void CheckInstalledData(Kernel& k, const Cpu& c, uint8_t va, PageId page, Fn fn) {
  Mm& mm = k.mms[c.mm];
  const Token want = mm.logical[va];
  const Token got = page == kZeroPage ? 0 : k.pages[page].data;
  if (!MayHold(mm, va, got)) {
    Report(k, Oracle::kDataIntegrity, fn, ObjectKind::kPage, true,
           "mm %d va %d: mapped page %d holds %#llx, the user last wrote %#llx", c.mm, va, page,
           static_cast<unsigned long long>(got), static_cast<unsigned long long>(want));
  }
  SawValue(mm, va, got);
}

void mmap_read_unlock(Kernel& k, Cpu& c) { --k.mms[c.mm].mmap_readers; }

// do_swap_page(): "if (unlikely(!folio_test_uptodate(folio))) { ret =
// VM_FAULT_SIGBUS; goto out_nomap; }" - the read failed, and the task gets
// SIGBUS for data that swap still holds.
void ReportSigbus(Kernel& k, PageId folio) {
  Report(k, Oracle::kPageState, Fn::kDoSwapPage, ObjectKind::kPage, true,
         "page %d is not uptodate at pte_same (SIGBUS)", folio);
}

// alloc_anon_folio() (6.12.94 memory.c, 7.1.5 the same): the orders enabled
// up to RunConfig::mthp_order, highest first, whose naturally aligned range of
// PTEs around `va` is pte_none (the VMA spans every address); for each,
// vma_alloc_folio() and mem_cgroup_charge(), whose mTHP gfp mask
// (vma_thp_gfp_mask(), defrag "madvise") does not reclaim: a charge over
// memory.max fails, and the next order is tried. kNoPage: none fits, and the
// caller falls back to order 0 (folio_prealloc()). The folio's index is the
// range's first address. "If uffd is active for the vma we need per-page
// fault fidelity": a registered VMA gets order 0 (6.12.94 memory.c:4668).
PageId alloc_anon_folio(Kernel& k, const Mm& mm, int va, int mm_id) {
  if (mm.uffd_armed) return kNoPage;
  for (int order = k.config.mthp_order; order > 0; --order) {
    const int nr = 1 << order;
    const int start = va & ~(nr - 1);
    bool none = true;
    for (int i = 0; i < nr; ++i) none = none && mm.pte[start + i].kind == Pte::Kind::kNone;
    if (!none) continue;
    const PageId folio = alloc_folio(k, order);
    if (folio == kNoPage) return kNoPage;
    if (charge_memcg(k, folio, get_mem_cgroup_from_mm(k, mm_id))) {
      k.pages[folio].index = static_cast<int8_t>(start);
      return folio;
    }
    put_page(k, folio, Fn::kDoAnonymousPage);
  }
  return kNoPage;
}

// alloc_swap_folio() may try a large order: mTHP orders are enabled and
// "if (!zswap_never_enabled()) goto fallback;" does not fall back (6.12.94
// memory.c:4130, 6.18.35:4526, 7.1.5:4714), and the VMA is not registered
// with userfaultfd ("if (unlikely(userfaultfd_armed(vma))) goto fallback;",
// 6.12.94:4122, 6.18.35:4518, 7.1.5:4706).
bool large_swapin_enabled(const Kernel& k, const Mm& mm) {
  return k.config.mthp_order > 0 && k.config.features.large_folio_swapin &&
         zswap_never_enabled(k) && !mm.uffd_armed;
}

// swap_zeromap_batch(entry, nr, NULL) == nr: the range's zeromap bits agree.
bool zeromap_uniform(const Kernel& k, Offset entry, int nr) {
  for (int i = 1; i < nr; ++i) {
    if (k.si.zeromap[entry + i] != k.si.zeromap[entry]) return false;
  }
  return true;
}

// can_swapin_thp() of the naturally aligned `nr` PTEs around `va`, under the
// PTL: the first is the fault's entry moved back to the range's start, and
// swap_pte_batch() finds all `nr` (contiguous entries, the same bits and
// swap_cgroup id); the slots' zeromap bits agree (swap_zeromap_batch()); and
// none is cached (non_swapcache_batch(): SWAP_HAS_CACHE, or in the swap
// table a folio). 7.1.5 memory.c:4637-4665; 6.12.94 and 6.18.35 the same.
bool can_swapin_thp(const Kernel& k, const Mm& mm, int va, const Pte& orig, int nr) {
  const int start = va & ~(nr - 1);
  const int first = orig.offset - (va - start);
  if (first <= 0 || first + nr > kMaxSlots) return false;
  const unsigned exclusive = (mm.swp_exclusive >> va) & 1u;
  for (int i = 0; i < nr; ++i) {
    const Offset off = static_cast<Offset>(first + i);
    Pte expected = orig;
    expected.offset = off;
    if (!(mm.pte[start + i] == expected) || ((mm.swp_exclusive >> (start + i)) & 1u) != exclusive ||
        k.si.swap_cgroup[off] != k.si.swap_cgroup[first]) {
      return false;
    }
    const bool cached = swap_table_pins(k) ? k.swap_cache[off] != kNoPage
                                           : (k.si.swap_map[off] & SWAP_HAS_CACHE) != 0;
    if (cached) return false;
  }
  return zeromap_uniform(k, static_cast<Offset>(first), nr);
}

// The PTEs a swap fault maps: do_swap_page() maps every PTE of a large folio
// found in the swap cache when they lie in the VMA's PMD and swap_pte_batch()
// finds them all, from the folio's first address, to be the folio's entries
// in order: pte_same() of the next entry (the exclusive and uffd-wp bits
// included) and one swap_cgroup id (6.12.94 memory.c:4438-4463 and
// internal.h:315; 6.18.35:4846; 7.1.5:4984). Otherwise the fault's one page.
//
// A large folio the skip path read (not in the swap cache, entries from
// `folio_offset`) is mapped whole or not at all: nr 0 is out_nomap (6.12.94
// memory.c:4418-4427, "allocated large folios for SWP_SYNCHRONOUS_IO").
struct SwapinBatch {
  int start_va;
  int nr;
  PageId first_page;
};

SwapinBatch swapin_batch(const Kernel& k, const Mm& mm, int va, PageId page, const Pte& orig,
                         Offset folio_offset) {
  const SwapinBatch one{va, 1, page};
  const PageId folio = page_folio(k, page);
  const Page& p = k.pages[folio];
  if (p.order == 0) return one;
  const SwapinBatch none{va, 0, page};
  const SwapinBatch fallback = p.swapcache ? one : none;
  const int nr = folio_nr_pages(k, folio);
  const int start = va - (page - folio);
  if (start < 0 || start + nr > kMaxVas) return fallback;
  const unsigned exclusive = (mm.swp_exclusive >> va) & 1u;
  const uint8_t cgroup_id = k.si.swap_cgroup[orig.offset];
  for (int i = 0; i < nr; ++i) {
    Pte expected = orig;
    expected.offset = static_cast<Offset>(folio_offset + i);
    if (!(mm.pte[start + i] == expected) || ((mm.swp_exclusive >> (start + i)) & 1u) != exclusive ||
        k.si.swap_cgroup[expected.offset] != cgroup_id) {
      return fallback;
    }
  }
  return {start, nr, folio};
}

}  // namespace

void put_device(Kernel& k, Offset off, bool& si_ref) {
  if (!si_ref) return;
  si_ref = false;
  put_swap_device(k, off);
}

void mm_lock_release(Mm& mm, MmLock lock) {
  if (lock == MmLock::kMmapWrite) {
    mm.mmap_writer = false;  // mmap_write_unlock()
  } else {
    --mm.mmap_readers;  // madvise_unlock() / vma_end_read()
  }
}

void ZapPte(Mm& mm, uint8_t va) {
  mm.pte[va] = Pte{};
  mm.swp_exclusive &= static_cast<uint8_t>(~(1u << va));
  SetLogical(mm, va, 0);  // the next access faults in a zero page
}

namespace {

// The free of a batch's slots, all at a count of 0 and reserved: 6.12.94's
// swap_entry_range_free(), 6.18.35's swap_entries_free().
void FreeSwapRange(Kernel& k, Offset off, int nr) {
  std::array<Offset, kMaxVas> slots{};
  for (int i = 0; i < nr; ++i) slots[i] = static_cast<Offset>(off + i);
  swapcache_free_entries(k, slots.data(), nr);
}

}  // namespace

SwapEntryPut PutSwapEntries(Kernel& k, Cpu& c, Offset off, int nr, bool& si_ref) {
  // free_swap_and_cache_nr() (v6.10; before, free_swap_and_cache() of one
  // entry): under the PTL, get_swap_device(), then the counts go, and if only
  // the cache is left of a slot, its folio is reclaimed in later steps. Since
  // 82b1c07a0af6 it holds the device with get_swap_device() until it is
  // done; before, _swap_info_get() held nothing.
  // v7.0+: swap_put_entries_direct(): get_swap_device() ("WARN_ON_ONCE(!si)"),
  // then swap_put_entries_cluster() [cluster lock]: a count of 1 on a slot
  // without a cached folio frees it at once; any other count drops by one,
  // and a cached slot left at zero is reclaimed next.
  const bool table = swap_table_pins(k);
  const Fn put_fn = table ? Fn::kSwapPutEntriesDirect : Fn::kFreeSwapAndCache;
  if ((table || !k.knob(Knob::kFreeSwapAndCacheNoPin)) && get_swap_device(k, off)) si_ref = true;
  for (Offset slot = off; slot < off + nr; ++slot) {
    if (!slot_allocated(k, slot)) {
      Report(k, Oracle::kSwapCount, put_fn, ObjectKind::kSwapSlot, true,
             "%s of an unused swap offset entry %d", FnName(put_fn).data(), slot);
      return SwapEntryPut::kBadEntry;
    }
  }
  // __swap_entries_free() (6.12.94 swapfile.c:1525) and swap_entries_put_map()
  // (6.18.35:1640): a batch whose slots all hold the same map with a count of
  // 1 (or SWAP_MAP_SHMEM) goes at once ("swap_is_last_map()"): every map becomes SWAP_HAS_CACHE
  // under the cluster lock; without a cached folio the slots are then freed,
  // bypassing the slots cache: 6.12.94 after the cluster lock, under
  // si->lock (a step of its own), 6.18.35 in the same section.
  // A shmem mapping's entries count SWAP_MAP_SHMEM (6.18.35: "count != 1 &&
  // count != SWAP_MAP_SHMEM" falls back; 6.12.94's __swap_entries_free()
  // takes a count of 1 only, but its shmem is not modelled).
  const uint8_t first_count = swap_count(k.si.swap_map[off]);
  if (nr > 1 && !table && (first_count == 1 || first_count == SWAP_MAP_SHMEM)) {
    const uint8_t first = k.si.swap_map[off];
    bool last_map = true;
    for (Offset slot = off + 1; slot < off + nr; ++slot) last_map &= k.si.swap_map[slot] == first;
    if (last_map) {
      for (Offset slot = off; slot < off + nr; ++slot) k.si.swap_map[slot] = SWAP_HAS_CACHE;
      if (first & SWAP_HAS_CACHE) return SwapEntryPut::kReclaim;
      if (k.config.features.swap_batch_freed_after_cluster_lock) return SwapEntryPut::kRangeFree;
      FreeSwapRange(k, off, nr);
      put_device(k, off, si_ref);
      return SwapEntryPut::kDone;
    }
  }
  // The fallback, one slot at a time: "if (count == SWAP_HAS_CACHE ...)" is
  // the usage __swap_entry_free() returned, not the map byte, which a slots
  // cache keeps at SWAP_HAS_CACHE for a freed slot it holds in slots_ret.
  bool only_cache = false;
  for (Offset slot = off; slot < off + nr; ++slot) {
    if (swap_free(k, c, slot, table ? Fn::kSwapPutEntriesDirect : Fn::kSwapFree) ==
        SWAP_HAS_CACHE) {
      only_cache = true;
    }
  }
  if (only_cache) return SwapEntryPut::kReclaim;
  put_device(k, off, si_ref);
  return SwapEntryPut::kDone;
}

bool TryReclaimSwapEntry(Kernel& k, Cpu& c, Frame& f, uint8_t resume_pc, int& nr) {
  if (k.config.features.try_to_reclaim_swap_retries) {
    // v6.15+: __try_to_reclaim_swap(si, offset, TTRS_UNMAPPED | TTRS_FULL)
    // looks the folio up and trylocks it in steps of its own.
    // free_swap_and_cache_nr() calls it only if "READ_ONCE(
    // si->swap_map[offset]) == SWAP_HAS_CACHE" still; 7.1.5's
    // swap_put_entries_cluster() calls it for every slot of the range.
    Call<Fn::kTryToReclaimSwap>(c, f, resume_pc, f.offset, kNoPage,
                                {.only_if_cached = !swap_table_pins(k)});
    return true;
  }
  // Up to v6.14: __try_to_reclaim_swap(si, offset, TTRS_UNMAPPED |
  // TTRS_FULL) looks the offset up in the swap cache and trylocks the folio,
  // without a retry (one step here); before v6.10,
  // swap_page_trans_huge_swapped() read swap_map first.
  Emit(k, c, StepId::kZapTryReclaim, f.offset, k.swap_cache[f.offset]);
  nr = 0;
  if (!swap_device_live(k, f.offset, Fn::kFreeSwapAndCache)) return false;
  const PageId cached = k.swap_cache[f.offset];
  if (cached != kNoPage) {
    get_page(k, cached, Fn::kFreeSwapAndCache);
    nr = -folio_nr_pages(k, cached);
    if (trylock_page(k, c, cached)) {
      if ((folio_mapcount(k, cached) == 0 || vm_swap_full(k)) && try_to_free_swap(k, c, cached)) {
        nr = -nr;
      }
      unlock_page(k, cached, Fn::kFreeSwapAndCache);
    }
    put_page(k, cached, Fn::kFreeSwapAndCache);
  }
  return false;
}

StepResult user_access(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_user_access(SWAPFUZZ_STATE_ENUMERATOR) };
  const UserAccessLocals& l = Locals<Fn::kUserAccess>(f);
  Mm& mm = k.mms[c.mm];
  // do_anonymous_page()'s write: under the PTL, the new folio is mapped if
  // the PTE is still none.
  auto install_anon = [&](PageId id) {
    Emit(k, c, StepId::kAnonInstall, kNoOffset, id);
    if (id == kNoPage) return;
    if (mm.pte[f.va].kind == Pte::Kind::kNone) {
      Page& p = k.pages[id];
      p.swapbacked = true;
      p.uptodate = true;
      p.lru = true;
      p.mapcount = 1;
      p.anon_exclusive = true;  // page_add_new_anon_rmap()
      p.index = static_cast<int8_t>(f.va);
      mm.pte[f.va] = Pte{Pte::Kind::kPresent, true, id, kNoOffset};
    } else {
      put_page(k, id, Fn::kDoAnonymousPage);
    }
  };
  // do_anonymous_page() with a large folio: under the PTL, if the folio's
  // range is still pte_none (it is: the allocation and this are one step),
  // "folio_ref_add(folio, nr_pages - 1)", folio_add_new_anon_rmap() of every
  // page (RMAP_EXCLUSIVE), folio_add_lru_vma(), set_ptes() writable.
  auto install_anon_folio = [&](PageId folio) {
    const int nr = folio_nr_pages(k, folio);
    Emit(k, c, StepId::kAnonLargeInstall, kNoOffset, folio, static_cast<Token>(nr));
    Page& head = k.pages[folio];
    head.swapbacked = true;
    head.uptodate = true;
    head.lru = true;
    head.refcount = static_cast<int16_t>(nr);
    for (int i = 0; i < nr; ++i) {
      Page& sub = k.pages[folio + i];
      const int va = head.index + i;
      sub.mapcount = 1;
      sub.anon_exclusive = true;
      sub.index = static_cast<int8_t>(va);
      mm.pte[va] = Pte{Pte::Kind::kPresent, true, static_cast<PageId>(folio + i), kNoOffset};
    }
  };
  switch (f.pc) {
    case kAccess: {
      const Pte pte = l.shmem ? mm.shmem_pte[f.va] : mm.pte[f.va];
      if (l.shmem && pte.kind == Pte::Kind::kPresent) {
        // The file's shared mapping: its PTEs are writable.
        Page& p = page_checked(k, pte.page, Fn::kUserAccess);
        if (l.write) {
          const Op& op = c.program[c.op_index];
          const Token value =
              op.value != 0 ? op.value : (static_cast<Token>(c.tid) << 32) | ++c.write_seq;
          Emit(k, c, StepId::kUserWrite, kNoOffset, pte.page, value);
          p.data = value;
          k.pages[page_folio(k, pte.page)].dirty = true;
          SetFileValue(k.shmem, f.va, value);
        } else {
          // What it reads is judged after each step: the PTE maps the
          // file's page at the index (model/oracles.h), which holds the
          // file's data there.
          Emit(k, c, StepId::kUserRead, kNoOffset, pte.page, p.data);
        }
        return Finish(c, 0);
      }
      if (pte.kind == Pte::Kind::kPresent && (!l.write || pte.writable)) {
        if (l.write) {
          // A write stores the op's value or a fresh token; write_zero a zero
          // page's worth of zeros (memset()).
          const Op& op = c.program[c.op_index];
          Token value = 0;
          if (!l.zero) {
            value = op.value != 0 ? op.value : (static_cast<Token>(c.tid) << 32) | ++c.write_seq;
          }
          Page& p = page_checked(k, pte.page, Fn::kUserAccess);
          Emit(k, c, StepId::kUserWrite, kNoOffset, pte.page, value);
          p.data = value;
          k.pages[page_folio(k, pte.page)].dirty = true;  // the folio's PG_dirty
          SetLogical(mm, f.va, value);
        } else {
          Emit(k, c, StepId::kUserRead, kNoOffset, pte.page,
               pte.page == kZeroPage ? 0 : k.pages[pte.page].data);
          if (pte.page != kZeroPage) page_checked(k, pte.page, Fn::kUserAccess);
          CheckInstalledData(k, c, f.va, pte.page, Fn::kUserAccess);
        }
        return Finish(c, 0);
      }
      // The access faults: handle_mm_fault() under mmap_read_lock().
      if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
      if (++c.retries > k.config.max_retries) {
        Report(k, Oracle::kLiveness, Fn::kHandlePteFault, ObjectKind::kMm, true,
               "mm %d va %d: the fault was retried %d times", c.mm, f.va, c.retries - 1);
      }
      ++mm.mmap_readers;
      Emit(k, c, StepId::kFault, pte.offset, pte.page, l.write);
      if (l.shmem) {  // a none PTE of the file's VMA: do_fault()
        Call<Fn::kDoFault>(c, f, kAfterFault, kNoOffset, kNoPage,
                           {.write = l.write, .tried = l.tried});
        return StepResult::kStep;
      }
      switch (pte.kind) {
        case Pte::Kind::kNone:
          f.pc = kAnonymous;
          return StepResult::kStep;
        case Pte::Kind::kSwap:
          Call<Fn::kDoSwapPage>(c, f, kAfterFault, pte.offset, kNoPage,
                                {.orig_pte = pte, .write = l.write});
          return StepResult::kStep;
        case Pte::Kind::kPresent:
          Call<Fn::kDoWpPage>(c, f, kAfterFault, kNoOffset, pte.page, {.orig_pte = pte});
          return StepResult::kStep;
      }
      return StepResult::kStep;
    }
    case kAnonymous: {
      // do_anonymous_page(): a read maps the shared zero page; a write gets a
      // new zeroed page. Either only if the PTE is still none.
      if (!l.write) {
        Emit(k, c, StepId::kAnonZeroPage, kNoOffset, kZeroPage);
        if (mm.pte[f.va].kind == Pte::Kind::kNone) {
          mm.pte[f.va] = Pte{Pte::Kind::kPresent, false, kZeroPage, kNoOffset};
        }
      } else if (const PageId folio = alloc_anon_folio(k, mm, f.va, c.mm); folio != kNoPage) {
        install_anon_folio(folio);
      } else {
        const PageId id = alloc_page(k);
        // alloc_anon_folio(): mem_cgroup_charge(folio, vma->vm_mm, gfp); over
        // memory.max, try_charge_memcg() reclaims in steps of its own.
        const uint8_t memcg = get_mem_cgroup_from_mm(k, c.mm);
        if (id != kNoPage && !charge_memcg(k, id, memcg)) {
          f.page = id;
          return Call<Fn::kTryChargeMemcg>(c, f, kAnonCharged, kNoOffset, id, {.memcg = memcg});
        }
        install_anon(id);
      }
      mmap_read_unlock(k, c);
      f.pc = kAccess;
      return StepResult::kStep;
    }
    case kAnonCharged:
      if (c.ret != 0) {
        // "if (mem_cgroup_charge(folio, vma->vm_mm, gfp)) { folio_put(folio);
        // ... }": VM_FAULT_OOM. The memcg OOM killer would kill a task of
        // the memcg; the model has none, and gives the access up instead.
        Emit(k, c, StepId::kAnonChargeOom, kNoOffset, f.page, l.write);
        put_page(k, f.page, Fn::kDoAnonymousPage);
        mmap_read_unlock(k, c);
        return Finish(c, 0);
      }
      install_anon(f.page);
      mmap_read_unlock(k, c);
      f.pc = kAccess;
      return StepResult::kStep;
    case kAfterFault:
      // VM_FAULT_RETRY from shmem_falloc_wait() released mmap_lock; the
      // retry is FAULT_FLAG_TRIED.
      Locals<Fn::kUserAccess>(f).tried = c.ret == kVmFaultRetry;
      if (c.ret != kVmFaultRetry) mmap_read_unlock(k, c);
      if (c.ret == kVmFaultOom) return Return(c, 0);  // as kAnonCharged gives it up
      f.pc = kAccess;
      return StepResult::kContinue;
  }
  return StepResult::kStep;
}

void zap_file_ptes(Kernel& k, Mm& mm, int first, int nr, PageId single_folio, Fn fn) {
  for (int index = first; mm.alive && index < first + nr; ++index) {
    const Pte pte = mm.shmem_pte[index];
    if (pte.kind != Pte::Kind::kPresent) continue;
    const PageId folio = page_folio(k, pte.page);
    if (single_folio != kNoPage && folio != single_folio) continue;
    mm.shmem_pte[index] = Pte{};
    --k.pages[pte.page].mapcount;
    put_page(k, folio, fn);
  }
}

void unmap_mapping_folio(Kernel& k, PageId folio, Fn fn) {
  const int first = k.pages[folio].shmem_index, nr = folio_nr_pages(k, folio);
  for (Mm& mm : k.mms) zap_file_ptes(k, mm, first, nr, folio, fn);
}

StepResult do_fault(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_do_fault(SWAPFUZZ_STATE_ENUMERATOR) };
  DoFaultLocals& l = Locals<Fn::kDoFault>(f);
  Mm& mm = k.mms[c.mm];
  // set_pte_range() of `nr` pages of `folio` from page index `index`:
  // folio_add_file_rmap_ptes(), writable PTEs.
  auto map_pages = [&](PageId folio, int index, int nr) {
    for (int i = index; i < index + nr; ++i) {
      const PageId page = static_cast<PageId>(folio + (i & (folio_nr_pages(k, folio) - 1)));
      mm.shmem_pte[i] = Pte{Pte::Kind::kPresent, true, page, kNoOffset};
      ++k.pages[page].mapcount;
    }
  };
  switch (f.pc) {
    case kAround: {
      if (l.write) {
        f.pc = kFault;
        return StepResult::kContinue;
      }
      // do_fault_around() -> filemap_map_pages(): next_uptodate_folio() of
      // each folio from the VMA's first index, then filemap_map_folio_range()
      // or filemap_map_order0_folio() of its none PTEs; the fault's own page
      // mapped is VM_FAULT_NOPAGE.
      // "end_pgoff = min(end_pgoff, file_end)" (filemap.c:3892) and
      // next_uptodate_folio()'s "if (xas->xa_index >= max_idx) goto unlock"
      // (3730), with i_size read: a folio that begins past EOF is not
      // mapped, but a shmem folio across it is, whole.
      Emit(k, c, StepId::kFilemapMapPages, kNoOffset, kNoPage);
      for (int index = 0; index < k.shmem.i_size;) {
        const ShmemEntry e = k.shmem.i_pages[index];
        if (e.kind != ShmemEntry::Kind::kFolio) {
          ++index;
          continue;
        }
        const int nr = 1 << e.order, base = index & ~(nr - 1);
        index = base + nr;
        const Page& p = k.pages[e.folio];
        if (p.locked || !p.uptodate || p.readahead || p.shmem_index != base) continue;
        int mapped = 0;
        for (int i = base; i < base + nr; ++i) {
          if (mm.shmem_pte[i].kind != Pte::Kind::kNone) continue;
          map_pages(e.folio, i, 1);
          ++mapped;
        }
        k.pages[e.folio].refcount = static_cast<int16_t>(p.refcount + mapped);
      }
      if (mm.shmem_pte[f.va].kind != Pte::Kind::kNone) return Finish(c, 0);
      f.pc = kFault;
      return StepResult::kStep;
    }
    case kFault:
      return Call<Fn::kShmemFault>(c, f, kAfterFault, kNoOffset, kNoPage, {.tried = l.tried});
    case kAfterFault:
      if (c.ret == kVmFaultRetry) return Return(c, kVmFaultRetry);
      if (c.ret == -ENOMEM) return Return(c, kVmFaultOom);  // vmf_error()
      // vmf_error(-EINVAL): VM_FAULT_SIGBUS for an index past i_size, as
      // mmap(2) promises; the access ends, as it does on VM_FAULT_OOM.
      if (c.ret == kEinvalPastEof) return Return(c, kVmFaultOom);
      if (c.ret < 0) {
        // vmf_error(): VM_FAULT_SIGBUS. Inside i_size, only an entry whose
        // swap device is gone (-EINVAL) or a swapped-in folio left
        // !uptodate (-EIO: a large read that met mixed zeromap bits) gets
        // here from shmem_swapin_folio(): either way the task loses the
        // file's data at the index.
        Report(k, Oracle::kDataIntegrity, Fn::kShmemFault, ObjectKind::kShmemFile, true,
               "a fault on shmem index %d in mm %d gets SIGBUS (shmem_get_folio_gfp() "
               "returned %d)", f.va, c.mm, c.ret);
        return Return(c, kVmFaultOom);
      }
      if (c.ret_page == kNoPage) return Return(c, 0);  // VM_FAULT_NOPAGE
      f.page = c.ret_page;  // locked, with the fault's reference
      return GoTo(k, f, kFinish);
    case kFinish: {
      const int nr = folio_nr_pages(k, f.page);
      const int base = k.pages[f.page].shmem_index;
      Emit(k, c, StepId::kFinishFaultMap, kNoOffset, f.page, static_cast<Token>(l.fallback));
      if (nr > 1 && !l.fallback) {
        bool none = true;
        for (int i = base; i < base + nr; ++i) none &= mm.shmem_pte[i].kind == Pte::Kind::kNone;
        if (!none) {  // "needs_fallback = true; pte_unmap_unlock(); goto fallback"
          l.fallback = true;
          return StepResult::kStep;
        }
        map_pages(f.page, base, nr);
        k.pages[f.page].refcount = static_cast<int16_t>(k.pages[f.page].refcount + nr - 1);
        l.mapped = true;
      } else if (mm.shmem_pte[f.va].kind == Pte::Kind::kNone) {
        map_pages(f.page, f.va, 1);
        l.mapped = true;
      }
      f.pc = kUnlock;
      return StepResult::kStep;
    }
    case kUnlock: {
      Page& p = page_checked(k, f.page, l.write ? Fn::kDoSharedFault : Fn::kDoReadFault);
      // do_shared_fault(): fault_dirty_shared_page() of a mapped folio, or
      // the unlock and put of one finish_fault() did not map;
      // do_read_fault(): the unlock, and the put unless mapped.
      const StepId step = !l.write    ? StepId::kDoReadFaultUnlock
                          : l.mapped ? StepId::kDoSharedFaultDirty
                                     : StepId::kDoSharedFaultNoPage;
      Emit(k, c, step, kNoOffset, f.page, static_cast<Token>(l.mapped));
      if (l.write && l.mapped) p.dirty = true;  // folio_mark_dirty()
      unlock_page(k, f.page, Fn::kDoFault);
      if (!l.mapped) put_page(k, f.page, Fn::kDoFault);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

StepResult do_wp_page(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_do_wp_page(SWAPFUZZ_STATE_ENUMERATOR) };
  DoWpPageLocals& l = Locals<Fn::kDoWpPage>(f);
  Mm& mm = k.mms[c.mm];
  switch (f.pc) {
    case kReuseOrCopy: {
      // Entered from handle_pte_fault() with the PTL held.
      if (!(mm.pte[f.va] == l.orig_pte)) {
        Emit(k, c, StepId::kWpCopyAbort, kNoOffset, f.page);
        return Finish(c, 0);
      }
      if (f.page != kZeroPage) {
        Page& p = page_checked(k, f.page, Fn::kDoWpPage);
        bool reuse = false;
        if (k.config.features.anon_exclusive) {
          // v6.x: an exclusive anon page is reused in place, swap cache or
          // not (PageAnonExclusive() of the page); otherwise
          // wp_can_reuse_anon_folio(): no reference beyond the swap cache's,
          // which folio_free_swap() drops under the folio lock. The model
          // copies a page of a large folio that is not exclusive (the
          // kernel's large-folio test of the mapcount is not modelled).
          reuse = p.anon_exclusive;
          if (!reuse && p.head == kNoPage && p.order == 0 &&
              p.refcount <= 1 + (p.swapcache ? 1 : 0) && trylock_page(k, c, f.page)) {
            if (p.swapcache) try_to_free_swap(k, c, f.page);
            reuse = p.refcount == 1;
            unlock_page(k, f.page, Fn::kDoWpPage);
          }
        } else {
          // v5.16: reuse only if we hold the only reference and mapping.
          reuse = p.refcount == 1 && !p.locked && p.mapcount == 1;
        }
        if (reuse) {
          Emit(k, c, StepId::kWpReuse, kNoOffset, f.page);
          mm.pte[f.va].writable = true;
          p.anon_exclusive = true;
          return Finish(c, 0);
        }
        get_page(k, f.page, Fn::kDoWpPage);
      }
      Emit(k, c, StepId::kWpCopyStart, kNoOffset, f.page);
      f.pc = kCopyData;
      return StepResult::kStep;
    }
    case kCopyData: {
      // wp_page_copy(): allocate and copy without the PTL.
      if (!l.charged) {
        l.new_page = alloc_page(k);
        // "if (mem_cgroup_charge(new_folio, mm, GFP_KERNEL)) goto
        // oom_free_new;" - over memory.max, try_charge_memcg() reclaims first.
        const uint8_t memcg = get_mem_cgroup_from_mm(k, c.mm);
        if (l.new_page != kNoPage && !charge_memcg(k, l.new_page, memcg)) {
          return Call<Fn::kTryChargeMemcg>(c, f, kCopyCharged, kNoOffset, l.new_page,
                                           {.memcg = memcg});
        }
      }
      Emit(k, c, StepId::kWpCopyData, kNoOffset, l.new_page);
      if (l.new_page != kNoPage) {
        Page& n = k.pages[l.new_page];
        n.data = f.page == kZeroPage ? 0 : page_checked(k, f.page, Fn::kDoWpPage).data;
        n.uptodate = true;
        n.swapbacked = true;
        f.pc = kInstall;
      } else {
        l.page_copied = false;
        f.pc = kFreeOld;
      }
      return StepResult::kStep;
    }
    case kInstall: {
      if (!(mm.pte[f.va] == l.orig_pte)) {
        Emit(k, c, StepId::kWpCopyAbort, kNoOffset, l.new_page);
        put_page(k, l.new_page, Fn::kDoWpPage);
        l.page_copied = false;
      } else {
        Emit(k, c, StepId::kWpCopyInstall, kNoOffset, l.new_page, k.pages[l.new_page].data);
        Page& n = k.pages[l.new_page];
        n.mapcount = 1;
        n.lru = true;
        n.dirty = true;
        n.anon_exclusive = true;
        n.index = static_cast<int8_t>(f.va);  // folio_add_new_anon_rmap()
        mm.pte[f.va] = Pte{Pte::Kind::kPresent, true, l.new_page, kNoOffset};
        if (f.page != kZeroPage) {
          folio_remove_rmap_pte(k, f.page, Fn::kDoWpPage);
          put_page(k, f.page, Fn::kDoWpPage);                 // the mapping's reference
        }
        l.page_copied = true;
      }
      f.pc = kFreeOld;
      return StepResult::kStep;
    }
    case kCopyCharged:
      if (c.ret != 0) {
        // oom_free_new: folio_put(new_folio); oom: folio_put(old_folio);
        // VM_FAULT_OOM.
        Emit(k, c, StepId::kWpChargeOom, kNoOffset, l.new_page);
        put_page(k, l.new_page, Fn::kDoWpPage);
        if (f.page != kZeroPage) put_page(k, f.page, Fn::kDoWpPage);
        return Finish(c, kVmFaultOom);
      }
      f.pc = kCopyData;
      l.charged = true;
      return StepResult::kContinue;
    case kFreeOld: {
      if (f.page == kZeroPage) return Return(c, 0);
      Emit(k, c, StepId::kWpFreeOld, kNoOffset, f.page);
      const PageId folio = page_folio(k, f.page);
      Page& p = page_checked(k, folio, Fn::kDoWpPage);
      // free_swap_cache() after a copy (f4c4a3f48480, "free idle swap cache
      // page after COW").
      if (l.page_copied && p.swapcache && folio_mapcount(k, folio) == 0 &&
          trylock_page(k, c, folio)) {
        try_to_free_swap(k, c, folio);
        unlock_page(k, folio, Fn::kFreeSwapCache);
      }
      put_page(k, folio, Fn::kDoWpPage);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

StepResult do_swap_page(Kernel& k, Cpu& c, Frame& f) {
  // Frame: offset = the entry, page = the page to map.
  enum : uint8_t { SWAPFUZZ_STATES_do_swap_page(SWAPFUZZ_STATE_ENUMERATOR) };
  DoSwapPageLocals& l = Locals<Fn::kDoSwapPage>(f);
  Mm& mm = k.mms[c.mm];
  // alloc_swap_folio()'s fallback to an order-0 folio: 7.1.5's
  // swapin_folio() allocates and inserts it; 6.12's and 6.18's skip path
  // pins the entry first.
  auto swapin_order0 = [&] {
    if (swap_table_pins(k)) {
      Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterReadahead, f.offset, kNoPage,
                                     {.read = true, .lookup = false});
      return StepResult::kStep;
    }
    f.pc = kPin;
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kLookup: {
      // get_swap_device() (v5.14+, 2799e77529c2), then lookup_swap_cache().
      // Nothing between them can change what the lookup sees, so they are
      // one step. Before 2799e77529c2 the fault holds no reference; the
      // lookup pins the device only while it looks.
      if (!k.knob(Knob::kDoSwapPageNoPin)) {
        if (!get_swap_device(k, f.offset)) {
          Emit(k, c, StepId::kGetSwapDeviceFail, f.offset, kNoPage);
          return Finish(c, 0);
        }
        l.si_ref = true;
      }
      const SwapDevice& si = swap_entry_to_info(k, f.offset);
      const PageId cached = si.active && !si.users_dead ? k.swap_cache[f.offset] : kNoPage;
      // v7.0+: swap_cache_get_folio(), an RCU lookup of the swap table.
      const bool table = swap_table_pins(k);
      Emit(k, c, table ? StepId::kCacheGetFolio : StepId::kLookupSwapCache, f.offset, cached);
      if (cached != kNoPage) {
        get_page(k, cached, table ? Fn::kSwapCacheGetFolio : Fn::kLookupSwapCache);
        // "if (folio) swap_update_readahead(folio, vma, vmf->address);"
        // (6.18.35, 7.1.5; 6.12.94 does it inside swap_cache_get_folio()).
        swap_update_readahead(k, mm, cached, f.va);
        f.page = l.swapcache = cached;
        f.pc = kLockPage;
      } else if (table) {
        // No skip path: a SWP_SYNCHRONOUS_IO device reads through the swap
        // cache too. alloc_swap_folio(), then swapin_folio() adds the folio
        // and reads it (swap_cache_alloc_folio()'s add, without its lookup);
        // other devices go through swapin_readahead().
        if (si.sync_io && large_swapin_enabled(k, mm)) {
          f.pc = kCanSwapinThp;  // alloc_swap_folio()
        } else if (si.sync_io) {
          Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterReadahead, f.offset, kNoPage,
                                         {.read = true, .lookup = false});
        } else {
          Call<Fn::kSwapinReadahead>(c, f, kAfterReadahead, f.offset, kNoPage, {.mm = c.mm});
        }
      } else {
        f.pc = kSkipCheck;
      }
      return StepResult::kStep;
    }
    case kSkipCheck: {
      // data_race(si->flags & SWP_SYNCHRONOUS_IO) && __swap_count(entry) == 1
      // (__swap_count() of v5.13 pins the device itself: 0 once it is dying).
      const SwapDevice& si = swap_entry_to_info(k, f.offset);
      const bool dying = !si.active || si.users_dead;
      const bool skip = si.sync_io && !dying && swap_count(k.si.swap_map[f.offset]) == 1;
      Emit(k, c, StepId::kSkipCheck, f.offset, kNoPage, skip);
      if (!skip) {
        Call<Fn::kSwapinReadahead>(c, f, kAfterReadahead, f.offset, kNoPage, {.mm = c.mm});
        return StepResult::kStep;
      }
      if (!k.knob(Knob::kSkipSwapcacheUnpinned)) {
        f.pc = large_swapin_enabled(k, mm) ? kCanSwapinThp : kPin;  // alloc_swap_folio()
        return StepResult::kStep;
      }
      f.pc = kSkipRead;  // skip the swap cache, unpinned (before 13ddaf26be32)
      return StepResult::kContinue;
    }
    case kCanSwapinThp: {
      // alloc_swap_folio(): thp_swap_suitable_orders() keeps the orders
      // whose size divides the entry's offset and the address alike; under
      // the PTL, the highest of them that can_swapin_thp() accepts.
      l.order = 0;
      for (int order = k.config.mthp_order; order > 0 && l.order == 0; --order) {
        const int nr = 1 << order;
        if (f.offset % nr == f.va % nr && can_swapin_thp(k, mm, f.va, l.orig_pte, nr)) {
          l.order = static_cast<uint8_t>(order);
        }
      }
      Emit(k, c, StepId::kCanSwapinThp, f.offset, kNoPage, l.order);
      if (l.order > 0) {
        f.pc = kAllocSwapFolio;
        return StepResult::kStep;
      }
      return swapin_order0();  // fallback: __alloc_swap_folio()
    }
    case kAllocSwapFolio: {
      // With the PTL dropped: vma_alloc_folio() of the order, and
      // mem_cgroup_swapin_charge_folio(folio, vma->vm_mm, gfp, entry) before
      // anything pins the range; a charge over memory.max fails, and the
      // next lower order is tried, then __alloc_swap_folio() (order 0).
      // do_swap_page() then sets the folio locked and swap-backed, and
      // swapin_folio() (7.1.5) inserts it at the entry rounded down to its
      // size.
      f.page = kNoPage;
      for (; l.order > 0; --l.order) {
        f.page = alloc_folio(k, l.order);
        if (f.page == kNoPage) break;  // out of frames: the run stops without a verdict
        // mem_cgroup_swapin_charge_folio() with vma_thp_gfp_mask(), which
        // does not reclaim: charge_memcg()'s one try, to the memcg the
        // entry's swap_cgroup record names.
        if (charge_memcg(k, f.page, swapin_charge_memcg(k, f.offset, c.mm))) break;
        put_page(k, f.page, Fn::kAllocSwapFolio);
        f.page = kNoPage;
      }
      const int nr = 1 << l.order;
      const Offset entry = static_cast<Offset>(f.offset & ~(nr - 1));
      Emit(k, c, StepId::kAllocSwapFolioLarge, entry, f.page, static_cast<Token>(nr));
      if (k.out_of_frames) {
        put_device(k, f.offset, l.si_ref);
        return Finish(c, 0);
      }
      if (l.order == 0) return swapin_order0();  // fallback: __alloc_swap_folio()
      Page& p = k.pages[f.page];
      p.locked = true;  // __folio_set_locked()
      p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      p.swapbacked = true;
      if (swap_table_pins(k)) {
        Call<Fn::kSwapCacheAllocFolio>(c, f, kAfterReadahead, entry, f.page,
                                       {.read = true, .lookup = false});
        return StepResult::kStep;
      }
      f.pc = kPin;
      return StepResult::kStep;
    }
    case kPin: {
      // 13ddaf26be32: swapcache_prepare() pins the entry before the read; a
      // large folio's whole range, or nothing.
      const int nr = 1 << l.order;
      const Offset entry = static_cast<Offset>(f.offset & ~(nr - 1));
      if (swapcache_prepare(k, entry, nr) != 0) {
        Emit(k, c, StepId::kSkipPinBusy, entry, kNoPage);
        if (l.order > 0) {  // out_page: folio_unlock(); out_release: folio_put()
          unlock_page(k, f.page, Fn::kDoSwapPage);
          put_page(k, f.page, Fn::kDoSwapPage);
        }
        put_device(k, f.offset, l.si_ref);
        Return(c, 0);
        return Yield(k, c);  // schedule_timeout_uninterruptible(1); retry the fault
      }
      // The fix swapfuzz proposes (large_swapin_zeromap_unpinned cleared):
      // with the range pinned, its zeromap bits are stable; test them again,
      // and back out as from a lost race if they no longer agree.
      if (l.order > 0 && !k.knob(Knob::kLargeSwapinZeromapUnpinned) &&
          !zeromap_uniform(k, entry, nr)) {
        Emit(k, c, StepId::kSkipPinZeromapChanged, entry, f.page);
        swapcache_clear(k, c, entry, nr);
        unlock_page(k, f.page, Fn::kDoSwapPage);
        put_page(k, f.page, Fn::kDoSwapPage);
        put_device(k, f.offset, l.si_ref);
        return Finish(c, 0);  // the access faults again
      }
      Emit(k, c, StepId::kSkipPin, entry, kNoPage);
      l.need_clear_cache = true;
      f.pc = kSkipRead;
      return StepResult::kContinue;
    }
    case kSkipRead: {
      // Skip the swap cache: read into a private page (the pin, if any, is
      // held), in the step of the check or the pin. A large folio was
      // allocated, charged and locked by alloc_swap_folio().
      l.swapcache = kNoPage;
      const Offset entry = static_cast<Offset>(f.offset & ~((1 << l.order) - 1));
      if (l.order == 0) {
        f.page = alloc_page(k);
        if (f.page == kNoPage) {
          c.ret_page = kNoPage;
          f.pc = kAfterReadahead;
          return StepResult::kStep;
        }
        // alloc_swap_folio(): mem_cgroup_swapin_charge_folio(folio,
        // vma->vm_mm, GFP_KERNEL, entry).
        mem_cgroup_swapin_charge_folio(k, f.page, c.mm, f.offset);
        Page& p = k.pages[f.page];
        p.locked = true;  // __SetPageLocked()
        p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
        p.swapbacked = true;
      }
      k.pages[f.page].private_offset = entry;  // "To provide entry to swap_readpage()"
      Call<Fn::kSwapReadpage>(c, f, kAfterSkipRead, entry, f.page);
      return StepResult::kStep;
    }
    case kAfterSkipRead:
      k.pages[f.page].private_offset = kNoOffset;  // set_page_private(page, 0)
      f.pc = kLockPage;
      return StepResult::kContinue;
    case kAfterReadahead:
      f.page = l.swapcache = c.ret_page;
      if (f.page != kNoPage) {
        f.pc = kLockPage;
        return StepResult::kContinue;
      }
      // No page: the entry was freed under us, or no memory. [PTL] pte_same
      // -> VM_FAULT_OOM; out: "if (need_clear_cache) swapcache_clear()".
      Emit(k, c, StepId::kDoSwapPageOom, f.offset, kNoPage);
      if (l.need_clear_cache) {
        swapcache_clear(k, c, static_cast<Offset>(f.offset & ~((1 << l.order) - 1)), 1 << l.order);
      }
      put_device(k, f.offset, l.si_ref);
      return Finish(c, 0);
    case kLockPage: {
      // lock_page(): sleeps while another context holds it.
      Page& p = page_checked(k, f.page, Fn::kDoSwapPage);
      if (!trylock_page(k, c, f.page)) return Block(c, Wait::Kind::kPageLock, f.page);
      Emit(k, c, StepId::kLockPage, f.offset, f.page);
      // The page lock keeps PageSwapCache and page_private stable, so the
      // recheck is part of this step.
      if (l.swapcache != kNoPage && !folio_matches_swap_entry(k, f.page, f.offset)) {
        // out_page; v7.0+ first "if (folio_test_swapcache(folio))
        // folio_free_swap(folio)", whichever slot the folio now caches.
        if (swap_table_pins(k) && p.swapcache) try_to_free_swap(k, c, f.page);
        unlock_page(k, f.page, Fn::kDoSwapPage);
        put_page(k, f.page, Fn::kDoSwapPage);
        put_device(k, f.offset, l.si_ref);
        return Finish(c, 0);
      }
      f.pc = kInstallPte;
      return StepResult::kStep;
    }
    case kInstallPte: {
      Pte& pte = mm.pte[f.va];
      Page& p = page_checked(k, f.page, Fn::kDoSwapPage);
      // The page of the folio that holds the entry: a large folio found in
      // the swap cache holds it at "folio_page_idx(folio, page)".
      const Offset folio_offset = l.swapcache != kNoPage
                                      ? p.private_offset
                                      : static_cast<Offset>(f.offset & ~((1 << l.order) - 1));
      const PageId page = static_cast<PageId>(f.page + (f.offset - folio_offset));
      if (!(pte == l.orig_pte)) {  // out_nomap
        Emit(k, c, StepId::kPteChanged, f.offset, f.page);
        // v7.0+: "if (folio_test_swapcache(folio)) folio_free_swap(folio)".
        if (swap_table_pins(k) && p.swapcache) try_to_free_swap(k, c, f.page);
        unlock_page(k, f.page, Fn::kDoSwapPage);
        put_page(k, f.page, Fn::kDoSwapPage);
      } else if (const SwapinBatch batch =
                     swapin_batch(k, mm, f.va, page, l.orig_pte, folio_offset);
                 batch.nr == 0) {
        // A large folio the skip path read: "if (unlikely(!folio_test_uptodate(
        // folio))) { ret = VM_FAULT_SIGBUS; goto out_nomap; }", then the
        // range's PTEs must still be its entries, or out_nomap.
        Emit(k, c, StepId::kLargeSwapinNoBatch, f.offset, f.page, p.uptodate);
        if (!p.uptodate) ReportSigbus(k, f.page);
        unlock_page(k, f.page, Fn::kDoSwapPage);
        put_page(k, f.page, Fn::kDoSwapPage);
      } else if (swap_table_pins(k) && p.order > 0 && p.index == kNoIndex &&
                 batch.nr != folio_nr_pages(k, f.page)) {
        // 7.1.5 (memory.c:5035): a large folio not yet anonymous (read in
        // by swapin_folio(), never mapped) that cannot be mapped whole "is
        // free[d] and fallback": "if (!WARN_ON_ONCE(folio_test_dirty(folio)))
        // swap_cache_del_folio(folio); goto out_nomap;", after the uptodate
        // test.
        Emit(k, c, StepId::kLargeSwapinNotMappableWhole, f.offset, f.page, batch.nr);
        if (!p.uptodate) ReportSigbus(k, f.page);
        if (!p.dirty && p.swapcache) delete_from_swap_cache(k, c, f.page);
        unlock_page(k, f.page, Fn::kDoSwapPage);
        put_page(k, f.page, Fn::kDoSwapPage);
      } else {
        const bool table = swap_table_pins(k);
        Emit(k, c, table ? StepId::kPteSameInstallPut : StepId::kPteSameInstall, f.offset,
             f.page, k.pages[page].data);
        if (!p.uptodate) ReportSigbus(k, f.page);
        // The PTEs this fault maps: the one, or every PTE of a large folio
        // when swap_pte_batch() covers it (batch, above).
        const Offset first_offset = static_cast<Offset>(f.offset - (page - batch.first_page));
        // Maps page i of the batch at its address, with the lookup's
        // reference or one folio_ref_add() took for it.
        auto map_batch = [&](bool writable, bool exclusive) {
          for (int i = 0; i < batch.nr; ++i) {
            const int va = batch.start_va + i;
            const PageId sub = static_cast<PageId>(batch.first_page + i);
            mm.swp_exclusive &= static_cast<uint8_t>(~(1u << va));
            mm.pte[va] = Pte{Pte::Kind::kPresent, writable, sub, kNoOffset};
            Page& sp = k.pages[sub];
            if (exclusive) sp.anon_exclusive = true;
            ++sp.mapcount;
            folio_add_anon_rmap(k, sub, va, Fn::kDoSwapPage);
          }
          p.refcount = static_cast<int16_t>(p.refcount + batch.nr - 1);
        };
        auto check_batch = [&] {
          for (int i = 0; i < batch.nr; ++i) {
            CheckInstalledData(k, c, static_cast<uint8_t>(batch.start_va + i),
                               static_cast<PageId>(batch.first_page + i), Fn::kDoSwapPage);
          }
        };
        // should_try_to_free_swap()'s "folio_ref_count(folio) == (1 +
        // folio_nr_pages(folio))": the lookup's reference and the cache's,
        // read before folio_ref_add() adds those of the other PTEs.
        const int nr_pages = folio_nr_pages(k, f.page);
        if (table) {
          // v7.0+ (4b34f1d82c65): the folio stays in the swap cache while it
          // is mapped, so exclusivity comes from the swap PTE alone (the
          // cache's reference keeps folio_ref_count() above 1);
          // folio_put_swap() drops the PTE's count without freeing the slot;
          // then should_try_to_free_swap(): always on a SWP_SYNCHRONOUS_IO
          // device, else swap full or a write fault with only the mapping's
          // and the cache's references; folio_free_swap() frees the slot if
          // no count is left. All under the PTL and the folio lock.
          const bool sync_io = swap_entry_to_info(k, f.offset).sync_io;
          bool exclusive = (mm.swp_exclusive >> f.va) & 1u;
          if (exclusive && p.writeback && sync_io) exclusive = false;
          // A write fault mapped writable here is done: "vmf->flags &=
          // ~FAULT_FLAG_WRITE", which should_try_to_free_swap() then reads.
          bool write_fault = l.write;
          bool writable = false;
          const bool mark_exclusive = exclusive || p.refcount == 1;
          if (mark_exclusive) {
            writable = l.write || k.config.features.swapin_maps_exclusive_writable;
            if (writable) write_fault = false;
          }
          const int refs = p.refcount;
          map_batch(writable, mark_exclusive);
          check_batch();
          for (int i = 0; i < batch.nr; ++i) {
            swap_free(k, c, static_cast<Offset>(first_offset + i), Fn::kFolioPutSwap);
          }
          if (p.swapcache && (sync_io || vm_swap_full(k) || (write_fault && refs == 1 + nr_pages))) {
            try_to_free_swap(k, c, f.page);
          }
          unlock_page(k, f.page, Fn::kDoSwapPage);
        } else if (k.config.features.anon_exclusive) {
          // v6.x: exclusive if the swap PTE says so, or the page is a fresh
          // private one; not while under writeback to a device with stable
          // writes (zram). swap_free(), then should_try_to_free_swap():
          // swap full, or a write fault with only our and the cache's
          // references. Exclusive, or no other reference: mark it exclusive
          // and, for a write fault, map it writable.
          bool exclusive = (mm.swp_exclusive >> f.va) & 1u;
          if (l.swapcache == kNoPage) {
            exclusive = true;
          } else if (exclusive && p.writeback && swap_entry_to_info(k, f.offset).sync_io) {
            exclusive = false;
          }
          const int refs = p.refcount;
          map_batch(false, false);
          if (l.swapcache == kNoPage) p.lru = true;
          check_batch();
          for (int i = 0; i < batch.nr; ++i) swap_free(k, c, static_cast<Offset>(first_offset + i));
          if (p.swapcache && (vm_swap_full(k) || (l.write && refs == 1 + nr_pages))) {
            try_to_free_swap(k, c, f.page);
          }
          if (exclusive || p.refcount == batch.nr) {
            // v6.11+ (c18160dba5ff): writable on a read fault too.
            const bool writable = l.write || k.config.features.swapin_maps_exclusive_writable;
            for (int i = 0; i < batch.nr; ++i) {
              mm.pte[batch.start_va + i].writable = writable;
              k.pages[batch.first_page + i].anon_exclusive = true;
            }
          }
          unlock_page(k, f.page, Fn::kDoSwapPage);
        } else {
          bool writable = false;
          if (l.write) {
            // reuse_swap_page(): the page can be written in place when no
            // other mapping or swap reference exists; it then leaves the swap
            // cache (unless it is under writeback).
            const int count = p.mapcount + (p.swapcache
                                                ? swap_count(k.si.swap_map[p.private_offset])
                                                : 0);
            if (count == 1 && p.swapcache && !p.writeback) {
              delete_from_swap_cache(k, c, f.page);
              p.dirty = true;
            }
            writable = count <= 1;
          }
          pte = Pte{Pte::Kind::kPresent, writable, f.page, kNoOffset};
          ++p.mapcount;  // page_add_anon_rmap(): the lookup's reference maps it
          folio_add_anon_rmap(k, f.page, f.va, Fn::kDoSwapPage);
          if (l.swapcache == kNoPage) p.lru = true;
          CheckInstalledData(k, c, f.va, f.page, Fn::kDoSwapPage);
          swap_free(k, c, f.offset);
          if (vm_swap_full(k)) try_to_free_swap(k, c, f.page);
          unlock_page(k, f.page, Fn::kDoSwapPage);
        }
      }
      if (l.need_clear_cache) {
        f.pc = kClear;
        return StepResult::kStep;
      }
      put_device(k, f.offset, l.si_ref);
      return Finish(c, 0);
    }
    case kClear: {
      const int nr = 1 << l.order;
      const Offset entry = static_cast<Offset>(f.offset & ~(nr - 1));
      Emit(k, c, StepId::kSwapcacheClear, entry, kNoPage);
      swapcache_clear(k, c, entry, nr);
      put_device(k, f.offset, l.si_ref);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

namespace {

// folio_pte_batch() in zap_present_ptes(): the present PTEs from `va` up to
// `last` that map the next pages of `page`'s folio (the dirty and soft-dirty
// bits ignored). Only a large folio batches.
int zap_present_batch(const Kernel& k, const Mm& mm, int va, int last, PageId page) {
  const PageId folio = page_folio(k, page);
  const int folio_end = folio + folio_nr_pages(k, folio);
  int nr = 1;
  while (va + nr <= last && page + nr < folio_end) {
    const Pte& next = mm.pte[va + nr];
    if (next.kind != Pte::Kind::kPresent || next.page != page + nr) break;
    ++nr;
  }
  return nr;
}

// swap_pte_batch() in zap_pte_range() (6.12.94 memory.c:1649,
// internal.h:315): the swap PTEs from `va` up to `last` whose entries follow
// the first's, pte_same() in every other bit (the exclusive and uffd-wp bits
// included), with the first's swap_cgroup id.
int zap_swap_batch(const Kernel& k, const Mm& mm, int va, int last) {
  const Pte& first = mm.pte[va];
  const unsigned exclusive = (mm.swp_exclusive >> va) & 1u;
  int nr = 1;
  while (va + nr <= last) {
    Pte expected = first;
    expected.offset = static_cast<Offset>(first.offset + nr);
    if (expected.offset >= kMaxSlots || !(mm.pte[va + nr] == expected) ||
        ((mm.swp_exclusive >> (va + nr)) & 1u) != exclusive ||
        k.si.swap_cgroup[expected.offset] != k.si.swap_cgroup[first.offset]) {
      break;
    }
    ++nr;
  }
  return nr;
}

}  // namespace

StepResult zap_pte_range(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_zap_pte_range(SWAPFUZZ_STATE_ENUMERATOR) };
  ZapPteRangeLocals& l = Locals<Fn::kZapPteRange>(f);
  Mm& mm = k.mms[c.mm];
  MmuGather& tlb = c.tlb;
  // The range's last address, fixed before the walk moves the frame's va.
  if (f.pc == kLock) l.last_va = std::max(f.va, l.last_va);
  const int last = l.last_va;
  // The zap's last step drops the lock it ran under: munmap's
  // mmap_write_unlock(), or for MADV_DONTNEED do_madvise()'s
  // madvise_unlock() / vma_end_read(), which nothing that other CPUs see
  // separates from the end of the zap.
  auto finish = [&] {
    mm_lock_release(mm, l.lock);
    tlb = MmuGather{};
    return Finish(c, 0);
  };
  // folios_put_refs(): the references the gathered folios' PTEs held.
  auto put_gathered = [&] {
    for (int i = 0; i < tlb.nr; ++i) {
      for (int ref = 0; ref < tlb.refs[i]; ++ref) put_page(k, tlb.folio[i], Fn::kFreeSwapCache);
    }
    return finish();
  };
  // After a batch is done: the next PTE in a step of its own, else the frees
  // after the PTL, else the end.
  auto walk_on = [&] {
    if (f.va <= last) {
      f.pc = kZap;
      return StepResult::kStep;
    }
    if (tlb.next < tlb.nr) {
      f.pc = kFreeSwapCache;
      return StepResult::kStep;
    }
    return finish();
  };
  // __try_to_reclaim_swap() over the put range, from slot `from`:
  // free_swap_and_cache_nr() tries a slot only if "READ_ONCE(
  // si->swap_map[offset]) == SWAP_HAS_CACHE", which the v6.15+ machine reads
  // itself and, before v6.15, this read does for the slots of a batch (for a
  // single entry the model folds it into the put), in the step before the
  // attempt; 7.1.5 tries every slot. With no slot left, the device is put
  // and the walk goes on in this step.
  auto reclaim_from = [&](int from) {
    const bool lockless_read = l.batch && !k.config.features.try_to_reclaim_swap_retries;
    while (from < l.reclaim_end && lockless_read && !slot_only_cached(k, static_cast<Offset>(from))) {
      ++from;
    }
    if (from < l.reclaim_end) {
      f.offset = static_cast<Offset>(from);
      f.pc = kTryReclaim;
      return true;
    }
    put_device(k, f.offset, l.si_ref);
    return false;
  };
  // The folio's size from __try_to_reclaim_swap() moves the loop to the
  // folio's end: "nr = ALIGN(offset + 1, nr) - offset" (6.12.94, 6.18.35),
  // "offset = round_up(offset, abs(nr_reclaimed))" (7.1.5).
  auto reclaim_next = [&](int nr) {
    // Folios are aligned in their device's offsets.
    const int step = nr == 0 ? 1 : (nr < 0 ? -nr : nr);
    const int base = swap_entry_to_info(k, f.offset).base;
    if (reclaim_from(base + (f.offset - base + step) / step * step)) return StepResult::kStep;
    return walk_on();
  };
  switch (f.pc) {
    case kLock:
      tlb = MmuGather{};  // tlb_gather_mmu()
      if (l.lock != MmLock::kMmapWrite) {
        // madvise_dontneed_single_vma() -> zap_page_range_single(): the
        // caller already holds its read lock.
        f.pc = kZap;
        return StepResult::kContinue;
      }
      if (mm.mmap_writer || mm.mmap_readers > 0) return Block(c, Wait::Kind::kMmapWrite, c.mm);
      mm.mmap_writer = true;
      Emit(k, c, StepId::kMmapWriteLock, kNoOffset, kNoPage);
      f.pc = kZap;
      return StepResult::kStep;
    case kZap: {
      // One batch a step. The kernel holds the PTL from one batch to the
      // next unless need_resched() breaks the walk there (6.12.94
      // memory.c:1614, 7.1.5 :1823), which drops it and comes back; the
      // model lets other CPUs in at every such point. munmap: the address
      // is at once mapped again, fresh; MADV_DONTNEED: it stays mapped.
      // Either way the next access faults in a zero page.
      const Pte pte = mm.pte[f.va];
      const bool batches = k.config.features.large_folio_swapout;
      if (pte.kind == Pte::Kind::kSwap) {
        // The kernel puts the entries (and tries to reclaim their cache)
        // before clear_not_present_full_ptes(), all under the PTL; the model,
        // which has no PTL, clears first so that no fault maps an entry the
        // zap is putting.
        const int nr = batches ? zap_swap_batch(k, mm, f.va, last) : 1;
        Emit(k, c, nr == 1 ? StepId::kZapOne : StepId::kZapSwapBatch, pte.offset, pte.page,
             nr == 1 ? 0 : static_cast<Token>(nr));
        for (int i = 0; i < nr; ++i) ZapPte(mm, static_cast<uint8_t>(f.va + i));
        f.va = static_cast<uint8_t>(f.va + nr);
        f.offset = pte.offset;
        l.reclaim_end = static_cast<Offset>(pte.offset + nr);
        l.batch = nr > 1;
        switch (PutSwapEntries(k, c, pte.offset, nr, l.si_ref)) {
          case SwapEntryPut::kBadEntry:
            return finish();
          case SwapEntryPut::kRangeFree:
            f.pc = kRangeFree;
            return StepResult::kStep;
          case SwapEntryPut::kReclaim:
            if (reclaim_from(pte.offset)) return StepResult::kStep;
            return walk_on();
          case SwapEntryPut::kDone:
            return walk_on();
        }
      }
      if (pte.kind != Pte::Kind::kPresent || pte.page == kZeroPage) {
        // pte_none() is skipped; vm_normal_page() is NULL for the zero page.
        Emit(k, c, StepId::kZapOne, pte.offset, pte.page);
        ZapPte(mm, f.va);
        ++f.va;
        return walk_on();
      }
      const int nr = batches ? zap_present_batch(k, mm, f.va, last, pte.page) : 1;
      Emit(k, c, nr == 1 ? StepId::kZapOne : StepId::kZapPresentBatch, pte.offset, pte.page,
           nr == 1 ? 0 : static_cast<Token>(nr));
      for (int i = 0; i < nr; ++i) ZapPte(mm, static_cast<uint8_t>(f.va + i));
      folio_remove_rmap_ptes(k, pte.page, nr, Fn::kZapPteRange);
      tlb.folio[tlb.nr] = page_folio(k, pte.page);
      tlb.refs[tlb.nr] = static_cast<uint8_t>(nr);
      ++tlb.nr;
      f.va = static_cast<uint8_t>(f.va + nr);
      return walk_on();
    }
    case kRangeFree: {
      Emit(k, c, StepId::kZapEntriesRangeFree, f.offset, kNoPage,
           static_cast<Token>(l.reclaim_end - f.offset));
      FreeSwapRange(k, f.offset, l.reclaim_end - f.offset);
      put_device(k, f.offset, l.si_ref);
      return walk_on();
    }
    case kTryReclaim: {
      int nr = 0;
      if (TryReclaimSwapEntry(k, c, f, kReclaimed, nr)) return StepResult::kContinue;
      return reclaim_next(nr);
    }
    case kReclaimed:
      return reclaim_next(c.ret);
    case kFreeSwapCache: {
      // free_pages_and_swap_cache(): free_swap_cache() of each gathered
      // folio, "if (folio_test_swapcache(folio) && !folio_mapped(folio) &&
      // folio_trylock(folio))" folio_free_swap(), a step each; then
      // folios_put_refs() drops the references the PTEs held, all at once.
      const PageId folio = tlb.folio[tlb.next++];
      Emit(k, c, StepId::kZapFreeSwapCache, kNoOffset, folio);
      Page& p = page_checked(k, folio, Fn::kFreeSwapCache);
      if (p.swapcache && folio_mapcount(k, folio) == 0 && trylock_page(k, c, folio)) {
        try_to_free_swap(k, c, folio);
        unlock_page(k, folio, Fn::kFreeSwapCache);
      }
      if (tlb.next < tlb.nr) return StepResult::kStep;
      if (tlb.nr == 1) return put_gathered();
      // Several folios: the put touches all of them, in a step of its own
      // after the last folio lock is dropped.
      f.pc = kFoliosPut;
      return StepResult::kStep;
    }
    case kFoliosPut:
      Emit(k, c, StepId::kZapFoliosPut, kNoOffset, kNoPage, tlb.nr);
      return put_gathered();
  }
  return StepResult::kStep;
}

StepResult copy_pte_range(Kernel& k, Cpu& c, Frame& f) {
  Mm& parent = k.mms[c.mm];
  if (parent.mmap_writer || parent.mmap_readers > 0) {
    return Block(c, Wait::Kind::kMmapWrite, c.mm);
  }
  const int child_id = Locals<Fn::kCopyPteRange>(f).dst_mm;
  // v7.0+: copy_nonpresent_pte() takes the count with swap_dup_entry_direct().
  const bool table = swap_table_pins(k);
  Emit(k, c, table ? StepId::kForkDupDirect : StepId::kFork, kNoOffset, kNoPage,
       static_cast<Token>(child_id));
  Mm& child = k.mms[child_id];
  if (child_id == c.mm || child.alive) {
    Return(c, -1);  // the schedule asked for an mm that already exists
    return StepResult::kStep;
  }
  child = Mm{};
  child.alive = true;
  // The child is forked into its parent's memcg and, for the mms of
  // RunConfig::memcg_mms, attached to memcg 2 before it runs (it has charged
  // nothing in between: fork shares the folios and swap entries).
  child.memcg = memcg_of_new_mm(k, child_id);
  // dup_mmap(): vm_area_dup() copies the VMA with its swap_readahead_info.
  child.swap_ra = parent.swap_ra;
  // A MADV_FREE'd folio the child shares may be discarded for both.
  child.may_read_zero = parent.may_read_zero;
  for (int va = 0; va < kMaxVas; ++va) {
    Pte& src = parent.pte[va];
    child.logical[va] = parent.logical[va];
    if (src.kind == Pte::Kind::kSwap) {
      // copy_nonpresent_pte(): the child's VMA is not registered with
      // userfaultfd, so its copy loses the uffd-wp bit.
      child.pte[va] = src;
      child.pte[va].uffd_wp = false;
      // copy_nonpresent_pte(): the entry is shared now; neither PTE is
      // exclusive any more.
      parent.swp_exclusive &= static_cast<uint8_t>(~(1u << va));
      if (swap_duplicate(k, src.offset,
                         table ? Fn::kSwapDupEntryDirect : Fn::kSwapDuplicate) < 0) {  // -EIO
        Report(k, Oracle::kSwapCount, Fn::kCopyPteRange, ObjectKind::kSwapSlot, true,
               "fork: swap_duplicate(%d) failed for a live swap PTE", src.offset);
        break;
      }
    } else if (src.kind == Pte::Kind::kPresent && src.page != kZeroPage) {
      // copy_present_pte(): share the page, write-protect both (COW).
      get_page(k, src.page, Fn::kCopyPteRange);
      ++k.pages[src.page].mapcount;
      k.pages[src.page].anon_exclusive = false;  // page_try_dup_anon_rmap()
      src.writable = false;
    }
    if (src.kind != Pte::Kind::kSwap) child.pte[va] = src;
  }
  return Finish(c, 0);
}

StepResult change_pte_range(Kernel& k, Cpu& c, Frame& f) {
  // UFFDIO_WRITEPROTECT under mmap_read_lock(): [PTL] pte_swp_mkuffd_wp() /
  // pte_swp_clear_uffd_wp() on a swap PTE, one PTE at a time in every
  // release (6.18.35 and 7.1.5 batch present PTEs only). Present and empty
  // PTEs are left alone (the model has no userfaultfd to deliver write faults
  // to); nothing splits a large folio. The swap PTEs of a large entry may so
  // disagree in their uffd-wp bits, which swap_pte_batch() compares.
  Mm& mm = k.mms[c.mm];
  if (mm.mmap_writer) return Block(c, Wait::Kind::kMmapRead, c.mm);
  mm.uffd_armed = true;
  Pte& pte = mm.pte[f.va];
  Emit(k, c, StepId::kUffdWp, pte.offset, pte.page, pte.uffd_wp ? 0 : 1);
  if (pte.kind == Pte::Kind::kSwap) pte.uffd_wp = !pte.uffd_wp;
  return Finish(c, 0);
}

}  // namespace swapfuzz
