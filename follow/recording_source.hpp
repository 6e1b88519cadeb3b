// Live and replay: a recording (growing or fixed) played through the follower.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "common/spsc_queue.hpp"
#include "follow/follower.hpp"
#include "follow/source.hpp"
#include "follow/viewer_state.hpp"
#include "protocol/items.hpp"
#include "session/recording.hpp"

namespace strokeviz::follow {

// Which thread: the render thread only. Owns its recording and applies its
// items to the Follower in time order, as the live view did when they
// arrived. Time is receive time (µs since the epoch).
//
// Replay: a fixed recording; the playhead moves at `speed` while playing.
// Live: a recording that grows as items are ingested (drain() from the sync
// worker's queue). While following live the playhead is "now" and every item
// is applied as it arrives; any review action (seek, step, pause, a slider)
// stops following, and the recording keeps growing behind the playhead;
// seek_end() ("Follow live", End) or playing up to the newest item follows
// again. Memory is bounded: past `max_items` the oldest half is dropped from
// memory (the session file keeps everything).
class RecordingSource final : public Source {
 public:
  struct Options {
    Mode mode = Mode::Replay;
    std::string title;               // e.g. the file or the server
    std::size_t max_items = 2'000'000;  // live only
  };
  RecordingSource(Follower& follower, ViewerState& view, session::Recording recording, Options options);

  Mode mode() const override { return opt_.mode; }
  std::string title() const override;
  void activate() override;
  void deactivate() { active_ = false; }
  bool active() const { return active_; }
  bool update(double dt_s) override;
  double seconds_to_next_change() const override;

  bool playing() const override { return following_ || playing_; }
  void set_playing(bool playing) override;
  double speed() const override { return speed_; }
  void set_speed(double speed) override;
  void step_event(int direction) override;
  void step_stroke(int direction) override;
  void seek_start() override;
  void seek_end() override;
  void seek_time(TimeUs t) override;
  void seek_pose(int stroke, int pose) override;

  TimeUs begin_us() const override;
  TimeUs end_us() const override;
  TimeUs playhead_us() const override { return playhead_; }
  const session::Recording* recording() const override { return &rec_; }
  // Found once per change of the recording (the timeline, the panel and the
  // hover readout ask every frame).
  const std::vector<session::Gap>& gaps() const override;
  bool following_live() const override { return following_; }
  double behind_live_s() const override;

  // ---- live ----
  // Appends one item received at `t` (and applies it when following live).
  void ingest(TimeUs t, protocol::FeedItem item);
  // Moves everything the queue holds into the recording; returns how many.
  // Bounded by the queue's capacity per call.
  // `at_most` bounds it further (a test takes one item at a time).
  std::size_t drain(SpscQueue<protocol::FeedItem>& queue, std::size_t at_most = SIZE_MAX);
  // Review item i (the event log, tests): the state right after it.
  void seek_item(std::size_t i);
  // Publish time of the newest progress_update drained since the last call
  // (0: none), for the event-to-screen latency figure.
  TimeUs take_newest_published() { return std::exchange(newest_published_, 0); }
  // Items forgotten from memory to stay under max_items.
  std::size_t dropped_from_memory() const { return dropped_; }
  // Index of the last item applied (0 before any).
  std::size_t cursor() const { return next_ == 0 ? 0 : next_ - 1; }

  // Replay time as the Follower's clock.
  static Follower::Clock::time_point clock(TimeUs t) {
    return Follower::Clock::time_point(std::chrono::microseconds(t));
  }

 private:
  void apply(std::size_t i);
  void seek_index(std::size_t i);
  void review();  // stop following live (live only)
  void follow_live();
  TimeUs now() const;

  Follower& follower_;
  ViewerState& view_;
  session::Recording rec_;
  Options opt_;
  std::size_t next_ = 0;  // next item to apply
  TimeUs playhead_ = 0;
  bool playing_ = false;
  bool following_ = false;
  bool active_ = false;
  double speed_ = 1.0;
  std::size_t dropped_ = 0;
  TimeUs newest_published_ = 0;
  mutable std::vector<session::Gap> gaps_;
  mutable std::size_t gaps_size_ = SIZE_MAX, gaps_dropped_ = SIZE_MAX;  // the recording they were found in
};

}  // namespace strokeviz::follow
