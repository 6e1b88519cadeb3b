// The ImGui side panel: Session, Strokes, Joints, State Sync and View sections.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <vector>
#include <string>

#include "follow/pose_solver.hpp"
#include "follow/source.hpp"
#include "model/robot_model.hpp"
#include "follow/viewer_state.hpp"
#include "session/recording.hpp"

namespace strokeviz::app {

inline constexpr float kPanelWidth = 360.0f;  // the 3D view lies right of it

// The State Sync section's facts, refreshed by the loop each frame.
struct SyncInfo {
  std::string server;             // RedisConfig::describe()
  std::string session, node, robot_pose;
  bool connected_l = false, connected_r = false;
  std::uint64_t received = 0, rejected = 0, dropped = 0, reconnects = 0, applied = 0, out_of_range = 0;
  double latency_ms = 0.0;        // publish -> receive of the last event
  double last_event_age_s = -1.0; // < 0: none yet
  std::string mismatch;           // scene mismatch warning
  std::string activity;           // the robot's activity line (its latest tool progress message)
  const std::deque<std::string>* errors = nullptr;
  bool joints_from_robot = false;  // the robot's robot:state joints, else the scene's IK
  std::string recording;             // where synced events are being recorded, or why not
  std::uint64_t recording_lost = 0;  // lines the recorder could not write
};

// The Sessions section: recordings on disk, and what the user asked for.
struct SessionsUi {
  std::string dir;
  std::vector<session::SessionListing> listings;
  bool refresh = false;      // set by the panel: re-read the folder
  int open = -1;             // set by the panel: replay listings[open]
  std::string status;        // "loading …", an error, or the open replay
};

// What the panels show and toggle besides the ViewerState.
struct UiState {
  bool sync_enabled = false;
  std::string sync_status = "Disconnected";
  SyncInfo sync;
  bool show_lines = true;
  bool show_active_points = true;
  bool show_all_offsets = false;
  bool show_robot = true;
  bool show_grid = true;
  bool show_skin = true;
  bool show_inkcaps = true;
  bool reset_camera = false;  // set by the View section, consumed by the loop
  struct { float x = -1, y = -1; } sync_checkbox_at;  // last logged position (GUI tests click it)
  bool save_png = false;      // set by the View section: write the next frame as PNG
  std::string saved_png;      // where the last one went, or why not
  SessionsUi sessions;
  std::string robot_note;     // e.g. "arms not found in URDF: …"
  std::string gl_info;
  double frame_ms = 0.0;
};

struct PanelInput {
  const model::RobotModel* model = nullptr;
  model::JointVector joints{};
  std::array<const follow::ArmSolution*, 2> solutions{nullptr, nullptr};
  std::array<follow::PoseSolver::StrokeReach, 2> stroke_reach{};  // current stroke at the active offsets
};

// Which thread: the render thread, between ImGui::NewFrame and ImGui::Render.
// `source` is what is shown: the stroke/pose sliders move it (while
// following live, dragging them starts reviewing).
void draw_side_panel(follow::ViewerState& state, follow::Source& source, UiState& ui, const PanelInput& in,
                     float height);

}  // namespace strokeviz::app
