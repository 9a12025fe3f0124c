#include "model/mm/page_io.h"

#include "model/drivers/block/zram/zram_drv.h"

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

}  // namespace

StepResult swap_readpage(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { kRead, kDecompress, kNotify };
  switch (f.pc) {
    case kRead:  // bdev_read_page() -> zram_rw_page() -> __zram_bvec_read()
      if (zram_slot_busy(k, c, f.offset)) return Block(c, Wait::Kind::kZramSlot, f.offset);
      Emit(k, c, StepId::kZramReadLock, f.offset, f.page, k.zram.table[f.offset].data);
      if (!zram_read_begin(k, c, f.offset, f.page)) {
        f.pc = kDecompress;
        return StepResult::kStep;
      }
      read_endio(k, f.page);
      break;
    case kDecompress:
      Emit(k, c, StepId::kZramReadCopy, f.offset, f.page, k.zram.table[f.offset].data);
      zram_read_finish(k, c, f.offset, f.page);
      read_endio(k, f.page);
      break;
    case kNotify:
      Emit(k, c, StepId::kFreeNotify, f.offset, f.page);
      if (trylock_page(k, c, f.page)) {
        swap_slot_free_notify(k, f.page);
        unlock_page(k, f.page, Fn::kSwapReadpage);
      }
      return Finish(c, 0);
  }
  if (k.knob(Knob::kFreeNotifyOnRead)) {
    f.pc = kNotify;
    return StepResult::kStep;
  }
  return Finish(c, 0);
}

StepResult swap_writepage(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { kTryFree, kWrite };
  switch (f.pc) {
    case kTryFree:
      Emit(k, c, StepId::kWriteTryFree, f.offset, f.page);
      if (try_to_free_swap(k, c, f.page)) {
        unlock_page(k, f.page, Fn::kSwapWritepage);
        return Finish(c, 0);
      }
      f.pc = kWrite;
      return StepResult::kStep;
    case kWrite: {
      // __swap_writepage() -> bdev_write_page(): set_page_writeback, zram
      // write, page_endio() ends writeback, then unlock_page.
      if (zram_slot_busy(k, c, f.offset)) return Block(c, Wait::Kind::kZramSlot, f.offset);
      Emit(k, c, StepId::kZramWrite, f.offset, f.page, k.pages[f.page].data);
      zram_write(k, f.offset, f.page);
      unlock_page(k, f.page, Fn::kSwapWritepage);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
