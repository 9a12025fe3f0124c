#include "model/sources.h"

#include <array>

namespace swapfuzz {
namespace {

// The texts read, named once.
constexpr std::string_view kDoSwapPageV516 =
    "do_swap_page() of v5.16-rc5 (mm/memory.c lines 3471-3701), quoted whole in the kernel test "
    "robot report <202112171515.XWCl9bpF-lkp@intel.com>";
constexpr std::string_view kAnonExclusive =
    "PG_anon_exclusive (6c287605fd56, v5.19) and the exclusive swap PTE bit (1493a1913e34, "
    "v6.0), from a stored v5.18-era do_swap_page and the two commits";
constexpr std::string_view kSwapfile =
    "torvalds/linux mm/swapfile.c @0ec8bc9e880e (~v6.12) for swap_map, __swap_duplicate, "
    "swap_range_free and swapoff, whose steps keep v5.16's order";
constexpr std::string_view kSwapSlots =
    "torvalds/linux mm/swap_slots.c @c25141062a82 (~v4.15), unchanged in shape to v6.13";
constexpr std::string_view kSwapState =
    "torvalds/linux mm/swap_state.c @0c929238ca4b and the stored v5.16-5.18 copy";
constexpr std::string_view kPageIo =
    "swap_readpage() and swap_slot_free_notify() of v5.16/5.17 from e914d8f00391's removal diff "
    "(mm-commits <20220326034321.2589FC340E8@smtp.kernel.org>); swap_writepage() in the shape "
    "of v3.5 .. v5.x";
constexpr std::string_view kVmscan =
    "shrink_page_list() in v5.16's shape; no single text recorded (kernel-swap-path.md 3.5)";
constexpr std::string_view kZswapZpool =
    "a stored v5.12-era mm/zswap.c (frontswap hooks, zswap_writeback_entry(pool, handle), the "
    "async shrink worker), with the recheck of 04fc7816089c (v6.4) behind its knob";
constexpr std::string_view kZswapV69 =
    "torvalds/linux mm/zswap.c @003ae2fb0b36 (~v6.7-rc: zswap_store/load, zswap_reclaim_entry) "
    "with v6.9's 5878303c5353, 25cd241408a2 and c2e2ba770200 applied: the refcounted rbtree of "
    "v6.9-rc1";
constexpr std::string_view kZram =
    "torvalds/linux drivers/block/zram/zram_drv.c @70c5f9366924 (~v4.15) in v5.16's shape, with "
    "CONFIG_ZRAM_WRITEBACK";

// The trees of the swap-table releases, each checked against its Makefile.
constexpr std::string_view kTree612 =
    "RBCSFQ/linux-6.12.y @f98186d5cccb (Makefile 6.12.94; its swap files equal cccsaber/"
    "linux-6.12.y 6.12.76's)";
constexpr std::string_view kTree618 =
    "leftymods/linux-6.18.y @40a9e9f43d44 (Makefile 6.18.35; one squashed import, not "
    "cross-checked)";
constexpr std::string_view kZram71 =
    "danayer/linux-7.1.5 @9d1745cf8134 drivers/block/zram/zram_drv.c (blob e11ee1ed3832, as "
    "7.1.3's), writeback_store() to zram_writeback_endio() and the slot-flag helpers; "
    "bf62f69574b1's message and diff from its 7.0-stable review mail "
    "<20260607095733.312280161@linuxfoundation.org>";
// mm/madvise.c and mm/mincore.c were read in the LTS and 7.1.5 trees above
// (the blobs named), and before v6.12 from quoted text only.
constexpr std::string_view kMincoreOld =
    "not read for this release: the step of 6.12.94 (mincore_page(swap_address_space(entry), ...) "
    "under the PTL)";
constexpr std::string_view kNoLargeFolios =
    "the release has no anonymous large folios (RunConfig::mthp_order > 0 is refused)";
constexpr std::string_view kShmemNotModelled =
    "not modelled for this release: shmem ops are refused (Features::shmem_swap)";
constexpr std::string_view kShmem612 =
    "RBCSFQ/linux-6.12.y @f98186d5cccb mm/shmem.c (shmem_writepage() 1505, "
    "shmem_swapin_folio() 2149, shmem_split_large_entry() 2065, shmem_swapin_cluster() 1673, "
    "shmem_free_swap() 887, shmem_unuse() 1462, shmem_allowable_huge_orders() 1725; "
    "shmem_get_folio_gfp(), shmem_undo_range(), shmem_fault() and shmem_fallocate() diffed "
    "against 6.18.35's: equal), mm/swap_slots.c folio_alloc_swap() 305, mm/swapfile.c "
    "(swap_shmem_alloc() 3727, __swap_duplicate() 3650, free_swap_and_cache_nr() 1891, "
    "__swap_entries_free() 1525, __swap_entry_free_locked() 1395, swap_free_nr() 1630), "
    "mm/swap_state.c delete_from_swap_cache() 237, swap_cluster_readahead() 656, mm/memory.c "
    "finish_fault() 5071; shmem_setattr() 1239 and shmem_get_partial_folio() 999 diffed "
    "against 7.1.5's: equal but for SHMEM_F_MAPPING_FROZEN, shmem_file_read_iter() 3167: "
    "its end_index tests are 7.1.5's for whole pages";
constexpr std::string_view kShmem618 =
    "leftymods/linux-6.18.y @40a9e9f43d44 mm/shmem.c (shmem_swapin_folio() 2279, "
    "shmem_swap_alloc_folio() 2008, shmem_swapin_cluster() 1745, shmem_writeout() 1570, "
    "shmem_free_swap() 946, shmem_undo_range() 1090, shmem_add_to_page_cache() 863, "
    "shmem_split_large_entry() 2201, shmem_unuse() 1519, shmem_unuse_inode() 1488, "
    "shmem_get_folio_gfp() 2463; every other function diffed against 7.1.5's, shmem_fault(), "
    "shmem_falloc_wait(), shmem_setattr() 1298 and shmem_get_partial_folio() 1058 among them: "
    "equal but for names), mm/huge_memory.c __folio_split() 3600, mm/truncate.c "
    "truncate_inode_partial_folio() 217, mm/swapfile.c (folio_alloc_swap() 1428, swap_shmem_alloc() 3818, "
    "__swap_duplicate() 3737, swap_entry_put_locked() 1516, swap_entries_put_map() 1640, "
    "free_swap_and_cache_nr() 1958, swap_free_nr() 1751, swapcache_prepare() 3847, "
    "swapcache_clear() 3856), mm/swap.h non_swapcache_batch() 304";
constexpr std::string_view kShmem71 =
    "danayer/linux-7.1.5 @9d1745cf8134 mm/shmem.c (shmem_get_folio_gfp() 2462, "
    "shmem_swapin_folio() 2288, shmem_swap_alloc_folio() 2041, shmem_writeout() 1591, "
    "shmem_delete_from_page_cache() 943, shmem_free_swap() 964, shmem_undo_range() 1108, "
    "shmem_recalc_inode() 437, shmem_add_to_page_cache() 881, shmem_split_large_entry() "
    "2210, shmem_alloc_and_add_folio() 1937, shmem_allowable_huge_orders() 1834, "
    "shmem_unuse() 1540, shmem_unuse_inode() 1509, shmem_find_swap_entries() 1439, "
    "shmem_fault() 2744, shmem_falloc_wait() 2703, shmem_fallocate() 3673, shmem_setattr() "
    "1316, shmem_get_partial_folio() 1076, shmem_file_read_iter() 3341, shmem_write_end() "
    "3317), mm/filemap.c find_get_entries() 2116, find_lock_entries() 2165, "
    "filemap_map_pages() 3872, mm/huge_memory.c __folio_split() 4051, folio_split() 4344, "
    "mm/truncate.c truncate_inode_folio() 170, try_folio_split_or_unmap() 180, "
    "truncate_inode_partial_folio() 217, mm/swapfile.c "
    "swap_put_entries_direct() 2056, swap_put_entries_cluster() 1544, folio_dup_swap() "
    "1760, folio_put_swap() 1786";
constexpr std::string_view kTree71 =
    "danayer/linux-7.1.5 @9d1745cf8134 (Makefile 7.1.5), equal to rikudousennin22/linux-7.1.3 "
    "@037c6bf47ba7 but for one cond_resched() in mm/swapfile.c";

constexpr std::string_view kHotplugFix =
    "12dcb0ef5406's patch mail (mm-commits, 2025-01-13: the message and the whole diff) and "
    "mm/zswap.c of 5.15.215 (unifreq/linux-5.15.y @5c88653f6c) and 6.1.166 (unifreq/linux-6.1.y "
    "@525d1212a6), neither of which has the fix";
constexpr std::string_view kHotplugCore =
    "kernel/cpu.c and kernel/sched/core.c not read line by line: _cpu_down()'s takedown_cpu() "
    "moves the dying CPU's tasks (migrate_tasks()) before the PREPARE-stage teardown callbacks "
    "run on the control CPU, as include/linux/cpuhotplug.h orders the states";

// mm/userfaultfd.c (move_pages() and what it calls) and fs/userfaultfd.c
// (userfaultfd_ioctl()), read in the trees above.
constexpr std::string_view kUffdBefore68 =
    "fs/userfaultfd.c userfaultfd_ioctl() of 5.15.215 (unifreq/linux-5.15.y @5c88653f6cce) and "
    "6.1.166 (unifreq/linux-6.1.y @525d1212a677): \"int ret = -EINVAL;\", no UFFDIO_MOVE case";
constexpr std::string_view kUffd612 =
    "RBCSFQ/linux-6.12.y @f98186d5cccb (Makefile 6.12.94) mm/userfaultfd.c: move_pages(), "
    "uffd_move_lock(), move_pages_pte(), move_present_pte(), move_swap_pte(), "
    "move_zeropage_pte(), double_pt_lock(); vivo50kff/linux-6.8 mm/userfaultfd.c for v6.8's "
    "mmap_read_lock() and its swap PTE move without the swap cache folio";
constexpr std::string_view kUffd618 =
    "leftymods/linux-6.18.y @40a9e9f43d44 (Makefile 6.18.35) mm/userfaultfd.c: move_pages(), "
    "uffd_move_lock(), move_pages_ptes(), move_present_ptes(), "
    "check_ptes_for_batched_move(), move_swap_pte(), move_zeropage_pte()";
constexpr std::string_view kUffd71 =
    "danayer/linux-7.1.5 @9d1745cf8134 (Makefile 7.1.5) mm/userfaultfd.c (blob 80cc8be5725f) "
    "lines 1152-2110, and mm/rmap.c folio_move_anon_rmap(), __folio_add_anon_rmap(), "
    "__page_check_anon_rmap()";

// mm/madvise.c with the MADV_FREE parts of mm/swap.c (folio_mark_lazyfree()),
// mm/rmap.c (try_to_unmap_one()'s MADV_FREE page check) and mm/vmscan.c (the
// lazyfree freeze), read in the same trees.
constexpr std::string_view kMadvise515 =
    "unifreq/linux-5.15.y @5c88653f6cce (Makefile 5.15.215): madvise_need_mmap_write(), "
    "madvise_free_pte_range(), mark_page_lazyfree(), try_to_unmap_one(), shrink_page_list()";
constexpr std::string_view kMadvise61 =
    "unifreq/linux-6.1.y @525d1212a677 (Makefile 6.1.166): as 5.15.215, folio-converted";
constexpr std::string_view kMadvise612 =
    "RBCSFQ/linux-6.12.y @f98186d5cccb (Makefile 6.12.94): madvise_need_mmap_write(), "
    "madvise_dontneed_single_vma(), madvise_free_pte_range(), folio_mark_lazyfree(), "
    "try_to_unmap_one(), shrink_folio_list()";
constexpr std::string_view kMadvise618 =
    "leftymods/linux-6.18.y @40a9e9f43d44 (Makefile 6.18.35): get_lock_mode(), madvise_lock(), "
    "try_vma_read_lock(), madvise_dontneed_single_vma(), madvise_free_pte_range(), "
    "folio_mark_lazyfree(), try_to_unmap_one(), shrink_folio_list()";
constexpr std::string_view kMadvise71 =
    "danayer/linux-7.1.5 @9d1745cf8134 (Makefile 7.1.5): mm/madvise.c lines 652-866 and "
    "1629-1810, mm/swap.c folio_mark_lazyfree() and lru_lazyfree(), mm/rmap.c "
    "try_to_unmap_one() lines 2168-2270, mm/vmscan.c shrink_folio_list() lines 1256-1505";

// mm/memcontrol.c and mm/swap_cgroup.c: the cgroup v2 charge points.
constexpr std::string_view kMemcg71 =
    "danayer/linux-7.1.5 @9d1745cf8134 (Makefile 7.1.5): mm/memcontrol.c "
    "mem_cgroup_swapin_charge_folio() (lines 5082-5112), __mem_cgroup_try_charge_swap() and "
    "__mem_cgroup_uncharge_swap() (5475-5545), charge_memcg() and try_charge_memcg(); "
    "mm/swapfile.c folio_alloc_swap() (1734) and swap_range_free() (1890); mm/swap_state.c "
    "__swap_cache_prepare_and_add() (465-510); mm/memory.c __alloc_swap_folio() and "
    "alloc_anon_folio()";
constexpr std::string_view kMemcgCallers =
    "the call sites only: mm/swap_slots.c get_swap_page() (mem_cgroup_try_charge_swap()), "
    "mm/swapfile.c swap_range_free() / swap_entry_range_free() (mem_cgroup_uncharge_swap()), "
    "mm/swap_state.c __read_swap_cache_async() and mm/memory.c do_swap_page() "
    "(mem_cgroup_swapin_charge_folio()) of 5.15.215, 6.1.166, 6.12.94 and 6.18.35 (local "
    "copies); their mm/memcontrol.c was not read: the cgroup v2 rules are taken as 7.1.5's";

constexpr std::array<SourceRow, 96> kSources = {{
    {"model/mm/memory.cc", "mm/memory.c", "v5.16", "v5.16", kDoSwapPageV516},
    {"model/mm/memory.cc", "mm/memory.c", "v6.3", "v5.16 with v6.0's exclusive anon pages",
     kAnonExclusive},
    {"model/mm/memory.cc", "mm/memory.c", "v6.9",
     "v5.16 with v6.0's exclusive anon pages and v6.8's skip-path pin (13ddaf26be32)",
     "the v6.3 texts and 13ddaf26be32's diff"},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v5.16", "v5.16", kSwapfile},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v6.3",
     "v5.16's steps; unuse_pte() of a !uptodate page maps it as v5.16 does where v5.19+ installs "
     "a poisoned entry (both lose the data at the same step, where the oracle reports it)",
     kSwapfile},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v6.9",
     "v5.16's steps, no folio_matches_swap_entry() check in unuse_pte() (as v6.9); a !uptodate "
     "page is mapped where v6.9 installs a poisoned entry (the oracle reports it at that step)",
     kSwapfile},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v5.16", "v4.15 .. v6.13", kSwapSlots},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v6.3", "v4.15 .. v6.13", kSwapSlots},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v6.9", "v4.15 .. v6.13", kSwapSlots},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v5.16", "v5.16", kSwapState},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v6.3", "v5.16", kSwapState},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v6.9",
     "v5.16, with v6.8's skip_if_exists for zswap writeback", kSwapState},
    {"model/mm/page_io.cc", "mm/page_io.c", "v5.16", "v5.16", kPageIo},
    {"model/mm/page_io.cc", "mm/page_io.c", "v6.3", "v5.16 (e914d8f00391 applied)", kPageIo},
    {"model/mm/page_io.cc", "mm/page_io.c", "v6.9", "v5.16 (e914d8f00391 applied)", kPageIo},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v5.16", "v5.16", kVmscan},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v6.3", "v5.16 with v6.0's exclusive anon pages", kVmscan},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v6.9", "v5.16 with v6.0's exclusive anon pages", kVmscan},
    {"model/mm/zswap.cc", "mm/zswap.c", "v5.16", "v5.12 .. v6.4 (zpool LRU)", kZswapZpool},
    {"model/mm/zswap.cc", "mm/zswap.c", "v6.3", "v5.12 .. v6.4 (zpool LRU)", kZswapZpool},
    {"model/mm/zswap.cc", "mm/zswap.c", "v6.9", "v6.9-rc1 (zswap LRU, pin-first writeback)",
     kZswapV69},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v5.16", "v5.16",
     kZram},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v6.3",
     "v5.16 (not compared step by step with 6.3)", kZram},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v6.9",
     "v5.16 (not compared step by step with 6.9)", kZram},
    // 6.12.y, 6.18.y and 7.1.y: the order-0 anonymous paths were read step by
    // step in these trees and compared with the model's (the notes of the
    // swap-table work); what the model leaves out is said per file.
    {"model/mm/memory.cc", "mm/memory.c", "v6.12.y",
     "6.12.94: v6.9's steps; the skip path's loser waits on swapcache_wq for a tick (a yield); "
     "swap_free_nr() and folio_free_swap() precede set_ptes() in one PTL section; "
     "swapin_readahead(entry, GFP_HIGHUSER_MOVABLE, vmf) when the skip test fails; "
     "zap_pte_range() in batches (zap_present_ptes() with folio_pte_batch(), swap_pte_batch() "
     "and free_swap_and_cache_nr(): __swap_entries_free() frees a last-map batch under "
     "si->lock after the cluster lock; the reclaim loop steps by folio)",
     kTree612},
    {"model/mm/memory.cc", "mm/memory.c", "v6.18.y",
     "6.18.35: as 6.12.94, with folio_matches_swap_entry() after the folio lock; zap's "
     "__try_to_reclaim_swap() looks the folio up, then trylocks it, and retries the lookup when "
     "it no longer matches; the zap's batches as 6.12.94, swap_entries_put_map() freeing a "
     "last-map batch in the cluster-lock section; the shmem file's shared mapping as 7.1.5 "
     "(do_fault() 5837, finish_fault() 5490, filemap_map_pages(): equal to 7.1.5's)",
     kTree618},
    {"model/mm/memory.cc", "mm/memory.c", "v7.1.y",
     "7.1.5: no skip path; swapin_folio() through the swap cache on SWP_SYNCHRONOUS_IO, "
     "folio_put_swap() before set_ptes() and folio_free_swap() after it; "
     "swap_put_entries_direct() in zap, with __try_to_reclaim_swap()'s lookup, trylock and "
     "retry as in 6.18.35, over every slot of a batch (swap_put_entries_cluster()); "
     "swap_dup_entry_direct() in fork; the shmem file's shared mapping: do_fault() 6013 "
     "(do_read_fault() 5889 with do_fault_around() 5843 and mm/filemap.c filemap_map_pages() "
     "3872, do_shared_fault() 5963 with fault_dirty_shared_page() 3706), finish_fault() 5666, "
     "unmap_mapping_range()",
     kTree71},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v6.12.y",
     "6.12.94: v5.16's steps; unuse_pte() without the folio check; swap_range_free() clears the "
     "zeromap bit",
     kTree612},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v6.18.y",
     "6.18.35: a slot is freed in the cluster lock section that drops its last usage (no slots "
     "cache); unuse_pte() checks folio_matches_swap_entry()",
     kTree618},
    {"model/mm/swapfile.cc", "mm/swapfile.c", "v7.1.y",
     "7.1.5: counts in the swap table word, no SWAP_HAS_CACHE: folio_dup_swap() and "
     "folio_put_swap() under the folio lock, swap_put_entries_cluster(), "
     "__swap_cluster_free_entries(); try_to_unuse() with folio_put_swap() and folio_free_swap(); "
     "a full device's allocator reclaims a cache-only slot (cluster_reclaim_range(), "
     "__try_to_reclaim_swap(TTRS_ANYWAY)) once per allocation; with several devices, "
     "swap_avail_head and DEF_SWAP_PRIO, folio_alloc_swap()'s swap_alloc_fast() and "
     "swap_alloc_slow() (1349-1413, 1696-1741), add/del_from_avail_list() and "
     "swap_usage_add/sub() (1172-1279), swapoff() with wait_for_allocation() and "
     "reinsert_swap_info() (2834-3037), swapon()'s alloc_swap_info() and enable_swap_info() "
     "(3174-3230, 2807-2832, 3433-3678)",
     kTree71},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v6.12.y",
     "6.12.94 has mm/swap_slots.c, but check_cache_active() turns the caches on only above "
     "ncpus * 320 free slots, which the model's device never has: the profile runs without them",
     kTree612},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v6.18.y",
     "none: removed by 0ff67f990bd4 (v6.15); allocation and free go straight to mm/swapfile.c",
     kTree618},
    {"model/mm/swap_slots.cc", "mm/swap_slots.c", "v7.1.y", "none (removed in v6.15)", kTree71},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v6.12.y",
     "6.12.94: __read_swap_cache_async()'s swapcache_prepare() and insert as v6.9; "
     "swapin_readahead() takes swap_vma_readahead() on zram, swap_cluster_readahead() on the "
     "(rotational) disk; swap_vma_ra_win(), __swapin_nr_pages() and the hit counting at the end "
     "of swap_cache_get_folio(entry, vma, addr) (lines 338-390, 577-615, 745-883)",
     kTree612},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v6.18.y",
     "6.18.35: the swap cache is the cluster's swap table (RCU lookup, cluster lock for insert "
     "and delete); swapcache_prepare() then swap_cache_add_folio() as two sections; VMA "
     "readahead as 6.12.94 (swap_update_readahead(), lines 360-402, 542-600, 675-829; a "
     "neighbour of another swap type is pinned, which the model's one device never has)",
     kTree618},
    {"model/mm/swap_state.cc", "mm/swap_state.c", "v7.1.y",
     "7.1.5: swap_cache_alloc_folio() and swapin_folio() over __swap_cache_prepare_and_add(); "
     "swap_cache_del_folio() frees count-0 slots in its section; VMA readahead as 6.18.35 "
     "over swap_cache_alloc_folio() (lines 407-449, 619-905), with get_swap_device() of an "
     "entry of another type (841-853)",
     kTree71},
    {"model/mm/page_io.cc", "mm/page_io.c", "v6.12.y",
     "6.12.94: the zeromap before zswap in swap_writepage() and swap_read_folio()", kTree612},
    {"model/mm/page_io.cc", "mm/page_io.c", "v6.18.y", "6.18.35: as 6.12.94", kTree618},
    {"model/mm/page_io.cc", "mm/page_io.c", "v7.1.y",
     "7.1.5: swap_writeout() and swap_read_folio(), zeromap first", kTree71},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v6.12.y",
     "6.12.94: v6.9's steps (add_to_swap(), try_to_unmap(), pageout(), __remove_mapping())",
     kTree612},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v6.18.y",
     "6.18.35: as 6.12.94; try_to_unmap_one() of the shmem file's shared PTEs as 7.1.5",
     kTree618},
    {"model/mm/vmscan.cc", "mm/vmscan.c", "v7.1.y",
     "7.1.5: folio_alloc_swap() allocates and inserts in one section; try_to_unmap_one()'s "
     "folio_dup_swap(); __remove_mapping()'s __swap_cache_del_folio(); try_to_unmap_one() of "
     "the shmem file's shared PTEs (mm/rmap.c 1984): cleared to none",
     kTree71},
    {"model/mm/zswap.cc", "mm/zswap.c", "v6.12.y",
     "6.12.94 has the xarray and no entry refcount, and writeback erases with xa_cmpxchg() at the "
     "stale check; the model keeps v6.9-rc1's steps (same order), without the LRU's referenced "
     "bit",
     kTree612},
    {"model/mm/zswap.cc", "mm/zswap.c", "v6.18.y",
     "6.18.35: as 6.12.94, the stale check an xa_load() and the erase after decompression, as "
     "the model orders them; no -EIO decompression failure",
     kTree618},
    {"model/mm/zswap.cc", "mm/zswap.c", "v7.1.y",
     "7.1.5: writeback allocates with swap_cache_alloc_folio(); otherwise as 6.18.35", kTree71},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v6.12.y",
     "v5.16's steps (6.12.94's per-slot spinlock is taken where the model takes its lock; "
     "writeback_store() not compared step by step)",
     kTree612},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v6.18.y",
     "6.18.35: reads and writes in v5.16's steps (the slot lock sleeps now: a waiter blocks, as "
     "the model's does, and zram_slot_free_notify() still only trylocks); writeback_store() "
     "with pp_in_progress, scan_slots_for_writeback() setting ZRAM_PP_SLOT, and "
     "zram_writeback_slots() reading under the slot lock, submit_bio_wait() and committing "
     "under it if ZRAM_PP_SLOT is still set, then freeing a block still reserved; mark_idle() "
     "skips ZRAM_WB and ZRAM_SAME slots",
     kTree618},
    {"model/drivers/block/zram/zram_drv.cc", "drivers/block/zram/zram_drv.c", "v7.1.y",
     "7.1.5's batched writeback (f405066a1f0d's shape, with bf62f69574b1's RCU, which the "
     "zram_wb_endio_uaf knob takes out): writeback_store() under dev_lock for write; "
     "scan_slots_for_writeback() sets ZRAM_PP_SLOT; zram_writeback_slots() submits an async "
     "bio per slot; zram_writeback_endio() in the completion interrupt (done_lock list_add, "
     "then wake_up); zram_complete_done_reqs(), zram_writeback_complete() and release_pp_slot() "
     "as slot-lock sections; release_wb_ctl()'s kfree_rcu(); mark_idle() under dev_lock for "
     "read; mark_slot_accessed() and slot_free() clear ZRAM_PP_SLOT; a block reserved for a "
     "last slot that was then skipped is never released (the knob "
     "zram_wb_leaks_reserved_block, the code as released; fixed in v7.2-rc1 by 3e8d8eb8d7f5). Reads and writes otherwise keep v5.16's steps. Not modelled: wb_limit, bio errors, compressed_wb, writeback by page index or of "
     "incompressible slots, the wait for an idle request (wb_batch_size 32 exceeds the model's "
     "slots), compressed sizes (every slot but ZRAM_HUGE ones shares one pp bucket), the "
     "asynchronous read from the backing device. zram1, a device used as a block device: "
     "zram_submit_bio(), zram_bio_read()/zram_bio_write()/zram_bio_discard(), "
     "zram_read_page(), zram_write_page(), write_same_filled_page(), read_compressed_page(), "
     "mark_slot_accessed(); zcomp_stream_get()/put() (zcomp.c, blob 974c4691887e: the "
     "per-CPU stream's mutex); reset_store() (open_mutex, disk_openers, claim), "
     "zram_reset_device(), zram_meta_free(), zram_destroy_comps() -> zcomp_destroy() -> "
     "zcomp_cpu_dead(); disksize_store(), zram_meta_alloc(), zcomp_create(); zram_open(); "
     "block/blk-core.c bio_check_eod(); recompress_store(), scan_slots_for_recompress(), "
     "recompress_slot() (priority 1, no threshold or max_pages). Not modelled: "
     "backing_dev_store(), partial I/O, the streams' CPU hotplug callbacks",
     kZram71},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v5.16",
     "v5.16 .. v6.12 before 12dcb0ef5406: zswap_cpu_comp_dead() frees the context without its mutex, and compression locks the raw_cpu_ptr() context with no recheck (knob zswap_acomp_unsynced_cpu_dead, set)",
     kHotplugFix},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v6.3",
     "as v5.16 (6.1.166 has no fix)",
     kHotplugFix},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v6.9",
     "as v5.16 (the fix came in v6.13)",
     kHotplugFix},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v6.12.y",
     "6.12.94 zswap.c 875-931: zswap_cpu_comp_dead() under the mutex, req set to NULL, the freeing after the unlock (one step in the model); acomp_ctx_get_cpu_lock() retries on req NULL; zswap_cpu_comp_prepare() allocates, then publishes under the mutex",
     kTree612},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v6.18.y",
     "6.18.35 zswap.c 796-852: as 6.12.94",
     kTree618},
    {"model/kernel/cpu.cc", "kernel/cpu.c", "v7.1.y",
     "7.1.5 zswap.c: no teardown callback (the contexts live as long as the pool); zswap_compress() and zswap_decompress() lock the raw_cpu_ptr() context with no recheck",
     kTree71},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v5.16",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v6.3",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v6.9",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v6.12.y",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v6.18.y",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    {"model/kernel/sched/core.cc", "kernel/sched/core.c", "v7.1.y",
     "sched_setaffinity() to one online CPU moves the task between its steps",
     kHotplugCore},
    // mincore() of one address of the anonymous VMA.
    {"model/mm/mincore.cc", "mm/mincore.c", "v5.16", "6.12.94's step", kMincoreOld},
    {"model/mm/mincore.cc", "mm/mincore.c", "v6.3", "6.12.94's step", kMincoreOld},
    {"model/mm/mincore.cc", "mm/mincore.c", "v6.9", "6.12.94's step", kMincoreOld},
    {"model/mm/mincore.cc", "mm/mincore.c", "v6.12.y",
     "6.12.94: mincore_pte_range() under the PTL; a swap PTE asks mincore_page("
     "swap_address_space(entry), swap_cache_index(entry)) -> filemap_get_incore_folio() -> "
     "filemap_get_entry(), no get_swap_device() (only shmem's value entries take it)",
     kTree612},
    {"model/mm/mincore.cc", "mm/mincore.c", "v6.18.y",
     "6.18.35: mincore_swap(entry, false): swap_cache_get_folio() under the PTL, without "
     "get_swap_device() (taken for shmem only), folio_test_uptodate(), folio_put()",
     kTree618},
    {"model/mm/mincore.cc", "mm/mincore.c", "v7.1.y",
     "7.1.5 (blob c8757c5085bf): as 6.18.35 (softleaf_is_swap())", kTree71},
    // MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT and MADV_WILLNEED of one address.
    {"model/mm/madvise.cc", "mm/madvise.c", "v5.16",
     "MADV_DONTNEED and MADV_FREE: 5.15.215's (Linux 5.16 not read): mmap_read_lock(); "
     "madvise_free_pte_range() frees a swap PTE's entry with free_swap_and_cache() and makes "
     "a clean order-0 folio lazyfree; the MADV_FREE page check with 6c8e2a256915's reference "
     "count, which Linux 5.16 itself lacks (it discards a referenced clean folio). "
     "MADV_PAGEOUT and MADV_WILLNEED: 6.12.94's steps, not read for this release; a stored v5.1-v5.18 "
     "swapin_walk_pmd_entry() has the same shape",
     kMadvise515},
    {"model/mm/madvise.cc", "mm/madvise.c", "v6.3",
     "MADV_DONTNEED and MADV_FREE: 6.1.166's: as 5.15.215 (the MADV_FREE page check keeps a "
     "referenced folio and makes it swap-backed). MADV_PAGEOUT and MADV_WILLNEED: 6.12.94's "
     "steps, not read for this release; a stored v5.1-v5.18 "
     "swapin_walk_pmd_entry() has the same shape",
     kMadvise61},
    {"model/mm/madvise.cc", "mm/madvise.c", "v6.9",
     "MADV_DONTNEED and MADV_FREE: 6.1.166's and 6.12.94's shape (mmap_read_lock(), "
     "free_swap_and_cache_nr()). MADV_PAGEOUT and MADV_WILLNEED: 6.12.94's steps, not read for this release; a stored v5.1-v5.18 "
     "swapin_walk_pmd_entry() has the same shape",
     kMadvise612},
    {"model/mm/madvise.cc", "mm/madvise.c", "v6.12.y",
     "MADV_DONTNEED and MADV_FREE: 6.12.94: mmap_read_lock(); madvise_dontneed_single_vma() "
     "-> zap_page_range_single(); madvise_free_pte_range() with free_swap_and_cache_nr(); a "
     "kept referenced lazyfree folio is made swap-backed. MADV_PAGEOUT and MADV_WILLNEED: "
     "6.12.94 (mm/madvise.c blob of the tree): madvise_need_mmap_write() 0 for MADV_WILLNEED "
     "and MADV_PAGEOUT; swapin_walk_pmd_entry() drops the PTL before read_swap_cache_async() "
     "(whose __read_swap_cache_async() takes get_swap_device()); "
     "madvise_cold_or_pageout_pte_range() skips !pte_present(), isolates an order-0 folio on "
     "the LRU with folio_mapcount() 1, then reclaim_pages() under mmap_read_lock",
     kMadvise612},
    {"model/mm/madvise.cc", "mm/madvise.c", "v6.18.y",
     "MADV_DONTNEED and MADV_FREE: 6.18.35: the per-VMA read lock (MADVISE_VMA_READ_LOCK); "
     "zap_page_range_single_batched(); free_swap_and_cache_nr(); the MADV_FREE page check "
     "sets swapbacked only for a redirtied folio. MADV_PAGEOUT and MADV_WILLNEED: 6.18.35: "
     "get_lock_mode() MADVISE_MMAP_READ_LOCK for both advices; otherwise as 6.12.94, with "
     "read_swap_cache_async() taking get_swap_device() itself",
     kMadvise618},
    {"model/mm/madvise.cc", "mm/madvise.c", "v7.1.y",
     "MADV_DONTNEED and MADV_FREE: 7.1.5: the per-VMA read lock; zap_vma_range_batched(); "
     "swap_put_entries_direct() for a swap PTE; folio_mark_lazyfree() through the "
     "lru_lazyfree batch, drained at once in the model; the MADV_FREE page check as 6.18.35. "
     "MADV_PAGEOUT and MADV_WILLNEED: 7.1.5 (blob 5665785e5ac3): as 6.18.35, "
     "softleaf_from_pte() for the swap test, and read_swap_cache_async() over "
     "swap_cache_alloc_folio(); reclaim_pages() -> reclaim_folio_list() -> "
     "shrink_folio_list(ignore_references) as mm/vmscan.c",
     kMadvise71},
    // The split of an anonymous large folio (mTHP, from v6.10; refused before).
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v5.16",
     "no anonymous mTHP (v6.10 added it): nothing to split or queue", kNoLargeFolios},
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v6.3",
     "no anonymous mTHP (v6.10 added it): nothing to split or queue", kNoLargeFolios},
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v6.9",
     "no anonymous mTHP (v6.10 added it): nothing to split or queue", kNoLargeFolios},
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v6.12.y",
     "6.12.94: split_huge_page_to_list_to_order() to order 0: -EBUSY under writeback, "
     "can_split_folio() with the swap cache's pins, __split_huge_page() storing each page in "
     "the swap cache, remap_page(RMP_USE_SHARED_ZEROPAGE) (migrate.c "
     "try_to_map_unused_to_zeropage()), free_page_and_swap_cache() of the tails; "
     "deferred_split_scan() pinning the queue onto a private list, then trylock and split folio "
     "by folio, a kept folio's put deferred to the next (prev), the list spliced back",
     kTree612},
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v6.18.y",
     "6.18.35: __folio_split() (uniform, order 0) as 6.12.94, with "
     "__swap_cache_replace_folio() under the cluster lock for the swap cache; "
     "deferred_split_scan() as 6.12.94",
     kTree618},
    {"model/mm/huge_memory.cc", "mm/huge_memory.c", "v7.1.y",
     "7.1.5: __folio_split() -> __folio_freeze_and_split_unmapped() as 6.18.35 "
     "(folio_expected_ref_count() for the pre-check); deferred_split_scan() with a "
     "folio_batch, requeueing a partially mapped folio it did not split, folios_put() at the "
     "end and a retry while nr_to_scan is left",
     kTree71},
    // ioctl(UFFDIO_MOVE) of one page within the task's mm.
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v5.16",
     "no UFFDIO_MOVE (v6.8 added it): userfaultfd_ioctl() returns -EINVAL for the command",
     kUffdBefore68},
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v6.3",
     "no UFFDIO_MOVE (v6.8 added it): userfaultfd_ioctl() returns -EINVAL for the command",
     kUffdBefore68},
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v6.9",
     "6.12.94's steps (not read for this release): move_pages_pte() returns 0 or an error; "
     "v6.8 and v6.9 take mmap_read_lock() where uffd_lock_vma() came in v6.10 (one step, the "
     "same exclusion in the model), and move a swap PTE without looking up its swap cache "
     "folio (the lookup and the SWAP_HAS_CACHE recheck came in v6.15 with backports to 6.12.y; "
     "the model keeps them here)",
     kUffd612},
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v6.12.y",
     "6.12.94: per-VMA read lock; move_pages_pte() one page, returning 0 or an error into err; "
     "src_anon_vma write-locked before move_present_pte() (left out: the folio lock excludes "
     "the model's rmap walk); swap PTE: filemap_get_folio() of the entry, its index moved, else "
     "the SWAP_HAS_CACHE recheck under the PTL",
     kUffd612},
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v6.18.y",
     "6.18.35: as 6.12.94, with move_pages_ptes() returning bytes moved and move_pages() "
     "keeping an -EAGAIN in err; swap_cache_get_folio() for the lookup",
     kUffd618},
    {"model/mm/userfaultfd.cc", "mm/userfaultfd.c", "v7.1.y",
     "7.1.5: as 6.18.35 without the src_anon_vma lock; swap_cache_has_folio() for the recheck",
     kUffd71},
    // cgroup v2 charging (RunConfig::memcg): the same rules at the same call
    // sites since 0add0c77a9bd (v5.13) moved the swap-in charge before the
    // swap cache insertion.
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v5.16",
     "7.1.5's rules at v5.16's call sites (get_swap_page(), __read_swap_cache_async() after "
     "swapcache_prepare(), the skip path's page)",
     kMemcgCallers},
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v6.3", "as v5.16", kMemcgCallers},
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v6.9", "as v5.16", kMemcgCallers},
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v6.12.y",
     "7.1.5's rules; alloc_swap_folio() charges the skip path's folio, "
     "__read_swap_cache_async() charges after swapcache_prepare()",
     kMemcgCallers},
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v6.18.y", "as v6.12.y", kMemcgCallers},
    // The shmem file (issue 16): 6.12.94, 6.18.35 and 7.1.5.
    {"model/mm/shmem.cc", "mm/shmem.c", "v5.16", "not modelled", kShmemNotModelled},
    {"model/mm/shmem.cc", "mm/shmem.c", "v6.3", "not modelled", kShmemNotModelled},
    {"model/mm/shmem.cc", "mm/shmem.c", "v6.9", "not modelled", kShmemNotModelled},
    {"model/mm/shmem.cc", "mm/shmem.c", "v6.12.y",
     "6.12.94, order-0 folios only (its tmpfs has no mTHP): shmem_writepage() with "
     "folio_alloc_swap() (no swap cache), then under shmem_swaplist_mutex add_to_swap_cache(), "
     "swap_shmem_alloc() (SWAP_MAP_SHMEM) and shmem_delete_from_page_cache(); every swap-in "
     "through the swap cache after shmem_split_large_entry()'s look under xa_lock, "
     "shmem_swapin_cluster()'s swap_cluster_readahead() of the page_cluster window, "
     "delete_from_swap_cache() before swap_free_nr(); "
     "shmem_free_swap() with free_swap_and_cache_nr(); shmem_unuse() under the mutex; the "
     "other paths and the shared mapping as 6.18.35",
     kShmem612},
    {"model/mm/shmem.cc", "mm/shmem.c", "v6.18.y",
     "6.18.35: 7.1.5's paths (below) with the release's swap calls: shmem_writeout() "
     "counts its slots SWAP_MAP_SHMEM with swap_shmem_alloc() after folio_alloc_swap()'s "
     "two cluster-lock sections, and its undo puts them with swap_free_nr(); "
     "shmem_swapin_folio() skips the swap cache on SWP_SYNCHRONOUS_IO "
     "(shmem_swap_alloc_folio(): swapcache_prepare() of the range, a smaller folio after a "
     "conflict, then swap_read_folio()), and after the add clears the pin "
     "(swapcache_clear(), or swap_cache_del_folio()) before swap_free_nr(); "
     "shmem_free_swap() with free_swap_and_cache_nr()",
     kShmem618},
    {"model/mm/shmem.cc", "mm/shmem.c", "v7.1.y",
     "7.1.5, order-0 and large folios and entries: shmem_file_read_iter() and "
     "shmem_file_write_iter() of one page over shmem_get_folio_gfp() (filemap_get_entry(), "
     "folio_lock() and the mapping recheck, shmem_alloc_and_add_folio() of the mount's "
     "largest order, the -EEXIST repeat); shmem_swapin_folio() with swapin_folio() on "
     "SWP_SYNCHRONOUS_IO, else shmem_swapin_cluster()'s swap_cluster_readahead(), "
     "shmem_split_large_entry(); shmem_writeout() from pageout() with "
     "folio_dup_swap() and its AOP_WRITEPAGE_ACTIVATE undo (no split of a large folio it "
     "finds no large slot range for); FALLOC_FL_PUNCH_HOLE's and ftruncate()'s "
     "(shmem_setattr()) shmem_undo_range(), both loops and the partial-folio lookups, with "
     "truncate_inode_partial_folio()'s folio_split(); i_size checked by reads, faults and "
     "fault-around; swapoff's shmem_unuse()",
     kShmem71},
    {"model/mm/memcontrol.cc", "mm/memcontrol.c", "v7.1.y",
     "7.1.5: __swap_cache_prepare_and_add() charges before swap_cache_add_folio() (the slot "
     "is not pinned yet); alloc_swap_folio() before swapin_folio(); swap charged per slot "
     "from folio_alloc_swap() to swap_range_free()",
     kMemcg71},
}};

}  // namespace

std::span<const SourceRow> AllSources() { return kSources; }

}  // namespace swapfuzz
