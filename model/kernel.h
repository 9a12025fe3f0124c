// The modelled kernel state: page tables, page frames, the swap device and its
// swap_map, the swap cache, the per-CPU swap slots cache, and the zram device.
//
// Kernel is a plain value. Paths (model/mm/*, model/drivers/*) mutate it one
// atomic step at a time through the executor; the oracles read it. Nothing here
// allocates, so copying a Kernel is a snapshot of the whole machine.

#ifndef SWAPFUZZ_MODEL_KERNEL_H_
#define SWAPFUZZ_MODEL_KERNEL_H_

#include <array>
#include <cstdint>
#include <vector>

#include "model/config.h"
#include "model/coverage.h"
#include "model/finding.h"
#include "model/knobs.h"
#include "model/steps.h"
#include "model/trace.h"
#include "model/types.h"

namespace swapfuzz {

// A page table entry. pte_same() compares every field, so a recycled swap
// entry compares equal to the one a fault snapshotted (the ABA of 13ddaf26be32).
struct Pte {
  enum class Kind : uint8_t { kNone, kPresent, kSwap };
  Kind kind = Kind::kNone;
  bool writable = false;
  PageId page = kNoPage;     // kPresent
  Offset offset = kNoOffset;  // kSwap
  friend bool operator==(const Pte&, const Pte&) = default;
};

// struct page, reduced to what the swap path tests.
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
  int8_t lock_owner = -1;   // CPU that took PG_locked, for the trace and gdb
  Offset private_offset = kNoOffset;  // page_private(): the swap entry
  int16_t refcount = 0;
  int16_t mapcount = 0;
  Token data = 0;
};

// mm_struct: one page table and the mmap_lock. CLONE_VM threads share one.
struct Mm {
  bool alive = false;
  int8_t mmap_readers = 0;
  bool mmap_writer = false;
  std::array<Pte, kMaxVas> pte{};
  // Oracle state: the value the user last wrote at each address of this mm.
  std::array<Token, kMaxVas> logical{};
};

// swap_info_struct for the single swap device.
struct SwapInfo {
  bool sync_io = true;   // SWP_SYNCHRONOUS_IO (zram sets it)
  int16_t nslots = 0;    // offsets 1..nslots-1 are usable; 0 is the header
  int16_t inuse_pages = 0;
  int16_t users = 0;     // si->users percpu_ref, as get_swap_device() counts it
  std::array<uint8_t, kMaxSlots> swap_map{};
  // Oracle state: bumped each time an offset is allocated, so a copy written for
  // an earlier owner of the offset can be told from the current one.
  std::array<uint32_t, kMaxSlots> generation{};
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
  enum class State : uint8_t { kEmpty, kSame, kStored };
  State state = State::kEmpty;
  int8_t lock_holder = -1;  // the ZRAM_LOCK bit, held across a compressed read
  Token data = 0;           // the element for kSame, the decompressed data for kStored
  uint32_t generation = 0;  // the swap slot generation the data was written for
};

struct Zram {
  std::array<ZramSlot, kMaxSlots> table{};
  int32_t miss_free = 0;    // zram->stats.miss_free: notifies lost to a busy slot lock
  int32_t stored_pages = 0;
};

// What a blocked CPU waits for. Cleared when the CPU runs again.
struct Wait {
  enum class Kind : uint8_t {
    kNone,
    kPageLock,   // lock_page(): PG_locked clear
    kZramSlot,   // zram_slot_lock(): the bit lock free
    kMmapRead,   // mmap_read_lock(): no writer
    kMmapWrite,  // mmap_write_lock(): no readers or writer
    kYield,      // schedule_timeout()/cond_resched(): another CPU made progress
  };
  Kind kind = Kind::kNone;
  int16_t id = 0;
  uint64_t epoch = 0;  // kYield: the progress count when the CPU yielded
};

// One activation of a modelled kernel function. The fields are the function's
// locals; each function documents which it uses.
struct Frame {
  Fn fn = Fn::kNone;
  uint8_t pc = 0;
  uint8_t va = 0;
  bool write = false;         // FAULT_FLAG_WRITE, or the op writes
  bool flag = false;          // function specific (do_swap_page: skip path pinned)
  Offset offset = kNoOffset;  // the swap entry being worked on
  PageId page = kNoPage;
  PageId page2 = kNoPage;     // a second page (swapcache / COW copy)
  int16_t i = 0;              // loop index
  int16_t ret = 0;
  Pte orig_pte{};
};

// One operation of a CPU's program.
struct Op {
  OpKind kind = OpKind::kRead;
  uint8_t va = 0;
  uint8_t arg = 0;     // fork: the child mm
  Token value = 0;     // write: the value; 0 means "a fresh unique token"
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
  SlotsCache slots_cache{};
  std::array<Op, kMaxOpsPerCpu> program{};
  std::array<Frame, kMaxFrames> frames{};
  Frame& top() { return frames[depth - 1]; }
};

// The whole machine.
struct Kernel {
  RunConfig config{};
  uint8_t ncpus = 0;
  uint64_t step = 0;        // atomic steps executed so far
  uint64_t progress = 0;    // steps executed, for kYield waits
  int8_t current_cpu = -1;  // the CPU executing the current step
  bool emitted = false;     // the current slot emitted its step
  StepId last_step = StepId::kCount;
  Offset last_offset = kNoOffset;  // the swap offset the last step named
  std::array<Cpu, kMaxCpus> cpus{};
  std::array<Mm, kMaxMms> mms{};
  std::array<Page, kMaxPages> pages{};
  int16_t next_page = 0;
  SwapInfo si{};
  std::array<PageId, kMaxSlots> swap_cache{};  // the xarray: offset -> page
  Zram zram{};
  Findings findings{};
  TraceHash trace_hash{};
  // Events are appended here when a caller attaches a list (replay, tests).
  std::vector<TraceEvent>* trace = nullptr;
  // Interleaving features are recorded here when a fuzzer attaches one.
  InterleavingCoverage* coverage = nullptr;

  bool knob(Knob k) const { return config.knobs.Has(k); }
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KERNEL_H_
