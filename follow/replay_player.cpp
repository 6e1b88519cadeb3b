// Replaying a recorded session through the same apply path as live sync.
#include "follow/replay_player.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strokeviz::follow {
using namespace protocol;
using namespace session;
using namespace model;

ReplayPlayer::ReplayPlayer(session::Recording recording, Follower& follower, ViewerState& view)
    : rec_(std::move(recording)), follower_(follower), view_(view) {
  playhead_ = begin_us();
}

TimeUs ReplayPlayer::begin_us() const { return rec_.size() ? rec_.time(0) : 0; }
TimeUs ReplayPlayer::end_us() const { return rec_.size() ? rec_.time(rec_.size() - 1) : 0; }

void ReplayPlayer::set_playing(bool p) {
  // Playing again from the end starts over.
  if (p && next_ >= rec_.size() && rec_.size() > 0) seek_index(0);
  playing_ = p;
}

void ReplayPlayer::set_speed(double s) {
  if (std::isfinite(s)) speed_ = std::clamp(s, Playback::kMinSpeed, Playback::kMaxSpeed);
}

void ReplayPlayer::apply(std::size_t i) {
  if (auto item = rec_.item(i)) follower_.apply(*item, view_, clock(rec_.time(i)));
}

bool ReplayPlayer::advance(double dt_s) {
  if (!playing_ || rec_.size() == 0) return false;
  playhead_ += static_cast<TimeUs>(dt_s * speed_ * 1e6);
  bool applied = false;
  while (next_ < rec_.size() && rec_.time(next_) <= playhead_) {
    apply(next_++);
    applied = true;
  }
  if (next_ >= rec_.size()) {
    playhead_ = end_us();
    playing_ = false;
  }
  return applied;
}

bool ReplayPlayer::tick() { return follower_.tick(view_, clock(playhead_)); }

double ReplayPlayer::seconds_to_next_change() const {
  if (!playing_ || next_ >= rec_.size()) return std::numeric_limits<double>::infinity();
  const double item = static_cast<double>(rec_.time(next_) - playhead_) / 1e6;
  const double step = follower_.seconds_to_next_step(clock(playhead_));
  return std::max(0.0, std::min(item, step) / speed_);
}

void ReplayPlayer::seek_index(std::size_t i) {
  if (rec_.size() == 0) return;
  i = std::min(i, rec_.size() - 1);
  follower_.reset();
  for (const protocol::FeedItem& item : rec_.state_at(i)) follower_.apply(item, view_, clock(rec_.time(i)));
  next_ = i + 1;
  playhead_ = rec_.time(i);
}

void ReplayPlayer::seek_time(TimeUs t) {
  if (rec_.size() == 0) return;
  if (t < rec_.time(0)) {  // before the first item: a clean slate
    follower_.reset();
    next_ = 0;
    playhead_ = t;
    return;
  }
  seek_index(rec_.index_at(t));
  playhead_ = std::clamp(t, begin_us(), end_us());
}

void ReplayPlayer::next_event() {
  if (next_ < rec_.size()) seek_index(next_);
}

void ReplayPlayer::prev_event() {
  if (next_ >= 2) seek_index(next_ - 2);
}

void ReplayPlayer::next_stroke() {
  const std::size_t j = rec_.next_stroke(cursor());
  if (j != session::Recording::npos) seek_index(j);
}

void ReplayPlayer::prev_stroke() {
  const std::size_t j = rec_.prev_stroke(cursor());
  if (j != session::Recording::npos) seek_index(j);
}

}  // namespace strokeviz::follow
