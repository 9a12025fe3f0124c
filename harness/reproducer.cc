#include "harness/reproducer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/file.h"
#include "format/schedule_io.h"

namespace swapfuzz {

std::string SignatureFileStem(const std::string& signature) {
  return absl::StrReplaceAll(signature, {{":", "__"}, {"/", "_"}});
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
  if (absl::Status s = WriteScheduleFile(out.path, runner.LastSchedule()); !s.ok()) return s;
  out.created = true;
  return out;
}

}  // namespace swapfuzz
