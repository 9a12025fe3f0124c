#include "model/executor.h"

#include <iterator>

#include "model/drivers/block/zram/zram_drv.h"
#include "model/machines.h"
#include "model/mm/memcontrol.h"
#include "model/mm/page_io.h"
#include "model/mm/swapfile.h"
#include "model/mm/zswap.h"
#include "model/oracles.h"
#include "model/step.h"

namespace swapfuzz {

extern const Kernel* g_running_kernel;  // model/dump.cc

namespace {

// Starts an op's frame: the function and its locals, from SWAPFUZZ_OPS.
using OpStarter = void (*)(const Op& op, Frame& f);
constexpr OpStarter kOpStarters[] = {
#define SWAPFUZZ_OP_STARTER(e, name, takes_va, arg_limit, start, locals) \
  [](const Op& op, Frame& f) {                                           \
    f.fn = Fn::start;                                                    \
    InitLocals<Fn::start>(f, locals);                                    \
  },
    SWAPFUZZ_OPS(SWAPFUZZ_OP_STARTER)
#undef SWAPFUZZ_OP_STARTER
};
static_assert(std::size(kOpStarters) == static_cast<size_t>(OpKind::kCount));

// Pushes the bottom frame of the CPU's next operation.
void StartOp(Cpu& c) {
  const Op& op = c.program[c.op_index];
  Frame& f = c.frames[0];
  f = Frame{};
  f.va = op.va;
  kOpStarters[static_cast<size_t>(op.kind)](op, f);
  c.depth = 1;
  c.retries = 0;
}

}  // namespace

int DefaultPick(uint32_t runnable, int current) {
  if (current >= 0 && (runnable >> current) & 1u) return current;
  return __builtin_ctz(runnable);
}

extern "C" __attribute__((noinline)) void swapfuzz_step_hook(uint64_t step, int cpu) {
  // An empty asm keeps the call from being optimized away.
  asm volatile("" : : "r"(step), "r"(cpu) : "memory");
}

void Executor::Reset(const RunConfig& config, std::span<const CpuProgram> programs) {
  Kernel& k = kernel_;
  k.config = config;
  k.ncpus = static_cast<uint8_t>(programs.size());
  k.step = 0;
  k.current_cpu = -1;
  k.next_page = 0;
  k.out_of_frames = false;
  k.findings = Findings{};
  k.trace_hash = TraceHash{};
  k.trace = nullptr;
  for (Mm& mm : k.mms) mm = Mm{};
  k.mms[0].alive = true;
  k.memcgs = {};
  k.mms[0].memcg = memcg_of_new_mm(k, 0);
  // The devices, swapped on in type order at boot: their offsets follow each
  // other, and each goes on the avail list by its priority.
  k.si = SwapSlots{};
  k.swap_multi = config.swap_devices > 1;
  k.navail = 0;
  k.avail_seq = 0;
  k.nr_rotate_swap = 0;
  Offset base = 0;
  for (int type = 0; type < kMaxSwapDevices; ++type) {
    SwapDevice& si = k.swap_info[type];
    si = SwapDevice{};
    if (type >= config.swap_devices) {
      si.active = si.writeok = false;
      continue;
    }
    const Backend backend = type == 0 ? config.backend : config.backend1;
    si.base = base;
    si.nslots = type == 0 ? config.nslots : config.nslots1;
    si.disk = backend != Backend::kZram;
    si.sync_io = backend == Backend::kZram;
    si.rotational = backend == Backend::kDisk;
    // swapon(): "if (swap_flags & SWAP_FLAG_PREFER) prio = swap_flags &
    // SWAP_FLAG_PRIO_MASK;", else DEF_SWAP_PRIO.
    const int16_t prio = type == 0 ? config.prio0 : config.prio1;
    si.prio = prio > 0 ? prio : -1;
    k.nr_rotate_swap += si.rotational;
    si.writeok = false;
    add_to_avail_list(k, type, true);
    base = static_cast<Offset>(base + si.nslots);
  }
  k.swap_cache.fill(kNoPage);
  k.slots_cache_disabled = false;
  zram_boot(k);
  zswap_reset(k);
  k.cpu_online = static_cast<uint8_t>((1u << kMaxCpus) - 1);
  k.cpu_hotplug_owner = -1;
  k.cpu_hotplug = false;
  k.shmem = ShmemInode{};
  k.shmem_used = false;
  k.shmem_mapped = false;
  for (const CpuProgram& prog : programs) {
    for (const Op& op : prog.ops) {
      k.cpu_hotplug |= op.kind == OpKind::kCpuOffline || op.kind == OpKind::kCpuOnline ||
                       op.kind == OpKind::kMigrate;
      k.shmem_used |= IsShmemOp(op.kind);
      k.shmem_mapped |= IsShmemMapOp(op.kind);
    }
  }
  k.disk = {};
  k.bio_head = 0;
  k.nbios = 0;
  {
    Cpu& irq = k.cpus[kIrqCpu];
    irq.wait = Wait{};
    irq.depth = 0;
    irq.n_ops = 0;
    irq.done = true;  // runnable only while bios are in flight
    irq.tid = 0;
  }
  for (int i = 0; i < kMaxCpus; ++i) {
    Cpu& c = k.cpus[i];
    c.slots_cache = SlotsCache{};
    c.pcp_si = -1;
    c.pcp_offset = false;
    c.wait = Wait{};
    c.depth = 0;
    c.op_index = 0;
    c.write_seq = 0;
    c.tid = static_cast<int16_t>(i + 1);
    c.on_cpu = static_cast<int8_t>(i);
    c.acomp_ctx = -1;
    c.acomp_locked = false;
    c.acomp_generation = 0;
    if (i >= static_cast<int>(programs.size())) {
      c.n_ops = 0;
      c.done = true;
      continue;
    }
    const CpuProgram& prog = programs[i];
    c.mm = prog.mm;
    c.n_ops = static_cast<uint8_t>(prog.ops.size());
    for (size_t j = 0; j < prog.ops.size(); ++j) c.program[j] = prog.ops[j];
    c.done = c.n_ops == 0;
    if (!c.done) StartOp(c);
  }
}

bool Executor::IsRunnable(const Cpu& c) const {
  const Kernel& k = kernel_;
  if (c.done) return false;
  switch (c.wait.kind) {
    case Wait::Kind::kNone: return true;
    case Wait::Kind::kPageLock: return !k.pages[page_folio(k, c.wait.id)].locked;
    case Wait::Kind::kZramSlot:
      return ZramDev(k, c.wait.dev).table[c.wait.id].lock_holder == -1;
    case Wait::Kind::kMmapRead: return !k.mms[c.wait.id].mmap_writer;
    case Wait::Kind::kMmapWrite:
      return !k.mms[c.wait.id].mmap_writer && k.mms[c.wait.id].mmap_readers == 0;
    case Wait::Kind::kYield: return true;  // RunnableMask() decides
    case Wait::Kind::kWriteback: return !k.pages[page_folio(k, c.wait.id)].writeback;
    case Wait::Kind::kSwapUsers: return k.swap_info[c.wait.id].users == 0;
    case Wait::Kind::kZramDevLock: {
      const Zram& z = ZramDev(k, c.wait.dev);
      return z.wb.dev_lock_owner == -1 &&
             (c.wait.id != kZramDevLockWrite || z.dev_lock_readers == 0);
    }
    case Wait::Kind::kZramWbDone:
      return ZramDev(k, c.wait.dev).wb.wakeups != static_cast<uint16_t>(c.wait.id);
    case Wait::Kind::kZcompStrm:
      return ZramDev(k, c.wait.dev).strm[c.wait.id].mutex_owner == -1;
    case Wait::Kind::kInodeLock: return k.shmem.i_rwsem_owner == -1;
    case Wait::Kind::kShmemSwaplist: return k.shmem.swaplist_mutex_owner == -1;
    case Wait::Kind::kShmemFalloc:
      return k.shmem.falloc_wakeups != static_cast<uint16_t>(c.wait.id);
    case Wait::Kind::kAcompMutex: return k.zswap.acomp[c.wait.id].mutex_owner == -1;
    case Wait::Kind::kCpuHotplug: return k.cpu_hotplug_owner == -1;
  }
  return false;
}

uint32_t Executor::RunnableMask() const {
  uint32_t others = 0, yielders = 0;
  for (int i = 0; i < kernel_.ncpus; ++i) {
    const Cpu& c = kernel_.cpus[i];
    if (!IsRunnable(c)) continue;
    (c.wait.kind == Wait::Kind::kYield ? yielders : others) |= 1u << i;
  }
  uint32_t mask = others;
  for (int i = 0; i < kernel_.ncpus; ++i) {
    // A yielder waits for the CPUs it yielded to, while they can still run.
    if (((yielders >> i) & 1u) && (kernel_.cpus[i].wait.pending & others) == 0) mask |= 1u << i;
  }
  // The completion interrupt can fire whenever a bio is in flight, and runs
  // on while it is inside a completion of zram's writeback.
  if (kernel_.nbios != 0 || kernel_.zram.wb.endio_ctl != 0 || kernel_.zram_bdev.wb.endio_ctl != 0) {
    mask |= 1u << kIrqCpu;
  }
  // Only yielders and none of them released: they spin, and their retry
  // budgets tell a livelock from a wait.
  return mask != 0 ? mask : yielders;
}

void Executor::AfterStep(int cpu) {
  Kernel& k = kernel_;
  for (int i = 0; i < k.ncpus; ++i) {
    Cpu& c = k.cpus[i];
    if (c.wait.kind != Wait::Kind::kYield) continue;
    if (i == cpu && c.wait.fresh) {
      c.wait.fresh = false;
      uint32_t others = 0;
      for (int j = 0; j < k.ncpus; ++j) {
        if (j != cpu && IsRunnable(k.cpus[j]) && k.cpus[j].wait.kind != Wait::Kind::kYield) {
          others |= 1u << j;
        }
      }
      c.wait.pending = static_cast<uint8_t>(others);
    } else {
      c.wait.pending &= static_cast<uint8_t>(~(1u << cpu));
    }
  }
}

StepResult Executor::StepCpu(int cpu) {
  Kernel& k = kernel_;
  Cpu& c = k.cpus[cpu];
  if (cpu == kIrqCpu) return bio_endio(k, c);
  c.wait = Wait{};
  for (;;) {
    if (c.depth == 0) {
      if (++c.op_index >= c.n_ops) {
        c.done = true;
        return StepResult::kStep;
      }
      StartOp(c);
    }
    // A task of an mm that fork has not created (yet) does nothing, in a
    // step of its own so that replay sees it.
    if (c.depth == 1 && c.frames[0].pc == 0 && !k.mms[c.mm].alive) {
      Emit(k, c, StepId::kOpSkipped, kNoOffset, kNoPage, c.op_index);
      c.depth = 0;
      if (c.op_index + 1 >= c.n_ops) c.done = true;
      return StepResult::kStep;
    }
    Frame& f = c.top();
    const StepResult r = MachineFor(f.fn)(k, c, f);
    if (r != StepResult::kContinue) {
      if (r == StepResult::kStep && c.depth == 0 && c.op_index + 1 >= c.n_ops) c.done = true;
      return r;
    }
  }
}

RunResult Executor::Run(Decider& decider, const RunOptions& options) {
  Kernel& k = kernel_;
  g_running_kernel = &k;
  k.trace = options.trace;
  k.coverage = options.coverage;
  int current = -1;
  bool hooked = false;
  // Picks since the last step. A pick that blocks changes nothing but the
  // CPU's wait, which takes it out of the runnable mask, so a run of them is
  // bounded by the number of CPUs; more means the mask and a path disagree.
  int idle_picks = 0;
  while (!k.findings.fatal && !k.out_of_frames) {
    const uint32_t runnable = RunnableMask();
    if (runnable == 0) {
      bool all_done = true;
      for (int i = 0; i < k.ncpus; ++i) all_done &= k.cpus[i].done;
      if (!all_done) ReportDeadlock(k);
      break;
    }
    if (k.step >= k.config.max_steps) {
      Report(k, Oracle::kLiveness, Fn::kExecutor, ObjectKind::kCpu, true,
             "the run exceeded its budget of %d steps", k.config.max_steps);
      break;
    }
    if (++idle_picks > 4 * (kMaxCpus + 1)) {
      Report(k, Oracle::kLiveness, Fn::kExecutor, ObjectKind::kCpu, true,
             "no CPU could take a step though some were runnable (model bug)");
      break;
    }
    const int cpu = decider.Pick(runnable, current, k);
    if (!hooked && static_cast<int64_t>(k.step) == options.break_at_step) {
      hooked = true;  // once, even if the picked CPU blocks and another is picked
      swapfuzz_step_hook(k.step, cpu);
    }
    k.current_cpu = static_cast<int8_t>(cpu);
    k.emitted = false;
    const StepResult r = StepCpu(cpu);
    // A pick that takes no step is recorded all the same: its CPU has left
    // the runnable mask, and replay must make the same pick (kPickTookNoStep).
    if (r == StepResult::kBlocked) {  // nothing happened; ask again
      if (options.picks != nullptr) options.picks->push_back(cpu | kPickTookNoStep);
      continue;
    }
    current = cpu;
    if (!k.emitted) {  // the CPU only finished its program
      if (options.picks != nullptr) options.picks->push_back(cpu | kPickTookNoStep);
      continue;
    }
    idle_picks = 0;
    ++k.step;
    AfterStep(cpu);
    if (options.picks != nullptr) options.picks->push_back(static_cast<uint8_t>(cpu));
    decider.Executed(cpu, k.last_step);
    CheckAfterStep(k);
  }
  if (!k.findings.fatal && !k.out_of_frames) {
    bool all_done = true;
    for (int i = 0; i < k.ncpus; ++i) all_done &= k.cpus[i].done;
    if (all_done) Quiesce();
  }
  k.trace = nullptr;
  k.coverage = nullptr;
  RunResult result;
  result.steps = k.step;
  result.trace_hash = k.trace_hash.value();
  result.finding = k.findings.First();
  result.diagnostics = k.findings.diagnostics;
  result.out_of_frames = k.out_of_frames;
  return result;
}

void Executor::Quiesce() {
  Kernel& k = kernel_;
  // Every CPU's cache: a task that migrated may have filled one whose
  // column runs no program.
  for (int cpu = 0; cpu < kMaxCpus; ++cpu) {
    k.current_cpu = static_cast<int8_t>(cpu);
    drain_slots_cache_cpu(k, cpu);
  }
  k.current_cpu = -1;
  CheckQuiescent(k);
}

}  // namespace swapfuzz
