// A structure-aware mutator for the input layout of fuzz/decoder.h.
//
// It edits the schedule an input decodes to rather than its bytes: it inserts,
// deletes, reorders and retargets operations, draws a fresh program for a CPU,
// moves preemption points among the decision bytes, places a preemption deep
// into a run or just past the last one in one edit, and draws a fresh PCT
// schedule for the part of a run past its decisions (header byte 3). Because
// every field sits at a fixed offset, the edits are made in place and
// re-encoding is the identity. Engine-agnostic: the libFuzzer adapter calls it
// from LLVMFuzzerCustomMutator, and falls back to libFuzzer's own byte
// mutations part of the time.

#ifndef SWAPFUZZ_FUZZ_MUTATOR_H_
#define SWAPFUZZ_FUZZ_MUTATOR_H_

#include <cstddef>
#include <cstdint>

namespace swapfuzz {

// Mutates data[0, size) in place (growing it up to max_size) with one to
// three stacked structural edits chosen by `seed`; returns the new size, at
// least kDecisionOffset (short inputs are padded with zeros) unless max_size
// is smaller, in which case the input is left alone. The same inputs and
// seed always give the same result.
size_t MutateSchedule(uint8_t* data, size_t size, size_t max_size, uint32_t seed);

// Crossover, chosen by `seed`: while `a` has fewer than kMaxCpus CPUs, b's
// CPUs join a's (as many as fit) under a fresh PCT tail, so that the two
// parents' work runs concurrently; otherwise programs from one parent and
// decisions from the other, or one of a's CPUs running b's program. Returns
// the size written to `out`.
size_t CrossOverSchedules(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                          uint8_t* out, size_t max_out, uint32_t seed);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FUZZ_MUTATOR_H_
