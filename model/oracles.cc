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
    case Wait::Kind::kWriteback: return "page writeback";
    case Wait::Kind::kSwapUsers: return "si->users";
    case Wait::Kind::kZramDevLock: return "zram->dev_lock";
    case Wait::Kind::kZramWbDone: return "wb_ctl->done_wait";
    case Wait::Kind::kAcompMutex: return "acomp_ctx->mutex";
    case Wait::Kind::kCpuHotplug: return "cpu_hotplug_lock";
    case Wait::Kind::kZcompStrm: return "zstrm->lock";
    case Wait::Kind::kInodeLock: return "inode_lock";
    case Wait::Kind::kShmemFalloc: return "shmem_falloc_wait";
    case Wait::Kind::kShmemSwaplist: return "shmem_swaplist_mutex";
  }
  return "?";
}

template <typename... Args>
void Accounting(Kernel& k, ObjectKind object, const char* fmt, Args... args) {
  Report(k, Oracle::kAccounting, Fn::kQuiescence, object, true, fmt, args...);
}

// The value a swap entry holds, wherever its data now lives: the swap cache,
// else zswap (a tree entry wins over the device), else the disk or zram (or
// zram's backing device). `skip_unread`: a swap cache folio not yet uptodate
// (a read into it is under way) is not a copy of the data yet, so look past
// it; at quiescence every read is done.
Token HoldsSwap(const Kernel& k, Offset off, bool skip_unread = false) {
  if (const PageId folio = k.swap_cache[off];
      folio != kNoPage && (!skip_unread || k.pages[folio].uptodate)) {
    return k.pages[page_of_entry(k, folio, off)].data;
  }
  if (k.si.zeromap[off]) return 0;
  if (k.zswap.tree_id[swp_type(k, off)] != 0 && k.zswap.tree[off] != kNoEntry) {
    return k.zswap_entries[k.zswap.tree[off]].data;
  }
  if (swap_entry_to_info(k, off).disk) return k.disk[off].data;
  const ZramSlot& z = k.zram.table[off];
  if (z.state == ZramSlot::State::kWb) return k.zram.bd[z.block].data;
  return z.data;
}
// The value an address holds: the mapped page's, or its swap entry's.
Token Holds(const Kernel& k, const Pte& pte) {
  if (pte.kind == Pte::Kind::kPresent) {
    return pte.page == kZeroPage ? 0 : k.pages[pte.page].data;
  }
  return pte.kind == Pte::Kind::kSwap ? HoldsSwap(k, pte.offset) : 0;
}

// The shmem file at quiescence: its counters count its entries, each folio
// entry is a live folio that knows its index, nobody holds inode_lock, and
// every index holds what was last written to it, wherever it lives: the page
// cache, the swap cache, zswap or the device.
void CheckShmemQuiescent(Kernel& k) {
  const ShmemInode& inode = k.shmem;
  int folios = 0, swapped = 0;
  for (int index = 0; index < kMaxShmemPages; ++index) {
    const ShmemEntry& e = inode.i_pages[index];
    Token have = 0;
    if (e.kind == ShmemEntry::Kind::kFolio) {
      ++folios;
      const Page& p = k.pages[e.folio];
      if (p.freed || p.shmem_index != (index & ~((1 << p.order) - 1)) || p.order != e.order ||
          p.swapcache) {
        Accounting(k, ObjectKind::kShmemFile, "shmem index %d holds folio %d (freed %d, index %d, "
                   "order %d, swapcache %d)", index, e.folio, p.freed, p.shmem_index, p.order,
                   p.swapcache);
        return;
      }
      have = k.pages[ShmemPageAt(k, index)].data;
    } else if (e.kind == ShmemEntry::Kind::kSwap) {
      ++swapped;
      have = HoldsSwap(k, e.SlotAt(index));
    }
    if (have != inode.logical[index]) {
      Report(k, Oracle::kDataIntegrity, Fn::kQuiescence, ObjectKind::kShmemFile, true,
             "shmem index %d holds %#llx, the file last held %#llx", index,
             static_cast<unsigned long long>(have),
             static_cast<unsigned long long>(inode.logical[index]));
      return;
    }
  }
  // info->alloced may count pages freed since the last shmem_recalc_inode(),
  // which settles it lazily; never fewer than the file holds.
  if (inode.nrpages != folios || inode.swapped != swapped ||
      inode.alloced < folios + swapped || inode.i_rwsem_owner != -1 ||
      inode.swaplist_mutex_owner != -1) {
    Accounting(k, ObjectKind::kShmemFile, "shmem file: nrpages %d, swapped %d, alloced %d for %d "
               "folios and %d swap entries; inode_lock held by %d, shmem_swaplist_mutex by %d",
               inode.nrpages, inode.swapped, inode.alloced, folios, swapped, inode.i_rwsem_owner,
               inode.swaplist_mutex_owner);
  }
}

// zswap at quiescence: the tree, the entries, the LRU and the pool counters
// agree, and every entry belongs to a slot in use.
void CheckZswapQuiescent(Kernel& k) {
  const Zswap& z = k.zswap;
  int live = 0, pooled = 0, on_lru = 0;
  for (EntryId id = 0; id < z.next_entry; ++id) {
    const ZswapEntry& e = k.zswap_entries[id];
    if (e.freed) continue;
    ++live;
    pooled += !e.same_filled;
    on_lru += e.on_lru;
    if (!e.in_tree || z.tree_id[swp_type(k, e.offset)] == 0 || z.tree[e.offset] != id) {
      Accounting(k, ObjectKind::kZswapEntry, "zswap entry %d (offset %d) is live but not in the "
                 "tree", id, e.offset);
      return;
    }
    if (e.refcount != 1) {
      Accounting(k, ObjectKind::kZswapEntry, "zswap entry %d (offset %d): refcount %d, only the "
                 "tree holds it", id, e.offset, e.refcount);
      return;
    }
    if (e.on_lru == e.same_filled) {
      Accounting(k, ObjectKind::kZswapEntry, "zswap entry %d (offset %d): on the LRU %d, "
                 "same-filled %d", id, e.offset, e.on_lru, e.same_filled);
      return;
    }
    if (swap_entry_to_info(k, e.offset).map_freed || !slot_allocated(k, e.offset)) {
      Accounting(k, ObjectKind::kZswapEntry, "zswap entry %d holds offset %d, which is free", id,
                 e.offset);
      return;
    }
  }
  for (Offset off = 0; off < kMaxSlots; ++off) {
    if (z.tree_id[swp_type(k, off)] == 0) continue;  // no zswap_trees[type]
    const EntryId id = z.tree[off];
    if (id != kNoEntry && (k.zswap_entries[id].freed || k.zswap_entries[id].offset != off)) {
      Accounting(k, ObjectKind::kZswapTree, "the tree maps offset %d to entry %d (freed %d)", off,
                 id, k.zswap_entries[id].freed);
      return;
    }
  }
  if (on_lru != z.lru_n || z.pool_pages != pooled || z.stored_pages != live) {
    Accounting(k, ObjectKind::kZswapPool, "zswap pool: %d pages and %d stored, LRU of %d; the "
               "entries need %d, %d and %d", z.pool_pages, z.stored_pages, z.lru_n, pooled, live,
               on_lru);
  }
}

// A zram device's backing device at quiescence: each written-back slot owns
// its block.
void CheckZramBdQuiescent(Kernel& k, const Zram& dev) {
  std::array<bool, kMaxSlots> owned{};
  int wb = 0;
  for (Offset off = 0; off < kMaxSlots; ++off) {
    const ZramSlot& z = dev.table[off];
    if (z.under_wb || z.pp_slot) {
      Accounting(k, ObjectKind::kZramSlot, "zram slot %d left %s", off,
                 z.under_wb ? "ZRAM_UNDER_WB" : "ZRAM_PP_SLOT");
      return;
    }
    if (z.state != ZramSlot::State::kWb) continue;
    ++wb;
    if (z.block < 0 || !dev.bd[z.block].used || owned[z.block]) {
      Accounting(k, ObjectKind::kBlock, "zram slot %d is written back to block %d, which is "
                 "not its own", off, z.block);
      return;
    }
    owned[z.block] = true;
  }
  for (int b = 0; b < kMaxSlots; ++b) {
    if (dev.bd[b].used && !owned[b]) {
      Accounting(k, ObjectKind::kBlock, "zram backing block %d is allocated but unused", b);
      return;
    }
  }
  if (wb != dev.wb_pages) {
    Accounting(k, ObjectKind::kZramSlot, "zram counts %d written-back pages, the table %d",
               dev.wb_pages, wb);
    return;
  }
  // Every batched writeback ended: dev_lock dropped, its wb_ctl freed (a
  // kfree_rcu() included), nothing in flight or on the done list.
  const ZramWb& w = dev.wb;
  if (w.dev_lock_owner != -1 || w.ctl != 0 || w.rcu_deferred != 0 || w.endio_ctl != 0 ||
      w.num_inflight != 0 || w.ndone != 0) {
    Accounting(k, ObjectKind::kZramWbCtl, "zram writeback not over: dev_lock cpu %d, wb_ctl %d "
               "(%d waiting for RCU), %d in flight, %d done", w.dev_lock_owner, w.ctl,
               w.rcu_deferred, w.num_inflight, w.ndone);
  }
}

// The rmap finds every mapping: rmap_walk_anon() looks for an anonymous
// folio at vma_address(folio->index) in each VMA of its anon_vma, so each PTE
// that maps it sits at its index (fork keeps the address in both mms). A folio
// in the swap cache that has an index has the address of the swap PTEs of its
// entry, where the next swap-in maps it (folio_add_anon_rmap() checks that).
void CheckRmapQuiescent(Kernel& k) {
  for (int m = 0; m < kMaxMms; ++m) {
    const Mm& mm = k.mms[m];
    if (!mm.alive) continue;
    for (int va = 0; va < kMaxVas; ++va) {
      const Pte& pte = mm.pte[va];
      PageId id = kNoPage;
      if (pte.kind == Pte::Kind::kPresent && pte.page != kZeroPage) {
        id = pte.page;
      } else if (pte.kind == Pte::Kind::kSwap && !swap_entry_to_info(k, pte.offset).map_freed &&
                 k.swap_cache[pte.offset] != kNoPage &&
                 k.pages[k.swap_cache[pte.offset]].index != kNoIndex) {
        id = page_of_entry(k, k.swap_cache[pte.offset], pte.offset);
      }
      if (id != kNoPage && k.pages[id].index != va) {
        Report(k, Oracle::kRmap, Fn::kQuiescence, ObjectKind::kPage, true,
               "mm %d va %d %s folio %d, whose index is %d", m, va,
               pte.kind == Pte::Kind::kPresent ? "maps" : "holds the swap entry of", id,
               k.pages[id].index);
        return;
      }
    }
  }
}

// The plain zram device at quiescence: nobody has it open, claimed or locked,
// and each page holds what its last write or discard left (all are complete).
void CheckZramBdevQuiescent(Kernel& k) {
  const Zram& z = k.zram_bdev;
  bool streams_held = false;
  for (const ZcompStrm& st : z.strm) streams_held |= st.mutex_owner != -1;
  if (z.openers != 0 || z.claim || z.dev_lock_readers != 0 || streams_held) {
    Accounting(k, ObjectKind::kZramTable, "zram1 left open by %d, claimed %d, dev_lock readers "
               "%d, a stream mutex held %d", z.openers, z.claim, z.dev_lock_readers,
               streams_held);
    return;
  }
  for (Offset i = 0; i < z.disksize; ++i) {
    const ZramSlot& s = z.table[i];
    const Token have = s.state == ZramSlot::State::kWb ? z.bd[s.block].data : s.data;
    const ZramBdevSector& sector = k.zram_bdev_sector[i];
    bool ok = false;
    for (int j = 0; j < sector.nlast; ++j) ok |= sector.last[j] == have;
    if (!ok) {
      Report(k, Oracle::kDataIntegrity, Fn::kQuiescence, ObjectKind::kZramSlot, true,
             "zram1 page %d holds %#llx; its last write or discard left %#llx", i,
             static_cast<unsigned long long>(have),
             static_cast<unsigned long long>(sector.last[0]));
    }
  }
}

// cgroup v2 charges a swap slot, from its allocation to its free, to the
// memcg of the folio it was allocated for (__mem_cgroup_try_charge_swap()
// records it in swap_cgroup), and a folio read in for the slot to the memcg
// recorded for it (mem_cgroup_swapin_charge_folio()). The slot cannot be
// freed while a folio is in its swap cache, and a cgroup v2 folio never
// changes memcg, so a folio in the swap cache is charged to the memcg the
// slot's record names, whenever there is a record. A folio mapped into mms of
// other memcgs (fork, COW) stays charged to its own: the rule is about the
// folio and its slot, not about who maps it.
void CheckSwapCacheCharge(Kernel& k, Offset off, PageId id) {
  const uint8_t recorded = k.si.swap_cgroup[off];
  if (recorded == 0 || k.pages[id].memcg == recorded) return;
  Report(k, Oracle::kMemcg, StepFn(k.last_step), ObjectKind::kMemcg, true,
         "swap cache offset %d: page %d is charged to memcg %d, swap_cgroup records memcg %d",
         off, id, k.pages[id].memcg, recorded);
}

// Each memcg's counters are the charges recorded for it: its memory counter
// the live folios whose memcg_data names it, its swap counter the slots whose
// swap_cgroup record names it.
void CheckMemcgQuiescent(Kernel& k) {
  std::array<int, kMaxMemcgs + 1> memory{}, swap{};
  for (PageId id = 0; id < k.next_page; ++id) {
    const Page& p = k.pages[id];
    if (!p.freed && p.head == kNoPage) memory[p.memcg] += folio_nr_pages(k, id);
  }
  for (Offset off = 0; off < kMaxSlots; ++off) {
    const uint8_t recorded = k.si.swap_cgroup[off];
    ++swap[recorded];
    // The record lives from the slot's allocation to its free
    // (__mem_cgroup_uncharge_swap() clears it as the slot is freed), and
    // swapoff frees every slot: a record on a free slot is a swap charge
    // nobody will uncharge, even when the counter agrees with the records.
    if (recorded != 0 && (!swap_entry_to_info(k, off).active || !slot_allocated(k, off))) {
      Report(k, Oracle::kMemcg, Fn::kQuiescence, ObjectKind::kMemcg, true,
             "offset %d is free but swap_cgroup still charges it to memcg %d", off, recorded);
      return;
    }
  }
  for (int m = 1; m <= kMaxMemcgs; ++m) {
    const MemCgroup& mc = k.memcgs[m];
    if (mc.memory != memory[m] || mc.swap != swap[m]) {
      Report(k, Oracle::kMemcg, Fn::kQuiescence, ObjectKind::kMemcg, true,
             "memcg %d: memory counter %d for %d charged folios, swap counter %d for %d "
             "recorded slots",
             m, mc.memory, memory[m], mc.swap, swap[m]);
      return;
    }
  }
}

// The avail list (swap_avail_head) at a step boundary, where every change to
// it (swapon, swapoff, the allocation that fills a device, the free that
// empties a full one) has completed under swap_avail_lock: the devices on it
// are exactly the swapped-on, writable, live ones with a free slot, in
// priority order, each once.
void CheckSwapAvail(Kernel& k) {
  auto bad = [&](int type, const char* what) {
    const SwapDevice& si = k.swap_info[type];
    Report(k, Oracle::kSwapAvail, StepFn(k.last_step), ObjectKind::kSwapDevice, true,
           "type %d %s (used %d, writeok %d, users dead %d, %d of %d slots in use)", type, what,
           si.active, si.writeok, si.users_dead, si.inuse_pages, si.nslots - 1);
  };
  uint8_t listed = 0;
  for (int i = 0; i < k.navail; ++i) {
    const int type = k.avail[i];
    const SwapDevice& si = k.swap_info[type];
    if ((listed >> type) & 1u) return bad(type, "is on the avail list twice");
    listed |= static_cast<uint8_t>(1u << type);
    if (!si.active || !si.writeok || si.users_dead || si.inuse_pages >= si.nslots - 1) {
      return bad(type, "is on the avail list but cannot be allocated from");
    }
    if (i > 0 && k.swap_info[k.avail[i - 1]].prio < si.prio) {
      return bad(type, "is on the avail list behind a device of lower priority");
    }
  }
  for (int type = 0; type < kMaxSwapDevices; ++type) {
    const SwapDevice& si = k.swap_info[type];
    const bool on = (listed >> type) & 1u;
    if (on != si.on_avail) return bad(type, "has its off-list bit wrong");
    if (!on && si.active && si.writeok && !si.users_dead && si.inuse_pages < si.nslots - 1) {
      return bad(type, "is writable with free slots but not on the avail list");
    }
  }
}

// The shmem file after each step. Its content is what was last written:
// a hole reads zero, a folio in the page cache holds the data (a write stores
// it and the value in one step, a swap-in adds a folio read from swap), and a
// swap entry's data is where the swap cache, zswap or the device keep it. A
// swap entry in the mapping owns a count of its slot (folio_dup_swap() comes
// before shmem_delete_from_page_cache() stores the entry; shmem_free_swap()
// and shmem_swapin_folio() take the entry out before they put the count), so
// its slot is allocated with a count. While a truncation runs, the indices
// from its new size on are left alone (ShmemInode::truncating_from): they
// read zero from its i_size_write() on, and hold zero once it is done.
void CheckShmemAfterStep(Kernel& k) {
  // A PTE of the file's shared mapping maps the page the file holds at its
  // index: truncation and reclaim unmap a folio (under its lock) before it
  // leaves the page cache, and a fault maps only a locked folio the file
  // still holds. A PTE left on a page that left the file reads and writes
  // data the file no longer has.
  for (int m = 0; m < kMaxMms && k.shmem_mapped; ++m) {
    const Mm& mm = k.mms[m];
    for (int index = 0; index < kMaxShmemPages && mm.alive; ++index) {
      const Pte& pte = mm.shmem_pte[index];
      if (pte.kind != Pte::Kind::kPresent) continue;
      const ShmemEntry& e = k.shmem.i_pages[index];
      if (e.kind != ShmemEntry::Kind::kFolio || ShmemPageAt(k, index) != pte.page) {
        Report(k, Oracle::kRmap, StepFn(k.last_step), ObjectKind::kShmemFile, true,
               "mm %d's shared mapping of shmem index %d maps page %d, which the file does "
               "not hold there (it holds %s)", m, index, pte.page,
               e.kind == ShmemEntry::Kind::kFolio ? "another folio"
               : e.kind == ShmemEntry::Kind::kSwap ? "a swap entry"
                                                   : "a hole");
        return;
      }
    }
  }
  for (int index = 0; index < kMaxShmemPages; ++index) {
    const ShmemEntry& e = k.shmem.i_pages[index];
    const Offset slot = e.SlotAt(index);
    if (e.kind == ShmemEntry::Kind::kSwap &&
        (!slot_allocated(k, slot) || swap_count(k.si.swap_map[slot]) == 0)) {
      Report(k, Oracle::kSwapCount, StepFn(k.last_step), ObjectKind::kShmemFile, true,
             "shmem index %d holds swap entry %d (slot %d), whose slot is %s", index, e.swap,
             slot, slot_allocated(k, slot) ? "allocated with count 0" : "free");
      return;
    }
    if (e.kind == ShmemEntry::Kind::kFolio && k.pages[e.folio].freed) {
      Report(k, Oracle::kUseAfterFree, StepFn(k.last_step), ObjectKind::kShmemFile, true,
             "shmem index %d holds folio %d, which is freed", index, e.folio);
      return;
    }
    const Token have = e.kind == ShmemEntry::Kind::kFolio  ? k.pages[ShmemPageAt(k, index)].data
                       : e.kind == ShmemEntry::Kind::kSwap ? HoldsSwap(k, slot, true)
                                                           : 0;
    if (have != k.shmem.logical[index] && index < k.shmem.truncating_from) {
      Report(k, Oracle::kDataIntegrity, StepFn(k.last_step), ObjectKind::kShmemFile, true,
             "shmem index %d holds %#llx (%s), the file last held %#llx", index,
             static_cast<unsigned long long>(have),
             e.kind == ShmemEntry::Kind::kFolio  ? "its folio"
             : e.kind == ShmemEntry::Kind::kSwap ? "its swap entry"
                                                 : "a hole",
             static_cast<unsigned long long>(k.shmem.logical[index]));
      return;
    }
  }
}

}  // namespace

void CheckAfterStep(Kernel& k) {
  if (k.shmem_used) CheckShmemAfterStep(k);
  if (k.zswap.pool_pages < 0 || k.zswap.stored_pages < 0) {
    Report(k, Oracle::kAccounting, StepFn(k.last_step), ObjectKind::kZswapPool, true,
           "zswap pool pages %d, stored pages %d", k.zswap.pool_pages, k.zswap.stored_pages);
  }
  CheckSwapAvail(k);
  const Offset off = k.last_offset;
  if (off <= 0 || off >= kMaxSlots) return;
  const SwapDevice& si = swap_entry_to_info(k, off);
  if (off <= si.base || off >= si.base + si.nslots) return;
  const PageId id = k.swap_cache[off];
  if (id == kNoPage) {
    // A slot whose count is zero holds nothing or a folio: once its last
    // count is gone it is either freed, or pinned by its swap cache
    // (SWAP_HAS_CACHE, or the folio in the swap table's word).
    if (slot_allocated(k, off) && !si.map_freed && swap_count(k.si.swap_map[off]) == 0 &&
        !slot_cache_pinned(k, off)) {
      Report(k, Oracle::kSwapCount, StepFn(k.last_step), ObjectKind::kSwapSlot, true,
             "offset %d is allocated with swap count 0 and nothing caches it", off);
    }
    return;
  }
  const Page& p = k.pages[id];
  if (p.freed || !folio_matches_swap_entry(k, id, off) || !slot_cache_pinned(k, off) ||
      !slot_allocated(k, off)) {
    Report(k, Oracle::kSwapCache, StepFn(k.last_step), ObjectKind::kSwapSlot, true,
           "swap cache offset %d holds page %d (freed %d, swapcache %d, private %d, map 0x%02x, "
           "allocated %d)",
           off, id, p.freed, p.swapcache, p.private_offset, k.si.swap_map[off],
           slot_allocated(k, off));
    return;
  }
  CheckSwapCacheCharge(k, off, id);
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
    for (const Pte& pte : mm.shmem_pte) {
      if (pte.kind == Pte::Kind::kPresent) ++mappings[pte.page];
    }
  }
  // The shmem file's swap entries own counts: 1 each, as swap PTEs do
  // (7.1.5), or the whole count SWAP_MAP_SHMEM (6.12.94, 6.18.35).
  const int shmem_count =
      k.config.features.shmem_swap == Features::ShmemSwap::kSwapTable ? 1 : SWAP_MAP_SHMEM;
  std::array<int, kMaxSlots> shmem_entries{};
  for (int index = 0; index < kMaxShmemPages; ++index) {
    const ShmemEntry& e = k.shmem.i_pages[index];
    if (e.kind == ShmemEntry::Kind::kSwap) shmem_entries[e.SlotAt(index)] += shmem_count;
  }
  for (int type = 0; type < kMaxSwapDevices; ++type) {
    const SwapDevice& si = k.swap_info[type];
    int used = 0;
    const bool device = si.active && !si.map_freed;
    for (Offset off = si.base + 1; off < si.base + si.nslots && device; ++off) {
      const uint8_t map = k.si.swap_map[off];
      const bool cached = k.swap_cache[off] != kNoPage;
      used += slot_allocated(k, off);
      if (swap_count(map) != swap_ptes[off] + shmem_entries[off]) {
        if (shmem_entries[off] == 0) {
          Accounting(k, ObjectKind::kSwapSlot, "offset %d: swap count %d but %d swap PTEs", off,
                     swap_count(map), swap_ptes[off]);
        } else {
          Accounting(k, ObjectKind::kSwapSlot, "offset %d: swap count %#x but %d swap PTEs and "
                     "shmem entries counting %#x", off, swap_count(map), swap_ptes[off],
                     shmem_entries[off]);
        }
      }
      if (slot_cache_pinned(k, off) != cached) {
        Accounting(k, ObjectKind::kSwapSlot, "offset %d: SWAP_HAS_CACHE is %d, cached page %d",
                   off, (map & SWAP_HAS_CACHE) != 0, k.swap_cache[off]);
      }
      if (slot_allocated(k, off) && swap_count(map) == 0 && !slot_cache_pinned(k, off)) {
        Accounting(k, ObjectKind::kSwapSlot, "offset %d is allocated with swap count 0 and "
                   "nothing caches it", off);
      }
      if (!slot_allocated(k, off) && k.zram.miss_free == 0 &&
          k.zram.table[off].state != ZramSlot::State::kEmpty) {
        Accounting(k, ObjectKind::kZramSlot, "offset %d is free but zram still holds it", off);
      }
    }
    if (device && used != si.inuse_pages) {
      Accounting(k, ObjectKind::kSwapSlot, "type %d: inuse_pages %d but %d offsets in use", type,
                 si.inuse_pages, used);
    }
  }
  for (PageId id = 0; id < k.next_page; ++id) {
    const Page& p = k.pages[id];
    if (p.freed) continue;
    if (p.head != kNoPage) {
      // A tail page: its mappings are its own; the references are the head's.
      if (p.mapcount != mappings[id] || p.refcount != 0) {
        Accounting(k, ObjectKind::kPage, "page %d of folio %d: refcount %d, mapcount %d, "
                   "mapped %d times", id, p.head, p.refcount, p.mapcount, mappings[id]);
      }
      continue;
    }
    const int nr = folio_nr_pages(k, id);
    if (p.swapcache && nr > 1) {
      // A large folio occupies each of its slots in the swap cache.
      for (int i = 0; i < nr; ++i) {
        const Offset off = static_cast<Offset>(p.private_offset + i);
        if (off >= kMaxSlots || k.swap_cache[off] != id) {
          Report(k, Oracle::kSwapCache, Fn::kQuiescence, ObjectKind::kPage, true,
                 "folio %d of %d pages caches offset %d, but slot %d of its range caches %d", id,
                 nr, p.private_offset, off, off < kMaxSlots ? k.swap_cache[off] : kNoPage);
          return;
        }
      }
    }
    if (p.locked) {
      Accounting(k, ObjectKind::kPage, "page %d left locked (by cpu %d)", id, p.lock_owner);
    }
    if (p.writeback) {
      Accounting(k, ObjectKind::kPage, "page %d left under writeback", id);
    }
    // Each mapping of any of its pages, and each swap cache or page cache
    // slot, holds a reference on the folio (folio_ref_add(folio, nr) as it
    // goes in). A folio that knows its shmem index is in the file there.
    int folio_mappings = 0;
    for (int i = 0; i < nr; ++i) folio_mappings += mappings[id + i];
    const bool page_cache = p.shmem_index != kNoIndex;
    bool in_file = page_cache;
    for (int i = 0; page_cache && i < nr; ++i) {
      in_file &= k.shmem.i_pages[p.shmem_index + i] ==
                 ShmemEntry{ShmemEntry::Kind::kFolio, id, kNoOffset, p.order};
    }
    if (page_cache && !in_file) {
      Accounting(k, ObjectKind::kShmemFile, "folio %d has shmem index %d, which does not hold it",
                 id, p.shmem_index);
      return;
    }
    if (p.mapcount != mappings[id] ||
        p.refcount != folio_mappings + (p.swapcache ? nr : 0) + (page_cache ? nr : 0)) {
      Accounting(k, ObjectKind::kPage, "page %d: refcount %d, mapcount %d, does not match its "
                 "mappings and the swap cache", id, p.refcount, p.mapcount);
    }
  }
  for (int cpu = 0; cpu < kMaxCpus; ++cpu) {
    if (k.zswap.acomp[cpu].mutex_owner != -1) {
      Accounting(k, ObjectKind::kAcompCtx, "the acomp_ctx mutex of cpu %d left held (by cpu %d)",
                 cpu, k.zswap.acomp[cpu].mutex_owner);
    }
  }
  if (k.findings.fatal) return;
  CheckMemcgQuiescent(k);
  if (k.findings.fatal) return;
  CheckZswapQuiescent(k);
  if (k.findings.fatal) return;
  CheckZramBdQuiescent(k, k.zram);
  if (k.findings.fatal) return;
  CheckZramBdQuiescent(k, k.zram_bdev);
  if (k.findings.fatal) return;
  CheckZramBdevQuiescent(k);
  if (k.findings.fatal) return;
  CheckRmapQuiescent(k);
  if (k.findings.fatal) return;
  if (k.shmem_used) {
    CheckShmemQuiescent(k);
    if (k.findings.fatal) return;
  }
  // Every address holds what was last written to it.
  for (int m = 0; m < kMaxMms; ++m) {
    const Mm& mm = k.mms[m];
    if (!mm.alive) continue;
    for (int va = 0; va < kMaxVas; ++va) {
      const Pte& pte = mm.pte[va];
      if (pte.kind == Pte::Kind::kSwap && (!swap_entry_to_info(k, pte.offset).active ||
                                           swap_entry_to_info(k, pte.offset).map_freed)) {
        Accounting(k, ObjectKind::kMm, "mm %d va %d holds swap entry %d of a device swapoff "
                   "removed", m, va, pte.offset);
        return;
      }
      const Token have = Holds(k, pte);
      if (!MayHold(mm, va, have)) {
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
