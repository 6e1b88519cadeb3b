// The timeline bar: the source (plan, live, replay), one transport, a scrub track with markers and gaps.
//
// Sections: draw_sources (which source is shown), draw_transport (buttons,
// speed, live/review status), draw_track (scrub bar with gaps, markers and
// the hover readout).
#include "app/ui/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

namespace strokeviz::app {

using follow::Mode;
using follow::Source;
using session::ItemKind;
using session::Recording;

std::string clock_text(TimeUs us) {
  if (us < 0) us = 0;
  const long long s = us / 1'000'000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%01lld", s / 3600, (s / 60) % 60, s % 60,
                static_cast<long long>((us / 100'000) % 10));
  return buf;
}

namespace {

const ImVec4 kLiveGreen(0.35f, 0.85f, 0.45f, 1.f);
const ImVec4 kReviewYellow(1.f, 0.8f, 0.3f, 1.f);

void source_button(const char* label, Mode m, Mode active, SourceChoice& c, const char* tip) {
  const bool on = m == active;
  if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  if (ImGui::Button(label) && !on) c.requested = m;
  if (on) ImGui::PopStyleColor();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
  ImGui::SameLine();
}

void draw_sources(const Source& s, SourceChoice& c) {
  source_button("Plan", Mode::Local, s.mode(), c, "Play the scene's own plan at its goal times");
  if (c.has_live)
    source_button(c.live_running ? "Live" : "Live (stopped)", Mode::Live, s.mode(), c,
                  c.live_running ? "The session from the robot, still recording"
                                 : "The live recording so far (tick Sync with Robot to go on)");
  if (c.has_replay) {
    const std::string label = "Replay###replay";
    source_button(label.c_str(), Mode::Replay, s.mode(), c, c.replay_name.c_str());
  }
  ImGui::TextUnformatted("|");
  ImGui::SameLine();
}

void draw_status(const Source& s, const SourceChoice& c) {
  if (s.mode() == Mode::Live) {
    if (s.following_live()) ImGui::TextColored(kLiveGreen, "LIVE");
    else ImGui::TextColored(kReviewYellow, "reviewing, %.0f s behind live", s.behind_live_s());
    ImGui::SameLine();
  }
  const TimeUs t0 = s.begin_us();
  ImGui::Text("%s / %s", clock_text(s.playhead_us() - t0).c_str(), clock_text(s.end_us() - t0).c_str());
  if (const Recording* rec = s.recording(); rec != nullptr && rec->size() > 0) {
    const std::size_t i = rec->index_at(s.playhead_us());
    ImGui::SameLine();
    ImGui::TextDisabled("item %zu/%zu", i + 1, rec->size());
  }
  if (!c.note.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %s", c.note.c_str());
  }
}

void draw_transport(Source& s) {
  if (ImGui::Button("|< stroke")) s.step_stroke(-1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Previous stroke (Down)");
  ImGui::SameLine();
  if (ImGui::Button("< event")) s.step_event(-1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Previous event (Left)");
  ImGui::SameLine();
  if (ImGui::Button(s.playing() ? "Pause" : "Play", ImVec2(64, 0))) s.set_playing(!s.playing());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Play / pause (Space)");
  ImGui::SameLine();
  if (ImGui::Button("event >")) s.step_event(+1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Next event (Right)");
  ImGui::SameLine();
  if (ImGui::Button("stroke >|")) s.step_stroke(+1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Next stroke (Up)");
  ImGui::SameLine();
  if (s.mode() == Mode::Live) {
    if (ImGui::Button("Follow live")) s.seek_end();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Jump back to the newest event and follow the robot (End)");
    ImGui::SameLine();
  }
  float speed = static_cast<float>(s.speed());
  ImGui::SetNextItemWidth(140);
  if (ImGui::SliderFloat("##speed", &speed, static_cast<float>(Source::kMinSpeed),
                         static_cast<float>(Source::kMaxSpeed), "%.1fx", ImGuiSliderFlags_Logarithmic))
    s.set_speed(speed);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Playback speed (0.1x to 100x); live follows the robot at 1x");
}

ImU32 marker_colour(ItemKind k) {
  switch (k) {
    case ItemKind::Error: return IM_COL32(255, 80, 60, 255);
    case ItemKind::SessionStart: return IM_COL32(80, 220, 120, 255);
    case ItemKind::SessionEnd: return IM_COL32(240, 200, 60, 255);
    default: return 0;
  }
}

struct Track {
  ImVec2 a, b;
  double t0, span;
  float x(TimeUs t) const {
    return a.x + static_cast<float>(std::clamp((static_cast<double>(t) - t0) / span, 0.0, 1.0)) * (b.x - a.x);
  }
  TimeUs at(float px) const {
    const double f = std::clamp(static_cast<double>((px - a.x) / (b.x - a.x)), 0.0, 1.0);
    return static_cast<TimeUs>(t0 + f * span);
  }
};

// Markers for errors and session start/end: found by kind, not by scanning
// every item (a recording may hold a million).
void draw_markers(const Recording& rec, ImDrawList* dl, const Track& tr) {
  if (rec.size() == 0) return;
  for (ItemKind k : {ItemKind::SessionStart, ItemKind::SessionEnd, ItemKind::Error}) {
    int drawn = 0;
    std::size_t i = rec.kind(0) == k ? 0 : rec.next_of(0, k);
    for (; i != Recording::npos && drawn < 2000; i = rec.next_of(i, k), ++drawn) {
      const float x = tr.x(rec.time(i));
      dl->AddLine(ImVec2(x, tr.a.y), ImVec2(x, tr.b.y), marker_colour(k), 2.0f);
    }
  }
}

void draw_gaps(const std::vector<session::Gap>& gaps, ImDrawList* dl, const Track& tr) {
  for (const session::Gap& g : gaps) {
    const float x0 = tr.x(g.begin_us), x1 = std::max(tr.x(g.end_us), x0 + 3.0f);
    dl->AddRectFilled(ImVec2(x0, tr.a.y), ImVec2(x1, tr.b.y), IM_COL32(20, 20, 24, 255));
    for (float x = x0 - (tr.b.y - tr.a.y); x < x1; x += 6.0f)  // hatched: nothing was received here
      dl->AddLine(ImVec2(std::max(x, x0), tr.b.y - std::max(0.0f, x0 - x)),
                  ImVec2(std::min(x + (tr.b.y - tr.a.y), x1), tr.a.y + std::max(0.0f, x + (tr.b.y - tr.a.y) - x1)),
                  IM_COL32(150, 60, 60, 255));
  }
}

void hover_readout(const Source& s, const Track& tr) {
  const TimeUs t = tr.at(ImGui::GetIO().MousePos.x);
  for (const session::Gap& g : s.gaps())
    if (t >= g.begin_us && t <= g.end_us) {
      ImGui::SetTooltip("gap: nothing received for %.1f s%s%s", static_cast<double>(g.end_us - g.begin_us) / 1e6,
                        g.reason.empty() ? "" : " — ", g.reason.c_str());
      return;
    }
  const Recording* rec = s.recording();
  if (rec && rec->size() > 0) {
    const std::size_t i = rec->index_at(t);
    ImGui::SetTooltip("%s  stroke %d pose %d", clock_text(t - s.begin_us()).c_str(), rec->stroke_at(i),
                      rec->pose_at(i));
  } else {
    ImGui::SetTooltip("%s", clock_text(t - s.begin_us()).c_str());
  }
}

void draw_track(Source& s) {
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const ImVec2 size(ImGui::GetContentRegionAvail().x, 24.0f);
  const Track tr{a, ImVec2(a.x + size.x, a.y + size.y), static_cast<double>(s.begin_us()),
                 std::max(1.0, static_cast<double>(s.end_us() - s.begin_us()))};
  ImGui::InvisibleButton("track", size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(tr.a, tr.b, IM_COL32(45, 48, 56, 255), 3.0f);
  const float head = tr.x(s.playhead_us());
  dl->AddRectFilled(tr.a, ImVec2(head, tr.b.y), IM_COL32(70, 110, 170, 255), 3.0f);
  const std::vector<session::Gap>& gaps = s.gaps();
  draw_gaps(gaps, dl, tr);
  if (const Recording* rec = s.recording()) draw_markers(*rec, dl, tr);
  dl->AddLine(ImVec2(head, tr.a.y - 2), ImVec2(head, tr.b.y + 2), IM_COL32(255, 255, 255, 255), 2.0f);
  if (ImGui::IsItemActive()) s.seek_time(tr.at(ImGui::GetIO().MousePos.x));  // drag to scrub
  if (ImGui::IsItemHovered()) hover_readout(s, tr);
}

}  // namespace

void draw_timeline(Source& source, SourceChoice& choice, float x0, float width, float window_height) {
  ImGui::SetNextWindowPos(ImVec2(x0, window_height - kTimelineHeight));
  ImGui::SetNextWindowSize(ImVec2(width, kTimelineHeight));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollbar;
  const std::string title = source.title() + "###timeline";
  if (ImGui::Begin(title.c_str(), nullptr, flags)) {
    draw_sources(source, choice);
    draw_status(source, choice);
    draw_transport(source);
    draw_track(source);
    const std::size_t gaps = source.gaps().size();
    ImGui::TextDisabled("green: session start   yellow: end   red: errors   hatched: %zu gap%s   "
                        "drag to scrub   Space Left Right Up Down Home End",
                        gaps, gaps == 1 ? "" : "s");
  }
  ImGui::End();
}

}  // namespace strokeviz::app
