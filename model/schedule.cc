#include "model/schedule.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "model/trace.h"

namespace swapfuzz {

absl::Status Validate(const Schedule& s) {
  if (s.cpus.empty() || s.cpus.size() > kMaxCpus) {
    return absl::InvalidArgumentError(
        absl::StrCat("cpus: need 1 to ", kMaxCpus, " programs, have ", s.cpus.size()));
  }
  for (size_t i = 0; i < s.cpus.size(); ++i) {
    const CpuProgram& p = s.cpus[i];
    const std::string where = absl::StrCat("cpus[", i, "]");
    if (p.mm >= kMaxMms) return absl::InvalidArgumentError(absl::StrCat(where, ".mm out of range"));
    if (p.ops.size() > kMaxOpsPerCpu) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".ops: at most ", kMaxOpsPerCpu, " operations"));
    }
    for (size_t j = 0; j < p.ops.size(); ++j) {
      const Op& op = p.ops[j];
      const std::string at = absl::StrCat(where, ".ops[", j, "]");
      if (op.kind >= OpKind::kCount) return absl::InvalidArgumentError(at + ": unknown op");
      if (op.va >= kMaxVas) return absl::InvalidArgumentError(at + ".va out of range");
      if (op.arg >= std::max(OpArgLimit(op.kind), 1)) {
        return absl::InvalidArgumentError(at + ".arg out of range");
      }
      if (s.config.mthp_order > 0 &&
          std::find(std::begin(kOpsWithoutLargeFolios), std::end(kOpsWithoutLargeFolios),
                    op.kind) != std::end(kOpsWithoutLargeFolios)) {
        return absl::InvalidArgumentError(absl::StrCat(
            at, ": ", std::string(OpName(op.kind)), " with config.mthp_order ", s.config.mthp_order,
            ": its path is not modelled for large folios"));
      }
      if ((op.kind == OpKind::kSwapoffDev || op.kind == OpKind::kSwaponDev) &&
          op.arg >= s.config.swap_devices) {
        return absl::InvalidArgumentError(absl::StrCat(at, ": swap type ", op.arg,
                                                       " is not among config.swap_devices (",
                                                       s.config.swap_devices, ")"));
      }
    }
  }
  if (absl::Status st = ValidateConfigFields(s.config); !st.ok()) return st;
  if (s.expected) {
    const std::string& d = s.expected->step_digest;
    const bool hex = std::all_of(d.begin(), d.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!hex || d.size() % 2 != 0) {
      return absl::InvalidArgumentError(
          "expected.step_digest: lowercase hex digits, two per step");
    }
  }
  for (size_t i = 0; i < s.decisions.size(); ++i) {
    if (s.decisions[i].through && *s.decisions[i].through >= StepId::kCount) {
      return absl::InvalidArgumentError(absl::StrCat("decisions[", i, "].through: no such step"));
    }
    if (s.decisions[i].cpu >= s.cpus.size() && s.decisions[i].cpu != kIrqCpu) {
      return absl::InvalidArgumentError(absl::StrCat("decisions[", i, "].cpu out of range"));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyKnob(RunConfig& config, const KnobOverride& knob) {
  const std::optional<Knob> k = KnobByName(knob.name);
  if (!k) return absl::InvalidArgumentError(absl::StrCat("unknown knob '", knob.name, "'"));
  config.knobs.Set(*k, knob.on);
  return absl::OkStatus();
}

absl::StatusOr<RunConfig> Resolve(const ScheduleConfig& config,
                                  const std::string& profile_override) {
  const std::string& name = profile_override.empty() ? config.profile : profile_override;
  const Profile* profile = ProfileByName(name);
  if (profile == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown profile '", name, "'"));
  }
  if (absl::Status s = ValidateConfigFields(config); !s.ok()) return s;
  RunConfig out;
  out.knobs = profile->knobs;
  out.features = profile->features;
  for (const KnobOverride& k : config.knobs) {
    if (absl::Status s = ApplyKnob(out, k); !s.ok()) return s;
  }
  // A knob restores old code; the release must have the code around it.
  for (const KnobInfo& info : AllKnobs()) {
    if (!out.knobs.Has(info.knob)) continue;
    const std::string_view missing = MissingCodePath(info.knob, *profile, out.knobs);
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "knob ", std::string(info.name), " cannot be set under profile ", std::string(profile->name),
          " (", std::string(profile->release), "): ", std::string(missing)));
    }
  }
  ResolveConfigFields(config, out);
  if (out.mthp_order > 0) {
    const auto refuse = [&](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("config.mthp_order ", static_cast<int>(out.mthp_order), ": ", std::string(why)));
    };
    if (!out.features.large_folio_swapout) {
      return refuse(absl::StrCat("profile ", std::string(profile->name), " (",
                                 std::string(profile->release),
                                 ") does not swap large folios out (v6.10 does)"));
    }
    if (out.backend != Backend::kZram || out.swap_devices > 1) {
      return refuse("large folios are modelled on one zram swap device only");
    }
  }
  if (out.shmem_huge_order > 0) {
    const auto refuse = [&](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config.shmem_huge_order ", static_cast<int>(out.shmem_huge_order), ": ", std::string(why)));
    };
    if (out.features.shmem_swap == Features::ShmemSwap::kNotModelled ||
        out.features.shmem_swap == Features::ShmemSwap::kWritepage ||
        !out.features.large_folio_swapout) {
      return refuse(absl::StrCat("profile ", std::string(profile->name), " (",
                                 std::string(profile->release),
                                 ") has no modelled shmem large folios (6.18.35's and 7.1.5's are; "
                                 "6.12.94's tmpfs allows only PMD-sized ones)"));
    }
    if (out.backend != Backend::kZram || out.swap_devices > 1) {
      return refuse("large folios are modelled on one zram swap device only");
    }
  }
  if (out.memcg && out.zswap && !out.memcg_zswap_writeback &&
      !out.features.zswap_incompressible_as_is) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config.memcg_zswap_writeback: profile ", std::string(profile->name),
        " rejects every incompressible page from zswap, which is not modelled"));
  }
  if (out.swap_devices > 1) {
    if (!out.features.several_swap_devices) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config.swap_devices: several devices need the allocator of 7.1.5, not profile ",
          std::string(profile->name), " (", std::string(profile->release), ")"));
    }
    if (out.nslots + out.nslots1 > kMaxSlots) {
      return absl::InvalidArgumentError(absl::StrCat("config.nslots1: nslots + nslots1 is at most ",
                                                     kMaxSlots));
    }
    if (out.backend1 == Backend::kZram) {
      return absl::InvalidArgumentError("config.backend1: zram is type 0's backend only");
    }
  }
  return out;
}

absl::Status CheckOpsModelled(std::span<const OpKind> ops, const RunConfig& config) {
  bool shmem = false;
  for (const OpKind op : ops) shmem |= IsShmemOp(op);
  if (!shmem) return absl::OkStatus();
  const auto refuse = [](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("shmem ops: ", std::string(why)));
  };
  if (config.features.shmem_swap == Features::ShmemSwap::kNotModelled) {
    return refuse("the release's shmem swap paths are not modelled (v6.12.y's, v6.18.y's and "
                  "v7.1.y's are; see docs/shmem.md)");
  }
  if (config.memcg) return refuse("shmem folios' memcg charges are not modelled (config.memcg)");
  return absl::OkStatus();
}

absl::Status CheckOpsModelled(const std::vector<CpuProgram>& programs, const RunConfig& config) {
  std::vector<OpKind> ops;
  for (const CpuProgram& p : programs) {
    for (const Op& op : p.ops) ops.push_back(op.kind);
  }
  return CheckOpsModelled(ops, config);
}

int SegmentDecider::Pick(uint32_t runnable, int current, const Kernel&) {
  while (index_ < segments_.size()) {
    const Segment& seg = segments_[index_];
    if ((runnable >> seg.cpu) & 1u) return seg.cpu;
    ++index_;  // its CPU cannot run: the segment ends early
    taken_ = 0;
  }
  return DefaultPick(runnable, current);
}

void SegmentDecider::Executed(int cpu, StepId step) {
  if (index_ >= segments_.size()) return;
  const Segment& seg = segments_[index_];
  if (cpu != seg.cpu) return;
  const bool done = seg.through
                        ? *seg.through == step && ++taken_ >= std::max<uint16_t>(seg.steps, 1)
                        : (seg.steps != 0 && ++taken_ >= seg.steps);
  if (done) {
    ++index_;
    taken_ = 0;
  }
}

std::vector<Segment> SegmentsFromPicks(const std::vector<uint8_t>& picks) {
  std::vector<Segment> out;
  for (uint8_t pick : picks) {
    const uint8_t cpu = static_cast<uint8_t>(PickCpu(pick));
    // A segment "until the CPU blocks or ends" (steps 0) is closed: the pick
    // that took no step ended it.
    const bool extend = !out.empty() && out.back().cpu == cpu && out.back().steps != 0;
    if (pick & kPickTookNoStep) {
      // The CPU was picked and took no step, which took it out of the runnable
      // mask. Replay must pick it here too: its run of steps (or a segment of
      // its own) becomes "until it blocks or ends", which SegmentDecider ends
      // at exactly this pick.
      if (extend) {
        out.back().steps = 0;
      } else {
        out.push_back(Segment{cpu, 0, std::nullopt});
      }
    } else if (extend && out.back().steps < UINT16_MAX) {
      ++out.back().steps;
    } else {
      out.push_back(Segment{cpu, 1, std::nullopt});
    }
  }
  return out;
}

Expectation ExpectationOf(const RunResult& result, const std::vector<TraceEvent>* trace) {
  Expectation e;
  if (result.finding != nullptr) e.signature = result.finding->Signature();
  e.trace_hash = result.trace_hash;
  e.steps = result.steps;
  if (trace != nullptr) e.step_digest = StepDigest(*trace);
  return e;
}

absl::StatusOr<ReplayOutput> RunSchedule(Executor& executor, const Schedule& schedule,
                                         const std::string& profile_override, bool keep_trace,
                                         int64_t break_at_step) {
  if (absl::Status s = Validate(schedule); !s.ok()) return s;
  absl::StatusOr<RunConfig> config = Resolve(schedule.config, profile_override);
  if (!config.ok()) return config.status();
  if (absl::Status s = CheckOpsModelled(schedule.cpus, *config); !s.ok()) return s;
  executor.Reset(*config, schedule.cpus);
  SegmentDecider decider(schedule.decisions);
  ReplayOutput out;
  RunOptions options;
  options.trace = keep_trace ? &out.trace : nullptr;
  options.break_at_step = break_at_step;
  out.result = executor.Run(decider, options);
  if (out.result.finding != nullptr) out.finding = *out.result.finding;
  return out;
}

absl::StatusOr<std::vector<KnobOverride>> ParseKnobSettings(std::string_view list) {
  std::vector<KnobOverride> out;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(list.data(), list.size()), ',', absl::SkipEmpty())) {
    const size_t eq = item.find('=');
    const std::string name(item.substr(0, eq));
    const absl::string_view value = eq == absl::string_view::npos ? "" : item.substr(eq + 1);
    if (value != "on" && value != "off") {
      return absl::InvalidArgumentError(absl::StrCat(item, ": expected NAME=on or NAME=off"));
    }
    if (!KnobByName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(item, ": unknown knob '", name, "' (see swapfuzz list-bugs)"));
    }
    out.push_back(KnobOverride{name, value == "on"});
  }
  return out;
}

void SetKnobOverride(ScheduleConfig& config, const KnobOverride& knob) {
  auto it = std::find_if(config.knobs.begin(), config.knobs.end(),
                         [&](const KnobOverride& k) { return k.name == knob.name; });
  if (it != config.knobs.end()) {
    it->on = knob.on;
  } else {
    config.knobs.push_back(knob);
  }
}

}  // namespace swapfuzz
