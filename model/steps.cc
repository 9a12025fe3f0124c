#include "model/steps.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

namespace swapfuzz {
namespace {

constexpr std::string_view kFnNames[] = {SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_NAME)};
constexpr bool kFnHasMachine[] = {SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_HAS_MACHINE)};
constexpr bool kFnShared[] = {SWAPFUZZ_FUNCTIONS(SWAPFUZZ_FN_SHARED)};
static_assert(std::size(kFnNames) == static_cast<size_t>(Fn::kCount));

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
  Fn fn;
};

constexpr std::array<OpInfo, static_cast<size_t>(OpKind::kCount)> kOps = {{
#define SWAPFUZZ_OP_INFO(e, name, va, arg, start, locals) {name, va, arg, Fn::start},
    SWAPFUZZ_OPS(SWAPFUZZ_OP_INFO)
#undef SWAPFUZZ_OP_INFO
}};

const std::array<std::string, static_cast<size_t>(StepId::kCount)>& StepNames() {
  static const auto* names = [] {
    auto* out = new std::array<std::string, static_cast<size_t>(StepId::kCount)>;
    for (size_t i = 0; i < kSteps.size(); ++i) {
      (*out)[i] = std::string(kFnNames[static_cast<size_t>(kSteps[i].fn)]) + ": " +
                  std::string(kSteps[i].label);
    }
    return out;
  }();
  return *names;
}

}  // namespace

std::string_view FnName(Fn fn) { return kFnNames[static_cast<size_t>(fn)]; }
bool FnHasMachine(Fn fn) { return kFnHasMachine[static_cast<size_t>(fn)]; }
bool FnTouchesSharedState(Fn fn) { return kFnShared[static_cast<size_t>(fn)]; }
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
Fn OpFn(OpKind op) { return kOps[static_cast<size_t>(op)].fn; }

bool OpTakesValue(OpKind op) {
  return op == OpKind::kWrite || op == OpKind::kShmemWrite || op == OpKind::kShmemMapWrite;
}

bool IsShmemMapOp(OpKind op) {
  return op == OpKind::kShmemMapRead || op == OpKind::kShmemMapWrite ||
         op == OpKind::kShmemMapDontneed;
}

bool IsShmemOp(OpKind op) {
  return std::find(std::begin(kShmemOpKinds), std::end(kShmemOpKinds), op) !=
         std::end(kShmemOpKinds);
}

std::optional<OpKind> OpByName(std::string_view name) {
  for (size_t i = 0; i < kOps.size(); ++i) {
    if (kOps[i].name == name) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

}  // namespace swapfuzz
