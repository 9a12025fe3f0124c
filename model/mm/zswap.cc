// mm/zswap.c. Step shapes follow the kernels each profile models (see
// model/mm/zswap.h): the v6.3 zswap.c (zswap_frontswap_store/load,
// zswap_writeback_entry(pool, handle) as patched by 04fc7816089c), and the
// ~v6.7-rc zswap.c stored in torvalds/linux @ 003ae2fb0b36 (zswap_store/load,
// zswap_reclaim_entry) with the v6.9 changes of 5878303c5353, 25cd241408a2 and
// 678e54d4bb9a read from their commit diffs.

#include "model/mm/zswap.h"

#include <optional>

#include "model/mm/memcontrol.h"
#include "model/mm/swap_state.h"

namespace swapfuzz {
namespace {

// shrink_worker() stops after kMaxReclaimRetries (MAX_RECLAIM_RETRIES,
// model/mm/memcontrol.h) failed writebacks in one pass.
constexpr int16_t kEnomem = -12;
constexpr int16_t kEexist = -17;
constexpr int16_t kEagain = -11;
constexpr int16_t kEinval = -22;

bool ZpoolLru(const Kernel& k) {
  return k.config.features.zswap_lru == Features::ZswapLru::kZpool;
}

// zswap_trees[swp_type(entry)]'s id: 0 when the type has no tree.
uint16_t tree_of(const Kernel& k, Offset off) { return k.zswap.tree_id[swp_type(k, off)]; }

// A tree pointer a path holds for `off`: its type's live tree, or a
// use-after-free.
bool tree_live(Kernel& k, uint16_t id, Offset off, Fn fn) {
  if (id != 0 && id == tree_of(k, off)) return true;
  Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kZswapTree, true,
         "zswap tree %d used after zswap_swapoff() freed it", id);
  return false;
}

ZswapEntry& entry_checked(Kernel& k, EntryId id, Fn fn) {
  ZswapEntry& e = k.zswap_entries[id];
  if (e.freed) {
    Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kZswapEntry, true,
           "zswap entry %d (offset %d) used after it was freed", id, e.offset);
  }
  return e;
}

void lru_del(Kernel& k, EntryId id) {
  Zswap& z = k.zswap;
  int n = 0;
  for (int i = 0; i < z.lru_n; ++i) {
    if (z.lru[i] != id) z.lru[n++] = z.lru[i];
  }
  z.lru_n = static_cast<int16_t>(n);
  k.zswap_entries[id].on_lru = false;
}

// acomp_ctx_get_cpu_lock() (6.12.94 zswap.c:908; before 12dcb0ef5406 and in
// 7.1.5 the bare "raw_cpu_ptr(pool->acomp_ctx); mutex_lock(&acomp_ctx->mutex)"),
// at the top of the state that compresses or decompresses. Without hotplug
// ops in the programs (Kernel::cpu_hotplug) the context is never contended
// or freed, so the state runs as one step as before: nullopt, carry on.
// Otherwise taking the mutex is a step of its own: this returns the step's
// result, and the state runs again, past this call, once the task holds the
// mutex. The context is the one raw_cpu_ptr() returned before the task
// slept on the mutex, even if it has moved to another CPU since.
std::optional<StepResult> acomp_ctx_get_cpu_lock(Kernel& k, Cpu& c, Offset off, PageId page) {
  if (!k.cpu_hotplug || c.acomp_locked) return std::nullopt;
  if (c.acomp_ctx < 0) {
    c.acomp_ctx = c.on_cpu;  // raw_cpu_ptr(pool->acomp_ctx)
    if (k.zswap.acomp[c.acomp_ctx].mutex_owner != -1) {
      // mutex_lock() sleeps holding the pointer: a step, since it changed
      // what the task holds; it runs again once the mutex is free.
      Emit(k, c, StepId::kAcompCtxSleep, off, page, static_cast<Token>(c.acomp_ctx));
      c.wait.kind = Wait::Kind::kAcompMutex;
      c.wait.id = c.acomp_ctx;
      return StepResult::kStep;
    }
  }
  AcompCtx& ctx = k.zswap.acomp[c.acomp_ctx];
  if (ctx.mutex_owner != -1) return Block(c, Wait::Kind::kAcompMutex, c.acomp_ctx);
  // 12dcb0ef5406: "if (likely(acomp_ctx->req)) return acomp_ctx;" else the
  // CPU went down since raw_cpu_ptr(): unlock and look again where the task
  // runs now. Before it, and where contexts live as long as the pool, no
  // check.
  if (!ctx.allocated && !k.knob(Knob::kZswapAcompUnsyncedCpuDead) &&
      k.config.features.zswap_acomp_ctx == Features::ZswapAcompCtx::kFreedOnCpuDead) {
    Emit(k, c, StepId::kAcompCtxRetry, off, page, static_cast<Token>(c.acomp_ctx));
    c.acomp_ctx = -1;
    // The loop ends once the task runs on a CPU whose context is there; one
    // that never does (every online CPU without one) is a livelock.
    if (++c.retries > k.config.max_retries) {
      Report(k, Oracle::kLiveness, Fn::kAcompCtxGetCpuLock, ObjectKind::kAcompCtx, true,
             "acomp_ctx_get_cpu_lock() found req NULL %d times; the task is on cpu %d",
             c.retries - 1, c.on_cpu);
    }
    return StepResult::kStep;
  }
  ctx.mutex_owner = static_cast<int8_t>(CpuIndex(k, c));
  c.acomp_locked = true;
  // "dst = acomp_ctx->buffer; ... acomp_ctx->req": the request and buffer
  // this lock hands out.
  c.acomp_generation = ctx.generation;
  Emit(k, c, StepId::kAcompCtxLock, off, page, static_cast<Token>(c.acomp_ctx));
  return StepResult::kStep;
}

// acomp_ctx_put_unlock(): mutex_unlock() of the context the task holds.
void acomp_ctx_put_unlock(Kernel& k, Cpu& c) {
  if (!c.acomp_locked) return;
  k.zswap.acomp[c.acomp_ctx].mutex_owner = -1;
  c.acomp_locked = false;
  c.acomp_ctx = -1;
}

// The compression or decompression itself, then acomp_ctx_put_unlock(): the
// request and buffer must still be there.
void acomp_ctx_use_and_unlock(Kernel& k, Cpu& c, Fn fn) {
  if (!c.acomp_locked) return;
  const AcompCtx& ctx = k.zswap.acomp[c.acomp_ctx];
  if (!ctx.allocated || ctx.generation != c.acomp_generation) {
    Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kAcompCtx, true,
           "the acomp_ctx of cpu %d (request, transform, buffer) used after "
           "zswap_cpu_comp_dead() freed them; the task runs on cpu %d",
           c.acomp_ctx, c.on_cpu);
  }
  acomp_ctx_put_unlock(k, c);
}

// list_add() at the young end; the shrinker takes the old end.
void lru_add(Kernel& k, EntryId id) {
  Zswap& z = k.zswap;
  if (z.lru_n == kMaxZswapEntries) return;
  z.lru[z.lru_n++] = id;
  k.zswap_entries[id].on_lru = true;
}

// zswap_free_entry(): the pool memory and the LRU link go with the entry.
void zswap_free_entry(Kernel& k, EntryId id, Fn fn) {
  ZswapEntry& e = k.zswap_entries[id];
  if (e.in_tree) {
    // v6.5+ zswap_entry_put(): WARN_ON_ONCE(!RB_EMPTY_NODE(&entry->rbnode))
    Report(k, Oracle::kRefcount, fn, ObjectKind::kZswapEntry, true,
           "zswap entry %d (offset %d) freed while still in the tree", id, e.offset);
  }
  if (e.on_lru) lru_del(k, id);
  if (!e.same_filled) --k.zswap.pool_pages;
  --k.zswap.stored_pages;
  e.freed = true;
}

bool zswap_rb_erase(Kernel& k, EntryId id) {
  ZswapEntry& e = k.zswap_entries[id];
  if (!e.in_tree) return false;
  if (k.zswap.tree[e.offset] == id) k.zswap.tree[e.offset] = kNoEntry;
  e.in_tree = false;
  return true;
}

void zswap_entry_get(Kernel& k, EntryId id, Fn fn) { ++entry_checked(k, id, fn).refcount; }

// zswap_entry_put(): v5.16..v6.4 BUG_ON(refcount < 0) and, at zero, erase the
// entry from the tree and free it; v6.5+ WARN_ON_ONCE(refcount < 0) and free
// it, warning if it is still linked.
void zswap_entry_put(Kernel& k, EntryId id, Fn fn) {
  ZswapEntry& e = entry_checked(k, id, fn);
  if (e.freed) return;
  const int refcount = --e.refcount;
  if (refcount < 0) {
    Report(k, Oracle::kRefcount, fn, ObjectKind::kZswapEntry, true,
           "zswap entry %d (offset %d) refcount dropped below zero", id, e.offset);
    return;
  }
  if (refcount > 0) return;
  if (ZpoolLru(k)) zswap_rb_erase(k, id);
  zswap_free_entry(k, id, fn);
}

// zswap_invalidate_entry(): if the entry is still in the tree, remove it and
// drop the initial reference (v5.16: zswap_rb_erase() + zswap_entry_put()).
void zswap_invalidate_entry(Kernel& k, EntryId id, Fn fn) {
  if (zswap_rb_erase(k, id)) zswap_entry_put(k, id, fn);
}

// The writeback eras of model/mm/zswap.h, read once per step.
enum class Era : uint8_t { kZpoolLru, kZswapLru, kPinFirst, kZpoolPinFirst };

Era WritebackEra(const Kernel& k) {
  const bool pin_first = !k.knob(Knob::kZswapLruWbBeforePin);
  if (ZpoolLru(k)) return pin_first ? Era::kZpoolPinFirst : Era::kZpoolLru;
  return pin_first ? Era::kPinFirst : Era::kZswapLru;
}

// Whether zswap_writeback_entry() pins the swap entry (allocates the swap
// cache folio) before it touches the tree or the entry (5878303c5353).
bool PinsFirst(Era era) { return era == Era::kPinFirst || era == Era::kZpoolPinFirst; }

// zbud_reclaim_page(): "add to beginning of LRU" - the zpool driver puts a
// handle whose entry is still alive back on its LRU. A no-op for zswap's LRU.
void zpool_putback(Kernel& k, Era era, EntryId handle_entry) {
  if (era != Era::kZpoolLru && era != Era::kZpoolPinFirst) return;
  if (handle_entry == kNoEntry) return;
  const ZswapEntry& e = k.zswap_entries[handle_entry];
  if (!e.freed && !e.on_lru) lru_add(k, handle_entry);
}

}  // namespace

bool zswap_is_full(const Kernel& k) {
  return k.config.ram_pages * k.zswap.max_pool_percent / 100 < k.zswap.pool_pages;
}

bool zswap_can_accept(const Kernel& k) {
  return k.config.ram_pages * k.zswap.accept_thr_percent / 100 * k.zswap.max_pool_percent / 100 >
         k.zswap.pool_pages;
}

void zswap_reset(Kernel& k) {
  Zswap& z = k.zswap;
  z = Zswap{};
  // zswap_setup() -> zswap_pool_create(): cpuhp_state_add_instance() runs
  // zswap_cpu_comp_prepare() for every online CPU.
  for (AcompCtx& ctx : z.acomp) ctx.allocated = k.config.zswap;
  z.tree.fill(kNoEntry);
  z.max_pool_percent = k.config.zswap_max_pool_percent;
  if (k.config.zswap) {
    z.initialized = true;
    z.enabled = true;
    // Every device swapped on at boot gets its tree, in type order.
    for (int t = 0; t < k.config.swap_devices; ++t) z.tree_id[t] = ++z.tree_seq;
  }
}

bool zswap_has_cpu_dead_callback(const Kernel& k) {
  return k.zswap.initialized &&
         k.config.features.zswap_acomp_ctx == Features::ZswapAcompCtx::kFreedOnCpuDead;
}

std::optional<StepResult> zswap_cpu_comp_dead(Kernel& k, Cpu& c, int cpu) {
  AcompCtx& ctx = k.zswap.acomp[cpu];
  if (k.knob(Knob::kZswapAcompUnsyncedCpuDead)) {
    Emit(k, c, StepId::kZswapCpuCompDeadUnsynced, kNoOffset, kNoPage, static_cast<Token>(cpu));
  } else {
    if (ctx.mutex_owner != -1) return Block(c, Wait::Kind::kAcompMutex, static_cast<int16_t>(cpu));
    Emit(k, c, StepId::kZswapCpuCompDeadSynced, kNoOffset, kNoPage, static_cast<Token>(cpu));
  }
  ctx.allocated = false;
  ++ctx.generation;
  return std::nullopt;
}

std::optional<StepResult> zswap_cpu_comp_prepare(Kernel& k, Cpu& c, int cpu) {
  AcompCtx& ctx = k.zswap.acomp[cpu];
  if (!k.knob(Knob::kZswapAcompUnsyncedCpuDead) && ctx.mutex_owner != -1) {
    return Block(c, Wait::Kind::kAcompMutex, static_cast<int16_t>(cpu));
  }
  Emit(k, c, StepId::kZswapCpuCompPrepare, kNoOffset, kNoPage, static_cast<Token>(cpu));
  ctx.allocated = true;
  return std::nullopt;
}

void zswap_swapon(Kernel& k, int type) {
  Zswap& z = k.zswap;
  if (!z.initialized) return;
  z.tree_id[type] = ++z.tree_seq;
  const SwapDevice& si = k.swap_info[type];
  for (Offset off = si.base; off < si.base + si.nslots; ++off) z.tree[off] = kNoEntry;
}

void zswap_swapoff(Kernel& k, int type) {
  Zswap& z = k.zswap;
  if (z.tree_id[type] == 0) return;
  // rbtree_postorder_for_each_entry_safe(): zswap_free_entry() on each,
  // whatever its refcount; then kfree(tree).
  const SwapDevice& si = k.swap_info[type];
  for (Offset off = si.base; off < si.base + si.nslots; ++off) {
    const EntryId id = z.tree[off];
    if (id == kNoEntry) continue;
    k.zswap_entries[id].in_tree = false;
    zswap_free_entry(k, id, Fn::kZswapSwapoff);
    z.tree[off] = kNoEntry;
  }
  z.tree_id[type] = 0;
}

void zswap_invalidate(Kernel& k, Offset off) {
  Zswap& z = k.zswap;
  if (tree_of(k, off) == 0) return;  // no zswap_trees[type]
  const EntryId id = z.tree[off];
  if (id == kNoEntry) return;  // "entry was written back"
  zswap_invalidate_entry(k, id, Fn::kZswapInvalidate);
}

StepResult zswap_store(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_zswap_store(SWAPFUZZ_STATE_ENUMERATOR) };
  ZswapStoreLocals& l = Locals<Fn::kZswapStore>(f);
  Zswap& z = k.zswap;
  const int nr = folio_nr_pages(k, f.page);
  // A failed store of a large folio: check_old, in a step of its own (it
  // takes the tree's xa lock for each page).
  auto fail = [&] {
    if (nr == 1) return Finish(c, -1);
    f.pc = kCheckOld;
    return StepResult::kStep;
  };
  switch (f.pc) {
    case kDuplicate: {
      if (nr > 1) {
        // 6.12.94: "Large folios aren't supported" (zswap.c:1468), before
        // anything else. From b7c0ccdfbafd the store goes on to the limits;
        // zswap_store_page()'s xa_store() replaces an old entry.
        if (!k.config.features.zswap_large_store) {
          Emit(k, c, StepId::kZswapStoreLargeRefused, f.offset, f.page, static_cast<Token>(nr));
          return Finish(c, -1);
        }
        f.pc = kCheck;
        return StepResult::kContinue;
      }
      // 6.6 .. 6.7 (678e54d4bb9a restored): "if (!zswap_enabled || !tree)
      // return false;" comes before the duplicate is invalidated.
      if (k.knob(Knob::kZswapDupInvalidateOnlyEnabled) && !z.enabled) {
        Emit(k, c, StepId::kZswapStoreCheck, f.offset, f.page, 0);
        return Finish(c, -1);
      }
      // v5.16/v6.3: __frontswap_store() invalidates an old entry for the
      // offset before calling the backend, enabled or not; from v6.6-rc4
      // (ca56489c2f1d) zswap_store() does it first thing, under the tree lock.
      // Before the tree lock, __frontswap_test() is a lockless bitmap test, so
      // an offset without an entry costs no step.
      if (!k.knob(Knob::kZswapDupStoreKeepsOld) && tree_of(k, f.offset) != 0 &&
          z.tree[f.offset] != kNoEntry) {
        const EntryId dup = z.tree[f.offset];
        Emit(k, c, StepId::kZswapStoreDup, f.offset, f.page, static_cast<Token>(dup));
        zswap_invalidate_entry(k, dup, Fn::kZswapStore);
        f.pc = kCheck;
        return StepResult::kStep;
      }
      f.pc = kCheck;
      return StepResult::kContinue;
    }
    case kCheck: {
      // "if (!zswap_enabled || !tree) reject"; "reclaim space if needed":
      // a full pool, or one that has not drained below the accept threshold
      // since it was full, queues the shrink work and rejects the page.
      bool accept = true;
      if (!z.enabled || tree_of(k, f.offset) == 0) {
        accept = false;
      } else if (zswap_is_full(k)) {
        z.pool_reached_full = true;
        z.shrink_queued = true;
        accept = false;
      } else if (z.pool_reached_full) {
        if (!zswap_can_accept(k)) {
          z.shrink_queued = true;
          accept = false;
        } else {
          z.pool_reached_full = false;
        }
      }
      Emit(k, c, StepId::kZswapStoreCheck, f.offset, f.page, accept);
      if (!accept) return fail();
      f.pc = kCompress;
      return StepResult::kStep;
    }
    case kCompress: {
      // zswap_entry_cache_alloc() (refcount 1), zswap_is_page_same_filled(),
      // compress under the per-CPU acomp mutex, zpool_malloc(), copy. A
      // large folio: zswap_store_page() of page l.index.
      const PageId page = static_cast<PageId>(f.page + l.index);
      const Offset off = static_cast<Offset>(f.offset + l.index);
      Page& p = page_checked(k, page, Fn::kZswapStore);
      if (z.next_entry == kMaxZswapEntries) {  // zswap_reject_kmemcache_fail
        // The kernel allocates the entry before it takes the context; the
        // model's entries may run out between its two steps.
        acomp_ctx_put_unlock(k, c);
        Emit(k, c, StepId::kZswapStoreCompress, off, page, 0);
        return fail();
      }
      if (auto r = acomp_ctx_get_cpu_lock(k, c, off, page)) return *r;
      acomp_ctx_use_and_unlock(k, c, Fn::kZswapStore);
      // zswap_compress(): a page that does not compress (the model: an odd
      // token) is stored as it is, unless memory.zswap.writeback is 0.
      if (k.config.features.zswap_incompressible_as_is && (p.data & 1) != 0 &&
          !mem_cgroup_zswap_writeback_enabled(k, k.pages[f.page].memcg)) {
        Emit(k, c, StepId::kZswapStoreCompressFail, off, page, p.data);
        return fail();
      }
      const EntryId id = z.next_entry++;
      ZswapEntry& e = k.zswap_entries[id];
      e = ZswapEntry{};
      e.refcount = 1;
      e.offset = off;
      e.data = p.data;
      e.generation = k.si.generation[off];
      e.same_filled = e.data == 0;
      if (!e.same_filled) ++z.pool_pages;
      l.entry = id;
      Emit(k, c, StepId::kZswapStoreCompress, off, page, e.data);
      f.pc = kInsert;
      return StepResult::kStep;
    }
    case kInsert: {
      // [tree lock] zswap_rb_insert(); on -EEXIST erase the duplicate and drop
      // its initial reference (v6.6+ also WARN_ON(1): the duplicate should
      // have been invalidated already); [lru_lock] list_add(). From
      // b7c0ccdfbafd (zswap_store_page()): xa_store(), zswap_entry_free() of
      // the old entry, then zswap_stored_pages counted for this page.
      const PageId page = static_cast<PageId>(f.page + l.index);
      const Offset off = static_cast<Offset>(f.offset + l.index);
      if (!tree_live(k, tree_of(k, off), off, Fn::kZswapStore)) {
        Emit(k, c, StepId::kZswapStoreInsert, off, page, 0);
        return fail();
      }
      ZswapEntry& e = k.zswap_entries[l.entry];
      const EntryId dup = z.tree[off];
      if (dup != kNoEntry) {
        zswap_rb_erase(k, dup);
        zswap_entry_put(k, dup, Fn::kZswapStore);
      }
      z.tree[off] = l.entry;
      e.in_tree = true;
      if (!e.same_filled) lru_add(k, l.entry);
      // Before 63895d20d63b, zswap_store() counted the folio's pages once
      // all were stored.
      const bool count_at_end = k.knob(Knob::kZswapLargeStoreUncountedRollback);
      if (!count_at_end) ++z.stored_pages;
      // Oracle: swap-out handed this content to a backing store.
      k.si.auth_generation[off] = e.generation;
      k.si.auth_data[off] = e.data;
      Emit(k, c, StepId::kZswapStoreInsert, off, page, e.data);
      if (++l.index < nr) {
        l.entry = kNoEntry;
        f.pc = kCompress;
        return StepResult::kStep;
      }
      if (count_at_end) z.stored_pages = static_cast<int16_t>(z.stored_pages + nr);
      // swap_writepage(): set_page_writeback(); unlock_page(); end_page_writeback()
      unlock_page(k, f.page, Fn::kZswapStore);
      return Finish(c, 0);
    }
    case kCheckOld: {
      // "If the zswap store fails or zswap is disabled, we must invalidate
      // the possibly stale entries which were previously stored at the
      // offsets corresponding to each page of the folio": xa_erase() of each,
      // zswap_entry_free() of what it returns (6.18.35 zswap.c:1556-1575).
      Emit(k, c, StepId::kZswapStoreCheckOld, f.offset, f.page, static_cast<Token>(nr));
      if (tree_of(k, f.offset) != 0) {
        for (Offset off = f.offset; off < f.offset + nr; ++off) {
          const EntryId id = z.tree[off];
          if (id != kNoEntry) zswap_invalidate_entry(k, id, Fn::kZswapStore);
        }
      }
      return Finish(c, -1);
    }
  }
  return StepResult::kStep;
}

StepResult zswap_load(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_zswap_load(SWAPFUZZ_STATE_ENUMERATOR) };
  ZswapLoadLocals& l = Locals<Fn::kZswapLoad>(f);
  Zswap& z = k.zswap;
  switch (f.pc) {
    case kFind: {
      // tree = zswap_trees[type]; [tree lock] zswap_entry_find_get()
      const EntryId id = tree_of(k, f.offset) != 0 ? z.tree[f.offset] : kNoEntry;
      Emit(k, c, StepId::kZswapLoadFind, f.offset, f.page, static_cast<Token>(id + 1));
      if (id == kNoEntry) return Finish(c, -1);
      zswap_entry_get(k, id, Fn::kZswapLoad);
      l.entry = id;
      l.tree = tree_of(k, f.offset);
      f.pc = kDecompress;
      return StepResult::kStep;
    }
    case kDecompress: {
      // The entry is referenced, not locked: map the handle, decompress.
      if (auto r = acomp_ctx_get_cpu_lock(k, c, f.offset, f.page)) return *r;
      acomp_ctx_use_and_unlock(k, c, Fn::kZswapLoad);
      const ZswapEntry& e = entry_checked(k, l.entry, Fn::kZswapLoad);
      page_checked(k, f.page, Fn::kZswapLoad).data = e.data;
      Emit(k, c, StepId::kZswapLoadDecompress, f.offset, f.page, e.data);
      f.pc = kPut;
      return StepResult::kStep;
    }
    case kPut: {
      Page& p = page_checked(k, f.page, Fn::kZswapLoad);
      // Exclusive loads (v6.9: always) drop the entry and dirty the folio, but
      // since 25cd241408a2 only for a folio in the swap cache: the
      // SWP_SYNCHRONOUS_IO skip path reads into a private folio it may drop.
      const bool exclusive = k.config.features.zswap_exclusive_loads &&
                             (p.swapcache || k.knob(Knob::kZswapExclusiveLoadPrivate));
      Emit(k, c, StepId::kZswapLoadPut, f.offset, f.page, exclusive);
      if (tree_live(k, l.tree, f.offset, Fn::kZswapLoad)) {
        if (exclusive) {
          zswap_invalidate_entry(k, l.entry, Fn::kZswapLoad);
          p.dirty = true;  // folio_mark_dirty()
        }
        zswap_entry_put(k, l.entry, Fn::kZswapLoad);
      }
      // swap_readpage(): SetPageUptodate(); unlock_page()
      p.uptodate = true;
      unlock_page(k, f.page, Fn::kZswapLoad);
      return Finish(c, 0);
    }
  }
  return StepResult::kStep;
}

// --- Writeback: shrink_worker() -> zswap_reclaim_entry() -> zswap_writeback_entry() ---
//
// Three machines linked by Call(), one per kernel function; model/mm/zswap.h
// has the table of the eras they cover. Each reads the era once, and the code
// that differs between eras sits in a switch on it or in a state only some
// eras reach.

// shrink_worker() of v6.3 .. v6.8 (zpool_shrink() before v6.5); v6.9's walks
// the memcgs with shrink_memcg(), which the model, having no memcgs, folds in.
StepResult shrink_worker(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_shrink_worker(SWAPFUZZ_STATE_ENUMERATOR) };
  ShrinkWorkerLocals& l = Locals<Fn::kShrinkWorker>(f);
  switch (f.pc) {
    case kReclaim:
      // shrink_memcg() of each online memcg returns -ENOENT while its
      // memory.zswap.writeback is 0 (every memcg's, in the model), and the
      // worker writes nothing back.
      if (!mem_cgroup_zswap_writeback_enabled(k, 1)) {
        Emit(k, c, StepId::kZswapShrinkNoWriteback, kNoOffset, kNoPage);
        return Finish(c, 0);
      }
      return Call<Fn::kZswapReclaimEntry>(c, f, kAfterReclaim, kNoOffset, kNoPage);
    case kAfterReclaim:
      // Runs in the step that ended the attempt: "if (ret) { if (ret !=
      // -EAGAIN) break; if (++failures == MAX_RECLAIM_RETRIES) break; } ...
      // } while (!zswap_can_accept());". An empty LRU ends the op in its
      // own step; the other exits leave when the CPU next runs.
      if (c.ret == kEinval) return Finish(c, 0);
      if (c.ret != 0) ++l.failures;
      f.pc = (l.failures >= kMaxReclaimRetries || zswap_can_accept(k)) ? kExit : kReclaim;
      return StepResult::kStep;
    case kExit:
      return Return(c, 0);
  }
  return StepResult::kStep;
}

// zswap_reclaim_entry() of v6.5 .. v6.8 (torvalds/linux @003ae2fb0b36); in the
// zpool eras zbud_reclaim_page() with the tree sections of v6.3's
// zswap_writeback_entry(pool, handle), and in kPinFirst shrink_memcg_cb().
StepResult zswap_reclaim_entry(Kernel& k, Cpu& c, Frame& f) {
  // Frame: offset = the entry's swap offset, page = the folio the writeback
  // returned.
  enum : uint8_t { SWAPFUZZ_STATES_zswap_reclaim_entry(SWAPFUZZ_STATE_ENUMERATOR) };
  ZswapReclaimEntryLocals& l = Locals<Fn::kZswapReclaimEntry>(f);
  Zswap& z = k.zswap;
  const Era era = WritebackEra(k);
  switch (f.pc) {
    case kIsolate: {
      if (!z.initialized || z.lru_n == 0) {
        Emit(k, c, StepId::kZswapLruEmpty, kNoOffset, kNoPage);
        return Return(c, kEinval);  // not -EAGAIN, so the worker stops
      }
      const EntryId id = z.lru[0];
      l.entry = l.lru_entry = id;
      f.offset = k.zswap_entries[id].offset;
      l.tree = tree_of(k, f.offset);
      switch (era) {
        case Era::kZpoolLru:
        case Era::kZpoolPinFirst:
          // zbud_reclaim_page() takes its LRU tail and calls
          // zswap_writeback_entry(pool, handle), which reads the swap entry
          // from the handle's zswap_header and tree = zswap_trees[type].
          lru_del(k, id);
          break;
        case Era::kZswapLru:
          // [lru_lock] list_del_init(&entry->lru); copy swpoffset and
          // tree = zswap_trees[swp_type(entry->swpentry)].
          lru_del(k, id);
          break;
        case Era::kPinFirst:
          // shrink_memcg_cb(): [lru_lock] list_move_tail() rotates the entry;
          // only the swap entry is copied.
          lru_del(k, id);
          lru_add(k, id);
          break;
      }
      Emit(k, c, StepId::kZswapLruIsolate, f.offset, kNoPage, static_cast<Token>(id));
      f.pc = PinsFirst(era) ? kWriteback : kTreeGet;
      return StepResult::kStep;
    }
    case kTreeGet: {
      // kZpoolLru and kZswapLru: [tree lock] on the tree read at isolation.
      Emit(k, c, StepId::kZswapReclaimTreeGet, f.offset, kNoPage, static_cast<Token>(l.lru_entry));
      if (!tree_live(k, l.tree, f.offset, Fn::kZswapReclaimEntry)) return StepResult::kStep;
      const EntryId cur = z.tree[f.offset];
      if (era == Era::kZpoolLru) {
        // v6.3 zswap_writeback_entry(): entry = zswap_entry_find_get(offset);
        // none: "entry was invalidated", return 0.
        if (cur == kNoEntry) {
          zpool_putback(k, era, l.lru_entry);
          return Return(c, 0);
        }
        l.entry = cur;
      } else if (cur != l.entry) {
        // kZswapLru: "Check for invalidate() race": -EAGAIN; the entry stays
        // off the LRU (its last put frees it).
        return Return(c, kEagain);
      }
      zswap_entry_get(k, l.entry, Fn::kZswapReclaimEntry);
      f.pc = kWriteback;
      return StepResult::kStep;
    }
    case kWriteback:
      return Call<Fn::kZswapWritebackEntry>(c, f, kAfterWriteback, f.offset, kNoPage,
                                            {.entry = l.entry, .tree = l.tree});
    case kAfterWriteback:
      l.writeback_result = c.ret;
      f.page = c.ret_page;
      f.pc = l.writeback_result == 0 ? kDone : kFail;
      return StepResult::kContinue;
    case kDone: {
      // zswap_writeback_entry()'s put_page(page) after the write, lockless and
      // folded into this step; then the era's [tree lock] section.
      Emit(k, c, StepId::kZswapWbDone, f.offset, f.page, static_cast<Token>(l.entry));
      put_page(k, f.page, Fn::kZswapWritebackEntry);
      f.page = kNoPage;
      switch (era) {
        case Era::kZpoolLru:
          // v6.3 zswap_writeback_entry(): drop the local reference; if the
          // entry is still the one in the tree, drop the initial one too
          // (this erases and frees it).
          if (!tree_live(k, l.tree, f.offset, Fn::kZswapReclaimEntry)) return StepResult::kStep;
          zswap_entry_put(k, l.entry, Fn::kZswapWritebackEntry);
          if (z.tree[f.offset] == l.entry) zswap_entry_put(k, l.entry, Fn::kZswapWritebackEntry);
          break;
        case Era::kZswapLru:
          // Invalidate unless invalidate already took it out; put.
          if (!tree_live(k, l.tree, f.offset, Fn::kZswapReclaimEntry)) return StepResult::kStep;
          zswap_invalidate_entry(k, l.entry, Fn::kZswapReclaimEntry);
          zswap_entry_put(k, l.entry, Fn::kZswapReclaimEntry);
          break;
        case Era::kPinFirst:
        case Era::kZpoolPinFirst:
          break;  // zswap_writeback_entry() invalidated and put it before the write
      }
      zpool_putback(k, era, l.lru_entry);
      return Return(c, 0);
    }
    case kFail: {
      // The failed writeback's put_page(page) (EXIST), folded into this step;
      // then the era's [tree lock] section. Every failure counts towards
      // MAX_RECLAIM_RETRIES (v6.5+ zswap_reclaim_entry(): -EAGAIN).
      Emit(k, c, StepId::kZswapWbFail, f.offset, f.page, static_cast<Token>(-l.writeback_result));
      if (f.page != kNoPage) {
        put_page(k, f.page, Fn::kZswapWritebackEntry);
        f.page = kNoPage;
      }
      switch (era) {
        case Era::kZpoolLru:
          // v6.3 zswap_writeback_entry() fail: drop the local reference.
          if (!tree_live(k, l.tree, f.offset, Fn::kZswapReclaimEntry)) return StepResult::kStep;
          zswap_entry_put(k, l.entry, Fn::kZswapReclaimEntry);
          break;
        case Era::kZswapLru:
          // list_move() the entry back to the LRU, unless it was freed or is
          // on it again; put the local reference.
          if (!tree_live(k, l.tree, f.offset, Fn::kZswapReclaimEntry)) return StepResult::kStep;
          if (!k.zswap_entries[l.entry].freed && !k.zswap_entries[l.entry].on_lru) {
            lru_add(k, l.entry);
          }
          zswap_entry_put(k, l.entry, Fn::kZswapReclaimEntry);
          break;
        case Era::kPinFirst:
        case Era::kZpoolPinFirst:
          break;  // the writeback failed before it took a reference
      }
      zpool_putback(k, era, l.lru_entry);
      return Return(c, kEagain);
    }
  }
  return StepResult::kStep;
}

// zswap_writeback_entry(entry, tree) of v6.5 .. v6.8, the part of v6.3's
// zswap_writeback_entry(pool, handle) after the entry lookup, and v6.9's
// zswap_writeback_entry(entry, swpentry), which 6.12 .. 7.1.5 keep in this
// order (their allocation and device pin differ; model/mm/zswap.h).
StepResult zswap_writeback_entry(Kernel& k, Cpu& c, Frame& f) {
  // Frame: offset = the entry's swap offset, page = the new swap cache folio.
  enum : uint8_t { SWAPFUZZ_STATES_zswap_writeback_entry(SWAPFUZZ_STATE_ENUMERATOR) };
  ZswapWritebackEntryLocals& l = Locals<Fn::kZswapWritebackEntry>(f);
  Zswap& z = k.zswap;
  const Era era = WritebackEra(k);
  switch (f.pc) {
    case kAlloc: {
      // zswap_get_swap_cache_page() / __read_swap_cache_async(): no read;
      // with zswap's own LRU, skip_if_exists. Since v6.15 the allocation
      // needs the caller's pin: "si = get_swap_device(swpentry); if (!si)
      // return -EEXIST;", dropped once the locked folio pins the slot.
      if (k.config.features.callers_pin_swap_device) {
        if (!get_swap_device(k, f.offset)) return Return(c, kEexist);
        l.si_ref = true;
      }
      const bool skip_if_exists = era == Era::kZswapLru || era == Era::kPinFirst;
      return CallSwapCacheRead(k, c, f, kAfterAlloc, f.offset, /*read=*/false, skip_if_exists);
    }
    case kAfterAlloc:
      if (l.si_ref) {
        l.si_ref = false;
        put_swap_device(k, f.offset);
      }
      if (c.ret_page == kNoPage) {  // ZSWAP_SWAPCACHE_FAIL: no memory, or the slot is free
        return Return(c, kEnomem);
      }
      if (c.ret == 0) {  // ZSWAP_SWAPCACHE_EXIST: a load or swap-in has the page
        return Return(c, kEexist, c.ret_page);
      }
      // ZSWAP_SWAPCACHE_NEW: the page is locked and in the swap cache.
      f.page = c.ret_page;
      f.pc = (!PinsFirst(era) && k.knob(Knob::kZswapWbNoRecheck)) ? kDecompress : kRecheck;
      return StepResult::kContinue;
    case kRecheck: {
      // 04fc7816089c: "if the entry in the tree has been replaced, ... we
      // would be overriding the swap page with stale data". Before
      // 5878303c5353 it checks the tree read at isolation; since, it is the
      // only check, on the tree looked up now that the folio pins the device.
      uint16_t tree = 0;
      bool check = true;
      if (PinsFirst(era)) {
        tree = tree_of(k, f.offset);
        check = !k.knob(Knob::kZswapWbNoRecheck);
      } else {
        tree = l.tree;
      }
      const bool live = tree != 0 && tree == tree_of(k, f.offset);
      const bool stale = live && check && z.tree[f.offset] != l.entry;
      Emit(k, c, stale ? StepId::kZswapWbStale : StepId::kZswapWbRecheck, f.offset, f.page,
           static_cast<Token>(l.entry));
      if (!tree_live(k, tree, f.offset, Fn::kZswapWritebackEntry)) return StepResult::kStep;
      if (stale) {
        delete_from_swap_cache(k, c, f.page);
        // e3b63e966cac: the folio came back locked and referenced.
        if (!k.knob(Knob::kZswapWbStaleFolioLeak)) {
          unlock_page(k, f.page, Fn::kZswapWritebackEntry);
          put_page(k, f.page, Fn::kZswapWritebackEntry);
        }
        return Finish(c, kEnomem);
      }
      // Since 5878303c5353: "Safe to deref entry after the entry is verified."
      if (PinsFirst(era)) zswap_entry_get(k, l.entry, Fn::kZswapWritebackEntry);
      f.pc = kDecompress;
      return StepResult::kStep;
    }
    case kDecompress: {
      if (auto r = acomp_ctx_get_cpu_lock(k, c, f.offset, f.page)) return *r;
      acomp_ctx_use_and_unlock(k, c, Fn::kZswapWritebackEntry);
      const ZswapEntry& e = entry_checked(k, l.entry, Fn::kZswapWritebackEntry);
      Page& w = page_checked(k, f.page, Fn::kZswapWritebackEntry);
      w.data = e.data;
      w.uptodate = true;  // SetPageUptodate()
      l.generation = e.generation;
      Emit(k, c, StepId::kZswapWbDecompress, f.offset, f.page, e.data);
      f.pc = PinsFirst(era) ? kInvalidate : kWrite;
      return StepResult::kStep;
    }
    case kInvalidate:
      // Since 5878303c5353: [tree lock] zswap_invalidate_entry();
      // zswap_entry_put(), before the write: the folio is now the only copy.
      Emit(k, c, StepId::kZswapWbInvalidate, f.offset, f.page, static_cast<Token>(l.entry));
      if (!tree_live(k, tree_of(k, f.offset), f.offset, Fn::kZswapWritebackEntry)) {
        return StepResult::kStep;
      }
      zswap_invalidate_entry(k, l.entry, Fn::kZswapWritebackEntry);
      zswap_entry_put(k, l.entry, Fn::kZswapWritebackEntry);
      f.pc = kWrite;
      return StepResult::kStep;
    case kWrite:
      // SetPageReclaim(); __swap_writepage(): a copy, checked against what
      // swap-out last wrote for the slot.
      return Call<Fn::kSwapWritepageBdev>(c, f, kAfterWrite, f.offset, f.page,
                                          {.zswap_writeback = true, .generation = l.generation});
    case kAfterWrite:
      return Return(c, 0, f.page);  // the caller's next step puts the folio
  }
  return StepResult::kStep;
}

StepResult zswap_param_set(Kernel& k, Cpu& c, Frame& f) {
  const ZswapParamSetLocals& l = Locals<Fn::kZswapParamSet>(f);
  Zswap& z = k.zswap;
  if (l.param == ZswapParam::kEnabled) {
    // zswap_enabled_param_set(): the first enable runs zswap_setup(), which
    // registers the hooks and gives the active swap device its tree.
    if (!z.initialized && l.value != 0) {
      z.initialized = true;
      for (int t = 0; t < kMaxSwapDevices; ++t) {
        if (k.swap_info[t].active) zswap_swapon(k, t);
      }
    }
    z.enabled = l.value != 0;
    Emit(k, c, StepId::kZswapSetEnabled, kNoOffset, kNoPage, static_cast<Token>(l.value));
  } else {
    z.max_pool_percent = static_cast<uint8_t>(l.value);
    Emit(k, c, StepId::kZswapSetMaxPool, kNoOffset, kNoPage, static_cast<Token>(l.value));
  }
  return Finish(c, 0);
}

}  // namespace swapfuzz
