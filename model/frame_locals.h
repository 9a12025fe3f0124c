// The locals of each modelled function's frame, by kernel file.
//
// A machine's state lives in its Frame (model/kernel.h) between steps: the call
// interface every machine shares (fn, pc, va, offset, page) and one of
// the structs below, named after the kernel function, with fields named as the
// kernel names its locals where it has them. Fields marked "argument" are set
// by the caller, through Call<Fn::k...>(..., {.field = ...}) (model/step.h) or
// the op table (model/steps.h SWAPFUZZ_OPS); the rest start at their defaults.
// A function without locals has NoLocals.
//
// The structs share a union, so a Frame stays small and trivially copyable,
// and copying a Kernel stays a snapshot.

#ifndef SWAPFUZZ_MODEL_FRAME_LOCALS_H_
#define SWAPFUZZ_MODEL_FRAME_LOCALS_H_

#include <array>
#include <cstdint>

#include "model/pte.h"
#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {

struct NoLocals {};

// --- mm/memory.c ---

struct UserAccessLocals {
  bool write = false;  // argument: the access is a store (op write), not a load
  bool zero = false;   // argument: the store writes zeros (op write_zero)
  // argument: the access goes through the shmem file's shared mapping
  // (Mm::shmem_pte; ops shmem_map_read, shmem_map_write), the va a page index
  bool shmem = false;
  // The last fault returned VM_FAULT_RETRY: the arch handler retries it with
  // FAULT_FLAG_TRIED, which may not drop mmap_lock again.
  bool tried = false;
};

// do_fault() of the shmem file's shared mapping.
struct DoFaultLocals {
  bool write = false;     // argument: FAULT_FLAG_WRITE (do_shared_fault(), else do_read_fault())
  bool tried = false;     // argument: FAULT_FLAG_TRIED
  bool fallback = false;  // finish_fault(): "goto fallback" to the fault's page alone
  bool mapped = false;    // finish_fault() mapped the folio (ret 0, not VM_FAULT_NOPAGE)
};

struct DoWpPageLocals {
  Pte orig_pte{};             // argument: vmf->orig_pte
  PageId new_page = kNoPage;  // wp_page_copy(): the copy
  bool page_copied = false;   // wp_page_copy(): the copy was mapped
  bool charged = false;       // try_charge_memcg() charged the copy
};

struct DoSwapPageLocals {
  Pte orig_pte{};              // argument: vmf->orig_pte
  bool write = false;          // argument: vmf->flags & FAULT_FLAG_WRITE
  PageId swapcache = kNoPage;  // the page came from the swap cache (kNoPage: skipped it)
  bool need_clear_cache = false;  // 6.8+: the skip-swapcache pin is held (13ddaf26be32)
  bool si_ref = false;         // holds a get_swap_device() reference (si != NULL)
  // alloc_swap_folio(): the order of the large folio the fault swaps in (its
  // naturally aligned slots, at the entry rounded down); 0: order 0.
  uint8_t order = 0;
};

// The lock on the mm that a zap or a madvise() page walk runs under, and that
// its last step drops. A per-VMA read lock is counted with mmap_lock's readers
// (Mm::mmap_readers): the model's mm has one VMA, and the only writers are
// munmap and fork, which take mmap_lock for write and then write-lock the VMA
// (vma_start_write()), so both kinds of reader keep them out and let faults in.
enum class MmLock : uint8_t {
  kMmapWrite,  // munmap: mmap_write_lock()
  kMmapRead,   // madvise() up to v6.15: mmap_read_lock()
  kVmaRead,    // madvise(MADV_DONTNEED/MADV_FREE) from v6.16: lock_vma_under_rcu()
};

struct ZapPteRangeLocals {
  bool si_ref = false;  // free_swap_and_cache(): holds a get_swap_device() reference
  // argument: the range's last address; at or before the frame's va (0, the
  // default, always is) the zap takes that address alone. The frame's va
  // walks the range.
  uint8_t last_va = 0;
  // The swap entries of the batch being put, [frame's offset, reclaim_end),
  // whose cache the zap then tries to reclaim; `batch`: more than one.
  Offset reclaim_end = kNoOffset;
  bool batch = false;
  // argument: the lock the zap runs under. munmap (the default) takes mmap_lock
  // for write in the zap's first step; MADV_DONTNEED's do_madvise() holds a
  // read lock already.
  MmLock lock = MmLock::kMmapWrite;
};

struct CopyPteRangeLocals {
  uint8_t dst_mm = 0;  // argument: the child mm (op fork's argument)
};

// --- mm/madvise.c ---

enum class MadviseBehavior : uint8_t { kDontneed, kFree };

struct DoMadviseLocals {
  MadviseBehavior behavior = MadviseBehavior::kDontneed;  // argument: MADV_DONTNEED or MADV_FREE
  // argument: MADV_DONTNEED's last address (op madvise_dontneed_range); at
  // or before the op's address, that address alone.
  uint8_t last_va = 0;
  // argument: MADV_DONTNEED of the shmem file's shared mapping at the page
  // index va (op shmem_map_dontneed), not of the anonymous VMA.
  bool shmem = false;
};

struct MadviseFreePteRangeLocals {
  bool si_ref = false;               // free_swap_and_cache_nr(): a get_swap_device() reference
  MmLock lock = MmLock::kMmapRead;   // argument: the lock do_madvise() holds
};

struct MadviseWillneedLocals {
  // read_swap_cache_async()'s get_swap_device() reference, held across the
  // swap cache read of the frame's offset (the entry the PTE held).
  bool si_ref = false;
};

// --- mm/huge_memory.c ---

// deferred_split_scan()'s sc->nr_to_scan, and so the folios it pins at most:
// shrink_slab() asks for 128 and 7.1.5's folio_batch holds 31, more than the
// model's mms queue in practice; the rest stay queued for the next scan.
inline constexpr int kDeferredSplitBatch = 8;
static_assert(kMaxPages <= 256, "DeferredSplitScanLocals keeps page ids in a byte");

struct DeferredSplitScanLocals {
  uint8_t to_scan = kDeferredSplitBatch;  // sc->nr_to_scan left
  uint8_t nr = 0;                         // folios pinned in this pass
  uint8_t next = 0;                       // the next one to split
  // 6.12.94 and 6.18.35: the last folio kept on the private list, whose
  // reference waits for the next one's or the end ("swap(folio, prev)").
  uint8_t prev = kNoPrev;
  std::array<uint8_t, kDeferredSplitBatch> folio{};  // their page ids
  static constexpr uint8_t kNoPrev = 0xff;
};

// --- mm/shmem.c ---

// shmem_get_folio_gfp()'s sgp: SGP_READ (a hole gives no folio), SGP_CACHE
// (a fault's: a hole gets a new folio, cleared and uptodate) or SGP_WRITE (a
// hole gets a new folio that the write fills). The frame's va is the page
// index.
enum class Sgp : uint8_t { kRead, kCache, kWrite };
struct ShmemGetFolioGfpLocals {
  Sgp sgp = Sgp::kRead;  // argument
  // Argument: shmem_get_partial_folio()'s lookup, which returns a page cache
  // folio locked whatever i_size, and only for a swap entry goes on to
  // shmem_get_folio(SGP_READ) and its check of i_size.
  bool partial = false;
};

struct ShmemFaultLocals {
  bool tried = false;  // argument: FAULT_FLAG_TRIED
  // shmem_falloc_wait() released mmap_lock (maybe_unlock_mmap_for_io())
  bool unlocked = false;
  uint16_t wakeups = 0;  // the wake_up_all() count it sleeps on
};

// The frame's offset is the entry the caller found at its va, the page
// index; once the entry is confirmed they become `swap` and `index` of
// shmem_swapin_folio(): the slot of the index (a large entry's sub-entry),
// rounded down to the folio's size once the folio is known.
struct ShmemSwapinFolioLocals {
  bool si_ref = false;  // get_swap_device()'s reference on the entry's device
  int8_t order = 0;     // the entry's order, as shmem_confirm_swap() read it
  Offset index_entry = kNoOffset;  // radix_to_swp_entry(*foliop): the index's value
  // shmem_swap_alloc_folio() is trying a large folio of `order`; its
  // failure falls back to order 0.
  bool large = false;
  // skip_swapcache (6.18.35): the folio was read outside the swap cache
  // with its range pinned by swapcache_prepare(), and folio->swap
  // (Page::private_offset) names it until the pin is cleared.
  bool skip = false;
};

// What the page index held, and how many changes it had seen, when the read
// started: FileMayHaveHeld() judges the copy against them.
struct ShmemFileReadIterLocals {
  Token at_start = 0;
  uint16_t since = 0;
  bool error = false;  // shmem_get_folio() failed: nothing is copied
};

struct ShmemWriteoutLocals {
  int8_t index = kNoIndex;  // folio->index, read before the folio leaves the page cache
  // The allocator's get_swap_device_info(si), held across its reclaim of a
  // slot only the swap cache holds.
  bool si_ref = false;
};

struct ShmemFallocateLocals {
  uint8_t last = 0;  // argument: the last page index of the hole (the frame's va is the first)
  // unmap_mapping_range(): the next mm whose VMA it zaps, and whether it
  // has taken a step yet.
  uint8_t unmap_mm = 0;
  bool unmapped = false;
};

// shmem_undo_range(inode, lstart, lend, false) of a page-aligned hole: start
// and end are page indices (end exclusive); `index` is the loop's.
struct ShmemUndoRangeLocals {
  uint8_t start = 0;  // argument: lstart's page
  uint8_t end = 0;    // argument: lend's page + 1
  // start and end of the loops, which the partial-folio lookups may narrow
  // (arguments: start and end at first).
  uint8_t loop_start = 0;
  uint8_t loop_end = 0;
  uint8_t index = 0;
  // Where the loop goes on after the entry it found: past it (the first
  // loop's *start, the second's round_down(index + nr, nr)).
  uint8_t next = 0;
  // 0: the find_lock_entries() loop; 1, 2: the partial-folio lookups of
  // lstart and lend; 3: the find_get_entries() loop ("whole_folios").
  uint8_t pass = 0;
  bool same_folio = false;
  int8_t swaps_freed = 0;    // nr_swaps_freed
  bool si_ref = false;       // swap_put_entries_direct()'s get_swap_device() reference
  uint8_t order = 0;         // shmem_free_swap_stale_order: xa_get_order()'s answer
  Offset put_end = 0;        // the end of the slots swap_put_entries_direct() put
  // Argument: lend is -1 (shmem_setattr()'s truncation): there is no lend
  // page to look up, and the second loop restarts at start until it finds
  // nothing there ("But if truncating, restart to make sure all gone").
  bool truncating = false;
};

// shmem_setattr(ATTR_SIZE) under do_truncate()'s inode_lock.
struct ShmemSetattrLocals {
  uint8_t size = 0;     // argument: the new size, in pages
  uint8_t oldsize = 0;  // inode->i_size when the lock was taken
  // unmap_mapping_range(): the next mm whose VMA it zaps, whether it has
  // taken a step yet, and whether this is the second call ("unmap again").
  uint8_t unmap_mm = 0;
  bool unmapped = false;
  bool again = false;
};

// shmem_unuse() of a swap type, with shmem_unuse_inode() of the one file.
struct ShmemUnuseLocals {
  uint8_t type = 0;    // argument
  uint8_t index = 0;   // shmem_find_swap_entries()'s start
  int16_t error = 0;   // -ENOMEM from a swap-in ends the walk
};

// --- mm/userfaultfd.c ---

struct MovePagesLocals {
  uint8_t dst = 0;  // argument: dst_start (the frame's va is src_start); len is one page
  // move_pages()'s err across the loop: move_pages_ptes()'s error, kept over
  // a later success by 6.18.35's and 7.1.5's loop (Features::uffd_move_batched).
  int16_t err = 0;
  bool si_ref = false;  // move_pages_ptes()'s si: a get_swap_device() reference
  // orig_src_pte; while the frame holds src_folio (its page) it is also
  // src_folio_pte, the PTE the folio was pinned under: a retry that reads
  // another one gives up with -EAGAIN before either is needed again.
  Pte orig_src_pte{};
};

// --- mm/swapfile.c ---

struct TryToReclaimSwapLocals {
  bool anyway = false;  // argument: TTRS_ANYWAY; else TTRS_UNMAPPED | TTRS_FULL
  // argument: the caller reads the slot locklessly first and calls only if
  // the swap cache alone holds it (READ_ONCE(si->swap_map[offset]), or the
  // swap table word after cluster_reclaim_range() dropped the lock).
  bool only_if_cached = false;
  // The entry looked up: the frame's offset (kNoOffset until the first
  // lookup), or with the knob reclaim_retry_uses_folio_entry the entry of the
  // folio last locked (0, the header slot, once it left the cache).
  Offset entry = kNoOffset;
  PageId folio = kNoPage;  // the folio looked up, with a reference
};

// --- mm/swap_state.c ---

struct ReadSwapCacheAsyncLocals {
  // argument: __read_swap_cache_async() alone (zswap writeback): the page it
  // allocates comes back locked and unread; false: read_swap_cache_async(),
  // which reads it with swap_readpage().
  bool alloc_only = false;
  // argument: __read_swap_cache_async()'s skip_if_exists (v6.8+, zswap
  // writeback): an -EEXIST from swapcache_prepare() gives up instead of retrying.
  bool skip_if_exists = false;
};

struct SwapCacheAllocFolioLocals {
  // argument: read a folio allocated here (read_swap_cache_async(),
  // swapin_folio()); false: return it locked and unread (zswap writeback).
  bool read = false;
  // argument: look the entry up first (swap_cache_alloc_folio()); false:
  // swapin_folio(), whose caller already looked.
  bool lookup = true;
};

struct SwapinReadaheadLocals {
  // swap_cluster_readahead(): the window's cursor (the frame's offset is the
  // entry's, entry_offset).
  Offset offset = 0;
  // argument: the mm of vmf->vma, whose PTEs swap_vma_readahead() reads (the
  // faulting task's; swapoff's: the mm it is unusing).
  uint8_t mm = 0;
  // argument: swap_cluster_readahead() whatever swap_use_vma_readahead()
  // says, as shmem_swapin_cluster() calls it (a file has no VMA to read
  // around).
  bool cluster = false;
};

struct SwapVmaReadaheadLocals {
  uint8_t mm = 0;        // argument: the mm of vmf->vma (the frame's va is vmf->address)
  int8_t addr = 0;       // the loop's address: the next PTE to read
  int8_t end = 0;        // swap_vma_ra_win()'s *end (exclusive)
  Offset entry = kNoOffset;  // the swap entry the PTE at addr held
  // An entry of another type than the target's: the folio
  // swap_cache_alloc_folio() allocated, read once the pin is dropped.
  PageId foreign_folio = kNoPage;
};

// --- mm/page_io.c ---

struct SwapReadpageLocals {
  // A ZRAM_WB slot: the backing block __zram_bvec_read() found under the slot
  // lock, for read_from_bdev() after it, and the block's allocation count.
  int16_t blk_idx = 0;
  uint16_t blk_seq = 0;
  uint8_t index = 0;  // the page of a large folio being read
};

struct SwapWritepageBdevLocals {
  // argument: zswap writeback writes a copy of the entry's data, stored for
  // slot generation `generation` (the stale-write oracle checks it against
  // what swap-out last wrote); false: swap_writepage() writes the page out,
  // and its content becomes what the slot holds.
  bool zswap_writeback = false;
  uint32_t generation = 0;
  uint8_t index = 0;  // the page of a large folio being written
};

// --- mm/swapfile.c ---

struct TryToUnuseLocals {
  uint8_t type = 0;    // argument: the swap type being emptied
  bool shmem_done = false;  // this pass's shmem_unuse() has run
  int16_t mm = 0;      // unuse_mm(): the mm being scanned
  int16_t addr = 0;    // unuse_pte_range(): its next address (kMaxVas: done)
  bool sweep = false;  // the swap cache sweep (find_next_to_unuse()) after the scan
};

// --- mm/zswap.c ---

struct ZswapStoreLocals {
  EntryId entry = kNoEntry;  // the new entry
  uint8_t index = 0;         // the page of a large folio being stored
};

struct ZswapLoadLocals {
  EntryId entry = kNoEntry;  // zswap_entry_find_get()
  uint16_t tree = 0;         // the tree it was found in
};

struct ShrinkWorkerLocals {
  int16_t failures = 0;  // counted against MAX_RECLAIM_RETRIES
};

struct ZswapReclaimEntryLocals {
  EntryId lru_entry = kNoEntry;  // the entry the LRU gave (the zpool handle's entry)
  EntryId entry = kNoEntry;      // the entry written back
  uint16_t tree = 0;             // the tree read at isolation
  int16_t writeback_result = 0;  // zswap_writeback_entry()'s return
};

struct ZswapWritebackEntryLocals {
  EntryId entry = kNoEntry;  // argument
  uint16_t tree = 0;         // argument: the tree reclaim read (before 5878303c5353)
  uint32_t generation = 0;   // the entry's slot generation, for __swap_writepage()
  bool si_ref = false;       // v7.0+: holds get_swap_device() across the allocation
};

enum class ZswapParam : uint8_t { kEnabled, kMaxPoolPercent };

struct ZswapParamSetLocals {
  ZswapParam param = ZswapParam::kEnabled;  // argument: which module parameter
  int16_t value = 0;                        // argument: the value written
};

// --- drivers/block/zram/zram_drv.c ---

enum class ZramWritebackMode : uint8_t { kIdle, kHuge };

struct WritebackStoreLocals {
  ZramWritebackMode mode = ZramWritebackMode::kIdle;  // argument: "idle" or "huge"
  uint8_t dev = 0;                                    // argument: the zram device (ZramDev())
  Offset index = 1;          // the next index to look at (batched: to scan)
  // alloc_block_bdev()'s block (batched: zram_writeback_slots()'s blk_idx,
  // zram_reserve_bdev_block()'s), -1 for none
  int16_t blk_idx = -1;
  uint32_t generation = 0;   // the generation of the data read into the bounce page
};

// idle_store(): the device.
struct IdleStoreLocals {
  uint8_t dev = 0;  // argument: the zram device (ZramDev())
};

// A direct read, write or discard of one page of the plain zram device
// (zram1), from open to close: the frame's offset is the page (index).
enum class ZramBioOp : uint8_t { kRead, kWrite, kDiscard };
struct ZramSubmitBioLocals {
  ZramBioOp op = ZramBioOp::kRead;  // argument
  uint8_t index = 0;                // argument: the page
  bool zero = false;                // argument: a write of zeros (same-filled)
  uint8_t strm = 0;                 // the CPU whose stream zcomp_stream_get() locked
  uint16_t table = 0;    // the zram->table its first slot-lock section found (Zram::table_id)
  uint16_t comp = 0;     // the zcomp whose stream it locked (Zram::comp_id)
  int16_t blk_idx = -1;  // a ZRAM_WB slot's block, for read_from_bdev()
  uint16_t blk_seq = 0;  // the block's allocation count then
  int8_t ret = 0;        // the bio's status: 0, or -EIO beyond the capacity
};

// reset_store() (op zram_reset): the device, and the CPU whose stream
// zram_destroy_comps()'s zcomp_cpu_dead() frees next.
struct ZramResetStoreLocals {
  uint8_t dev = 0;  // argument
  uint8_t cpu = 0;
};

enum class ZramRecompressMode : uint8_t { kIdle, kHuge };

// recompress_store() (op zram_bdev_recompress) on the plain device.
struct RecompressStoreLocals {
  ZramRecompressMode mode = ZramRecompressMode::kIdle;  // argument: "type=idle" or "type=huge"
  Offset index = 0;  // scan_slots_for_recompress(): the next index to look at
  Offset slot = kNoOffset;  // select_pp_slot(): the slot recompress_slot() holds locked
};

// disksize_store() (op zram_disksize) on the plain device.
struct DisksizeStoreLocals {
  int16_t pages = 0;  // argument: the size written, in pages
};

// cpu_down() and cpu_up() (ops cpu_offline, cpu_online): the CPU.
struct CpuHotplugLocals {
  uint8_t cpu = 0;
};

// sched_setaffinity() (op migrate): the task (a program's column) and the
// CPU it moves to.
struct SchedSetaffinityLocals {
  uint8_t task = 0;
  uint8_t cpu = 0;
};

// --- mm/vmscan.c ---

struct ShrinkPageListLocals {
  // argument: reclaim_pages() -> reclaim_folio_list() -> shrink_folio_list()
  // of a folio its caller (madvise_pageout()) already took off the LRU with
  // folio_isolate_lru(): the frame's page, and the isolation's reference is
  // held. false: the op `reclaim`, which picks and isolates the page at va.
  bool isolated = false;
  // argument: the op `shmem_reclaim`, which picks the folio of the shmem
  // file's page index va (or the swap cache folio of its swap entry).
  bool shmem = false;
  // The allocator's get_swap_device_info(si), held across its reclaim of a
  // slot only the swap cache holds.
  bool si_ref = false;
};

// --- mm/swapfile.c: several devices ---

// swapoff() and swapon() of one swap type: the op's argument (`swapoff` and
// `swapon` mean type 0).
struct SwapoffLocals {
  uint8_t type = 0;
};
struct SwaponLocals {
  uint8_t type = 0;
};

// folio_alloc_swap() with several devices: swap_alloc_slow()'s cursor over
// swap_avail_head.
struct FolioAllocSwapLocals {
  int8_t si = -1;      // the device being tried
  int8_t next = -1;    // plist_for_each_entry_safe()'s next (-1: the list's end)
  uint8_t restarts = 0;  // "goto start_over" taken
  bool pinned = false;   // get_swap_device_info(si) held across a reclaim
};

struct TryChargeMemcgLocals {
  uint8_t memcg = 0;    // argument: the memcg mem_cgroup_charge() charges
  uint8_t retries = 0;  // reclaim rounds taken (MAX_RECLAIM_RETRIES)
};

// X(Fn, locals struct, FrameLocals member): the functions with locals.
#define SWAPFUZZ_FRAME_LOCALS(X)                                     \
  X(kUserAccess, UserAccessLocals, user_access)                      \
  X(kDoFault, DoFaultLocals, do_fault)                               \
  X(kShmemFault, ShmemFaultLocals, shmem_fault)                      \
  X(kDoWpPage, DoWpPageLocals, do_wp_page)                           \
  X(kDoSwapPage, DoSwapPageLocals, do_swap_page)                     \
  X(kZapPteRange, ZapPteRangeLocals, zap_pte_range)                  \
  X(kCopyPteRange, CopyPteRangeLocals, copy_pte_range)               \
  X(kTryToReclaimSwap, TryToReclaimSwapLocals, try_to_reclaim_swap)  \
  X(kReadSwapCacheAsync, ReadSwapCacheAsyncLocals, read_swap_cache_async) \
  X(kSwapinReadahead, SwapinReadaheadLocals, swapin_readahead)       \
  X(kSwapVmaReadahead, SwapVmaReadaheadLocals, swap_vma_readahead)   \
  X(kSwapCacheAllocFolio, SwapCacheAllocFolioLocals, swap_cache_alloc_folio) \
  X(kSwapReadpage, SwapReadpageLocals, swap_readpage)                \
  X(kSwapWritepageBdev, SwapWritepageBdevLocals, swap_writepage_bdev) \
  X(kTryToUnuse, TryToUnuseLocals, try_to_unuse)                     \
  X(kZswapStore, ZswapStoreLocals, zswap_store)                      \
  X(kZswapLoad, ZswapLoadLocals, zswap_load)                         \
  X(kShrinkWorker, ShrinkWorkerLocals, shrink_worker)                \
  X(kZswapReclaimEntry, ZswapReclaimEntryLocals, zswap_reclaim_entry) \
  X(kZswapWritebackEntry, ZswapWritebackEntryLocals, zswap_writeback_entry) \
  X(kZswapParamSet, ZswapParamSetLocals, zswap_param_set)            \
  X(kZramWritebackStore, WritebackStoreLocals, writeback_store)      \
  X(kZramIdleStore, IdleStoreLocals, idle_store)                     \
  X(kZramSubmitBio, ZramSubmitBioLocals, zram_submit_bio)            \
  X(kZramResetStore, ZramResetStoreLocals, zram_reset_store)         \
  X(kZramDisksizeStore, DisksizeStoreLocals, disksize_store)         \
  X(kZramRecompressStore, RecompressStoreLocals, recompress_store)   \
  X(kCpuDown, CpuHotplugLocals, cpu_down)                            \
  X(kCpuUp, CpuHotplugLocals, cpu_up)                                \
  X(kSchedSetaffinity, SchedSetaffinityLocals, sched_setaffinity) \
  X(kShrinkPageList, ShrinkPageListLocals, shrink_page_list)         \
  X(kMadviseWillneed, MadviseWillneedLocals, madvise_willneed) \
  X(kDoMadvise, DoMadviseLocals, do_madvise)                         \
  X(kMadviseFreePteRange, MadviseFreePteRangeLocals, madvise_free_pte_range) \
  X(kMovePages, MovePagesLocals, move_pages) \
  X(kTryChargeMemcg, TryChargeMemcgLocals, try_charge_memcg) \
  X(kSwapoff, SwapoffLocals, swapoff) \
  X(kSwapon, SwaponLocals, swapon) \
  X(kFolioAllocSwap, FolioAllocSwapLocals, folio_alloc_swap) \
  X(kDeferredSplitScan, DeferredSplitScanLocals, deferred_split_scan) \
  X(kShmemGetFolioGfp, ShmemGetFolioGfpLocals, shmem_get_folio_gfp) \
  X(kShmemSwapinFolio, ShmemSwapinFolioLocals, shmem_swapin_folio) \
  X(kShmemFileReadIter, ShmemFileReadIterLocals, shmem_file_read_iter) \
  X(kShmemWriteout, ShmemWriteoutLocals, shmem_writeout) \
  X(kShmemFallocate, ShmemFallocateLocals, shmem_fallocate) \
  X(kShmemUndoRange, ShmemUndoRangeLocals, shmem_undo_range) \
  X(kShmemUnuse, ShmemUnuseLocals, shmem_unuse) \
  X(kShmemSetattr, ShmemSetattrLocals, shmem_setattr)

union FrameLocals {
  NoLocals none{};
#define SWAPFUZZ_LOCALS_MEMBER(fn, type, member) type member;
  SWAPFUZZ_FRAME_LOCALS(SWAPFUZZ_LOCALS_MEMBER)
#undef SWAPFUZZ_LOCALS_MEMBER
};

// Which member of FrameLocals a function's frame uses: none, unless listed.
template <Fn kFn>
struct LocalsTraits {
  using type = NoLocals;
  static NoLocals& Get(FrameLocals& l) { return l.none; }
  static const NoLocals& Get(const FrameLocals& l) { return l.none; }
  static void Set(FrameLocals& l, const NoLocals& v) { l.none = v; }
};
#define SWAPFUZZ_LOCALS_TRAITS(fn, T, member)                       \
  template <>                                                      \
  struct LocalsTraits<Fn::fn> {                                    \
    using type = T;                                                \
    static T& Get(FrameLocals& l) { return l.member; }             \
    static const T& Get(const FrameLocals& l) { return l.member; } \
    static void Set(FrameLocals& l, const T& v) { l.member = v; }  \
  };
SWAPFUZZ_FRAME_LOCALS(SWAPFUZZ_LOCALS_TRAITS)
#undef SWAPFUZZ_LOCALS_TRAITS

template <Fn kFn>
using LocalsOf = typename LocalsTraits<kFn>::type;

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_FRAME_LOCALS_H_
