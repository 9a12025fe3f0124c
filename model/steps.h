// The modelled kernel functions, every atomic step, and the operations a CPU
// program can hold: one table each, the single place to add a row.
//
// A step is the unit of interleaving: one critical section or one lockless
// access. Each step belongs to the kernel function that performs it, and its
// name is what the trace prints, what `through` in a schedule refers to, and
// what the interleaving-coverage counters are keyed on.
//
// Append rows; never reorder or delete one. TraceHash hashes a step's number
// (StepId, model/trace.cc TraceHash::Add), and every recorded trace_hash - the
// regression corpus, tests/golden, saved reproducers - holds the hashes of
// those numbers. Schedule files name steps by their names, so renaming a label
// breaks them too. A step the model no longer emits therefore stays, marked
// /* tombstone */. Fn numbers are in no trace or file (findings and schedules
// name functions by name), but InterleavingCoverage::Reported() hashes them
// into the report counters, so Fn rows are kept in place as well.

#ifndef SWAPFUZZ_MODEL_STEPS_H_
#define SWAPFUZZ_MODEL_STEPS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "model/types.h"

namespace swapfuzz {

// X(enumerator, kernel function name, kernel source file, machine, class)
//
// machine: the step machine, `StepResult machine(Kernel&, Cpu&, Frame&)`
//   (model/step.h), that runs a frame of this function. model/machines.cc
//   expands this column into its machine table, after including the headers
//   that declare them, and names each machine's states from its
//   SWAPFUZZ_STATES_<machine> list. kInStep: the function never gets a frame of
//   its own; it runs inside a step of its caller (the executor's own step, for
//   kExecutor and kQuiescence; the completion interrupt's, for end_swap_bio_*
//   and zram_writeback_endio).
// class: what the function's steps touch, for the DFS sleep sets
//   (FnTouchesSharedState(), fuzz/strategies.cc):
//   kShared: state shared by all offsets and pages, so its steps depend on
//     every other step;
//   kPerObject: only the swap offsets and pages its trace events name.
//   A step that changes a PTE touches the PTE as well, which no event names,
//   so a new function whose steps write PTEs or take a lock of the mm is
//   kShared. (zap_pte_range and the fault's functions predate this rule: their
//   steps name the page or offset the PTE held or gets, and DFS treats a step
//   that names only the zero page, or nothing, as touching everything.)
// A row without both columns does not compile.
#define SWAPFUZZ_FUNCTIONS(X)                                                                      \
  X(kNone, "-", "-", kInStep, kShared)                                                             \
  X(kUserAccess, "user_access", "arch fault entry", user_access, kPerObject)                       \
  X(kHandlePteFault, "handle_pte_fault", "mm/memory.c", kInStep, kPerObject)                       \
  X(kDoAnonymousPage, "do_anonymous_page", "mm/memory.c", kInStep, kPerObject)                     \
  X(kDoWpPage, "do_wp_page", "mm/memory.c", do_wp_page, kPerObject)                                \
  X(kDoSwapPage, "do_swap_page", "mm/memory.c", do_swap_page, kPerObject)                          \
  X(kZapPteRange, "zap_pte_range", "mm/memory.c", zap_pte_range, kPerObject)                       \
  X(kCopyPteRange, "copy_pte_range", "mm/memory.c", copy_pte_range, kShared)                       \
  X(kFreeSwapAndCache, "free_swap_and_cache", "mm/swapfile.c", kInStep, kPerObject)                \
  X(kSwapFree, "swap_free", "mm/swapfile.c", kInStep, kPerObject)                                  \
  X(kSwapDuplicate, "swap_duplicate", "mm/swapfile.c", kInStep, kPerObject)                        \
  X(kSwapcachePrepare, "swapcache_prepare", "mm/swapfile.c", kInStep, kPerObject)                  \
  X(kSwapcacheClear, "swapcache_clear", "mm/swapfile.c", kInStep, kPerObject)                      \
  X(kPutSwapPage, "put_swap_page", "mm/swapfile.c", kInStep, kShared)                              \
  X(kSwapcacheFreeEntries, "swapcache_free_entries", "mm/swapfile.c", kInStep, kShared)            \
  X(kTryToFreeSwap, "try_to_free_swap", "mm/swapfile.c", kInStep, kPerObject)                      \
  X(kGetSwapPages, "get_swap_pages", "mm/swapfile.c", kInStep, kShared)                            \
  X(kGetSwapPage, "get_swap_page", "mm/swap_slots.c", kInStep, kShared)                            \
  X(kFreeSwapSlot, "free_swap_slot", "mm/swap_slots.c", kInStep, kShared)                          \
  X(kDrainSlotsCache, "drain_slots_cache_cpu", "mm/swap_slots.c", DrainSlotsOp, kShared)           \
  X(kAddToSwapCache, "add_to_swap_cache", "mm/swap_state.c", kInStep, kPerObject)                  \
  X(kDeleteFromSwapCache, "delete_from_swap_cache", "mm/swap_state.c", kInStep, kPerObject)        \
  X(kLookupSwapCache, "lookup_swap_cache", "mm/swap_state.c", kInStep, kPerObject)                 \
  X(kReadSwapCacheAsync, "__read_swap_cache_async", "mm/swap_state.c", read_swap_cache_async,      \
    kPerObject)                                                                                    \
  X(kSwapinReadahead, "swapin_readahead", "mm/swap_state.c", swapin_readahead, kPerObject)         \
  X(kFreeSwapCache, "free_swap_cache", "mm/swap_state.c", kInStep, kPerObject)                     \
  X(kSwapReadpage, "swap_readpage", "mm/page_io.c", swap_readpage, kPerObject)                     \
  X(kSwapSlotFreeNotify, "swap_slot_free_notify", "mm/page_io.c", kInStep, kPerObject)             \
  X(kSwapWritepage, "swap_writepage", "mm/page_io.c", swap_writepage, kPerObject)                  \
  X(kShrinkPageList, "shrink_page_list", "mm/vmscan.c", shrink_page_list, kShared)                 \
  X(kPageout, "pageout", "mm/vmscan.c", kInStep, kPerObject)                                       \
  X(kRemoveMapping, "__remove_mapping", "mm/vmscan.c", kInStep, kPerObject)                        \
  X(kUnlockPage, "unlock_page", "mm/filemap.c", kInStep, kPerObject) /* tombstone */               \
  X(kPutPage, "put_page", "mm/swap.c", kInStep, kPerObject) /* tombstone */                        \
  X(kZramBvecRead, "__zram_bvec_read", "drivers/block/zram/zram_drv.c", kInStep, kPerObject)       \
  X(kZramBvecWrite, "__zram_bvec_write", "drivers/block/zram/zram_drv.c", kInStep, kPerObject)     \
  X(kZramSlotFreeNotify, "zram_slot_free_notify", "drivers/block/zram/zram_drv.c", kInStep,        \
    kPerObject) /* tombstone */                                                                    \
  X(kExecutor, "executor", "model/executor.cc", kInStep, kShared)                                  \
  X(kQuiescence, "quiescence", "model/oracles.cc", kInStep, kShared)                               \
  X(kZswapStore, "zswap_store", "mm/zswap.c", zswap_store, kShared)                                \
  X(kZswapLoad, "zswap_load", "mm/zswap.c", zswap_load, kPerObject)                                \
  X(kZswapInvalidate, "zswap_invalidate", "mm/zswap.c", kInStep, kPerObject)                       \
  X(kZswapEntryPut, "zswap_entry_put", "mm/zswap.c", kInStep, kPerObject) /* tombstone */          \
  X(kShrinkWorker, "shrink_worker", "mm/zswap.c", shrink_worker, kShared)                          \
  X(kZswapReclaimEntry, "zswap_reclaim_entry", "mm/zswap.c", zswap_reclaim_entry, kShared)         \
  X(kZswapWritebackEntry, "zswap_writeback_entry", "mm/zswap.c", zswap_writeback_entry,            \
    kPerObject)                                                                                    \
  X(kZswapParamSet, "zswap_param_set", "mm/zswap.c", zswap_param_set, kShared)                     \
  X(kZswapSwapoff, "zswap_swapoff", "mm/zswap.c", kInStep, kShared)                                \
  X(kSwapWritepageBdev, "__swap_writepage", "mm/page_io.c", swap_writepage_bdev, kPerObject)       \
  X(kEndSwapBioRead, "end_swap_bio_read", "mm/page_io.c", kInStep, kPerObject)                     \
  X(kEndSwapBioWrite, "end_swap_bio_write", "mm/page_io.c", kInStep, kPerObject)                   \
  X(kGetSwapDevice, "get_swap_device", "mm/swapfile.c", kInStep, kShared)                          \
  X(kSwapoff, "swapoff", "mm/swapfile.c", swapoff, kShared)                                        \
  X(kTryToUnuse, "try_to_unuse", "mm/swapfile.c", try_to_unuse, kShared)                           \
  X(kUnusePte, "unuse_pte", "mm/swapfile.c", kInStep, kPerObject)                                  \
  X(kSwapon, "swapon", "mm/swapfile.c", swapon, kShared)                                           \
  X(kZramIdleStore, "idle_store", "drivers/block/zram/zram_drv.c", idle_store, kShared)            \
  X(kZramWritebackStore, "writeback_store", "drivers/block/zram/zram_drv.c", writeback_store,      \
    kShared)                                                                                       \
  X(kZramReadFromBdev, "read_from_bdev", "drivers/block/zram/zram_drv.c", kInStep, kPerObject)     \
  X(kChangePteRange, "change_pte_range", "mm/mprotect.c", change_pte_range, kPerObject)         \
  X(kSwapClusterFreeEntries, "__swap_cluster_free_entries", "mm/swapfile.c", kInStep, kShared)     \
  X(kSwapCacheDelFolio, "swap_cache_del_folio", "mm/swap_state.c", kInStep, kPerObject)            \
  X(kSwapCacheGetFolio, "swap_cache_get_folio", "mm/swap_state.c", kInStep, kPerObject)            \
  X(kSwapCacheAllocFolio, "swap_cache_alloc_folio", "mm/swap_state.c", swap_cache_alloc_folio,     \
    kPerObject)                                                                                    \
  X(kFolioAllocSwap, "folio_alloc_swap", "mm/swapfile.c", folio_alloc_swap, kShared)                        \
  X(kFolioDupSwap, "folio_dup_swap", "mm/swapfile.c", kInStep, kPerObject)                         \
  X(kFolioPutSwap, "folio_put_swap", "mm/swapfile.c", kInStep, kPerObject)                         \
  X(kSwapPutEntriesDirect, "swap_put_entries_direct", "mm/swapfile.c", kInStep, kPerObject)        \
  X(kSwapDupEntryDirect, "swap_dup_entry_direct", "mm/swapfile.c", kInStep, kPerObject)            \
  X(kFolioFreeSwap, "folio_free_swap", "mm/swapfile.c", kInStep, kPerObject)                       \
  X(kSwapReadFolioZeromap, "swap_read_folio_zeromap", "mm/page_io.c", kInStep, kPerObject)         \
  X(kSwapZeromapFolioSet, "swap_zeromap_folio_set", "mm/page_io.c", kInStep, kPerObject)     \
  X(kZramScanSlotsForWriteback, "scan_slots_for_writeback", "drivers/block/zram/zram_drv.c",      \
    kInStep, kShared)                                                                              \
  X(kZramWritebackSlots, "zram_writeback_slots", "drivers/block/zram/zram_drv.c", kInStep,       \
    kShared)                                                                                       \
  X(kZramCompleteDoneReqs, "zram_complete_done_reqs", "drivers/block/zram/zram_drv.c", kInStep,  \
    kShared)                                                                                       \
  X(kZramWritebackComplete, "zram_writeback_complete", "drivers/block/zram/zram_drv.c", kInStep, \
    kShared)                                                                                       \
  X(kZramReleasePpSlot, "release_pp_slot", "drivers/block/zram/zram_drv.c", kInStep, kShared)     \
  X(kZramReleaseWbCtl, "release_wb_ctl", "drivers/block/zram/zram_drv.c", kInStep, kShared)       \
  X(kZramWritebackEndio, "zram_writeback_endio", "drivers/block/zram/zram_drv.c", kInStep, kShared) \
  X(kTryToReclaimSwap, "__try_to_reclaim_swap", "mm/swapfile.c", try_to_reclaim_swap,       \
    kPerObject)                                                                                    \
  X(kClusterReclaimRange, "cluster_reclaim_range", "mm/swapfile.c", kInStep, kShared) \
  X(kSwapVmaReadahead, "swap_vma_readahead", "mm/swap_state.c", swap_vma_readahead, kShared)      \
  X(kSwapVmaRaWin, "swap_vma_ra_win", "mm/swap_state.c", kInStep, kShared)                       \
  X(kAcompCtxGetCpuLock, "acomp_ctx_get_cpu_lock", "mm/zswap.c", kInStep, kShared)               \
  X(kCpuDown, "cpu_down", "kernel/cpu.c", cpu_down, kShared)                                       \
  X(kCpuUp, "cpu_up", "kernel/cpu.c", cpu_up, kShared)                                             \
  X(kZswapCpuCompDead, "zswap_cpu_comp_dead", "mm/zswap.c", kInStep, kShared)                     \
  X(kZswapCpuCompPrepare, "zswap_cpu_comp_prepare", "mm/zswap.c", kInStep, kShared)               \
  X(kSchedSetaffinity, "sched_setaffinity", "kernel/sched/core.c", sched_setaffinity, kShared) \
  X(kMadvisePageout, "madvise_pageout", "mm/madvise.c", madvise_pageout, kShared)                  \
  X(kMadviseColdOrPageoutPteRange, "madvise_cold_or_pageout_pte_range", "mm/madvise.c", kInStep,   \
    kShared)                                                                                       \
  X(kMadviseWillneed, "madvise_willneed", "mm/madvise.c", madvise_willneed, kShared)               \
  X(kSwapinWalkPmdEntry, "swapin_walk_pmd_entry", "mm/madvise.c", kInStep, kShared)               \
  X(kDoMincore, "do_mincore", "mm/mincore.c", do_mincore, kShared)                                 \
  X(kMincorePteRange, "mincore_pte_range", "mm/mincore.c", kInStep, kShared) \
  X(kDoMadvise, "do_madvise", "mm/madvise.c", do_madvise, kShared)                               \
  X(kMadviseFreePteRange, "madvise_free_pte_range", "mm/madvise.c", madvise_free_pte_range,      \
    kShared)                                                                                       \
  X(kUserfaultfdIoctl, "userfaultfd_ioctl", "fs/userfaultfd.c", kInStep, kShared)                 \
  X(kMovePages, "move_pages", "mm/userfaultfd.c", move_pages, kShared)                             \
  X(kMovePagesPtes, "move_pages_ptes", "mm/userfaultfd.c", kInStep, kShared)                       \
  X(kMovePresentPtes, "move_present_ptes", "mm/userfaultfd.c", kInStep, kShared)                   \
  X(kMoveSwapPte, "move_swap_pte", "mm/userfaultfd.c", kInStep, kShared)                           \
  X(kMoveZeropagePte, "move_zeropage_pte", "mm/userfaultfd.c", kInStep, kShared)                    \
  X(kZramSubmitBio, "zram_submit_bio", "drivers/block/zram/zram_drv.c", zram_submit_bio, kShared) \
  X(kZramOpen, "zram_open", "drivers/block/zram/zram_drv.c", kInStep, kShared)                     \
  X(kZramBioRead, "zram_bio_read", "drivers/block/zram/zram_drv.c", kInStep, kShared)              \
  X(kZramBioWrite, "zram_bio_write", "drivers/block/zram/zram_drv.c", kInStep, kShared)            \
  X(kZramBioDiscard, "zram_bio_discard", "drivers/block/zram/zram_drv.c", kInStep, kShared)        \
  X(kZcompStreamGet, "zcomp_stream_get", "drivers/block/zram/zcomp.c", kInStep, kShared)           \
  X(kBdevRelease, "bdev_release", "block/bdev.c", kInStep, kShared)                                \
  X(kZramResetStore, "reset_store", "drivers/block/zram/zram_drv.c", zram_reset_store, kShared)   \
  X(kZramResetDevice, "zram_reset_device", "drivers/block/zram/zram_drv.c", kInStep, kShared)      \
  X(kZcompCpuDead, "zcomp_cpu_dead", "drivers/block/zram/zcomp.c", kInStep, kShared)               \
  X(kZramDisksizeStore, "disksize_store", "drivers/block/zram/zram_drv.c", disksize_store,        \
    kShared)                                                                                       \
  X(kZcompCreate, "zcomp_create", "drivers/block/zram/zcomp.c", kInStep, kShared)                 \
  X(kZramRecompressStore, "recompress_store", "drivers/block/zram/zram_drv.c", recompress_store,  \
    kShared)                                                                                       \
  X(kZramScanSlotsForRecompress, "scan_slots_for_recompress", "drivers/block/zram/zram_drv.c",    \
    kInStep, kShared)                                                                              \
  X(kZramRecompressSlot, "recompress_slot", "drivers/block/zram/zram_drv.c", kInStep, kShared)      \
  X(kTryChargeMemcg, "try_charge_memcg", "mm/memcontrol.c", try_charge_memcg, kShared)             \
  X(kMemCgroupUncharge, "mem_cgroup_uncharge", "mm/memcontrol.c", kInStep, kShared)            \
  X(kAllocSwapFolio, "alloc_swap_folio", "mm/memory.c", kInStep, kShared)                         \
  X(kZapPresentPtes, "zap_present_ptes", "mm/memory.c", kInStep, kShared)                         \
  X(kZapNonpresentPtes, "zap_nonpresent_ptes", "mm/memory.c", kInStep, kShared)                   \
  X(kSwapEntriesFree, "__swap_entries_free", "mm/swapfile.c", kInStep, kShared)                  \
  X(kDeferredSplitScan, "deferred_split_scan", "mm/huge_memory.c", deferred_split_scan, kShared)  \
  X(kFreePagesAndSwapCache, "free_pages_and_swap_cache", "mm/swap_state.c", kInStep, kShared)    \
  X(kShmemFileReadIter, "shmem_file_read_iter", "mm/shmem.c", shmem_file_read_iter, kShared)      \
  X(kShmemFileWriteIter, "shmem_file_write_iter", "mm/shmem.c", shmem_file_write_iter, kShared)   \
  X(kShmemGetFolioGfp, "shmem_get_folio_gfp", "mm/shmem.c", shmem_get_folio_gfp, kShared)         \
  X(kShmemAllocAndAddFolio, "shmem_alloc_and_add_folio", "mm/shmem.c", kInStep, kShared)          \
  X(kShmemAddToPageCache, "shmem_add_to_page_cache", "mm/shmem.c", kInStep, kShared)              \
  X(kShmemSwapinFolio, "shmem_swapin_folio", "mm/shmem.c", shmem_swapin_folio, kShared)           \
  X(kShmemWriteout, "shmem_writeout", "mm/shmem.c", shmem_writeout, kShared)                      \
  X(kShmemDeleteFromPageCache, "shmem_delete_from_page_cache", "mm/shmem.c", kInStep, kShared)    \
  X(kShmemFallocate, "shmem_fallocate", "mm/shmem.c", shmem_fallocate, kShared)                   \
  X(kShmemUndoRange, "shmem_undo_range", "mm/shmem.c", shmem_undo_range, kShared)                 \
  X(kShmemFreeSwap, "shmem_free_swap", "mm/shmem.c", kInStep, kShared)                            \
  X(kTruncateInodeFolio, "truncate_inode_folio", "mm/truncate.c", kInStep, kShared)              \
  X(kShmemSplitLargeEntry, "shmem_split_large_entry", "mm/shmem.c", kInStep, kShared)            \
  X(kTruncateInodePartialFolio, "truncate_inode_partial_folio", "mm/truncate.c", kInStep, kShared) \
  X(kShmemUnuse, "shmem_unuse", "mm/shmem.c", shmem_unuse, kShared)                              \
  X(kShmemSwapAllocFolio, "shmem_swap_alloc_folio", "mm/shmem.c", kInStep, kShared)              \
  X(kSwapShmemAlloc, "swap_shmem_alloc", "mm/swapfile.c", kInStep, kPerObject)                  \
  X(kDoFault, "do_fault", "mm/memory.c", do_fault, kShared)                                      \
  X(kShmemFault, "shmem_fault", "mm/shmem.c", shmem_fault, kShared)                              \
  X(kFinishFault, "finish_fault", "mm/memory.c", kInStep, kShared)                               \
  X(kDoReadFault, "do_read_fault", "mm/memory.c", kInStep, kShared)                              \
  X(kDoSharedFault, "do_shared_fault", "mm/memory.c", kInStep, kShared)                          \
  X(kUnmapMappingRange, "unmap_mapping_range", "mm/memory.c", kInStep, kShared)                  \
  X(kTryToUnmapOne, "try_to_unmap_one", "mm/rmap.c", kInStep, kShared)                          \
  X(kFilemapMapPages, "filemap_map_pages", "mm/filemap.c", kInStep, kShared)                    \
  X(kShmemWritepage, "shmem_writepage", "mm/shmem.c", kInStep, kShared)                        \
  X(kShmemSetattr, "shmem_setattr", "mm/shmem.c", shmem_setattr, kShared)

// The tombstone Fn rows name kernel functions the model calls (unlock_page(),
// put_page(), zram_slot_free_notify(), zswap_entry_put()) but whose reports
// name their callers instead; tests/oracles_test.cc uses the first two.

// The expanders of SWAPFUZZ_FUNCTIONS, one per column that code reads. Each
// takes all five columns, so a row that lacks one fails to preprocess, and an
// empty class fails to compile (tests/fn_table_compile_test.cc).
#define SWAPFUZZ_FN_ENUMERATOR(e, name, file, machine, cls) e,
#define SWAPFUZZ_FN_NAME(e, name, file, machine, cls) name,
#define SWAPFUZZ_FN_HAS_MACHINE(e, name, file, machine, cls) \
  (std::string_view(#machine) != "kInStep"),
#define SWAPFUZZ_FN_SHARED(e, name, file, machine, cls) (FnClass::cls == FnClass::kShared),
// model/machines.cc only, where the machines are declared.
#define SWAPFUZZ_FN_MACHINE(e, name, file, machine, cls) machine,

enum class Fn : uint8_t { SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_ENUMERATOR) kCount };

// The class column of SWAPFUZZ_FUNCTIONS.
enum class FnClass : uint8_t { kShared, kPerObject };

// X(enumerator, function, label)
#define SWAPFUZZ_STEPS(X)                                                   \
  X(kUserRead, kUserAccess, "read")                                         \
  X(kUserWrite, kUserAccess, "write")                                       \
  X(kFault, kHandlePteFault, "fault, orig_pte snapshot")                    \
  X(kMmapReadLock, kHandlePteFault, "mmap_read_lock") /* tombstone */       \
  X(kAnonInstall, kDoAnonymousPage, "install new page")                     \
  X(kAnonZeroPage, kDoAnonymousPage, "map zero page")                       \
  X(kWpReuse, kDoWpPage, "reuse page")                                      \
  X(kWpCopyStart, kDoWpPage, "copy: get old page")                          \
  X(kWpCopyData, kDoWpPage, "copy data to new page")                        \
  X(kWpCopyInstall, kDoWpPage, "pte_same, install copy")                    \
  X(kWpCopyAbort, kDoWpPage, "pte changed, drop copy")                      \
  X(kWpFreeOld, kDoWpPage, "free_swap_cache, put old page")                 \
  X(kGetSwapDevice, kDoSwapPage, "get_swap_device") /* tombstone */         \
  X(kLookupSwapCache, kLookupSwapCache, "find_get_page")                    \
  X(kSkipCheck, kDoSwapPage, "SWP_SYNCHRONOUS_IO && __swap_count == 1")     \
  X(kSkipPin, kSwapcachePrepare, "pin skip-swapcache entry")                \
  X(kSkipPinBusy, kSwapcachePrepare, "-EEXIST, schedule_timeout")           \
  X(kLockPage, kDoSwapPage, "lock_page")                                    \
  X(kSwapcacheRecheck, kDoSwapPage, "PageSwapCache && private == entry") /* tombstone */ \
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
  X(kReadEndio, kSwapReadpage, "page_endio: uptodate, unlock") /* tombstone */ \
  X(kFreeNotify, kSwapReadpage, "trylock_page, swap_slot_free_notify")      \
  X(kIsolate, kShrinkPageList, "isolate_lru_page")                          \
  X(kTrylock, kShrinkPageList, "trylock_page")                              \
  X(kAddToSwap, kShrinkPageList, "add_to_swap")                             \
  X(kUnmap, kShrinkPageList, "try_to_unmap one pte")                        \
  X(kPageoutStart, kPageout, "is_page_cache_freeable, clear dirty")         \
  X(kWriteTryFree, kSwapWritepage, "try_to_free_swap")                      \
  X(kZramWrite, kZramBvecWrite, "set_page_writeback, store, endio")         \
  X(kWriteUnlock, kSwapWritepage, "unlock_page") /* tombstone */            \
  X(kRelock, kShrinkPageList, "trylock_page after write")                   \
  X(kRemoveMapping, kRemoveMapping, "freeze refs, delete from swap cache")  \
  X(kReclaimKeep, kShrinkPageList, "keep: unlock, putback") /* tombstone */ \
  X(kZapOne, kZapPteRange, "clear pte")                                     \
  X(kZapTryReclaim, kFreeSwapAndCache, "__try_to_reclaim_swap")             \
  X(kZapFreeSwapCache, kFreeSwapCache, "trylock, try_to_free_swap")         \
  X(kMmapWriteLock, kZapPteRange, "mmap_write_lock")                        \
  X(kZapDone, kZapPteRange, "mmap_write_unlock") /* tombstone */            \
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
  X(kUffdWp, kChangePteRange, "toggle uffd-wp on swap pte")                 \
  X(kUnusePteMismatch, kUnusePte,                                           \
    "!folio_matches_swap_entry: leave the pte; try_to_free_swap, unlock_page, put_page") \
  X(kZeromapWrite, kSwapZeromapFolioSet, "zero-filled: set si->zeromap, folio_unlock") \
  X(kZeromapRead, kSwapReadFolioZeromap, "zeromap set: zero-fill, uptodate, folio_unlock") \
  X(kCacheGetFolio, kSwapCacheGetFolio, "swap_table_get, folio_try_get")    \
  X(kCacheAddFolio, kSwapCacheAllocFolio, "ci->lock: swap_cache_add_folio, folio_add_lru") \
  X(kCacheAddRaced, kSwapCacheAllocFolio, "ci->lock: swap_cache_add_folio -EEXIST/-ENOENT") \
  X(kFolioAllocSwap, kFolioAllocSwap, "ci->lock: allocate slot, __swap_cache_add_folio") \
  X(kPteSameInstallPut, kDoSwapPage,                                        \
    "pte_same, install, folio_put_swap; folio_free_swap, folio_unlock")    \
  X(kPutEntriesReclaim, kSwapPutEntriesDirect, "__try_to_reclaim_swap") /* tombstone */ \
  X(kForkDupDirect, kCopyPteRange, "copy ptes, swap_dup_entry_direct")      \
  X(kUnusePtePut, kUnusePte, "pte_same_as_swp, install, folio_put_swap")    \
  X(kUnuseFolioFree, kTryToUnuse, "folio_free_swap, folio_unlock, folio_put") \
  X(kUnuseCacheTable, kTryToUnuse, "find_next_to_unuse, swap_cache_get_folio") \
  X(kUnuseScanTable, kTryToUnuse, "unuse_pte_range: swap pte, swap_cache_get_folio") \
  X(kZramWbInit, kZramWritebackStore, "down_write(dev_lock), init_pp_ctl, init_wb_ctl") \
  X(kZramWbScan, kZramScanSlotsForWriteback, "slot lock: place_pp_slot, set ZRAM_PP_SLOT") \
  X(kZramWbSubmit, kZramWritebackSlots,                                    \
    "slot lock: ZRAM_PP_SLOT, read_from_zspool; unlock; submit_bio")       \
  X(kZramWbSkip, kZramWritebackSlots, "slot lock: !ZRAM_PP_SLOT; release_pp_slot") \
  X(kZramWbTakeDone, kZramCompleteDoneReqs, "done_lock: list_del(req)")     \
  X(kZramWbCompleteWb, kZramWritebackComplete,                             \
    "slot lock: ZRAM_PP_SLOT: zs_free, handle = blk_idx, set ZRAM_WB")     \
  X(kZramWbCompleteRelease, kZramWritebackComplete,                        \
    "slot lock: !ZRAM_PP_SLOT: zram_release_bdev_block")                   \
  X(kZramWbReleasePp, kZramReleasePpSlot, "slot lock: clear ZRAM_PP_SLOT")  \
  X(kZramWbCtlKfree, kZramReleaseWbCtl, "kfree(wb_ctl); up_write(dev_lock)") \
  X(kZramWbCtlKfreeRcu, kZramReleaseWbCtl, "kfree_rcu(wb_ctl); up_write(dev_lock)") \
  X(kZramWbEndioAdd, kZramWritebackEndio, "done_lock: list_add(req, done_reqs)") \
  X(kZramWbEndioWake, kZramWritebackEndio, "wake_up(&wb_ctl->done_wait)") \
  X(kZramWbPpInit, kZramWritebackStore, "pp_in_progress = 1, init_pp_ctl") \
  X(kZramWbPpBusy, kZramWritebackStore, "pp_in_progress already set: -EAGAIN") \
  X(kZramWbPpRead, kZramWritebackSlots, "slot lock: ZRAM_PP_SLOT, zram_read_from_zspool") \
  X(kZramWbPpReadUnlock, kZramWritebackSlots, "decompress into the page, zram_slot_unlock") \
  X(kZramWbPpWrite, kZramWritebackSlots, "submit_bio_wait: write block")    \
  X(kZramWbPpCommit, kZramWritebackSlots,                                  \
    "slot lock: ZRAM_PP_SLOT: zram_free_page, ZRAM_WB, handle = blk_idx; release_pp_slot") \
  X(kZramWbPpAbort, kZramWritebackSlots, "slot lock: !ZRAM_PP_SLOT; release_pp_slot") \
  X(kZramWbPpDone, kZramWritebackStore,                                    \
    "free_block_bdev, __free_page; pp_in_progress = 0")                    \
  X(kClusterReclaimRange, kClusterReclaimRange,                            \
    "ci->lock: no free slot; drop it to reclaim a slot only the swap cache holds") \
  X(kReclaimGetFolio, kTryToReclaimSwap, "again: swap_cache_get_folio")     \
  X(kReclaimTrylock, kTryToReclaimSwap, "folio_trylock; matches: reclaim if only cached") \
  X(kReclaimRetry, kTryToReclaimSwap, "folio no longer the entry's: unlock, put, again") \
  X(kReclaimSkipped, kTryToReclaimSwap, "the caller's lockless read: not only cached, no call") \
  X(kVmaRaWin, kSwapVmaRaWin, "swap_readahead_info: window, atomic_long_set") \
  X(kVmaRaPte, kSwapVmaReadahead, "ptep_get_lockless")                      \
  X(kVmaRaPut, kSwapVmaReadahead, "folio_set_readahead, folio_put")        \
  X(kAcompCtxLock, kAcompCtxGetCpuLock,                                     \
    "raw_cpu_ptr(pool->acomp_ctx), mutex_lock(&acomp_ctx->mutex)")          \
  X(kAcompCtxRetry, kAcompCtxGetCpuLock,                                    \
    "acomp_ctx->req is NULL (its CPU went down): mutex_unlock, try again")  \
  X(kCpuDownTakedown, kCpuDown,                                             \
    "free_slot_cache; takedown_cpu: set_cpu_online(false), its tasks migrate to an online CPU") \
  X(kZswapCpuCompDeadSynced, kZswapCpuCompDead,                             \
    "mutex_lock; req, acomp, buffer = NULL; mutex_unlock; free them")        \
  X(kZswapCpuCompDeadUnsynced, kZswapCpuCompDead,                           \
    "free req, acomp, buffer without the mutex")                            \
  X(kZswapCpuCompPrepare, kZswapCpuCompPrepare,                             \
    "allocate buffer, acomp, req; mutex_lock; publish them; mutex_unlock")  \
  X(kCpuUpOnline, kCpuUp, "bringup_cpu: set_cpu_online(true)")              \
  X(kSchedSetaffinity, kSchedSetaffinity,                                   \
    "__set_cpus_allowed_ptr: the task moves to the CPU") \
  X(kPageoutIsolate, kMadviseColdOrPageoutPteRange,                        \
    "mmap_read_lock; [PTL] present, on the LRU, mapped once: folio_isolate_lru") \
  X(kPageoutSkip, kMadviseColdOrPageoutPteRange,                           \
    "mmap_read_lock; [PTL] no LRU folio mapped once: skip; mmap_read_unlock") \
  X(kWillneedSwapPte, kSwapinWalkPmdEntry,                                 \
    "mmap_read_lock; [PTL] ptep_get: swap entry; pte_unmap_unlock")        \
  X(kWillneedSkip, kSwapinWalkPmdEntry,                                    \
    "mmap_read_lock; [PTL] ptep_get: not a swap entry; mmap_read_unlock")  \
  X(kWillneedNoDevice, kSwapinWalkPmdEntry,                                \
    "read_swap_cache_async: get_swap_device failed; mmap_read_unlock")     \
  X(kWillneedPut, kSwapinWalkPmdEntry,                                     \
    "put_swap_device, folio_put; lru_add_drain, mmap_read_unlock")         \
  X(kMincorePte, kMincorePteRange,                                         \
    "mmap_read_lock; [PTL] pte_none 0, pte_present 1; mmap_read_unlock")   \
  X(kMincoreSwap, kMincorePteRange,                                        \
    "mmap_read_lock; [PTL] swap pte: swap cache lookup, folio_test_uptodate; mmap_read_unlock") \
  X(kMadviseLockVma, kDoMadvise, "madvise_lock: lock_vma_under_rcu (MADVISE_VMA_READ_LOCK)") \
  X(kMadviseMmapReadLock, kDoMadvise, "madvise_lock: mmap_read_lock")         \
  X(kMadvFreeSwapPte, kMadviseFreePteRange, "swap pte: free the entry, clear the pte") \
  X(kMadvFreeLazyfree, kMadviseFreePteRange,                                \
    "present: folio_clear_dirty, clear pte dirty/young, folio_mark_lazyfree") \
  X(kMadvFreeSkipFolio, kMadviseFreePteRange,                               \
    "present: folio_trylock, folio_mapcount or folio_free_swap failed: skip") \
  X(kMadvFreeNothing, kMadviseFreePteRange, "pte none or no normal folio: nothing to do") \
  X(kUnmapLazyfreeDiscard, kShrinkPageList,                                 \
    "try_to_unmap_one: MADV_FREE folio clean and unreferenced: discard the pte") \
  X(kUnmapLazyfreeRemap, kShrinkPageList,                                   \
    "try_to_unmap_one: MADV_FREE folio redirtied or referenced: set_pte_at, walk_abort") \
  X(kLazyfreeFreeze, kShrinkPageList, "lazyfree: folio_ref_freeze(folio, 1), free") \
  X(kAcompCtxSleep, kAcompCtxGetCpuLock,                                    \
    "raw_cpu_ptr(pool->acomp_ctx); mutex_lock sleeps: another task holds it") \
  X(kUffdIoctlUnknown, kUserfaultfdIoctl, "UFFDIO_MOVE: unknown cmd before v6.8: -EINVAL") \
  X(kUffdMoveLock, kMovePages,                                              \
    "uffd_move_lock: vma read lock; down_read(map_changing_lock), validate_move_areas") \
  X(kUffdMoveReadDst, kMovePagesPtes, "spin_lock(dst_ptl): orig_dst_pte = ptep_get(dst_pte)") \
  X(kUffdMoveReadSrc, kMovePagesPtes, "spin_lock(src_ptl): orig_src_pte = ptep_get(src_pte)") \
  X(kUffdMovePinFolio, kMovePagesPtes,                                      \
    "spin_lock(src_ptl): pte_same, vm_normal_folio, PageAnonExclusive, folio_trylock, folio_get") \
  X(kUffdMoveFolioLock, kMovePagesPtes, "folio_lock after a failed trylock; goto retry") \
  X(kUffdMoveSwapLookup, kMovePagesPtes,                                    \
    "pte_swp_exclusive, get_swap_device, swap_cache_get_folio, folio_trylock") \
  X(kUffdMovePresent, kMovePresentPtes,                                     \
    "double_pt_lock: is_pte_pages_stable, PageAnonExclusive; move pte, folio_move_anon_rmap, index") \
  X(kUffdMoveSwap, kMoveSwapPte,                                            \
    "double_pt_lock: is_pte_pages_stable; folio index or swap cache recheck; move swap pte") \
  X(kUffdMoveZeropage, kMoveZeropagePte,                                    \
    "double_pt_lock: is_pte_pages_stable; ptep_clear_flush(src), zero pte at dst")                  \
  X(kZramBdevOpen, kZramOpen, "open_mutex: !zram->claim, disk_openers++")  \
  X(kZramBdevOpenBusy, kZramOpen, "open_mutex: zram->claim: -EBUSY")        \
  X(kZramBdevEod, kZramSubmitBio, "submit_bio_noacct: bio_check_eod: beyond the capacity, -EIO") \
  X(kZramBdevReadLock, kZramBioRead,                                        \
    "zram_read_page: slot_lock, read meta; same or huge: copy, slot_unlock") \
  X(kZramBdevReadWb, kZramBioRead, "zram_read_page: slot_lock: ZRAM_WB: blk_idx, slot_unlock") \
  X(kZramBdevStreamGet, kZcompStreamGet, "raw_cpu_ptr(comp->stream), mutex_lock(&zstrm->lock)") \
  X(kZramBdevDecompress, kZramBioRead, "decompress, zcomp_stream_put, slot_unlock") \
  X(kZramBdevReadBdev, kZramBioRead, "read_from_bdev: read block")          \
  X(kZramBdevCompress, kZramBioWrite, "compress, zs_malloc, zs_obj_write, zcomp_stream_put") \
  X(kZramBdevWriteStore, kZramBioWrite, "slot_lock, slot_free, set handle, slot_unlock") \
  X(kZramBdevWriteSame, kZramBioWrite,                                      \
    "write_same_filled_page: slot_lock, slot_free, ZRAM_SAME, slot_unlock") \
  X(kZramBdevAccessed, kZramSubmitBio, "slot_lock, mark_slot_accessed, slot_unlock; bio_endio") \
  X(kZramBdevDiscard, kZramBioDiscard, "slot_lock, slot_free, slot_unlock; bio_endio") \
  X(kZramBdevRelease, kBdevRelease, "open_mutex: disk_openers--")           \
  X(kZramResetBusy, kZramResetStore, "open_mutex: disk_openers || zram->claim: -EBUSY") \
  X(kZramResetClaim, kZramResetStore, "open_mutex: zram->claim = true")     \
  X(kZramResetMetaFree, kZramResetDevice,                                   \
    "down_write(dev_lock), set_capacity 0, zram_meta_free, disksize = 0")   \
  X(kZramResetStreamFree, kZcompCpuDead, "mutex_lock(&zstrm->lock), zcomp_strm_free, mutex_unlock") \
  X(kZramResetDone, kZramResetDevice, "free_percpu, kfree(comp), reset_bdev, up_write(dev_lock)") \
  X(kZramResetUnclaim, kZramResetStore, "open_mutex: zram->claim = false")  \
  X(kZramDisksizeBusy, kZramDisksizeStore, "down_write(dev_lock): init_done: -EBUSY") \
  X(kZramDisksizeMetaAlloc, kZramDisksizeStore, "down_write(dev_lock), zram_meta_alloc") \
  X(kZramDisksizeComp, kZcompCreate, "alloc_percpu, zcomp_cpu_up_prepare of each CPU") \
  X(kZramDisksizeDone, kZramDisksizeStore,                                  \
    "disksize = ..., set_capacity_and_notify, up_write(dev_lock)")          \
  X(kZramIdleInval, kZramIdleStore, "down_read(dev_lock): !init_done: -EINVAL") \
  X(kZramWbInval, kZramWritebackStore, "!init_done: -EINVAL, or !backing_dev: -ENODEV") \
  X(kZramRecompInit, kZramRecompressStore,                                   \
    "down_write(dev_lock), alloc_page, init_pp_ctl")                        \
  X(kZramRecompInval, kZramRecompressStore,                                 \
    "down_write(dev_lock): !init_done, or prio >= num_active_comps: -EINVAL") \
  X(kZramRecompScan, kZramScanSlotsForRecompress, "slot_lock: place_pp_slot, set ZRAM_PP_SLOT") \
  X(kZramRecompSlot, kZramRecompressSlot, /* tombstone */                  \
    "slot_lock: ZRAM_PP_SLOT: smaller: slot_free, new handle; slot_unlock, release_pp_slot") \
  X(kZramRecompNotSmaller, kZramRecompressSlot, /* tombstone */             \
    "slot_lock: ZRAM_PP_SLOT: not smaller: ZRAM_INCOMPRESSIBLE; slot_unlock, release_pp_slot") \
  X(kZramRecompSkip, kZramRecompressStore, "slot_lock: !ZRAM_PP_SLOT; slot_unlock; release_pp_slot") \
  X(kZramRecompDone, kZramRecompressStore, "__free_page, release_pp_ctl; up_write(dev_lock)")       \
  X(kMemcgCharged, kTryChargeMemcg, "page_counter_try_charge, commit_charge") \
  X(kMemcgReclaim, kTryChargeMemcg,                                         \
    "over memory.max: try_to_free_mem_cgroup_pages: isolate the memcg's oldest folio") \
  X(kMemcgChargeFail, kTryChargeMemcg,                                     \
    "over memory.max, nothing reclaimed in MAX_RECLAIM_RETRIES rounds or nothing to reclaim: -ENOMEM") \
  X(kAnonChargeOom, kDoAnonymousPage, "mem_cgroup_charge failed: folio_put, VM_FAULT_OOM") \
  X(kWpChargeOom, kDoWpPage, "mem_cgroup_charge failed: folio_put, VM_FAULT_OOM")          \
  X(kSwapinFolioCharged, kSwapCacheAllocFolio,                              \
    "alloc_swap_folio: mem_cgroup_swapin_charge_folio, before swapin_folio adds it") \
  X(kSwapAllocFast, kFolioAllocSwap,                                        \
    "swap_alloc_fast: percpu si, get_swap_device_info, ci->lock: allocate, add folio") \
  X(kSwapAllocSlowPick, kFolioAllocSwap, "swap_alloc_slow: swap_avail_lock: first si, plist_requeue") \
  X(kSwapAllocSlowAlloc, kFolioAllocSwap,                                   \
    "swap_alloc_slow: get_swap_device_info, ci->lock: cluster_alloc_swap_entry, add folio; put") \
  X(kSwapAllocSlowNext, kFolioAllocSwap,                                    \
    "swap_alloc_slow: swap_avail_lock: next still listed: plist_requeue(next)") \
  X(kSwapAllocSlowRestart, kFolioAllocSwap,                                 \
    "swap_alloc_slow: swap_avail_lock: next left the list: start_over")    \
  X(kSwapAllocSlowEnd, kFolioAllocSwap, "swap_alloc_slow: swap_avail_lock: end of the list, no slot") \
  X(kSwapoffWaitForAllocation, kSwapoff, "wait_for_allocation: lock and unlock every ci->lock") \
  X(kSwapoffReinsert, kSwapoff,                                             \
    "reinsert_swap_info: swap_lock, si->lock: active list, add_to_avail_list, SWP_WRITEOK") \
  X(kSwapoffClearUsed, kSwapoff, "swap_lock: p->flags = 0")               \
  X(kSwaponAllocInfo, kSwapon, "alloc_swap_info: swap_lock: SWP_USED, users dead, off the avail list") \
  X(kSwaponSetup, kSwapon, "swap_map, cluster_info, zeromap, nr_rotate_swap, zswap_swapon, prio") \
  X(kSwaponEnable, kSwapon,                                                 \
    "percpu_ref_resurrect; swap_lock, si->lock: _enable_swap_info, add_to_avail_list") \
  X(kVmaRaNoDevice, kSwapVmaReadahead, "get_swap_device(entry of another type) failed: skip") \
  X(kZramRecompRead, kZramRecompressSlot,                                   \
    "slot_lock: ZRAM_PP_SLOT: read_from_zspool, clear ZRAM_IDLE")           \
  X(kZramRecompSmaller, kZramRecompressSlot,                                \
    "zcomp_stream_get, compress: smaller: zs_malloc, slot_free, new handle; put, slot_unlock, release_pp_slot") \
  X(kZramRecompNotSmallerKept, kZramRecompressSlot,                         \
    "zcomp_stream_get, compress: not smaller: ZRAM_INCOMPRESSIBLE; put, slot_unlock, release_pp_slot") \
  X(kAnonLargeInstall, kDoAnonymousPage,                                    \
    "alloc_anon_folio: a folio of order > 0, pte_range_none, set_ptes")     \
  X(kSplitFolio, kShrinkPageList, "split_folio_to_list")                    \
  X(kZswapStoreLargeRefused, kZswapStore, "large folio: return false")     \
  X(kZswapStoreCompressFail, kZswapStore,                                   \
    "zswap_compress: incompressible, memory.zswap.writeback 0: -EINVAL")    \
  X(kZswapStoreCheckOld, kZswapStore, "check_old: xa_erase each page's entry, zswap_entry_free") \
  X(kZswapShrinkNoWriteback, kShrinkWorker,                                 \
    "shrink_memcg: memory.zswap.writeback 0: -ENOENT for every memcg")     \
  X(kCanSwapinThp, kAllocSwapFolio,                                         \
    "pte_offset_map_lock: can_swapin_thp of each order, pte_unmap_unlock") \
  X(kAllocSwapFolioLarge, kAllocSwapFolio,                                  \
    "vma_alloc_folio(order), mem_cgroup_swapin_charge_folio")               \
  X(kZeromapReadMixed, kSwapReadFolioZeromap,                               \
    "large folio, zeromap partly set: WARN_ON_ONCE, folio_unlock, not uptodate") \
  X(kLargeSwapinNoBatch, kDoSwapPage,                                       \
    "large folio: swap_pte_batch() != nr: out_nomap")                      \
  X(kSkipPinZeromapChanged, kSwapcachePrepare,                              \
    "pinned range's zeromap no longer uniform: swapcache_clear, retry (proposed fix)") \
  X(kLargeSwapinNotMappableWhole, kDoSwapPage,                              \
    "!anon large folio, swap_pte_batch() != nr: swap_cache_del_folio, out_nomap") \
  X(kWriteActivate, kSwapWritepage,                                         \
    "zswap refused, memory.zswap.writeback 0: folio_mark_dirty, AOP_WRITEPAGE_ACTIVATE") \
  X(kPageoutLarge, kMadviseColdOrPageoutPteRange,                            \
    "[PTL] large folio, nr < folio_nr_pages: mapped shared or folio_trylock failed: continue; else folio_get, pte_unmap_unlock") \
  X(kPageoutSplit, kMadviseColdOrPageoutPteRange,                            \
    "split_folio, folio_unlock, folio_put; pte_offset_map_lock again (failed: continue)") \
  X(kMadvFreeLarge, kMadviseFreePteRange,                                    \
    "large folio, nr < folio_nr_pages: mapped shared or folio_trylock failed: continue; else folio_get, pte_unmap_unlock") \
  X(kMadvFreeSplit, kMadviseFreePteRange,                                    \
    "split_folio, folio_unlock, folio_put; pte_offset_map_lock again (failed: continue)") \
  X(kUffdMoveSplit, kMovePagesPtes,                                          \
    "large src_folio: split_folio; folio_unlock, folio_put, goto retry (failed: goto out)") \
  X(kUnusePteLargeNotAnon, kUnusePte,                                         \
    "large folio not anonymous yet: swap_cache_del_folio, look at the pte again (proposed fix)") \
  X(kZapPresentBatch, kZapPresentPtes,                                       \
    "folio_pte_batch: nr ptes of one folio; clear_full_ptes, folio_remove_rmap_ptes, __tlb_remove_folio_pages") \
  X(kZapSwapBatch, kZapNonpresentPtes,                                       \
    "swap_pte_batch: nr entries; free_swap_and_cache_nr / swap_put_entries_direct: put each [cluster lock]") \
  X(kZapEntriesRangeFree, kSwapEntriesFree,                                  \
    "zswap_invalidate, swap_entry_range_free [si->lock]")                     \
  X(kDeferredSplitPin, kDeferredSplitScan,                                   \
    "split_queue_lock: folio_try_get of each queued folio, off the queue")    \
  X(kDeferredSplitFolio, kDeferredSplitScan,                                 \
    "partially mapped: folio_trylock, split_folio, folio_unlock")            \
  X(kDeferredSplitPut, kDeferredSplitScan,                                   \
    "folios_put(&fbatch); nr_to_scan left and the queue not empty: retry")   \
  X(kDeferredSplitSplice, kDeferredSplitScan,                                \
    "split_queue_lock: list_splice_tail of the private list; folio_put(prev)") \
  X(kZapFoliosPut, kFreePagesAndSwapCache,                                   \
    "folios_put_refs: the references every gathered folio's ptes held")    \
  X(kShmemGetEntry, kShmemGetFolioGfp, "filemap_get_entry")                 \
  X(kShmemAllocAdd, kShmemAllocAndAddFolio,                                 \
    "new locked folio; xa_lock: shmem_add_to_page_cache; shmem_recalc_inode") \
  X(kShmemAllocRaced, kShmemAllocAndAddFolio,                               \
    "xa_lock: the index is no longer a hole: -EEXIST, folio_put")           \
  X(kShmemFolioLock, kShmemGetFolioGfp, "folio_lock; folio->mapping == mapping") \
  X(kShmemSwapinLookup, kShmemSwapinFolio,                                  \
    "get_swap_device, shmem_confirm_swap, swap_cache_get_folio")            \
  X(kShmemSwapinLock, kShmemSwapinFolio,                                    \
    "folio_lock; folio_matches_swap_entry, shmem_confirm_swap")             \
  X(kShmemSwapinAdd, kShmemAddToPageCache,                                  \
    "xa_lock: the index still holds the swap entry: store the folio")       \
  X(kShmemSwapinPutSwap, kShmemSwapinFolio, "shmem_recalc_inode; folio_put_swap") \
  X(kShmemSwapinDelCache, kShmemSwapinFolio,                                \
    "swap_cache_del_folio, folio_mark_dirty, put_swap_device")              \
  X(kShmemReadCopy, kShmemFileReadIter,                                     \
    "copy_folio_to_iter, folio_put (a hole: iov_iter_zero; an error: none)") \
  X(kShmemWriteLock, kShmemFileWriteIter, "inode_lock")                     \
  X(kShmemWriteCopy, kShmemFileWriteIter,                                   \
    "copy_from_iter; shmem_write_end: uptodate, dirty, folio_unlock, folio_put") \
  X(kShmemWriteUnlock, kShmemFileWriteIter, "inode_unlock")                 \
  X(kShmemWriteoutDupSwap, kShmemWriteout,                                  \
    "shmem_recalc_inode, shmem_swaplist add; folio_dup_swap")               \
  X(kShmemWriteoutDelete, kShmemDeleteFromPageCache,                        \
    "xa_lock: replace the folio with its swap entry; folio_put_refs")       \
  X(kShmemWriteoutReAdd, kShmemAddToPageCache,                              \
    "AOP_WRITEPAGE_ACTIVATE: xa_lock: put the folio back at its index")     \
  X(kShmemWriteoutPutSwap, kShmemWriteout, "shmem_recalc_inode; folio_put_swap") \
  X(kShmemWriteoutDelCache, kShmemWriteout, "swap_cache_del_folio; folio_mark_dirty") \
  X(kShmemFallocLock, kShmemFallocate, "inode_lock")                        \
  X(kShmemFallocUnlock, kShmemFallocate, "inode_unlock")                    \
  X(kShmemUndoFindLock, kShmemUndoRange, "find_lock_entries: next entry, folio_trylock") \
  X(kShmemUndoFindGet, kShmemUndoRange, "find_get_entries: next entry")     \
  X(kShmemUndoFolioLock, kShmemUndoRange,                                   \
    "folio_lock; folio_mapping == mapping, else folio_unlock and retry at its index") \
  X(kShmemUndoTruncate, kTruncateInodeFolio,                                \
    "xa_lock: filemap_remove_folio; folio_unlock, folio_put")               \
  X(kShmemFreeSwapStore, kShmemFreeSwap,                                    \
    "xa_lock: the index still holds the swap entry: store NULL")            \
  X(kShmemFreeSwapPut, kSwapPutEntriesDirect, "swap_put_entries_cluster")  \
  X(kShmemReadUnlock, kShmemFileReadIter, "folio_unlock")                   \
  X(kShmemSwapinFailed, kShmemSwapinFolio,                                  \
    "failed: shmem_confirm_swap, put_swap_device")                          \
  X(kShmemSplitLargeEntry, kShmemSplitLargeEntry,                           \
    "xa_lock: xas_try_split() of the large swap entry into order-0 entries") \
  X(kShmemFreeSwapOrder, kShmemFreeSwap,                                    \
    "RCU: xa_get_order() before the cmpxchg (shmem_free_swap_stale_order)") \
  X(kShmemUndoConfirm, kShmemUndoRange,                                     \
    "shmem_confirm_swap: retry at the entry, or skip one across the hole's border") \
  X(kShmemPartialTruncate, kTruncateInodePartialFolio,                      \
    "a folio inside the hole is truncated, else its part in the hole zeroed and folio_split() at it") \
  X(kShmemUnuseStart, kShmemUnuse,                                          \
    "shmem_swaplist_lock: an inode with swapped pages, stop_eviction")      \
  X(kShmemUnuseFind, kShmemUnuse,                                           \
    "shmem_find_swap_entries: the next swap entry of the type")             \
  X(kShmemUnuseEnd, kShmemUnuse,                                            \
    "shmem_swaplist_lock: off the list if nothing is swapped")               \
  X(kFolioAllocSwapHasCache, kFolioAllocSwap,                                \
    "ci->lock: allocate slots with SWAP_HAS_CACHE; mem_cgroup_try_charge_swap") \
  X(kFolioAllocSwapCacheAdd, kFolioAllocSwap, "swap_cache_add_folio: ci->lock: insert the folio") \
  X(kShmemWriteoutShmemAlloc, kShmemWriteout,                                \
    "shmem_recalc_inode, shmem_swaplist add; swap_shmem_alloc")             \
  X(kShmemWriteoutSwapFreeNr, kShmemWriteout, "shmem_recalc_inode; swap_free_nr") \
  X(kShmemSwapAllocPin, kShmemSwapAllocFolio,                                \
    "new folio; ci->lock: swapcache_prepare of its range, else -EEXIST")    \
  X(kShmemSwapinClearCache, kShmemSwapinFolio,                               \
    "shmem_recalc_inode; swapcache_clear (skipped) or swap_cache_del_folio; folio_mark_dirty") \
  X(kShmemSwapinSwapFreeNr, kShmemSwapinFolio, "swap_free_nr, put_swap_device") \
  X(kShmemFreeSwapAndCache, kFreeSwapAndCache, "free_swap_and_cache_nr")     \
  X(kShmemFaultFallocWait, kShmemFault,                                      \
    "shmem_falloc_wait: i_lock; the index is being punched: prepare_to_wait, mmap_read_unlock") \
  X(kShmemFaultFallocWoken, kShmemFault, "shmem_falloc_wait: i_lock; finish_wait; VM_FAULT_RETRY") \
  X(kFinishFaultMap, kFinishFault,                                           \
    "pte_offset_map_lock: the PTEs still none: set_pte_range, else VM_FAULT_NOPAGE or fallback") \
  X(kDoReadFaultUnlock, kDoReadFault, "folio_unlock; folio_put unless mapped") \
  X(kDoSharedFaultDirty, kDoSharedFault,                                     \
    "fault_dirty_shared_page: folio_mark_dirty, folio_unlock")              \
  X(kShmemFallocStart, kShmemFallocate, "i_lock: inode->i_private = &shmem_falloc") \
  X(kShmemUnmapMappingRange, kUnmapMappingRange,                             \
    "i_mmap_lock_read; each mm's PTL: zap the hole's file PTEs")            \
  X(kShmemFallocEnd, kShmemFallocate,                                        \
    "i_lock: inode->i_private = NULL; wake_up_all(&shmem_falloc_waitq)")   \
  X(kUnmapFile, kTryToUnmapOne, "PTL: clear the file folio's PTEs in one mm, folio_remove_rmap_ptes") \
  X(kFilemapMapPages, kFilemapMapPages,                                      \
    "do_fault_around: RCU, PTL: map each uptodate folio it can trylock, none PTEs only") \
  X(kShmemWritepageAllocSwap, kShmemWritepage,                               \
    "folio_alloc_swap: get_swap_page, SWAP_HAS_CACHE; mem_cgroup_try_charge_swap") \
  X(kShmemWritepageCacheAdd, kAddToSwapCache, "xa_lock: insert the locked folio at its slot") \
  X(kShmemSplitLargeEntryCheck, kShmemSplitLargeEntry,                       \
    "xa_lock: the index still holds the entry (order 0: nothing to split), else -EEXIST") \
  X(kShmemWritepageSwaplist, kShmemWritepage,                                \
    "mutex_lock(&shmem_swaplist_mutex); list_add if off the list")          \
  X(kShmemWritepageShmemAlloc, kShmemWritepage, "shmem_recalc_inode; swap_shmem_alloc") \
  X(kShmemWritepageDelete, kShmemDeleteFromPageCache,                        \
    "xa_lock: replace the folio with its swap entry; mutex_unlock(&shmem_swaplist_mutex)") \
  X(kShmemUnuseStartMutex, kShmemUnuse,                                      \
    "shmem_swaplist_mutex: an inode with swapped pages, stop_eviction; mutex_unlock") \
  X(kShmemUnuseEndMutex, kShmemUnuse,                                        \
    "shmem_swaplist_mutex: off the list if nothing is swapped; mutex_unlock") \
  X(kShmemGetPastEof, kShmemGetFolioGfp,                                     \
    "i_size_read: the index is at or past EOF (SGP_READ, SGP_CACHE): -EINVAL") \
  X(kShmemAllocPastEof, kShmemAllocAndAddFolio,                              \
    "new folio added; truncated since the check: filemap_remove_folio, folio_unlock, folio_put") \
  X(kShmemReadPastEof, kShmemFileReadIter, "i_size_read: ki_pos >= i_size: nothing to read") \
  X(kShmemReadPastEofPut, kShmemFileReadIter,                                \
    "i_size_read again: truncated past ki_pos: folio_put, nothing copied")  \
  X(kShmemSetattrLock, kShmemSetattr, "do_truncate: inode_lock")             \
  X(kShmemSetattrSize, kShmemSetattr, "i_size_write")                        \
  X(kShmemSetattrUnlock, kShmemSetattr, "do_truncate: inode_unlock")       \
  X(kDoSharedFaultNoPage, kDoSharedFault,                                    \
    "finish_fault mapped nothing (VM_FAULT_NOPAGE): folio_unlock, folio_put") \
  X(kZapFilePte, kDoMadvise,                                                 \
    "zap_pte_range of a file PTE under the PTL, folio_remove_rmap_ptes; tlb: folio_put; unlock")

enum class StepId : uint16_t {
#define SWAPFUZZ_STEP_ENUM(e, fn, label) e,
  SWAPFUZZ_STEPS(SWAPFUZZ_STEP_ENUM)
#undef SWAPFUZZ_STEP_ENUM
      kCount
};

// X(enumerator, name, takes a va, argument limit (0: no argument), the function
//   it starts, that function's locals (model/frame_locals.h) made from the op,
//   `op`)
// model/executor.cc's StartOp() expands the last two columns; a locals type
// that is not the function's does not compile.
#define SWAPFUZZ_OPS(X)                                                                            \
  X(kRead, "read", true, 0, kUserAccess, UserAccessLocals{.write = false})                         \
  X(kWrite, "write", true, 0, kUserAccess, UserAccessLocals{.write = true})                        \
  X(kReclaim, "reclaim", true, 0, kShrinkPageList, ShrinkPageListLocals{})                         \
  X(kMunmap, "munmap", true, 0, kZapPteRange, ZapPteRangeLocals{})                                 \
  X(kFork, "fork", false, kMaxMms, kCopyPteRange, CopyPteRangeLocals{.dst_mm = op.arg})            \
  X(kDrainSlots, "drain_slots", false, 0, kDrainSlotsCache, NoLocals{})                            \
  X(kZswapShrink, "zswap_shrink", false, 0, kShrinkWorker, ShrinkWorkerLocals{})                   \
  X(kZswapEnable, "zswap_enable", false, 2, kZswapParamSet,                                        \
    (ZswapParamSetLocals{.param = ZswapParam::kEnabled, .value = op.arg}))                         \
  X(kZswapMaxPool, "zswap_max_pool", false, 101, kZswapParamSet,                                   \
    (ZswapParamSetLocals{.param = ZswapParam::kMaxPoolPercent, .value = op.arg}))                  \
  X(kSwapoff, "swapoff", false, 0, kSwapoff, SwapoffLocals{})                                      \
  X(kSwapon, "swapon", false, 0, kSwapon, SwaponLocals{})                                          \
  X(kZramIdle, "zram_idle", false, 0, kZramIdleStore, IdleStoreLocals{})                                  \
  X(kZramWriteback, "zram_writeback", false, 2, kZramWritebackStore,                               \
    WritebackStoreLocals{.mode = op.arg ? ZramWritebackMode::kHuge : ZramWritebackMode::kIdle})    \
  X(kUffdWp, "uffd_wp", true, 0, kChangePteRange, NoLocals{})                                     \
  X(kWriteZero, "write_zero", true, 0, kUserAccess, (UserAccessLocals{.write = true, .zero = true})) \
  X(kCpuOffline, "cpu_offline", false, kMaxCpus, kCpuDown, CpuHotplugLocals{.cpu = op.arg})        \
  X(kCpuOnline, "cpu_online", false, kMaxCpus, kCpuUp, CpuHotplugLocals{.cpu = op.arg})            \
  X(kMigrate, "migrate", false, kMaxCpus * kMaxCpus, kSchedSetaffinity,                            \
    (SchedSetaffinityLocals{.task = static_cast<uint8_t>(op.arg / kMaxCpus),                     \
                            .cpu = static_cast<uint8_t>(op.arg % kMaxCpus)})) \
  X(kMadvisePageout, "madvise_pageout", true, 0, kMadvisePageout, NoLocals{})                      \
  X(kMadviseWillneed, "madvise_willneed", true, 0, kMadviseWillneed, MadviseWillneedLocals{})      \
  X(kMincore, "mincore", true, 0, kDoMincore, NoLocals{}) \
  X(kMadviseDontneed, "madvise_dontneed", true, 0, kDoMadvise,                                     \
    (DoMadviseLocals{.behavior = MadviseBehavior::kDontneed}))                                     \
  X(kMadviseFree, "madvise_free", true, 0, kDoMadvise,                                             \
    (DoMadviseLocals{.behavior = MadviseBehavior::kFree}))                                         \
  X(kUffdMove, "uffd_move", true, kMaxVas, kMovePages, MovePagesLocals{.dst = op.arg})              \
  X(kZramBdevRead, "zram_bdev_read", false, kZramBdevPages, kZramSubmitBio,                        \
    (ZramSubmitBioLocals{.op = ZramBioOp::kRead, .index = op.arg}))                               \
  X(kZramBdevWrite, "zram_bdev_write", false, 2 * kZramBdevPages, kZramSubmitBio,                  \
    (ZramSubmitBioLocals{.op = ZramBioOp::kWrite,                                                 \
                         .index = static_cast<uint8_t>(op.arg % kZramBdevPages),                  \
                         .zero = op.arg >= kZramBdevPages}))                                      \
  X(kZramBdevDiscard, "zram_bdev_discard", false, kZramBdevPages, kZramSubmitBio,                  \
    (ZramSubmitBioLocals{.op = ZramBioOp::kDiscard, .index = op.arg}))                            \
  X(kZramReset, "zram_reset", false, 2, kZramResetStore, ZramResetStoreLocals{.dev = op.arg})      \
  X(kZramDisksize, "zram_disksize", false, 2, kZramDisksizeStore,                                  \
    (DisksizeStoreLocals{.pages = static_cast<int16_t>(op.arg ? kZramBdevPages / 2 : kZramBdevPages)})) \
  X(kZramBdevIdle, "zram_bdev_idle", false, 0, kZramIdleStore, IdleStoreLocals{.dev = 1})          \
  X(kZramBdevWriteback, "zram_bdev_writeback", false, 2, kZramWritebackStore,                      \
    (WritebackStoreLocals{.mode = op.arg ? ZramWritebackMode::kHuge : ZramWritebackMode::kIdle,   \
                          .dev = 1}))                                                      \
  X(kZramBdevRecompress, "zram_bdev_recompress", false, 2, kZramRecompressStore,                  \
    (RecompressStoreLocals{.mode = op.arg ? ZramRecompressMode::kHuge : ZramRecompressMode::kIdle})) \
  X(kSwapoffDev, "swapoff_dev", false, kMaxSwapDevices, kSwapoff, SwapoffLocals{.type = op.arg})   \
  X(kSwaponDev, "swapon_dev", false, kMaxSwapDevices, kSwapon, SwaponLocals{.type = op.arg})      \
  X(kMadviseDontneedRange, "madvise_dontneed_range", true, kMaxVas, kDoMadvise,                    \
    (DoMadviseLocals{.behavior = MadviseBehavior::kDontneed, .last_va = op.arg}))                  \
  X(kDeferredSplitScan, "deferred_split_scan", false, 0, kDeferredSplitScan,                      \
    DeferredSplitScanLocals{})                                                                     \
  X(kShmemRead, "shmem_read", true, 0, kShmemFileReadIter, ShmemFileReadIterLocals{})              \
  X(kShmemWrite, "shmem_write", true, 0, kShmemFileWriteIter, NoLocals{})                          \
  X(kShmemReclaim, "shmem_reclaim", true, 0, kShrinkPageList, ShrinkPageListLocals{.shmem = true}) \
  X(kShmemPunch, "shmem_punch", true, kMaxShmemPages, kShmemFallocate,                             \
    ShmemFallocateLocals{.last = op.arg})                                                          \
  X(kShmemMapRead, "shmem_map_read", true, 0, kUserAccess,                                         \
    (UserAccessLocals{.write = false, .shmem = true}))                                             \
  X(kShmemMapWrite, "shmem_map_write", true, 0, kUserAccess,                                       \
    (UserAccessLocals{.write = true, .shmem = true}))                                              \
  X(kShmemTruncate, "shmem_truncate", false, kMaxShmemPages + 1, kShmemSetattr,                     \
    ShmemSetattrLocals{.size = op.arg})                                                            \
  X(kShmemMapDontneed, "shmem_map_dontneed", true, 0, kDoMadvise,                                   \
    (DoMadviseLocals{.behavior = MadviseBehavior::kDontneed, .shmem = true}))

enum class OpKind : uint8_t {
#define SWAPFUZZ_OP_ENUM(e, name, va, arg, start, locals) e,
  SWAPFUZZ_OPS(SWAPFUZZ_OP_ENUM)
#undef SWAPFUZZ_OP_ENUM
      kCount
};

// The ops refused with large folios: enabling zswap, because the release's
// zswap_load() refuses a large folio that a swap-in chose while
// zswap_never_enabled() held ("WARN_ON_ONCE(folio_test_large(folio))": SIGBUS
// by design, 6.12.94 zswap.c:1592-1604), and the model does not report that;
// and the second device's swapoff and swapon, as two devices are refused. A
// schedule with RunConfig::mthp_order > 0 may not hold them (Validate()).
inline constexpr OpKind kOpsWithoutLargeFolios[] = {OpKind::kSwapoffDev, OpKind::kSwaponDev,
                                                    OpKind::kZswapEnable};

// The ops on the shmem file (model/mm/shmem.h). Their address operand (Op::va)
// is a page index of the file, not an address; shmem_punch's argument is the
// last index of the hole, shmem_truncate's the file's new size in pages.
// They run only under a release whose shmem is modelled (Features::shmem_swap; CheckOpsModelled(),
// model/schedule.h).
// shmem_map_read and shmem_map_write load and store through the file's
// MAP_SHARED mapping (Mm::shmem_pte) at the address of the page index, and
// shmem_map_dontneed zaps that address's PTE (madvise(MADV_DONTNEED)).
inline constexpr OpKind kShmemOpKinds[] = {OpKind::kShmemRead,    OpKind::kShmemWrite,
                                           OpKind::kShmemReclaim, OpKind::kShmemPunch,
                                           OpKind::kShmemMapRead, OpKind::kShmemMapWrite,
                                           OpKind::kShmemTruncate, OpKind::kShmemMapDontneed};
bool IsShmemOp(OpKind op);
// Whether the op goes through the file's shared mapping (Kernel::shmem_mapped).
bool IsShmemMapOp(OpKind op);

std::string_view FnName(Fn fn);
// Whether frames of the function run a step machine (its machine column is not
// kInStep). Only such functions are ever on a CPU's call stack.
bool FnHasMachine(Fn fn);
// Whether the function's steps touch state shared by all offsets and pages
// (class kShared): the DFS treats them as dependent on every other step.
bool FnTouchesSharedState(Fn fn);
Fn StepFn(StepId step);
std::string_view StepLabel(StepId step);
// "function: label", as the trace and schedule files spell a step.
std::string_view StepName(StepId step);
std::optional<StepId> StepByName(std::string_view name);
std::string_view OpName(OpKind op);
std::optional<OpKind> OpByName(std::string_view name);
// The function whose frame the op starts (its machine runs the op).
Fn OpFn(OpKind op);
// Whether the op names an address (Op::va), and the exclusive upper bound of
// its argument (Op::arg; fork: the child mm), 0 when it takes none.
bool OpTakesVa(OpKind op);
int OpArgLimit(OpKind op);
// Whether the op stores Op::value (0: a fresh token): write and shmem_write.
bool OpTakesValue(OpKind op);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_STEPS_H_
