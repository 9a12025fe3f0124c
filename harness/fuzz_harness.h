// What a fuzz target does with one input, apart from the engine that feeds it.
//
// The libFuzzer adapter (libfuzzer_target.cc) only forwards to a FuzzHarness,
// as libprotobuf-mutator's adapter forwards to its mutator: run the input,
// judge the finding (SWAPFUZZ_IGNORE, SWAPFUZZ_HUNT), save its reproducer,
// and tell the caller to abort so that the engine keeps the input too.
#ifndef SWAPFUZZ_HARNESS_FUZZ_HARNESS_H_
#define SWAPFUZZ_HARNESS_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/runner.h"
#include "harness/env_config.h"
#include "model/coverage.h"

namespace swapfuzz {

class FuzzHarness {
 public:
  // `counters` (kCounters bytes, or null) receives the model's interleaving
  // coverage when config.counters is set.
  FuzzHarness(HarnessConfig config, uint8_t* counters);

  // Runs one input. Returns true when it ended in a finding that counts (not
  // ignored, and needing the hunted knob if one is hunted): its reproducer
  // has been written (or found already written) and reported on stderr, and
  // the caller should abort.
  bool TestOneInput(std::span<const uint8_t> data);

  // libFuzzer's custom mutator and crossover, honouring config.mutator;
  // `byte_mutate` is libFuzzer's own mutation (null in the standalone
  // replayer).
  size_t Mutate(uint8_t* data, size_t size, size_t max_size, unsigned int seed,
                size_t (*byte_mutate)(uint8_t*, size_t, size_t));
  size_t CrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2,
                   uint8_t* out, size_t max_out_size, unsigned int seed);

  const HarnessConfig& config() const { return config_; }
  // The trace hash of the last input TestOneInput() ran.
  uint64_t last_trace_hash() const { return runner_.last_result().trace_hash; }

 private:
  HarnessConfig config_;
  FuzzRunner runner_;
  InterleavingCoverage coverage_;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_HARNESS_FUZZ_HARNESS_H_
