#include "model/sources.h"

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

// Each file the rows name exists, so a renamed model file cannot leave a
// stale row behind.
TEST(SourcesTest, RowsNameRealFiles) {
  for (const SourceRow& row : AllSources()) {
    const std::string path = std::string(SWAPFUZZ_SOURCE_DIR) + "/" + std::string(row.model_file);
    EXPECT_TRUE(fopen(path.c_str(), "r") != nullptr) << path;
  }
}

}  // namespace
}  // namespace swapfuzz
