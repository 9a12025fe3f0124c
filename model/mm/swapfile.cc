// mm/swapfile.c: the swap_map and the slot lifecycle.
//
// Each function here runs inside one step of its caller, under the lock the
// kernel takes (the cluster lock or si->lock): a swap_map read-modify-write is
// atomic. Modelled on v5.16 (mm/swapfile.c), whose shape 6.x keeps.

#include "model/mm/swapfile.h"

#include "model/drivers/block/zram/zram_drv.h"
#include "model/step.h"

namespace swapfuzz {
namespace {

void Bad(Kernel& k, Fn fn, Offset off, const char* what) {
  Report(k, Oracle::kSwapCount, fn, ObjectKind::kSwapSlot, true, "%s: offset %d map 0x%02x",
         what, off, k.si.swap_map[off]);
}

// __swap_entry_free_locked(): returns the remaining usage; at zero the map
// keeps SWAP_HAS_CACHE so the slot stays reserved until the batch free.
uint8_t swap_entry_free_locked(Kernel& k, Fn fn, Offset off, bool drop_cache) {
  uint8_t& map = k.si.swap_map[off];
  uint8_t count = swap_count(map);
  bool has_cache = map & SWAP_HAS_CACHE;
  if (drop_cache) {
    if (!has_cache) Bad(k, fn, off, "VM_BUG_ON(!has_cache): clearing an unset SWAP_HAS_CACHE");
    has_cache = false;
  } else {
    if (count == 0) {
      Bad(k, fn, off, "swap_map count underflow");
      return map;
    }
    --count;
  }
  const uint8_t usage = count | (has_cache ? SWAP_HAS_CACHE : 0);
  map = usage ? usage : SWAP_HAS_CACHE;
  return usage;
}

// swap_range_free(): the slot is free; tell the layers that cache its data.
void swap_range_free(Kernel& k, Offset off) {
  --k.si.inuse_pages;
  // v5.16: bdev->bd_disk->fops->swap_slot_free_notify, zram's only.
  zram_slot_free_notify(k, off);
}

}  // namespace

int swap_duplicate(Kernel& k, Offset off) {
  uint8_t& map = k.si.swap_map[off];
  if (swap_count(map) == 0 && !(map & SWAP_HAS_CACHE)) return -2;  // -ENOENT
  if (swap_count(map) >= SWAP_MAP_MAX) {
    Bad(k, Fn::kSwapDuplicate, off, "swap_map count overflow");
    return -2;
  }
  ++map;
  return 0;
}

int swapcache_prepare(Kernel& k, Offset off) {
  uint8_t& map = k.si.swap_map[off];
  if (swap_count(map) == 0 && !(map & SWAP_HAS_CACHE)) return -2;  // -ENOENT
  if (map & SWAP_HAS_CACHE) return -17;                              // -EEXIST
  map |= SWAP_HAS_CACHE;
  return 0;
}

void swap_free(Kernel& k, Cpu& c, Offset off) {
  // _swap_info_get(): "Unused swap offset entry" for a zero map.
  if (k.si.swap_map[off] == 0) {
    Bad(k, Fn::kSwapFree, off, "swap_free of an unused swap offset entry");
    return;
  }
  if (swap_entry_free_locked(k, Fn::kSwapFree, off, false) == 0) free_swap_slot(k, c, off);
}

void put_swap_page(Kernel& k, Cpu& c, Offset off) {
  if (swap_entry_free_locked(k, Fn::kPutSwapPage, off, true) == 0) free_swap_slot(k, c, off);
}

void swapcache_clear(Kernel& k, Cpu& c, Offset off) {
  if (swap_entry_free_locked(k, Fn::kSwapcacheClear, off, true) == 0) free_swap_slot(k, c, off);
}

bool vm_swap_full(const Kernel& k) {
  const int total = k.si.nslots - 1;
  const int nr_swap_pages = total - k.si.inuse_pages;
  return nr_swap_pages * 2 < total;
}

void swapcache_free_entries(Kernel& k, const Offset* offsets, int n) {
  for (int i = 0; i < n; ++i) {
    const Offset off = offsets[i];
    uint8_t& map = k.si.swap_map[off];
    // swap_entry_free(): VM_BUG_ON(count != SWAP_HAS_CACHE)
    if (map != SWAP_HAS_CACHE) {
      Bad(k, Fn::kSwapcacheFreeEntries, off, "freeing a slot that is not reserved");
      continue;
    }
    map = 0;
    swap_range_free(k, off);
  }
}

Offset get_swap_pages(Kernel& k) {
  // scan_swap_map_slots(), simplified to lowest-free-first. The kernel's cluster
  // allocator also reuses freed offsets soon; this makes reuse the rule, which
  // is what the ABA windows need.
  for (Offset off = 1; off < k.si.nslots; ++off) {
    uint8_t& map = k.si.swap_map[off];
    if (map != 0) continue;
    map = SWAP_HAS_CACHE;
    ++k.si.generation[off];
    ++k.si.inuse_pages;
    return off;
  }
  return kNoOffset;
}

bool try_to_free_swap(Kernel& k, Cpu& c, PageId id) {
  Page& p = page_checked(k, id, Fn::kTryToFreeSwap);
  if (!p.locked) {
    Report(k, Oracle::kPageState, Fn::kTryToFreeSwap, ObjectKind::kPage, true,
           "VM_BUG_ON_PAGE(!PageLocked): page %d", id);
  }
  if (!p.swapcache || p.writeback) return false;
  if (swap_count(k.si.swap_map[p.private_offset]) != 0) return false;  // page_swapped()
  delete_from_swap_cache(k, c, id);
  p.dirty = true;
  return true;
}

}  // namespace swapfuzz
