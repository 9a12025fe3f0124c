#include "model/steps.h"

#include <array>
#include <string>

namespace swapfuzz {
namespace {

struct FnInfo {
  std::string_view name;
  std::string_view file;
};

constexpr std::array<FnInfo, static_cast<size_t>(Fn::kCount)> kFns = {{
#define SWAPFUZZ_FN_INFO(e, name, file) {name, file},
    SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_INFO)
#undef SWAPFUZZ_FN_INFO
}};

struct StepInfo {
  Fn fn;
  std::string_view label;
};

constexpr std::array<StepInfo, static_cast<size_t>(StepId::kCount)> kSteps = {{
#define SWAPFUZZ_STEP_INFO(e, fn, label) {Fn::fn, label},
    SWAPFUZZ_STEPS(SWAPFUZZ_STEP_INFO)
#undef SWAPFUZZ_STEP_INFO
}};

struct OpInfo {
  std::string_view name;
  bool takes_va;
  int arg_limit;
};

constexpr std::array<OpInfo, static_cast<size_t>(OpKind::kCount)> kOps = {{
#define SWAPFUZZ_OP_INFO(e, name, va, arg) {name, va, arg},
    SWAPFUZZ_OPS(SWAPFUZZ_OP_INFO)
#undef SWAPFUZZ_OP_INFO
}};

const std::array<std::string, static_cast<size_t>(StepId::kCount)>& StepNames() {
  static const auto* names = [] {
    auto* out = new std::array<std::string, static_cast<size_t>(StepId::kCount)>;
    for (size_t i = 0; i < kSteps.size(); ++i) {
      (*out)[i] = std::string(kFns[static_cast<size_t>(kSteps[i].fn)].name) + ": " +
                  std::string(kSteps[i].label);
    }
    return out;
  }();
  return *names;
}

}  // namespace

std::string_view FnName(Fn fn) { return kFns[static_cast<size_t>(fn)].name; }
std::string_view FnFile(Fn fn) { return kFns[static_cast<size_t>(fn)].file; }
Fn StepFn(StepId step) { return kSteps[static_cast<size_t>(step)].fn; }
std::string_view StepLabel(StepId step) { return kSteps[static_cast<size_t>(step)].label; }
std::string_view StepName(StepId step) { return StepNames()[static_cast<size_t>(step)]; }

std::optional<StepId> StepByName(std::string_view name) {
  const auto& names = StepNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<StepId>(i);
  }
  return std::nullopt;
}

std::string_view OpName(OpKind op) { return kOps[static_cast<size_t>(op)].name; }
bool OpTakesVa(OpKind op) { return kOps[static_cast<size_t>(op)].takes_va; }
int OpArgLimit(OpKind op) { return kOps[static_cast<size_t>(op)].arg_limit; }

std::optional<OpKind> OpByName(std::string_view name) {
  for (size_t i = 0; i < kOps.size(); ++i) {
    if (kOps[i].name == name) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

}  // namespace swapfuzz
