// The reproducer sink: where a finding's schedule is written, by the fuzz
// targets and by `swapfuzz explore`.
#ifndef SWAPFUZZ_HARNESS_REPRODUCER_H_
#define SWAPFUZZ_HARNESS_REPRODUCER_H_

#include <string>

#include "absl/status/statusor.h"
#include "fuzz/runner.h"

namespace swapfuzz {

struct SavedReproducer {
  std::string path;
  bool created = false;
};

// Writes the last run of `runner` (which must have a finding) as a JSON
// reproducer into `dir` (created if missing), named
// "<target>__<signature stem>.json". Keeps the first reproducer of each
// signature: returns its path, and whether it was new.
absl::StatusOr<SavedReproducer> SaveReproducer(const FuzzRunner& runner, const std::string& dir);

// "data-integrity:do_swap_page:page" -> "data-integrity__do_swap_page__page"
std::string SignatureFileStem(const std::string& signature);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_HARNESS_REPRODUCER_H_
