#include "model/mm/memcontrol.h"

namespace swapfuzz {
namespace {

// A page_counter_uncharge() that would go below zero: "page_counter
// underflow" (mm/page_counter.c WARNs and resets the counter to 0).
void Uncharge(Kernel& k, int16_t& counter, uint8_t memcg, const char* which, Fn fn) {
  if (--counter < 0) {
    Report(k, Oracle::kMemcg, fn, ObjectKind::kMemcg, true, "memcg %d: %s counter underflow (%d)",
           memcg, which, counter);
  }
}

// The oldest folio on the memcg's LRU (the model's LRU order is the page id).
PageId OldestLruFolio(const Kernel& k, uint8_t memcg) {
  for (PageId id = 0; id < k.next_page; ++id) {
    const Page& p = k.pages[id];
    if (!p.freed && p.lru && p.memcg == memcg) return id;
  }
  return kNoPage;
}

}  // namespace

uint8_t memcg_of_new_mm(const Kernel& k, int mm) {
  if (mem_cgroup_disabled(k)) return 0;
  return ((k.config.memcg_mms >> mm) & 1u) ? 2 : 1;
}

uint8_t swapin_charge_memcg(const Kernel& k, Offset entry, int mm) {
  // "id = lookup_swap_cgroup_id(entry); memcg = mem_cgroup_from_private_id(id);
  // if (!memcg || !css_tryget_online(&memcg->css)) memcg =
  // get_mem_cgroup_from_mm(mm);" - the model's memcgs are never offlined.
  const uint8_t id = k.si.swap_cgroup[entry];
  return id != 0 ? id : get_mem_cgroup_from_mm(k, mm);
}

bool charge_memcg(Kernel& k, PageId page, uint8_t memcg) {
  if (mem_cgroup_disabled(k) || memcg == 0) return true;
  MemCgroup& m = k.memcgs[memcg];
  const int nr = folio_nr_pages(k, page);
  if (k.config.memcg_max != 0 && m.memory + nr > k.config.memcg_max) return false;
  m.memory = static_cast<int16_t>(m.memory + nr);  // page_counter_try_charge(&memcg->memory)
  k.pages[page].memcg = memcg;  // commit_charge(): folio->memcg_data
  return true;
}

void mem_cgroup_swapin_charge_folio(Kernel& k, PageId page, int mm, Offset entry) {
  if (mem_cgroup_disabled(k)) return;
  const uint8_t memcg = swapin_charge_memcg(k, entry, mm);
  if (memcg == 0) return;
  k.memcgs[memcg].memory = static_cast<int16_t>(k.memcgs[memcg].memory + folio_nr_pages(k, page));
  k.pages[page].memcg = memcg;
}

void mem_cgroup_uncharge(Kernel& k, PageId page) {
  Page& p = k.pages[page];
  if (p.memcg == 0) return;
  for (int i = 0; i < folio_nr_pages(k, page); ++i) {
    Uncharge(k, k.memcgs[p.memcg].memory, p.memcg, "memory", Fn::kMemCgroupUncharge);
  }
  p.memcg = 0;
}

void mem_cgroup_try_charge_swap(Kernel& k, PageId page, Offset entry) {
  const uint8_t memcg = k.pages[page].memcg;
  if (mem_cgroup_disabled(k) || memcg == 0) return;  // "if (!objcg) return 0;"
  // page_counter_try_charge(&memcg->swap, nr_pages); swap_cgroup_record() of
  // each of the folio's slots.
  const int nr = folio_nr_pages(k, page);
  k.memcgs[memcg].swap = static_cast<int16_t>(k.memcgs[memcg].swap + nr);
  for (int i = 0; i < nr; ++i) k.si.swap_cgroup[entry + i] = memcg;
}

void mem_cgroup_uncharge_swap(Kernel& k, Offset entry) {
  // swap_cgroup_clear() returns the old id; no record, nothing to uncharge.
  const uint8_t memcg = k.si.swap_cgroup[entry];
  if (memcg == 0) return;
  k.si.swap_cgroup[entry] = 0;
  Uncharge(k, k.memcgs[memcg].swap, memcg, "swap", Fn::kMemCgroupUncharge);
}

StepResult try_charge_memcg(Kernel& k, Cpu& c, Frame& f) {
  enum : uint8_t { SWAPFUZZ_STATES_try_charge_memcg(SWAPFUZZ_STATE_ENUMERATOR) };
  TryChargeMemcgLocals& l = Locals<Fn::kTryChargeMemcg>(f);
  switch (f.pc) {
    case kTryCharge: {
      if (charge_memcg(k, f.page, l.memcg)) {
        Emit(k, c, StepId::kMemcgCharged, kNoOffset, f.page, l.memcg);
        return Finish(c, 0);
      }
      // try_to_free_mem_cgroup_pages() -> shrink_lruvec() of the memcg's
      // lruvec: isolate_lru_folios() takes its oldest folio off the LRU.
      const PageId victim = l.retries < kMaxReclaimRetries ? OldestLruFolio(k, l.memcg) : kNoPage;
      if (victim == kNoPage) {
        Emit(k, c, StepId::kMemcgChargeFail, kNoOffset, f.page, l.memcg);
        return Finish(c, -12);  // -ENOMEM
      }
      Emit(k, c, StepId::kMemcgReclaim, kNoOffset, victim, l.memcg);
      Page& v = k.pages[victim];
      v.lru = false;
      ++v.refcount;
      ++l.retries;
      Call<Fn::kShrinkPageList>(c, f, kAfterReclaim, kNoOffset, victim, {.isolated = true});
      return StepResult::kStep;
    }
    case kAfterReclaim:
      // "goto retry": page_counter_try_charge() again.
      f.pc = kTryCharge;
      return StepResult::kContinue;
  }
  return StepResult::kStep;
}

}  // namespace swapfuzz
