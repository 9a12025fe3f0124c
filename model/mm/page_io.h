// mm/page_io.c: reading and writing swap pages to the device.
//
// Both are step machines (see model/step.h). Modelled on v5.16 for a
// SWP_SYNCHRONOUS_IO device (zram): bdev_read_page()/bdev_write_page() complete
// before they return.

#ifndef SWAPFUZZ_MODEL_MM_PAGE_IO_H_
#define SWAPFUZZ_MODEL_MM_PAGE_IO_H_

#include "model/step.h"

namespace swapfuzz {

// swap_readpage(page, synchronous). Frame: offset = the entry, page = a locked
// page. On return the page is uptodate and unlocked. With the
// free_notify_on_read knob, a successful read then calls
// swap_slot_free_notify(), as kernels before e914d8f00391 did.
StepResult swap_readpage(Kernel& k, Cpu& c, Frame& f);

// swap_writepage(page). Frame: page = a locked page in the swap cache. On
// return the page is unlocked; ret is 0.
StepResult swap_writepage(Kernel& k, Cpu& c, Frame& f);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_MM_PAGE_IO_H_
