// The modelled kernel state: page tables, page frames, the swap devices and
// their swap_map, the swap cache, the per-CPU swap slots cache, zswap, and the
// backing stores: the zram device (with its own backing device), a disk or a
// swap file.
//
// Kernel is a plain value. Paths (model/mm/*, model/drivers/*) mutate it one
// atomic step at a time through the executor; the oracles read it. Nothing here
// allocates, so copying a Kernel is a snapshot of the whole machine.

#ifndef SWAPFUZZ_MODEL_KERNEL_H_
#define SWAPFUZZ_MODEL_KERNEL_H_

#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "model/config.h"
#include "model/coverage.h"
#include "model/finding.h"
#include "model/frame_locals.h"
#include "model/knobs.h"
#include "model/pte.h"
#include "model/steps.h"
#include "model/trace.h"
#include "model/types.h"

namespace swapfuzz {

// struct page, reduced to what the swap path tests.
//
// A large folio (order > 0, Features::large_folio_swapout) is 1 << order
// consecutive pages. The first, the head, holds what the kernel keeps per
// folio: the flags, the reference count, page_private() (the first of its
// naturally aligned, contiguous swap slots), the memcg and the swap cache's
// pointers (every slot of the folio caches the head). Each page, the head
// included, holds what the kernel keeps per page: its data, its mapcount,
// PG_anon_exclusive and its index. A tail page names its head and is never
// referenced, locked or freed on its own. An order-0 folio is its own head.
struct Page {
  bool allocated = false;
  bool freed = false;
  bool locked = false;
  bool uptodate = false;
  bool dirty = false;
  bool writeback = false;
  bool swapcache = false;   // PG_swapcache
  bool swapbacked = false;  // PG_swapbacked
  bool lru = false;         // on an LRU list (not isolated)
  bool anon_exclusive = false;  // PG_anon_exclusive (Features::anon_exclusive)
  // PG_readahead: swap_vma_readahead() read it for a neighbour of the fault
  // (Features::vma_readahead); a fault that finds it in the swap cache clears
  // it and counts a readahead hit.
  bool readahead = false;
  int8_t lock_owner = -1;   // CPU that took PG_locked, for the trace and gdb
  Offset private_offset = kNoOffset;  // page_private(): the swap entry
  // folio->index of an anonymous folio: the address (va) the rmap finds it
  // at, vma_address(folio->index) in rmap_walk_anon(). Set by
  // folio_add_new_anon_rmap() when the folio is first mapped, and by
  // UFFDIO_MOVE's folio_move_anon_rmap(); kNoIndex while !folio_test_anon()
  // (a new folio, or one read into the swap cache and never mapped).
  int8_t index = kNoIndex;
  int16_t refcount = 0;
  int16_t mapcount = 0;
  Token data = 0;
  // folio->memcg_data: the memcg the folio is charged to (0: none).
  uint8_t memcg = 0;
  uint8_t order = 0;       // the head's folio_order(); 0 on a tail
  PageId head = kNoPage;   // a tail page's head; kNoPage on a head
  // folio_test_partially_mapped(): an rmap removal left the anonymous folio
  // (of order 2 or more, not in the swap cache) partly mapped, and
  // deferred_split_folio() queued it; reclaim splits it.
  bool partially_mapped = false;
  // The folio's _deferred_list: on no list, on the deferred-split queue, or
  // on a running deferred_split_scan()'s private list (6.12.94 and 6.18.35
  // list_move() a pinned folio there and splice it back at the end).
  enum class DeferredList : uint8_t { kNone, kQueued, kScanning };
  DeferredList deferred_list = DeferredList::kNone;
  // folio->mapping is the shmem file's and folio->index this page index: the
  // folio is in the file's page cache (ShmemInode::i_pages). kNoIndex for an
  // anonymous folio, and for a shmem folio shmem_writeout() moved to the swap
  // cache, whose mapping is NULL.
  int8_t shmem_index = kNoIndex;
};

// vma->swap_readahead_info of an mm's one VMA (Features::vma_readahead):
// SWAP_RA_ADDR, SWAP_RA_WIN and SWAP_RA_HITS of the atomic_long_t word. The
// VMA spans the addresses 0 .. kMaxVas-1 (vm_start is PMD-aligned, so they
// share one PMD). A new VMA's word is 0, which GET_SWAP_RA_VAL() reads as 4
// hits, no window and address 0, below the VMA and next to none of its
// addresses: kRaNoAddr.
inline constexpr int8_t kRaNoAddr = -128;
struct SwapRaInfo {
  int8_t addr = kRaNoAddr;  // the previous fault's address (a va)
  uint8_t win = 0;          // the previous window, in pages
  uint8_t hits = 4;         // readahead hits since, at most SWAP_RA_HITS_MAX
  friend constexpr bool operator==(const SwapRaInfo&, const SwapRaInfo&) = default;
};

// mm_struct: one page table and the mmap_lock. CLONE_VM threads share one.
struct Mm {
  bool alive = false;
  int8_t mmap_readers = 0;
  bool mmap_writer = false;
  std::array<Pte, kMaxVas> pte{};
  // pte_swp_exclusive() of each swap PTE, kept beside the PTEs (only fork and
  // the paths that replace a swap PTE change it, all under mmap_lock for
  // write or the PTL, so pte_same() never has to see it).
  uint8_t swp_exclusive = 0;
  // Oracle state: the value the user last wrote at each address of this mm.
  std::array<Token, kMaxVas> logical{};
  // Oracle state, a bit per address: since madvise(MADV_FREE) the address may
  // read zero instead of `logical` (the kernel may discard the data), until
  // the next write. Once it is seen holding zero, it holds zero (logical
  // becomes 0 and the bit clears).
  uint8_t may_read_zero = 0;
  // The VMA's swap_readahead_info (Features::vma_readahead).
  SwapRaInfo swap_ra{};
  // get_mem_cgroup_from_mm(): the memcg of mm->owner (0: the controller is off).
  uint8_t memcg = 0;
  // The PTEs of a MAP_SHARED mapping of the whole shmem file (a second VMA,
  // page index i at its address i; Kernel::shmem_mapped): none, or present
  // and writable (shmem wants no write notification, so a read fault maps the
  // page writable). A file PTE never holds a swap entry: reclaim's
  // try_to_unmap() clears it, and the next access faults through
  // shmem_fault(). fork() leaves the child's empty (dup_mmap() copies no PTEs
  // of a shared file VMA without an anon_vma).
  std::array<Pte, kMaxShmemPages> shmem_pte{};
  // userfaultfd_armed(vma): the VMA was registered with userfaultfd, which the
  // model does in the first step of the first uffd_wp or uffd_move op of the
  // mm (UFFDIO_REGISTER). A forked child's copy is not registered
  // (dup_userfaultfd() without UFFD_FEATURE_EVENT_FORK).
  bool uffd_armed = false;
};

// Whether address `va` of `mm` may hold `value` (data integrity): what the user
// last wrote there, or zero while MADV_FREE may have discarded it.
inline bool MayHold(const Mm& mm, int va, Token value) {
  return value == mm.logical[va] || (value == 0 && ((mm.may_read_zero >> va) & 1u));
}
// The address was seen holding `value` (mapped or read): once a MADV_FREE'd
// address reads zero, its data is gone, and only zero or a new write may follow.
inline void SawValue(Mm& mm, int va, Token value) {
  if (value == 0 && ((mm.may_read_zero >> va) & 1u)) {
    mm.logical[va] = 0;
    mm.may_read_zero &= static_cast<uint8_t>(~(1u << va));
  }
}
// The address's data is replaced: a write of `value`, or zero after a zap.
inline void SetLogical(Mm& mm, int va, Token value) {
  mm.logical[va] = value;
  mm.may_read_zero &= static_cast<uint8_t>(~(1u << va));
}

// UFFDIO_MOVE moved the PTE at `from` to `to`: `to` may now hold whatever
// `from` could, and `from` reads zero, as after a zap.
inline void MoveLogical(Mm& mm, int from, int to) {
  mm.logical[to] = mm.logical[from];
  const uint8_t zero = (mm.may_read_zero >> from) & 1u;
  mm.may_read_zero = static_cast<uint8_t>((mm.may_read_zero & ~(1u << to)) | (zero << to));
  SetLogical(mm, from, 0);
}

// swap_info_struct of one swap type: its flags, its priority and lists, and
// its counters. Its slots are the offsets [base, base + nslots) of SwapSlots;
// offset `base` is the header and is never allocated. With one device, base is
// 0 and every offset is the device's own.
//
// swapoff frees swap_map, the swap cache's address space and the swap extents
// that bdev I/O maps offsets through; `map_freed` marks them freed until the
// next swapon allocates new ones, so any later use is a use-after-free. The
// struct itself, like the kernel's swap_info[] entries, is never freed.
struct SwapDevice {
  bool sync_io = true;   // SWP_SYNCHRONOUS_IO (zram sets it)
  bool disk = false;     // the backing store is a block device or file: bio I/O (see Backend)
  bool rotational = false;  // !SWP_SOLIDSTATE: counted in nr_rotate_swap
  bool active = true;    // SWP_USED: swapon has set the device up
  bool writeok = true;   // SWP_WRITEOK: the allocator may allocate here
  bool map_freed = false;   // swap_map, address space and extents freed by swapoff
  bool users_dead = false;  // percpu_ref_kill(&si->users): get_swap_device() fails
  // On swap_avail_head: SWAP_USAGE_OFFLIST_BIT of inuse_pages is clear (7.1.5).
  bool on_avail = false;
  // Oracle state: swapoff has passed the point after which its release never
  // allocates from the device (wait_for_allocation() in 7.1.5); swapon and
  // reinsert_swap_info() clear it.
  bool alloc_closed = false;
  int16_t prio = -1;     // si->prio; the plists order by -prio
  Offset base = 0;       // the device's first (header) offset
  int16_t nslots = 0;    // si->max: offsets base+1 .. base+nslots-1 are usable
  int16_t inuse_pages = 0;
  int16_t users = 0;     // si->users percpu_ref, as get_swap_device() counts it
};

// The per-slot arrays of every swap device, indexed by the flat offset.
struct SwapSlots {
  // The count of each slot; up to v6.18 with SWAP_HAS_CACHE, from v7.0
  // (Features::SwapCachePin::kTableFolio) the count alone.
  std::array<uint8_t, kMaxSlots> swap_map{};
  // The swap table's word of the slot is not NULL (v7.0+,
  // Features::SwapCachePin::kTableFolio): a shadow or a folio. With
  // SWAP_HAS_CACHE a slot is in use exactly when its swap_map byte is not 0,
  // and this stays false; slot_allocated() (model/step.h) reads either.
  std::array<bool, kMaxSlots> table_used{};
  // si->zeromap (Features::zeromap): the slot's data is a zero-filled page.
  std::array<bool, kMaxSlots> zeromap{};
  // Oracle state: bumped each time an offset is allocated, so a copy written for
  // an earlier owner of the offset can be told from the current one.
  std::array<uint32_t, kMaxSlots> generation{};
  // Oracle state: the content swap-out last handed to a backing store for each
  // offset (a zswap store, or a device write from swap_writepage()), with the
  // generation it was written for. A copy written back later (zswap writeback)
  // must be exactly this content.
  std::array<uint32_t, kMaxSlots> auth_generation{};
  std::array<Token, kMaxSlots> auth_data{};
  // The swap_cgroup map (mm/swap_cgroup.c): the memcg id each slot's swap is
  // charged to, recorded by __mem_cgroup_try_charge_swap() and cleared by
  // __mem_cgroup_uncharge_swap(); 0: none.
  std::array<uint8_t, kMaxSlots> swap_cgroup{};
};

// A cgroup v2 memory cgroup's page counters (struct mem_cgroup): memory and
// swap, in pages. memory.max is RunConfig::memcg_max.
struct MemCgroup {
  int16_t memory = 0;
  int16_t swap = 0;
};

// One zswap entry (struct zswap_entry). Entries are never reused within a run,
// so a freed one stays recognisable.
struct ZswapEntry {
  bool freed = false;
  bool in_tree = false;      // !RB_EMPTY_NODE(&entry->rbnode)
  bool on_lru = false;       // on the pool (or zpool driver) LRU
  bool same_filled = false;  // length == 0: no pool memory, not on the LRU
  int16_t refcount = 0;      // changed only under the tree lock
  Offset offset = kNoOffset;
  Token data = 0;            // the (identity-)compressed page
  uint32_t generation = 0;   // the slot generation the data was stored for
};

// zswap: the per-type tree, the pool and its LRU, the module parameters.
// One CPU's crypto_acomp_ctx: its mutex, and whether its request, transform
// and buffer exist. zswap_cpu_comp_dead() frees them when the CPU goes down
// (v5.11 .. v6.18; from 6.19/7.x they live as long as the pool), and
// zswap_cpu_comp_prepare() allocates them when it comes up.
struct AcompCtx {
  bool allocated = false;   // acomp_ctx->req != NULL
  int8_t mutex_owner = -1;  // the task (Cpu index) holding acomp_ctx->mutex
  // Bumped by each zswap_cpu_comp_dead(): a task that locked the context
  // before a teardown holds the request and buffer freed then, even if the
  // CPU came back up and zswap_cpu_comp_prepare() allocated new ones.
  uint8_t generation = 0;
};

struct Zswap {
  bool initialized = false;  // zswap_setup() ran: loads and stores consult zswap
  bool enabled = false;      // /sys/module/zswap/parameters/enabled
  bool pool_reached_full = false;  // zswap_pool_reached_full: accept hysteresis
  bool shrink_queued = false;      // queue_work(shrink_wq, &pool->shrink_work)
  uint8_t max_pool_percent = 20;
  uint8_t accept_thr_percent = 90;
  int16_t pool_pages = 0;    // zswap_pool_total_size, in pages
  int16_t stored_pages = 0;  // zswap_stored_pages
  // zswap_trees[type]: each swapon allocates a tree with a new id, swapoff frees
  // it; 0 when there is none. A path holding an older id holds freed memory.
  std::array<uint16_t, kMaxSwapDevices> tree_id{};
  uint16_t tree_seq = 0;
  int16_t next_entry = 0;
  int16_t lru_n = 0;
  std::array<EntryId, kMaxSlots> tree{};          // the rbtree: offset -> entry
  std::array<EntryId, kMaxZswapEntries> lru{};    // oldest first
  // The pool's per-CPU compression contexts (struct crypto_acomp_ctx), by
  // CPU. They are looked at only when the programs hotplug or migrate
  // (Kernel::cpu_hotplug); otherwise compression is one step and never
  // contends.
  std::array<AcompCtx, kMaxCpus> acomp{};
};

// One index of a shmem file's mapping->i_pages: a hole, a folio of its page
// cache, or a swap entry (an xarray value entry). A large folio or a large
// swap entry is a multi-index entry: each of its 1 << order naturally aligned
// indices holds the same record, as xas_load() at any of them returns the
// same folio, or the same value (the first slot's entry).
struct ShmemEntry {
  enum class Kind : uint8_t { kNone, kFolio, kSwap };
  Kind kind = Kind::kNone;
  PageId folio = kNoPage;     // kFolio: the head
  Offset swap = kNoOffset;    // kSwap: the value, the entry's first slot
  uint8_t order = 0;          // xas_get_order()
  // The slot that holds the data of page index `index` of a swap entry.
  Offset SlotAt(int index) const {
    return static_cast<Offset>(swap + (index & ((1 << order) - 1)));
  }
  friend constexpr bool operator==(const ShmemEntry&, const ShmemEntry&) = default;
};

// The one shmem (tmpfs) inode the ops read, write, reclaim and punch: the
// second owner of swap entries beside anonymous PTEs (Features::shmem_swap).
// Its mapping's xa_lock sections and info->lock are each one step; i_rwsem
// is held across steps by a write and by fallocate().
struct ShmemInode {
  std::array<ShmemEntry, kMaxShmemPages> i_pages{};
  int16_t nrpages = 0;  // mapping->nrpages
  int16_t swapped = 0;  // info->swapped
  int16_t alloced = 0;  // info->alloced
  // On shmem_swaplist: shmem_writeout() adds the inode when its first page
  // goes to swap; shmem_unuse() takes it off once nothing is swapped.
  bool on_swaplist = false;
  // 6.12.94's shmem_swaplist_mutex (a spinlock from 6.18): the task holding
  // it across shmem_writepage()'s steps; -1: none.
  int8_t swaplist_mutex_owner = -1;
  int8_t i_rwsem_owner = -1;  // the task holding inode_lock(); -1: none
  // inode->i_size, in pages: the model's sizes are whole pages. It falls only
  // by ftruncate() (shmem_setattr()) under inode_lock, and rises by it or by
  // shmem_write_end() under the same lock; readers take it locklessly
  // (i_size_read()).
  int8_t i_size = kMaxShmemPages;
  // Oracle state: a truncation from i_size_write() to inode_unlock() gives
  // every index from its new size on the value zero, which its pages hold
  // once shmem_undo_range() has been over them; until then the after-step
  // check leaves those indices alone. kMaxShmemPages: none running.
  int8_t truncating_from = kMaxShmemPages;
  // inode->i_private: a hole punch in progress (struct shmem_falloc on the
  // puncher's stack), the indices [falloc_start, falloc_next) it punches,
  // which shmem_fault() waits out (shmem_falloc_wait()). Set and cleared
  // under i_lock, only while the file is mapped (Kernel::shmem_mapped).
  bool falloc_active = false;
  int8_t falloc_start = 0;
  int8_t falloc_next = 0;
  // wake_up_all(&shmem_falloc_waitq) calls: a sleeper's Wait::id.
  uint16_t falloc_wakeups = 0;
  // Oracle state: the value last written at each index (0: never, or a hole
  // punched since).
  std::array<Token, kMaxShmemPages> logical{};
  // Oracle state: each index's changes of value (a write, a punch), counted,
  // and the values of the last kShmemHistory of them. A read may copy any
  // value its index held while it ran.
  static constexpr int kShmemHistory = 4;
  std::array<uint16_t, kMaxShmemPages> changes{};
  std::array<std::array<Token, kShmemHistory>, kMaxShmemPages> history{};
};

// The file's data at `index` becomes `value` (a write, or zero for a hole).
inline void SetFileValue(ShmemInode& inode, int index, Token value) {
  inode.logical[index] = value;
  inode.history[index][inode.changes[index] % ShmemInode::kShmemHistory] = value;
  ++inode.changes[index];
}

// Whether a read of `index` that started when the index had seen `since`
// changes and held `at_start` may copy `value`: a value it held at some
// time since. Past kShmemHistory changes the read cannot be judged.
inline bool FileMayHaveHeld(const ShmemInode& inode, int index, uint16_t since, Token at_start,
                            Token value) {
  const int seen = static_cast<uint16_t>(inode.changes[index] - since);
  if (value == at_start || seen > ShmemInode::kShmemHistory) return true;
  for (int i = 1; i <= seen; ++i) {
    if (inode.history[index][(inode.changes[index] - i) % ShmemInode::kShmemHistory] == value) {
      return true;
    }
  }
  return false;
}

// A block of the disk backend, by swap offset.
struct DiskBlock {
  bool written = false;
  Token data = 0;
  uint32_t generation = 0;  // the slot generation the data was written for
};

// A bio in flight to the disk, or (zram_wb) a write of zram's batched
// writeback to zram's backing device. A write's data is taken at submission.
struct Bio {
  bool write = false;
  Offset offset = kNoOffset;  // the swap offset; zram_wb: the zram index written back
  PageId page = kNoPage;
  Token data = 0;
  uint32_t generation = 0;
  // zram_wb: req->bio of struct zram_wb_req, ended by zram_writeback_endio();
  // `block` is req->blk_idx and `wb_ctl` bio->bi_private (ZramWb::ctl's id).
  bool zram_wb = false;
  int16_t block = -1;
  uint16_t wb_ctl = 0;
  uint8_t zram_dev = 0;  // zram_wb: the zram device written back (ZramDev())
};

// Per-CPU struct swap_slots_cache (mm/swap_slots.c). Active only when the
// configuration enables it, as check_cache_active() does for large devices.
struct SlotsCache {
  int8_t nr = 0;
  int8_t n_ret = 0;
  std::array<Offset, kMaxSlotsCache> slots{};
  std::array<Offset, kMaxSlotsCache> slots_ret{};
};

// One zram table entry (drivers/block/zram/zram_drv.h).
struct ZramSlot {
  // kWb: ZRAM_WB, the data lives in block `block` of the backing device.
  enum class State : uint8_t { kEmpty, kSame, kStored, kWb };
  State state = State::kEmpty;
  int8_t lock_holder = -1;  // the ZRAM_LOCK bit, held across a compressed read
  bool idle = false;        // ZRAM_IDLE
  bool under_wb = false;    // ZRAM_UNDER_WB
  bool huge = false;        // ZRAM_HUGE: stored uncompressed (the model: odd tokens)
  // ZRAM_PP_SLOT: picked for post-processing by the batched writeback
  // (Features::ZramWriteback, v6.13+); slot_free() and a read clear it.
  bool pp_slot = false;
  int16_t block = -1;       // kWb: the backing device block
  // ZRAM_INCOMPRESSIBLE, and the comp priority bits: recompress_store()'s
  // marks (no algorithm made it smaller; recompressed with comps[1]).
  bool incompressible = false;
  uint8_t comp_priority = 0;
  Token data = 0;           // the element for kSame, the decompressed data for kStored
  uint32_t generation = 0;  // the swap slot generation the data was written for
};

// A block of zram's own backing device (CONFIG_ZRAM_WRITEBACK).
struct ZramBdBlock {
  bool used = false;        // allocated in zram->bitmap
  uint16_t seq = 0;         // allocation count: names this use of the block
  Token data = 0;
  uint32_t generation = 0;
};

// One request of the batched writeback (struct zram_wb_req): the slot it
// writes back (req->pps->index), the block reserved for it, and what
// read_from_zspool() put in its page.
struct ZramWbReq {
  Offset index = kNoOffset;
  int16_t blk_idx = -1;
  uint32_t generation = 0;
  Token data = 0;
};

// The post-processing writeback (Features::ZramWriteback, v6.13+):
// zram->pp_in_progress, the pp_ctl buckets, and for the batched one
// (kBatched) zram->dev_lock and the
// pp_ctl and struct zram_wb_ctl of the writeback_store() holding it. A wb_ctl
// is named by an id, as zswap trees are: each init_wb_ctl() takes a new one,
// and a path holding an id that is neither `ctl` nor one kfree_rcu() still
// holds back (`rcu_deferred`) holds freed memory. wb_batch_size (32) is more
// than the model has slots, so an idle request is always there, and requests
// are kept with their bios, then on `done`.
struct ZramWb {
  bool pp_in_progress = false;  // zram->pp_in_progress (kPostProcess)
  int8_t dev_lock_owner = -1;  // the CPU holding dev_lock for write
  uint16_t ctl = 0;            // the live wb_ctl's id; 0: none
  uint16_t ctl_seq = 0;        // ids handed out
  // The first wb_ctl kfree_rcu() left for after the grace period that the
  // completion's RCU read section holds up: it and every later id but `ctl`
  // are freed only once that section ends; 0: none.
  uint16_t rcu_deferred = 0;
  // The completion interrupt is inside zram_writeback_endio(), between its
  // list_add() and its wake_up(), for this wb_ctl; 0: it is not.
  uint16_t endio_ctl = 0;
  int8_t num_inflight = 0;     // wb_ctl->num_inflight
  uint16_t wakeups = 0;        // wake_up(&wb_ctl->done_wait) calls; a sleeper's Wait::id
  // pp_ctl's buckets, a bit per index: the PAGE_SIZE bucket of ZRAM_HUGE slots
  // and, as the model's objects have no compressed size, one for the others.
  uint32_t pp_huge = 0;
  uint32_t pp_rest = 0;
  uint8_t ndone = 0;
  std::array<ZramWbReq, kMaxSlots> done{};  // done_reqs; list_first_entry() is the last
  ZramWbReq req{};             // the request zram_complete_done_reqs() took
};

// One CPU's compression stream of a zram device (struct zcomp_strm): its
// mutex, and whether zcomp_cpu_up_prepare() allocated its buffers.
struct ZcompStrm {
  bool allocated = false;   // zstrm->buffer != NULL
  int8_t mutex_owner = -1;  // the task (Cpu index) holding zstrm->lock
};

struct Zram {
  std::array<ZramSlot, kMaxSlots> table{};
  std::array<ZramBdBlock, kMaxSlots> bd{};
  int32_t miss_free = 0;    // zram->stats.miss_free: notifies lost to a busy slot lock
  int32_t stored_pages = 0;
  int32_t wb_pages = 0;     // slots written back to the backing device
  ZramWb wb{};
  // The device's lifecycle (disksize_store(), reset_store()). The swap device
  // is set up once, when the run starts, and swap holds it open throughout.
  int16_t disksize = 0;     // zram->disksize, in pages; 0: not set up (!init_done())
  int16_t capacity = 0;     // get_capacity(disk), in pages: what bio_check_eod() allows
  uint8_t openers = 0;      // disk_openers(disk)
  bool claim = false;       // zram->claim: reset_store() owns the device; open fails
  bool backing_dev = false;  // zram->backing_dev: writeback has somewhere to write
  // zram->comp_algs[1]: a secondary algorithm for recompression, configured
  // at boot (recomp_algorithm_store()); a reset forgets it, and the model has
  // no op to set it again.
  bool recomp_alg = false;
  // Holders of dev_lock (init_lock before 7.1) for read across steps: a
  // writeback_store() before 7.1.5. The writer is ZramWb::dev_lock_owner.
  uint8_t dev_lock_readers = 0;
  // zram->table and zram->comps[] (the primary and, for recompression, the
  // secondary algorithm), named by ids as zswap trees are: zram_meta_alloc()
  // and zcomp_create() take new ones, zram_meta_free() and zcomp_destroy() set
  // them to 0. A path holding an id that is not the current one holds freed
  // memory.
  uint16_t table_id = 0;
  uint16_t comp_id = 0;
  uint16_t id_seq = 0;
  std::array<ZcompStrm, kMaxCpus> strm{};  // comps[]'s per-CPU streams, by CPU
};

// Oracle state of a page of the plain zram device: the values a read may
// return besides those of writes in flight. A write or discard that completes
// leaves its own value and those of the writes that completed while it was in
// flight (either may have stored last).
struct ZramBdevSector {
  std::array<Token, kMaxCpus + 1> last{};  // starts as {0}: the device reads zeros
  uint8_t nlast = 1;
};

// A task's direct I/O on the plain zram device (oracle state): the page, the
// value a write or discard (0) stores, and, by task, the value of the last
// write or discard to the same page that completed while it was in flight (an
// earlier one of the same task stored before that one, so cannot be last).
struct ZramBdevIo {
  bool active = false;
  bool write = false;  // a write or a discard
  Offset index = kNoOffset;
  Token value = 0;
  uint8_t during_tasks = 0;  // a bit per task with a value in `during`
  std::array<Token, kMaxCpus> during{};
};

// What a blocked CPU waits for. Cleared when the CPU runs again.
struct Wait {
  enum class Kind : uint8_t {
    kNone,
    kPageLock,   // lock_page(): PG_locked clear
    kZramSlot,   // zram_slot_lock(): the bit lock free
    kMmapRead,   // mmap_read_lock(): no writer
    kMmapWrite,  // mmap_write_lock(): no readers or writer
    kYield,      // schedule_timeout()/cond_resched() in a retry loop
    kWriteback,  // wait_on_page_writeback(): PG_writeback clear
    kSwapUsers,  // swapoff: wait_for_completion(&si->comp), si->users at zero
    kZramDevLock,   // down_write/down_read(&zram->dev_lock): no writer holds it
    kZramWbDone,    // wait_event(wb_ctl->done_wait): a wake_up() since (id: ZramWb::wakeups)
    kAcompMutex,    // mutex_lock(&acomp_ctx->mutex) of zswap's context of CPU `id`
    kCpuHotplug,    // cpus_write_lock(): no other hotplug operation in progress
    kZcompStrm,     // mutex_lock(&zstrm->lock) of zram `dev`'s stream of CPU `id`
    kInodeLock,     // inode_lock() of the shmem file: no task holds i_rwsem
    kShmemFalloc,   // shmem_falloc_wait(): a wake_up_all() since (id: ShmemInode::falloc_wakeups)
    kShmemSwaplist,  // mutex_lock(&shmem_swaplist_mutex) (6.12.94): no task holds it
  };
  Kind kind = Kind::kNone;
  int16_t id = 0;
  uint8_t dev = 0;  // the zram device of a kZram* or kZcompStrm wait (ZramDev())
  // kYield: the CPUs that could run when this one yielded and have not taken a
  // step since. Real CPUs run in parallel, so a CPU sleeping a tick in a retry
  // loop cannot starve the others: it runs again only after each of them has
  // taken a step, blocked or finished.
  uint8_t pending = 0;
  bool fresh = false;  // kYield set by the step just taken
};

// One activation of a modelled kernel function: the call interface every
// machine shares, and the function's own locals (model/frame_locals.h).
struct Frame {
  Fn fn = Fn::kNone;
  uint8_t pc = 0;             // the machine's state (its enum)
  uint8_t va = 0;             // the user address (a callee inherits it)
  Offset offset = kNoOffset;  // the swap entry being worked on
  PageId page = kNoPage;      // the page being worked on
  FrameLocals locals{};       // the member of `fn`; read with Locals<Fn::k...>(frame)
};
static_assert(std::is_trivially_copyable_v<Frame>, "a Kernel copy is a snapshot");
// 36 bytes with untyped locals; each CPU holds kMaxFrames of them. Raise the
// bound on purpose only.
static_assert(sizeof(Frame) <= 24, "Frame grew");

// `f`'s locals, as the function it is a frame of. A frame of another function
// is a model bug.
template <Fn kFn>
LocalsOf<kFn>& Locals(Frame& f) {
  if (f.fn != kFn) __builtin_trap();
  return LocalsTraits<kFn>::Get(f.locals);
}
template <Fn kFn>
const LocalsOf<kFn>& Locals(const Frame& f) {
  if (f.fn != kFn) __builtin_trap();
  return LocalsTraits<kFn>::Get(f.locals);
}

// Starts `f`'s locals as kFn's, with `locals` (its arguments, and the
// defaults of the rest). Call() and the executor's StartOp() use it.
template <Fn kFn>
void InitLocals(Frame& f, const LocalsOf<kFn>& locals = {}) {
  LocalsTraits<kFn>::Set(f.locals, locals);
}

// One operation of a CPU's program.
struct Op {
  OpKind kind = OpKind::kRead;
  uint8_t va = 0;
  uint8_t arg = 0;     // fork: the child mm
  Token value = 0;     // write: the value; 0 means "a fresh unique token"
};

// The zap's struct mmu_gather (tlb_gather_mmu() on the zapping task's stack):
// the folios whose PTEs it cleared, each with the references those PTEs held,
// freed after the PTL is dropped (tlb_finish_mmu() ->
// free_pages_and_swap_cache()). It holds one entry per address, so it is
// never full.
struct MmuGather {
  uint8_t nr = 0;    // entries gathered
  uint8_t next = 0;  // the next entry to free
  std::array<PageId, kMaxVas> folio{};
  std::array<uint8_t, kMaxVas> refs{};
};

// A CPU context running one task.
struct Cpu {
  uint8_t mm = 0;
  int16_t tid = 0;
  uint8_t n_ops = 0;
  uint8_t op_index = 0;
  uint8_t depth = 0;
  bool done = true;
  int16_t retries = 0;       // fault retries of the current operation
  int16_t ret = 0;           // return value of the last finished callee
  PageId ret_page = kNoPage;  // page returned by the last finished callee
  uint32_t write_seq = 0;
  Wait wait{};
  // The CPU the task runs on, whose per-CPU data (zswap's context, the swap
  // slots cache) raw_cpu_ptr() returns: the column's own number until a CPU
  // goes down or the task is migrated (Kernel::cpu_hotplug).
  int8_t on_cpu = 0;
  // The context raw_cpu_ptr() returned in acomp_ctx_get_cpu_lock(), kept
  // while the task waits for its mutex and while it holds it (-1: none).
  int8_t acomp_ctx = -1;
  bool acomp_locked = false;
  uint8_t acomp_generation = 0;  // the context's generation when it was locked
  // CPU i's swap slots cache lives in cpus[i], whichever task uses it.
  SlotsCache slots_cache{};
  // CPU i's percpu_swap_cluster (order 0), in cpus[i] too: the device the
  // fast path allocates from (-1: NULL), and whether its offset is not 0 (the
  // cluster had a free slot after this CPU's last allocation there).
  int8_t pcp_si = -1;
  bool pcp_offset = false;
  MmuGather tlb{};
  std::array<Op, kMaxOpsPerCpu> program{};
  std::array<Frame, kMaxFrames> frames{};
  Frame& top() { return frames[depth - 1]; }
};

// The whole machine.
struct Kernel {
  RunConfig config{};
  uint8_t ncpus = 0;
  uint64_t step = 0;        // atomic steps executed so far
  int8_t current_cpu = -1;  // the CPU executing the current step
  bool emitted = false;     // the current slot emitted its step
  StepId last_step = StepId::kCount;
  Offset last_offset = kNoOffset;  // the swap offset the last step named
  // Programs run on cpus[0, ncpus); cpus[kIrqCpu] is the completion interrupt.
  std::array<Cpu, kMaxCpus + 1> cpus{};
  std::array<Mm, kMaxMms> mms{};
  std::array<Page, kMaxPages> pages{};
  int16_t next_page = 0;
  // alloc_page() found all kMaxPages frames used: a limit of the model, not
  // of the kernel (ids are never reused), so the run stops without a verdict.
  bool out_of_frames = false;
  // swap_info[]: the devices by type; type t is swapped on at boot when t <
  // RunConfig::swap_devices.
  std::array<SwapDevice, kMaxSwapDevices> swap_info{};
  SwapSlots si{};
  // swap_avail_head: the types the allocator may take a slot from, in plist
  // order (highest priority first; swap_alloc_slow()'s plist_requeue() moves
  // one behind its equal-priority siblings).
  std::array<int8_t, kMaxSwapDevices> avail{};
  uint8_t navail = 0;
  // Bumped by every change to the avail list's members or order. A free is a
  // step about its slot alone, except when it puts a full device back on the
  // list, which another device's free may do too, in the other order: the
  // DFS treats a step that moved this as touching shared state.
  uint16_t avail_seq = 0;
  // RunConfig::swap_devices > 1: the allocator, swapon and swapoff run as the
  // newest release cuts them into steps. With one device they keep the steps
  // they had, and every trace is as before.
  bool swap_multi = false;
  // nr_rotate_swap: swapped-on devices without SWP_SOLIDSTATE. One turns VMA
  // readahead off for every device (swap_use_vma_readahead()).
  int8_t nr_rotate_swap = 0;
  std::array<PageId, kMaxSlots> swap_cache{};  // the xarray: offset -> page
  bool slots_cache_disabled = false;  // swapoff: disable_swap_slots_cache_lock()
  Zram zram{};       // zram0, the swap device (Backend::kZram)
  Zram zram_bdev{};  // zram1: a plain block device, no swap on it
  // Oracle state of zram1's data, by page: what a read may return.
  std::array<ZramBdevSector, kZramBdevPages> zram_bdev_sector{};
  // The direct I/O each task has in flight on zram1.
  std::array<ZramBdevIo, kMaxCpus> zram_bdev_io{};
  Zswap zswap{};
  // By memcg id; [0] (no memcg) is unused.
  std::array<MemCgroup, kMaxMemcgs + 1> memcgs{};
  // CPU hotplug (kernel/cpu.c): bit i set while CPU i is online.
  uint8_t cpu_online = 0;
  // The task holding cpu_hotplug_lock for write (cpus_write_lock()) across a
  // cpu_down() or cpu_up(), callbacks included; -1: none.
  int8_t cpu_hotplug_owner = -1;
  // The programs hold a cpu_offline, cpu_online or migrate op. Only then does
  // zswap take its per-CPU context's mutex in a step of its own
  // (acomp_ctx_get_cpu_lock()); without them no task changes CPU, nothing
  // frees a context, and the runs and traces are those of before.
  bool cpu_hotplug = false;
  std::array<ZswapEntry, kMaxZswapEntries> zswap_entries{};  // reset when allocated
  ShmemInode shmem{};
  // The programs hold a shmem op: only then do the oracles look at the shmem
  // inode after each step.
  bool shmem_used = false;
  // The programs hold an op through the file's shared mapping: only then
  // does every mm map the file (Mm::shmem_pte), so that a hole punch has
  // mappings to unmap and faults to hold off (inode->i_private); without
  // one, the punch's steps and traces are those of an unmapped file.
  bool shmem_mapped = false;
  std::array<DiskBlock, kMaxSlots> disk{};
  // Bios in flight, in submission order; the interrupt completes the oldest.
  std::array<Bio, kMaxBios> bios{};
  uint8_t bio_head = 0;
  uint8_t nbios = 0;
  Findings findings{};
  TraceHash trace_hash{};
  // Events are appended here when a caller attaches a list (replay, tests).
  std::vector<TraceEvent>* trace = nullptr;
  // Interleaving features are recorded here when a fuzzer attaches one.
  InterleavingCoverage* coverage = nullptr;

  bool knob(Knob k) const { return config.knobs.Has(k); }
};
static_assert(std::is_trivially_copyable_v<Kernel>, "copying a Kernel is a snapshot");

// swp_type(): the type whose offsets hold `off`. An offset past every device
// (none is swapped on there) counts as type 0's.
inline int swp_type(const Kernel& k, Offset off) {
  for (int t = 1; t < kMaxSwapDevices; ++t) {
    const SwapDevice& si = k.swap_info[t];
    if (si.nslots != 0 && off >= si.base && off < si.base + si.nslots) return t;
  }
  return 0;
}
// swap_entry_to_info(): the swap_info_struct of the entry's type.
inline SwapDevice& swap_entry_to_info(Kernel& k, Offset off) {
  return k.swap_info[swp_type(k, off)];
}
inline const SwapDevice& swap_entry_to_info(const Kernel& k, Offset off) {
  return k.swap_info[swp_type(k, off)];
}

// zram device `dev`: 0 is zram0, the swap device; 1 is zram1, the plain block
// device.
inline Zram& ZramDev(Kernel& k, uint8_t dev) { return dev == 0 ? k.zram : k.zram_bdev; }
inline const Zram& ZramDev(const Kernel& k, uint8_t dev) {
  return dev == 0 ? k.zram : k.zram_bdev;
}

// The page of a folio entry that holds page index `index`: folio_page(folio,
// index - folio->index).
inline PageId ShmemPageAt(const Kernel& k, int index) {
  const ShmemEntry& e = k.shmem.i_pages[index];
  return static_cast<PageId>(e.folio + (index & ((1 << e.order) - 1)));
}

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KERNEL_H_
