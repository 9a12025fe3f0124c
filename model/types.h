// Basic identifiers and fixed capacities shared by every part of the model.
//
// The model keeps all kernel state in fixed-size arrays so that a run allocates
// nothing, resetting is a plain copy, and the whole state is a value that can be
// snapshotted (exhaustive search) or printed from gdb.

#ifndef SWAPFUZZ_MODEL_TYPES_H_
#define SWAPFUZZ_MODEL_TYPES_H_

#include <cstdint>

namespace swapfuzz {

// Capacities. A schedule that asks for more is rejected by Schedule validation.
inline constexpr int kMaxCpus = 4;         // CPU contexts, one task each
inline constexpr int kMaxMms = 4;          // address spaces (fork creates more)
inline constexpr int kMaxVas = 8;          // virtual pages per address space
inline constexpr int kMaxSlots = 32;       // swap offsets, including header slot 0
// Swap devices (types) that can be swapped on at once. Their slots share the
// kMaxSlots offsets: type t owns [base_t, base_t + nslots_t), its header slot
// first.
inline constexpr int kMaxSwapDevices = 2;
inline constexpr int kMaxPages = 160;      // page frames per run; ids are never reused
inline constexpr int kMaxOpsPerCpu = 24;   // operations in one CPU's program
// Depth of nested kernel calls. The deepest chain: user_access, do_fault,
// shmem_fault, shmem_get_folio_gfp, shmem_swapin_folio, swapin_readahead
// (shmem_swapin_cluster()), swap_cache_alloc_folio, swap_readpage,
// zswap_load (a fault through the shmem file's shared mapping that swaps in
// from zswap through the swap cache). PushFrame() traps past it.
inline constexpr int kMaxFrames = 9;
inline constexpr int kMaxSlotsCache = 8;   // per-CPU swap slots cache entries
inline constexpr int kMaxZswapEntries = 64;  // zswap entries per run; ids are never reused
// Memory cgroups (cgroup v2) the mms are charged to, by id 1..kMaxMemcgs; id 0
// is none (the memory controller is off, or the root cgroup, which has no
// counters).
inline constexpr int kMaxMemcgs = 2;
// Block I/O requests in flight: each is for a distinct page in the swap cache
// (under writeback or locked for a read), so at most one per offset.
inline constexpr int kMaxBios = kMaxSlots;
// The block-device completion interrupt: an execution context of its own that
// runs end_swap_bio_read()/end_swap_bio_write() for bios in flight. Schedules
// name it as CPU kIrqCpu; it has no program.
inline constexpr int kIrqCpu = kMaxCpus;
// The pages of the plain zram block device (zram1, no swap on it): its ops'
// argument picks one, and zram_disksize sets up this many or half as many.
inline constexpr int kZramBdevPages = 8;
// The page indices of the one shmem file (model/mm/shmem.h). Its ops name an
// index by their address operand, so there are as many as addresses.
inline constexpr int kMaxShmemPages = kMaxVas;

using PageId = int16_t;
using Offset = int16_t;  // swap offset, flat over the swap devices (see kMaxSwapDevices)
using Token = uint64_t;  // page contents: 0 is a zero-filled page
using EntryId = int16_t;  // a zswap entry (kernel: struct zswap_entry *)

inline constexpr PageId kNoPage = -1;
// The shared zero page that a read fault on an empty PTE maps (do_anonymous_page).
inline constexpr PageId kZeroPage = -2;
inline constexpr Offset kNoOffset = -1;
inline constexpr EntryId kNoEntry = -1;
// A folio's index (Page::index, Page::shmem_index) when it has none.
inline constexpr int8_t kNoIndex = -1;

// swap_map byte encoding, as in include/linux/swap.h.
inline constexpr uint8_t SWAP_HAS_CACHE = 0x40;
inline constexpr uint8_t SWAP_MAP_MAX = 0x3e;
// A slot owned by a shmem file's mapping (up to v6.18; v7.0's swap table
// counts it 1): the whole count, as swap_shmem_alloc() sets it.
inline constexpr uint8_t SWAP_MAP_SHMEM = 0xbf;

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_TYPES_H_
