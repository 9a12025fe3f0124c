// JSON string literals: the one escaper of every JSON text the project writes
// by hand (the trace-event file, the `--json` outputs of the command line,
// schedule-parser messages that quote a value). cereal writes the schedule
// files themselves.
#ifndef SWAPFUZZ_BASE_JSON_STRING_H_
#define SWAPFUZZ_BASE_JSON_STRING_H_

#include <string>
#include <string_view>

namespace swapfuzz {

// `s` escaped for the inside of a JSON string: `"` and `\` get a backslash,
// a newline becomes \n and every other control character (below 0x20) \u00XX,
// so the result is always one line. Other bytes, UTF-8 included, are copied.
//
//   JsonEscape("a\"b\n\x01") == R"(a\"b\n\u0001)"
std::string JsonEscape(std::string_view s);

// JsonEscape(s) in double quotes: a JSON string literal.
std::string JsonQuote(std::string_view s);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_BASE_JSON_STRING_H_
