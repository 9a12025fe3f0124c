// The libFuzzer adapter: one source, built once per target with
// SWAPFUZZ_TARGET set to the target's name (harness/CMakeLists.txt). It only
// forwards to a FuzzHarness (fuzz_harness.h), configured from the environment
// (env_config.h). The model's coverage goes to libFuzzer's extra counters.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/fuzz_harness.h"

#ifndef SWAPFUZZ_TARGET
#error "SWAPFUZZ_TARGET must name the fuzz target"
#endif

namespace {

__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t g_interleaving_counters[swapfuzz::InterleavingCoverage::kCounters];

// Built as a libFuzzer target without SanitizerCoverage of the model (the
// default), the counters are the only coverage there is.
#if defined(SWAPFUZZ_MODEL_SANCOV) && !SWAPFUZZ_MODEL_SANCOV
constexpr bool kCountersOnlyCoverage = true;
#else
constexpr bool kCountersOnlyCoverage = false;
#endif

swapfuzz::FuzzHarness& Harness() {
  static swapfuzz::FuzzHarness* harness = [] {
    absl::StatusOr<swapfuzz::HarnessConfig> config =
        swapfuzz::HarnessConfigFromEnv(SWAPFUZZ_TARGET, [](const char* name) { return std::getenv(name); });
    if (!config.ok()) {
      std::fprintf(stderr, "swapfuzz: %s\n", std::string(config.status().message()).c_str());
      std::exit(2);
    }
    if (!config->counters && kCountersOnlyCoverage) {
      std::fprintf(stderr,
                   "swapfuzz: SWAPFUZZ_NO_COUNTERS would leave this fuzzer without coverage: it "
                   "was built without C++ coverage of the model (use tools/build.sh fuzz-sancov)\n");
      std::exit(2);
    }
    return new swapfuzz::FuzzHarness(*std::move(config), g_interleaving_counters);
  }();
  return *harness;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (Harness().TestOneInput({data, size})) std::abort();  // libFuzzer keeps the input
  return 0;
}

// The trace hash of the last input run: the standalone replayer
// (standalone_main.cc) prints it.
extern "C" uint64_t SwapfuzzLastTraceHash() { return Harness().last_trace_hash(); }

// Provided by libFuzzer; absent (null) in the standalone replayer.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return Harness().Mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  return Harness().CrossOver(data1, size1, data2, size2, out, max_out_size, seed);
}
