// The ImGui side panel: Session, Strokes, Joints, State Sync and View sections.
//
// Sections: draw_session, draw_strokes, draw_joints, draw_sync, draw_view;
// draw_side_panel lays them out in one fixed window left of the 3D view.
#include "app/ui/panels.hpp"

#include "app/ui/timeline.hpp"

#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <spdlog/spdlog.h>

namespace strokeviz::app {
using follow::ArmSolution;
using follow::Mode;
using follow::Source;
using follow::ViewerState;

namespace {

// Fixed height in every mode (one line each), so nothing below it jumps.
void draw_session(const ViewerState& state, const Source& source) {
  const model::Scene& sc = state.scene();
  switch (source.mode()) {
    case Mode::Local: ImGui::Text("plan: a pose every %.2f s (first %.2f s)", sc.goal_time_fast, sc.goal_time_slow); break;
    case Mode::Live:
      if (source.following_live()) ImGui::TextColored(ImVec4(0.35f, 0.85f, 0.45f, 1.f), "live: following the robot");
      else ImGui::TextColored(ImVec4(1.f, 0.8f, 0.3f, 1.f), "live: reviewing, %.0f s behind", source.behind_live_s());
      break;
    case Mode::Replay: ImGui::TextUnformatted("replay of a recorded session"); break;
  }
  ImGui::TextDisabled("transport: timeline below, Space/arrows/Home/End");
}

void draw_strokes(ViewerState& state, Source& source) {
  const model::Scene& sc = state.scene();
  const bool live = source.following_live();
  int stroke = state.stroke_idx();
  if (ImGui::SliderInt(live ? "stroke (live)" : "stroke", &stroke, 0, state.stroke_count() - 1))
    source.seek_pose(stroke, 0);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(live ? "Following the robot: drag to review an earlier stroke" : "Go to a stroke");
  int pose = state.pose_idx();
  if (ImGui::SliderInt(live ? "pose (live)" : "pose", &pose, 0, state.stroke_length() - 1))
    source.seek_pose(state.stroke_idx(), pose);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(live ? "Following the robot: drag to review an earlier pose" : "Go to a pose of this stroke");
  for (int a = 0; a < model::kArmCount; ++a) {
    const auto arm = static_cast<model::Arm>(a);
    int off = state.offset_idx(arm);
    char label[32];
    char value[32];
    std::snprintf(label, sizeof label, "%s offset", a == 0 ? "left" : "right");
    std::snprintf(value, sizeof value, "%%d  (%+.1f mm)", sc.offset_value(off) * 1000.0);
    if (ImGui::SliderInt(label, &off, 0, sc.offset_num - 1, value)) state.set_offset(arm, off);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Needle depth offset of the %s arm", a == 0 ? "left" : "right");
  }
  for (int a = 0; a < model::kArmCount; ++a) {
    const model::ArmStroke& as = state.arm_stroke(static_cast<model::Arm>(a));
    ImGui::TextWrapped("%s [%s]: %s", a == 0 ? "L" : "R", model::kind_name(as.kind), as.description.c_str());
  }
}

void draw_joints(const PanelInput& in, const UiState& ui) {
  ImGui::TextDisabled("joints: %s", ui.sync.joints_from_robot ? "the robot's (robot:state)" : "scene IK");
  if (!in.model || !in.model->has_arms()) {
    ImGui::TextDisabled("no arms in this robot model");
    return;
  }
  const auto names = in.model->arm_joint_names();
  if (ImGui::BeginTable("joints", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (int i = 0; i < model::kAllArmJoints; ++i) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(names[i].c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::Text("%+.4f", in.joints[i]);
    }
    ImGui::EndTable();
  }
  for (int a = 0; a < 2; ++a) {
    const ArmSolution* s = in.solutions[a];
    if (!s || s->rest) continue;
    if (in.stroke_reach[a].unreachable > 0)
      ImGui::TextColored(ImVec4(1.f, 0.45f, 0.2f, 1.f), "%s arm: %d poses of this stroke unreachable (worst %.1f mm)",
                         a == 0 ? "left" : "right", in.stroke_reach[a].unreachable,
                         in.stroke_reach[a].worst_error_m * 1000.0);
    if (s->reachable)
      ImGui::Text("%s needle: on target (%.2f mm)", a == 0 ? "left" : "right", s->error_m * 1000.0);
    else
      ImGui::TextColored(ImVec4(1.f, 0.45f, 0.2f, 1.f), "%s needle: UNREACHABLE, %.1f mm off",
                         a == 0 ? "left" : "right", s->error_m * 1000.0);
  }
}

void draw_sync(UiState& ui) {
  ImGui::Checkbox("Sync with Robot", &ui.sync_enabled);
  {  // for GUI tests that click it (xdotool): where it is, whenever that changes
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const ImVec2 at(a.x + 8.0f, (a.y + b.y) / 2.0f);
    if (at.x != ui.sync_checkbox_at.x || at.y != ui.sync_checkbox_at.y) {
      spdlog::debug("ui: \"Sync with Robot\" checkbox at {:.0f},{:.0f}", at.x, at.y);
      ui.sync_checkbox_at = {at.x, at.y};
    }
  }
  ImGui::TextWrapped("Status: %s", ui.sync_status.c_str());
  const SyncInfo& s = ui.sync;
  if (!ui.sync_enabled && s.received == 0) return;
  const ImVec4 warn(1.f, 0.8f, 0.3f, 1.f);
  if (!s.mismatch.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, warn);
    ImGui::TextWrapped("WARNING: %s", s.mismatch.c_str());
    ImGui::PopStyleColor();
  }
  if (!s.activity.empty()) ImGui::TextWrapped("activity: %s", s.activity.c_str());
  ImGui::TextDisabled("server %s", s.server.c_str());
  if (!s.session.empty()) ImGui::Text("session %s on %s", s.session.c_str(), s.node.c_str());
  if (!s.robot_pose.empty())
    ImGui::Text("robot: %s, arms %s/%s", s.robot_pose.c_str(), s.connected_l ? "L up" : "L down",
                s.connected_r ? "R up" : "R down");
  if (s.last_event_age_s >= 0)
    ImGui::Text("last update %.1f s ago, latency %.1f ms", s.last_event_age_s, s.latency_ms);
  ImGui::Text("events %llu received, %llu rejected, %llu dropped", static_cast<unsigned long long>(s.received),
              static_cast<unsigned long long>(s.rejected), static_cast<unsigned long long>(s.dropped));
  if (s.reconnects > 0) ImGui::Text("reconnects %llu", static_cast<unsigned long long>(s.reconnects));
  if (s.out_of_range > 0)
    ImGui::TextColored(warn, "%llu updates did not fit the loaded scene (clamped)",
                       static_cast<unsigned long long>(s.out_of_range));

  if (!s.recording.empty()) ImGui::TextWrapped("%s", s.recording.c_str());
  if (s.recording_lost > 0)
    ImGui::TextColored(warn, "recorder lost %llu lines (disk too slow or full)",
                       static_cast<unsigned long long>(s.recording_lost));
  if (s.errors && !s.errors->empty() && ImGui::TreeNode("errors", "robot errors (%zu)", s.errors->size())) {
    for (const std::string& e : *s.errors) ImGui::TextWrapped("%s", e.c_str());
    ImGui::TreePop();
  }
}

void draw_sessions(SessionsUi& s) {
  ImGui::TextDisabled("%s", s.dir.c_str());
  if (ImGui::Button("Refresh")) s.refresh = true;
  if (!s.status.empty()) ImGui::TextWrapped("%s", s.status.c_str());
  if (s.listings.empty()) {
    ImGui::TextDisabled("no recordings yet: tick Sync with Robot to record one");
    return;
  }
  if (!ImGui::BeginTable("sessions", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY, ImVec2(0, 180))) return;
  for (int i = 0; i < static_cast<int>(s.listings.size()); ++i) {
    const session::SessionListing& l = s.listings[static_cast<std::size_t>(i)];
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushID(i);
    if (ImGui::SmallButton("Open")) s.open = i;
    ImGui::PopID();
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(l.header.session_id.empty() ? "(outside sessions)" : l.header.session_id.c_str());
    ImGui::TableSetColumnIndex(2);
    const double min = l.end_us > l.header.start_us ? static_cast<double>(l.end_us - l.header.start_us) / 60e6 : 0.0;
    ImGui::Text("%s %s %.1f min, stroke %d", l.header.scene.c_str(), l.header.start_time.substr(0, 16).c_str(), min,
                l.max_stroke);
  }
  ImGui::EndTable();
}

// Where the viewer was not listening (sync off, a dropped connection, a
// server restart); a click goes there.
void draw_gaps(Source& source) {
  const auto& gaps = source.gaps();
  if (gaps.empty()) {
    ImGui::TextDisabled("no gaps: every event since the start was received");
    return;
  }
  const TimeUs t0 = source.begin_us();
  for (std::size_t i = 0; i < gaps.size() && i < 200; ++i) {
    const session::Gap& g = gaps[i];
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("go")) source.seek_time(g.end_us);
    ImGui::PopID();
    ImGui::SameLine();
    ImGui::Text("%s  %.1f s%s%s", clock_text(g.begin_us - t0).c_str(), static_cast<double>(g.end_us - g.begin_us) / 1e6,
                g.reason.empty() ? "" : ": ", g.reason.c_str());
  }
}

void draw_view(UiState& ui) {
  ImGui::Checkbox("strokes as lines", &ui.show_lines);
  ImGui::Checkbox("active offset points", &ui.show_active_points);
  ImGui::Checkbox("all depth offsets (point cloud)", &ui.show_all_offsets);
  ImGui::Checkbox("robot", &ui.show_robot);
  ImGui::SameLine();
  ImGui::Checkbox("skin", &ui.show_skin);
  ImGui::SameLine();
  ImGui::Checkbox("ink caps", &ui.show_inkcaps);
  ImGui::SameLine();
  ImGui::Checkbox("grid", &ui.show_grid);
  if (ImGui::Button("Reset camera (R)")) ui.reset_camera = true;
  ImGui::SameLine();
  if (ImGui::Button("Save PNG")) ui.save_png = true;
  if (!ui.saved_png.empty()) ImGui::TextWrapped("%s", ui.saved_png.c_str());
  if (!ui.robot_note.empty()) ImGui::TextWrapped("%s", ui.robot_note.c_str());
  ImGui::TextDisabled("%s", ui.gl_info.c_str());
  ImGui::TextDisabled("frame %.2f ms", ui.frame_ms);
}

}  // namespace

void draw_side_panel(ViewerState& state, Source& source, UiState& ui, const PanelInput& in, float height) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(kPanelWidth, height));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  if (ImGui::Begin("strokeviz", nullptr, flags)) {
    ImGui::PushItemWidth(-120.0f);  // room for the labels right of the widgets
    const model::Scene& sc = state.scene();
    ImGui::Text("scene %s: %d strokes x %d poses", sc.name.c_str(), state.stroke_count(), sc.stroke_length);
    if (!sc.warnings.empty())
      ImGui::TextColored(ImVec4(1.f, 0.8f, 0.3f, 1.f), "%zu scene warnings (see log)", sc.warnings.size());
    if (ImGui::CollapsingHeader("Session", ImGuiTreeNodeFlags_DefaultOpen)) draw_session(state, source);
    if (ImGui::CollapsingHeader("Strokes", ImGuiTreeNodeFlags_DefaultOpen)) draw_strokes(state, source);
    if (ImGui::CollapsingHeader("State Sync", ImGuiTreeNodeFlags_DefaultOpen)) draw_sync(ui);
    if (ImGui::CollapsingHeader("Joints", ImGuiTreeNodeFlags_DefaultOpen)) draw_joints(in, ui);
    if (ImGui::CollapsingHeader("Sessions")) draw_sessions(ui.sessions);
    const std::string gaps = "Recording gaps (" + std::to_string(source.gaps().size()) + ")###gaps";
    if (ImGui::CollapsingHeader(gaps.c_str())) draw_gaps(source);
    if (ImGui::CollapsingHeader("View")) draw_view(ui);
    ImGui::PopItemWidth();
  }
  ImGui::End();
}

}  // namespace strokeviz::app
