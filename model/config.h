// The resolved configuration of one run: knobs and device sizes.
//
// A schedule names a profile plus knob overrides (model/schedule.h); resolving
// them gives a RunConfig, which is all the executor and the paths look at.

#ifndef SWAPFUZZ_MODEL_CONFIG_H_
#define SWAPFUZZ_MODEL_CONFIG_H_

#include <cstdint>

#include "model/knobs.h"

namespace swapfuzz {

struct RunConfig {
  KnobSet knobs{};
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
