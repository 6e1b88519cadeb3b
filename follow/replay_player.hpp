// Replaying a recorded session through the same apply path as live sync.
#pragma once

#include <string>

#include "follow/follower.hpp"
#include "session/recording.hpp"

namespace strokeviz::follow {

// Which thread: the render thread only. Owns the recording; drives a
// Follower exactly as the live worker's queue does, so a replay shows what
// the live view showed. Time is the recording's receive time (µs).
class ReplayPlayer {
 public:
  using Clock = std::chrono::steady_clock;
  ReplayPlayer(session::Recording recording, Follower& follower, ViewerState& view);

  const session::Recording& recording() const { return rec_; }
  bool empty() const { return rec_.size() == 0; }
  TimeUs begin_us() const;
  TimeUs end_us() const;
  TimeUs playhead_us() const { return playhead_; }
  // Index of the last item applied (0 before the first is applied).
  std::size_t cursor() const { return next_ == 0 ? 0 : next_ - 1; }

  bool playing() const { return playing_; }
  void set_playing(bool p);
  double speed() const { return speed_; }
  void set_speed(double s);  // 0.1 .. 100

  // Moves the playhead by dt (real seconds x speed) and applies every item
  // it passes, in order. Stops at the end. Returns true if anything applied.
  bool advance(double dt_s);
  // Moves the interpolated pose on to the playhead (as the live view did).
  bool tick();
  // Seconds (real) until something changes: the next item or an
  // interpolation step; infinity when paused or done.
  double seconds_to_next_change() const;

  // Jumps: rebuilds the state at t from a handful of items (no replay from
  // the start); instant anywhere in the recording.
  void seek_time(TimeUs t);
  void seek_index(std::size_t i);
  void next_event();
  void prev_event();
  void next_stroke();
  void prev_stroke();

 private:
  void apply(std::size_t i);
  // Replay time as the Follower's clock: what "now" was when the item arrived.
  static Clock::time_point clock(TimeUs t) { return Clock::time_point(std::chrono::microseconds(t)); }

  session::Recording rec_;
  Follower& follower_;
  ViewerState& view_;
  std::size_t next_ = 0;         // next item to apply
  TimeUs playhead_ = 0;
  bool playing_ = true;
  double speed_ = 1.0;
};

}  // namespace strokeviz::follow
