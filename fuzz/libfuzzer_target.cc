// The libFuzzer adapter: one source, built once per target with
// SWAPFUZZ_TARGET set to the target's name (fuzz/CMakeLists.txt).
//
// On a fatal finding it writes the schedule as a JSON reproducer into
// $SWAPFUZZ_ARTIFACTS (default ./swapfuzz-findings), one per signature, and
// aborts so that libFuzzer saves the crash input as well. The model's coverage
// (model/coverage.h) goes to libFuzzer's extra counters unless
// SWAPFUZZ_NO_COUNTERS is set (only in a build with C++ coverage of the model,
// tools/build.sh fuzz-sancov, which is otherwise left out), and the
// structure-aware mutator (fuzz/mutator.h) runs unless SWAPFUZZ_NO_MUTATOR is
// set; both switches exist to measure what each is worth. SWAPFUZZ_PROFILE and
// SWAPFUZZ_KNOBS ("name=on,name=off") replace the target's profile and knob
// overrides, and SWAPFUZZ_HUNT=<knob> passes over findings that do not need
// that knob (NeedsKnob(), replay/minimize.h), so one binary can hunt one
// catalogue bug at a time even where several are reachable.
// SWAPFUZZ_IGNORE="sig,sig" passes over findings with those signatures (known
// ones, such as an open question), so a campaign can run on past them.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "fuzz/mutator.h"
#include "fuzz/runner.h"
#include "replay/minimize.h"

#ifndef SWAPFUZZ_TARGET
#error "SWAPFUZZ_TARGET must name the fuzz target"
#endif

namespace {

__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t g_interleaving_counters[swapfuzz::InterleavingCoverage::kCounters];

swapfuzz::FuzzTarget ConfiguredTarget() {
  swapfuzz::FuzzTarget t = *swapfuzz::TargetByName(SWAPFUZZ_TARGET);
  if (const char* p = std::getenv("SWAPFUZZ_PROFILE")) t.base.profile = p;
  if (const char* knobs = std::getenv("SWAPFUZZ_KNOBS")) {
    t.base.knobs.clear();
    for (absl::string_view item : absl::StrSplit(knobs, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(item, '=');
      t.base.knobs.push_back({kv.first, kv.second != "off"});
    }
  }
  if (!swapfuzz::Resolve(t.base).ok()) {
    std::fprintf(stderr, "swapfuzz: bad SWAPFUZZ_PROFILE or SWAPFUZZ_KNOBS: %s\n",
                 std::string(swapfuzz::Resolve(t.base).status().message()).c_str());
    std::exit(2);
  }
  return t;
}

// Built as a libFuzzer target without SanitizerCoverage of the model (the
// default), the counters are the only coverage there is.
#if defined(SWAPFUZZ_MODEL_SANCOV) && !SWAPFUZZ_MODEL_SANCOV
constexpr bool kCountersOnlyCoverage = true;
#else
constexpr bool kCountersOnlyCoverage = false;
#endif

bool CountersWanted() {
  if (std::getenv("SWAPFUZZ_NO_COUNTERS") == nullptr) return true;
  if (kCountersOnlyCoverage) {
    std::fprintf(stderr,
                 "swapfuzz: SWAPFUZZ_NO_COUNTERS would leave this fuzzer without coverage: it was "
                 "built without C++ coverage of the model (use tools/build.sh fuzz-sancov)\n");
    std::exit(2);
  }
  return false;
}

struct State {
  swapfuzz::FuzzTarget target = ConfiguredTarget();
  swapfuzz::FuzzRunner runner{target};
  const char* hunt = std::getenv("SWAPFUZZ_HUNT");
  const char* ignore = std::getenv("SWAPFUZZ_IGNORE");
  swapfuzz::InterleavingCoverage coverage{g_interleaving_counters};
  bool counters = CountersWanted();
  bool mutator = std::getenv("SWAPFUZZ_NO_MUTATOR") == nullptr;
  std::string artifacts = std::getenv("SWAPFUZZ_ARTIFACTS") != nullptr
                              ? std::getenv("SWAPFUZZ_ARTIFACTS")
                              : "swapfuzz-findings";
};

State& GetState() {
  static State* state = new State;
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State& s = GetState();
  const swapfuzz::Finding* f =
      s.runner.Run({data, size}, s.counters ? &s.coverage : nullptr);
  if (f == nullptr) return 0;
  if (s.ignore != nullptr && swapfuzz::SignatureListed(s.ignore, f->Signature())) return 0;
  if (s.hunt != nullptr) {
    absl::StatusOr<bool> needed = swapfuzz::NeedsKnob(s.runner.LastSchedule(), s.hunt);
    if (!needed.ok() || !*needed) {
      return 0;  // another bug, or one that needs no knob: not the hunted one
    }
  }
  std::fprintf(stderr, "swapfuzz: FINDING %s at step %llu: %s\n", f->Signature().c_str(),
               static_cast<unsigned long long>(f->step), f->message.data());
  absl::StatusOr<swapfuzz::SavedReproducer> saved =
      swapfuzz::SaveReproducer(s.runner, s.artifacts);
  if (saved.ok()) {
    std::fprintf(stderr, "swapfuzz: reproducer %s%s\n", saved->path.c_str(),
                 saved->created ? "" : " (already saved for this signature)");
  } else {
    std::fprintf(stderr, "swapfuzz: could not save the reproducer: %s\n",
                 std::string(saved.status().message()).c_str());
  }
  std::abort();
}

// Provided by libFuzzer; absent (null) in the standalone replayer.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  // A quarter of the time, or always when switched off, libFuzzer's own byte
  // mutations: they reach byte patterns the structural edits never make, but
  // on these inputs most of them only move the programs about (more of them
  // cost executions in tools/bench/time_to_bug.py).
  if ((!GetState().mutator || seed % 4 == 0) && LLVMFuzzerMutate != nullptr) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  return swapfuzz::MutateSchedule(data, size, max_size, seed);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  if (!GetState().mutator) {
    // Switched off: a plain one-point splice, close to libFuzzer's own.
    const size_t cut = std::min({size1, max_out_size, static_cast<size_t>(seed % (size1 + 1))});
    const size_t rest = std::min(size2 > cut ? size2 - cut : 0, max_out_size - cut);
    std::memcpy(out, data1, cut);
    std::memcpy(out + cut, data2 + (size2 > cut ? cut : size2), rest);
    return cut + rest;
  }
  return swapfuzz::CrossOverSchedules(data1, size1, data2, size2, out, max_out_size, seed);
}
