#include "model/drivers/block/zram/zram_drv.h"

#include "model/step.h"

namespace swapfuzz {

bool zram_slot_busy(const Kernel& k, const Cpu& c, Offset index) {
  const int8_t holder = k.zram.table[index].lock_holder;
  return holder != -1 && holder != CpuIndex(k, c);
}

void zram_free_page(Kernel& k, Offset index) {
  ZramSlot& s = k.zram.table[index];
  if (s.state == ZramSlot::State::kStored) --k.zram.stored_pages;
  s.state = ZramSlot::State::kEmpty;
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
  return true;
}

void zram_read_finish(Kernel& k, Cpu& c, Offset index, PageId page) {
  ZramSlot& s = k.zram.table[index];
  (void)c;
  page_checked(k, page, Fn::kZramBvecRead).data = s.data;
  s.lock_holder = -1;
}

void zram_write(Kernel& k, Offset index, PageId page) {
  const Token data = page_checked(k, page, Fn::kZramBvecWrite).data;
  zram_free_page(k, index);
  ZramSlot& s = k.zram.table[index];
  // page_same_filled(): the model's zero token is the only same-filled page.
  s.state = data == 0 ? ZramSlot::State::kSame : ZramSlot::State::kStored;
  if (s.state == ZramSlot::State::kStored) ++k.zram.stored_pages;
  s.data = data;
  s.generation = k.si.generation[index];
}

}  // namespace swapfuzz
