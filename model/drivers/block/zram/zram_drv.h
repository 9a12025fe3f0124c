// drivers/block/zram/zram_drv.c: the zram table and its per-index slot lock.
//
// Modelled on v5.16, with CONFIG_ZRAM_WRITEBACK. Compression is the identity,
// so a stored object is its page's data. Each function runs inside one step of
// its caller; the slot lock is a bit spinlock, held across steps only between
// the two halves of a read of a compressed object (lock + map, then
// decompress + unlock), which is exactly when zram_slot_free_notify()'s
// trylock can fail. zram_accessed(), which clears ZRAM_IDLE after a read or a
// write in its own slot-lock section, is folded into the read or write.

#ifndef SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_
#define SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_

#include "model/step.h"

namespace swapfuzz {

// True when `index`'s slot lock is held by a CPU other than `c`.
bool zram_slot_busy(const Kernel& k, const Cpu& c, Offset index);

// __zram_bvec_read(), first half: takes the slot lock and reads the meta.
// Empty and same-filled slots are served at once (returns true, lock dropped).
// An empty slot is the "read from zram without previous write" warning. For a
// compressed object it returns false with the slot lock held.
bool zram_read_begin(Kernel& k, Cpu& c, Offset index, PageId page);
// __zram_bvec_read(), second half: decompress into the page, drop the lock.
void zram_read_finish(Kernel& k, Cpu& c, Offset index, PageId page);

// __zram_bvec_write(): compress, then under the slot lock free the old object
// and store the new one. Zero-filled pages are stored as ZRAM_SAME; the model
// calls a page incompressible (ZRAM_HUGE) when its token is odd.
void zram_write(Kernel& k, Offset index, PageId page);

// __zram_bvec_read() of a ZRAM_WB slot, under the slot lock: returns true and
// the backing device block (and its allocation count) the data is in; the read
// itself, read_from_bdev(), comes after the unlock. False: not written back.
bool zram_read_wb_begin(Kernel& k, Offset index, int16_t* block, uint16_t* seq);
// read_from_bdev(): reads the block into the page; a block freed or reused
// since the slot lock was dropped is a use-after-free.
void zram_read_from_bdev(Kernel& k, int16_t block, uint16_t seq, PageId page);

// idle_store() ("echo all > idle"): marks every allocated slot ZRAM_IDLE,
// except those under writeback. One step (op zram_idle).
#define SWAPFUZZ_STATES_idle_store(X)  // one step
StepResult idle_store(Kernel& k, Cpu& c, Frame& f);

// writeback_store() ("echo idle > writeback", "echo huge > writeback"): moves
// idle or huge slots (WritebackStoreLocals::mode) to the backing device, one slot at a
// time: mark ZRAM_UNDER_WB, read, write the block, then commit under the slot
// lock only if the slot was neither freed nor rewritten (ZRAM_IDLE still set).
#define SWAPFUZZ_STATES_writeback_store(X) \
  X(kStart) X(kCheck) X(kRead) X(kReadCopy) X(kWrite) X(kCommit) X(kEnd)
StepResult writeback_store(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_
