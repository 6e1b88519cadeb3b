// The banner over the 3D view: what makes the view untrustworthy right now (a scene mismatch).
#pragma once

#include <string>

namespace strokeviz::app {

// Which thread: the render thread, between ImGui::NewFrame and ImGui::Render.
// Draws nothing when `text` is empty; wrapped, never cut off.
void draw_banner(const std::string& text, float x0, float width);

}  // namespace strokeviz::app
