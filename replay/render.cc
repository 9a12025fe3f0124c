#include "replay/render.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json_string.h"

namespace swapfuzz {
namespace {

constexpr size_t kColumn = 44;

std::string Objects(const TraceEvent& e) {
  std::string out;
  if (e.offset != kNoOffset) out = absl::StrCat("offset ", e.offset);
  if (e.page == kZeroPage) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", "zero page");
  } else if (e.page != kNoPage) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", "page ", e.page);
  }
  return out;
}

std::string Describe(const TraceEvent& e) {
  std::string s(StepName(e.id));
  const std::string objects = Objects(e);
  if (!objects.empty()) absl::StrAppend(&s, " (", objects, ")");
  return s;
}

bool IsFailing(const TraceEvent& e, const std::optional<Finding>& f) {
  return f.has_value() && f->step == e.step && f->cpu == e.cpu;
}

int CpuCount(const std::vector<TraceEvent>& trace) {
  int n = 0;
  for (const TraceEvent& e : trace) n = std::max(n, e.cpu + 1);
  return n;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Object keys a step touches, for linking steps on the same object.
std::vector<std::string> Keys(const TraceEvent& e) {
  std::vector<std::string> keys;
  if (e.offset > 0) keys.push_back(absl::StrCat("o", e.offset));
  if (e.page >= 0) keys.push_back(absl::StrCat("p", e.page));
  return keys;
}

}  // namespace

std::string RenderCpuDiagram(const std::vector<TraceEvent>& trace,
                             const std::optional<Finding>& finding) {
  const int ncpus = CpuCount(trace);
  std::map<int, int> tids;
  for (const TraceEvent& e : trace) tids.emplace(e.cpu, e.tid);
  std::string out;
  auto line = [&](int cpu, const std::string& text) {
    std::string row(static_cast<size_t>(cpu) * kColumn, ' ');
    row += text;
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row;
    out += '\n';
  };
  std::string header;
  for (int cpu = 0; cpu < ncpus; ++cpu) {
    std::string h = absl::StrCat("CPU ", cpu, " (tid ", tids[cpu], ")");
    h.resize(kColumn, ' ');
    header += h;
  }
  line(0, header);
  std::string rule;
  for (int cpu = 0; cpu < ncpus; ++cpu) rule += std::string(kColumn - 2, '-') + "  ";
  line(0, rule);
  // Fold the steps the first CPU takes alone before anyone else runs.
  size_t i = 0;
  while (i < trace.size() && trace[i].cpu == trace[0].cpu && !IsFailing(trace[i], finding)) ++i;
  if (i == trace.size()) i = 0;  // a single CPU throughout: show everything
  if (i > 3) {
    line(trace[0].cpu, absl::StrCat("[", i, " steps: ", std::string(StepName(trace[0].id)), " ... ",
                                    std::string(StepName(trace[i - 1].id)), "]"));
  } else {
    i = 0;
  }
  for (; i < trace.size(); ++i) {
    const TraceEvent& e = trace[i];
    std::string text = Describe(e);
    if (IsFailing(e, finding)) text += "   <== " + std::string(OracleName(finding->oracle));
    line(e.cpu, text);
  }
  if (finding.has_value()) {
    out += absl::StrCat("\n", finding->Signature(), " at step ", finding->step, ": ",
                        finding->message.data(), "\n");
  }
  return out;
}

std::string RenderTraceEventJson(const std::vector<TraceEvent>& trace,
                                 const std::optional<Finding>& finding) {
  constexpr int kUs = 10;  // one step is drawn as 10 microseconds
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto add = [&](const std::string& event) {
    if (!first) out += ",\n";
    first = false;
    out += event;
  };
  std::map<int, int> tids;
  for (const TraceEvent& e : trace) tids.emplace(e.cpu, e.tid);
  for (const auto& [cpu, tid] : tids) {
    add(absl::StrFormat(
        R"js({"name":"thread_name","ph":"M","pid":1,"tid":%d,"args":{"name":"CPU %d (tid %d)"}})js",
        cpu, cpu, tid));
  }
  std::map<std::string, const TraceEvent*> last_on;
  int flow = 0;
  for (const TraceEvent& e : trace) {
    add(absl::StrFormat(
        R"js({"name":"%s","cat":"%s","ph":"X","pid":1,"tid":%d,"ts":%d,"dur":%d,)js"
        R"js("args":{"step":%d,"offset":%d,"page":%d,"value":"%#x"}})js",
        JsonEscape(std::string(StepName(e.id))), JsonEscape(std::string(FnName(StepFn(e.id)))),
        e.cpu, static_cast<int>(e.step) * kUs, kUs, static_cast<int>(e.step), e.offset, e.page,
        e.detail));
    for (const std::string& key : Keys(e)) {
      auto it = last_on.find(key);
      if (it != last_on.end() && it->second->cpu != e.cpu) {
        ++flow;
        add(absl::StrFormat(R"js({"name":"%s","cat":"object","ph":"s","id":%d,"pid":1,"tid":%d,"ts":%d})js",
                            key, flow, it->second->cpu, static_cast<int>(it->second->step) * kUs + kUs / 2));
        add(absl::StrFormat(
            R"js({"name":"%s","cat":"object","ph":"f","bp":"e","id":%d,"pid":1,"tid":%d,"ts":%d})js", key,
            flow, e.cpu, static_cast<int>(e.step) * kUs + kUs / 2));
      }
      last_on[key] = &e;
    }
  }
  if (finding.has_value()) {
    add(absl::StrFormat(
        R"js({"name":"FINDING %s","ph":"i","s":"g","pid":1,"tid":%d,"ts":%d,"args":{"message":"%s"}})js",
        JsonEscape(finding->Signature()), std::max<int>(finding->cpu, 0),
        static_cast<int>(finding->step) * kUs, JsonEscape(finding->message.data())));
  }
  out += "\n]}\n";
  return out;
}

std::string RenderHtmlTimeline(const std::vector<TraceEvent>& trace,
                               const std::optional<Finding>& finding, const std::string& title) {
  const int ncpus = std::max(CpuCount(trace), 1);
  std::map<int, int> tids;
  for (const TraceEvent& e : trace) tids.emplace(e.cpu, e.tid);
  std::string html = absl::StrCat(R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>)",
                                  HtmlEscape(title), R"(</title>
<style>
body { font: 13px monospace; margin: 16px; background: #fff; color: #222; }
h1 { font-size: 16px; }
.finding { background: #fde2e2; border: 1px solid #c33; padding: 6px 10px; margin: 8px 0; }
table { border-collapse: collapse; }
th { position: sticky; top: 0; background: #eef; padding: 4px 8px; text-align: left; }
td { padding: 1px 8px; border-left: 1px solid #ddd; min-width: 330px; height: 18px; }
td.n { min-width: 40px; color: #888; text-align: right; border: none; }
.step { display: inline-block; padding: 0 4px; border-radius: 3px; background: #e8f0fe; cursor: default; }
.step.fail { background: #e33; color: #fff; font-weight: bold; }
.step.hl { outline: 2px solid #f90; background: #fff3d6; }
.step.fail.hl { background: #e33; }
</style></head><body>
<h1>)",
                                  HtmlEscape(title), "</h1>\n");
  if (finding.has_value()) {
    absl::StrAppend(&html, "<div class=\"finding\" id=\"finding\">FINDING <b>",
                    HtmlEscape(finding->Signature()), "</b> at step ", finding->step, " on CPU ",
                    static_cast<int>(finding->cpu), ": ", HtmlEscape(finding->message.data()),
                    "</div>\n");
  } else {
    absl::StrAppend(&html, "<div id=\"finding\">No finding.</div>\n");
  }
  absl::StrAppend(&html, "<p>Hover a step to highlight every step on the same swap offset or "
                         "page.</p>\n<table><tr><th></th>");
  for (int cpu = 0; cpu < ncpus; ++cpu) {
    absl::StrAppend(&html, "<th>CPU ", cpu, " (tid ", tids[cpu], ")</th>");
  }
  html += "</tr>\n";
  for (const TraceEvent& e : trace) {
    absl::StrAppend(&html, "<tr><td class=\"n\">", e.step, "</td>");
    for (int cpu = 0; cpu < ncpus; ++cpu) {
      html += "<td>";
      if (cpu == e.cpu) {
        std::string keys;
        for (const std::string& k : Keys(e)) absl::StrAppend(&keys, keys.empty() ? "" : " ", k);
        absl::StrAppend(&html, "<span class=\"step", IsFailing(e, finding) ? " fail" : "",
                        "\" data-keys=\"", keys, "\" title=\"value ",
                        absl::StrFormat("%#x", e.detail), "\">", HtmlEscape(Describe(e)),
                        "</span>");
      }
      html += "</td>";
    }
    html += "</tr>\n";
  }
  html += R"(</table>
<script>
document.querySelectorAll('.step').forEach(function (s) {
  var keys = s.dataset.keys ? s.dataset.keys.split(' ') : [];
  function mark(on) {
    document.querySelectorAll('.step').forEach(function (t) {
      var other = t.dataset.keys ? t.dataset.keys.split(' ') : [];
      if (keys.some(function (k) { return other.indexOf(k) >= 0; })) t.classList.toggle('hl', on);
    });
  }
  s.addEventListener('mouseenter', function () { mark(true); });
  s.addEventListener('mouseleave', function () { mark(false); });
});
var fail = document.querySelector('.step.fail');
if (fail) fail.scrollIntoView({block: 'center'});
</script>
</body></html>
)";
  return html;
}

}  // namespace swapfuzz
