// mm/page_io.c: reading and writing swap pages to the device.
//
// All are step machines (see model/step.h), modelled on v5.16: frontswap
// (zswap) first, then the device. For a SWP_SYNCHRONOUS_IO device (zram)
// bdev_read_page()/bdev_write_page() complete before they return; for a disk
// the read or write is a bio, which the completion interrupt (CPU kIrqCpu)
// ends later with end_swap_bio_read()/end_swap_bio_write().

#ifndef SWAPFUZZ_MODEL_MM_PAGE_IO_H_
#define SWAPFUZZ_MODEL_MM_PAGE_IO_H_

#include "model/step.h"

namespace swapfuzz {

// swap_readpage(page, synchronous). Frame: offset = the entry, page = a locked
// page. zswap is tried first when it is set up. On return from zram the page
// is uptodate and unlocked; from a disk, the bio is in flight and the page
// stays locked until end_swap_bio_read(). With the free_notify_on_read knob, a
// successful zram read then calls swap_slot_free_notify(), as kernels before
// e914d8f00391 did.
#define SWAPFUZZ_STATES_swap_readpage(X) \
  X(kStart) X(kAfterZswap) X(kRead) X(kDecompress) X(kNotify) X(kFromBdev) X(kBio) X(kReadDone)
StepResult swap_readpage(Kernel& k, Cpu& c, Frame& f);

// swap_writepage(page). Frame: page = a locked page in the swap cache. On
// return the page is unlocked; ret is 0.
// swap_writepage()'s AOP_WRITEPAGE_ACTIVATE: the folio is dirty and still
// locked, and reclaim activates it (PAGE_ACTIVATE).
inline constexpr int16_t kAopWritepageActivate = 1;
#define SWAPFUZZ_STATES_swap_writepage(X) \
  X(kTryFree) X(kZswap) X(kAfterZswap) X(kWrite) X(kAfterWrite)
StepResult swap_writepage(Kernel& k, Cpu& c, Frame& f);

// __swap_writepage(page): the device write. Frame: offset, page = a locked
// swap cache page; SwapWritepageBdevLocals say whether swap_writepage() writes
// the page out (the content becomes what the slot holds) or zswap writes back a
// copy (and the generation it was stored for; the stale-write oracle checks it
// against what swap-out last wrote). zram: written and unlocked at once, a
// large folio one page per step, as zram_bio_write() takes each slot's lock in
// turn, and unlocked after its last; disk: PG_writeback set, the bio queued,
// the page unlocked. (C++ reserves the kernel's leading underscores.)
#define SWAPFUZZ_STATES_swap_writepage_bdev(X)  // one step per page of the folio
StepResult swap_writepage_bdev(Kernel& k, Cpu& c, Frame& f);

// The completion interrupt: ends the oldest bio in flight (one step). A
// write of zram's batched writeback is ended by zram_writeback_endio() in two
// steps, and the interrupt finishes that completion before it takes the next
// bio.
StepResult bio_endio(Kernel& k, Cpu& c);

// submit_bio(): queues `bio` for the completion interrupt.
void submit_bio(Kernel& k, const Bio& bio);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_PAGE_IO_H_
