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
  std::string mismatch;  // non-empty: the session's strokes do not fit the loaded scene (what differs)
  std::int64_t reported_stroke = -1, reported_pose = -1;  // the robot's last indices, as sent
  bool out_of_scene = false;  // the last reported indices lie outside the loaded scene
  std::string description_l, description_r;
  std::string current_pose;  // "ready", "executing", …
  bool connected_l = false, connected_r = false;
  std::optional<model::JointVector> joints;  // from robot:state:<node>, when it has them
  // The robot's activity line: its latest tool progress message.
  struct Activity {
    std::string node, message;
    double progress = 0.0;
    TimeUs time_us = 0;
  } activity;
  std::uint64_t activity_messages = 0;
  // Seconds per pose measured from this session's own updates (0: not yet).
  double measured_pose_s = 0.0;
  int pace_samples = 0;
  std::deque<std::string> errors;            // newest first, at most kMaxErrors
  std::uint64_t out_of_range = 0;            // updates whose indices did not fit the scene
  std::uint64_t applied = 0;                 // items applied
  static constexpr std::size_t kMaxErrors = 20;
};

// Which thread: the render thread only.
// Applies sync items to a ViewerState (live and replay share this path) and,
// between the robot's updates (it reports every 5th pose), advances the pose
// at the robot's own pace — measured from the session's updates, the scene's
// goal times until enough have arrived — never more than 4 poses past the
// last real update; the next real update snaps it back. A session whose
// strokes do not fit the loaded scene is never animated as if it did.
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
    pace_session_.clear();
    pace_stroke_ = pace_pose_ = -1;
  }

 private:
  void on_session_start(const protocol::SessionStart& e);
  void on_progress(const std::string& session, std::int64_t stroke, std::int64_t pose, std::int64_t total,
                   std::int64_t length, ViewerState& view, Clock::time_point now);
  void on_progress_snapshot(const protocol::ProgressSnapshot& s, ViewerState& view, Clock::time_point now);
  void on_robot_state(const protocol::RobotState& s);
  void check_scene(std::int64_t total, std::int64_t length);
  void note_error(std::string text);
  void measure_pace(const std::string& session, std::int64_t stroke, std::int64_t pose, Clock::time_point now);
  double dwell_s(int pose) const;  // how long the robot stays on `pose`

  const model::Scene& scene_;
  RobotView robot_;
  // The last real update and where interpolation may go from it.
  bool anchored_ = false;
  int anchor_stroke_ = 0, anchor_pose_ = 0;
  Clock::time_point anchor_time_{};
  // The previous real update, for the measured pace.
  std::string pace_session_;
  std::int64_t pace_stroke_ = -1, pace_pose_ = -1;
  Clock::time_point pace_time_{};
};

}  // namespace strokeviz::follow
