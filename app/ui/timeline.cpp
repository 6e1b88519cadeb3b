// The replay timeline bar: play/pause, speed, scrub, event/stroke jumps, markers.
//
// Sections: draw_transport (buttons, speed), draw_track (scrub bar with
// markers and hover readout).
#include "app/ui/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

namespace strokeviz::app {
using namespace follow;

namespace {

std::string clock_text(TimeUs us) {
  if (us < 0) us = 0;
  const long long s = us / 1'000'000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%01lld", s / 3600, (s / 60) % 60, s % 60, (us / 100'000) % 10);
  return buf;
}

void draw_transport(ReplayPlayer& p) {
  if (ImGui::Button("|< stroke")) p.prev_stroke();
  ImGui::SameLine();
  if (ImGui::Button("< event")) p.prev_event();
  ImGui::SameLine();
  if (ImGui::Button(p.playing() ? "Pause" : "Play", ImVec2(64, 0))) p.set_playing(!p.playing());
  ImGui::SameLine();
  if (ImGui::Button("event >")) p.next_event();
  ImGui::SameLine();
  if (ImGui::Button("stroke >|")) p.next_stroke();
  ImGui::SameLine();
  float speed = static_cast<float>(p.speed());
  ImGui::SetNextItemWidth(160);
  if (ImGui::SliderFloat("##speed", &speed, 0.1f, 100.0f, "%.1fx", ImGuiSliderFlags_Logarithmic)) p.set_speed(speed);
  ImGui::SameLine();
  const auto& rec = p.recording();
  const std::size_t i = p.cursor();
  ImGui::Text("%s / %s   item %zu/%zu   stroke %d pose %d", clock_text(p.playhead_us() - p.begin_us()).c_str(),
              clock_text(p.end_us() - p.begin_us()).c_str(), rec.size() ? i + 1 : 0, rec.size(), rec.stroke_at(i),
              rec.pose_at(i));
}

ImU32 marker_colour(session::ItemKind k) {
  switch (k) {
    case session::ItemKind::Error: return IM_COL32(255, 80, 60, 255);
    case session::ItemKind::SessionStart: return IM_COL32(80, 220, 120, 255);
    case session::ItemKind::SessionEnd: return IM_COL32(240, 200, 60, 255);
    default: return 0;
  }
}

// Markers for errors and session start/end: found by kind, not by scanning
// every item (a recording may hold a million).
void draw_markers(const session::Recording& rec, ImDrawList* dl, ImVec2 a, ImVec2 b, double t0, double span) {
  for (session::ItemKind k : {session::ItemKind::SessionStart, session::ItemKind::SessionEnd, session::ItemKind::Error}) {
    int drawn = 0;
    if (rec.size() == 0) return;
    std::size_t i = rec.kind(0) == k ? 0 : rec.next_of(0, k);
    for (; i != session::Recording::npos && drawn < 2000; i = rec.next_of(i, k), ++drawn) {
      const float x = a.x + static_cast<float>((static_cast<double>(rec.time(i)) - t0) / span) * (b.x - a.x);
      dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), marker_colour(k), 2.0f);
    }
  }
}

void draw_track(ReplayPlayer& p) {
  const auto& rec = p.recording();
  const double t0 = static_cast<double>(p.begin_us());
  const double span = std::max(1.0, static_cast<double>(p.end_us()) - t0);
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const ImVec2 size(ImGui::GetContentRegionAvail().x, 24.0f);
  const ImVec2 b(a.x + size.x, a.y + size.y);
  ImGui::InvisibleButton("track", size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(a, b, IM_COL32(45, 48, 56, 255), 3.0f);
  const float head = a.x + static_cast<float>((static_cast<double>(p.playhead_us()) - t0) / span) * size.x;
  dl->AddRectFilled(a, ImVec2(head, b.y), IM_COL32(70, 110, 170, 255), 3.0f);
  draw_markers(rec, dl, a, b, t0, span);
  dl->AddLine(ImVec2(head, a.y - 2), ImVec2(head, b.y + 2), IM_COL32(255, 255, 255, 255), 2.0f);
  const auto at_mouse = [&] {
    const float f = std::clamp((ImGui::GetIO().MousePos.x - a.x) / size.x, 0.0f, 1.0f);
    return static_cast<TimeUs>(t0 + f * span);
  };
  if (ImGui::IsItemActive()) p.seek_time(at_mouse());  // drag to scrub
  if (ImGui::IsItemHovered() && rec.size() > 0) {
    const TimeUs t = at_mouse();
    const std::size_t i = rec.index_at(t);
    ImGui::SetTooltip("%s  stroke %d pose %d", clock_text(t - p.begin_us()).c_str(), rec.stroke_at(i), rec.pose_at(i));
  }
}

}  // namespace

void draw_timeline(ReplayPlayer& player, float x0, float width, float window_height) {
  ImGui::SetNextWindowPos(ImVec2(x0, window_height - kTimelineHeight));
  ImGui::SetNextWindowSize(ImVec2(width, kTimelineHeight));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollbar;
  const std::string title = "Replay: " + (player.recording().header().session_id.empty()
                                              ? std::string("(events outside sessions)")
                                              : player.recording().header().session_id) +
                            "###timeline";
  if (ImGui::Begin(title.c_str(), nullptr, flags)) {
    draw_transport(player);
    draw_track(player);
    ImGui::TextDisabled("green: session start   yellow: session end   red: errors   (drag to scrub)");
  }
  ImGui::End();
}

}  // namespace strokeviz::app
