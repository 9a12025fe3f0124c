// Pictures of a run: the race as a kernel developer shows it in a fix commit,
// a Chrome/Perfetto trace, and a self-contained HTML timeline.
//
// All three take the trace of a run (model/trace.h) and its finding, if any.

#ifndef SWAPFUZZ_REPLAY_RENDER_H_
#define SWAPFUZZ_REPLAY_RENDER_H_

#include <optional>
#include <string>
#include <vector>

#include "model/finding.h"
#include "model/trace.h"

namespace swapfuzz {

// One column per CPU, one row per step, in the form fix commits use:
//
//   CPU 0 (tid 1)                        CPU 1 (tid 2)
//   do_swap_page
//     lookup_swap_cache: miss, offset 1
//                                        do_swap_page
//
// Steps a CPU takes before any other CPU has run are folded into one line.
// The failing step is marked, and the finding is printed under the diagram.
std::string RenderCpuDiagram(const std::vector<TraceEvent>& trace,
                             const std::optional<Finding>& finding);

// Chrome trace-event JSON (chrome://tracing, ui.perfetto.dev): one thread per
// CPU, one slice per step, flow arrows between consecutive steps of different
// CPUs on the same swap offset or page, and an instant event at the finding.
std::string RenderTraceEventJson(const std::vector<TraceEvent>& trace,
                                 const std::optional<Finding>& finding);

// A single HTML file with no external resources: a lane per CPU, a row per
// step, the failing step marked, and every step linked to the other steps on
// the same swap offset or page (highlighted together on hover).
std::string RenderHtmlTimeline(const std::vector<TraceEvent>& trace,
                               const std::optional<Finding>& finding, const std::string& title);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_REPLAY_RENDER_H_
