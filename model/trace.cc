#include "model/trace.h"

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
  char buf[200];
  const std::string_view fn = FnName(StepFn(e.id));
  const std::string_view label = StepLabel(e.id);
  int n = snprintf(buf, sizeof(buf), "%5llu  %-24.*s %-40.*s",
                   static_cast<unsigned long long>(e.step), static_cast<int>(fn.size()),
                   fn.data(), static_cast<int>(label.size()), label.data());
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

std::string FormatTrace(const std::vector<TraceEvent>& events) {
  std::string out;
  for (const TraceEvent& e : events) {
    out += FormatEvent(e);
    out += '\n';
  }
  return out;
}

}  // namespace swapfuzz
