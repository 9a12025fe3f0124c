// Historical bugs as knobs, and kernel releases as profiles.
//
// Every knob names one mainline fix. Setting the knob restores the code as it was
// before that fix; clearing it runs the fixed code. The model's paths test knobs;
// the oracles never do. A profile is the set of knobs that were still set in a
// released kernel, so `v5.16` runs the swap path as 5.16 shipped it.

#ifndef SWAPFUZZ_MODEL_KNOBS_H_
#define SWAPFUZZ_MODEL_KNOBS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace swapfuzz {

// X(enumerator, knob name, fix hash, fix title, releases affected, description)
#define SWAPFUZZ_KNOBS(X)                                                         \
  X(kFreeNotifyOnRead, "free_notify_on_read", "e914d8f00391",                     \
    "mm: fix unexpected zeroed page mapping with zram swap",                      \
    "v4.15 .. v5.17 (fixed in v5.18-rc3; stable 4.19.242, 5.4, 5.10, 5.15, 5.17.4)",                              \
    "swap_readpage() calls swap_slot_free_notify() once a read from a "           \
    "SWP_SYNCHRONOUS_IO device completes, so zram drops its copy as soon as one " \
    "reader has the page in RAM. With CLONE_VM threads a count of 1 does not "    \
    "mean one faulting task: a second thread that skipped the swap cache reads "  \
    "the emptied zram slot and maps a zero-filled page.")                         \
  X(kFreeNotifySharedSlot, "free_notify_shared_slot", "5df373e95689",             \
    "mm/page_io.c: do not free shared swap slots",                                \
    "v4.15 .. v5.3 (fixed in v5.4; stable 4.19, 5.3)",                                          \
    "swap_slot_free_notify() discards the device copy without checking that "     \
    "the slot has a single user. A forked child that shares the slot and "        \
    "already missed the swap cache then reads the discarded slot.")               \
  X(kSkipSwapcacheUnpinned, "skip_swapcache_unpinned", "13ddaf26be32",            \
    "mm/swap: fix race when skipping swapcache",                                  \
    "v4.15 .. v6.7 (fixed in v6.8; stable 6.1, 6.6; CVE-2024-26759)",                              \
    "do_swap_page() reads a SWP_SYNCHRONOUS_IO slot into a private page without " \
    "pinning the entry with swapcache_prepare(). Another thread can map its own " \
    "copy, free the slot, and have it reallocated to the same PTE, so the "       \
    "first thread's pte_same() passes on a recycled entry (ABA) and it maps "     \
    "stale data and frees the new owner's swap reference.")                       \
  X(kZswapWbNoRecheck, "zswap_wb_no_recheck", "04fc7816089c",                      \
    "mm: fix zswap writeback race condition",                                     \
    "v3.11 .. v6.3 (fixed in v6.4; stable 6.1.30, 6.3.4; CVE-2023-53178)",         \
    "zswap_writeback_entry() holds a reference on the zswap entry it writes "     \
    "back, but that does not stop the swap slot from being invalidated and "     \
    "reused. Once __read_swap_cache_async() has allocated the new swap cache "   \
    "page (ZSWAP_SWAPCACHE_NEW), nothing checks that the entry is still the one " \
    "in the tree: a fault can have freed the slot and reclaim stored another "    \
    "page at the same offset, and the shrinker then writes the old data to the " \
    "slot and leaves it in the swap cache, where the new owner maps it.")        \
  X(kZswapWbStaleFolioLeak, "zswap_wb_stale_folio_leak", "e3b63e966cac",          \
    "mm: zswap: fix missing folio cleanup in writeback race path",               \
    "v6.4 .. v6.7 (introduced by 04fc7816089c, fixed in v6.8; stable 6.1, 6.6, 6.7)", \
    "When the writeback recheck finds the entry replaced, it deletes the new "   \
    "folio from the swap cache but neither unlocks nor puts it. The folio was "  \
    "returned locked with a reference by __read_swap_cache_async(), so it is "   \
    "stranded: locked forever, and anyone who looks it up later sleeps on it.") \
  X(kZswapDupStoreKeepsOld, "zswap_dup_store_keeps_old", "ca56489c2f1d",          \
    "mm: zswap: fix potential memory corruption on duplicate store",             \
    "v6.6-rc1 .. v6.6-rc3 (introduced by 42c06a0e8ebe 'mm: kill frontswap', fixed in v6.6-rc4; never in a release)", \
    "Without frontswap's __frontswap_store(), nothing invalidates an old zswap " \
    "entry before a swap cache page that was written out, dirtied again, is "    \
    "stored again. The old entry is only replaced when the new store succeeds; " \
    "if the store is rejected (pool full, zswap disabled) the page goes to the " \
    "backing device while the stale entry stays in the tree, where loads find " \
    "it and LRU writeback copies it over the newer data on the device.")        \
  X(kZswapDupInvalidateOnlyEnabled, "zswap_dup_invalidate_only_enabled", "678e54d4bb9a", \
    "mm/zswap: invalidate duplicate entry when !zswap_enabled",                  \
    "v6.6 .. v6.7 (introduced by 42c06a0e8ebe, fixed in v6.8; stable 6.6, 6.7)",  \
    "zswap_store() returns at once when zswap is disabled, before it "           \
    "invalidates a duplicate entry for the offset. zswap can be disabled at "    \
    "any time, so a page stored, dirtied again and written out after the "       \
    "administrator disabled zswap goes to the backing device while its old "     \
    "entry stays in the tree; a load or LRU writeback brings the old data back.") \
  X(kZswapExclusiveLoadPrivate, "zswap_exclusive_load_private_folio", "25cd241408a2", \
    "mm: zswap: fix data loss on SWP_SYNCHRONOUS_IO devices",                    \
    "v6.5 .. v6.8 with exclusive loads on (introduced by b9c91c43412f, fixed in v6.9-rc2; no stable backport)", \
    "An exclusive load frees the zswap entry after decompressing it, assuming "  \
    "the swap cache now owns the only copy. do_swap_page() reads a "             \
    "SWP_SYNCHRONOUS_IO slot into a private folio outside the swap cache and "   \
    "drops it when the fault fails (pte_same() lost a race). The data is then "  \
    "gone from zswap; the retried fault reads the backing device, which never "  \
    "held it, and maps zeros or stale data.")                                    \
  X(kZswapLruWbBeforePin, "zswap_lru_wb_before_pin", "5878303c5353",             \
    "mm/zswap: fix race between lru writeback and swapoff",                      \
    "v3.11 .. v6.8 (fixed in v6.9; the zswap-LRU shrinker of v6.5 .. v6.8, and the zpool-LRU writeback before it, which reads zswap_trees[type] the same way)", \
    "The LRU shrinker takes the swap type's zswap tree pointer from the entry " \
    "it isolated and locks the tree before anything holds off swapoff. Swapoff " \
    "can free every entry and kfree() the tree in between (zswap_swapoff()), so " \
    "the shrinker locks freed memory. The fix pins the swap entry first, by "    \
    "allocating the swap cache folio, and only then looks at the tree.")        \
  X(kDoSwapPageNoPin, "do_swap_page_no_get_swap_device", "2799e77529c2",         \
    "swap: fix do_swap_page() race with swapoff",                                \
    "v4.15 .. v5.13 (fixed in v5.14; the 5.12/5.13 stable backports were reverted)", \
    "do_swap_page() does not hold the swap device across the fault. On the "     \
    "SWP_SYNCHRONOUS_IO skip-swapcache path nothing else does either: no page "  \
    "lock and no SWAP_HAS_CACHE. swapoff can unuse the PTE, free swap_map and "  \
    "tear the device down between the skip test and swap_readpage(), which "     \
    "then uses the freed swap_info fields.")                                     \
  X(kFreeSwapAndCacheNoPin, "free_swap_and_cache_no_get_swap_device", "82b1c07a0af6", \
    "mm: swap: fix race between free_swap_and_cache() and swapoff()",            \
    "v4.11 .. v6.8 (introduced by 7c00bafee87c, fixed in v6.9; stable 5.15.154, 6.1.84, 6.6.24, 6.8; CVE-2024-26960)", \
    "free_swap_and_cache() looks the device up with _swap_info_get(), which "    \
    "does not hold off swapoff. After its __swap_entry_free() leaves only the "  \
    "cache reference, another task can free the swap cache page, inuse_pages "   \
    "drops to zero and swapoff frees swap_map, while free_swap_and_cache() "     \
    "goes on to read swap_map and the swap cache in __try_to_reclaim_swap().")    \
  X(kUnusePteNoFolioCheck, "unuse_pte_no_folio_check", "ae38eb210590",           \
    "mm, swap: always lock and check the swap cache folio before use",           \
    "v6.4 .. v6.17 with zswap writeback (swapoff hangs on v6.4 .. v6.7; data loss "  \
    "from v6.8 and in stable 6.1.80+, 6.6.19+, 6.7.7+ and 6.12.y); fixed in v6.18, "   \
    "no stable tag; the hash is mm-stable's, mainline's unconfirmed; found by swapfuzz", \
    "unuse_pte() trusts the folio try_to_unuse() looked up and locked: it "      \
    "rechecks only the PTE. zswap writeback can add a folio for the entry to "   \
    "the swap cache, find its zswap entry stale, and delete the never-read "     \
    "folio from the swap cache again; a swapoff that looked the folio up in "    \
    "between sleeps on its lock and then gets a folio that is neither uptodate " \
    "nor the entry's. unuse_pte() installs a poisoned entry and frees the "      \
    "slot, and with it the zswap copy of the data. Before e3b63e966cac the "     \
    "stale folio was never unlocked, and swapoff slept on it forever. The fix "  \
    "checks folio_matches_swap_entry() first and leaves the PTE for "            \
    "try_to_unuse()'s next pass.")                                               \
  X(kZeromapStaleZswapEntry, "zeromap_keeps_stale_zswap_entry", "",            \
    "none yet: swap-out of a zero-filled folio keeps the slot's old zswap entry", \
    "v6.12 .. v7.1.5 at least, with zswap writeback (introduced by 0ca0c24e3211 " \
    "'mm: store zero pages to be swapped out in a bitmap'); no fix known; found " \
    "by swapfuzz",                                                               \
    "swap_writepage()/swap_writeout() sends a zero-filled folio to the zeromap " \
    "and returns before zswap_store(), whose store or failure path is what "     \
    "drops an older zswap entry of the slot. A folio that stayed in the swap "   \
    "cache after zswap stored it, was mapped again and rewritten with zeros, "   \
    "keeps that entry when it is swapped out again. Reads take the zeromap "     \
    "first, but zswap writeback finds the entry still current, decompresses "    \
    "the old data into a new swap cache folio and writes it to the device; a "   \
    "fault then maps the old data. Clearing the knob runs the fix the model "    \
    "proposes: drop the old entry when the zeromap bit is set, as a failed "     \
    "zswap_store() does.") \
  X(kZramWbEndioUaf, "zram_wb_endio_uaf", "bf62f69574b1",                        \
    "zram: fix use-after-free in zram_writeback_endio",                          \
    "v6.19 .. v7.0 (introduced by f405066a1f0d, fixed in v7.1-rc; backported to 7.0.y)", \
    "zram's batched writeback completes each write bio in "                      \
    "zram_writeback_endio(), which adds the request to wb_ctl's done list under " \
    "done_lock, drops the lock and only then calls wake_up(&wb_ctl->done_wait). " \
    "The writeback task can take the request off the list in between, see "      \
    "num_inflight reach zero, leave zram_writeback_slots() and kfree() wb_ctl in " \
    "release_wb_ctl(): the completion's wake_up() then uses the freed wait "      \
    "queue (seen as a NULL dereference in wake_up). The fix holds "              \
    "rcu_read_lock() across the completion and frees wb_ctl with kfree_rcu().") \
  X(kZramWbLeaksReservedBlock, "zram_wb_leaks_reserved_block", "3e8d8eb8d7f5", \
    "zram: do not leak blk idx at the end of writeback",                        \
    "v6.19 .. v7.1.y (introduced by f405066a1f0d 'zram: introduce writeback "    \
    "bio batching', fixed in v7.2-rc1); found by swapfuzz on 7.1.5 before the "  \
    "fix was known here",                                                        \
    "zram_writeback_slots() reserves a backing-device block before it looks at " \
    "the next picked slot, and passes it on to the slot after when that one "    \
    "lost ZRAM_PP_SLOT (freed, rewritten or read since the scan). When the "     \
    "last picked slots are all skipped, the loop ends with the block still "     \
    "reserved, and nothing after the loop releases it: the block stays set in "  \
    "zram->bitmap, unused, until the device is reset. Cleared, the model "       \
    "releases a block still reserved after the loop, as the fix does.")          \
  X(kReclaimRetryUsesFolioEntry, "reclaim_retry_uses_folio_entry", "a733d8de7f1c", \
    "mm, swap: fix swap cache index error when retrying reclaim",               \
    "v6.15 .. v6.17 (introduced by fae8595505313 'mm, swap: avoid reclaiming "   \
    "irrelevant swap cache', fixed in v6.18)",                                   \
    "__try_to_reclaim_swap() looks the entry's folio up, and only then trylocks " \
    "it; the folio can leave the swap cache in between, and be swapped out "    \
    "again to another slot. The retry that fae8595505313 added when the locked " \
    "folio no longer covers the offset looked up the folio's new entry instead " \
    "of the one it was asked to reclaim: it finds the same folio at its new "   \
    "slot, fails the same range check, and loops for as long as the folio "     \
    "stays there (or, with the folio out of the cache, looks up the header "    \
    "slot and gives up). The fix keeps the entry constant and tests the range " \
    "against folio->swap (6.18.35 spells it folio_matches_swap_entry()). Its "  \
    "message names the allocator's reclaim of cached slots; the zap calls the " \
    "same function.")                                                            \
  X(kZswapAcompUnsyncedCpuDead, "zswap_acomp_unsynced_cpu_dead", "12dcb0ef5406",  \
    "mm: zswap: properly synchronize freeing resources during CPU hotunplug",    \
    "v5.11 .. v6.12 (introduced by 1ec3b5fe6eec 'mm/zswap: move to use "        \
    "crypto_acomp API for hardware acceleration', fixed in v6.13 and 6.12.y; "   \
    "5.15.215 and 6.1.166 still have it; CVE-2025-21693)",                        \
    "zswap_compress() and zswap_decompress() take the current CPU's acomp_ctx "  \
    "with raw_cpu_ptr() and lock its mutex, but neither preemption nor "         \
    "migration is disabled, so the task can run on another CPU while it uses "  \
    "the context. If the first CPU goes down meanwhile, zswap_cpu_comp_dead() "  \
    "frees the context's request, transform and buffer without taking the "     \
    "mutex, and the compression uses freed memory. The fix takes the mutex in "  \
    "zswap_cpu_comp_dead() and sets req to NULL, and acomp_ctx_get_cpu_lock() "   \
    "retries on the CPU the task is on when it finds req NULL.")                 \
  X(kMemcgSwapinChargeBeforePin, "memcg_swapin_charge_before_pin", "",           \
    "none yet: mm, swap: fix potential race of charging into the wrong memcg "   \
    "(Kairui Song, RFC of 2026-04-07, not merged)",                              \
    "7.1.5 at least (the order of 9acbe135588e 'mm/swap: fix swap cache memcg "  \
    "accounting'); no fix known in any release",                                 \
    "__swap_cache_prepare_and_add() (and, for SWP_SYNCHRONOUS_IO devices, "     \
    "do_swap_page()'s __alloc_swap_folio()) charges a new swap-in folio with "  \
    "mem_cgroup_swapin_charge_folio(), which reads the memcg swap_cgroup "       \
    "records for the entry, before swap_cache_add_folio() pins the slot. The "   \
    "slot can be freed meanwhile and allocated to another memcg's folio, which " \
    "is swapped out and leaves the swap cache; the insertion then succeeds, and " \
    "a folio charged to the old memcg caches a slot charged to the new one, "    \
    "which the next fault on the slot maps. Cleared, the model charges after "   \
    "the insertion, as the RFC does.")                                           \
  X(kZswapLargeStoreUncountedRollback, "zswap_large_store_uncounted_rollback",    \
    "63895d20d63b", "mm/zswap: fix inconsistency when zswap_store_page() fails", \
    "v6.13 .. v6.13.4 (introduced by b7c0ccdfbafd in v6.13, fixed in v6.14-rc4; " \
    "stable 6.13.5); no modelled release has it",                                \
    "zswap_store() of a large folio counts zswap_stored_pages (and charges the "  \
    "memcg) only once every page is stored. When a later page fails, the "       \
    "check_old rollback erases the pages already stored with zswap_entry_free(), " \
    "which uncounts and uncharges what was never counted or charged: "           \
    "zswap_stored_pages ends below the entries in the trees.")                   \
  X(kLargeSwapinZeromapUnpinned, "large_swapin_zeromap_unpinned", "",            \
    "none yet: a large swap-in whose range turned partly zeromap after "         \
    "can_swapin_thp() gets SIGBUS (found by swapfuzz)",                          \
    "v6.12 .. v7.1.5 at least (the window came with 242d12c98174 in v6.12); no " \
    "fix known",                                                                 \
    "alloc_swap_folio() checks under the PTL that the large folio's slots have "  \
    "uniform zeromap bits (can_swapin_thp()), then drops the PTL before it pins " \
    "them (swapcache_prepare(entry, nr) on 6.12 and 6.18, swap_cache_add_folio() " \
    "on 7.x), and neither pin looks at the zeromap again. A thread zaps one "    \
    "page's PTE, the slot is freed and reclaim gives it to a zero-filled page, " \
    "which sets its zeromap bit; the pin succeeds, swap_read_folio_zeromap() "   \
    "finds the range mixed and returns without marking the folio uptodate, and " \
    "do_swap_page() raises SIGBUS although the faulting page's data is on the "  \
    "device. Cleared, the model re-tests the zeromap once the range is pinned "  \
    "and falls back as after a lost race (docs/findings/large-swapin-partial-zeromap.md).") \
  X(kUnusePteLargeSwapinFolio, "unuse_pte_large_swapin_folio", "",              \
    "none yet: swapoff's unuse_pte() maps a large swap-in folio its fault has "  \
    "not mapped yet (found by swapfuzz)",                                        \
    "the releases whose large swap-in goes through the swap cache "              \
    "(swapin_folio(): 7.1.5 read; 6.12 and 6.18 take the skip path); no fix known", \
    "swapin_folio() adds a large folio to the swap cache and reads it; zram's "  \
    "synchronous read unlocks it, and do_swap_page() has still to lock it again " \
    "to map it. swapoff's unuse_pte_range() finds it meanwhile, locks it, and "  \
    "unuse_pte() takes the !folio_test_anon() branch that expects order 0: "     \
    "VM_WARN_ON_ONCE(folio_test_large(folio)), then folio_add_new_anon_rmap(), " \
    "which marks every page mapped (and PageAnonExclusive) for the one PTE it "  \
    "installs; the fault's later mapping of another page hits "                  \
    "BUG_ON(PageAnonExclusive(page)). Cleared, unuse_pte() drops such a folio " \
    "from the swap cache, as do_swap_page() drops one it cannot map whole, and " \
    "reads the entry again at order 0 (docs/findings/unuse-pte-large-swapin-folio.md).") \
  X(kShmemFreeSwapStaleOrder, "shmem_free_swap_stale_order", "8a1968bd997f",      \
    "mm/shmem, swap: fix race of truncate and swap entry split",                 \
    "v6.12 .. (introduced by 809bc86517cc, v6.12; fixed in mainline in January " \
    "2026, with 2030dddf9545 after it); 6.12.94, 6.18.35 and 7.1.5 have both "   \
    "fixes; 6.18.35's and 7.1.5's shmem are modelled",                          \
    "shmem_free_swap() reads the entry's order with xa_get_order() under RCU "   \
    "alone, then erases the entry with xa_cmpxchg_irq() under xa_lock and puts " \
    "1 << order slots. A swap-in that splits the large entry in between leaves " \
    "the cmpxchg erasing one order-0 entry while the put frees every slot of "   \
    "the old entry, which the other indices still name; an entry that grew "    \
    "instead is erased whole with one slot put. Nothing keeps the order within " \
    "the range either, and shmem_undo_range()'s second pass retries any entry "  \
    "it could not free. Cleared: the order is read, checked against the range " \
    "and the entry erased in one xa_lock section, and a large entry across the " \
    "range's border is skipped.")

enum class Knob : uint8_t {
#define SWAPFUZZ_KNOB_ENUM(e, ...) e,
  SWAPFUZZ_KNOBS(SWAPFUZZ_KNOB_ENUM)
#undef SWAPFUZZ_KNOB_ENUM
      kCount
};

// A set of knobs, one bit each. Value type; cheap to copy and compare.
class KnobSet {
 public:
  constexpr KnobSet() = default;
  constexpr KnobSet(std::initializer_list<Knob> knobs) {
    for (Knob k : knobs) Set(k, true);
  }
  constexpr bool Has(Knob k) const { return (bits_ >> static_cast<int>(k)) & 1u; }
  constexpr void Set(Knob k, bool on) {
    const uint32_t bit = 1u << static_cast<int>(k);
    bits_ = on ? (bits_ | bit) : (bits_ & ~bit);
  }
  constexpr uint32_t bits() const { return bits_; }
  friend constexpr bool operator==(KnobSet a, KnobSet b) { return a.bits_ == b.bits_; }

 private:
  uint32_t bits_ = 0;
};

// One entry of the bug catalogue.
struct KnobInfo {
  Knob knob;
  std::string_view name;
  std::string_view fix_hash;
  std::string_view fix_title;
  std::string_view affected;
  std::string_view description;
};

// Code that differs between releases without being a bug fix: the shape a
// release's paths had. A profile carries one; schedules do not override it.
struct Features {
  // Where the zswap LRU lives. Before v6.5 the zpool driver (zbud and z3fold,
  // and zsmalloc from v6.2) kept it and called back
  // zswap_writeback_entry(pool, handle); from v6.5 zswap keeps its own (zswap_reclaim_entry(), and from v6.8 the
  // list_lru walked by shrink_memcg_cb()).
  enum class ZswapLru : uint8_t { kZpool, kZswap };
  ZswapLru zswap_lru = ZswapLru::kZswap;
  // zswap_load() frees the entry once it has been read (b9c91c43412f, v6.5,
  // optional; unconditional since c2e2ba770200, v6.9).
  bool zswap_exclusive_loads = true;
  // PG_anon_exclusive (6c287605fd56, v5.19) and its swap PTE bit
  // (1493a1913e34, v6.0): do_swap_page() maps an exclusive swap cache page as
  // exclusive, and do_wp_page() reuses an exclusive page in place, even while
  // it is in the swap cache. Before, v5.16's reuse_swap_page() and page_count
  // test decide, and a page in the swap cache is copied on a write fault.
  bool anon_exclusive = true;
  // The swap zeromap (0ca0c24e3211, v6.12): swap-out of a zero-filled folio
  // sets the slot's bit in si->zeromap and writes nothing; swap_read_folio()
  // fills the folio from the bit before it asks zswap or the device; the slot's
  // free clears it.
  bool zeromap = false;
  // mm/swap_slots.c, the per-CPU caches of allocated and freed slots (v4.13 ..
  // v6.14; 0ff67f990bd4 removed them in v6.15). Without them
  // RunConfig::slots_cache_size has no effect.
  bool slots_cache = true;
  // What keeps a slot's swap cache folio and its count together.
  //   kHasCacheBit (.. v6.18): SWAP_HAS_CACHE in swap_map. swapcache_prepare()
  //     sets it in one critical section and the folio is added in another;
  //     do_swap_page() can skip the swap cache on a SWP_SYNCHRONOUS_IO device.
  //   kTableFolio (v7.0, swap table phase II, d3852f9692b8 and its series): the
  //     swap table's folio word is the pin. No SWAP_HAS_CACHE, no skip path:
  //     swap_cache_alloc_folio() checks, allocates and inserts the locked folio,
  //     and a loser sleeps on its folio lock; folio_alloc_swap() allocates the
  //     slot and inserts the folio in one section; the first count is taken
  //     only by folio_dup_swap() with the folio in the cache; a count dropping to
  //     zero frees the slot at once unless a folio is cached, and removing the
  //     folio frees the slots whose count is zero. do_swap_page() drops the
  //     swap cache after mapping (4b34f1d82c65).
  enum class SwapCachePin : uint8_t { kHasCacheBit, kTableFolio };
  SwapCachePin swap_cache_pin = SwapCachePin::kHasCacheBit;
  // do_swap_page() maps an exclusive folio writable on a read fault too, when
  // the VMA is writable (c18160dba5ff, "mm: swap: reuse exclusive folio
  // directly instead of wp page faults", v6.11); before, only a write fault
  // maps it writable.
  bool swapin_maps_exclusive_writable = false;
  // The callers of the swap cache allocation hold the device: zswap writeback
  // wraps it in get_swap_device() (78524b05f1a3, "mm, swap: avoid redundant
  // swap device pinning", v6.15); before, __read_swap_cache_async() pinned
  // the device itself.
  bool callers_pin_swap_device = false;
  // How zram's writeback_store() moves slots to the backing device.
  //   kOneSlot (.. v6.12): one slot at a time: ZRAM_UNDER_WB, read,
  //     submit_bio_wait(), commit if the slot is still idle (v5.16's shape;
  //     6.12.94 also has pp_in_progress and mark_idle()'s skip of ZRAM_WB and
  //     ZRAM_SAME slots, which the model leaves to kPostProcess).
  //   kPostProcess (v6.13 .. v6.18, "zram: optimal post-processing target
  //     selection"): pp_in_progress turns a second writer away with -EAGAIN;
  //     one scan marks the slots it picks ZRAM_PP_SLOT; then per slot: [slot
  //     lock] read it if still ZRAM_PP_SLOT, submit_bio_wait(), [slot lock]
  //     commit if still ZRAM_PP_SLOT. A slot freed, rewritten or read loses
  //     the flag.
  //   kBatched (f405066a1f0d, v6.19): dev_lock held for write, the same scan,
  //     a write bio per slot without waiting, each finished in
  //     zram_writeback_complete() once zram_writeback_endio(), in the
  //     completion interrupt, has put it on wb_ctl's done list.
  enum class ZramWriteback : uint8_t { kOneSlot, kPostProcess, kBatched };
  ZramWriteback zram_writeback = ZramWriteback::kOneSlot;
  // __try_to_reclaim_swap() looks the folio up under RCU, trylocks it in a
  // step of its own, and retries the lookup when the locked folio no longer
  // holds the entry (fae8595505313, v6.15; the lookup's entry kept constant
  // by a733d8de7f1c, v6.18). Older releases use the folio's own entry after
  // the trylock, and the model runs their lookup and trylock as one step.
  bool try_to_reclaim_swap_retries = false;
  // The allocator reclaims a slot that only the swap cache holds
  // (cluster_scan_range() marks it need_reclaim once vm_swap_full();
  // cluster_reclaim_range() drops ci->lock and calls
  // __try_to_reclaim_swap(..., TTRS_ANYWAY)), and allocates it. The kernel's
  // scan meets such a slot wherever its cursor is; the model, whose
  // allocator takes the lowest free slot, reclaims one only when no slot is
  // free, once per allocation. Every release's allocator reclaims
  // (scan_swap_map_slots() before the cluster allocator); the model runs it
  // for v6.18.y and v7.1.y, and leaves the older profiles' allocator, and
  // with it their recorded traces, as they were.
  bool allocator_reclaims_cached_slots = false;
  // VMA-based swap readahead (mm/swap_state.c swap_vma_readahead(), in Linux
  // since v4.14; modelled for 6.12.94, 6.18.35 and 7.1.5): swapin_readahead()
  // takes it when swap_use_vma_readahead(), "enable_vma_readahead &&
  // !nr_rotate_swap", holds, that is on a non-rotational device (zram; the
  // model's disk backend is a rotational disk), and reads the swap PTEs around
  // the fault address instead of the slots around its offset. The VMA keeps
  // the previous fault address, window and readahead hits in
  // swap_readahead_info, and a fault that finds a folio read ahead
  // (PG_readahead) counts a hit. Off, swapin_readahead() is
  // swap_cluster_readahead() always: the older profiles keep that
  // simplification, and their runs as they were.
  bool vma_readahead = false;
  // madvise(MADV_DONTNEED) and madvise(MADV_FREE) run under the per-VMA read
  // lock (madvise_lock() leaves MADVISE_VMA_READ_LOCK to madvise_walk_vmas(),
  // whose try_vma_read_lock() takes lock_vma_under_rcu(); v6.16, read in
  // 6.18.35 and 7.1.5). Off: mmap_read_lock() (madvise_need_mmap_write() is 0
  // for both; read in 5.15.215, 6.1.166 and 6.12.94). Either way the walk runs
  // beside faults of the same mm and excludes munmap and fork
  // (MmLock, model/frame_locals.h); only the lock step differs.
  bool madvise_vma_lock = false;
  // try_to_unmap_one()'s "MADV_FREE page check" puts a clean folio that holds
  // a reference beyond the isolation's and its mappings back in the page
  // table without folio_set_swapbacked(): it stays lazyfree, and a later
  // reclaim may still discard it (6.18.35 and 7.1.5). Off (5.15.215 ..
  // 6.12.94): any folio the check keeps, redirtied or referenced, is made
  // swap-backed again.
  bool lazyfree_referenced_stays_lazy = false;
  // How long zswap's per-CPU compression contexts live.
  //   kFreedOnCpuDead (v5.11 .. v6.18): zswap_cpu_comp_dead() frees a CPU's
  //     request, transform and buffer when the CPU goes down, and
  //     zswap_cpu_comp_prepare() allocates them when it comes up (under the
  //     context's mutex since 12dcb0ef5406; the knob
  //     zswap_acomp_unsynced_cpu_dead restores the code before it).
  //   kPoolLifetime (after 6.18; 7.1.5 has it: "mm: zswap: tie per-CPU
  //     acomp_ctx lifetime to the pool"): the contexts live as long as the
  //     pool. No teardown callback is registered, and compression takes the
  //     mutex of the context raw_cpu_ptr() returns with no recheck.
  enum class ZswapAcompCtx : uint8_t { kFreedOnCpuDead, kPoolLifetime };
  ZswapAcompCtx zswap_acomp_ctx = ZswapAcompCtx::kFreedOnCpuDead;
  // ioctl(UFFDIO_MOVE) (adef440691ba, "userfaultfd: UFFDIO_MOVE uABI", v6.8):
  // move_pages() in mm/userfaultfd.c. Off (before v6.8), userfaultfd_ioctl()
  // does not know the command and returns -EINVAL.
  bool uffd_move = false;
  // move_pages_ptes() moves a batch of present PTEs and returns the bytes it
  // moved (6.18.35 and 7.1.5; "userfaultfd: opportunistic TLB-flush batching
  // for present pages in MOVE"), and move_pages() sets err only from an error:
  // an -EAGAIN stays in err across the retry that then succeeds. Off
  // (6.8 .. 6.12.94): move_pages_pte() returns 0 or an error into err.
  bool uffd_move_batched = false;
  // Several swap devices (RunConfig::swap_devices > 1) as 7.1.5 has them: one
  // swap_avail_head in priority order, DEF_SWAP_PRIO (-1) shared by every
  // device swapped on without a priority, folio_alloc_swap()'s per-CPU fast
  // path and its walk of the avail list, swapoff's wait_for_allocation(), and
  // the readahead pin of another type's device (1c2a936edd71). Off, a
  // configuration with several devices is refused: the model has not read
  // the older releases' allocator in enough detail (docs/multi-device-plan.md).
  bool several_swap_devices = false;
  // Anonymous large folios (mTHP, v6.8's "hugepages-<size>kB/enabled") are
  // swapped out whole (v6.10): do_anonymous_page()'s alloc_anon_folio() maps
  // a folio of up to RunConfig::mthp_order, folio_alloc_swap() takes
  // naturally aligned, contiguous slots, shrink_folio_list() splits a
  // partially mapped folio and one whose slots cannot be allocated, and
  // do_swap_page() maps every PTE of a large folio it finds in the swap
  // cache. Read in 6.12.94, 6.18.35 and 7.1.5. Off, RunConfig::mthp_order > 0
  // is refused.
  bool large_folio_swapout = false;
  // do_swap_page() of a SWP_SYNCHRONOUS_IO device swaps a large folio in
  // (242d12c98174, v6.12): alloc_swap_folio() picks, under the PTL, the
  // highest order whose aligned range can_swapin_thp() accepts (contiguous
  // entries, a uniform zeromap, nothing cached), unless zswap was ever
  // enabled; then swapcache_prepare(entry, nr) on the skip path (6.12.94,
  // 6.18.35) or swapin_folio()'s insertion of the whole range (7.1.5), and
  // do_swap_page() maps it only if swap_pte_batch() still covers it.
  bool large_folio_swapin = false;
  // zswap_store() stores a large folio one page at a time with
  // zswap_store_page(), and on a failure erases every page's entry
  // (b7c0ccdfbafd, v6.13; 6.18.35 and 7.1.5). Off (6.12.94): "Large folios
  // aren't supported", and the folio goes to the device.
  bool zswap_large_store = false;
  // zswap_compress() stores a page that does not compress below PAGE_SIZE as
  // it is, unless memory.zswap.writeback of the folio's memcg is 0, which
  // rejects it (6.18.35 zswap.c:896-907, 7.1.5 zswap.c:884-891). Off, the
  // release rejects every such page, which the model does not model:
  // RunConfig::memcg_zswap_writeback 0 is refused there.
  bool zswap_incompressible_as_is = false;
  // folio_maybe_mapped_shared() (CONFIG_MM_ID, which TRANSPARENT_HUGEPAGE
  // selects; 6.18.35 and 7.1.5 mm.h): a large folio is shared while two mms
  // map it. Off (6.12.94), folio_likely_mapped_shared() guesses: more
  // mappings than pages, or the first page mapped twice. The madvise walks
  // leave a shared large folio whole.
  bool folio_mm_id_sharing = false;
  // free_swap_and_cache_nr() of a batch of swap entries that each have a
  // count of 1 and no cached folio: 6.12.94's __swap_entries_free()
  // (swapfile.c:1525) marks them SWAP_HAS_CACHE under the cluster lock and
  // frees the range after it, under si->lock, in a step of its own. Off
  // (6.18.35 swap_entries_put_map(), 7.1.5 swap_put_entries_cluster()): they
  // are freed in the same cluster-lock section.
  bool swap_batch_freed_after_cluster_lock = false;
  // deferred_split_scan() pins the queued folios into a folio_batch, requeues
  // a partially mapped one it could not split, puts them all at the end
  // (folios_put()) and scans again while nr_to_scan is left (7.1.5
  // huge_memory.c:4514). Off (6.12.94 :3763, 6.18.35 :4140): the pinned
  // folios go to a private list spliced back at the end; a split or dropped
  // folio is put at once, a kept one when the next is kept or after the
  // splice ("swap(folio, prev)").
  bool deferred_split_folio_batch = false;
  // The shmem swap paths the model has for the release (model/mm/shmem.h):
  //   kWritepage (6.12.94): reclaim's shmem_writepage() takes
  //     shmem_swaplist_mutex across add_to_swap_cache(), swap_shmem_alloc()
  //     (SWAP_MAP_SHMEM) and shmem_delete_from_page_cache(); every swap-in
  //     goes through the swap cache (shmem_swapin_cluster()), after
  //     shmem_split_large_entry() has looked at the entry under xa_lock;
  //     the swap-in deletes the folio from the swap cache before
  //     swap_free_nr(); shmem_free_swap() calls free_swap_and_cache_nr();
  //     shmem_unuse() takes the mutex. Its tmpfs has no mTHP (only
  //     PMD-sized folios, shmem_allowable_huge_orders() 612:1725), so the
  //     file is order 0 (config.shmem_huge_order > 0 is refused).
  //   kSwapMapShmem (6.18.35): shmem_writeout() counts each slot with
  //     swap_shmem_alloc(), SWAP_MAP_SHMEM (0xbf), and puts it back with
  //     swap_free_nr(); shmem_swapin_folio() on SWP_SYNCHRONOUS_IO skips the
  //     swap cache (shmem_swap_alloc_folio(): swapcache_prepare(), then the
  //     read), and clears the pin with swapcache_clear() after the add;
  //     shmem_free_swap() calls free_swap_and_cache_nr().
  //   kSwapTable (7.1.5): shmem_writeout() with folio_dup_swap() (a mapping
  //     entry counts 1, as a PTE does; the swap table removed SWAP_MAP_SHMEM),
  //     shmem_swapin_folio() through swapin_folio() on SWP_SYNCHRONOUS_IO,
  //     and swap_put_entries_direct() from shmem_free_swap().
  //   kNotModelled: shmem ops are refused (CheckOpsModelled(),
  //     model/schedule.h).
  enum class ShmemSwap : uint8_t { kNotModelled, kSwapTable, kSwapMapShmem, kWritepage };
  ShmemSwap shmem_swap = ShmemSwap::kNotModelled;
  friend constexpr bool operator==(const Features&, const Features&) = default;
};

// A named kernel release: the knobs it still had set and the shape of its
// code. A knob is set when the release does not have the fix: the code the
// knob restores is what that release runs. For a bug that needs code a
// release does not have at all (MissingCodePath()), the knob is left clear,
// except where the unfixed code is there and only the race around it is not:
// unuse_pte_no_folio_check is set in every release before v6.18, since none
// of them checks the folio in unuse_pte(), though the race needs zswap
// writeback's stale-entry path (v6.4, 6.1.30). A stable branch (name ending
// ".y") is the point release in `release`, as distributions ship it: the
// fixes backported by then are applied, the others are set.
struct Profile {
  std::string_view name;         // what schedules and --profile say: "v6.9", "v6.1.y"
  std::string_view release;      // the release whose code it follows: "Linux 6.1.166"
  std::string_view description;
  KnobSet knobs;
  Features features;
  // The modelled release whose code shapes (Features, and the model files'
  // sources in model/sources.h) this profile shares: itself, or for a stable
  // branch the release its code was checked against.
  std::string_view code_of;
};

// The profile "mainline" stands for in a schedule file, forever: the newest
// release modelled when saved files started to name releases. A file saved
// with "mainline", or without a profile, keeps meaning this release when newer
// ones are modelled.
inline constexpr std::string_view kFileMainlineProfile = "v6.9";

// The profile "mainline" stands for on the command line and in the fuzz
// target table: the newest modelled release. Writers store this name, never
// the alias.
std::string_view NewestProfile();

// The whole catalogue, in enum order.
std::span<const KnobInfo> AllKnobs();
const KnobInfo& InfoFor(Knob knob);
std::optional<Knob> KnobByName(std::string_view name);

// Every profile, oldest release first.
std::span<const Profile> AllProfiles();
// The profile named `name`: a release, or the alias "mainline" (NewestProfile()).
// Null for an unknown name. Files resolve "mainline" to kFileMainlineProfile
// before they get here (ProfileForFile()).
const Profile* ProfileByName(std::string_view name);
// What "mainline" or a release name in a schedule file means: the alias is
// kFileMainlineProfile there, whatever the newest release is.
std::string_view ProfileForFile(std::string_view name);

// Why `knob` cannot be set under `profile` with `knobs` (the knob set the run
// would have): the code the knob restores is not in that release's code
// shape. Empty when it can be set.
std::string_view MissingCodePath(Knob knob, const Profile& profile, KnobSet knobs);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KNOBS_H_
