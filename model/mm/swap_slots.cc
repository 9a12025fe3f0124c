// mm/swap_slots.c: the per-CPU swap slots cache (v4.13 .. v6.13).
//
// Allocation hands out offsets pre-reserved with SWAP_HAS_CACHE; freeing parks
// the offset in slots_ret, still reserved, until the batch fills or the cache
// is drained. While parked, the slot's zram or zswap copy survives and the
// offset cannot be reused.

#include "model/mm/swapfile.h"
#include "model/step.h"

namespace swapfuzz {

Offset get_swap_page(Kernel& k, Cpu& c) {
  // swapoff disables the caches (disable_swap_slots_cache_lock()).
  const int size = k.slots_cache_disabled ? 0 : k.config.slots_cache_size;
  if (size == 0) return get_swap_pages(k);
  SlotsCache& cache = c.slots_cache;
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
  const int size = k.slots_cache_disabled ? 0 : k.config.slots_cache_size;
  if (size == 0) {
    swapcache_free_entries(k, &off, 1);
    return;
  }
  SlotsCache& cache = c.slots_cache;
  if (cache.n_ret >= size) {
    swapcache_free_entries(k, cache.slots_ret.data(), cache.n_ret);
    cache.n_ret = 0;
  }
  cache.slots_ret[cache.n_ret++] = off;
}

void drain_slots_cache_cpu(Kernel& k, Cpu& c) {
  SlotsCache& cache = c.slots_cache;
  // Unused reservations go back exactly as freed slots do.
  swapcache_free_entries(k, cache.slots.data(), cache.nr);
  cache.nr = 0;
  swapcache_free_entries(k, cache.slots_ret.data(), cache.n_ret);
  cache.n_ret = 0;
}

}  // namespace swapfuzz
