// The banner over the 3D view: what makes the view untrustworthy right now (a scene mismatch).
#include "app/ui/banner.hpp"

#include <imgui.h>

namespace strokeviz::app {

void draw_banner(const std::string& text, float x0, float width) {
  if (text.empty()) return;
  const float margin = 12.0f;
  ImGui::SetNextWindowPos(ImVec2(x0 + margin, margin));
  ImGui::SetNextWindowSize(ImVec2(width - 2 * margin, 0.0f));  // height follows the wrapped text
  ImGui::SetNextWindowBgAlpha(0.92f);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(120, 28, 20, 255));
  ImGui::PushStyleColor(ImGuiCol_Border, IM_COL32(255, 120, 80, 255));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                 ImGuiWindowFlags_AlwaysAutoResize;
  if (ImGui::Begin("##banner", nullptr, flags)) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
  ImGui::PopStyleColor(2);
}

}  // namespace strokeviz::app
