// drivers/block/zram/zram_drv.c: the zram table and its per-index slot lock.
//
// Modelled on v5.16. Compression is the identity, so a stored object is its
// page's data. Each function runs inside one step of its caller; the slot lock
// is a bit spinlock, held across steps only between the two halves of a read of
// a compressed object (lock + map, then decompress + unlock), which is exactly
// when zram_slot_free_notify()'s trylock can fail.

#ifndef SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_
#define SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_

#include "model/kernel.h"

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
// and store the new one. Zero-filled pages are stored as ZRAM_SAME.
void zram_write(Kernel& k, Offset index, PageId page);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_
