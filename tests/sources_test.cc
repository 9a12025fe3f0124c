#include "model/sources.h"

#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "model/knobs.h"

namespace swapfuzz {
namespace {

// Every profile's code shape names, for every model file, what it follows.
TEST(SourcesTest, EveryModelFileHasARowForEveryCodeShape) {
  std::set<std::string> files;
  std::set<std::pair<std::string, std::string>> rows;
  for (const SourceRow& row : AllSources()) {
    files.emplace(row.model_file);
    EXPECT_TRUE(rows.emplace(row.model_file, row.code_of).second)
        << row.model_file << " has two rows for " << row.code_of;
    EXPECT_FALSE(row.follows.empty());
    EXPECT_FALSE(row.read.empty());
  }
  for (const Profile& profile : AllProfiles()) {
    SCOPED_TRACE(std::string(profile.name));
    ASSERT_NE(ProfileByName(profile.code_of), nullptr) << "code_of names no profile";
    for (const std::string& file : files) {
      EXPECT_TRUE(rows.count({file, std::string(profile.code_of)}))
          << file << " has no row for " << profile.code_of;
    }
  }
}

// The rows name exactly the model's kernel files: every .cc under model/mm/,
// model/drivers/ and model/kernel/ has rows, and every row names a file that exists, so
// neither a new model file nor a renamed one goes without its sources.
TEST(SourcesTest, RowsNameEveryKernelFileOfTheModel) {
  namespace fs = std::filesystem;
  const fs::path root(SWAPFUZZ_SOURCE_DIR);
  std::set<std::string> on_disk;
  for (const char* dir : {"model/mm", "model/drivers", "model/kernel"}) {
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.path().extension() == ".cc") {
        on_disk.insert(fs::relative(e.path(), root).generic_string());
      }
    }
  }
  std::set<std::string> in_rows;
  for (const SourceRow& row : AllSources()) in_rows.emplace(row.model_file);
  EXPECT_EQ(in_rows, on_disk);
}

}  // namespace
}  // namespace swapfuzz
