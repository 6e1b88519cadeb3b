// The viewer's model: which scene, stroke, pose and offsets are shown, and local playback.
#pragma once

#include <array>
#include <string>

#include "model/scene.hpp"

namespace strokeviz::follow {

// Local playback clock: steps poses every goal_time_fast / speed and dwells
// goal_time_slow / speed on a stroke's first pose; loops at the end.
struct Playback {
  bool playing = true;
  double speed = 1.0;          // 0.1 .. 100
  double until_next_s = 0.0;   // time left on the current pose
  static constexpr double kMinSpeed = 0.1;
  static constexpr double kMaxSpeed = 100.0;
};

// Which thread: the render thread only.
class ViewerState {
 public:
  explicit ViewerState(const model::Scene& scene);

  const model::Scene& scene() const { return *scene_; }
  int stroke_count() const { return static_cast<int>(scene_->strokes.size()); }
  int stroke_length() const { return scene_->stroke_length; }
  int stroke_idx() const { return stroke_; }
  int pose_idx() const { return pose_; }
  int offset_idx(model::Arm arm) const { return offset_[static_cast<int>(arm)]; }
  const model::ArmStroke& arm_stroke(model::Arm arm) const;

  // Setters clamp into range and restart the pose's dwell time.
  void set_stroke(int stroke);
  void set_pose(int pose);
  void set_offset(model::Arm arm, int offset);
  void step_pose(int delta);  // wraps across strokes and around the end

  Playback& playback() { return playback_; }
  const Playback& playback() const { return playback_; }
  void set_playing(bool playing);
  void set_speed(double speed);  // clamped to [0.1, 100]
  // Advances the playback clock by dt seconds; returns true if the pose changed.
  bool advance(double dt_s);
  // Seconds until the next pose step at the current speed (infinity when paused).
  double seconds_to_next_step() const;
  // Dwell time of the current pose at speed 1.
  double dwell_s() const;

  // Bumped whenever what is shown changes, so the loop knows to redraw.
  unsigned long long revision() const { return revision_; }

 private:
  void changed();

  const model::Scene* scene_;
  int stroke_ = 0;
  int pose_ = 0;
  std::array<int, model::kArmCount> offset_{0, 0};
  Playback playback_;
  unsigned long long revision_ = 0;
};

}  // namespace strokeviz::follow
