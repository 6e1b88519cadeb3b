// Local playback: the scene's own plan at its goal times, on the plan's timeline.
#pragma once

#include <string>

#include "follow/follower.hpp"
#include "follow/source.hpp"
#include "follow/viewer_state.hpp"

namespace strokeviz::follow {

// Which thread: the render thread only. Drives the ViewerState's playback
// clock (pose 0 dwells goal_time_slow, every other pose goal_time_fast; loops
// at the end). Its timeline is plan time: stroke s starts at s x the time a
// stroke takes. The robot's joints are not known here: the follower is reset
// on activation, so the arms come from IK.
class LocalSource final : public Source {
 public:
  LocalSource(Follower& follower, ViewerState& view);

  Mode mode() const override { return Mode::Local; }
  std::string title() const override;
  void activate() override;
  bool update(double dt_s) override;
  double seconds_to_next_change() const override;

  bool playing() const override;
  void set_playing(bool playing) override;
  double speed() const override;
  void set_speed(double speed) override;
  void step_event(int direction) override;
  void step_stroke(int direction) override;
  void seek_start() override;
  void seek_end() override;
  void seek_time(TimeUs t) override;
  void seek_pose(int stroke, int pose) override;

  TimeUs begin_us() const override { return 0; }
  TimeUs end_us() const override;
  TimeUs playhead_us() const override;

  // Plan time of (stroke, pose) at speed 1.
  TimeUs time_of(int stroke, int pose) const;

 private:
  void remember();  // the view's stroke/pose, restored on activation
  TimeUs stroke_us() const;

  Follower& follower_;
  ViewerState& view_;
  int stroke_ = 0, pose_ = 0;
};

}  // namespace strokeviz::follow
