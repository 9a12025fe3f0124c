#include "model/trace.h"

#include <algorithm>
#include <cstdio>

namespace swapfuzz {

void TraceHash::Add(const TraceEvent& e) {
  const uint64_t fields[] = {e.step,
                             static_cast<uint64_t>(static_cast<uint8_t>(e.cpu)),
                             static_cast<uint64_t>(static_cast<uint16_t>(e.tid)),
                             static_cast<uint64_t>(e.id),
                             static_cast<uint64_t>(static_cast<uint16_t>(e.offset)),
                             static_cast<uint64_t>(static_cast<uint16_t>(e.page)),
                             e.detail};
  for (uint64_t v : fields) {
    h_ ^= v;
    h_ *= 0x100000001b3ull;
  }
}

std::string FormatEvent(const TraceEvent& e) {
  char buf[400];
  const std::string_view fn = FnName(StepFn(e.id));
  const std::string_view label = StepLabel(e.id);
  int n = snprintf(buf, sizeof(buf), "%5llu  %-24.*s %-40.*s",
                   static_cast<unsigned long long>(e.step), static_cast<int>(fn.size()),
                   fn.data(), static_cast<int>(label.size()), label.data());
  // However long the label, the fields below fit (snprintf() returns the
  // length it wanted).
  n = std::min(n, static_cast<int>(sizeof(buf)) - 100);
  if (e.offset != kNoOffset) n += snprintf(buf + n, sizeof(buf) - n, " offset = %d", e.offset);
  if (e.page == kZeroPage) {
    n += snprintf(buf + n, sizeof(buf) - n, " page = zero");
  } else if (e.page != kNoPage) {
    n += snprintf(buf + n, sizeof(buf) - n, " page = %d", e.page);
  }
  if (e.detail != 0) {
    n += snprintf(buf + n, sizeof(buf) - n, " value = %#llx",
                  static_cast<unsigned long long>(e.detail));
  }
  snprintf(buf + n, sizeof(buf) - n, " [cpu = %d, tid = %d]", e.cpu, e.tid);
  return buf;
}

std::string StepDigest(const std::vector<TraceEvent>& events) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(events.size() * 2);
  for (const TraceEvent& e : events) {
    TraceHash h;
    h.Add(e);
    const uint8_t b = static_cast<uint8_t>(h.value() ^ (h.value() >> 32));
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

int64_t FirstDivergence(const std::string& digest, const std::vector<TraceEvent>& events) {
  const std::string mine = StepDigest(events);
  const size_t n = std::min(mine.size(), digest.size());
  for (size_t i = 0; i < n; i += 2) {
    if (mine.compare(i, 2, digest, i, 2) != 0) return static_cast<int64_t>(i / 2);
  }
  if (mine.size() != digest.size()) return static_cast<int64_t>(n / 2);
  return -1;
}

std::string FormatTrace(const std::vector<TraceEvent>& events) {
  std::string out;
  for (const TraceEvent& e : events) {
    out += FormatEvent(e);
    out += '\n';
  }
  return out;
}

}  // namespace swapfuzz
