#include "model/executor.h"

#include "model/drivers/block/zram/zram_drv.h"
#include "model/mm/memory.h"
#include "model/mm/page_io.h"
#include "model/mm/swap_state.h"
#include "model/mm/swapfile.h"
#include "model/mm/vmscan.h"
#include "model/mm/zswap.h"
#include "model/oracles.h"
#include "model/step.h"

namespace swapfuzz {

extern const Kernel* g_running_kernel;  // model/dump.cc

namespace {

StepResult drain_op(Kernel& k, Cpu& c, Frame&) {
  Emit(k, c, StepId::kDrain, kNoOffset, kNoPage);
  drain_slots_cache_cpu(k, c);
  return Finish(c, 0);
}

using StepFn = StepResult (*)(Kernel&, Cpu&, Frame&);

StepFn MachineFor(Fn fn) {
  switch (fn) {
    case Fn::kUserAccess: return user_access;
    case Fn::kDoWpPage: return do_wp_page;
    case Fn::kDoSwapPage: return do_swap_page;
    case Fn::kZapPteRange: return zap_pte_range;
    case Fn::kCopyPteRange: return copy_pte_range;
    case Fn::kSwapinReadahead: return swapin_readahead;
    case Fn::kReadSwapCacheAsync: return read_swap_cache_async;
    case Fn::kSwapReadpage: return swap_readpage;
    case Fn::kSwapWritepage: return swap_writepage;
    case Fn::kShrinkPageList: return shrink_page_list;
    case Fn::kDrainSlotsCache: return drain_op;
    case Fn::kZswapStore: return zswap_store;
    case Fn::kZswapLoad: return zswap_load;
    case Fn::kShrinkWorker: return shrink_worker;
    case Fn::kZswapParamSet: return zswap_param_set;
    case Fn::kSwapWritepageBdev: return __swap_writepage;
    case Fn::kSwapoff: return swapoff;
    case Fn::kTryToUnuse: return try_to_unuse;
    case Fn::kSwapon: return swapon;
    case Fn::kZramIdleStore: return idle_store;
    case Fn::kZramWritebackStore: return writeback_store;
    case Fn::kChangePteRange: return change_pte_range;
    default: return nullptr;
  }
}

// Pushes the bottom frame of the CPU's next operation.
void StartOp(Cpu& c) {
  const Op& op = c.program[c.op_index];
  Frame& f = c.frames[0];
  f = Frame{};
  f.va = op.va;
  switch (op.kind) {
    case OpKind::kRead: f.fn = Fn::kUserAccess; break;
    case OpKind::kWrite: f.fn = Fn::kUserAccess; f.write = true; break;
    case OpKind::kReclaim: f.fn = Fn::kShrinkPageList; break;
    case OpKind::kMunmap: f.fn = Fn::kZapPteRange; break;
    case OpKind::kFork: f.fn = Fn::kCopyPteRange; f.i = op.arg; break;
    case OpKind::kDrainSlots: f.fn = Fn::kDrainSlotsCache; break;
    case OpKind::kZswapShrink: f.fn = Fn::kShrinkWorker; break;
    case OpKind::kZswapEnable: f.fn = Fn::kZswapParamSet; f.i = 0; f.j = op.arg; break;
    case OpKind::kZswapMaxPool: f.fn = Fn::kZswapParamSet; f.i = 1; f.j = op.arg; break;
    case OpKind::kSwapoff: f.fn = Fn::kSwapoff; break;
    case OpKind::kSwapon: f.fn = Fn::kSwapon; break;
    case OpKind::kZramIdle: f.fn = Fn::kZramIdleStore; break;
    case OpKind::kZramWriteback: f.fn = Fn::kZramWritebackStore; f.ret = op.arg; break;
    case OpKind::kUffdWp: f.fn = Fn::kChangePteRange; break;
    case OpKind::kCount: break;
  }
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
  k.si = SwapInfo{};
  k.si.nslots = config.nslots;
  k.si.disk = config.backend == Backend::kDisk;
  k.si.sync_io = !k.si.disk;
  k.swap_cache.fill(kNoPage);
  k.slots_cache_disabled = false;
  k.zram = Zram{};
  zswap_reset(k);
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
    c.wait = Wait{};
    c.depth = 0;
    c.op_index = 0;
    c.write_seq = 0;
    c.tid = static_cast<int16_t>(i + 1);
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
    case Wait::Kind::kPageLock: return !k.pages[c.wait.id].locked;
    case Wait::Kind::kZramSlot: return k.zram.table[c.wait.id].lock_holder == -1;
    case Wait::Kind::kMmapRead: return !k.mms[c.wait.id].mmap_writer;
    case Wait::Kind::kMmapWrite:
      return !k.mms[c.wait.id].mmap_writer && k.mms[c.wait.id].mmap_readers == 0;
    case Wait::Kind::kYield: return true;  // RunnableMask() decides
    case Wait::Kind::kWriteback: return !k.pages[c.wait.id].writeback;
    case Wait::Kind::kSwapUsers: return k.si.users == 0;
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
  // The completion interrupt can fire whenever a bio is in flight.
  if (kernel_.nbios != 0) mask |= 1u << kIrqCpu;
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
  for (int i = 0; i < k.ncpus; ++i) {
    k.current_cpu = static_cast<int8_t>(i);
    drain_slots_cache_cpu(k, k.cpus[i]);
  }
  k.current_cpu = -1;
  CheckQuiescent(k);
}

}  // namespace swapfuzz
