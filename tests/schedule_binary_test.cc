#include "format/schedule_binary.h"

#include <dirent.h>

#include <string>

#include <gtest/gtest.h>

#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

std::vector<Schedule> Regressions() {
  const std::string dir = std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions";
  std::vector<Schedule> out;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json") continue;
    absl::StatusOr<Schedule> s = ReadScheduleFile(dir + "/" + name);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) out.push_back(*s);
  }
  closedir(d);
  return out;
}

TEST(ScheduleBinaryTest, RoundTripsEveryRegressionAndIsSmaller) {
  const std::vector<Schedule> all = Regressions();
  ASSERT_GE(all.size(), 4u);
  for (const Schedule& s : all) {
    SCOPED_TRACE(s.description.substr(0, 40));
    const std::string bin = ScheduleToBinary(s);
    EXPECT_TRUE(LooksLikeBinarySchedule(bin));
    absl::StatusOr<Schedule> back = ParseScheduleBinary(bin);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(ScheduleToJson(*back), ScheduleToJson(s));
    EXPECT_LT(bin.size(), ScheduleToJson(s).size());
  }
}

TEST(ScheduleBinaryTest, EveryTruncationIsAnErrorNamingTheOffset) {
  const std::string bin = ScheduleToBinary(Regressions().front());
  for (size_t n = 0; n < bin.size(); ++n) {
    SCOPED_TRACE(n);
    absl::StatusOr<Schedule> s = ParseScheduleBinary(bin.substr(0, n));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(std::string(s.status().message()).rfind("offset ", 0), 0u) << s.status();
  }
}

TEST(ScheduleBinaryTest, HostileValuesAreRejected) {
  struct Case {
    std::string name;
    size_t at;      // byte to overwrite (after the 4-byte magic)
    uint8_t value;
    std::string expect;
  };
  const std::string bin = ScheduleToBinary(Regressions().front());
  const Case cases[] = {
      {"version", 4, 9, "version"},
      {"huge description length", 5, 0xff, "description"},
      {"trailing bytes", bin.size(), 0, "trailing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string b = bin;
    if (c.at >= b.size()) {
      b.push_back(static_cast<char>(c.value));
    } else {
      b[c.at] = static_cast<char>(c.value);
      if (c.name == "huge description length") b.insert(c.at + 1, "\xff\xff\xff\x0f");
    }
    absl::StatusOr<Schedule> s = ParseScheduleBinary(b);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.status().message()).find(c.expect), std::string::npos) << s.status();
  }
  // A NUL inside a string (found by the parser fuzz target: JSON cannot carry it).
  {
    Schedule s = Regressions().front();
    s.expected->signature = std::string("data-integrity:do_swap_page:\0\0h", 32);
    absl::StatusOr<Schedule> back = ParseScheduleBinary(ScheduleToBinary(s));
    ASSERT_FALSE(back.ok());
    EXPECT_NE(std::string(back.status().message()).find("NUL character"), std::string::npos);
  }
  EXPECT_FALSE(ParseScheduleBinary("").ok());
  EXPECT_FALSE(ParseScheduleBinary("{\"format\"").ok());
}

}  // namespace
}  // namespace swapfuzz
