#include "model/oracles.h"

#include "model/step.h"

namespace swapfuzz {
namespace {

const char* WaitName(Wait::Kind kind) {
  switch (kind) {
    case Wait::Kind::kNone: return "nothing";
    case Wait::Kind::kPageLock: return "lock_page";
    case Wait::Kind::kZramSlot: return "zram_slot_lock";
    case Wait::Kind::kMmapRead: return "mmap_read_lock";
    case Wait::Kind::kMmapWrite: return "mmap_write_lock";
    case Wait::Kind::kYield: return "a retry";
  }
  return "?";
}

template <typename... Args>
void Accounting(Kernel& k, ObjectKind object, const char* fmt, Args... args) {
  Report(k, Oracle::kAccounting, Fn::kQuiescence, object, true, fmt, args...);
}

}  // namespace

void CheckAfterStep(Kernel& k) {
  const Offset off = k.last_offset;
  if (off <= 0 || off >= k.si.nslots) return;
  const PageId id = k.swap_cache[off];
  if (id == kNoPage) return;
  const Page& p = k.pages[id];
  if (p.freed || !p.swapcache || p.private_offset != off ||
      !(k.si.swap_map[off] & SWAP_HAS_CACHE)) {
    Report(k, Oracle::kSwapCache, StepFn(k.last_step), ObjectKind::kSwapSlot, true,
           "swap cache offset %d holds page %d (freed %d, swapcache %d, private %d, map 0x%02x)",
           off, id, p.freed, p.swapcache, p.private_offset, k.si.swap_map[off]);
  }
}

void ReportDeadlock(Kernel& k) {
  char what[120] = {};
  int n = 0;
  for (int i = 0; i < k.ncpus && n < static_cast<int>(sizeof(what)); ++i) {
    const Cpu& c = k.cpus[i];
    if (c.done) continue;
    n += snprintf(what + n, sizeof(what) - n, "%scpu %d in %s waits for %s %d", n ? "; " : "",
                  i, FnName(c.frames[c.depth - 1].fn).data(), WaitName(c.wait.kind), c.wait.id);
  }
  Report(k, Oracle::kDeadlock, Fn::kExecutor, ObjectKind::kCpu, true, "all CPUs blocked: %s",
         what);
}

void CheckQuiescent(Kernel& k) {
  std::array<int, kMaxSlots> swap_ptes{};
  std::array<int, kMaxPages> mappings{};
  for (const Mm& mm : k.mms) {
    if (!mm.alive) continue;
    for (const Pte& pte : mm.pte) {
      if (pte.kind == Pte::Kind::kSwap) ++swap_ptes[pte.offset];
      if (pte.kind == Pte::Kind::kPresent && pte.page >= 0) ++mappings[pte.page];
    }
  }
  int used = 0;
  for (Offset off = 1; off < k.si.nslots; ++off) {
    const uint8_t map = k.si.swap_map[off];
    const bool cached = k.swap_cache[off] != kNoPage;
    used += map != 0;
    if (swap_count(map) != swap_ptes[off]) {
      Accounting(k, ObjectKind::kSwapSlot, "offset %d: swap count %d but %d swap PTEs", off,
                 swap_count(map), swap_ptes[off]);
    }
    if (static_cast<bool>(map & SWAP_HAS_CACHE) != cached) {
      Accounting(k, ObjectKind::kSwapSlot, "offset %d: SWAP_HAS_CACHE is %d, cached page %d",
                 off, (map & SWAP_HAS_CACHE) != 0, k.swap_cache[off]);
    }
    if (map == 0 && k.zram.miss_free == 0 &&
        k.zram.table[off].state != ZramSlot::State::kEmpty) {
      Accounting(k, ObjectKind::kZramSlot, "offset %d is free but zram still holds it", off);
    }
  }
  if (used != k.si.inuse_pages) {
    Accounting(k, ObjectKind::kSwapSlot, "inuse_pages %d but %d offsets in use",
               k.si.inuse_pages, used);
  }
  for (PageId id = 0; id < k.next_page; ++id) {
    const Page& p = k.pages[id];
    if (p.freed) continue;
    if (p.locked) {
      Accounting(k, ObjectKind::kPage, "page %d left locked (by cpu %d)", id, p.lock_owner);
    }
    if (p.mapcount != mappings[id] || p.refcount != mappings[id] + (p.swapcache ? 1 : 0)) {
      Accounting(k, ObjectKind::kPage, "page %d: refcount %d, mapcount %d, does not match its "
                 "mappings and the swap cache", id, p.refcount, p.mapcount);
    }
  }
  // Every address holds what was last written to it.
  for (int m = 0; m < kMaxMms; ++m) {
    const Mm& mm = k.mms[m];
    if (!mm.alive) continue;
    for (int va = 0; va < kMaxVas; ++va) {
      const Pte& pte = mm.pte[va];
      Token have = 0;
      if (pte.kind == Pte::Kind::kPresent) {
        have = pte.page == kZeroPage ? 0 : k.pages[pte.page].data;
      } else if (pte.kind == Pte::Kind::kSwap) {
        const PageId cached = k.swap_cache[pte.offset];
        have = cached != kNoPage ? k.pages[cached].data : k.zram.table[pte.offset].data;
      }
      if (have != mm.logical[va]) {
        Report(k, Oracle::kDataIntegrity, Fn::kQuiescence, ObjectKind::kMm, true,
               "mm %d va %d holds %#llx, the user last wrote %#llx", m, va,
               static_cast<unsigned long long>(have),
               static_cast<unsigned long long>(mm.logical[va]));
        return;
      }
    }
  }
}

}  // namespace swapfuzz
