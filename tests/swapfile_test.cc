// mm/swapfile.c and mm/swap_slots.c: the swap_map primitives declared in
// model/step.h, called directly on a freshly reset machine. Each case sets a
// slot's map byte, applies one primitive and checks the return code, the map,
// the device accounting, zram, and the swap-count oracle.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/drivers/block/zram/zram_drv.h"
#include "model/executor.h"
#include "model/mm/swapfile.h"
#include "model/step.h"
#include "tests/model_test_util.h"

namespace swapfuzz {
namespace {

using namespace ::swapfuzz::testing;  // NOLINT

constexpr int kENOENT = -2;
constexpr int kEEXIST = -17;
constexpr uint8_t HC = SWAP_HAS_CACHE;

std::string FirstSignature(const Kernel& k) {
  const Finding* f = k.findings.First();
  return f != nullptr ? f->Signature() : std::string();
}

TEST(SwapfileTest, DuplicateAndPrepareReturnCodes) {
  struct Case {
    std::string name;
    uint8_t map;
    int dup_ret;
    uint8_t map_after_dup;
    int prepare_ret;
    uint8_t map_after_prepare;
    std::string dup_signature = "";
  };
  const Case cases[] = {
      {"free slot", 0, kENOENT, 0, kENOENT, 0},
      // The first count of a slot is taken for a folio locked in its swap
      // cache; a reservation with no folio inserted has none.
      {"reserved, cache only, no folio inserted", HC, 0, HC | 1, kEEXIST, HC,
       "swap-count:swap_duplicate:swap-slot"},
      {"one PTE", 1, 0, 2, 0, 1 | HC},
      {"one PTE and the cache", 1 | HC, 0, 2 | HC, kEEXIST, 1 | HC},
      {"three PTEs", 3, 0, 4, 0, 3 | HC},
      {"count at SWAP_MAP_MAX", SWAP_MAP_MAX, kENOENT, SWAP_MAP_MAX, 0, SWAP_MAP_MAX | HC,
       "swap-count:swap_duplicate:swap-slot"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    {
      Executor ex;
      Kernel& k = FreshKernel(ex);
      k.si.swap_map[4] = c.map;
      EXPECT_EQ(swap_duplicate(k, 4), c.dup_ret);
      EXPECT_EQ(k.si.swap_map[4], c.map_after_dup);
      EXPECT_EQ(FirstSignature(k), c.dup_signature);
    }
    {
      Executor ex;
      Kernel& k = FreshKernel(ex);
      k.si.swap_map[4] = c.map;
      EXPECT_EQ(swapcache_prepare(k, 4), c.prepare_ret);
      EXPECT_EQ(k.si.swap_map[4], c.map_after_prepare);
      EXPECT_EQ(FirstSignature(k), "") << "-ENOENT and -EEXIST are not bugs";
    }
  }
}

// swap_free() drops one PTE reference. At zero __swap_entry_free_locked()
// leaves the map at SWAP_HAS_CACHE, and free_swap_slot() either batch-frees it
// at once (map 0, inuse_pages down, swap_range_free() -> zram discards the
// copy) or, with an active slots cache, parks it in slots_ret still reserved.
TEST(SwapfileTest, SwapFreeReleasesTheSlot) {
  struct Case {
    std::string name;
    int slots_cache_size;
    uint8_t map;
    uint8_t map_after;
    bool freed;   // the slot went back to the device
    bool parked;  // in slots_ret
  };
  const Case cases[] = {
      {"last reference, no slots cache", 0, 1, 0, true, false},
      {"last reference, slots cache", 4, 1, HC, false, true},
      {"one of two references", 0, 2, 1, false, false},
      {"one of two references, slots cache", 4, 2, 1, false, false},
      {"last PTE reference of a cached slot", 0, 1 | HC, HC, false, false},
      {"last PTE reference of a cached slot, slots cache", 4, 1 | HC, HC, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex, RunConfig{.slots_cache_size =
                                              static_cast<uint8_t>(c.slots_cache_size)});
    Cpu& cpu = k.cpus[0];
    StoredInZram(k, 1, c.map, 0x5a);
    swap_free(k, cpu, 1);
    EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
    EXPECT_EQ(k.si.swap_map[1], c.map_after);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.freed ? 0 : 1);
    EXPECT_EQ(k.zram.table[1].state,
              c.freed ? ZramSlot::State::kEmpty : ZramSlot::State::kStored);
    EXPECT_EQ(k.zram.stored_pages, c.freed ? 0 : 1);
    EXPECT_EQ(cpu.slots_cache.n_ret, c.parked ? 1 : 0);
    if (c.parked) {
      EXPECT_EQ(cpu.slots_cache.slots_ret[0], 1);
      // The parked slot cannot be handed out again.
      EXPECT_NE(get_swap_pages(k), 1);
      // Draining the cache frees it for good.
      drain_slots_cache_cpu(k, cpu.on_cpu);
      EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
      EXPECT_EQ(cpu.slots_cache.n_ret, 0);
      EXPECT_EQ(k.si.swap_map[1], 0);
      EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
    }
  }
}

// put_swap_page() drops SWAP_HAS_CACHE; with no PTE reference left the slot
// is freed exactly like swap_free()'s last reference.
TEST(SwapfileTest, PutSwapPageAndSwapcacheClearDropTheCacheFlag) {
  struct Case {
    std::string name;
    std::function<void(Kernel&, Cpu&, Offset)> drop;
    uint8_t map;
    uint8_t map_after;
    bool freed;
  };
  const auto put = [](Kernel& k, Cpu& c, Offset off) { put_swap_page(k, c, off); };
  const auto clear = [](Kernel& k, Cpu& c, Offset off) { swapcache_clear(k, c, off); };
  const std::vector<Case> cases = {
      {"put_swap_page, cache only", put, HC, 0, true},
      {"put_swap_page, a PTE left", put, 2 | HC, 2, false},
      {"swapcache_clear, pin only", clear, HC, 0, true},
      {"swapcache_clear, a PTE left", clear, 1 | HC, 1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    StoredInZram(k, 2, c.map, 0x5a);
    c.drop(k, k.cpus[0], 2);
    EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
    EXPECT_EQ(k.si.swap_map[2], c.map_after);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.freed ? 0 : 1);
    EXPECT_EQ(k.zram.table[2].state,
              c.freed ? ZramSlot::State::kEmpty : ZramSlot::State::kStored);
  }
}

// The per-CPU slots cache: allocation refills `size` reservations at once; a
// freed slot waits in slots_ret until the return buffer is full (then the
// whole batch is freed) or the cache is drained.
TEST(SwapfileTest, SlotsCacheBatchesFrees) {
  struct Case {
    std::string name;
    int size;
    int frees;          // slots 1..frees get their last reference dropped, in order
    int parked;         // left in slots_ret
    int freed;          // slots 1..freed are back to 0
  };
  const Case cases[] = {
      {"no cache: every free is immediate", 0, 3, 0, 3},
      {"size 2, two frees: both parked", 2, 2, 2, 0},
      {"size 2, three frees: the full batch goes, the third waits", 2, 3, 1, 2},
      {"size 4, three frees: all parked", 4, 3, 3, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex, RunConfig{.slots_cache_size = static_cast<uint8_t>(c.size)});
    Cpu& cpu = k.cpus[0];
    for (Offset off = 1; off <= c.frees; ++off) StoredInZram(k, off, 1, 0x100 + off);
    for (Offset off = 1; off <= c.frees; ++off) swap_free(k, cpu, off);
    EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
    EXPECT_EQ(cpu.slots_cache.n_ret, c.parked);
    for (Offset off = 1; off <= c.frees; ++off) {
      SCOPED_TRACE("offset " + std::to_string(off));
      const bool freed = off <= c.freed;
      EXPECT_EQ(k.si.swap_map[off], freed ? 0 : HC);
      EXPECT_EQ(k.zram.table[off].state,
                freed ? ZramSlot::State::kEmpty : ZramSlot::State::kStored);
    }
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.frees - c.freed);
    drain_slots_cache_cpu(k, cpu.on_cpu);
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
    for (Offset off = 1; off <= c.frees; ++off) EXPECT_EQ(k.si.swap_map[off], 0);
    EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
  }
}

TEST(SwapfileTest, SlotsCacheRefillsAndDrainsReservations) {
  struct Case {
    int size;
    int allocations;
  };
  for (const Case& c : {Case{0, 2}, Case{3, 1}, Case{3, 4}}) {
    SCOPED_TRACE("size " + std::to_string(c.size) + ", " + std::to_string(c.allocations) +
                 " allocations");
    Executor ex;
    Kernel& k = FreshKernel(ex, RunConfig{.slots_cache_size = static_cast<uint8_t>(c.size)});
    Cpu& cpu = k.cpus[0];
    for (int i = 0; i < c.allocations; ++i) {
      const Offset off = get_swap_page(k, cpu);
      EXPECT_EQ(off, i + 1) << "lowest first";
      EXPECT_EQ(k.si.swap_map[off], HC) << "handed out reserved";
    }
    // Reservations are whole refills of `size`.
    const int refills = c.size == 0 ? 0 : (c.allocations + c.size - 1) / c.size;
    const int reserved = c.size == 0 ? c.allocations : refills * c.size;
    EXPECT_EQ(k.swap_info[0].inuse_pages, reserved);
    EXPECT_EQ(cpu.slots_cache.nr, reserved - c.allocations);
    // Draining returns the unused reservations only.
    drain_slots_cache_cpu(k, cpu.on_cpu);
    EXPECT_EQ(cpu.slots_cache.nr, 0);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.allocations);
    for (Offset off = 1; off <= c.allocations; ++off) EXPECT_EQ(k.si.swap_map[off], HC);
    for (Offset off = c.allocations + 1; off <= reserved; ++off) {
      EXPECT_EQ(k.si.swap_map[off], 0);
    }
    EXPECT_FALSE(k.findings.fatal) << FirstSignature(k);
  }
}

// swap_range_free() tells zram the slot is free; zram's notify only trylocks,
// so a slot being read keeps its object (miss_free).
TEST(SwapfileTest, FreedSlotDiscardsItsZramCopy) {
  struct Case {
    std::string name;
    int8_t zram_lock_holder;
    ZramSlot::State state;
    int miss_free;
  };
  const Case cases[] = {
      {"slot lock free", -1, ZramSlot::State::kEmpty, 0},
      {"slot lock held by a reader", 1, ZramSlot::State::kStored, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    StoredInZram(k, 3, 1, 0x33);
    k.zram.table[3].lock_holder = c.zram_lock_holder;
    swap_free(k, k.cpus[0], 3);
    EXPECT_EQ(k.si.swap_map[3], 0);
    EXPECT_EQ(k.zram.table[3].state, c.state);
    EXPECT_EQ(k.zram.miss_free, c.miss_free);
  }
}

// vm_swap_full(): fewer than half the slots (the header excluded) are free.
TEST(SwapfileTest, VmSwapFullThreshold) {
  struct Case {
    int nslots;
    int inuse;
    bool full;
  };
  const Case cases[] = {
      {16, 0, false}, {16, 7, false}, {16, 8, true},  {16, 15, true},
      {2, 0, false},  {2, 1, true},   {5, 2, false},  {5, 3, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.inuse) + " of " + std::to_string(c.nslots - 1) + " in use");
    Executor ex;
    Kernel& k = FreshKernel(ex, RunConfig{.nslots = static_cast<int16_t>(c.nslots)});
    for (int i = 0; i < c.inuse; ++i) ASSERT_NE(get_swap_pages(k), kNoOffset);
    EXPECT_EQ(k.swap_info[0].inuse_pages, c.inuse);
    EXPECT_EQ(vm_swap_full(k), c.full);
  }
}

// swapoff's first section subtracts the device from nr_swap_pages and
// total_swap_pages, so from then on vm_swap_full() holds while any slot is in
// use, however large the device; with no device it never holds.
TEST(SwapfileTest, VmSwapFullWhileSwapoffRuns) {
  struct Case {
    const char* state;
    int inuse;
    bool writeok;
    bool active;
    bool full;
  };
  const Case cases[] = {
      {"swapoff running, one slot in use", 1, false, true, true},
      {"swapoff running, nothing in use", 0, false, true, false},
      {"device on, one slot in use", 1, true, true, false},
      {"no device", 0, false, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state);
    Executor ex;
    Kernel& k = FreshKernel(ex, RunConfig{.nslots = 16});
    for (int i = 0; i < c.inuse; ++i) ASSERT_NE(get_swap_pages(k), kNoOffset);
    k.swap_info[0].writeok = c.writeok;
    k.swap_info[0].active = c.active;
    EXPECT_EQ(vm_swap_full(k), c.full);
  }
}

TEST(SwapfileTest, GetSwapPagesTakesTheLowestFreeOffset) {
  struct Case {
    std::string name;
    std::vector<uint8_t> maps;  // offsets 1.. of a device of 1 + maps.size() slots
    Offset expect;
  };
  const std::vector<Case> cases = {
      {"empty device", {0, 0, 0}, 1},
      {"first two in use", {1, HC, 0}, 3},
      {"a hole", {1, 0, 2}, 2},
      {"full", {1, HC, 1 | HC}, kNoOffset},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k =
        FreshKernel(ex, RunConfig{.nslots = static_cast<int16_t>(c.maps.size() + 1)});
    for (size_t i = 0; i < c.maps.size(); ++i) {
      if (c.maps[i] != 0) StoredInZram(k, static_cast<Offset>(i + 1), c.maps[i], 0x5a);
    }
    const int inuse = k.swap_info[0].inuse_pages;
    EXPECT_EQ(get_swap_pages(k), c.expect);
    if (c.expect != kNoOffset) {
      EXPECT_EQ(k.si.swap_map[c.expect], HC);
      EXPECT_EQ(k.si.generation[c.expect], 1u);
      EXPECT_EQ(k.swap_info[0].inuse_pages, inuse + 1);
    } else {
      EXPECT_EQ(k.swap_info[0].inuse_pages, inuse);
    }
  }
}

// try_to_free_swap(): drops a locked swap cache page once no PTE references
// its slot.
TEST(SwapfileTest, TryToFreeSwap) {
  struct Case {
    std::string name;
    uint8_t map;
    bool locked;
    bool freed;
    std::string signature;
  };
  // (Unlocked, delete_from_swap_cache() refuses too; only the first report,
  // the VM_BUG_ON_PAGE, is checked.)
  const std::vector<Case> cases = {
      {"no PTE left", HC, true, true, ""},
      {"a PTE still holds the slot", 1 | HC, true, false, ""},
      {"page not locked", HC, false, true, "page-state:try_to_free_swap:page"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    StoredInZram(k, 1, c.map, 0x5a);
    const PageId id = alloc_page(k);
    Page& p = k.pages[id];
    p.swapbacked = p.uptodate = true;
    p.locked = c.locked;
    p.swapcache = true;
    p.private_offset = 1;
    ++p.refcount;  // the swap cache's
    k.swap_cache[1] = id;
    EXPECT_EQ(try_to_free_swap(k, k.cpus[0], id), c.freed);
    EXPECT_EQ(FirstSignature(k), c.signature);
    if (!c.signature.empty()) continue;
    if (c.freed) {
      EXPECT_FALSE(p.swapcache);
      EXPECT_EQ(k.swap_cache[1], kNoPage);
      EXPECT_EQ(p.refcount, 1);
      EXPECT_TRUE(p.dirty) << "the page is the only copy now";
      EXPECT_EQ(k.si.swap_map[1], swap_count(c.map));
    } else {
      EXPECT_TRUE(p.swapcache);
      EXPECT_EQ(k.swap_cache[1], id);
      EXPECT_EQ(k.si.swap_map[1], c.map);
    }
  }
}

// The swap-count oracle fires where the kernel would WARN ("Unused swap offset
// entry", "swap_map count underflow") or BUG (VM_BUG_ON(!has_cache),
// VM_BUG_ON(count != SWAP_HAS_CACHE)); correct uses stay clean.
TEST(SwapfileTest, SwapCountOracle) {
  struct Case {
    std::string name;
    uint8_t map;
    std::function<void(Kernel&, Cpu&, Offset)> call;
    std::string signature;  // "" must stay clean
  };
  const auto sfree = [](Kernel& k, Cpu& c, Offset off) { swap_free(k, c, off); };
  const auto put = [](Kernel& k, Cpu& c, Offset off) { put_swap_page(k, c, off); };
  const auto clear = [](Kernel& k, Cpu& c, Offset off) { swapcache_clear(k, c, off); };
  const auto batch = [](Kernel& k, Cpu&, Offset off) { swapcache_free_entries(k, &off, 1); };
  const std::vector<Case> cases = {
      {"swap_free of an unused entry", 0, sfree, "swap-count:swap_free:swap-slot"},
      {"swap_free with only SWAP_HAS_CACHE left", HC, sfree, "swap-count:swap_free:swap-slot"},
      {"swap_free of a used entry", 1, sfree, ""},
      {"put_swap_page without SWAP_HAS_CACHE", 1, put, "swap-count:put_swap_page:swap-slot"},
      {"put_swap_page of an unused entry", 0, put, "swap-count:put_swap_page:swap-slot"},
      {"put_swap_page with SWAP_HAS_CACHE", 1 | HC, put, ""},
      {"swapcache_clear without SWAP_HAS_CACHE", 1, clear,
       "swap-count:swapcache_clear:swap-slot"},
      {"swapcache_clear with SWAP_HAS_CACHE", 1 | HC, clear, ""},
      {"batch free of a slot still referenced", 1, batch,
       "swap-count:swapcache_free_entries:swap-slot"},
      {"batch free of a reserved slot", HC, batch, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Executor ex;
    Kernel& k = FreshKernel(ex);
    if (c.map != 0) StoredInZram(k, 5, c.map, 0x5a);
    c.call(k, k.cpus[0], 5);
    EXPECT_EQ(FirstSignature(k), c.signature)
        << (k.findings.nkept > 0 ? k.findings.kept[0].message.data() : "");
    EXPECT_EQ(k.findings.fatal, !c.signature.empty());
    if (!c.signature.empty() && k.findings.First() != nullptr) {
      EXPECT_EQ(k.findings.First()->cpu, 0);
    }
  }
}

// mm/swap_slots.c per release (Features::slots_cache), with
// slots_cache_size 2: v6.9 reserves two slots at the first allocation and
// parks a freed slot in slots_ret until the cache is drained. 6.15 removed
// the caches, so v6.18.y and v7.1.y take one slot at a time and free it at
// once; 6.12 has them but switches them on only above ncpus * 320 free
// slots, so v6.12.y runs without them too.
TEST(SwapfileTest, SlotsCacheOnlyWhereTheReleaseHasIt) {
  struct Case {
    std::string profile;
    bool cache;
  };
  const Case cases[] = {
      {"v6.9", true}, {"v6.12.y", false}, {"v6.18.y", false}, {"v7.1.y", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    const int failures = FailureCount();
    Schedule s;
    s.config.profile = c.profile;
    s.config.slots_cache_size = 2;
    s.cpus = {CpuProgram{0, {Write(0, 0x91), Reclaim(0), Munmap(0)}}};
    Executor ex;
    ProbeDecider d(ex, s.decisions);
    const size_t reclaimed = d.SnapshotAfter(StepId::kRemoveMapping, 0);
    const size_t zapped = d.SnapshotAfter(StepId::kZapOne, 0);
    const ReplayOutput out = MustRunProbed(ex, s, d);
    const Kernel& k = ex.kernel();
    EXPECT_FALSE(out.finding.has_value());
    ASSERT_TRUE(d.AllFired()) << Describe(out);

    // After the swap-out: one slot for the page, and (v6.9) one spare.
    const Kernel& r = *d.Snapshot(reclaimed);
    EXPECT_EQ(r.cpus[0].slots_cache.nr, c.cache ? 1 : 0);
    EXPECT_EQ(r.swap_info[0].inuse_pages, c.cache ? 2 : 1);
    EXPECT_EQ(r.si.swap_map[2], c.cache ? HC : 0);
    EXPECT_EQ(swap_count(r.si.swap_map[1]), 1);

    // After the unmap: parked reserved (v6.9), or free with its zram copy gone.
    const Kernel& z = *d.Snapshot(zapped);
    EXPECT_EQ(z.cpus[0].slots_cache.n_ret, c.cache ? 1 : 0);
    EXPECT_EQ(z.si.swap_map[1], c.cache ? HC : 0);
    EXPECT_FALSE(z.si.table_used[1]);
    EXPECT_EQ(z.zram.table[1].state,
              c.cache ? ZramSlot::State::kStored : ZramSlot::State::kEmpty);
    EXPECT_EQ(z.swap_info[0].inuse_pages, c.cache ? 2 : 0);
    EXPECT_EQ(z.cpus[0].slots_cache.nr + z.cpus[0].slots_cache.n_ret, c.cache ? 2 : 0);
    // Drained at the end either way.
    EXPECT_EQ(k.si.swap_map[1], 0);
    EXPECT_EQ(k.swap_info[0].inuse_pages, 0);
    EXPECT_EQ(k.zram.table[1].state, ZramSlot::State::kEmpty);
    if (FailureCount() != failures) std::cerr << Describe(out);
  }
}

}  // namespace
}  // namespace swapfuzz
