// Local playback: the scene's own plan at its goal times, on the plan's timeline.
#include "follow/local_source.hpp"

#include <algorithm>
#include <cmath>

namespace strokeviz::follow {

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::Local: return "local";
    case Mode::Live: return "live";
    case Mode::Replay: return "replay";
  }
  return "?";
}

LocalSource::LocalSource(Follower& follower, ViewerState& view) : follower_(follower), view_(view) {}

std::string LocalSource::title() const { return "Plan: " + view_.scene().name; }

void LocalSource::activate() {
  follower_.reset();
  view_.set_stroke(stroke_);
  view_.set_pose(pose_);
}

void LocalSource::remember() {
  stroke_ = view_.stroke_idx();
  pose_ = view_.pose_idx();
}

bool LocalSource::update(double dt_s) {
  const bool moved = view_.advance(dt_s);
  remember();
  return moved;
}

double LocalSource::seconds_to_next_change() const { return view_.seconds_to_next_step(); }

bool LocalSource::playing() const { return view_.playback().playing; }
void LocalSource::set_playing(bool playing) { view_.set_playing(playing); }
double LocalSource::speed() const { return view_.playback().speed; }
void LocalSource::set_speed(double speed) { view_.set_speed(speed); }

void LocalSource::step_event(int direction) {
  view_.step_pose(direction < 0 ? -1 : +1);
  remember();
}

void LocalSource::step_stroke(int direction) {
  const int n = view_.stroke_count();
  if (n <= 0) return;
  view_.set_stroke(((view_.stroke_idx() + (direction < 0 ? -1 : 1)) % n + n) % n);
  view_.set_pose(0);
  remember();
}

void LocalSource::seek_start() { seek_pose(0, 0); }

void LocalSource::seek_end() { seek_pose(view_.stroke_count() - 1, view_.stroke_length() - 1); }

void LocalSource::seek_pose(int stroke, int pose) {
  view_.set_stroke(stroke);
  view_.set_pose(pose);
  remember();
}

TimeUs LocalSource::stroke_us() const {
  const model::Scene& sc = view_.scene();
  const double s = sc.goal_time_slow + std::max(0, sc.stroke_length - 1) * sc.goal_time_fast;
  return static_cast<TimeUs>(std::llround(s * 1e6));
}

TimeUs LocalSource::time_of(int stroke, int pose) const {
  const model::Scene& sc = view_.scene();
  if (pose <= 0) return stroke * stroke_us();
  return stroke * stroke_us() + static_cast<TimeUs>(std::llround((sc.goal_time_slow + (pose - 1) * sc.goal_time_fast) * 1e6));
}

TimeUs LocalSource::end_us() const { return view_.stroke_count() * stroke_us(); }

TimeUs LocalSource::playhead_us() const {
  // The start of the pose shown, plus the part of its dwell already spent.
  const double spent = view_.playback().playing
                           ? std::max(0.0, view_.dwell_s() - view_.playback().until_next_s * view_.playback().speed)
                           : 0.0;
  return time_of(view_.stroke_idx(), view_.pose_idx()) + static_cast<TimeUs>(spent * 1e6);
}

void LocalSource::seek_time(TimeUs t) {
  const TimeUs per = std::max<TimeUs>(1, stroke_us());
  t = std::clamp<TimeUs>(t, 0, std::max<TimeUs>(0, end_us() - 1));
  const int stroke = static_cast<int>(t / per);
  const double in = static_cast<double>(t - stroke * per) / 1e6;
  const model::Scene& sc = view_.scene();
  int pose = 0;
  if (in >= sc.goal_time_slow && sc.goal_time_fast > 0)
    pose = 1 + static_cast<int>((in - sc.goal_time_slow) / sc.goal_time_fast);
  seek_pose(stroke, std::min(pose, view_.stroke_length() - 1));
}

}  // namespace strokeviz::follow
