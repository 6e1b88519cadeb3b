// The replay timeline bar: play/pause, speed, scrub, event/stroke jumps, markers.
#pragma once

#include "follow/replay_player.hpp"

namespace strokeviz::app {

// Which thread: the render thread, between ImGui::NewFrame and ImGui::Render.
// Draws a bar along the bottom of the 3D view (x0..x0+width of the window).
void draw_timeline(follow::ReplayPlayer& player, float x0, float width, float window_height);
inline constexpr float kTimelineHeight = 96.0f;

}  // namespace strokeviz::app
