#include "model/drivers/block/zram/zram_drv.h"

#include "model/mm/page_io.h"

namespace swapfuzz {
namespace {

// free_block_bdev()
void free_block_bdev(Zram& z, int16_t block) {
  if (block < 0) return;
  z.bd[block].used = false;
}

// alloc_block_bdev(): the lowest free block, or -1 (-ENOSPC).
int16_t alloc_block_bdev(Zram& z) {
  for (int16_t b = 0; b < kMaxSlots; ++b) {
    ZramBdBlock& block = z.bd[b];
    if (block.used) continue;
    block.used = true;
    ++block.seq;
    return b;
  }
  return -1;
}

// The batched writeback of 7.1.5 (Features::ZramWriteback::kBatched).
bool wb_batched(const Kernel& k) {
  return k.config.features.zram_writeback == Features::ZramWriteback::kBatched;
}
// The writeback picks its slots in one scan that sets ZRAM_PP_SLOT (v6.13+:
// kPostProcess and kBatched).
bool wb_pp_slots(const Kernel& k) {
  return k.config.features.zram_writeback != Features::ZramWriteback::kOneSlot;
}

// A wb_ctl a path holds: the live one, or one whose kfree_rcu() still waits
// for the end of an RCU read section (ids only grow, and each writeback frees
// its own before the next one starts); any other has been freed.
bool wb_ctl_live(Kernel& k, const Zram& z, uint16_t id, Fn fn) {
  const ZramWb& wb = z.wb;
  const bool deferred = wb.rcu_deferred != 0 && id >= wb.rcu_deferred && id <= wb.ctl_seq;
  if (id != 0 && (id == wb.ctl || deferred)) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kZramWbCtl, true,
         "zram wb_ctl %d used after it was freed", id);
  return false;
}

// The highest index of a pp_ctl bucket, kNoOffset for an empty one.
Offset last_in_bucket(uint32_t bucket) {
  return bucket == 0 ? kNoOffset : static_cast<Offset>(31 - __builtin_clz(bucket));
}

// select_pp_slot(): the highest bucket first (ZRAM_HUGE slots, PAGE_SIZE
// objects), and in a bucket the slot placed last (place_pp_slot()'s
// list_add() puts it first).
Offset select_pp_slot(const ZramWb& wb) {
  return last_in_bucket(wb.pp_huge != 0 ? wb.pp_huge : wb.pp_rest);
}

// The oracle at a writeback's commit: the block must hold what the slot
// holds now.
void check_written_back(Kernel& k, const Zram& z, Offset index, int16_t block, Fn fn) {
  const ZramSlot& t = z.table[index];
  const ZramBdBlock& b = z.bd[block];
  if (b.data == t.data && b.generation == t.generation) return;
  Report(k, Oracle::kStaleWrite, fn, ObjectKind::kZramSlot, true,
         "zram slot %d (generation %u, %#llx) written back as %#llx of generation %u", index,
         t.generation, static_cast<unsigned long long>(t.data),
         static_cast<unsigned long long>(b.data), b.generation);
}

// "zram_free_page(zram, index); zram_set_flag(zram, index, ZRAM_WB);
// zram_set_handle(zram, index, blk_idx);": the slot's data now lives in the
// block (the model keeps the data and generation on the slot too).
void commit_written_back(Zram& z, Offset index, int16_t block) {
  ZramSlot& t = z.table[index];
  const Token data = t.data;
  const uint32_t gen = t.generation;
  slot_free(z, index);
  t.state = ZramSlot::State::kWb;
  t.block = block;
  t.data = data;
  t.generation = gen;
  ++z.wb_pages;
}

// list_del_init(&pps->entry)
void pp_list_del(ZramWb& wb, Offset index) {
  const uint32_t bit = 1u << index;
  wb.pp_huge &= ~bit;
  wb.pp_rest &= ~bit;
}

}  // namespace

bool zram_slot_busy(const Kernel& k, const Cpu& c, Offset index) {
  return slot_busy(k, k.zram, c, index);
}

bool slot_busy(const Kernel& k, const Zram& z, const Cpu& c, Offset index) {
  const int8_t holder = z.table[index].lock_holder;
  return holder != -1 && holder != CpuIndex(k, c);
}

void zram_free_page(Kernel& k, Offset index) { slot_free(k.zram, index); }

void slot_free(Zram& z, Offset index) {
  ZramSlot& s = z.table[index];
  if (s.state == ZramSlot::State::kStored) --z.stored_pages;
  if (s.state == ZramSlot::State::kWb) {
    free_block_bdev(z, s.block);
    --z.wb_pages;
  }
  // Clears ZRAM_IDLE, ZRAM_HUGE, ZRAM_WB, ZRAM_SAME; never ZRAM_UNDER_WB
  // ("Clearing ZRAM_UNDER_WB is duty of caller"). 6.18.35's zram_free_page()
  // and 7.1.5's slot_free() also clear ZRAM_PP_SLOT, which is how the
  // post-processing writeback learns that the slot was freed or rewritten.
  s.state = ZramSlot::State::kEmpty;
  s.idle = false;
  s.pp_slot = false;
  s.huge = false;
  s.incompressible = false;  // 7.1.5's slot_free(): and the comp priority
  s.comp_priority = 0;
  s.block = -1;
  s.data = 0;
  s.generation = 0;
}

void zram_slot_free_notify(Kernel& k, Offset index) {
  if (k.zram.table[index].lock_holder != -1) {  // !zram_slot_trylock()
    ++k.zram.miss_free;
    return;
  }
  zram_free_page(k, index);
}

bool zram_read_begin(Kernel& k, Cpu& c, Offset index, PageId page) {
  ZramSlot& s = k.zram.table[index];
  if (s.state == ZramSlot::State::kStored) {
    s.lock_holder = static_cast<int8_t>(CpuIndex(k, c));
    return false;
  }
  if (s.state == ZramSlot::State::kEmpty) {
    // The WARN_ON of the seed's detector patch: !handle && !ZRAM_SAME.
    Report(k, Oracle::kZramEmptyRead, Fn::kZramBvecRead, ObjectKind::kZramSlot,
           k.config.zram_empty_read_fatal, "Page %d read from zram without previous write", index);
  }
  // zram_fill_page(): an empty slot reads as zeros.
  page_checked(k, page, Fn::kZramBvecRead).data = s.data;
  s.idle = false;     // zram_accessed(); 7.1.5's mark_slot_accessed() also clears
  s.pp_slot = false;  // ZRAM_PP_SLOT
  return true;
}

void zram_read_finish(Kernel& k, Cpu& c, Offset index, PageId page) {
  ZramSlot& s = k.zram.table[index];
  (void)c;
  page_checked(k, page, Fn::kZramBvecRead).data = s.data;
  s.idle = false;  // zram_accessed() / mark_slot_accessed()
  s.pp_slot = false;
  s.lock_holder = -1;
}

bool zram_read_wb_begin(Kernel& k, Offset index, int16_t* block, uint16_t* seq) {
  ZramSlot& s = k.zram.table[index];
  if (s.state != ZramSlot::State::kWb) return false;
  *block = s.block;
  *seq = k.zram.bd[s.block].seq;
  s.idle = false;  // zram_accessed() / mark_slot_accessed()
  s.pp_slot = false;
  return true;
}

void zram_read_from_bdev(Kernel& k, int16_t block, uint16_t seq, PageId page) {
  const ZramBdBlock& b = k.zram.bd[block];
  if (!b.used || b.seq != seq) {
    Report(k, Oracle::kUseAfterFree, Fn::kZramReadFromBdev, ObjectKind::kBlock, true,
           "zram backing block %d read after it was freed", block);
  }
  page_checked(k, page, Fn::kZramReadFromBdev).data = b.data;
}

void zram_write(Kernel& k, Offset index, PageId page) {
  const Token data = page_checked(k, page, Fn::kZramBvecWrite).data;
  zram_free_page(k, index);
  ZramSlot& s = k.zram.table[index];
  // page_same_filled(): the model's zero token is the only same-filled page.
  s.state = data == 0 ? ZramSlot::State::kSame : ZramSlot::State::kStored;
  if (s.state == ZramSlot::State::kStored) ++k.zram.stored_pages;
  s.huge = s.state == ZramSlot::State::kStored && (data & 1) != 0;
  s.data = data;
  s.generation = k.si.generation[index];
}

StepResult idle_store(Kernel& k, Cpu& c, Frame& f) {
  // mark_idle(): for each index, under its slot lock, "if (zram_allocated()
  // && !ZRAM_UNDER_WB) set ZRAM_IDLE". The per-index sections are one step.
  // 6.12.94 and 6.18.35 skip slots that are not allocated, ZRAM_WB or
  // ZRAM_SAME ("zram: do not mark idle slots that cannot be idle"; the model
  // does so from kPostProcess on); 7.1.5 holds dev_lock for read around it
  // (guard(rwsem_read)).
  // 6.12.94 and 6.18.35 take init_lock for read, as 7.1.5 does dev_lock; a
  // writer of it is a writeback_store() of 7.1.5 or a disksize_store() or
  // reset_store().
  const IdleStoreLocals& l = Locals<Fn::kZramIdleStore>(f);
  Zram& z = ZramDev(k, l.dev);
  const bool pp = wb_pp_slots(k);
  if (z.wb.dev_lock_owner != -1) return BlockZram(c, Wait::Kind::kZramDevLock, l.dev, 0);
  if (z.disksize == 0) {  // !init_done(zram): -EINVAL
    Emit(k, c, StepId::kZramIdleInval, kNoOffset, kNoPage);
    return Finish(c, -22);
  }
  const Offset first = ZramFirst(l.dev), end = ZramIdleEnd(k, l.dev);
  for (Offset i = first; i < end; ++i) {
    if (slot_busy(k, z, c, i)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, i);
  }
  Emit(k, c, StepId::kZramIdle, kNoOffset, kNoPage);
  for (Offset i = first; i < end; ++i) {
    ZramSlot& s = z.table[i];
    if (pp) {
      if (s.state == ZramSlot::State::kStored) s.idle = true;
    } else if (s.state != ZramSlot::State::kEmpty && !s.under_wb) {
      s.idle = true;
    }
  }
  return Finish(c, 0);
}

StepResult writeback_store(Kernel& k, Cpu& c, Frame& f) {
  // Frame: offset = the index being written back, page = the bounce page.
  enum : uint8_t { SWAPFUZZ_STATES_writeback_store(SWAPFUZZ_STATE_ENUMERATOR) };
  WritebackStoreLocals& l = Locals<Fn::kZramWritebackStore>(f);
  Zram& z = ZramDev(k, l.dev);
  ZramSlot* s = f.offset >= 0 ? &z.table[f.offset] : nullptr;
  switch (f.pc) {
    case kStart:
      if (!wb_batched(k)) {
        // Before 7.1.5: down_read(&zram->init_lock) across the writeback;
        // "if (!init_done(zram)) ... -EINVAL", "if (!zram->backing_dev)
        // ... -ENODEV" (6.18.35 tests pp_in_progress between the two; the
        // model folds that into its first step, kInit).
        if (z.wb.dev_lock_owner != -1) return BlockZram(c, Wait::Kind::kZramDevLock, l.dev, 0);
        if (z.disksize == 0 || !z.backing_dev) {
          Emit(k, c, StepId::kZramWbInval, kNoOffset, kNoPage);
          return Finish(c, z.disksize == 0 ? -22 : -19);
        }
        ++z.dev_lock_readers;
      }
      if (wb_pp_slots(k)) {
        f.pc = kInit;
        return StepResult::kContinue;
      }
      f.page = alloc_page(k);  // page = alloc_page(GFP_KERNEL)
      l.index = ZramFirst(l.dev);
      l.blk_idx = -1;
      if (f.page == kNoPage) {
        Emit(k, c, StepId::kZramWbDone, kNoOffset, kNoPage);
        --z.dev_lock_readers;  // up_read(&zram->init_lock)
        return Finish(c, -12);
      }
      f.pc = kCheck;
      return StepResult::kContinue;
    case kCheck: {
      // for each index: zram_slot_lock(); skip slots that are not allocated,
      // are ZRAM_WB, ZRAM_SAME or ZRAM_UNDER_WB, or lack ZRAM_IDLE (idle mode)
      // or ZRAM_HUGE (huge mode). The lock sections of skipped slots change
      // nothing and are folded into the next slot's step.
      Offset idx = l.index;
      for (; idx < ZramEnd(k, l.dev); ++idx) {
        const ZramSlot& t = z.table[idx];
        if (t.state != ZramSlot::State::kStored || t.under_wb) continue;
        if (l.mode == ZramWritebackMode::kIdle ? !t.idle : !t.huge) continue;
        break;
      }
      if (idx >= ZramEnd(k, l.dev)) {
        f.pc = kEnd;
        return StepResult::kContinue;
      }
      if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, idx);
      ZramSlot& t = z.table[idx];
      Emit(k, c, StepId::kZramWbCheck, idx, kNoPage, t.data);
      t.under_wb = true;
      t.idle = true;  // "Need for hugepage writeback racing"
      f.offset = idx;
      l.index = static_cast<Offset>(idx + 1);
      f.pc = kRead;
      return StepResult::kStep;
    }
    case kRead:
      // zram_bvec_read() into the bounce page (no zram_accessed()).
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, f.offset);
      Emit(k, c, StepId::kZramReadLock, f.offset, f.page, s->data);
      if (s->state == ZramSlot::State::kStored) {
        s->lock_holder = static_cast<int8_t>(CpuIndex(k, c));
        f.pc = kReadCopy;
        return StepResult::kStep;
      }
      // Freed (zeros) or same-filled since the check: the commit will see it.
      k.pages[f.page].data = s->data;
      l.generation = s->generation;
      f.pc = kWrite;
      return StepResult::kStep;
    case kReadCopy:
      Emit(k, c, StepId::kZramReadCopy, f.offset, f.page, s->data);
      k.pages[f.page].data = s->data;
      l.generation = s->generation;
      s->lock_holder = -1;
      f.pc = kWrite;
      return StepResult::kStep;
    case kWrite: {
      // blk_idx = alloc_block_bdev() (once, kept for the next slot if this
      // one is abandoned); submit_bio_wait() of the bounce page.
      if (l.blk_idx < 0) l.blk_idx = alloc_block_bdev(z);
      Emit(k, c, StepId::kZramWbWrite, f.offset, f.page, k.pages[f.page].data);
      if (l.blk_idx < 0) {  // -ENOSPC: give the slot back and stop
        s->under_wb = false;
        s->idle = false;
        f.pc = kEnd;
        return StepResult::kStep;
      }
      ZramBdBlock& b = z.bd[l.blk_idx];
      b.data = k.pages[f.page].data;
      b.generation = l.generation;
      f.pc = kCommit;
      return StepResult::kStep;
    }
    case kCommit: {
      // "We released zram_slot_lock so need to check if the slot was changed":
      // freed (!zram_allocated) or rewritten (ZRAM_IDLE cleared).
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, f.offset);
      const bool changed = s->state == ZramSlot::State::kEmpty || !s->idle;
      Emit(k, c, changed ? StepId::kZramWbAbort : StepId::kZramWbCommit, f.offset, kNoPage,
           static_cast<Token>(l.blk_idx));
      if (changed) {
        s->under_wb = false;
        s->idle = false;
        f.pc = kCheck;
        return StepResult::kStep;
      }
      check_written_back(k, z, f.offset, l.blk_idx, Fn::kZramWritebackStore);
      commit_written_back(z, f.offset, l.blk_idx);
      s->under_wb = false;
      l.blk_idx = -1;
      f.pc = kCheck;
      return StepResult::kStep;
    }
    case kEnd:
      // free_block_bdev() of an unused blk_idx; __free_page(page).
      Emit(k, c, StepId::kZramWbDone, kNoOffset, f.page);
      if (l.blk_idx >= 0) free_block_bdev(z, l.blk_idx);
      put_page(k, f.page, Fn::kZramWritebackStore);
      --z.dev_lock_readers;  // up_read(&zram->init_lock)
      return Finish(c, 0);

      // --- the batched writeback (Features::ZramWriteback::kBatched), 7.1.5 ---

    case kInit: {
      ZramWb& wb = z.wb;
      if (!wb_batched(k)) {
        // 6.18.35: "if (atomic_xchg(&zram->pp_in_progress, 1)) return
        // -EAGAIN;" (one post-processing action at a time); init_pp_ctl().
        Emit(k, c, wb.pp_in_progress ? StepId::kZramWbPpBusy : StepId::kZramWbPpInit, kNoOffset,
             kNoPage);
        if (wb.pp_in_progress) {
          --z.dev_lock_readers;  // up_read(&zram->init_lock)
          return Finish(c, -11);
        }
        wb.pp_in_progress = true;
        wb.pp_huge = 0;
        wb.pp_rest = 0;
        l.index = ZramFirst(l.dev);
        l.blk_idx = -1;
        f.pc = kScan;
        return StepResult::kStep;
      }
      // guard(rwsem_write)(&zram->dev_lock); init_pp_ctl(); init_wb_ctl():
      // a new wb_ctl with wb_batch_size idle requests, each with a page.
      if (wb.dev_lock_owner != -1 || z.dev_lock_readers != 0) {
        return BlockZram(c, Wait::Kind::kZramDevLock, l.dev, kZramDevLockWrite);
      }
      if (z.disksize == 0 || !z.backing_dev) {
        // "if (!init_done(zram)) return -EINVAL; if (!zram->backing_dev)
        // return -ENODEV;", dev_lock dropped as the guard goes out of scope.
        Emit(k, c, StepId::kZramWbInval, kNoOffset, kNoPage);
        return Finish(c, z.disksize == 0 ? -22 : -19);
      }
      wb.dev_lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      wb.ctl = ++wb.ctl_seq;
      wb.num_inflight = 0;
      wb.ndone = 0;
      wb.pp_huge = 0;
      wb.pp_rest = 0;
      Emit(k, c, StepId::kZramWbInit, kNoOffset, kNoPage, wb.ctl);
      l.index = ZramFirst(l.dev);
      l.blk_idx = -1;
      f.pc = kScan;
      return StepResult::kStep;
    }
    case kScan: {
      // scan_slots_for_writeback(): for each index, under its slot lock,
      // skip a slot that is not allocated, ZRAM_WB or ZRAM_SAME, or lacks
      // ZRAM_IDLE (idle mode) or ZRAM_HUGE (huge mode); else place_pp_slot()
      // sets ZRAM_PP_SLOT. The sections of skipped slots change nothing and
      // are folded into the next placed slot's step, but each still waits
      // for its slot lock.
      ZramWb& wb = z.wb;
      Offset idx = l.index;
      for (; idx < ZramEnd(k, l.dev); ++idx) {
        if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, idx);
        const ZramSlot& t = z.table[idx];
        if (t.state != ZramSlot::State::kStored) continue;
        if (l.mode == ZramWritebackMode::kIdle ? !t.idle : !t.huge) continue;
        break;
      }
      if (idx >= ZramEnd(k, l.dev)) {
        f.pc = kSelect;
        if (!wb_batched(k)) {
          // 6.18.35's zram_writeback_slots(): "page = alloc_page(GFP_KERNEL);
          // if (!page) return -ENOMEM;"
          f.page = alloc_page(k);
          if (f.page == kNoPage) f.pc = kReleasePpCtl;
        }
        return StepResult::kContinue;
      }
      ZramSlot& t = z.table[idx];
      Emit(k, c, StepId::kZramWbScan, idx, kNoPage, t.data);
      // The bucket is the object's size / 64: PAGE_SIZE for ZRAM_HUGE.
      (t.huge ? wb.pp_huge : wb.pp_rest) |= 1u << idx;
      t.pp_slot = true;
      l.index = static_cast<Offset>(idx + 1);
      return StepResult::kStep;
    }
    case kSelect: {
      // zram_writeback_slots(): while ((pps = select_pp_slot(ctl))). No
      // wb_limit; zram_select_idle_req() always finds a request.
      ZramWb& wb = z.wb;
      const bool batched = wb_batched(k);
      const Offset idx = select_pp_slot(wb);
      if (idx == kNoOffset) {
        f.pc = batched ? kDrain : kReleasePpCtl;
        return StepResult::kContinue;
      }
      if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, idx);
      if (l.blk_idx < 0) {
        // zram_reserve_bdev_block(); 6.18.35: alloc_block_bdev().
        l.blk_idx = alloc_block_bdev(z);
        if (l.blk_idx < 0) {  // -ENOSPC: break
          f.pc = batched ? kDrain : kReleasePpCtl;
          return StepResult::kContinue;
        }
      }
      ZramSlot& t = z.table[idx];
      f.offset = idx;
      if (!t.pp_slot) {
        // Freed, rewritten or read since the scan: "goto next":
        // slot_unlock(); release_pp_slot(), whose slot lock section clears
        // the flag again. Nothing sets ZRAM_PP_SLOT while dev_lock (7.1.5)
        // or pp_in_progress (6.18.35) is held, so the two sections are one
        // step. blk_idx stays reserved for the next slot.
        Emit(k, c, StepId::kZramWbSkip, idx, kNoPage, static_cast<Token>(l.blk_idx));
        pp_list_del(wb, idx);
        t.pp_slot = false;
        if (batched && select_pp_slot(wb) == kNoOffset &&
            !k.knob(Knob::kZramWbLeaksReservedBlock)) {
          // The last slot was skipped, and its block stays reserved: 7.1.5
          // leaves the loop and never releases it (no
          // zram_release_bdev_block() of blk_idx after the loop), a leak of
          // a backing-device block that the quiescence check reports; the
          // knob zram_wb_leaks_reserved_block keeps that code. Cleared, the
          // block is released after the loop, as 3e8d8eb8d7f5 (v7.2-rc1)
          // does; the model releases it here, where the loop is seen to end.
          free_block_bdev(z, l.blk_idx);
          l.blk_idx = -1;
        }
        return StepResult::kStep;
      }
      if (!batched) {
        // 6.18.35: zram_read_from_zspool() into the page, holding the slot
        // lock (it sleeps now) across the decompression, as a read does:
        // a zram_slot_free_notify() meanwhile fails its trylock.
        Emit(k, c, StepId::kZramWbPpRead, idx, f.page, t.data);
        pp_list_del(wb, idx);
        t.lock_holder = static_cast<int8_t>(CpuIndex(k, c));
        f.offset = idx;
        f.pc = kPpReadUnlock;
        return StepResult::kStep;
      }
      // read_from_zspool() into req->page (the model's compression is the
      // identity); slot_unlock(); list_del_init(&pps->entry);
      // zram_submit_wb_request(): num_inflight++, submit_bio().
      Emit(k, c, StepId::kZramWbSubmit, idx, kNoPage, t.data);
      pp_list_del(wb, idx);
      ++wb.num_inflight;
      Bio bio;
      bio.write = true;
      bio.offset = idx;
      bio.data = t.data;
      bio.generation = t.generation;
      bio.zram_wb = true;
      bio.block = l.blk_idx;
      bio.wb_ctl = wb.ctl;
      bio.zram_dev = l.dev;
      submit_bio(k, bio);
      l.blk_idx = -1;
      return StepResult::kStep;
    }
    case kDrain: {
      // "if (req) release_wb_req(req)" has nothing to release here. A block
      // still reserved for a skipped last slot stays reserved, as 7.1.5 has
      // it (zram_wb_leaks_reserved_block; see kSelect). Then: while
      // (num_inflight > 0) {
      // wait_event(done_wait, !list_empty(&done_reqs));
      // zram_complete_done_reqs(); }
      ZramWb& wb = z.wb;
      if (wb.num_inflight == 0) {
        f.pc = kReleasePpCtl;
        return StepResult::kContinue;
      }
      if (wb.ndone == 0) {
        return BlockZram(c, Wait::Kind::kZramWbDone, l.dev, static_cast<int16_t>(wb.wakeups));
      }
      f.pc = kTakeDone;
      return StepResult::kContinue;
    }
    case kTakeDone: {
      // zram_complete_done_reqs(): while (num_inflight > 0) { [done_lock]
      // req = list_first_entry_or_null(&done_reqs); list_del(); unlock;
      // if (!req) break; ... }. An empty list changes nothing: no step.
      ZramWb& wb = z.wb;
      if (wb.num_inflight == 0 || wb.ndone == 0) {
        f.pc = kDrain;
        return StepResult::kContinue;
      }
      wb.req = wb.done[--wb.ndone];
      Emit(k, c, StepId::kZramWbTakeDone, wb.req.index, kNoPage,
           static_cast<Token>(wb.req.blk_idx));
      wb_ctl_live(k, z, wb.ctl, Fn::kZramCompleteDoneReqs);
      f.offset = wb.req.index;
      f.pc = kComplete;
      return StepResult::kStep;
    }
    case kComplete: {
      // zram_writeback_complete() (bios do not fail in the model): under the
      // slot lock, a slot that lost ZRAM_PP_SLOT (freed, rewritten or read
      // since the scan) gives the block back; else its zsmalloc object is
      // freed and the slot points at the block: handle = blk_idx, ZRAM_WB,
      // ZRAM_IDLE cleared (ZRAM_HUGE stays). Then, after the unlock,
      // zram_complete_done_reqs()'s atomic_dec(&num_inflight), which only
      // this task reads.
      ZramWb& wb = z.wb;
      const ZramWbReq req = wb.req;
      if (slot_busy(k, z, c, req.index))
        return BlockZram(c, Wait::Kind::kZramSlot, l.dev, req.index);
      ZramSlot& t = z.table[req.index];
      if (!t.pp_slot) {
        Emit(k, c, StepId::kZramWbCompleteRelease, req.index, kNoPage,
             static_cast<Token>(req.blk_idx));
        free_block_bdev(z, req.blk_idx);
      } else {
        Emit(k, c, StepId::kZramWbCompleteWb, req.index, kNoPage, static_cast<Token>(req.blk_idx));
        check_written_back(k, z, req.index, req.blk_idx, Fn::kZramWritebackComplete);
        t.idle = false;
        --z.stored_pages;  // zs_free()
        t.state = ZramSlot::State::kWb;
        t.block = req.blk_idx;
        ++z.wb_pages;
      }
      --wb.num_inflight;
      f.pc = kReleasePp;
      return StepResult::kStep;
    }
    case kReleasePp: {
      // release_pp_slot(req->pps): [slot lock] clear ZRAM_PP_SLOT; the
      // request goes back on the idle list.
      const Offset idx = z.wb.req.index;
      if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, idx);
      Emit(k, c, StepId::kZramWbReleasePp, idx, kNoPage);
      z.table[idx].pp_slot = false;
      f.pc = kTakeDone;
      return StepResult::kStep;
    }
    case kReleasePpCtl: {
      // release_pp_ctl(): release_pp_slot() of each pp slot -ENOSPC left,
      // lowest bucket first.
      ZramWb& wb = z.wb;
      const Offset idx = last_in_bucket(wb.pp_rest != 0 ? wb.pp_rest : wb.pp_huge);
      if (idx == kNoOffset) {
        f.pc = wb_batched(k) ? kReleaseWbCtl : kPpDone;
        return StepResult::kContinue;
      }
      if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, idx);
      Emit(k, c, StepId::kZramWbReleasePp, idx, kNoPage);
      pp_list_del(wb, idx);
      z.table[idx].pp_slot = false;
      return StepResult::kStep;
    }
    case kReleaseWbCtl: {
      // release_wb_ctl(): nothing in flight or done is left (its two
      // WARN_ON()s); the idle requests and their pages are freed, then
      // wb_ctl; dev_lock is dropped as writeback_store() returns.
      ZramWb& wb = z.wb;
      if (k.knob(Knob::kZramWbEndioUaf)) {
        // Before bf62f69574b1: kfree(wb_ctl), whatever a completion still
        // does with it.
        Emit(k, c, StepId::kZramWbCtlKfree, kNoOffset, kNoPage, wb.ctl);
      } else {
        // "kfree_rcu(wb_ctl, rcu);": the memory goes after a grace period,
        // which ends once every RCU read section begun before it has: the
        // completion's rcu_read_lock() .. rcu_read_unlock() around its
        // list_add() and wake_up(), when the interrupt is between the two.
        Emit(k, c, StepId::kZramWbCtlKfreeRcu, kNoOffset, kNoPage, wb.ctl);
        if (wb.endio_ctl != 0 && wb.rcu_deferred == 0) wb.rcu_deferred = wb.ctl;
      }
      wb.ctl = 0;
      wb.dev_lock_owner = -1;
      return Finish(c, 0);
    }

      // --- 6.18.35's synchronous post-processing writeback (kPostProcess) ---

    case kPpReadUnlock: {
      // The object decompressed into the page; zram_slot_unlock().
      ZramSlot& t = z.table[f.offset];
      Emit(k, c, StepId::kZramWbPpReadUnlock, f.offset, f.page, t.data);
      page_checked(k, f.page, Fn::kZramWritebackSlots).data = t.data;
      l.generation = t.generation;
      t.lock_holder = -1;
      f.pc = kPpWrite;
      return StepResult::kStep;
    }
    case kPpWrite: {
      // submit_bio_wait() of the page to blk_idx, slot lock dropped.
      const Page& page = page_checked(k, f.page, Fn::kZramWritebackSlots);
      Emit(k, c, StepId::kZramWbPpWrite, f.offset, f.page, page.data);
      ZramBdBlock& b = z.bd[l.blk_idx];
      b.data = page.data;
      b.generation = l.generation;
      f.pc = kPpCommit;
      return StepResult::kStep;
    }
    case kPpCommit: {
      // [slot lock] "if (!zram_test_flag(zram, index, ZRAM_PP_SLOT)) goto
      // next;" (freed, rewritten or read meanwhile: blk_idx stays reserved
      // for the next slot); else zram_free_page(), ZRAM_WB, handle =
      // blk_idx. Then next: zram_slot_unlock(); release_pp_slot(), whose own
      // slot lock section clears ZRAM_PP_SLOT again; no one else sets it
      // while pp_in_progress is held, so the two sections are one step.
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, l.dev, f.offset);
      const bool changed = !z.table[f.offset].pp_slot;
      Emit(k, c, changed ? StepId::kZramWbPpAbort : StepId::kZramWbPpCommit, f.offset, kNoPage,
           static_cast<Token>(l.blk_idx));
      f.pc = kSelect;
      if (changed) return StepResult::kStep;
      check_written_back(k, z, f.offset, l.blk_idx, Fn::kZramWritebackSlots);
      commit_written_back(z, f.offset, l.blk_idx);
      l.blk_idx = -1;
      return StepResult::kStep;
    }
    case kPpDone: {
      // The end of zram_writeback_slots(): "if (blk_idx)
      // free_block_bdev(zram, blk_idx); if (page) __free_page(page);"; then
      // writeback_store(): release_pp_ctl() (kReleasePpCtl, before this) and
      // atomic_set(&zram->pp_in_progress, 0).
      Emit(k, c, StepId::kZramWbPpDone, kNoOffset, f.page, static_cast<Token>(l.blk_idx));
      if (l.blk_idx >= 0) free_block_bdev(z, l.blk_idx);
      l.blk_idx = -1;
      if (f.page != kNoPage) put_page(k, f.page, Fn::kZramWritebackStore);
      f.page = kNoPage;
      z.wb.pp_in_progress = false;
      --z.dev_lock_readers;  // up_read(&zram->init_lock)
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

StepResult zram_writeback_endio(Kernel& k, Cpu& c, const Bio& bio) {
  // The write is on the backing device. Then [rcu_read_lock(), with the
  // fix] spin_lock_irqsave(&wb_ctl->done_lock); list_add(&req->entry,
  // &wb_ctl->done_reqs); spin_unlock_irqrestore().
  Emit(k, c, StepId::kZramWbEndioAdd, bio.offset, kNoPage, bio.data);
  Zram& z = ZramDev(k, bio.zram_dev);
  ZramBdBlock& b = z.bd[bio.block];
  b.data = bio.data;
  b.generation = bio.generation;
  if (!wb_ctl_live(k, z, bio.wb_ctl, Fn::kZramWritebackEndio)) return StepResult::kStep;
  ZramWb& wb = z.wb;
  wb.done[wb.ndone++] = ZramWbReq{bio.offset, bio.block, bio.generation, bio.data};
  wb.endio_ctl = bio.wb_ctl;
  return StepResult::kStep;
}

StepResult zram_writeback_endio_wake(Kernel& k, Cpu& c, uint8_t dev) {
  // wake_up(&wb_ctl->done_wait) [; rcu_read_unlock(), with the fix]. The
  // completion still holds bio->bi_private: the wb_ctl must not have been
  // freed since its list_add().
  Zram& z = ZramDev(k, dev);
  ZramWb& wb = z.wb;
  const uint16_t ctl = wb.endio_ctl;
  wb.endio_ctl = 0;
  Emit(k, c, StepId::kZramWbEndioWake, kNoOffset, kNoPage, ctl);
  if (!wb_ctl_live(k, z, ctl, Fn::kZramWritebackEndio)) return StepResult::kStep;
  ++wb.wakeups;
  // The read section is over: a kfree_rcu() that waited for it frees now.
  wb.rcu_deferred = 0;
  return StepResult::kStep;
}

// --- zram1, the plain block device (7.1.5) ---

void zram_boot(Kernel& k) {
  for (uint8_t dev = 0; dev < 2; ++dev) {
    Zram& z = ZramDev(k, dev);
    z = Zram{};
    z.disksize = dev == 0 ? k.swap_info[0].nslots : kZramBdevPages;
    z.capacity = z.disksize;
    z.openers = dev == 0 ? 1 : 0;  // swapon's claim of the bdev
    z.backing_dev = true;
    z.recomp_alg = true;
    z.table_id = ++z.id_seq;
    z.comp_id = ++z.id_seq;
    for (ZcompStrm& st : z.strm) st.allocated = true;
  }
  k.zram_bdev_sector.fill(ZramBdevSector{});
  k.zram_bdev_io.fill(ZramBdevIo{});
}

namespace {

constexpr uint8_t kBdev = 1;  // ZramDev(): the plain device

// Whether a read of `index` may return `value`: the last completed write or
// discard (or one that completed during it), or a write in flight.
bool bdev_may_read(const Kernel& k, Offset index, Token value) {
  const ZramBdevSector& s = k.zram_bdev_sector[index];
  for (int i = 0; i < s.nlast; ++i) {
    if (s.last[i] == value) return true;
  }
  for (const ZramBdevIo& io : k.zram_bdev_io) {
    if (io.active && io.write && io.index == index && io.value == value) return true;
  }
  return false;
}

void bdev_check_read(Kernel& k, Offset index, Token value, Fn fn) {
  if (bdev_may_read(k, index, value)) return;
  const ZramBdevSector& s = k.zram_bdev_sector[index];
  Report(k, Oracle::kDataIntegrity, fn, ObjectKind::kZramSlot, true,
         "zram1 page %d read %#llx; the last completed write or discard left %#llx, and no "
         "write in flight stores it",
         index, static_cast<unsigned long long>(value), static_cast<unsigned long long>(s.last[0]));
}

// bio_endio() of task `task`'s write or discard: the page may now hold its
// value or that of a write that completed while it was in flight; writes
// still in flight to the page note it as completed during them.
void bdev_io_complete(Kernel& k, int task) {
  ZramBdevIo& io = k.zram_bdev_io[task];
  ZramBdevSector& s = k.zram_bdev_sector[io.index];
  s.last[0] = io.value;
  s.nlast = 1;
  for (int t = 0; t < kMaxCpus; ++t) {
    if ((io.during_tasks >> t) & 1u) s.last[s.nlast++] = io.during[t];
  }
  for (int t = 0; t < kMaxCpus; ++t) {
    ZramBdevIo& other = k.zram_bdev_io[t];
    if (t == task || !other.active || !other.write || other.index != io.index) continue;
    other.during[task] = io.value;
    other.during_tasks |= static_cast<uint8_t>(1u << task);
  }
  io.write = false;  // no longer in flight
}

// The table a bio's slot-lock section runs on: the one its first section
// found (zram->table is read afresh each time; a different or NULL one means
// the bio's table was freed under it).
bool bdev_table(Kernel& k, const Zram& z, ZramSubmitBioLocals& l, Fn fn) {
  if (l.table == 0) l.table = z.table_id;
  if (l.table != 0 && l.table == z.table_id) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kZramTable, true,
         "zram1 table %d used after zram_meta_free() (now %d)", l.table, z.table_id);
  return false;
}

// The stream a bio locked in zcomp_stream_get(): still the live comp's, still
// allocated and still held by this task.
bool bdev_stream(Kernel& k, const Zram& z, const ZramSubmitBioLocals& l, int task, Fn fn) {
  const ZcompStrm& st = z.strm[l.strm];
  if (l.comp == z.comp_id && st.allocated && st.mutex_owner == task) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kZcompStrm, true,
         "zram1 stream of cpu %d (comp %d) used after it was freed (comp now %d)", l.strm, l.comp,
         z.comp_id);
  return false;
}

}  // namespace

StepResult zram_submit_bio(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_zram_submit_bio(SWAPFUZZ_STATE_ENUMERATOR) };
  ZramSubmitBioLocals& l = Locals<Fn::kZramSubmitBio>(f);
  Zram& z = k.zram_bdev;
  const int task = CpuIndex(k, c);
  ZramBdevIo& io = k.zram_bdev_io[task];
  switch (f.pc) {
    case kOpen: {
      f.offset = static_cast<Offset>(l.index % kZramBdevPages);
      if (z.claim) {  // zram_open(): "zram was claimed to reset so open request fails"
        Emit(k, c, StepId::kZramBdevOpenBusy, f.offset, kNoPage);
        return Finish(c, -16);
      }
      ++z.openers;
      io = ZramBdevIo{};
      io.active = true;
      io.index = f.offset;
      io.write = l.op != ZramBioOp::kRead;
      // A write stores a fresh token, as a user write does, or zeros; a
      // discard leaves the page reading zeros.
      if (l.op == ZramBioOp::kWrite && !l.zero) {
        io.value = (static_cast<Token>(c.tid) << 32) | ++c.write_seq;
      }
      Emit(k, c, StepId::kZramBdevOpen, f.offset, kNoPage, io.value);
      f.pc = kSubmit;
      return StepResult::kStep;
    }
    case kSubmit:
      if (f.offset >= z.capacity) {
        Emit(k, c, StepId::kZramBdevEod, f.offset, kNoPage, static_cast<Token>(z.capacity));
        io.write = false;  // nothing stored
        l.ret = -5;
        f.pc = kRelease;
        return StepResult::kStep;
      }
      switch (l.op) {
        case ZramBioOp::kRead:
          f.pc = kReadLock;
          break;
        case ZramBioOp::kWrite:
          f.pc = io.value == 0 ? kWriteSame : kStreamGet;
          break;
        case ZramBioOp::kDiscard:
          f.pc = kDiscard;
          break;
      }
      return StepResult::kContinue;
    case kReadLock: {
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, f.offset);
      const ZramSlot& peek = z.table[f.offset];
      const bool wb = peek.state == ZramSlot::State::kWb;
      Emit(k, c, wb ? StepId::kZramBdevReadWb : StepId::kZramBdevReadLock, f.offset, kNoPage,
           peek.data);
      if (!bdev_table(k, z, l, Fn::kZramBioRead)) return StepResult::kStep;
      ZramSlot& s = z.table[f.offset];
      if (wb) {
        // "The slot should be unlocked before reading from the backing
        // device." What the block holds now is what the read saw.
        bdev_check_read(k, f.offset, s.data, Fn::kZramBioRead);
        io.value = s.data;
        l.blk_idx = s.block;
        l.blk_seq = z.bd[s.block].seq;
        f.pc = kReadBdev;
        return StepResult::kStep;
      }
      if (s.state == ZramSlot::State::kStored && !s.huge) {
        // read_compressed_page(): the stream is taken under the slot lock.
        s.lock_holder = static_cast<int8_t>(task);
        f.pc = kStreamGet;
        return StepResult::kStep;
      }
      // read_same_filled_page() (an empty slot too: handle 0) or
      // read_incompressible_page(), then slot_unlock().
      bdev_check_read(k, f.offset, s.data, Fn::kZramBioRead);
      f.pc = kAccessed;
      return StepResult::kStep;
    }
    case kStreamGet: {
      // zcomp_stream_get(zram->comps[prio]). Its retry when the CPU's stream
      // has no buffer (zcomp_cpu_dead() ran) is not reached: the model frees
      // streams only with their comp, at reset.
      const int cpu = c.on_cpu;
      ZcompStrm& st = z.strm[cpu];
      if (z.comp_id != 0 && st.mutex_owner != -1 && st.mutex_owner != task) {
        return BlockZram(c, Wait::Kind::kZcompStrm, kBdev, static_cast<int16_t>(cpu));
      }
      Emit(k, c, StepId::kZramBdevStreamGet, f.offset, kNoPage, static_cast<Token>(cpu));
      if (z.comp_id == 0) {  // zram->comps[prio] is NULL: zcomp_destroy() ran
        Report(k, Oracle::kUseAfterFree, Fn::kZcompStreamGet, ObjectKind::kZcompStrm, true,
               "zram1 comps[] used after zcomp_destroy()");
        return StepResult::kStep;
      }
      st.mutex_owner = static_cast<int8_t>(task);
      l.comp = z.comp_id;
      l.strm = static_cast<uint8_t>(cpu);
      f.pc = l.op == ZramBioOp::kRead ? kDecompress : kCompress;
      return StepResult::kStep;
    }
    case kDecompress: {
      Emit(k, c, StepId::kZramBdevDecompress, f.offset, kNoPage, z.table[f.offset].data);
      if (!bdev_stream(k, z, l, task, Fn::kZramBioRead)) return StepResult::kStep;
      if (!bdev_table(k, z, l, Fn::kZramBioRead)) return StepResult::kStep;
      ZramSlot& s = z.table[f.offset];
      bdev_check_read(k, f.offset, s.data, Fn::kZramBioRead);
      z.strm[l.strm].mutex_owner = -1;
      s.lock_holder = -1;
      f.pc = kAccessed;
      return StepResult::kStep;
    }
    case kReadBdev: {
      // The slot lock is not held: a write or discard of the page meanwhile
      // gives the block back (slot_free()), and a writeback may reserve it
      // for another page. A block is disk, not memory, so reading it freed
      // is no use-after-free; what the read copies must be what the page
      // held when the read looked, or what it may hold now.
      const ZramBdBlock& b = z.bd[l.blk_idx];
      Emit(k, c, StepId::kZramBdevReadBdev, f.offset, kNoPage, b.data);
      if (b.data != io.value && !bdev_may_read(k, f.offset, b.data)) {
        Report(k, Oracle::kDataIntegrity, Fn::kZramBioRead, ObjectKind::kBlock, true,
               "zram1 page %d: read_from_bdev() copied %#llx from block %d (reallocated %d), "
               "but the page held %#llx when the read looked and may hold %#llx now",
               f.offset, static_cast<unsigned long long>(b.data), l.blk_idx, b.seq != l.blk_seq,
               static_cast<unsigned long long>(io.value),
               static_cast<unsigned long long>(k.zram_bdev_sector[f.offset].last[0]));
        return StepResult::kStep;
      }
      f.pc = kAccessed;
      return StepResult::kStep;
    }
    case kCompress:
      Emit(k, c, StepId::kZramBdevCompress, f.offset, kNoPage, io.value);
      if (!bdev_stream(k, z, l, task, Fn::kZramBioWrite)) return StepResult::kStep;
      z.strm[l.strm].mutex_owner = -1;
      f.pc = kWriteStore;
      return StepResult::kStep;
    case kWriteStore:
    case kWriteSame: {
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, f.offset);
      const bool same = f.pc == kWriteSame;
      Emit(k, c, same ? StepId::kZramBdevWriteSame : StepId::kZramBdevWriteStore, f.offset, kNoPage,
           io.value);
      if (!bdev_table(k, z, l, Fn::kZramBioWrite)) return StepResult::kStep;
      slot_free(z, f.offset);
      ZramSlot& s = z.table[f.offset];
      s.state = same ? ZramSlot::State::kSame : ZramSlot::State::kStored;
      if (!same) ++z.stored_pages;
      s.huge = !same && (io.value & 1) != 0;
      s.data = io.value;
      f.pc = kAccessed;
      return StepResult::kStep;
    }
    case kAccessed: {
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, f.offset);
      Emit(k, c, StepId::kZramBdevAccessed, f.offset, kNoPage);
      if (!bdev_table(k, z, l, l.op == ZramBioOp::kRead ? Fn::kZramBioRead : Fn::kZramBioWrite)) {
        return StepResult::kStep;
      }
      ZramSlot& s = z.table[f.offset];
      s.idle = false;
      s.pp_slot = false;
      if (l.op == ZramBioOp::kWrite) bdev_io_complete(k, task);
      f.pc = kRelease;
      return StepResult::kStep;
    }
    case kDiscard: {
      if (slot_busy(k, z, c, f.offset)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, f.offset);
      Emit(k, c, StepId::kZramBdevDiscard, f.offset, kNoPage);
      if (!bdev_table(k, z, l, Fn::kZramBioDiscard)) return StepResult::kStep;
      slot_free(z, f.offset);
      bdev_io_complete(k, task);
      f.pc = kRelease;
      return StepResult::kStep;
    }
    case kRelease:
      Emit(k, c, StepId::kZramBdevRelease, f.offset, kNoPage);
      --z.openers;
      io = ZramBdevIo{};
      return Finish(c, l.ret);
  }
  return StepResult::kStep;
}

StepResult zram_reset_store(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_zram_reset_store(SWAPFUZZ_STATE_ENUMERATOR) };
  ZramResetStoreLocals& l = Locals<Fn::kZramResetStore>(f);
  Zram& z = ZramDev(k, l.dev);
  const int task = CpuIndex(k, c);
  switch (f.pc) {
    case kClaim:
      // "Do not reset an active device or claimed device"
      if (z.openers != 0 || z.claim) {
        Emit(k, c, StepId::kZramResetBusy, kNoOffset, kNoPage, l.dev);
        return Finish(c, -16);
      }
      Emit(k, c, StepId::kZramResetClaim, kNoOffset, kNoPage, l.dev);
      z.claim = true;
      f.pc = kMetaFree;
      return StepResult::kStep;
    case kMetaFree: {
      if (z.wb.dev_lock_owner != -1 || z.dev_lock_readers != 0) {
        return BlockZram(c, Wait::Kind::kZramDevLock, l.dev, kZramDevLockWrite);
      }
      Emit(k, c, StepId::kZramResetMetaFree, kNoOffset, kNoPage, z.table_id);
      z.wb.dev_lock_owner = static_cast<int8_t>(task);
      z.capacity = 0;
      // zram_meta_free(): "Free all pages that are still in this zram
      // device", without their slot locks (no I/O can be running).
      if (z.table_id != 0) {
        for (Offset i = 0; i < z.disksize; ++i) slot_free(z, i);
      }
      z.table_id = 0;
      z.disksize = 0;
      if (l.dev == kBdev) k.zram_bdev_sector.fill(ZramBdevSector{});  // it reads zeros
      l.cpu = 0;
      f.pc = kStreams;
      return StepResult::kStep;
    }
    case kStreams: {
      int cpu = l.cpu;
      while (cpu < kMaxCpus && (z.comp_id == 0 || !z.strm[cpu].allocated)) ++cpu;
      if (cpu == kMaxCpus) {
        f.pc = kDone;
        return StepResult::kContinue;
      }
      ZcompStrm& st = z.strm[cpu];
      if (st.mutex_owner != -1 && st.mutex_owner != task) {
        return BlockZram(c, Wait::Kind::kZcompStrm, l.dev, static_cast<int16_t>(cpu));
      }
      Emit(k, c, StepId::kZramResetStreamFree, kNoOffset, kNoPage, static_cast<Token>(cpu));
      st.allocated = false;
      l.cpu = static_cast<uint8_t>(cpu + 1);
      return StepResult::kStep;
    }
    case kDone:
      Emit(k, c, StepId::kZramResetDone, kNoOffset, kNoPage, z.comp_id);
      z.comp_id = 0;
      // memset(&zram->stats, 0, ...); reset_bdev(): filp_close() of the
      // backing device and its bitmap freed (slot_free() gave back every
      // block in use).
      z.miss_free = 0;
      z.stored_pages = 0;
      z.wb_pages = 0;
      z.backing_dev = false;
      // zram_destroy_comps(): "zram->comp_algs[prio] = NULL" for every
      // priority; zram_reset_device() sets only the primary one again.
      z.recomp_alg = false;
      z.wb.dev_lock_owner = -1;
      f.pc = kUnclaim;
      return StepResult::kStep;
    case kUnclaim:
      Emit(k, c, StepId::kZramResetUnclaim, kNoOffset, kNoPage, l.dev);
      z.claim = false;
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

StepResult disksize_store(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_disksize_store(SWAPFUZZ_STATE_ENUMERATOR) };
  DisksizeStoreLocals& l = Locals<Fn::kZramDisksizeStore>(f);
  Zram& z = k.zram_bdev;
  switch (f.pc) {
    case kMetaAlloc:
      if (z.wb.dev_lock_owner != -1 || z.dev_lock_readers != 0) {
        return BlockZram(c, Wait::Kind::kZramDevLock, kBdev, kZramDevLockWrite);
      }
      if (z.disksize != 0) {
        // "Cannot change disksize for initialized device"; the guard drops
        // dev_lock.
        Emit(k, c, StepId::kZramDisksizeBusy, kNoOffset, kNoPage, z.disksize);
        return Finish(c, -16);
      }
      z.wb.dev_lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      // vzalloc(): every slot empty, unlocked.
      z.table.fill(ZramSlot{});
      z.table_id = ++z.id_seq;
      Emit(k, c, StepId::kZramDisksizeMetaAlloc, kNoOffset, kNoPage, z.table_id);
      f.pc = kComp;
      return StepResult::kStep;
    case kComp:
      z.comp_id = ++z.id_seq;
      for (ZcompStrm& st : z.strm) st = ZcompStrm{.allocated = true};
      Emit(k, c, StepId::kZramDisksizeComp, kNoOffset, kNoPage, z.comp_id);
      f.pc = kSet;
      return StepResult::kStep;
    case kSet:
      z.disksize = l.pages;
      z.capacity = l.pages;
      z.wb.dev_lock_owner = -1;
      Emit(k, c, StepId::kZramDisksizeDone, kNoOffset, kNoPage, l.pages);
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

StepResult recompress_store(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_recompress_store(SWAPFUZZ_STATE_ENUMERATOR) };
  RecompressStoreLocals& l = Locals<Fn::kZramRecompressStore>(f);
  Zram& z = k.zram_bdev;
  ZramWb& pp = z.wb;  // pp_ctl: dev_lock keeps a writeback's out
  const int task = CpuIndex(k, c);
  switch (f.pc) {
    case kInit:
      if (pp.dev_lock_owner != -1 || z.dev_lock_readers != 0) {
        return BlockZram(c, Wait::Kind::kZramDevLock, kBdev, kZramDevLockWrite);
      }
      // "if (!init_done(zram))" and, with no secondary algorithm since a
      // reset, "prio_max = min(prio_max, (u32)zram->num_active_comps); if
      // (prio >= prio_max)": -EINVAL either way.
      if (z.disksize == 0 || !z.recomp_alg) {
        Emit(k, c, StepId::kZramRecompInval, kNoOffset, kNoPage);
        return Finish(c, -22);
      }
      f.page = alloc_page(k);
      if (f.page == kNoPage) {  // -ENOMEM: release_pp_ctl(NULL) has nothing to do
        Emit(k, c, StepId::kZramRecompInval, kNoOffset, kNoPage);
        return Finish(c, -12);
      }
      pp.dev_lock_owner = static_cast<int8_t>(task);
      pp.pp_huge = 0;
      pp.pp_rest = 0;
      Emit(k, c, StepId::kZramRecompInit, kNoOffset, f.page);
      l.index = 0;
      f.pc = kScan;
      return StepResult::kStep;
    case kScan: {
      // The sections of slots that are skipped change nothing and are folded
      // into the next placed slot's step, each still waiting for its lock.
      Offset idx = l.index;
      for (; idx < z.disksize; ++idx) {
        if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, idx);
        const ZramSlot& t = z.table[idx];
        if (t.state != ZramSlot::State::kStored || t.incompressible || t.comp_priority >= 1) {
          continue;
        }
        if (l.mode == ZramRecompressMode::kIdle ? !t.idle : !t.huge) continue;
        break;
      }
      if (idx >= z.disksize) {
        f.pc = kSelect;
        return StepResult::kContinue;
      }
      ZramSlot& t = z.table[idx];
      Emit(k, c, StepId::kZramRecompScan, idx, kNoPage, t.data);
      (t.huge ? pp.pp_huge : pp.pp_rest) |= 1u << idx;
      t.pp_slot = true;
      l.index = static_cast<Offset>(idx + 1);
      return StepResult::kStep;
    }
    case kSelect: {
      const Offset idx = select_pp_slot(pp);
      if (idx == kNoOffset) {
        f.pc = kDone;
        return StepResult::kContinue;
      }
      if (slot_busy(k, z, c, idx)) return BlockZram(c, Wait::Kind::kZramSlot, kBdev, idx);
      ZramSlot& t = z.table[idx];
      pp_list_del(pp, idx);
      if (!t.pp_slot) {  // freed, rewritten or read since the scan: "goto next"
        Emit(k, c, StepId::kZramRecompSkip, idx, kNoPage, t.data);
        return StepResult::kStep;
      }
      // read_from_zspool() into the page; "clear_slot_flag(zram, index,
      // ZRAM_IDLE)". The slot lock is held into the next step.
      Emit(k, c, StepId::kZramRecompRead, idx, f.page, t.data);
      page_checked(k, f.page, Fn::kZramRecompressSlot).data = t.data;
      t.idle = false;
      t.lock_holder = static_cast<int8_t>(task);
      l.slot = idx;
      f.pc = kRecompress;
      return StepResult::kStep;
    }
    case kRecompress: {
      // zcomp_stream_get(zram->comps[prio]): the mutex of the running CPU's
      // stream, slept on with the slot lock held.
      const int cpu = c.on_cpu;
      if (z.strm[cpu].mutex_owner != -1 && z.strm[cpu].mutex_owner != task) {
        return BlockZram(c, Wait::Kind::kZcompStrm, kBdev, static_cast<int16_t>(cpu));
      }
      const Offset idx = l.slot;
      ZramSlot& t = z.table[idx];
      const Token copied = page_checked(k, f.page, Fn::kZramRecompressSlot).data;
      const bool smaller = (copied & 2) != 0;
      Emit(k, c, smaller ? StepId::kZramRecompSmaller : StepId::kZramRecompNotSmallerKept, idx,
           f.page, copied);
      // slot_unlock(); release_pp_slot().
      t.lock_holder = -1;
      t.pp_slot = false;
      l.slot = kNoOffset;
      f.pc = kSelect;
      if (z.comp_id == 0 || !z.strm[cpu].allocated) {
        Report(k, Oracle::kUseAfterFree, Fn::kZramRecompressSlot, ObjectKind::kZcompStrm, true,
               "zram1 stream of cpu %d used after it was freed", cpu);
        return StepResult::kStep;
      }
      if (!smaller) {
        t.incompressible = true;
        return StepResult::kStep;
      }
      slot_free(z, idx);
      t.state = ZramSlot::State::kStored;
      ++z.stored_pages;
      t.data = copied;
      t.comp_priority = 1;
      return StepResult::kStep;
    }
    case kDone:
      // release_pp_ctl(): no pp slot is left (the loop has no break: no
      // max_pages limit, recompress_slot() does not fail in the model).
      Emit(k, c, StepId::kZramRecompDone, kNoOffset, f.page);
      put_page(k, f.page, Fn::kZramRecompressStore);
      f.page = kNoPage;
      pp.dev_lock_owner = -1;
      return Finish(c, 0);
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
