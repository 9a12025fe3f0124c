#include "replay/render.h"

#include <rapidjson/document.h>

#include <string>

#include <gtest/gtest.h>

#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

ReplayOutput RunRegression(const std::string& name) {
  absl::StatusOr<Schedule> s =
      ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions/" + name);
  EXPECT_TRUE(s.ok()) << s.status();
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, *s, "", /*keep_trace=*/true);
  EXPECT_TRUE(out.ok());
  return *out;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(RenderTest, CpuDiagramHasAColumnPerCpuAndMarksTheFailingStep) {
  const ReplayOutput out = RunRegression("zram_free_notify_on_read.json");
  ASSERT_TRUE(out.finding.has_value());
  const std::string d = RenderCpuDiagram(out.trace, out.finding);
  EXPECT_NE(d.find("CPU 0 (tid 1)"), std::string::npos);
  EXPECT_NE(d.find("CPU 2 (tid 3)"), std::string::npos);
  EXPECT_EQ(Count(d, "<== data-integrity"), 1u);
  // The failing step sits in CPU 1's column: 44 columns in.
  const size_t mark = d.find("<== data-integrity");
  const size_t line_start = d.rfind('\n', mark) + 1;
  EXPECT_EQ(d.substr(line_start, 44), std::string(44, ' '));
  EXPECT_NE(d.find(out.finding->Signature()), std::string::npos);
  // The setup CPU 0 runs alone is folded into one line.
  EXPECT_NE(d.find("[16 steps:"), std::string::npos);
}

TEST(RenderTest, TraceEventJsonParsesAndHasASlicePerStep) {
  const ReplayOutput out = RunRegression("zram_free_notify_on_read.json");
  const std::string json = RenderTraceEventJson(out.trace, out.finding);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << "offset " << doc.GetErrorOffset();
  const auto& events = doc["traceEvents"];
  size_t slices = 0, instants = 0, flow_starts = 0, flow_ends = 0, threads = 0;
  for (const auto& e : events.GetArray()) {
    const std::string ph = e["ph"].GetString();
    slices += ph == "X";
    instants += ph == "i";
    flow_starts += ph == "s";
    flow_ends += ph == "f";
    threads += ph == "M";
  }
  EXPECT_EQ(slices, out.trace.size());
  EXPECT_EQ(instants, 1u);
  EXPECT_EQ(threads, 3u);
  EXPECT_GT(flow_starts, 0u);
  EXPECT_EQ(flow_starts, flow_ends);
}

TEST(RenderTest, HtmlTimelineIsSelfContained) {
  const ReplayOutput out = RunRegression("zram_free_notify_on_read.json");
  const std::string html = RenderHtmlTimeline(out.trace, out.finding, "e914d8f00391 <race>");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("e914d8f00391 &lt;race&gt;"), std::string::npos);
  EXPECT_EQ(Count(html, "<th>CPU "), 3u);
  EXPECT_EQ(Count(html, "class=\"step fail\""), 1u);
  EXPECT_EQ(Count(html, "class=\"step"), out.trace.size());
  EXPECT_NE(html.find("data-keys=\"o1"), std::string::npos);
}

TEST(RenderTest, CleanRunsRenderWithoutAFinding) {
  const ReplayOutput out = RunRegression("seed000_benign_empty_read.json");
  ASSERT_FALSE(out.finding.has_value());
  EXPECT_EQ(RenderCpuDiagram(out.trace, out.finding).find("<=="), std::string::npos);
  EXPECT_NE(RenderHtmlTimeline(out.trace, out.finding, "t").find("No finding."),
            std::string::npos);
}

}  // namespace
}  // namespace swapfuzz
