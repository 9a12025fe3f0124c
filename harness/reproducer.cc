#include "harness/reproducer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/file.h"
#include "format/schedule_io.h"
#include "replay/verify.h"

namespace swapfuzz {
namespace {

// Replays a pick list (RunOptions::picks) pick for pick: the run it came from,
// whatever decider made it. Past the list, or should a recorded CPU not be
// runnable (the picks are not this run's), the default policy goes on; the
// verification then reports the difference.
class PickListDecider final : public Decider {
 public:
  explicit PickListDecider(const std::vector<uint8_t>& picks) : picks_(picks) {}
  int Pick(uint32_t runnable, int current, const Kernel&) override {
    if (next_ < picks_.size()) {
      const int cpu = PickCpu(picks_[next_++]);
      if ((runnable >> cpu) & 1u) return cpu;
    }
    return DefaultPick(runnable, current);
  }

 private:
  const std::vector<uint8_t>& picks_;
  size_t next_ = 0;
};

}  // namespace

std::string SignatureFileStem(const std::string& signature) {
  return absl::StrReplaceAll(signature, {{":", "__"}, {"/", "_"}});
}

std::vector<TraceEvent> RecordedTrace(const FuzzRunner& runner) {
  FuzzRunner again(runner.target());
  const Schedule last = runner.LastSchedule();
  again.schedule().config = last.config;
  again.schedule().cpus = last.cpus;
  PickListDecider decider(runner.last_picks());
  std::vector<TraceEvent> trace;
  again.RunWith(decider, nullptr, &trace);
  return trace;
}

absl::Status VerifyLastRun(const FuzzRunner& runner) {
  const std::vector<TraceEvent> recorded = RecordedTrace(runner);
  return VerifyReproducer(runner.LastSchedule(), &recorded);
}

absl::StatusOr<SavedReproducer> SaveReproducer(const FuzzRunner& runner, const std::string& dir) {
  Env& env = Env::Default();
  if (runner.last_result().finding == nullptr) {
    return absl::FailedPreconditionError("the last run has no finding");
  }
  if (absl::Status s = env.CreateDirs(dir); !s.ok()) return s;
  SavedReproducer out;
  out.path = absl::StrCat(dir, "/", std::string(runner.target().name), "__",
                          SignatureFileStem(runner.last_result().finding->Signature()), ".json");
  if (env.FileExists(out.path)) return out;  // one per signature
  if (absl::Status v = VerifyLastRun(runner); !v.ok()) {
    return absl::InternalError(absl::StrCat("internal error: not writing ", out.path, ": ",
                                            v.message()));
  }
  if (absl::Status s = WriteScheduleFile(out.path, runner.LastSchedule()); !s.ok()) return s;
  out.created = true;
  return out;
}

}  // namespace swapfuzz
