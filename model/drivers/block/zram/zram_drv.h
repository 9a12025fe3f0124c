// drivers/block/zram/zram_drv.c: the zram table and its per-index slot lock.
//
// Modelled on v5.16, with CONFIG_ZRAM_WRITEBACK; the batched writeback of
// writeback_store() and its completion on 7.1.5 (see writeback_store() below,
// and model/sources.cc for what was read). Compression is the identity,
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

// True when `index`'s slot lock of the swap device is held by a CPU other
// than `c`; slot_busy(): of device `z`.
bool zram_slot_busy(const Kernel& k, const Cpu& c, Offset index);
bool slot_busy(const Kernel& k, const Zram& z, const Cpu& c, Offset index);

// slot_free() (zram_free_page() before v6.16) of device `z`.
void slot_free(Zram& z, Offset index);

// The first index and the end of the indexes writeback_store() scans on
// device `dev`, and idle_store() marks: the swap device's offset 0 is its
// header, and its table spans the swap device, type 0 (nslots; kMaxSlots for
// idle_store); the plain device's, its disksize.
inline Offset ZramFirst(uint8_t dev) { return dev == 0 ? 1 : 0; }
inline Offset ZramEnd(const Kernel& k, uint8_t dev) {
  return dev == 0 ? k.swap_info[0].nslots : k.zram_bdev.disksize;
}
inline Offset ZramIdleEnd(const Kernel& k, uint8_t dev) {
  return dev == 0 ? kMaxSlots : k.zram_bdev.disksize;
}

// Block() on a lock of zram device `dev`. A kZramDevLock wait with id
// kZramDevLockWrite is a writer's (down_write()): it waits for the readers
// too.
inline constexpr int16_t kZramDevLockWrite = 1;
inline StepResult BlockZram(Cpu& c, Wait::Kind kind, uint8_t dev, int16_t id) {
  c.wait.dev = dev;
  return Block(c, kind, id);
}

// The two devices as a run starts: zram0 set up for swap (swapon holds it
// open), zram1 set up with kZramBdevPages pages and no opener; both with a
// backing device, a table and streams on every CPU.
void zram_boot(Kernel& k);

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
// except those under writeback. One step (op zram_idle). With the batched
// writeback (Features::ZramWriteback::kBatched, 7.1.5's mark_idle()) it holds
// dev_lock for read, so it waits for a writeback_store(). With the
// post-processing writebacks (6.18.35, 7.1.5; 6.12.94 already, which the model
// leaves out) it marks only slots with a zsmalloc object (not ZRAM_WB, not
// ZRAM_SAME).
#define SWAPFUZZ_STATES_idle_store(X)  // one step
StepResult idle_store(Kernel& k, Cpu& c, Frame& f);

// writeback_store() ("echo idle > writeback", "echo huge > writeback"): moves
// idle or huge slots (WritebackStoreLocals::mode) to the backing device.
//
// One slot at a time (v5.16; kStart .. kEnd): mark ZRAM_UNDER_WB, read, write
// the block, then commit under the slot lock only if the slot was neither
// freed nor rewritten (ZRAM_IDLE still set).
//
// Batched (Features::ZramWriteback::kBatched, 7.1.5; kInit .. kReleaseWbCtl), under
// dev_lock held for write throughout:
//   kInit          down_write(dev_lock), init_pp_ctl(), init_wb_ctl()
//   kScan          scan_slots_for_writeback(): per slot [slot lock]
//                  place_pp_slot(), ZRAM_PP_SLOT (a step per slot placed)
//   kSelect        zram_writeback_slots(): per pp slot, largest bucket first:
//                  reserve a block; [slot lock] ZRAM_PP_SLOT still set:
//                  read_from_zspool() into the request's page, unlock,
//                  submit_bio() (num_inflight++); else release_pp_slot()
//   kDrain         while num_inflight: wait_event(done_wait, done_reqs not empty)
//   kTakeDone      zram_complete_done_reqs(): [done_lock] list_del(req)
//   kComplete      zram_writeback_complete(): [slot lock] ZRAM_PP_SLOT still
//                  set: free the object, handle = blk_idx, ZRAM_WB; else give
//                  the block back; then num_inflight--
//   kReleasePp     release_pp_slot(): [slot lock] clear ZRAM_PP_SLOT
//   kReleasePpCtl  release_pp_ctl(): release_pp_slot() of pp slots left over
//   kReleaseWbCtl  release_wb_ctl(): kfree_rcu(wb_ctl) (kfree() with the
//                  zram_wb_endio_uaf knob); up_write(dev_lock)
// 7.1.5 never gives back the block it reserved for a last slot that it then
// skipped (a leak, fixed in v7.2-rc1 by 3e8d8eb8d7f5): the knob
// zram_wb_leaks_reserved_block, which v7.1.y sets; cleared, the model gives
// the block back (zram_drv.cc, kSelect).
//
// Post-processing, synchronous (Features::ZramWriteback::kPostProcess,
// 6.18.35; v6.13 .. v6.18):
//   kInit          pp_in_progress already set: -EAGAIN; else set it,
//                  init_pp_ctl()
//   kScan          as batched
//   kSelect        zram_writeback_slots(): per pp slot: reserve a block;
//                  [slot lock] ZRAM_PP_SLOT still set: read it
//                  (kPpReadUnlock: decompressed into the page, unlock); else
//                  unlock and release_pp_slot()
//   kPpWrite       submit_bio_wait()
//   kPpCommit      [slot lock] ZRAM_PP_SLOT still set: zram_free_page(),
//                  ZRAM_WB, handle = blk_idx; unlock; release_pp_slot()
//   kReleasePpCtl  as batched, after the loop
//   kPpDone        free_block_bdev() of a block still reserved, the page
//                  freed, pp_in_progress cleared
#define SWAPFUZZ_STATES_writeback_store(X)                                                  \
  X(kStart)                                                                                 \
  X(kCheck) X(kRead) X(kReadCopy) X(kWrite) X(kCommit) X(kEnd) X(kInit) X(kScan) X(kSelect) \
      X(kDrain) X(kTakeDone) X(kComplete) X(kReleasePp) X(kReleasePpCtl) X(kReleaseWbCtl)   \
          X(kPpWrite) X(kPpCommit) X(kPpDone) X(kPpReadUnlock)
StepResult writeback_store(Kernel& k, Cpu& c, Frame& f);

// zram_writeback_endio(), run by the completion interrupt for a bio of the
// batched writeback, in two steps: the write is on the device, and under
// done_lock the request goes on wb_ctl's done list; then
// wake_up(&wb_ctl->done_wait) (zram_writeback_endio_wake(), which the
// interrupt runs next). The fixed code holds rcu_read_lock() across both, so
// a kfree_rcu() of wb_ctl in between frees it only after the wake_up; a
// wb_ctl freed by then is a use-after-free.
StepResult zram_writeback_endio(Kernel& k, Cpu& c, const Bio& bio);
StepResult zram_writeback_endio_wake(Kernel& k, Cpu& c, uint8_t dev);

// --- zram1, the plain block device (7.1.5) ---
//
// A direct read, write or discard of one page (ops zram_bdev_read,
// zram_bdev_write, zram_bdev_discard), from open to close, as an O_DIRECT
// pread/pwrite or BLKDISCARD of a task that opens /dev/zram1 for it. The bio
// path takes no dev_lock in 7.1.5: what keeps a reset off a table in use is
// that a task doing I/O has the device open (reset_store() refuses an opened
// device, zram_open() a claimed one), and what keeps I/O off a device not set
// up is its capacity (bio_check_eod()):
//   kOpen        blkdev_open() -> bdev_open(): [disk->open_mutex] zram_open():
//                zram->claim: -EBUSY; else disk_openers++
//   kSubmit      submit_bio_noacct(): bio_check_eod(): a page beyond the
//                capacity (0 on a device not set up) fails with -EIO (no step
//                of its own otherwise: it runs in the next section's step)
//   kReadLock    zram_read_page(): slot_lock(); ZRAM_WB: blk_idx, slot_unlock
//                (-> kReadBdev); ZRAM_SAME, empty or ZRAM_HUGE: copy,
//                slot_unlock; compressed: keep the slot lock (-> kStreamGet)
//   kStreamGet   zcomp_stream_get(): raw_cpu_ptr(comp->stream),
//                mutex_lock(&zstrm->lock)
//   kDecompress  read_compressed_page(): decompress, zcomp_stream_put(),
//                slot_unlock()
//   kReadBdev    read_from_bdev(): the block
//   kCompress    zram_write_page(): zcomp_compress(), zs_malloc(),
//                zs_obj_write(), zcomp_stream_put() (a ZRAM_HUGE page, one
//                with an odd token: put first, write_incompressible_page())
//   kWriteStore  slot_lock(), slot_free(), handle and size set, slot_unlock()
//   kWriteSame   write_same_filled_page(): the same, as ZRAM_SAME
//   kAccessed    zram_bio_read()/zram_bio_write(): slot_lock(),
//                mark_slot_accessed(), slot_unlock(); bio_endio()
//   kDiscard     zram_bio_discard(): slot_lock(), slot_free(), slot_unlock();
//                bio_endio()
//   kRelease     blkdev_release() -> bdev_release(): [open_mutex]
//                disk_openers--
// A read checks what it copies against the data-integrity oracle: the last
// completed write or discard of the page (a discard reads zeros), or a write
// still in flight to it. A section on a table other than the one the bio
// began on, or on streams zcomp_destroy() freed, is a use-after-free.
#define SWAPFUZZ_STATES_zram_submit_bio(X)                                                      \
  X(kOpen)                                                                                      \
  X(kSubmit) X(kReadLock) X(kStreamGet) X(kDecompress) X(kReadBdev) X(kCompress) X(kWriteStore) \
      X(kWriteSame) X(kAccessed) X(kDiscard) X(kRelease)
StepResult zram_submit_bio(Kernel& k, Cpu& c, Frame& f);

// reset_store() (op zram_reset; its argument is the device):
//   kClaim     [open_mutex] disk_openers || zram->claim: -EBUSY (always on
//              the swap device, which swap holds open); else claim = true.
//              sync_blockdev() has nothing to write: I/O here is direct.
//   kMetaFree  zram_reset_device(): down_write(dev_lock);
//              set_capacity_and_notify(0); zram_meta_free(): slot_free() of
//              every index, zs_destroy_pool(), vfree(table); disksize = 0
//   kStreams   zram_destroy_comps() -> zcomp_destroy() ->
//              cpuhp_state_remove_instance(): zcomp_cpu_dead() of each CPU,
//              a step each: mutex_lock(&zstrm->lock), zcomp_strm_free(),
//              mutex_unlock()
//   kDone      free_percpu(comp->stream), kfree(comp); stats cleared;
//              reset_bdev(); up_write(dev_lock)
//   kUnclaim   [open_mutex] zram->claim = false
#define SWAPFUZZ_STATES_zram_reset_store(X) X(kClaim) X(kMetaFree) X(kStreams) X(kDone) X(kUnclaim)
StepResult zram_reset_store(Kernel& k, Cpu& c, Frame& f);

// disksize_store() (op zram_disksize) on the plain device, under dev_lock
// held for write:
//   kMetaAlloc  down_write(dev_lock); init_done(): -EBUSY; zram_meta_alloc():
//               a new table, zs_create_pool()
//   kComp       zcomp_create(): alloc_percpu() of the streams,
//               cpuhp_state_add_instance(): zcomp_cpu_up_prepare() of each CPU
//   kSet        disksize, set_capacity_and_notify(); up_write(dev_lock)
#define SWAPFUZZ_STATES_disksize_store(X) X(kMetaAlloc) X(kComp) X(kSet)
StepResult disksize_store(Kernel& k, Cpu& c, Frame& f);

// recompress_store() (op zram_bdev_recompress, "type=idle" or "type=huge")
// on the plain device, with a secondary algorithm (comps[1],
// CONFIG_ZRAM_MULTI_COMP; the model's comps share one id and one stream per
// CPU), under dev_lock held for write:
//   kInit     down_write(dev_lock); !init_done: -EINVAL; alloc_page(),
//             init_pp_ctl()
//   kScan     scan_slots_for_recompress(): per slot [slot lock] an allocated
//             slot, ZRAM_IDLE (idle) or ZRAM_HUGE (huge), not ZRAM_WB,
//             ZRAM_SAME or ZRAM_INCOMPRESSIBLE, priority below 1:
//             place_pp_slot() (a step per slot placed)
//   kSelect   per pp slot: [slot lock] ZRAM_PP_SLOT gone: slot_unlock(),
//             release_pp_slot(), skip; else recompress_slot():
//             read_from_zspool() (without the primary stream's mutex a
//             compressed object's read takes), clear ZRAM_IDLE. The slot
//             lock stays held.
//   kRecompress zcomp_stream_get() of comps[1] (mutex_lock(), which sleeps
//             with the slot lock held, 7.1.5 zram_drv.c 2453), compress,
//             put; smaller (the model: bit 1 of the token set): zs_malloc(),
//             slot_free(), the new handle, priority 1; else
//             ZRAM_INCOMPRESSIBLE (comps[1] is the last algorithm).
//             slot_unlock(); release_pp_slot().
//   kDone     __free_page(), release_pp_ctl(); up_write(dev_lock)
// The data is what the read copied: the model's compression is the identity.
#define SWAPFUZZ_STATES_recompress_store(X) X(kInit) X(kScan) X(kSelect) X(kDone) X(kRecompress)
StepResult recompress_store(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_DRIVERS_BLOCK_ZRAM_ZRAM_DRV_H_
