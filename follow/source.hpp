// A source of one session's items behind one transport: local playback of the
// plan, a live session, or a replay. The view never asks which it has.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "session/recording.hpp"

namespace strokeviz::follow {

enum class Mode { Local, Live, Replay };
std::string_view to_string(Mode m);  // "local", "live", "replay"

// Which thread: the render thread only. Times are the source's own timeline
// in µs: receive times for live and replay, plan time (from 0) for local
// playback. Every transport call acts on the view at once.
class Source {
 public:
  virtual ~Source() = default;

  virtual Mode mode() const = 0;
  virtual std::string title() const = 0;  // what the timeline is of

  // Becomes the shown source: rebuilds the follower and the view from its own
  // playhead (instant, whatever the length).
  virtual void activate() = 0;
  // Advances by dt real seconds and applies what the playhead passes (and,
  // between the robot's updates, the interpolated pose); true if the view changed.
  virtual bool update(double dt_s) = 0;
  // Real seconds until update() would change something (infinity: nothing due).
  virtual double seconds_to_next_change() const = 0;

  // ---- transport: one set for every mode ----
  virtual bool playing() const = 0;
  virtual void set_playing(bool playing) = 0;
  virtual double speed() const = 0;
  virtual void set_speed(double speed) = 0;  // clamped to [kMinSpeed, kMaxSpeed]
  virtual void step_event(int direction) = 0;   // Left/Right: previous/next item (local: pose)
  virtual void step_stroke(int direction) = 0;  // Up/Down: previous/next stroke
  virtual void seek_start() = 0;                // Home
  virtual void seek_end() = 0;                  // End: the end, or follow live
  virtual void seek_time(TimeUs t) = 0;         // scrub
  virtual void seek_pose(int stroke, int pose) = 0;  // the stroke/pose sliders

  // ---- timeline ----
  virtual TimeUs begin_us() const = 0;
  virtual TimeUs end_us() const = 0;
  virtual TimeUs playhead_us() const = 0;
  // The items behind the timeline (markers, gaps), or null (local playback).
  virtual const session::Recording* recording() const { return nullptr; }
  virtual const std::vector<session::Gap>& gaps() const {
    static const std::vector<session::Gap> kNone;
    return kNone;
  }
  virtual bool following_live() const { return false; }
  // Live: seconds the playhead is behind the newest item (0 when following).
  virtual double behind_live_s() const { return 0.0; }

  static constexpr double kMinSpeed = 0.1;
  static constexpr double kMaxSpeed = 100.0;
};

}  // namespace strokeviz::follow
