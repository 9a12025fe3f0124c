// The schedule files kept in the source tree's corpus/, for the tests that
// replay or consult them.

#ifndef SWAPFUZZ_TESTS_CORPUS_TEST_UTIL_H_
#define SWAPFUZZ_TESTS_CORPUS_TEST_UTIL_H_

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

namespace swapfuzz::testing {

// The .json files of corpus/<subdir>, sorted.
inline std::vector<std::string> CorpusFiles(const std::string& subdir) {
  const std::string dir = std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/" + subdir;
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
        out.push_back(dir + "/" + name);
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace swapfuzz::testing

#endif  // SWAPFUZZ_TESTS_CORPUS_TEST_UTIL_H_
