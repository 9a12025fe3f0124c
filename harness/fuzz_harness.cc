#include "harness/fuzz_harness.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "fuzz/mutator.h"
#include "harness/reproducer.h"
#include "replay/minimize.h"

namespace swapfuzz {

FuzzHarness::FuzzHarness(HarnessConfig config, uint8_t* counters)
    : config_(std::move(config)), runner_(config_.target), coverage_(counters) {}

bool FuzzHarness::TestOneInput(std::span<const uint8_t> data) {
  const Finding* f = runner_.Run(data, config_.counters ? &coverage_ : nullptr);
  if (f == nullptr) return false;
  if (!config_.ignore.empty() && SignatureListed(config_.ignore, f->Signature())) return false;
  if (!config_.hunt.empty()) {
    absl::StatusOr<bool> needed = NeedsKnob(runner_.LastSchedule(), config_.hunt);
    if (!needed.ok() || !*needed) return false;  // another bug, or one that needs no knob
  }
  std::fprintf(stderr, "swapfuzz: FINDING %s at step %llu: %s\n", f->Signature().c_str(),
               static_cast<unsigned long long>(f->step), f->message.data());
  absl::StatusOr<SavedReproducer> saved = SaveReproducer(runner_, config_.artifacts);
  if (saved.ok()) {
    std::fprintf(stderr, "swapfuzz: reproducer %s%s\n", saved->path.c_str(),
                 saved->created ? "" : " (already saved for this signature)");
  } else {
    std::fprintf(stderr, "swapfuzz: could not save the reproducer: %s\n",
                 std::string(saved.status().message()).c_str());
  }
  return true;
}

size_t FuzzHarness::Mutate(uint8_t* data, size_t size, size_t max_size, unsigned int seed,
                           size_t (*byte_mutate)(uint8_t*, size_t, size_t)) {
  // A quarter of the time, or always when switched off, libFuzzer's own byte
  // mutations: they reach byte patterns the structural edits never make, but
  // on these inputs most of them only move the programs about (more of them
  // cost executions in tools/bench/time_to_bug.py).
  if ((!config_.mutator || seed % 4 == 0) && byte_mutate != nullptr) {
    return byte_mutate(data, size, max_size);
  }
  return MutateSchedule(data, size, max_size, seed);
}

size_t FuzzHarness::CrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2,
                              size_t size2, uint8_t* out, size_t max_out_size, unsigned int seed) {
  if (!config_.mutator) {
    // Switched off: a plain one-point splice, close to libFuzzer's own.
    const size_t cut = std::min({size1, max_out_size, static_cast<size_t>(seed % (size1 + 1))});
    const size_t rest = std::min(size2 > cut ? size2 - cut : 0, max_out_size - cut);
    std::memcpy(out, data1, cut);
    std::memcpy(out + cut, data2 + (size2 > cut ? cut : size2), rest);
    return cut + rest;
  }
  return CrossOverSchedules(data1, size1, data2, size2, out, max_out_size, seed);
}

}  // namespace swapfuzz
