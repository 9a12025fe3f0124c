// Which kernel code each model file follows, for each modelled release.
//
// A profile is a release, so every model file must say what it was written
// from: `swapfuzz list-profiles --verbose` prints these rows under each
// profile. A row names the model file, the kernel file, the code shape it
// describes (a Profile::code_of: "v5.16", "v6.3" or "v6.9"), the release the
// code follows there, and what was read: a repository and commit, or the mail
// that quotes the code. Where the model follows an older text and adds a
// later release's changes, the row says both. Add a row for every new model
// file and every new code shape; tests/sources_test.cc checks that every
// model file under model/mm/ and model/drivers/ has a row for each code shape.
#ifndef SWAPFUZZ_MODEL_SOURCES_H_
#define SWAPFUZZ_MODEL_SOURCES_H_

#include <span>
#include <string_view>

namespace swapfuzz {

struct SourceRow {
  std::string_view model_file;
  std::string_view kernel_file;
  std::string_view code_of;  // Profile::code_of
  std::string_view follows;  // the release the model's code follows
  std::string_view read;     // what was read
};

std::span<const SourceRow> AllSources();

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_SOURCES_H_
