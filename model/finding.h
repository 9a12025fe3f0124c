// Findings: what an oracle reports, and the stable signature used to dedup them.
//
// A signature is (oracle, kernel function, object kind), printed as
// "oracle:function:object", e.g. "data-integrity:do_swap_page:page". It names
// where the invariant broke, never which historical bug broke it.

#ifndef SWAPFUZZ_MODEL_FINDING_H_
#define SWAPFUZZ_MODEL_FINDING_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/steps.h"

namespace swapfuzz {

enum class Oracle : uint8_t {
  kDataIntegrity,  // a user read or a fault-installed page holds the wrong data
  kZramEmptyRead,  // zram read an index that holds nothing (diagnostic)
  kSwapCount,      // swap_map count underflow, SWAP_HAS_CACHE misuse
  kSwapCache,      // swap cache and swap_map / page flags disagree
  kUseAfterFree,   // a freed page frame was touched
  kPageState,      // unlocking an unlocked page, refcount below zero
  kAccounting,     // slot counts, references or locks wrong at quiescence
  kDeadlock,       // every unfinished CPU is blocked
  kLiveness,       // a retry loop or the run exceeded its budget
  kStaleWrite,     // a backing store got data older than its slot's content
  kRefcount,       // a zswap entry's refcount below zero, or freed while in the tree
  kRmap,           // a mapped anonymous folio's index is not the address it is mapped at
  kMemcg,          // a memcg counter or charge record breaks the charging rules
  // The swap devices' lists: a device on the avail list that cannot be
  // allocated from, a writable one with free slots missing from it, or an
  // allocation from a device past the point where its swapoff closed it.
  kSwapAvail,
  kCount
};

enum class ObjectKind : uint8_t {
  kPage,
  kSwapSlot,
  kZramSlot,
  kMm,
  kCpu,
  kZswapEntry,
  kZswapTree,
  kZswapPool,
  kSwapDevice,  // swap_map, the swap cache address space, the swap extents
  kBlock,       // a block of the disk or of zram's backing device
  kZramWbCtl,   // struct zram_wb_ctl: zram's batched writeback and its completions
  kAcompCtx,    // a CPU's zswap compression context (struct crypto_acomp_ctx)
  kZramTable,   // zram->table: the slots of a zram device, freed by a reset
  kZcompStrm,   // zram->comps[] and their per-CPU streams (struct zcomp_strm)
  kMemcg,       // a memory cgroup's counters and the charges recorded for it
  kShmemFile,   // the shmem file: its mapping's entries, its counters, its data
  kCount
};

std::string_view OracleName(Oracle o);
std::string_view ObjectKindName(ObjectKind k);

struct Finding {
  Oracle oracle = Oracle::kCount;
  Fn function = Fn::kNone;  // the kernel function executing when it fired
  ObjectKind object = ObjectKind::kCount;
  bool fatal = true;
  int8_t cpu = -1;
  uint64_t step = 0;
  std::array<char, 160> message{};

  std::string Signature() const;
};

// The findings of one run. The first fatal finding ends the run; diagnostics
// are counted and the first few kept.
struct Findings {
  static constexpr int kMaxKept = 8;
  std::array<Finding, kMaxKept> kept{};
  int16_t nkept = 0;
  int16_t diagnostics = 0;
  bool fatal = false;

  // The first fatal finding, or nullptr.
  const Finding* First() const;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_FINDING_H_
