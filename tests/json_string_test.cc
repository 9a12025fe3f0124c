// The one JSON string escaper (base/json_string.h).

#include "base/json_string.h"

#include <string>

#include <gtest/gtest.h>

namespace swapfuzz {
namespace {

TEST(JsonStringTest, PlainTextIsUnchanged) {
  EXPECT_EQ(JsonEscape("data-integrity:do_swap_page:page"), "data-integrity:do_swap_page:page");
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("pct"), "\"pct\"");
}

TEST(JsonStringTest, QuotesAndBackslashes) {
  EXPECT_EQ(JsonEscape(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(JsonQuote("\"'"), R"("\"'")");
}

TEST(JsonStringTest, EveryControlCharacterIsEscaped) {
  EXPECT_EQ(JsonEscape("a\nb"), R"(a\nb)");
  EXPECT_EQ(JsonEscape(std::string("\0", 1)), R"(\u0000)");
  EXPECT_EQ(JsonEscape("\x01\t\r\x1b\x1f"), R"(\u0001\u0009\u000d\u001b\u001f)");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = JsonEscape(std::string(1, static_cast<char>(c)));
    SCOPED_TRACE(c);
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[0], '\\');
    for (char o : out) EXPECT_GE(static_cast<unsigned char>(o), 0x20);  // one line, valid JSON
  }
}

TEST(JsonStringTest, OtherBytesAreCopied) {
  EXPECT_EQ(JsonEscape("\x7f"), "\x7f");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9 \xe2\x86\x92"), "caf\xc3\xa9 \xe2\x86\x92");  // UTF-8
}

}  // namespace
}  // namespace swapfuzz
