#include "model/knobs.h"

#include <array>

namespace swapfuzz {
namespace {

constexpr std::array<KnobInfo, static_cast<size_t>(Knob::kCount)> kKnobs = {{
#define SWAPFUZZ_KNOB_INFO(e, name, hash, title, affected, text) \
  {Knob::e, name, hash, title, affected, text},
    SWAPFUZZ_KNOBS(SWAPFUZZ_KNOB_INFO)
#undef SWAPFUZZ_KNOB_INFO
}};

constexpr Features kV5_16{Features::ZswapLru::kZpool, /*zswap_exclusive_loads=*/false,
                          /*anon_exclusive=*/false};
constexpr Features kV6_3{Features::ZswapLru::kZpool, /*zswap_exclusive_loads=*/false,
                         /*anon_exclusive=*/true};
constexpr Features kV6_9{.zswap_lru = Features::ZswapLru::kZswap,
                        .zswap_exclusive_loads = true,
                        .anon_exclusive = true,
                        .uffd_move = true};
// 6.12 has mm/swap_slots.c, but its caches switch on only above ncpus * 320
// free slots (check_cache_active()), far beyond the model's device.
constexpr Features kV6_12{Features::ZswapLru::kZswap, /*zswap_exclusive_loads=*/true,
                          /*anon_exclusive=*/true, /*zeromap=*/true, /*slots_cache=*/false,
                          Features::SwapCachePin::kHasCacheBit,
                          /*swapin_maps_exclusive_writable=*/true,
                          /*callers_pin_swap_device=*/false, Features::ZramWriteback::kOneSlot,
                          /*try_to_reclaim_swap_retries=*/false,
                          /*allocator_reclaims_cached_slots=*/false, /*vma_readahead=*/true,
                          /*madvise_vma_lock=*/false, /*lazyfree_referenced_stays_lazy=*/false,
                          Features::ZswapAcompCtx::kFreedOnCpuDead, /*uffd_move=*/true,
                          /*uffd_move_batched=*/false, /*several_swap_devices=*/false,
                          /*large_folio_swapout=*/true, /*large_folio_swapin=*/true,
                          /*zswap_large_store=*/false,
                          /*zswap_incompressible_as_is=*/false, /*folio_mm_id_sharing=*/false,
                          /*swap_batch_freed_after_cluster_lock=*/true,
                          /*deferred_split_folio_batch=*/false, Features::ShmemSwap::kWritepage};
constexpr Features kV6_18{Features::ZswapLru::kZswap, /*zswap_exclusive_loads=*/true,
                          /*anon_exclusive=*/true, /*zeromap=*/true, /*slots_cache=*/false,
                          Features::SwapCachePin::kHasCacheBit,
                          /*swapin_maps_exclusive_writable=*/true,
                          /*callers_pin_swap_device=*/true,
                          Features::ZramWriteback::kPostProcess,
                          /*try_to_reclaim_swap_retries=*/true,
                          /*allocator_reclaims_cached_slots=*/true,
                          /*vma_readahead=*/true, /*madvise_vma_lock=*/true,
                          /*lazyfree_referenced_stays_lazy=*/true,
                          Features::ZswapAcompCtx::kFreedOnCpuDead, /*uffd_move=*/true,
                          /*uffd_move_batched=*/true, /*several_swap_devices=*/false,
                          /*large_folio_swapout=*/true, /*large_folio_swapin=*/true,
                          /*zswap_large_store=*/true, /*zswap_incompressible_as_is=*/true,
                          /*folio_mm_id_sharing=*/true,
                          /*swap_batch_freed_after_cluster_lock=*/false,
                          /*deferred_split_folio_batch=*/false,
                          Features::ShmemSwap::kSwapMapShmem};
constexpr Features kV7_1{Features::ZswapLru::kZswap, /*zswap_exclusive_loads=*/true,
                         /*anon_exclusive=*/true, /*zeromap=*/true, /*slots_cache=*/false,
                         Features::SwapCachePin::kTableFolio,
                         /*swapin_maps_exclusive_writable=*/true,
                         /*callers_pin_swap_device=*/true,
                         Features::ZramWriteback::kBatched,
                         /*try_to_reclaim_swap_retries=*/true,
                         /*allocator_reclaims_cached_slots=*/true,
                         /*vma_readahead=*/true, /*madvise_vma_lock=*/true,
                         /*lazyfree_referenced_stays_lazy=*/true,
                         Features::ZswapAcompCtx::kPoolLifetime, /*uffd_move=*/true,
                         /*uffd_move_batched=*/true, /*several_swap_devices=*/true,
                         /*large_folio_swapout=*/true, /*large_folio_swapin=*/true,
                         /*zswap_large_store=*/true, /*zswap_incompressible_as_is=*/true,
                         /*folio_mm_id_sharing=*/true,
                         /*swap_batch_freed_after_cluster_lock=*/false,
                         /*deferred_split_folio_batch=*/true,
                         Features::ShmemSwap::kSwapTable};

// Oldest release first; NewestProfile() is the last. Every profile whose
// release lacks the v6.18 unuse_pte() check sets kUnusePteNoFolioCheck.
constexpr std::array<Profile, 8> kProfiles = {{
    {"v5.15.y", "Linux 5.15.215",
     "the 5.15 LTS branch as distributions ship it: v5.16's code, with e914d8f00391 (5.15.35) "
     "and 82b1c07a0af6 (5.15.154) backported",
     KnobSet{Knob::kSkipSwapcacheUnpinned, Knob::kZswapWbNoRecheck, Knob::kZswapLruWbBeforePin,
             Knob::kUnusePteNoFolioCheck, Knob::kZswapAcompUnsyncedCpuDead},
     kV5_16, "v5.16"},
    {"v5.16", "Linux 5.16", "Linux 5.16, the kernel seed 000 ran on",
     KnobSet{Knob::kFreeNotifyOnRead, Knob::kSkipSwapcacheUnpinned, Knob::kZswapWbNoRecheck,
             Knob::kZswapLruWbBeforePin, Knob::kFreeSwapAndCacheNoPin, Knob::kUnusePteNoFolioCheck,
             Knob::kZswapAcompUnsyncedCpuDead},
     kV5_16, "v5.16"},
    {"v6.1.y", "Linux 6.1.166",
     "the 6.1 LTS branch as distributions ship it: v6.3's code, with 04fc7816089c (6.1.30), "
     "13ddaf26be32 and e3b63e966cac (6.1.80) and 82b1c07a0af6 (6.1.84) backported; zswap "
     "writes back only with zbud or z3fold",
     KnobSet{Knob::kZswapLruWbBeforePin, Knob::kUnusePteNoFolioCheck,
             Knob::kZswapAcompUnsyncedCpuDead},
     kV6_3, "v6.3"},
    {"v6.3", "Linux 6.3", "Linux 6.3, the kernel seed 002 ran on",
     KnobSet{Knob::kSkipSwapcacheUnpinned, Knob::kZswapWbNoRecheck, Knob::kZswapLruWbBeforePin,
             Knob::kFreeSwapAndCacheNoPin, Knob::kUnusePteNoFolioCheck,
             Knob::kZswapAcompUnsyncedCpuDead},
     kV6_3, "v6.3"},
    {"v6.9", "Linux 6.9",
     "Linux 6.9: every catalogued fix up to v6.9 applied (the profile called mainline before "
     "releases were named)",
     KnobSet{Knob::kUnusePteNoFolioCheck, Knob::kZswapAcompUnsyncedCpuDead}, kV6_9, "v6.9"},
    {"v6.12.y", "Linux 6.12.94",
     "the 6.12 LTS branch: v6.9's paths with the swap zeromap; every catalogued fix but the "
     "v6.18 unuse_pte() check",
     KnobSet{Knob::kUnusePteNoFolioCheck, Knob::kZeromapStaleZswapEntry,
             Knob::kLargeSwapinZeromapUnpinned},
     kV6_12, "v6.12.y"},
    {"v6.18.y", "Linux 6.18.35",
     "the 6.18 LTS branch, swap table phase I: the zeromap, no slots cache, SWAP_HAS_CACHE and "
     "the skip-swapcache path still there",
     KnobSet{Knob::kZeromapStaleZswapEntry, Knob::kLargeSwapinZeromapUnpinned}, kV6_18,
     "v6.18.y"},
    {"v7.1.y", "Linux 7.1.5",
     "the 7.1 stable branch, swap table phases II and III: no SWAP_HAS_CACHE and no "
     "skip-swapcache path, the folio in the swap table pins the slot; zram writes back "
     "with batched asynchronous bios",
     KnobSet{Knob::kZeromapStaleZswapEntry, Knob::kZramWbLeaksReservedBlock,
             Knob::kMemcgSwapinChargeBeforePin, Knob::kLargeSwapinZeromapUnpinned,
             Knob::kUnusePteLargeSwapinFolio},
     kV7_1, "v7.1.y"},
}};

}  // namespace

std::span<const KnobInfo> AllKnobs() { return kKnobs; }

const KnobInfo& InfoFor(Knob knob) { return kKnobs[static_cast<size_t>(knob)]; }

std::optional<Knob> KnobByName(std::string_view name) {
  for (const KnobInfo& info : kKnobs) {
    if (info.name == name) return info.knob;
  }
  return std::nullopt;
}

std::span<const Profile> AllProfiles() { return kProfiles; }

std::string_view NewestProfile() { return kProfiles.back().name; }

const Profile* ProfileByName(std::string_view name) {
  if (name == "mainline") name = NewestProfile();
  for (const Profile& p : kProfiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string_view ProfileForFile(std::string_view name) {
  return name == "mainline" ? kFileMainlineProfile : name;
}

std::string_view MissingCodePath(Knob knob, const Profile& profile, KnobSet knobs) {
  const Features& f = profile.features;
  switch (knob) {
    case Knob::kFreeNotifySharedSlot:
      // The shared-slot test sits inside swap_slot_free_notify(), which only
      // the read path before e914d8f00391 calls.
      if (!knobs.Has(Knob::kFreeNotifyOnRead)) {
        return "swap_slot_free_notify() is called only with free_notify_on_read set";
      }
      return "";
    case Knob::kZswapWbStaleFolioLeak:
      if (knobs.Has(Knob::kZswapWbNoRecheck)) {
        return "zswap writeback has no stale-entry recheck while zswap_wb_no_recheck is set";
      }
      return "";
    case Knob::kZswapDupStoreKeepsOld:
    case Knob::kZswapDupInvalidateOnlyEnabled:
      // Before v6.6 __frontswap_store() invalidated the duplicate entry.
      if (f.zswap_lru == Features::ZswapLru::kZpool) {
        return "its zswap sits behind frontswap, whose __frontswap_store() invalidates the "
               "duplicate entry";
      }
      return "";
    case Knob::kZeromapStaleZswapEntry:
      if (!f.zeromap) return "its swap-out has no zeromap (v6.12 added it)";
      return "";
    case Knob::kLargeSwapinZeromapUnpinned:
      if (!f.large_folio_swapin) return "it has no large swap-in (242d12c98174, v6.12)";
      return "";
    case Knob::kUnusePteLargeSwapinFolio:
      if (!f.large_folio_swapin) return "it has no large swap-in (242d12c98174, v6.12)";
      if (f.swap_cache_pin != Features::SwapCachePin::kTableFolio) {
        return "its large swap-in skips the swap cache (swapcache_prepare(entry, nr)), where "
               "swapoff cannot find the folio";
      }
      return "";
    case Knob::kShmemFreeSwapStaleOrder:
      if (f.shmem_swap == Features::ShmemSwap::kNotModelled) {
        return "its shmem swap paths are not modelled (6.18.35's and 7.1.5's are)";
      }
      return "";
    case Knob::kZswapLargeStoreUncountedRollback:
      if (!f.zswap_large_store) {
        return "its zswap_store() refuses large folios (b7c0ccdfbafd, v6.13, stores them)";
      }
      return "";
    case Knob::kMemcgSwapinChargeBeforePin:
      // Before the swap table, __read_swap_cache_async() charges after
      // swapcache_prepare() has pinned the entry.
      if (f.swap_cache_pin != Features::SwapCachePin::kTableFolio) {
        return "its swap-in charges the folio after swapcache_prepare() pins the entry "
               "(swap_cache_alloc_folio() is v7.0's)";
      }
      return "";
    case Knob::kZswapExclusiveLoadPrivate:
      if (!f.zswap_exclusive_loads) return "its zswap_load() never frees the entry (no exclusive loads)";
      [[fallthrough]];
    case Knob::kSkipSwapcacheUnpinned:
    case Knob::kDoSwapPageNoPin:
      // Each restores code of the fault that skips the swap cache.
      if (f.swap_cache_pin == Features::SwapCachePin::kTableFolio) {
        return "do_swap_page() has no skip-swapcache path (v7.0 removed it)";
      }
      return "";
    case Knob::kFreeSwapAndCacheNoPin:
      if (f.swap_cache_pin == Features::SwapCachePin::kTableFolio) {
        return "free_swap_and_cache() became swap_put_entries_direct() in v7.0, which pins the "
               "device";
      }
      return "";
    case Knob::kZramWbEndioUaf:
    case Knob::kZramWbLeaksReservedBlock:
      // The batched writeback came with f405066a1f0d (v6.19); before, zram
      // waited for each write with submit_bio_wait() and had no wb_ctl.
      if (f.zram_writeback != Features::ZramWriteback::kBatched) {
        return "its zram writes back each slot with submit_bio_wait(): no wb_ctl and no "
               "zram_writeback_endio() (batched writeback came in v6.19)";
      }
      return "";
    case Knob::kZswapAcompUnsyncedCpuDead:
      if (f.zswap_acomp_ctx == Features::ZswapAcompCtx::kPoolLifetime) {
        return "its zswap contexts live as long as the pool: no zswap_cpu_comp_dead()";
      }
      return "";
    case Knob::kReclaimRetryUsesFolioEntry:
      if (!f.try_to_reclaim_swap_retries) {
        return "its __try_to_reclaim_swap() has no retry (fae8595505313 added it in v6.15)";
      }
      return "";
    default:
      return "";
  }
}



}  // namespace swapfuzz
