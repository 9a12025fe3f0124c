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
  X(kQuiescence, "quiescence", "model/oracles.cc")

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
  X(kOpSkipped, kExecutor, "op skipped: its mm does not exist")

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
  X(kDrainSlots, "drain_slots", false, 0)

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
