#include "fuzz/decoder.h"

#include "fuzz/targets.h"
#include "model/knobs.h"

#include <algorithm>

namespace swapfuzz {
namespace {

constexpr OpKind R = OpKind::kRead, W = OpKind::kWrite, C = OpKind::kReclaim,
                 U = OpKind::kMunmap, F = OpKind::kFork, D = OpKind::kDrainSlots,
                 S = OpKind::kZswapShrink, P = OpKind::kZswapMaxPool, N = OpKind::kZswapEnable,
                 O = OpKind::kSwapoff, On = OpKind::kSwapon, K = OpKind::kUffdWp,
                 I = OpKind::kZramIdle, B = OpKind::kZramWriteback, Z = OpKind::kWriteZero,
                 Dn = OpKind::kMadviseDontneed, Dr = OpKind::kMadviseDontneedRange,
                 Fr = OpKind::kMadviseFree,
                 Po = OpKind::kMadvisePageout, Wn = OpKind::kMadviseWillneed,
                 Mi = OpKind::kMincore, Cd = OpKind::kCpuOffline, Cu = OpKind::kCpuOnline,
                 Mg = OpKind::kMigrate, Mv = OpKind::kUffdMove, Br = OpKind::kZramBdevRead,
                 Bw = OpKind::kZramBdevWrite, Bd = OpKind::kZramBdevDiscard,
                 Bi = OpKind::kZramBdevIdle, Bb = OpKind::kZramBdevWriteback,
                 Rs = OpKind::kZramReset, Ds = OpKind::kZramDisksize,
                 Rc = OpKind::kZramBdevRecompress, Sd = OpKind::kSwapoffDev,
                 Sn = OpKind::kSwaponDev, Sp = OpKind::kDeferredSplitScan,
                 Hr = OpKind::kShmemRead, Hw = OpKind::kShmemWrite, Hc = OpKind::kShmemReclaim,
                 Hp = OpKind::kShmemPunch, Mr = OpKind::kShmemMapRead,
                 Mw = OpKind::kShmemMapWrite, Ht = OpKind::kShmemTruncate,
                 Mz = OpKind::kShmemMapDontneed, E = OpKind::kCount;

// Reads and writes on few addresses make threads meet on the same entry;
// reclaim makes the entries. Fork gives shared slots, munmap frees them.
constexpr OpTable kZramOps = {R, R, R, R, W, W, W, C, C, C, C, U, F, F, D, E};
static_assert(IsOpTable(kZramOps));

// zswap over a disk: the shrink worker's writeback races swap-in, invalidation
// and reuse of the offset; the pool limit swings as in the seed-002 reproducer.
constexpr OpTable kZswapOps = {R, R, R, W, W, W, C, C, C, U, S, S, P, N, O, E};
static_assert(IsOpTable(kZswapOps));

// zswap over zram: the SWP_SYNCHRONOUS_IO fault that skips the swap cache
// meets zswap's loads, swapoff/swapon, a uffd-wp change of the swap PTE, and
// zram's own writeback of idle slots to its backing device.
constexpr OpTable kZramZswapOps = {R, R, W, C, C, U, F, K, S, P, N, O, On, I, B, E};
static_assert(IsOpTable(kZramZswapOps));

// zswap over a disk with pages of zeros: since v6.12 a zero-filled folio is
// swapped out into the zeromap, not zswap, so writes of zeros and of data to
// one address meet zswap's stored copies, its writeback and the zeromap.
constexpr OpTable kZeromapOps = {R, R, W, W, Z, Z, C, C, C, U, F, S, S, N, O, E};
static_assert(IsOpTable(kZeromapOps));

// The madvise entry points and mincore in the same mm as faults: zaps under
// the read lock (MADV_DONTNEED, MADV_FREE) racing swap-in, lazyfree folios
// redirtied before reclaim, MADV_PAGEOUT beside reclaim, MADV_WILLNEED
// reading ahead of a fault, mincore looking at the swap cache; fork shares
// entries and swapoff pulls them back.
constexpr OpTable kMadviseOps = {R, R, W, W, C, C, Dn, Fr, Po, Wn, Mi, U, F, O, Z, E};
static_assert(IsOpTable(kMadviseOps));

// CPU hotplug under zswap's per-CPU compression: stores, loads and shrinker
// writeback compress and decompress while CPUs go down and come up and tasks
// move between CPUs.
constexpr OpTable kZswapHotplugOps = {R, R, W, W, C, C, S, Cd, Cd, Cu, Mg, Mg, U, F, O, E};
static_assert(IsOpTable(kZswapHotplugOps));

// UFFDIO_MOVE within the mm beside faults: a move of a present, zero-page or
// swap PTE racing a fault at either address, reclaim of the folio it moves
// (the folio lock, the swap cache folio's index), fork sharing the folio or
// the entry (-EBUSY), munmap and swapoff.
constexpr OpTable kUffdOps = {R, R, R, W, W, W, C, C, C, Mv, Mv, Mv, U, F, O, E};
static_assert(IsOpTable(kUffdOps));

// zram1, a zram device with no swap on it: direct reads, writes and discards
// of its pages from several CPUs, against its idle marking, its writeback to
// the backing device, its recompression, and its reset and disksize; beside
// them swap on zram0, whose reset swap's claim refuses.
constexpr OpTable kZramBdevOps = {Br, Br, Br, Bw, Bw, Bw, Bd, Bi, Bb, Rc, Rs, Ds, R, W, C, E};
static_assert(IsOpTable(kZramBdevOps));

// Faults, COW and reclaim of mms in two memcgs (RunConfig::memcg_mms), under a
// memory.max (RunConfig::memcg_max) that makes a fault's charge reclaim: fork
// shares folios and swap entries across memcgs, swap-in charges the memcg a
// slot records, munmap and MADV_DONTNEED uncharge.
constexpr OpTable kMemcgOps = {R, R, W, W, W, C, C, C, U, F, F, Dn, Wn, O, On, E};
static_assert(IsOpTable(kMemcgOps));

// Several swap devices: reclaim fills the small first device and spills to
// the second; faults, munmap and MADV_DONTNEED empty them; swapoff and swapon
// of either device run beside faults served by the other; fork shares entries
// of both; MADV_PAGEOUT reclaims from another path.
constexpr OpTable kMultiDevOps = {R, R, R, W, W, W, C, C, C, C, U, F, Po, Sd, Sn, E};
static_assert(IsOpTable(kMultiDevOps));

// Large folios: writes fault in folios of up to order 2 over four addresses,
// reclaim swaps them out whole (or splits them), reads and writes of single
// pages fault them back from the swap cache as a whole or from zswap and zram
// page by page, munmap unmaps part of one and MADV_DONTNEED a range (the
// batched zap of present pages and swap entries), the deferred split
// shrinker splits a partially mapped one, zswap's shrinker writes pages back,
// and memory.zswap.writeback decides what zswap stores.
constexpr OpTable kLargeFolioOps = {R, R, R, W, W, W, Sp, C, C, C, U, Dr, Wn, Z, S, E};
static_assert(IsOpTable(kLargeFolioOps));

// Large folios against the paths that meet them page by page: fork shares
// them, swapoff maps them back one page at a time, MADV_PAGEOUT, MADV_FREE and
// UFFDIO_MOVE of one page split them, UFFDIO_WRITEPROTECT marks single
// swap PTEs of a large entry (its VMA then swaps in order 0), MADV_DONTNEED
// of a range zaps them in batches, and the deferred split shrinker splits
// one that a zap left partially mapped.
constexpr OpTable kLargeFolioMmOps = {R, R, W, W, Sp, C, C, Dr, F, O, On, Po, Fr, K, Mv, E};
static_assert(IsOpTable(kLargeFolioMmOps));

// A shmem file beside anonymous memory on one swap device: reads and
// writes of its pages swap them back in (shmem_swapin_folio()) while reclaim
// moves them to the swap cache and out (shmem_writeout()), a hole punched
// over them frees their folios and swap entries (shmem_undo_range()), zswap's
// shrinker writes their slots back, swapoff brings them back
// (shmem_unuse()), and anonymous writes, reclaim and munmap share the
// device's slots.
constexpr OpTable kShmemOps = {Hr, Hr, O, Hw, Hw, Hw, Hc, Hc, Hc, Hp, Hp, W, C, U, S, E};
static_assert(IsOpTable(kShmemOps));

// The shmem file mapped MAP_SHARED by every mm: loads and stores through
// the mapping fault its folios in (fault-around, shmem_fault()) and dirty
// them, reclaim unmaps them from every mm before shmem_writeout(), a punched
// hole unmaps its range and holds its faults off, read(2) and write(2) meet
// the same folios, fork makes a second mm (whose mapping starts empty),
// anonymous writes share the device, and swapoff and zswap's shrinker move
// the swapped ones.
constexpr OpTable kShmemMmapOps = {Hr, Mr, Mr, Hw, Mw, Mw, Hc, Hc, Hc, Hp, Hp, F, W, O, S, E};
static_assert(IsOpTable(kShmemMmapOps));

// ftruncate() of the mapped file: a shrink that unmaps past the new size,
// splits a large folio across it and truncates to the end while faults,
// fault-around, read(2) and reclaim race its i_size, and a write or a growing
// truncate brings the size back; MADV_DONTNEED zaps a page of the mapping;
// punches, swapoff and zswap's shrinker beside them.
constexpr OpTable kShmemTruncateOps = {Hr, Mz, Mr, Mr, Hw, Mw, Hc, Hc, Ht, Ht, Hp, F, W, O, S, E};
static_assert(IsOpTable(kShmemTruncateOps));

ScheduleConfig TargetConfig(const char* profile, const char* backend, bool zswap, int ram_pages,
                            bool memcg, const char* backend1, int prio0, int mthp_order,
                            int shmem_huge_order) {
  ScheduleConfig c;
  c.profile = std::string(ProfileByName(profile)->name);  // the release, never the alias
  c.backend = backend;
  c.zswap = zswap;
  c.ram_pages = ram_pages;
  c.memcg = memcg;
  if (*backend1 != '\0') {
    c.swap_devices = 2;
    c.nslots1 = kSecondDeviceSlots;
    c.backend1 = backend1;
  }
  c.prio0 = prio0;
  c.mthp_order = mthp_order;
  c.shmem_huge_order = shmem_huge_order;
  return c;
}

#define SWAPFUZZ_TARGET_ROW(name, profile, backend, zswap, ram_pages, memcg, backend1, prio0,       \
                            mthp_order, shmem_huge_order, ops, description)                        \
  {#name, description,                                                                             \
   TargetConfig(profile, backend, zswap, ram_pages, memcg, backend1, prio0, mthp_order,            \
                shmem_huge_order),                                                                 \
   ops},
const FuzzTarget kTargets[] = {SWAPFUZZ_FUZZ_TARGETS(SWAPFUZZ_TARGET_ROW)};
#undef SWAPFUZZ_TARGET_ROW

uint8_t ByteAt(std::span<const uint8_t> data, size_t i) { return i < data.size() ? data[i] : 0; }

}  // namespace

std::span<const FuzzTarget> AllTargets() { return kTargets; }

const FuzzTarget* TargetByName(std::string_view name) {
  for (const FuzzTarget& t : kTargets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

void DecodePrograms(const FuzzTarget& target, std::span<const uint8_t> data, Schedule& out) {
  const uint8_t b0 = ByteAt(data, kCpusByte), b1 = ByteAt(data, kConfigByte),
                b2 = ByteAt(data, kMmByte);
  const int ncpus = DecodedCpus(b0);
  out.config = target.base;
  // A large-folio target draws each input's largest order, and spreads its
  // addresses over up to two order-2 folios; the others keep 2 to 5.
  const bool large = target.base.mthp_order > 0;
  const int nvas = large ? 2 + 2 * ((b0 >> 2) & 3) : 2 + ((b0 >> 2) & 3);
  static_assert(2 + 2 * 3 <= kMaxVas);
  if (large) out.config.mthp_order = std::min<int>(target.base.mthp_order, (b0 >> 5) & 3);
  // A shmem target draws its largest shmem folio order from the same bits.
  if (target.base.shmem_huge_order > 0) {
    out.config.shmem_huge_order = std::min<int>(target.base.shmem_huge_order, (b0 >> 5) & 3);
  }
  out.config.page_cluster = b1 & 1;
  out.config.slots_cache_size = (b1 & 2) ? 2 : 0;
  // Two devices share kMaxSlots offsets, and a small first device fills up
  // and empties out, which is what the avail list's transitions need.
  const int size = (b1 >> 2) & 3;
  out.config.nslots = target.base.swap_devices > 1 ? 3 + 2 * size : 8 + 4 * size;
  // Read by every target, used only where the memory controller is on.
  out.config.memcg_mms = b2 >> 4;
  out.config.memcg_max = (b1 & 0x80) ? 1 + ((b1 >> 4) & 7) : 0;
  // Read by every target, used only with the memory controller and zswap,
  // and left on for a release whose zswap the model cannot run with it off
  // (Resolve()), as a target's inputs may be replayed under any release.
  const Profile* profile = ProfileByName(out.config.profile);
  const bool writeback_off_runs = !(out.config.memcg && out.config.zswap) ||
                                  (profile != nullptr &&
                                   profile->features.zswap_incompressible_as_is);
  out.config.memcg_zswap_writeback = (b0 & 0x10) == 0 || !writeback_off_runs;
  out.cpus.resize(ncpus);
  for (int cpu = 0; cpu < ncpus; ++cpu) {
    CpuProgram& prog = out.cpus[cpu];
    prog.mm = (b2 >> cpu) & 1;
    prog.ops.clear();
    for (int i = 0; i < kOpsPerCpu; ++i) {
      const size_t at = OpAt(cpu, i);
      const OpKind kind = target.op_table[ByteAt(data, at) & kOpSelectorMask];
      if (kind == OpKind::kCount) break;
      const uint8_t operand = ByteAt(data, at + 1);
      Op op;
      op.kind = kind;
      if (OpTakesVa(kind)) op.va = static_cast<uint8_t>(operand % nvas);
      const int limit = OpArgLimit(kind);
      if (kind == OpKind::kFork) {
        op.arg = static_cast<uint8_t>(1 + (operand >> 4) % (kMaxMms - 1));  // a new mm
      } else if (kind == OpKind::kUffdMove) {
        op.arg = static_cast<uint8_t>((operand >> 4) % nvas);  // dst among the addresses used
      } else if (kind == OpKind::kMadviseDontneedRange || kind == OpKind::kShmemPunch) {
        // The range's last address (or page index), from the op's to the
        // last one used.
        op.arg = static_cast<uint8_t>(op.va + (operand >> 4) % (nvas - op.va));
      } else if (limit > 0) {
        op.arg = static_cast<uint8_t>((operand >> 4) % limit);
      }
      prog.ops.push_back(op);
    }
  }
  out.decisions.clear();
  out.expected.reset();
}

std::span<const uint8_t> DecisionBytes(std::span<const uint8_t> data) {
  if (data.size() <= kDecisionOffset) return {};
  return data.subspan(kDecisionOffset);
}

uint64_t PctTailSteps(const Schedule& decoded, size_t decision_bytes) {
  uint64_t ops = 0;
  for (const CpuProgram& p : decoded.cpus) ops += p.ops.size();
  const uint64_t run = 12 * ops;
  return std::clamp<uint64_t>(run > decision_bytes ? run - decision_bytes : 0, 16,
                              kPctTailSteps);
}

ByteDecider::ByteDecider(std::span<const uint8_t> bytes, uint8_t tail, uint64_t tail_steps)
    : bytes_(bytes), pct_tail_(tail != 0) {
  if (pct_tail_) {
    Rng rng(tail);
    pct_.Reset(rng, 2 + (tail >> 7), std::clamp<uint64_t>(tail_steps, 1, kPctTailSteps));
  }
}

void ByteDecider::Executed(int cpu, StepId step) {
  if (in_tail_) pct_.Executed(cpu, step);
}

int ByteDecider::Pick(uint32_t runnable, int current, const Kernel& k) {
  if (next_ >= bytes_.size()) {
    in_tail_ = true;
    return pct_tail_ ? pct_.Pick(runnable, current, k) : DefaultPick(runnable, current);
  }
  const uint8_t b = bytes_[next_++];
  if (b < kKeepCurrentBelow && current >= 0 && ((runnable >> current) & 1u)) return current;
  return NthSetBit(runnable, (b & kSwitchChoiceMask) % __builtin_popcount(runnable));
}

}  // namespace swapfuzz
