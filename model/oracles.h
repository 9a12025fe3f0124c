// The general oracles that look at the whole machine.
//
// Oracles that fire inside a path (data integrity at a mapping, swap_map
// underflow, unlocking an unlocked page, use of a freed page) are reported where
// the kernel would WARN or BUG, in the paths themselves. The checks here run
// between steps and at quiescence. None of them knows about any knob.

#ifndef SWAPFUZZ_MODEL_ORACLES_H_
#define SWAPFUZZ_MODEL_ORACLES_H_

#include "model/kernel.h"

namespace swapfuzz {

// After every step. The swap avail list holds exactly the swapped-on,
// writable, live devices with a free slot, once each, in priority order. And
// swap-cache consistency for the offset the last step touched: swap_cache[X]
// == P implies P is live, has PG_swapcache, page_private(P) == X, and
// swap_map[X] has SWAP_HAS_CACHE; and P is charged to the memcg X's
// swap_cgroup record names, if it names one. With shmem ops, the shmem file:
// every index holds the value last written to it (a hole zero, a folio its
// data, a swap entry the data swap keeps for it), and every swap entry in its
// mapping names an allocated slot with a count.
void CheckAfterStep(Kernel& k);

// Every unfinished CPU is blocked: names what each waits for.
void ReportDeadlock(Kernel& k);

// At quiescence (all programs done, slots caches drained):
//  - each offset's swap count equals the swap PTEs and shmem file entries
//    that hold it (an entry counts 1, or SWAP_MAP_SHMEM up to v6.18), SWAP_HAS_CACHE
//    is set exactly when a swap cache page exists, and inuse_pages counts the
//    used offsets;
//  - a free offset holds nothing in zram (unless a free notify was missed, the
//    leak zram itself counts in miss_free);
//  - no page is left locked, and every live page's references are its mappings
//    plus the swap cache's and the page cache's;
//  - every address holds the value last written to it, wherever it now lives:
//    a mapped page, the swap cache, or the device;
//  - every index of the shmem file holds the value last written to it, and
//    its counters (nrpages, swapped, alloced) count its entries;
//  - each memcg's memory counter counts the live folios charged to it, its
//    swap counter the slots swap_cgroup records for it.
void CheckQuiescent(Kernel& k);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_ORACLES_H_
