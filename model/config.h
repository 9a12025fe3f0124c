// The resolved configuration of one run: knobs and device sizes.
//
// A schedule names a profile plus knob overrides (model/schedule.h); resolving
// them gives a RunConfig, which is all the executor and the paths look at.

#ifndef SWAPFUZZ_MODEL_CONFIG_H_
#define SWAPFUZZ_MODEL_CONFIG_H_

#include <cstdint>

#include "model/config_fields.h"
#include "model/knobs.h"

namespace swapfuzz {

struct RunConfig {
  KnobSet knobs{};
  Features features{};
  // One member per row of SWAPFUZZ_CONFIG_FIELDS (model/config_fields.h), of
  // the row's run type, holding the field's ordinal. The row documents it.
  SWAPFUZZ_CONFIG_FIELDS(SWAPFUZZ_RUN_CONFIG_MEMBER)
  // Liveness budgets.
  uint16_t max_steps = 4000;
  uint16_t max_retries = 40;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_CONFIG_H_
