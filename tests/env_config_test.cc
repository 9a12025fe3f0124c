#include "harness/env_config.h"

#include "model/knobs.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace swapfuzz {
namespace {

TEST(EnvConfigTest, SignatureListedMatchesWholeItemsOnly) {
  struct Case {
    const char* list;
    const char* signature;
    bool listed;
  };
  const Case cases[] = {
      {"page-state:unuse_pte:page", "page-state:unuse_pte:page", true},
      {"a:b:c,page-state:unuse_pte:page", "page-state:unuse_pte:page", true},
      {",,page-state:unuse_pte:page,", "page-state:unuse_pte:page", true},
      {"page-state:unuse_pte", "page-state:unuse_pte:page", false},
      {"page-state:unuse_pte:page:x", "page-state:unuse_pte:page", false},
      {"", "page-state:unuse_pte:page", false},
      {",", "", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.list) + " / " + c.signature);
    EXPECT_EQ(SignatureListed(c.list, c.signature), c.listed);
  }
}

// SWAPFUZZ_KNOBS takes exactly what --knob takes (ParseKnobSettings()): before,
// "name=maybe" meant "on" in the fuzz targets and was an error on the command
// line.
TEST(EnvConfigTest, KnobsParseLikeTheCommandLine) {
  struct Case {
    const char* knobs;
    const char* error;  // empty: accepted
  };
  const Case cases[] = {
      {"skip_swapcache_unpinned=on", ""},
      {"skip_swapcache_unpinned=off,free_notify_on_read=on", ""},
      {"skip_swapcache_unpinned=maybe", "SWAPFUZZ_KNOBS: skip_swapcache_unpinned=maybe: expected NAME=on or NAME=off"},
      {"skip_swapcache_unpinned", "SWAPFUZZ_KNOBS: skip_swapcache_unpinned: expected NAME=on or NAME=off"},
      {"nope=on", "SWAPFUZZ_KNOBS: nope=on: unknown knob 'nope' (see swapfuzz list-bugs)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.knobs);
    // The skip-swapcache knobs need a release with that path.
    const std::map<std::string, const char*> env = {{"SWAPFUZZ_KNOBS", c.knobs},
                                                    {"SWAPFUZZ_PROFILE", "v6.9"}};
    absl::StatusOr<HarnessConfig> config = HarnessConfigFromEnv("mainline", [&](const char* name) {
      auto it = env.find(name);
      return it == env.end() ? static_cast<const char*>(nullptr) : it->second;
    });
    if (*c.error == '\0') {
      ASSERT_TRUE(config.ok()) << config.status();
    } else {
      ASSERT_FALSE(config.ok());
      EXPECT_EQ(config.status().message(), c.error);
    }
  }
}

TEST(EnvConfigTest, ReadsEverySetting) {
  const std::map<std::string, const char*> env = {
      {"SWAPFUZZ_PROFILE", "v5.16"},  {"SWAPFUZZ_HUNT", "free_notify_on_read"},
      {"SWAPFUZZ_IGNORE", "a:b:c"},   {"SWAPFUZZ_ARTIFACTS", "/tmp/x"},
      {"SWAPFUZZ_NO_MUTATOR", "1"},
  };
  absl::StatusOr<HarnessConfig> config = HarnessConfigFromEnv("mainline", [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? static_cast<const char*>(nullptr) : it->second;
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->target.base.profile, "v5.16");
  EXPECT_EQ(config->hunt, "free_notify_on_read");
  EXPECT_EQ(config->ignore, "a:b:c");
  EXPECT_EQ(config->artifacts, "/tmp/x");
  EXPECT_TRUE(config->counters);
  EXPECT_FALSE(config->mutator);
}

// A reproducer names the release it ran, so the alias is resolved here.
TEST(EnvConfigTest, ProfileIsStoredAsTheRelease) {
  const auto mainline = [](const char* name) {
    return std::string(name) == "SWAPFUZZ_PROFILE" ? "mainline" : static_cast<const char*>(nullptr);
  };
  absl::StatusOr<HarnessConfig> config = HarnessConfigFromEnv("zram", mainline);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->target.base.profile, NewestProfile());
  const auto bad = [](const char* name) {
    return std::string(name) == "SWAPFUZZ_PROFILE" ? "v9" : static_cast<const char*>(nullptr);
  };
  config = HarnessConfigFromEnv("zram", bad);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "SWAPFUZZ_PROFILE: unknown profile 'v9' (see swapfuzz list-profiles)");
}

// A release that does not model a target's ops is refused with one line,
// before a runner would abort on it.
TEST(EnvConfigTest, RejectsAReleaseWithoutTheTargetsOps) {
  const auto v612 = [](const char* name) {
    return std::string(name) == "SWAPFUZZ_PROFILE" ? "v6.12.y" : static_cast<const char*>(nullptr);
  };
  absl::StatusOr<HarnessConfig> config = HarnessConfigFromEnv("mainline_shmem", v612);
  ASSERT_FALSE(config.ok());
  // The target's shmem folio orders are refused first, then its ops.
  EXPECT_EQ(config.status().message().rfind("bad SWAPFUZZ_PROFILE", 0), 0u) << config.status();
  EXPECT_NE(config.status().message().find("shmem"), std::string::npos) << config.status();
  EXPECT_TRUE(HarnessConfigFromEnv("mainline_zram_zswap", v612).ok());
}

TEST(EnvConfigTest, RejectsUnknownNames) {
  const auto none = [](const char*) { return static_cast<const char*>(nullptr); };
  EXPECT_FALSE(HarnessConfigFromEnv("no_such_target", none).ok());
  const auto bad_hunt = [](const char* name) {
    return std::string(name) == "SWAPFUZZ_HUNT" ? "nope" : static_cast<const char*>(nullptr);
  };
  absl::StatusOr<HarnessConfig> config = HarnessConfigFromEnv("mainline", bad_hunt);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "SWAPFUZZ_HUNT: unknown knob 'nope' (see swapfuzz list-bugs)");
}

}  // namespace
}  // namespace swapfuzz
