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

constexpr std::array<SourceRow, 24> kSources = {{
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
}};

}  // namespace

std::span<const SourceRow> AllSources() { return kSources; }

}  // namespace swapfuzz
