#include "model/dump.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/machines.h"
#include "model/step.h"

namespace swapfuzz {

// Set by Executor::Run(); read only by swapfuzz_dump_state().
const Kernel* g_running_kernel = nullptr;

namespace {

std::string PteString(const Pte& p) {
  switch (p.kind) {
    case Pte::Kind::kNone: return "none";
    case Pte::Kind::kPresent:
      return p.page == kZeroPage ? "present zero page"
                                 : absl::StrCat("present page ", p.page, p.writable ? " rw" : " ro");
    case Pte::Kind::kSwap: return absl::StrCat("swap offset ", p.offset);
  }
  return "?";
}

std::string WaitString(const Wait& w) {
  switch (w.kind) {
    case Wait::Kind::kNone: return "";
    case Wait::Kind::kPageLock: return absl::StrCat(", waits for the lock of page ", w.id);
    case Wait::Kind::kZramSlot: return absl::StrCat(", waits for zram slot lock ", w.id);
    case Wait::Kind::kMmapRead: return absl::StrCat(", waits for mmap_read_lock of mm ", w.id);
    case Wait::Kind::kMmapWrite: return absl::StrCat(", waits for mmap_write_lock of mm ", w.id);
    case Wait::Kind::kYield: return ", in a retry loop (yielded)";
    case Wait::Kind::kZramDevLock: return ", waits for zram->dev_lock";
    case Wait::Kind::kZramWbDone: return ", waits on wb_ctl->done_wait";
    case Wait::Kind::kAcompMutex:
      return absl::StrCat(", waits for the acomp_ctx mutex of cpu ", w.id);
    case Wait::Kind::kCpuHotplug: return ", waits for cpu_hotplug_lock";
    case Wait::Kind::kZcompStrm:
      return absl::StrCat(", waits for the zram", w.dev, " stream mutex of cpu ", w.id);
    case Wait::Kind::kInodeLock: return ", waits for inode_lock of the shmem file";
    case Wait::Kind::kShmemFalloc: return ", waits in shmem_falloc_wait() for the hole punch";
    case Wait::Kind::kShmemSwaplist: return ", waits for shmem_swaplist_mutex";
    default: return absl::StrCat(", waits (kind ", static_cast<int>(w.kind), ", id ", w.id, ")");
  }
}

}  // namespace

std::string FormatKernelState(const Kernel& k) {
  std::string out = absl::StrCat("=== swapfuzz machine at step ", k.step, " ===\n");
  absl::StrAppend(&out, "CPUs:\n");
  for (int i = 0; i <= kMaxCpus; ++i) {
    const Cpu& c = k.cpus[i];
    if (i >= k.ncpus && i != kIrqCpu) continue;
    if (i == kIrqCpu && c.done && c.depth == 0) continue;
    absl::StrAppend(&out, "  cpu ", i, i == kIrqCpu ? " (irq)" : "", " tid ", c.tid, " mm ",
                    static_cast<int>(c.mm), ": ");
    if (c.done) {
      absl::StrAppend(&out, "done\n");
      continue;
    }
    absl::StrAppend(&out, "op ", c.op_index, "/", static_cast<int>(c.n_ops), " (",
                    std::string(OpName(c.program[c.op_index].kind)), ")", WaitString(c.wait), "\n");
    for (int d = 0; d < c.depth; ++d) {
      const Frame& f = c.frames[d];
      // "do_swap_page@kLockPage"; a machine of one step has no state names.
      const std::string_view state = MachineStateName(f.fn, f.pc);
      absl::StrAppend(&out, "    ", std::string(d * 2, ' '), std::string(FnName(f.fn)));
      if (!state.empty()) {
        absl::StrAppend(&out, "@", std::string(state));
      } else if (f.pc != 0) {
        absl::StrAppend(&out, " pc ", static_cast<int>(f.pc));
      }
      if (f.offset != kNoOffset) absl::StrAppend(&out, " offset ", f.offset);
      if (f.page >= 0) absl::StrAppend(&out, " page ", f.page);
      absl::StrAppend(&out, "\n");
    }
  }
  absl::StrAppend(&out, "page tables:\n");
  for (int m = 0; m < kMaxMms; ++m) {
    const Mm& mm = k.mms[m];
    if (!mm.alive) continue;
    absl::StrAppend(&out, "  mm ", m, mm.mmap_writer ? " (mmap_lock held for write)" : "",
                    mm.mmap_readers ? absl::StrCat(" (", mm.mmap_readers, " readers)") : "",
                    ":\n");
    if (k.config.features.vma_readahead) {
      // vma->swap_readahead_info (VMA readahead's releases only).
      const std::string addr = mm.swap_ra.addr == kRaNoAddr
                                   ? std::string("none")
                                   : absl::StrCat("va ", static_cast<int>(mm.swap_ra.addr));
      absl::StrAppend(&out, "    swap_readahead_info: ", addr, ", window ",
                      static_cast<int>(mm.swap_ra.win), ", hits ",
                      static_cast<int>(mm.swap_ra.hits), "\n");
    }
    for (int va = 0; va < kMaxVas; ++va) {
      if (mm.pte[va].kind == Pte::Kind::kNone && mm.logical[va] == 0) continue;
      absl::StrAppend(&out, absl::StrFormat("    va %d: %-24s last written %#x\n", va,
                                            PteString(mm.pte[va]), mm.logical[va]));
    }
    for (int index = 0; index < kMaxShmemPages && k.shmem_mapped; ++index) {
      if (mm.shmem_pte[index].kind == Pte::Kind::kNone) continue;
      absl::StrAppend(&out, absl::StrFormat("    shmem mapping index %d: %s\n", index,
                                            PteString(mm.shmem_pte[index])));
    }
  }
  if (k.shmem_used) {
    const ShmemInode& inode = k.shmem;
    absl::StrAppend(&out, "shmem file: nrpages ", inode.nrpages, ", swapped ", inode.swapped,
                    ", alloced ", inode.alloced,
                    inode.i_rwsem_owner != -1
                        ? absl::StrCat(", inode_lock held by cpu ", inode.i_rwsem_owner)
                        : std::string(),
                    inode.falloc_active
                        ? absl::StrCat(", punching indices ", inode.falloc_start, "..",
                                       inode.falloc_next - 1)
                        : std::string(),
                    inode.swaplist_mutex_owner != -1
                        ? absl::StrCat(", shmem_swaplist_mutex held by cpu ",
                                       inode.swaplist_mutex_owner)
                        : std::string(),
                    ":\n");
    for (int index = 0; index < kMaxShmemPages; ++index) {
      const ShmemEntry& e = inode.i_pages[index];
      if (e.kind == ShmemEntry::Kind::kNone && inode.logical[index] == 0) continue;
      // A large entry names its order; each index names its own page or slot.
      const std::string order = e.order > 0 ? absl::StrCat(" (order ", e.order, ")") : "";
      const std::string entry =
          e.kind == ShmemEntry::Kind::kFolio ? absl::StrCat("page ", ShmemPageAt(k, index), order)
          : e.kind == ShmemEntry::Kind::kSwap ? absl::StrCat("swap ", e.SlotAt(index), order)
                                              : std::string("hole");
      absl::StrAppend(&out, absl::StrFormat("    index %d: %-24s last written %#x\n", index, entry,
                                            inode.logical[index]));
    }
  }
  for (int type = 0; type < kMaxSwapDevices; ++type) {
    const SwapDevice& si = k.swap_info[type];
    if (si.nslots == 0) continue;
    if (k.swap_multi) {
      absl::StrAppend(&out, absl::StrFormat("swap device %d: offsets %d..%d, prio %d, %s%s%s%s\n",
                                            type, si.base + 1, si.base + si.nslots - 1, si.prio,
                                            si.active ? "used" : "unused",
                                            si.writeok ? ", writeok" : "",
                                            si.users_dead ? ", users dead" : "",
                                            si.on_avail ? ", on the avail list" : ""));
    }
    absl::StrAppend(&out, "swap device: ", si.nslots - 1, " slots, inuse_pages ",
                    si.inuse_pages, "\n");
    for (Offset off = si.base + 1; off < si.base + si.nslots; ++off) {
      const uint8_t map = k.si.swap_map[off];
      const PageId cached = k.swap_cache[off];
      const ZramSlot& z = k.zram.table[off];
      const EntryId e = k.zswap.tree[off];
      if (map == 0 && cached == kNoPage && z.state == ZramSlot::State::kEmpty && e == kNoEntry &&
          !k.disk[off].written) {
        continue;
      }
      absl::StrAppend(&out, absl::StrFormat("  offset %2d: swap_map count %d%s gen %d", off,
                                            swap_count(map), (map & SWAP_HAS_CACHE) ? "|HC" : "",
                                            k.si.generation[off]));
      if (cached != kNoPage) absl::StrAppend(&out, ", swap cache page ", cached);
      if (z.state == ZramSlot::State::kStored) {
        absl::StrAppend(&out, absl::StrFormat(", zram %#x", z.data));
      } else if (z.state == ZramSlot::State::kSame) {
        absl::StrAppend(&out, absl::StrFormat(", zram same %#x", z.data));
      } else if (z.state == ZramSlot::State::kWb) {
        absl::StrAppend(&out, absl::StrFormat(", zram %#x on backing block %d", z.data, z.block));
      } else if (!si.disk && map != 0) {
        absl::StrAppend(&out, ", zram empty");
      }
      if (z.lock_holder >= 0) absl::StrAppend(&out, " (slot lock: cpu ", z.lock_holder, ")");
      if (z.pp_slot) absl::StrAppend(&out, " (ZRAM_PP_SLOT)");
      if (e != kNoEntry) {
        const ZswapEntry& ze = k.zswap_entries[e];
        absl::StrAppend(&out, absl::StrFormat(", zswap entry %d %#x ref %d", e, ze.data,
                                              ze.refcount));
      }
      if (k.disk[off].written) {
        absl::StrAppend(&out, absl::StrFormat(", disk %#x", k.disk[off].data));
      }
      absl::StrAppend(&out, "\n");
    }
  }
  absl::StrAppend(&out, "pages:\n");
  for (PageId id = 0; id < k.next_page; ++id) {
    const Page& p = k.pages[id];
    if (p.freed) continue;
    absl::StrAppend(&out, absl::StrFormat("  page %d: data %#x ref %d map %d%s%s%s%s%s", id, p.data,
                                          p.refcount, p.mapcount, p.locked ? " locked" : "",
                                          p.uptodate ? " uptodate" : "", p.dirty ? " dirty" : "",
                                          p.writeback ? " writeback" : "",
                                          p.swapcache ? " swapcache" : ""));
    if (p.readahead) absl::StrAppend(&out, " readahead");
    if (p.locked) absl::StrAppend(&out, " (locked by cpu ", p.lock_owner, ")");
    if (p.private_offset != kNoOffset) absl::StrAppend(&out, " private ", p.private_offset);
    absl::StrAppend(&out, "\n");
  }
  const ZramWb& wb = k.zram.wb;
  if (wb.dev_lock_owner != -1 || wb.ctl != 0 || wb.rcu_deferred != 0 || wb.endio_ctl != 0) {
    absl::StrAppend(&out, "zram writeback: dev_lock held by cpu ", wb.dev_lock_owner,
                    ", wb_ctl ", wb.ctl, ", ", wb.num_inflight, " in flight, ", wb.ndone,
                    " done");
    if (wb.endio_ctl != 0) absl::StrAppend(&out, ", irq between list_add and wake_up of wb_ctl ",
                                           wb.endio_ctl);
    if (wb.rcu_deferred != 0) absl::StrAppend(&out, ", kfree_rcu() from wb_ctl ",
                                              wb.rcu_deferred, " waiting");
    absl::StrAppend(&out, "\n");
  }
  if (k.zswap.initialized) {
    absl::StrAppend(&out, "zswap: ", k.zswap.enabled ? "enabled" : "disabled", ", pool ",
                    k.zswap.pool_pages, " pages, max ", k.zswap.max_pool_percent, "%, lru ",
                    k.zswap.lru_n, " entries\n");
  }
  return out;
}

}  // namespace swapfuzz

extern "C" void swapfuzz_dump_state() {
  if (swapfuzz::g_running_kernel == nullptr) {
    std::puts("swapfuzz: no machine");
    return;
  }
  std::fputs(swapfuzz::FormatKernelState(*swapfuzz::g_running_kernel).c_str(), stdout);
  std::fflush(stdout);
}
