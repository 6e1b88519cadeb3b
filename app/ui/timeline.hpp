// The timeline bar: the source (plan, live, replay), one transport, a scrub track with markers and gaps.
#pragma once

#include <optional>
#include <string>

#include "follow/source.hpp"

namespace strokeviz::app {

// Which sources there are, and which one the user picked this frame.
struct SourceChoice {
  bool has_live = false;
  bool has_replay = false;
  bool live_running = false;   // the sync worker is on (the live recording grows)
  std::string replay_name;
  std::string note;            // e.g. "live recording kept (1 234 items)"
  std::optional<follow::Mode> requested;  // set by the bar, consumed by the loop
};

inline constexpr float kTimelineHeight = 124.0f;

// Which thread: the render thread, between ImGui::NewFrame and ImGui::Render.
// Draws a bar along the bottom of the 3D view (x0..x0+width of the window).
void draw_timeline(follow::Source& source, SourceChoice& choice, float x0, float width, float window_height);

// "00:01:02.3": a duration in µs.
std::string clock_text(TimeUs us);

}  // namespace strokeviz::app
