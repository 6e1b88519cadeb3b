// Following the robot: the one place a sync item is applied to the viewer state.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "model/robot_model.hpp"
#include "follow/viewer_state.hpp"
#include "sync/worker.hpp"

namespace strokeviz::follow {

// What the robot told us, as the render thread knows it.
struct RobotView {
  std::string session_id;  // open (or last) session
  std::string node_id;
  std::string scene_name;
  std::int64_t total_strokes = 0;
  std::int64_t stroke_length = 0;
  bool session_open = false;
  std::string mismatch;  // non-empty: the session's scene differs from the loaded one
  std::string description_l, description_r;
  std::string current_pose;  // "ready", "executing", …
  bool connected_l = false, connected_r = false;
  std::optional<model::JointVector> joints;  // from robot:state:<node>, when it has them
  std::deque<std::string> errors;            // newest first, at most kMaxErrors
  std::uint64_t out_of_range = 0;            // updates whose indices did not fit the scene
  std::uint64_t applied = 0;                 // items applied
  static constexpr std::size_t kMaxErrors = 20;
};

// Which thread: the render thread only.
// Applies sync items to a ViewerState (live and replay share this path) and,
// between the robot's updates (it reports every 5th pose), advances the pose
// at the scene's goal_time_fast so the arms move smoothly, never more than
// 4 poses past the last real update; the next real update snaps it back.
class Follower {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Follower(const model::Scene& scene) : scene_(scene) {}

  void apply(const protocol::FeedItem& item, ViewerState& view, Clock::time_point now);
  // Advances the interpolated pose; true if the view changed.
  bool tick(ViewerState& view, Clock::time_point now);
  // Seconds until tick() would move the pose (infinity when it will not).
  double seconds_to_next_step(Clock::time_point now) const;
  const RobotView& robot() const { return robot_; }
  void reset() {
    robot_ = RobotView{};
    anchored_ = false;
  }

 private:
  void on_session_start(const protocol::SessionStart& e);
  void on_progress(const std::string& session, std::int64_t stroke, std::int64_t pose, std::int64_t total,
                   std::int64_t length, ViewerState& view, Clock::time_point now);
  void on_progress_snapshot(const protocol::ProgressSnapshot& s, ViewerState& view, Clock::time_point now);
  void on_robot_state(const protocol::RobotState& s);
  void check_scene(const std::string& scene_name, std::int64_t total, std::int64_t length);
  void note_error(std::string text);

  const model::Scene& scene_;
  RobotView robot_;
  // The last real update and where interpolation may go from it.
  bool anchored_ = false;
  int anchor_stroke_ = 0, anchor_pose_ = 0;
  Clock::time_point anchor_time_{};
};

}  // namespace strokeviz::follow
