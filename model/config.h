// The resolved configuration of one run: knobs and device sizes.
//
// A schedule names a profile plus knob overrides (model/schedule.h); resolving
// them gives a RunConfig, which is all the executor and the paths look at.

#ifndef SWAPFUZZ_MODEL_CONFIG_H_
#define SWAPFUZZ_MODEL_CONFIG_H_

#include <cstdint>

#include "model/knobs.h"

namespace swapfuzz {

// The swap device's backing store.
enum class Backend : uint8_t {
  kZram,  // zram: SWP_SYNCHRONOUS_IO, I/O completes inside bdev_read/write_page()
  kDisk,  // a block device: bio submission, completion in the interrupt context
};

struct RunConfig {
  KnobSet knobs{};
  Features features{};
  Backend backend = Backend::kZram;
  // zswap is set up in front of the swap device (and enabled) from the start.
  // Without it, zswap stays out of every path until an operation enables it.
  bool zswap = false;
  // /sys/module/zswap/parameters/max_pool_percent at the start.
  uint8_t zswap_max_pool_percent = 20;
  // totalram_pages(): what max_pool_percent is a percentage of. Every zswap
  // entry that is not same-filled takes one pool page.
  int16_t ram_pages = 50;
  // Swap offsets on the device, header included; at most kMaxSlots.
  int16_t nslots = 16;
  // vm.page-cluster: swapin_readahead() reads 2^page_cluster pages around the
  // faulting offset. 0 reads only the faulting one.
  uint8_t page_cluster = 1;
  // Entries in each per-CPU swap slots cache; 0 leaves the cache inactive, as
  // check_cache_active() does for a device this small.
  uint8_t slots_cache_size = 0;
  // The zram "read without previous write" warning is a diagnostic; with this
  // set it is a failure.
  bool zram_empty_read_fatal = false;
  // Liveness budgets.
  uint16_t max_steps = 4000;
  uint16_t max_retries = 40;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_CONFIG_H_
