// The model fuzz targets: the one table of them.
//
// Each row is a family of kernels to fuzz: the profile it runs, the swap
// device, whether zswap sits in front of it, and the op table its decoder
// draws programs from (fuzz/decoder.h). Everything else reads this table:
// CMake parses the rows at configure time and builds a libFuzzer binary and a
// standalone replayer for each (harness/CMakeLists.txt); `swapfuzz
// list-targets` prints it, and the scripts in tools/ and the OSS-Fuzz build
// ask the binary rather than restating it. Adding a row adds a target
// everywhere; corpus/<name>/ and corpus/<name>.options hold its seeds and
// libFuzzer options.
//
// A row's profile may be "mainline", the newest modelled release: the
// decoder stores the release it stands for (NewestProfile()) in every
// schedule it makes, so a saved reproducer names the release it ran.
//
// Keep each row's name on a line that starts "  X(name," (CMake reads it).
#ifndef SWAPFUZZ_FUZZ_TARGETS_H_
#define SWAPFUZZ_FUZZ_TARGETS_H_

// X(name, profile, backend, zswap, ram_pages, memcg, backend1, prio0, mthp_order,
//   shmem_huge_order, op table, description)
// memcg: the cgroup v2 memory controller is on (RunConfig::memcg).
// backend1: "" for one swap device; else a second one, type 1, of this backend
// and kSecondDeviceSlots offsets (RunConfig::swap_devices, nslots1, backend1).
// prio0: type 0's swapon priority (RunConfig::prio0; 0: none given).
// mthp_order: the largest anonymous mTHP order (RunConfig::mthp_order).
// shmem_huge_order: the largest order of the shmem file's large folios, its
// mount huge=always (RunConfig::shmem_huge_order).
#define SWAPFUZZ_FUZZ_TARGETS(X)                                                            \
  X(zram, "v5.16", "zram", false, 50, false, "", 0, 0, 0, kZramOps,                                              \
    "zram swap (SWP_SYNCHRONOUS_IO) as Linux 5.16 had it")                                  \
  X(zswap, "v6.3", "disk", true, 20, false, "", 0, 0, 0, kZswapOps, "zswap in front of a disk as Linux 6.3 had it") \
  X(lts612_zram_zswap, "v6.12.y", "zram", true, 20, false, "", 0, 0, 0, kZramZswapOps,                          \
    "zswap over zram with swapoff, uffd-wp and zram writeback, as the 6.12 LTS branch has it") \
  X(lts618_zram_zswap, "v6.18.y", "zram", true, 20, false, "", 0, 0, 0, kZramZswapOps,                          \
    "zswap over zram with swapoff, uffd-wp and zram writeback, as the 6.18 LTS branch has it") \
  X(lts612_zeromap, "v6.12.y", "disk", true, 20, false, "", 0, 0, 0, kZeromapOps,                               \
    "zswap over a disk with writes of zeros, as the 6.12 LTS branch has it")                \
  X(lts618_zeromap, "v6.18.y", "disk", true, 20, false, "", 0, 0, 0, kZeromapOps,                               \
    "zswap over a disk with writes of zeros, as the 6.18 LTS branch has it")                \
  X(mainline, "mainline", "zram", false, 50, false, "", 0, 0, 0, kZramOps,                                       \
    "zram swap as the newest modelled release (mainline) has it")                \
  X(mainline_zswap, "mainline", "disk", true, 20, false, "", 0, 0, 0, kZswapOps,                                \
    "zswap over a disk as the newest modelled release (mainline) has it")                             \
  X(mainline_zram_zswap, "mainline", "zram", true, 20, false, "", 0, 0, 0, kZramZswapOps,                       \
    "zswap over zram with swapoff, uffd-wp and zram writeback, as the newest modelled release (mainline) has it") \
  X(mainline_zeromap, "mainline", "disk", true, 20, false, "", 0, 0, 0, kZeromapOps,                            \
    "zswap over a disk with writes of zeros: the zeromap against zswap's copies and writeback, as the newest modelled release (mainline) has it") \
  X(mainline_madvise, "mainline", "disk", false, 50, false, "", 0, 0, 0, kMadviseOps,                            \
    "madvise (DONTNEED, FREE, PAGEOUT, WILLNEED) and mincore beside faults, reclaim, fork and swapoff in one mm, as the newest modelled release (mainline) has them") \
  X(lts618_zswap_hotplug, "v6.18.y", "disk", true, 20, false, "", 0, 0, 0, kZswapHotplugOps,                    \
    "zswap over a disk while CPUs go down and up and tasks migrate: the per-CPU compression contexts, as the 6.18 LTS branch has them") \
  X(mainline_uffd, "mainline", "disk", false, 50, false, "", 0, 0, 0, kUffdOps,                          \
    "ioctl(UFFDIO_MOVE) within one mm beside faults, reclaim, fork, munmap and swapoff, as the newest modelled release (mainline) has it") \
  X(mainline_zram_bdev, "mainline", "zram", false, 50, false, "", 0, 0, 0, kZramBdevOps,                   \
    "a zram device used as a plain block device (direct reads, writes, discards) against its writeback, idle marking, reset and disksize, beside swap on zram, as the newest modelled release (mainline) has it") \
  X(mainline_memcg, "mainline", "disk", false, 50, true, "", 0, 0, 0, kMemcgOps,                         \
    "cgroup v2 memory charging of folios and swap slots, mms in two memcgs under a memory.max that makes faults reclaim, as the newest modelled release (mainline) has it") \
  X(mainline_multidev, "mainline", "zram", false, 50, false, "disk", 100, 0, 0, kMultiDevOps,             \
    "zram at priority 100 over a disk: the allocator's walk of the avail list as zram fills and empties, swapoff and swapon of either device while the other serves faults, as the newest modelled release (mainline) has them") \
  X(mainline_zram_file, "mainline", "zram", false, 50, false, "file", 0, 0, 0, kMultiDevOps,              \
    "zram and a swap file on an SSD at the default priority, allocated round robin, with VMA readahead across the two devices, swapoff and swapon of either, as the newest modelled release (mainline) has them") \
  X(mainline_mthp, "mainline", "zram", true, 20, true, "", 0, 2, 0, kLargeFolioOps,                  \
    "anonymous large folios (mTHP up to order 2) swapped out whole through zswap's per-page store and zram, split by reclaim, mapped back whole from the swap cache or faulted in page by page, with partial unmaps, in two memcgs, as the newest modelled release (mainline) has them") \
  X(lts618_mthp, "v6.18.y", "zram", true, 20, true, "", 0, 2, 0, kLargeFolioOps,                     \
    "anonymous large folios through zswap and zram as the 6.18 LTS branch has them")          \
  X(lts612_mthp, "v6.12.y", "zram", false, 50, false, "", 0, 2, 0, kLargeFolioOps,                  \
    "anonymous large folios swapped out to zram and swapped in whole on the skip-swapcache path (zswap never enabled), as the 6.12 LTS branch has them") \
  X(mainline_mthp_swapin, "mainline", "zram", false, 50, false, "", 0, 2, 0, kLargeFolioOps,         \
    "anonymous large folios swapped out to zram and swapped in whole through swapin_folio() (zswap never enabled), as the newest modelled release (mainline) has them") \
  X(mainline_mthp_mm, "mainline", "zram", false, 50, false, "", 0, 2, 0, kLargeFolioMmOps,            \
    "anonymous large folios on zram against fork, swapoff and swapon, the splits of MADV_PAGEOUT, MADV_FREE and UFFDIO_MOVE of one page, and UFFDIO_WRITEPROTECT, as the newest modelled release (mainline) has them") \
  X(mainline_shmem, "mainline", "zram", true, 20, false, "", 0, 0, 2, kShmemOps,                      \
    "a shmem file's pages, in folios and swap entries of up to order 2, read, written, reclaimed to zswap and zram, swapped back in (splitting large entries), punched out and brought back by swapoff, beside anonymous memory on the same device, as the newest modelled release (mainline) has them") \
  X(mainline_shmem_swapin, "mainline", "zram", false, 50, false, "", 0, 0, 2, kShmemOps,             \
    "the shmem file on zram without zswap, so a swap-in of a large entry takes a folio of its order through swapin_folio() unless a slot of it is cached, beside anonymous memory and swapoff, as the newest modelled release (mainline) has it") \
  X(lts618_shmem, "v6.18.y", "zram", true, 20, false, "", 0, 0, 2, kShmemOps,                       \
    "a shmem file as the 6.18 LTS branch has it: slots counted SWAP_MAP_SHMEM, swap-in that skips the swap cache on zram with swapcache_prepare(), large entries split by order-0 swap-ins (zswap was enabled), beside anonymous memory, zswap and swapoff") \
  X(lts618_shmem_swapin, "v6.18.y", "zram", false, 50, false, "", 0, 0, 2, kShmemOps,                \
    "the shmem file as the 6.18 LTS branch has it, on zram without zswap: a swap-in of a large entry pins its whole range with swapcache_prepare() and reads a large folio past the swap cache, or falls back to order 0 at its sub-entry on a conflict") \
  X(mainline_shmem_mmap, "mainline", "zram", true, 20, false, "", 0, 0, 2, kShmemMmapOps,            \
    "the shmem file mapped MAP_SHARED into two mms: loads and stores through the mapping, faults through fault-around and shmem_fault(), reclaim's unmap of every mm before shmem_writeout(), hole punches that unmap their range and hold faults off, beside read(2), write(2), swapoff and zswap, as the newest modelled release (mainline) has them") \
  X(lts618_shmem_mmap, "v6.18.y", "zram", true, 20, false, "", 0, 0, 2, kShmemMmapOps,              \
    "the shmem file mapped MAP_SHARED into two mms, its faults, reclaim and hole punches, as the 6.18 LTS branch has them") \
  X(mainline_shmem_truncate, "mainline", "zram", true, 20, false, "", 0, 0, 2, kShmemTruncateOps,    \
    "the mapped shmem file truncated by ftruncate(): shmem_setattr()'s i_size, its unmap of the mapping past the new size, the split of a large folio across it and its truncation to the end, against reads, faults and fault-around that check i_size, a write that extends the file, MADV_DONTNEED of the mapping, reclaim, punches and swapoff, as the newest modelled release (mainline) has them") \
  X(lts618_shmem_truncate, "v6.18.y", "zram", true, 20, false, "", 0, 0, 2, kShmemTruncateOps,      \
    "the mapped shmem file truncated by ftruncate(), as the 6.18 LTS branch has it") \
  X(lts612_shmem, "v6.12.y", "zram", true, 20, false, "", 0, 0, 0, kShmemOps,                       \
    "a shmem file of order-0 folios as the 6.12 LTS branch has it: shmem_writepage() under shmem_swaplist_mutex, slots counted SWAP_MAP_SHMEM, every swap-in through the swap cache, beside anonymous memory, zswap and swapoff") \
  X(lts612_shmem_mmap, "v6.12.y", "zram", true, 20, false, "", 0, 0, 0, kShmemMmapOps,              \
    "the 6.12 LTS branch's shmem file mapped MAP_SHARED into two mms, its faults, reclaim and hole punches")

#endif  // SWAPFUZZ_FUZZ_TARGETS_H_
