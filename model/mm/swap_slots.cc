// mm/swap_slots.c: the per-CPU swap slots cache (v4.13 .. v6.14). Releases
// without it (Features::slots_cache) allocate and free each slot directly.
//
// Allocation hands out offsets pre-reserved with SWAP_HAS_CACHE; freeing parks
// the offset in slots_ret, still reserved, until the batch fills or the cache
// is drained. While parked, the slot's zram or zswap copy survives and the
// offset cannot be reused.

#include "model/mm/swapfile.h"
#include "model/step.h"

namespace swapfuzz {
namespace {

// The cache size in effect: none where the release has no slots cache, or
// while swapoff has the caches disabled (disable_swap_slots_cache_lock()).
int SlotsCacheSize(const Kernel& k) {
  if (!k.config.features.slots_cache || k.slots_cache_disabled) return 0;
  return k.config.slots_cache_size;
}

}  // namespace

Offset get_swap_page(Kernel& k, Cpu& c) {
  const int size = SlotsCacheSize(k);
  if (size == 0) return get_swap_pages(k);
  SlotsCache& cache = k.cpus[c.on_cpu].slots_cache;
  if (cache.nr == 0) {  // refill_swap_slots_cache()
    while (cache.nr < size) {
      const Offset off = get_swap_pages(k);
      if (off == kNoOffset) break;
      cache.slots[cache.nr++] = off;
    }
    if (cache.nr == 0) return kNoOffset;
  }
  const Offset off = cache.slots[0];
  for (int i = 1; i < cache.nr; ++i) cache.slots[i - 1] = cache.slots[i];
  --cache.nr;
  return off;
}

void free_swap_slot(Kernel& k, Cpu& c, Offset off) {
  const int size = SlotsCacheSize(k);
  if (size == 0) {
    swapcache_free_entries(k, &off, 1);
    return;
  }
  SlotsCache& cache = k.cpus[c.on_cpu].slots_cache;
  if (cache.n_ret >= size) {
    swapcache_free_entries(k, cache.slots_ret.data(), cache.n_ret);
    cache.n_ret = 0;
  }
  cache.slots_ret[cache.n_ret++] = off;
}

void drain_slots_cache_cpu(Kernel& k, int cpu) {
  SlotsCache& cache = k.cpus[cpu].slots_cache;
  // Unused reservations go back exactly as freed slots do.
  swapcache_free_entries(k, cache.slots.data(), cache.nr);
  cache.nr = 0;
  swapcache_free_entries(k, cache.slots_ret.data(), cache.n_ret);
  cache.n_ret = 0;
}

}  // namespace swapfuzz
