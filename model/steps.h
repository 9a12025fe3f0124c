// Names of the modelled kernel functions, of every atomic step, and of the
// operations a CPU program can hold.
//
// A step is the unit of interleaving: one critical section or one lockless
// access. Each step belongs to the kernel function that performs it, and its
// name is what the trace prints, what `through` in a schedule refers to, and
// what the interleaving-coverage counters are keyed on. Step ids are stable
// within a format version: append, never reorder.

#ifndef SWAPFUZZ_MODEL_STEPS_H_
#define SWAPFUZZ_MODEL_STEPS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "model/types.h"

namespace swapfuzz {

// X(enumerator, kernel function name, kernel source file)
#define SWAPFUZZ_FUNCTIONS(X)                                \
  X(kNone, "-", "-")                                         \
  X(kUserAccess, "user_access", "arch fault entry")         \
  X(kHandlePteFault, "handle_pte_fault", "mm/memory.c")     \
  X(kDoAnonymousPage, "do_anonymous_page", "mm/memory.c")   \
  X(kDoWpPage, "do_wp_page", "mm/memory.c")                 \
  X(kDoSwapPage, "do_swap_page", "mm/memory.c")             \
  X(kZapPteRange, "zap_pte_range", "mm/memory.c")           \
  X(kCopyPteRange, "copy_pte_range", "mm/memory.c")         \
  X(kFreeSwapAndCache, "free_swap_and_cache", "mm/swapfile.c") \
  X(kSwapFree, "swap_free", "mm/swapfile.c")                \
  X(kSwapDuplicate, "swap_duplicate", "mm/swapfile.c")      \
  X(kSwapcachePrepare, "swapcache_prepare", "mm/swapfile.c") \
  X(kSwapcacheClear, "swapcache_clear", "mm/swapfile.c")    \
  X(kPutSwapPage, "put_swap_page", "mm/swapfile.c")         \
  X(kSwapcacheFreeEntries, "swapcache_free_entries", "mm/swapfile.c") \
  X(kTryToFreeSwap, "try_to_free_swap", "mm/swapfile.c")    \
  X(kGetSwapPages, "get_swap_pages", "mm/swapfile.c")       \
  X(kGetSwapPage, "get_swap_page", "mm/swap_slots.c")       \
  X(kFreeSwapSlot, "free_swap_slot", "mm/swap_slots.c")     \
  X(kDrainSlotsCache, "drain_slots_cache_cpu", "mm/swap_slots.c") \
  X(kAddToSwapCache, "add_to_swap_cache", "mm/swap_state.c") \
  X(kDeleteFromSwapCache, "delete_from_swap_cache", "mm/swap_state.c") \
  X(kLookupSwapCache, "lookup_swap_cache", "mm/swap_state.c") \
  X(kReadSwapCacheAsync, "__read_swap_cache_async", "mm/swap_state.c") \
  X(kSwapinReadahead, "swapin_readahead", "mm/swap_state.c") \
  X(kFreeSwapCache, "free_swap_cache", "mm/swap_state.c")   \
  X(kSwapReadpage, "swap_readpage", "mm/page_io.c")         \
  X(kSwapSlotFreeNotify, "swap_slot_free_notify", "mm/page_io.c") \
  X(kSwapWritepage, "swap_writepage", "mm/page_io.c")       \
  X(kShrinkPageList, "shrink_page_list", "mm/vmscan.c")     \
  X(kPageout, "pageout", "mm/vmscan.c")                     \
  X(kRemoveMapping, "__remove_mapping", "mm/vmscan.c")      \
  X(kUnlockPage, "unlock_page", "mm/filemap.c")             \
  X(kPutPage, "put_page", "mm/swap.c")                      \
  X(kZramBvecRead, "__zram_bvec_read", "drivers/block/zram/zram_drv.c") \
  X(kZramBvecWrite, "__zram_bvec_write", "drivers/block/zram/zram_drv.c") \
  X(kZramSlotFreeNotify, "zram_slot_free_notify", "drivers/block/zram/zram_drv.c") \
  X(kExecutor, "executor", "model/executor.cc")                \
  X(kQuiescence, "quiescence", "model/oracles.cc")             \
  X(kZswapStore, "zswap_store", "mm/zswap.c")                  \
  X(kZswapLoad, "zswap_load", "mm/zswap.c")                    \
  X(kZswapInvalidate, "zswap_invalidate", "mm/zswap.c")        \
  X(kZswapEntryPut, "zswap_entry_put", "mm/zswap.c")           \
  X(kShrinkWorker, "shrink_worker", "mm/zswap.c")              \
  X(kZswapReclaimEntry, "zswap_reclaim_entry", "mm/zswap.c")   \
  X(kZswapWritebackEntry, "zswap_writeback_entry", "mm/zswap.c") \
  X(kZswapParamSet, "zswap_param_set", "mm/zswap.c")           \
  X(kZswapSwapoff, "zswap_swapoff", "mm/zswap.c")              \
  X(kSwapWritepageBdev, "__swap_writepage", "mm/page_io.c")    \
  X(kEndSwapBioRead, "end_swap_bio_read", "mm/page_io.c")      \
  X(kEndSwapBioWrite, "end_swap_bio_write", "mm/page_io.c")    \
  X(kGetSwapDevice, "get_swap_device", "mm/swapfile.c")        \
  X(kSwapoff, "swapoff", "mm/swapfile.c")                      \
  X(kTryToUnuse, "try_to_unuse", "mm/swapfile.c")              \
  X(kUnusePte, "unuse_pte", "mm/swapfile.c")                   \
  X(kSwapon, "swapon", "mm/swapfile.c")                        \
  X(kZramIdleStore, "idle_store", "drivers/block/zram/zram_drv.c") \
  X(kZramWritebackStore, "writeback_store", "drivers/block/zram/zram_drv.c") \
  X(kZramReadFromBdev, "read_from_bdev", "drivers/block/zram/zram_drv.c") \
  X(kChangePteRange, "change_pte_range", "mm/mprotect.c")

enum class Fn : uint8_t {
#define SWAPFUZZ_FN_ENUM(e, name, file) e,
  SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_ENUM)
#undef SWAPFUZZ_FN_ENUM
      kCount
};

// X(enumerator, function, label)
#define SWAPFUZZ_STEPS(X)                                                   \
  X(kUserRead, kUserAccess, "read")                                         \
  X(kUserWrite, kUserAccess, "write")                                       \
  X(kFault, kHandlePteFault, "fault, orig_pte snapshot")                    \
  X(kMmapReadLock, kHandlePteFault, "mmap_read_lock")                       \
  X(kAnonInstall, kDoAnonymousPage, "install new page")                     \
  X(kAnonZeroPage, kDoAnonymousPage, "map zero page")                       \
  X(kWpReuse, kDoWpPage, "reuse page")                                      \
  X(kWpCopyStart, kDoWpPage, "copy: get old page")                          \
  X(kWpCopyData, kDoWpPage, "copy data to new page")                        \
  X(kWpCopyInstall, kDoWpPage, "pte_same, install copy")                    \
  X(kWpCopyAbort, kDoWpPage, "pte changed, drop copy")                      \
  X(kWpFreeOld, kDoWpPage, "free_swap_cache, put old page")                 \
  X(kGetSwapDevice, kDoSwapPage, "get_swap_device")                         \
  X(kLookupSwapCache, kLookupSwapCache, "find_get_page")                    \
  X(kSkipCheck, kDoSwapPage, "SWP_SYNCHRONOUS_IO && __swap_count == 1")     \
  X(kSkipPin, kSwapcachePrepare, "pin skip-swapcache entry")                \
  X(kSkipPinBusy, kSwapcachePrepare, "-EEXIST, schedule_timeout")           \
  X(kLockPage, kDoSwapPage, "lock_page")                                    \
  X(kSwapcacheRecheck, kDoSwapPage, "PageSwapCache && private == entry")   \
  X(kPteSameInstall, kDoSwapPage, "pte_same, install, swap_free")          \
  X(kPteChanged, kDoSwapPage, "pte changed, out_nomap")                     \
  X(kSwapcacheClear, kSwapcacheClear, "clear SWAP_HAS_CACHE")               \
  X(kDoSwapPageOom, kDoSwapPage, "no page, pte_same check")                 \
  X(kFindGetPage, kReadSwapCacheAsync, "find_get_page")                     \
  X(kPrepare, kSwapcachePrepare, "set SWAP_HAS_CACHE")                      \
  X(kPrepareBusy, kSwapcachePrepare, "-EEXIST, cond_resched")               \
  X(kAddToSwapCache, kAddToSwapCache, "lock page, insert")                  \
  X(kReadaheadPut, kSwapinReadahead, "put_page")                            \
  X(kZramReadLock, kZramBvecRead, "zram_slot_lock, read meta")              \
  X(kZramReadCopy, kZramBvecRead, "decompress, zram_slot_unlock")           \
  X(kReadEndio, kSwapReadpage, "page_endio: uptodate, unlock")              \
  X(kFreeNotify, kSwapReadpage, "trylock_page, swap_slot_free_notify")      \
  X(kIsolate, kShrinkPageList, "isolate_lru_page")                          \
  X(kTrylock, kShrinkPageList, "trylock_page")                              \
  X(kAddToSwap, kShrinkPageList, "add_to_swap")                             \
  X(kUnmap, kShrinkPageList, "try_to_unmap one pte")                        \
  X(kPageoutStart, kPageout, "is_page_cache_freeable, clear dirty")         \
  X(kWriteTryFree, kSwapWritepage, "try_to_free_swap")                      \
  X(kZramWrite, kZramBvecWrite, "set_page_writeback, store, endio")         \
  X(kWriteUnlock, kSwapWritepage, "unlock_page")                            \
  X(kRelock, kShrinkPageList, "trylock_page after write")                   \
  X(kRemoveMapping, kRemoveMapping, "freeze refs, delete from swap cache")  \
  X(kReclaimKeep, kShrinkPageList, "keep: unlock, putback")                 \
  X(kZapOne, kZapPteRange, "clear pte")                                     \
  X(kZapTryReclaim, kFreeSwapAndCache, "__try_to_reclaim_swap")             \
  X(kZapFreeSwapCache, kFreeSwapCache, "trylock, try_to_free_swap")         \
  X(kMmapWriteLock, kZapPteRange, "mmap_write_lock")                        \
  X(kZapDone, kZapPteRange, "mmap_write_unlock")                            \
  X(kFork, kCopyPteRange, "copy ptes, swap_duplicate")                      \
  X(kDrain, kDrainSlotsCache, "swapcache_free_entries(slots_ret)")          \
  X(kOpSkipped, kExecutor, "op skipped: its mm does not exist")             \
  X(kBioSubmitRead, kSwapReadpage, "submit_bio (read)")                     \
  X(kBioEndRead, kEndSwapBioRead, "read block, uptodate, unlock_page")      \
  X(kBioSubmitWrite, kSwapWritepageBdev, "set_page_writeback, submit_bio, unlock_page") \
  X(kBioEndWrite, kEndSwapBioWrite, "write block, end_page_writeback")      \
  X(kZswapStoreDup, kZswapStore, "invalidate duplicate entry")              \
  X(kZswapStoreCheck, kZswapStore, "enabled, zswap_is_full, zswap_can_accept") \
  X(kZswapStoreCompress, kZswapStore, "entry alloc, compress, zpool_malloc") \
  X(kZswapStoreInsert, kZswapStore, "tree insert, LRU add, writeback, unlock_page") \
  X(kZswapLoadFind, kZswapLoad, "zswap_entry_find_get")                     \
  X(kZswapLoadDecompress, kZswapLoad, "decompress")                         \
  X(kZswapLoadPut, kZswapLoad, "put entry, SetPageUptodate, unlock_page")  \
  X(kZswapLruIsolate, kZswapReclaimEntry, "LRU isolate, copy swpentry")     \
  X(kZswapLruEmpty, kZswapReclaimEntry, "LRU empty")                        \
  X(kZswapReclaimTreeGet, kZswapReclaimEntry, "tree lock: entry current, get") \
  X(kZswapWbRecheck, kZswapWritebackEntry, "tree lock: recheck entry after SWAPCACHE_NEW") \
  X(kZswapWbStale, kZswapWritebackEntry, "entry replaced: delete_from_swap_cache") \
  X(kZswapWbDecompress, kZswapWritebackEntry, "decompress, SetPageUptodate") \
  X(kZswapWbInvalidate, kZswapWritebackEntry, "tree lock: invalidate entry, put") \
  X(kZswapWbDone, kZswapReclaimEntry, "tree lock: drop entry after writeback") \
  X(kZswapWbFail, kZswapReclaimEntry, "writeback failed: put back")         \
  X(kZswapSetMaxPool, kZswapParamSet, "max_pool_percent")                   \
  X(kZswapSetEnabled, kZswapParamSet, "enabled")                            \
  X(kSwapoffStart, kSwapoff, "del_from_avail_list, clear SWP_WRITEOK")      \
  X(kSwapoffDrain, kSwapoff, "disable_swap_slots_cache_lock: drain")        \
  X(kUnuseScan, kTryToUnuse, "unuse_pte_range: swap pte, lookup_swap_cache") \
  X(kUnuseLock, kTryToUnuse, "lock_page, wait_on_page_writeback")           \
  X(kUnusePte, kUnusePte, "pte_same_as_swp, install, swap_free")            \
  X(kUnuseFree, kTryToUnuse, "try_to_free_swap, unlock_page, put_page")     \
  X(kUnuseCache, kTryToUnuse, "find_next_to_unuse, find_get_page")          \
  X(kUnuseRetry, kTryToUnuse, "inuse_pages != 0: retry")                    \
  X(kSwapoffKill, kSwapoff, "percpu_ref_kill(users)")                       \
  X(kSwapoffWait, kSwapoff, "wait_for_completion(users)")                   \
  X(kSwapoffTeardown, kSwapoff, "swap_map = NULL, free extents and address space") \
  X(kZswapSwapoff, kZswapSwapoff, "free entries, kfree(tree)")              \
  X(kSwapoffInval, kSwapoff, "-EINVAL: not active")                        \
  X(kSwaponStart, kSwapon, "alloc swap_map, zswap_swapon, enable_swap_info") \
  X(kSwaponBusy, kSwapon, "-EBUSY: already active")                         \
  X(kGetSwapDeviceFail, kDoSwapPage, "get_swap_device failed")              \
  X(kZramIdle, kZramIdleStore, "mark ZRAM_IDLE")                            \
  X(kZramWbCheck, kZramWritebackStore, "slot lock: check, set ZRAM_UNDER_WB") \
  X(kZramWbWrite, kZramWritebackStore, "submit_bio_wait: write block")      \
  X(kZramWbCommit, kZramWritebackStore, "slot lock: recheck, set ZRAM_WB")   \
  X(kZramWbAbort, kZramWritebackStore, "slot changed: free block")         \
  X(kZramWbDone, kZramWritebackStore, "no more slots")                      \
  X(kZramReadBdev, kZramReadFromBdev, "read block")                         \
  X(kUffdWp, kChangePteRange, "toggle uffd-wp on swap pte")

enum class StepId : uint8_t {
#define SWAPFUZZ_STEP_ENUM(e, fn, label) e,
  SWAPFUZZ_STEPS(SWAPFUZZ_STEP_ENUM)
#undef SWAPFUZZ_STEP_ENUM
      kCount
};

// X(enumerator, name, takes a va, argument limit (0: no argument))
#define SWAPFUZZ_OPS(X)                     \
  X(kRead, "read", true, 0)                 \
  X(kWrite, "write", true, 0)               \
  X(kReclaim, "reclaim", true, 0)           \
  X(kMunmap, "munmap", true, 0)             \
  X(kFork, "fork", false, kMaxMms)          \
  X(kDrainSlots, "drain_slots", false, 0)   \
  X(kZswapShrink, "zswap_shrink", false, 0) \
  X(kZswapEnable, "zswap_enable", false, 2) \
  X(kZswapMaxPool, "zswap_max_pool", false, 101) \
  X(kSwapoff, "swapoff", false, 0)          \
  X(kSwapon, "swapon", false, 0)            \
  X(kZramIdle, "zram_idle", false, 0)       \
  X(kZramWriteback, "zram_writeback", false, 2) \
  X(kUffdWp, "uffd_wp", true, 0)

enum class OpKind : uint8_t {
#define SWAPFUZZ_OP_ENUM(e, name, va, arg) e,
  SWAPFUZZ_OPS(SWAPFUZZ_OP_ENUM)
#undef SWAPFUZZ_OP_ENUM
      kCount
};

std::string_view FnName(Fn fn);
std::string_view FnFile(Fn fn);
Fn StepFn(StepId step);
std::string_view StepLabel(StepId step);
// "function: label", as the trace and schedule files spell a step.
std::string_view StepName(StepId step);
std::optional<StepId> StepByName(std::string_view name);
std::string_view OpName(OpKind op);
std::optional<OpKind> OpByName(std::string_view name);
// Whether the op names an address (Op::va), and the exclusive upper bound of
// its argument (Op::arg; fork: the child mm), 0 when it takes none.
bool OpTakesVa(OpKind op);
int OpArgLimit(OpKind op);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_STEPS_H_
