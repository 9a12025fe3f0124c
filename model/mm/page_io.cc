#include "model/mm/page_io.h"

#include "model/drivers/block/zram/zram_drv.h"
#include "model/mm/memcontrol.h"

namespace swapfuzz {
namespace {

// swap_slot_free_notify(), v5.16; removed by e914d8f00391. The count test came
// with 5df373e95689; the free_notify_shared_slot knob drops it again.
void swap_slot_free_notify(Kernel& k, PageId id) {
  Page& p = page_checked(k, id, Fn::kSwapSlotFreeNotify);
  if (!p.swapcache) return;
  const Offset off = p.private_offset;
  if (!k.knob(Knob::kFreeNotifySharedSlot) && swap_count(k.si.swap_map[off]) != 1) return;
  p.dirty = true;  // the page is now the only copy
  zram_slot_free_notify(k, off);
}

// page_endio() for a read: SetPageUptodate, unlock_page.
void read_endio(Kernel& k, PageId id) {
  page_checked(k, id, Fn::kSwapReadpage).uptodate = true;
  unlock_page(k, id, Fn::kSwapReadpage);
}

// The stale-write oracle for a copy written back to slot `off`: it must be
// exactly what swap-out last wrote for the slot's current owner.
void CheckWrittenBack(Kernel& k, Offset off, Token data, uint32_t gen, Fn fn) {
  if (gen == k.si.auth_generation[off] && data == k.si.auth_data[off]) return;
  Report(k, Oracle::kStaleWrite, fn, ObjectKind::kSwapSlot, true,
         "offset %d written back with %#llx for generation %u; swap-out last wrote %#llx for "
         "generation %u",
         off, static_cast<unsigned long long>(data), gen,
         static_cast<unsigned long long>(k.si.auth_data[off]), k.si.auth_generation[off]);
}

}  // namespace

void submit_bio(Kernel& k, const Bio& bio) {
  if (k.nbios == kMaxBios) {
    Report(k, Oracle::kLiveness, Fn::kSwapReadpage, ObjectKind::kBlock, true,
           "more than %d bios in flight", kMaxBios);
    return;
  }
  k.bios[(k.bio_head + k.nbios++) % kMaxBios] = bio;
}

StepResult swap_readpage(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swap_readpage(SWAPFUZZ_STATE_ENUMERATOR) };
  SwapReadpageLocals& l = Locals<Fn::kSwapReadpage>(f);
  // A large folio (a skip-path or swapin_folio() mTHP swap-in) is read page
  // by page: zram's zram_bio_read() takes each slot's lock in turn, and the
  // folio is marked uptodate and unlocked after the last.
  const int nr = folio_nr_pages(k, f.page);
  const PageId page = static_cast<PageId>(f.page + l.index);
  const Offset off = static_cast<Offset>(f.offset + l.index);
  auto page_read = [&] {
    if (++l.index < nr) {
      f.pc = kRead;
      return StepResult::kStep;
    }
    read_endio(k, f.page);
    f.pc = kReadDone;
    return StepResult::kContinue;
  };
  switch (f.pc) {
    case kStart: {
      // v6.12+: swap_read_folio_zeromap() first; the bit is read without a
      // lock ("protected by the locked swapcache folio"), and a set bit
      // zero-fills the folio and unlocks it in this task. A large folio
      // whose bits disagree: "WARN_ON_ONCE(swap_zeromap_batch(folio->swap,
      // nr_pages, &is_zeromap) != nr_pages)", return without marking it
      // uptodate "so that an IO error is emitted" (6.12.94 page_io.c:511).
      int zero = 0;
      if (k.config.features.zeromap) {
        for (int i = 0; i < nr; ++i) zero += k.si.zeromap[f.offset + i];
      }
      if (zero != 0 && zero != nr) {
        Emit(k, c, StepId::kZeromapReadMixed, f.offset, f.page, static_cast<Token>(zero));
        unlock_page(k, f.page, Fn::kSwapReadFolioZeromap);
        return Finish(c, 0);
      }
      if (zero == nr) {
        Emit(k, c, StepId::kZeromapRead, f.offset, f.page);
        page_checked(k, f.page, Fn::kSwapReadFolioZeromap);
        for (int i = 0; i < nr; ++i) k.pages[f.page + i].data = 0;
        read_endio(k, f.page);
        return Finish(c, 0);
      }
      // frontswap_load(): zswap first. (A large folio is read only while
      // zswap_never_enabled(), whose zswap_load() returns false at once.)
      if (k.zswap.initialized) {
        return Call<Fn::kZswapLoad>(c, f, kAfterZswap, f.offset, f.page);
      }
      f.pc = swap_entry_to_info(k, f.offset).disk ? kBio : kRead;
      return StepResult::kContinue;
    }
    case kAfterZswap:
      if (c.ret == 0) return Return(c, 0);  // SetPageUptodate, unlock_page; done
      f.pc = swap_entry_to_info(k, f.offset).disk ? kBio : kRead;
      return StepResult::kContinue;
    case kRead: {  // bdev_read_page() -> zram_rw_page() -> __zram_bvec_read()
      if (zram_slot_busy(k, c, off)) return Block(c, Wait::Kind::kZramSlot, off);
      Emit(k, c, StepId::kZramReadLock, off, page, k.zram.table[off].data);
      // swap_page_sector() maps the offset through the swap extents.
      if (!swap_device_live(k, off, Fn::kSwapReadpage)) return StepResult::kStep;
      if (zram_read_wb_begin(k, off, &l.blk_idx, &l.blk_seq)) {
        f.pc = kFromBdev;
        return StepResult::kStep;
      }
      if (!zram_read_begin(k, c, off, page)) {
        f.pc = kDecompress;
        return StepResult::kStep;
      }
      return page_read();
    }
    case kDecompress:
      Emit(k, c, StepId::kZramReadCopy, off, page, k.zram.table[off].data);
      zram_read_finish(k, c, off, page);
      return page_read();
    case kFromBdev:
      // read_from_bdev() after the slot lock is dropped (synchronous here).
      Emit(k, c, StepId::kZramReadBdev, off, page);
      zram_read_from_bdev(k, l.blk_idx, l.blk_seq, page);
      return page_read();
    case kNotify:
      Emit(k, c, StepId::kFreeNotify, f.offset, f.page);
      if (trylock_page(k, c, f.page)) {
        swap_slot_free_notify(k, f.page);
        unlock_page(k, f.page, Fn::kSwapReadpage);
      }
      return Finish(c, 0);
    case kBio: {
      // get_swap_bio(); submit_bio(). The page stays locked until
      // end_swap_bio_read(). (Only the skip-swapcache path reads
      // synchronously, and it never runs on a disk.)
      Emit(k, c, StepId::kBioSubmitRead, f.offset, f.page);
      if (!swap_device_live(k, f.offset, Fn::kSwapReadpage)) return StepResult::kStep;
      Bio bio;
      bio.offset = f.offset;
      bio.page = f.page;
      submit_bio(k, bio);
      return Finish(c, 0);
    }
    case kReadDone:
      // The zram read ended in this step (page_endio()). Kernels before
      // e914d8f00391 then call swap_slot_free_notify(), in a step of its own.
      if (k.knob(Knob::kFreeNotifyOnRead)) {
        f.pc = kNotify;
        return StepResult::kStep;
      }
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

StepResult swap_writepage(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_swap_writepage(SWAPFUZZ_STATE_ENUMERATOR) };
  switch (f.pc) {
    case kTryFree:
      Emit(k, c, StepId::kWriteTryFree, f.offset, f.page);
      if (try_to_free_swap(k, c, f.page)) {
        unlock_page(k, f.page, Fn::kSwapWritepage);
        return Finish(c, 0);
      }
      f.pc = kZswap;
      return StepResult::kStep;
    case kZswap: {
      // v6.12+: a zero-filled folio only sets its zeromap bit, under the
      // folio lock, and is unlocked; any other clears the bit first so that
      // an older zero write of the slot cannot be read back.
      // is_folio_zero_filled() and swap_zeromap_folio_set()/_clear() cover
      // every page of a large folio.
      if (k.config.features.zeromap) {
        page_checked(k, f.page, Fn::kSwapZeromapFolioSet);
        const int nr = folio_nr_pages(k, f.page);
        bool zero_filled = true;
        for (int i = 0; i < nr; ++i) zero_filled = zero_filled && k.pages[f.page + i].data == 0;
        if (zero_filled) {
          Emit(k, c, StepId::kZeromapWrite, f.offset, f.page);
          if (!swap_device_live(k, f.offset, Fn::kSwapZeromapFolioSet)) return StepResult::kStep;
          for (Offset off = f.offset; off < f.offset + nr; ++off) {
            k.si.zeromap[off] = true;
            k.si.auth_generation[off] = k.si.generation[off];
            k.si.auth_data[off] = 0;
            // The proposed fix: the slot's older zswap copy goes, as a failed
            // zswap_store() drops it ("xa_erase(tree, offset)", under the
            // tree's lock, with the folio locked in the swap cache).
            if (!k.knob(Knob::kZeromapStaleZswapEntry)) zswap_invalidate(k, off);
          }
          unlock_page(k, f.page, Fn::kSwapWritepage);
          return Finish(c, 0);
        }
        for (Offset off = f.offset; off < f.offset + nr; ++off) k.si.zeromap[off] = false;
      }
      // frontswap_store() / zswap_store(): on success the page's writeback
      // starts and ends at once and the page is unlocked.
      if (k.zswap.initialized) {
        return Call<Fn::kZswapStore>(c, f, kAfterZswap, f.offset, f.page);
      }
      f.pc = kWrite;
      return StepResult::kContinue;
    }
    case kAfterZswap:
      if (c.ret == 0) return Return(c, 0);
      // "if (!mem_cgroup_zswap_writeback_enabled(folio_memcg(folio))) {
      // folio_mark_dirty(folio); return AOP_WRITEPAGE_ACTIVATE; }" (6.18.35
      // page_io.c:279-282): a folio zswap refused stays in memory.
      if (!mem_cgroup_zswap_writeback_enabled(k, k.pages[f.page].memcg)) {
        Emit(k, c, StepId::kWriteActivate, f.offset, f.page);
        k.pages[f.page].dirty = true;
        return Return(c, kAopWritepageActivate);
      }
      f.pc = kWrite;
      return StepResult::kContinue;
    case kWrite:
      // Swap-out: this content is what the slot holds now.
      return Call<Fn::kSwapWritepageBdev>(c, f, kAfterWrite, f.offset, f.page);
    case kAfterWrite:
      return Return(c, 0);
  }
  return StepResult::kStep;
}

StepResult swap_writepage_bdev(Kernel& k, Cpu& c, Frame& f) {
  SwapWritepageBdevLocals& l = Locals<Fn::kSwapWritepageBdev>(f);
  // A large folio goes to zram one page at a time (zram_bio_write()); the
  // model refuses large folios on a disk (Resolve()).
  const PageId folio = f.page;
  const PageId page = static_cast<PageId>(folio + l.index);
  Page& p = page_checked(k, page, Fn::kSwapWritepageBdev);
  const Offset off = static_cast<Offset>(f.offset + l.index);
  const uint32_t gen = l.zswap_writeback ? l.generation : k.si.generation[off];
  if (!swap_entry_to_info(k, off).disk) {
    // bdev_write_page() -> zram: set_page_writeback, zram write, page_endio()
    // ends writeback, then unlock_page.
    if (zram_slot_busy(k, c, off)) return Block(c, Wait::Kind::kZramSlot, off);
    Emit(k, c, StepId::kZramWrite, off, page, p.data);
  } else {
    Emit(k, c, StepId::kBioSubmitWrite, off, f.page, p.data);
  }
  if (!swap_device_live(k, off, Fn::kSwapWritepageBdev)) return StepResult::kStep;
  if (l.zswap_writeback) {
    // A slot whose zeromap bit is set is read from the bit, never from the
    // device, so what a write-back puts there is not read back.
    if (!k.si.zeromap[off]) CheckWrittenBack(k, off, p.data, gen, Fn::kSwapWritepageBdev);
  } else {
    k.si.auth_generation[off] = gen;
    k.si.auth_data[off] = p.data;
  }
  if (!swap_entry_to_info(k, off).disk) {
    // A large folio: swap_writepage_bdev_sync() sets writeback and unlocks
    // the folio before submit_bio_wait(); zram writes the pages in the bio,
    // and the folio's writeback ends after the last (6.12.94 page_io.c:412-431).
    const int nr = folio_nr_pages(k, folio);
    Page& head = k.pages[folio];
    if (nr > 1 && l.index == 0) {
      head.writeback = true;  // folio_start_writeback()
      unlock_page(k, folio, Fn::kSwapWritepageBdev);
    }
    zram_write(k, off, page);
    if (++l.index < nr) return StepResult::kStep;
    if (nr > 1) {
      head.writeback = false;  // __end_swap_bio_write(): folio_end_writeback()
      return Finish(c, 0);
    }
  } else {
    // set_page_writeback(); submit_bio(); the bio carries the data.
    p.writeback = true;
    Bio bio;
    bio.write = true;
    bio.offset = off;
    bio.page = f.page;
    bio.data = p.data;
    bio.generation = gen;
    submit_bio(k, bio);
  }
  unlock_page(k, f.page, Fn::kSwapWritepageBdev);
  return Finish(c, 0);
}

StepResult bio_endio(Kernel& k, Cpu& c) {
  // An interrupt handler runs to its end: a zram writeback completion that
  // has done its list_add() does its wake_up() before the next bio ends.
  if (k.zram.wb.endio_ctl != 0) return zram_writeback_endio_wake(k, c, 0);
  if (k.zram_bdev.wb.endio_ctl != 0) return zram_writeback_endio_wake(k, c, 1);
  const Bio bio = k.bios[k.bio_head];
  k.bio_head = static_cast<uint8_t>((k.bio_head + 1) % kMaxBios);
  --k.nbios;
  if (bio.zram_wb) return zram_writeback_endio(k, c, bio);
  Page& p = page_checked(k, bio.page, bio.write ? Fn::kEndSwapBioWrite : Fn::kEndSwapBioRead);
  DiskBlock& block = k.disk[bio.offset];
  if (bio.write) {
    // end_swap_bio_write(): the data is on the disk; end_page_writeback().
    Emit(k, c, StepId::kBioEndWrite, bio.offset, bio.page, bio.data);
    block.written = true;
    block.data = bio.data;
    block.generation = bio.generation;
    if (!p.writeback) {
      Report(k, Oracle::kPageState, Fn::kEndSwapBioWrite, ObjectKind::kPage, true,
             "end_page_writeback on page %d, which is not under writeback", bio.page);
    }
    p.writeback = false;
  } else {
    // end_swap_bio_read(): SetPageUptodate(); (swap_slot_free_notify() is a
    // zram hook, a no-op on a disk); unlock_page().
    Emit(k, c, StepId::kBioEndRead, bio.offset, bio.page, block.data);
    p.data = block.data;
    p.uptodate = true;
    unlock_page(k, bio.page, Fn::kEndSwapBioRead);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
