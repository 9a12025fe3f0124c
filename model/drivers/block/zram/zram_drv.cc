#include "model/drivers/block/zram/zram_drv.h"

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
  // ("Clearing ZRAM_UNDER_WB is duty of caller").
  s.state = ZramSlot::State::kEmpty;
  s.idle = false;
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
  s.idle = false;  // zram_accessed()
  return true;
}

void zram_read_finish(Kernel& k, Cpu& c, Offset index, PageId page) {
  ZramSlot& s = k.zram.table[index];
  (void)c;
  page_checked(k, page, Fn::kZramBvecRead).data = s.data;
  s.idle = false;  // zram_accessed()
  s.lock_holder = -1;
}

bool zram_read_wb_begin(Kernel& k, Offset index, int16_t* block, uint16_t* seq) {
  ZramSlot& s = k.zram.table[index];
  if (s.state != ZramSlot::State::kWb) return false;
  *block = s.block;
  *seq = k.zram.bd[s.block].seq;
  s.idle = false;  // zram_accessed()
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
  for (Offset i = 1; i < kMaxSlots; ++i) {
    if (zram_slot_busy(k, c, i)) return Block(c, Wait::Kind::kZramSlot, i);
  }
  Emit(k, c, StepId::kZramIdle, kNoOffset, kNoPage);
  for (Offset i = 1; i < kMaxSlots; ++i) {
    ZramSlot& s = k.zram.table[i];
    if (s.state != ZramSlot::State::kEmpty && !s.under_wb) s.idle = true;
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
      // Oracle: the block must hold what the slot holds now.
      const ZramBdBlock& b = k.zram.bd[l.blk_idx];
      if (b.data != s->data || b.generation != s->generation) {
        Report(k, Oracle::kStaleWrite, Fn::kZramWritebackStore, ObjectKind::kZramSlot, true,
               "zram slot %d (generation %u, %#llx) written back as %#llx of generation %u",
               f.offset, s->generation, static_cast<unsigned long long>(s->data),
               static_cast<unsigned long long>(b.data), b.generation);
      }
      const Token data = s->data;
      const uint32_t gen = s->generation;
      zram_free_page(k, f.offset);
      s->under_wb = false;
      s->state = ZramSlot::State::kWb;
      s->block = l.blk_idx;
      s->data = data;
      s->generation = gen;
      ++k.zram.wb_pages;
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
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
