#include "model/step.h"

#include <cstdio>

#include "model/mm/memcontrol.h"

namespace swapfuzz {

void Emit(Kernel& k, const Cpu& c, StepId step, Offset offset, PageId page, Token detail) {
  TraceEvent e;
  e.step = k.step;
  e.cpu = static_cast<int8_t>(CpuIndex(k, c));
  e.tid = c.tid;
  e.id = step;
  e.offset = offset;
  e.page = page;
  e.detail = detail;
  k.trace_hash.Add(e);
  k.emitted = true;
  k.last_step = step;
  k.last_offset = offset;
  if (k.trace != nullptr) k.trace->push_back(e);
  if (k.coverage != nullptr) k.coverage->Hit(e.cpu, step, offset, page);
}

void Report(Kernel& k, Oracle oracle, Fn fn, ObjectKind object, bool fatal, const char* fmt,
            ...) {
  Findings& f = k.findings;
  if (k.coverage != nullptr) k.coverage->Reported(oracle, fn);
  if (!fatal) ++f.diagnostics;
  // Once a run has failed, later reports are consequences of the first.
  if (f.fatal) return;
  if (fatal) f.fatal = true;
  if (f.nkept == Findings::kMaxKept) {
    if (!fatal) return;
    f.nkept = Findings::kMaxKept - 1;  // the fatal one always fits
  }
  Finding& out = f.kept[f.nkept++];
  out.oracle = oracle;
  out.function = fn;
  out.object = object;
  out.fatal = fatal;
  out.cpu = k.current_cpu;
  out.step = k.step;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out.message.data(), out.message.size(), fmt, ap);
  va_end(ap);
}

Frame& PushFrame(Cpu& c, Frame& caller, uint8_t resume_pc, Fn fn, Offset offset, PageId page) {
  if (c.depth == kMaxFrames) __builtin_trap();  // a model bug: kMaxFrames is too small
  caller.pc = resume_pc;
  Frame& f = c.frames[c.depth++];
  f = Frame{};
  f.fn = fn;
  f.offset = offset;
  f.page = page;
  f.va = caller.va;
  return f;
}

StepResult Return(Cpu& c, int16_t ret, PageId page) {
  --c.depth;
  c.ret = ret;
  c.ret_page = page;
  return StepResult::kContinue;
}

StepResult Block(Cpu& c, Wait::Kind kind, int16_t id) {
  c.wait.kind = kind;
  c.wait.id = id;
  return StepResult::kBlocked;
}

StepResult Yield(Kernel& k, Cpu& c) {
  c.wait.kind = Wait::Kind::kYield;
  c.wait.fresh = true;
  return StepResult::kStep;
}

PageId alloc_page(Kernel& k) {
  if (k.next_page == kMaxPages) {
    k.out_of_frames = true;
    return kNoPage;
  }
  const PageId id = k.next_page++;
  Page& p = k.pages[id];
  p = Page{};
  p.allocated = true;
  p.refcount = 1;
  return id;
}

PageId alloc_folio(Kernel& k, int order) {
  const int nr = 1 << order;
  if (k.next_page + nr > kMaxPages) {
    k.out_of_frames = true;
    return kNoPage;
  }
  const PageId head = alloc_page(k);
  k.pages[head].order = static_cast<uint8_t>(order);
  for (int i = 1; i < nr; ++i) {
    Page& tail = k.pages[k.next_page++];
    tail = Page{};
    tail.allocated = true;
    tail.head = head;
  }
  return head;
}

int folio_mapcount(const Kernel& k, PageId folio) {
  int n = 0;
  for (int i = 0; i < folio_nr_pages(k, folio); ++i) n += k.pages[folio + i].mapcount;
  return n;
}

Page& page_checked(Kernel& k, PageId id, Fn fn) {
  Page& p = k.pages[id];
  if (p.freed) {
    Report(k, Oracle::kUseAfterFree, fn, ObjectKind::kPage, true,
           "page %d used after it was freed", id);
  }
  return p;
}

void get_page(Kernel& k, PageId id, Fn fn) {
  ++page_checked(k, page_folio(k, id), fn).refcount;
}

void put_page(Kernel& k, PageId id, Fn fn) {
  id = page_folio(k, id);
  Page& p = page_checked(k, id, fn);
  if (--p.refcount > 0) return;
  if (p.refcount < 0) {
    Report(k, Oracle::kPageState, fn, ObjectKind::kPage, true,
           "page %d refcount dropped below zero", id);
    return;
  }
  // free_pages_check(): a page must not be freed while locked or in the cache.
  const bool mapped = p.order == 0 ? p.mapcount > 0 : folio_mapcount(k, id) > 0;
  if (p.locked || p.swapcache || mapped) {
    Report(k, Oracle::kPageState, fn, ObjectKind::kPage, true,
           "page %d freed while %s", id,
           p.locked ? "locked" : p.swapcache ? "in the swap cache" : "mapped");
  }
  // __folio_put() -> mem_cgroup_uncharge()
  mem_cgroup_uncharge(k, id);
  p.freed = true;
  p.lru = false;
  // __folio_put() -> folio_unqueue_deferred_split(): off the queue.
  p.deferred_list = Page::DeferredList::kNone;
  for (int i = 1; i < folio_nr_pages(k, id); ++i) k.pages[id + i].freed = true;
}

bool trylock_page(Kernel& k, Cpu& c, PageId id) {
  id = page_folio(k, id);
  Page& p = page_checked(k, id, Fn::kNone);
  if (p.locked) return false;
  p.locked = true;
  p.lock_owner = static_cast<int8_t>(CpuIndex(k, c));
  return true;
}

void folio_add_anon_rmap(Kernel& k, PageId id, int va, Fn fn) {
  Page& p = k.pages[id];
  if (p.index == kNoIndex) {
    p.index = static_cast<int8_t>(va);
  } else if (p.index != va) {
    Report(k, Oracle::kRmap, fn, ObjectKind::kPage, true,
           "folio %d mapped at va %d has index %d: the rmap walk looks for it there", id, va,
           p.index);
  }
}

void folio_remove_rmap_ptes(Kernel& k, PageId id, int nr, Fn fn) {
  // "last += atomic_add_negative(-1, &page->_mapcount)" for each page: only a
  // page that is mapped nowhere any more (a fork's copy may still map it)
  // makes the folio partially mapped, and only if the folio is still mapped
  // after the whole batch.
  bool last = false;
  for (int i = 0; i < nr; ++i) {
    if (--page_checked(k, static_cast<PageId>(id + i), fn).mapcount == 0) last = true;
  }
  const PageId folio = page_folio(k, id);
  Page& p = k.pages[folio];
  // "if (partially_mapped && folio_test_anon(folio) &&
  // !folio_test_partially_mapped(folio)) deferred_split_folio(folio, true)":
  // the flag, and the queue if the folio is on no list ("if
  // (list_empty(&folio->_deferred_list)) list_add_tail(...)").
  if (last && p.order >= 2 && !p.swapcache && p.index != kNoIndex && !p.partially_mapped &&
      folio_mapcount(k, folio) > 0) {
    p.partially_mapped = true;
    if (p.deferred_list == Page::DeferredList::kNone) p.deferred_list = Page::DeferredList::kQueued;
  }
}

void unlock_page(Kernel& k, PageId id, Fn fn) {
  id = page_folio(k, id);
  Page& p = page_checked(k, id, fn);
  if (!p.locked) {
    Report(k, Oracle::kPageState, fn, ObjectKind::kPage, true,
           "unlock_page on unlocked page %d", id);
  }
  // While the folio was locked, its swap entry and the swap cache agreed:
  // the folio's PG_swapcache and folio->swap name the slot whose cache (the
  // xarray, or the swap table's word) holds it.
  if (p.swapcache && (p.private_offset <= 0 || p.private_offset >= kMaxSlots ||
                      k.swap_cache[p.private_offset] != id)) {
    Report(k, Oracle::kSwapCache, fn, ObjectKind::kPage, true,
           "page %d is in the swap cache for offset %d, which caches page %d", id,
           p.private_offset,
           p.private_offset > 0 && p.private_offset < kMaxSlots ? k.swap_cache[p.private_offset]
                                                                : kNoPage);
  }
  p.locked = false;
  p.lock_owner = -1;
}

}  // namespace swapfuzz
