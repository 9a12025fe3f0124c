// A page table entry: the one piece of kernel state that both the page tables
// (model/kernel.h) and the fault handlers' frames (model/frame_locals.h, the
// orig_pte a fault snapshots) hold.

#ifndef SWAPFUZZ_MODEL_PTE_H_
#define SWAPFUZZ_MODEL_PTE_H_

#include <cstdint>

#include "model/types.h"

namespace swapfuzz {

// pte_same() compares every field, so a recycled swap entry compares equal to
// the one a fault snapshotted (the ABA of 13ddaf26be32).
struct Pte {
  enum class Kind : uint8_t { kNone, kPresent, kSwap };
  Kind kind = Kind::kNone;
  bool writable = false;
  PageId page = kNoPage;     // kPresent
  Offset offset = kNoOffset;  // kSwap
  // kSwap: the uffd-wp software bit (pte_swp_uffd_wp), which UFFDIO_WRITEPROTECT
  // sets and clears on swap PTEs under the PTL (op uffd_wp). The model has no
  // userfaultfd: a fault that maps the page drops the bit.
  bool uffd_wp = false;
  friend bool operator==(const Pte&, const Pte&) = default;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_PTE_H_
