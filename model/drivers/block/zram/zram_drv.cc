#include "model/drivers/block/zram/zram_drv.h"

#include "model/mm/page_io.h"

namespace swapfuzz {
namespace {

// free_block_bdev()
void free_block_bdev(Kernel& k, int16_t block) {
  if (block < 0) return;
  k.zram.bd[block].used = false;
}

// alloc_block_bdev(): the lowest free block, or -1 (-ENOSPC).
int16_t alloc_block_bdev(Kernel& k) {
  for (int16_t b = 0; b < kMaxSlots; ++b) {
    ZramBdBlock& block = k.zram.bd[b];
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
bool wb_ctl_live(Kernel& k, uint16_t id, Fn fn) {
  const ZramWb& wb = k.zram.wb;
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
void check_written_back(Kernel& k, Offset index, int16_t block, Fn fn) {
  const ZramSlot& t = k.zram.table[index];
  const ZramBdBlock& b = k.zram.bd[block];
  if (b.data == t.data && b.generation == t.generation) return;
  Report(k, Oracle::kStaleWrite, fn, ObjectKind::kZramSlot, true,
         "zram slot %d (generation %u, %#llx) written back as %#llx of generation %u", index,
         t.generation, static_cast<unsigned long long>(t.data),
         static_cast<unsigned long long>(b.data), b.generation);
}

// "zram_free_page(zram, index); zram_set_flag(zram, index, ZRAM_WB);
// zram_set_handle(zram, index, blk_idx);": the slot's data now lives in the
// block (the model keeps the data and generation on the slot too).
void commit_written_back(Kernel& k, Offset index, int16_t block) {
  ZramSlot& t = k.zram.table[index];
  const Token data = t.data;
  const uint32_t gen = t.generation;
  zram_free_page(k, index);
  t.state = ZramSlot::State::kWb;
  t.block = block;
  t.data = data;
  t.generation = gen;
  ++k.zram.wb_pages;
}

// list_del_init(&pps->entry)
void pp_list_del(ZramWb& wb, Offset index) {
  const uint32_t bit = 1u << index;
  wb.pp_huge &= ~bit;
  wb.pp_rest &= ~bit;
}

}  // namespace

bool zram_slot_busy(const Kernel& k, const Cpu& c, Offset index) {
  const int8_t holder = k.zram.table[index].lock_holder;
  return holder != -1 && holder != CpuIndex(k, c);
}

void zram_free_page(Kernel& k, Offset index) {
  ZramSlot& s = k.zram.table[index];
  if (s.state == ZramSlot::State::kStored) --k.zram.stored_pages;
  if (s.state == ZramSlot::State::kWb) {
    free_block_bdev(k, s.block);
    --k.zram.wb_pages;
  }
  // Clears ZRAM_IDLE, ZRAM_HUGE, ZRAM_WB, ZRAM_SAME; never ZRAM_UNDER_WB
  // ("Clearing ZRAM_UNDER_WB is duty of caller"). 6.18.35's zram_free_page()
  // and 7.1.5's slot_free() also clear ZRAM_PP_SLOT, which is how the
  // post-processing writeback learns that the slot was freed or rewritten.
  s.state = ZramSlot::State::kEmpty;
  s.idle = false;
  s.pp_slot = false;
  s.huge = false;
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
           k.config.zram_empty_read_fatal, "Page %d read from zram without previous write",
           index);
  }
  // zram_fill_page(): an empty slot reads as zeros.
  page_checked(k, page, Fn::kZramBvecRead).data = s.data;
  s.idle = false;  // zram_accessed(); 7.1.5's mark_slot_accessed() also clears
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
  const bool pp = wb_pp_slots(k);
  if (wb_batched(k) && k.zram.wb.dev_lock_owner != -1) {
    return Block(c, Wait::Kind::kZramDevLock, 0);
  }
  for (Offset i = 1; i < kMaxSlots; ++i) {
    if (zram_slot_busy(k, c, i)) return Block(c, Wait::Kind::kZramSlot, i);
  }
  Emit(k, c, StepId::kZramIdle, kNoOffset, kNoPage);
  for (Offset i = 1; i < kMaxSlots; ++i) {
    ZramSlot& s = k.zram.table[i];
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
  ZramSlot* s = f.offset > 0 ? &k.zram.table[f.offset] : nullptr;
  switch (f.pc) {
    case kStart:
      if (wb_pp_slots(k)) {
        f.pc = kInit;
        return StepResult::kContinue;
      }
      f.page = alloc_page(k);  // page = alloc_page(GFP_KERNEL)
      l.index = 1;
      l.blk_idx = -1;
      if (f.page == kNoPage) {
        Emit(k, c, StepId::kZramWbDone, kNoOffset, kNoPage);
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
      for (; idx < k.si.nslots; ++idx) {
        const ZramSlot& t = k.zram.table[idx];
        if (t.state != ZramSlot::State::kStored || t.under_wb) continue;
        if (l.mode == ZramWritebackMode::kIdle ? !t.idle : !t.huge) continue;
        break;
      }
      if (idx >= k.si.nslots) {
        f.pc = kEnd;
        return StepResult::kContinue;
      }
      if (zram_slot_busy(k, c, idx)) return Block(c, Wait::Kind::kZramSlot, idx);
      ZramSlot& t = k.zram.table[idx];
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
      if (zram_slot_busy(k, c, f.offset)) return Block(c, Wait::Kind::kZramSlot, f.offset);
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
      if (l.blk_idx < 0) l.blk_idx = alloc_block_bdev(k);
      Emit(k, c, StepId::kZramWbWrite, f.offset, f.page, k.pages[f.page].data);
      if (l.blk_idx < 0) {  // -ENOSPC: give the slot back and stop
        s->under_wb = false;
        s->idle = false;
        f.pc = kEnd;
        return StepResult::kStep;
      }
      ZramBdBlock& b = k.zram.bd[l.blk_idx];
      b.data = k.pages[f.page].data;
      b.generation = l.generation;
      f.pc = kCommit;
      return StepResult::kStep;
    }
    case kCommit: {
      // "We released zram_slot_lock so need to check if the slot was changed":
      // freed (!zram_allocated) or rewritten (ZRAM_IDLE cleared).
      if (zram_slot_busy(k, c, f.offset)) return Block(c, Wait::Kind::kZramSlot, f.offset);
      const bool changed = s->state == ZramSlot::State::kEmpty || !s->idle;
      Emit(k, c, changed ? StepId::kZramWbAbort : StepId::kZramWbCommit, f.offset, kNoPage,
           static_cast<Token>(l.blk_idx));
      if (changed) {
        s->under_wb = false;
        s->idle = false;
        f.pc = kCheck;
        return StepResult::kStep;
      }
      check_written_back(k, f.offset, l.blk_idx, Fn::kZramWritebackStore);
      commit_written_back(k, f.offset, l.blk_idx);
      s->under_wb = false;
      l.blk_idx = -1;
      f.pc = kCheck;
      return StepResult::kStep;
    }
    case kEnd:
      // free_block_bdev() of an unused blk_idx; __free_page(page).
      Emit(k, c, StepId::kZramWbDone, kNoOffset, f.page);
      if (l.blk_idx >= 0) free_block_bdev(k, l.blk_idx);
      put_page(k, f.page, Fn::kZramWritebackStore);
      return Finish(c, 0);

    // --- the batched writeback (Features::ZramWriteback::kBatched), 7.1.5 ---

    case kInit: {
      ZramWb& wb = k.zram.wb;
      if (!wb_batched(k)) {
        // 6.18.35: "if (atomic_xchg(&zram->pp_in_progress, 1)) return
        // -EAGAIN;" (one post-processing action at a time); init_pp_ctl().
        Emit(k, c, wb.pp_in_progress ? StepId::kZramWbPpBusy : StepId::kZramWbPpInit, kNoOffset,
             kNoPage);
        if (wb.pp_in_progress) return Finish(c, -11);
        wb.pp_in_progress = true;
        wb.pp_huge = 0;
        wb.pp_rest = 0;
        l.index = 1;
        l.blk_idx = -1;
        f.pc = kScan;
        return StepResult::kStep;
      }
      // guard(rwsem_write)(&zram->dev_lock); init_pp_ctl(); init_wb_ctl():
      // a new wb_ctl with wb_batch_size idle requests, each with a page.
      if (wb.dev_lock_owner != -1) return Block(c, Wait::Kind::kZramDevLock, 0);
      wb.dev_lock_owner = static_cast<int8_t>(CpuIndex(k, c));
      wb.ctl = ++wb.ctl_seq;
      wb.num_inflight = 0;
      wb.ndone = 0;
      wb.pp_huge = 0;
      wb.pp_rest = 0;
      Emit(k, c, StepId::kZramWbInit, kNoOffset, kNoPage, wb.ctl);
      l.index = 1;
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
      ZramWb& wb = k.zram.wb;
      Offset idx = l.index;
      for (; idx < k.si.nslots; ++idx) {
        if (zram_slot_busy(k, c, idx)) return Block(c, Wait::Kind::kZramSlot, idx);
        const ZramSlot& t = k.zram.table[idx];
        if (t.state != ZramSlot::State::kStored) continue;
        if (l.mode == ZramWritebackMode::kIdle ? !t.idle : !t.huge) continue;
        break;
      }
      if (idx >= k.si.nslots) {
        f.pc = kSelect;
        if (!wb_batched(k)) {
          // 6.18.35's zram_writeback_slots(): "page = alloc_page(GFP_KERNEL);
          // if (!page) return -ENOMEM;"
          f.page = alloc_page(k);
          if (f.page == kNoPage) f.pc = kReleasePpCtl;
        }
        return StepResult::kContinue;
      }
      ZramSlot& t = k.zram.table[idx];
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
      ZramWb& wb = k.zram.wb;
      const bool batched = wb_batched(k);
      const Offset idx = select_pp_slot(wb);
      if (idx == kNoOffset) {
        f.pc = batched ? kDrain : kReleasePpCtl;
        return StepResult::kContinue;
      }
      if (zram_slot_busy(k, c, idx)) return Block(c, Wait::Kind::kZramSlot, idx);
      if (l.blk_idx < 0) {
        // zram_reserve_bdev_block(); 6.18.35: alloc_block_bdev().
        l.blk_idx = alloc_block_bdev(k);
        if (l.blk_idx < 0) {  // -ENOSPC: break
          f.pc = batched ? kDrain : kReleasePpCtl;
          return StepResult::kContinue;
        }
      }
      ZramSlot& t = k.zram.table[idx];
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
          free_block_bdev(k, l.blk_idx);
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
      ZramWb& wb = k.zram.wb;
      if (wb.num_inflight == 0) {
        f.pc = kReleasePpCtl;
        return StepResult::kContinue;
      }
      if (wb.ndone == 0) {
        return Block(c, Wait::Kind::kZramWbDone, static_cast<int16_t>(wb.wakeups));
      }
      f.pc = kTakeDone;
      return StepResult::kContinue;
    }
    case kTakeDone: {
      // zram_complete_done_reqs(): while (num_inflight > 0) { [done_lock]
      // req = list_first_entry_or_null(&done_reqs); list_del(); unlock;
      // if (!req) break; ... }. An empty list changes nothing: no step.
      ZramWb& wb = k.zram.wb;
      if (wb.num_inflight == 0 || wb.ndone == 0) {
        f.pc = kDrain;
        return StepResult::kContinue;
      }
      wb.req = wb.done[--wb.ndone];
      Emit(k, c, StepId::kZramWbTakeDone, wb.req.index, kNoPage,
           static_cast<Token>(wb.req.blk_idx));
      wb_ctl_live(k, wb.ctl, Fn::kZramCompleteDoneReqs);
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
      ZramWb& wb = k.zram.wb;
      const ZramWbReq req = wb.req;
      if (zram_slot_busy(k, c, req.index)) return Block(c, Wait::Kind::kZramSlot, req.index);
      ZramSlot& t = k.zram.table[req.index];
      if (!t.pp_slot) {
        Emit(k, c, StepId::kZramWbCompleteRelease, req.index, kNoPage,
             static_cast<Token>(req.blk_idx));
        free_block_bdev(k, req.blk_idx);
      } else {
        Emit(k, c, StepId::kZramWbCompleteWb, req.index, kNoPage,
             static_cast<Token>(req.blk_idx));
        check_written_back(k, req.index, req.blk_idx, Fn::kZramWritebackComplete);
        t.idle = false;
        --k.zram.stored_pages;  // zs_free()
        t.state = ZramSlot::State::kWb;
        t.block = req.blk_idx;
        ++k.zram.wb_pages;
      }
      --wb.num_inflight;
      f.pc = kReleasePp;
      return StepResult::kStep;
    }
    case kReleasePp: {
      // release_pp_slot(req->pps): [slot lock] clear ZRAM_PP_SLOT; the
      // request goes back on the idle list.
      const Offset idx = k.zram.wb.req.index;
      if (zram_slot_busy(k, c, idx)) return Block(c, Wait::Kind::kZramSlot, idx);
      Emit(k, c, StepId::kZramWbReleasePp, idx, kNoPage);
      k.zram.table[idx].pp_slot = false;
      f.pc = kTakeDone;
      return StepResult::kStep;
    }
    case kReleasePpCtl: {
      // release_pp_ctl(): release_pp_slot() of each pp slot -ENOSPC left,
      // lowest bucket first.
      ZramWb& wb = k.zram.wb;
      const Offset idx = last_in_bucket(wb.pp_rest != 0 ? wb.pp_rest : wb.pp_huge);
      if (idx == kNoOffset) {
        f.pc = wb_batched(k) ? kReleaseWbCtl : kPpDone;
        return StepResult::kContinue;
      }
      if (zram_slot_busy(k, c, idx)) return Block(c, Wait::Kind::kZramSlot, idx);
      Emit(k, c, StepId::kZramWbReleasePp, idx, kNoPage);
      pp_list_del(wb, idx);
      k.zram.table[idx].pp_slot = false;
      return StepResult::kStep;
    }
    case kReleaseWbCtl: {
      // release_wb_ctl(): nothing in flight or done is left (its two
      // WARN_ON()s); the idle requests and their pages are freed, then
      // wb_ctl; dev_lock is dropped as writeback_store() returns.
      ZramWb& wb = k.zram.wb;
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
      ZramSlot& t = k.zram.table[f.offset];
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
      ZramBdBlock& b = k.zram.bd[l.blk_idx];
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
      if (zram_slot_busy(k, c, f.offset)) return Block(c, Wait::Kind::kZramSlot, f.offset);
      const bool changed = !k.zram.table[f.offset].pp_slot;
      Emit(k, c, changed ? StepId::kZramWbPpAbort : StepId::kZramWbPpCommit, f.offset, kNoPage,
           static_cast<Token>(l.blk_idx));
      f.pc = kSelect;
      if (changed) return StepResult::kStep;
      check_written_back(k, f.offset, l.blk_idx, Fn::kZramWritebackSlots);
      commit_written_back(k, f.offset, l.blk_idx);
      l.blk_idx = -1;
      return StepResult::kStep;
    }
    case kPpDone: {
      // The end of zram_writeback_slots(): "if (blk_idx)
      // free_block_bdev(zram, blk_idx); if (page) __free_page(page);"; then
      // writeback_store(): release_pp_ctl() (kReleasePpCtl, before this) and
      // atomic_set(&zram->pp_in_progress, 0).
      Emit(k, c, StepId::kZramWbPpDone, kNoOffset, f.page, static_cast<Token>(l.blk_idx));
      if (l.blk_idx >= 0) free_block_bdev(k, l.blk_idx);
      l.blk_idx = -1;
      if (f.page != kNoPage) put_page(k, f.page, Fn::kZramWritebackStore);
      f.page = kNoPage;
      k.zram.wb.pp_in_progress = false;
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
  ZramBdBlock& b = k.zram.bd[bio.block];
  b.data = bio.data;
  b.generation = bio.generation;
  if (!wb_ctl_live(k, bio.wb_ctl, Fn::kZramWritebackEndio)) return StepResult::kStep;
  ZramWb& wb = k.zram.wb;
  wb.done[wb.ndone++] = ZramWbReq{bio.offset, bio.block, bio.generation, bio.data};
  wb.endio_ctl = bio.wb_ctl;
  return StepResult::kStep;
}

StepResult zram_writeback_endio_wake(Kernel& k, Cpu& c) {
  // wake_up(&wb_ctl->done_wait) [; rcu_read_unlock(), with the fix]. The
  // completion still holds bio->bi_private: the wb_ctl must not have been
  // freed since its list_add().
  ZramWb& wb = k.zram.wb;
  const uint16_t ctl = wb.endio_ctl;
  wb.endio_ctl = 0;
  Emit(k, c, StepId::kZramWbEndioWake, kNoOffset, kNoPage, ctl);
  if (!wb_ctl_live(k, ctl, Fn::kZramWritebackEndio)) return StepResult::kStep;
  ++wb.wakeups;
  // The read section is over: a kfree_rcu() that waited for it frees now.
  wb.rcu_deferred = 0;
  return StepResult::kStep;
}

}  // namespace swapfuzz
