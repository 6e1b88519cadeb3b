// The viewer's model and its local playback clock.
#include "follow/viewer_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strokeviz::follow {
using namespace model;

ViewerState::ViewerState(const model::Scene& scene) : scene_(&scene) {
  // Start in the middle of the offset range: the skin surface.
  const int mid = std::max(0, (scene.offset_num - 1) / 2);
  offset_ = {mid, mid};
  playback_.until_next_s = dwell_s();
}

const model::ArmStroke& ViewerState::arm_stroke(model::Arm arm) const {
  return scene_->strokes.at(static_cast<std::size_t>(stroke_)).arm[static_cast<int>(arm)];
}

void ViewerState::changed() { ++revision_; }

void ViewerState::set_stroke(int stroke) {
  const int s = std::clamp(stroke, 0, std::max(0, stroke_count() - 1));
  if (s == stroke_) return;
  stroke_ = s;
  playback_.until_next_s = dwell_s() / playback_.speed;
  changed();
}

void ViewerState::set_pose(int pose) {
  const int p = std::clamp(pose, 0, std::max(0, stroke_length() - 1));
  if (p == pose_) return;
  pose_ = p;
  playback_.until_next_s = dwell_s() / playback_.speed;
  changed();
}

void ViewerState::set_offset(model::Arm arm, int offset) {
  const int o = std::clamp(offset, 0, std::max(0, scene_->offset_num - 1));
  int& cur = offset_[static_cast<int>(arm)];
  if (o == cur) return;
  cur = o;
  changed();
}

void ViewerState::step_pose(int delta) {
  const long long length = stroke_length();
  const long long total = length * stroke_count();
  if (total <= 0) return;
  long long flat = stroke_ * length + pose_ + delta;
  flat = ((flat % total) + total) % total;
  stroke_ = static_cast<int>(flat / length);
  pose_ = static_cast<int>(flat % length);
  playback_.until_next_s = dwell_s() / playback_.speed;
  changed();
}

void ViewerState::set_playing(bool playing) {
  if (playing == playback_.playing) return;
  playback_.playing = playing;
  playback_.until_next_s = dwell_s() / playback_.speed;
  changed();
}

void ViewerState::set_speed(double speed) {
  if (!std::isfinite(speed)) return;
  const double s = std::clamp(speed, Playback::kMinSpeed, Playback::kMaxSpeed);
  // Keep the fraction of the current dwell already spent.
  playback_.until_next_s *= playback_.speed / s;
  playback_.speed = s;
  changed();
}

double ViewerState::dwell_s() const {
  return pose_ == 0 ? scene_->goal_time_slow : scene_->goal_time_fast;
}

double ViewerState::seconds_to_next_step() const {
  if (!playback_.playing) return std::numeric_limits<double>::infinity();
  return std::max(0.0, playback_.until_next_s);
}

bool ViewerState::advance(double dt_s) {
  if (!playback_.playing || !(dt_s > 0.0)) return false;
  playback_.until_next_s -= dt_s;
  bool moved = false;
  // Bounded: a long stall (e.g. a dragged window) skips at most one loop of
  // the scene instead of spinning here.
  long long guard = static_cast<long long>(stroke_length()) * stroke_count() + 1;
  while (playback_.until_next_s <= 0.0 && guard-- > 0) {
    const double carry = playback_.until_next_s;
    step_pose(+1);
    playback_.until_next_s += carry;
    moved = true;
  }
  if (playback_.until_next_s <= 0.0) playback_.until_next_s = dwell_s() / playback_.speed;
  return moved;
}

}  // namespace strokeviz::follow
