// Live and replay: a recording (growing or fixed) played through the follower.
#include "follow/recording_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strokeviz::follow {
using protocol::FeedItem;
using session::Recording;

RecordingSource::RecordingSource(Follower& follower, ViewerState& view, Recording recording, Options options)
    : follower_(follower), view_(view), rec_(std::move(recording)), opt_(std::move(options)) {
  following_ = opt_.mode == Mode::Live;
  playhead_ = following_ ? now() : begin_us();
}

std::string RecordingSource::title() const {
  const std::string& id = rec_.header().session_id;
  const std::string what = opt_.mode == Mode::Live ? "Live" : "Replay";
  if (!opt_.title.empty()) return what + ": " + opt_.title;
  return what + ": " + (id.empty() ? std::string("(events outside sessions)") : id);
}

TimeUs RecordingSource::now() const { return now_us(); }

TimeUs RecordingSource::begin_us() const {
  if (rec_.size() > 0) return rec_.time(0);
  return opt_.mode == Mode::Live ? playhead_ : 0;
}

TimeUs RecordingSource::end_us() const {
  const TimeUs last = rec_.size() > 0 ? rec_.time(rec_.size() - 1) : begin_us();
  return opt_.mode == Mode::Live ? std::max(last, std::max(now(), playhead_)) : last;
}

double RecordingSource::behind_live_s() const {
  if (opt_.mode != Mode::Live || following_) return 0.0;
  return std::max(0.0, static_cast<double>(now() - playhead_) / 1e6);
}

const std::vector<session::Gap>& RecordingSource::gaps() const {
  if (gaps_size_ != rec_.size() || gaps_dropped_ != dropped_) {
    gaps_ = rec_.gaps();
    gaps_size_ = rec_.size();
    gaps_dropped_ = dropped_;
  }
  return gaps_;
}

void RecordingSource::activate() {
  active_ = true;
  if (following_) follow_live();
  else if (rec_.size() > 0 && playhead_ >= rec_.time(0)) seek_index(rec_.index_at(playhead_));
  else follower_.reset();
}

void RecordingSource::apply(std::size_t i) {
  if (auto item = rec_.item(i)) follower_.apply(*item, view_, clock(rec_.time(i)));
}

// Rebuilds the state after item i from a handful of items, each applied at
// its own time (no replay from the start): instant anywhere.
void RecordingSource::seek_index(std::size_t i) {
  if (rec_.size() == 0) return;
  i = std::min(i, rec_.size() - 1);
  follower_.reset();
  for (const std::size_t k : rec_.state_indices(i)) apply(k);
  next_ = i + 1;
  playhead_ = rec_.time(i);
  follower_.tick(view_, clock(playhead_));
}

void RecordingSource::review() {
  if (!following_) return;
  following_ = false;
  playing_ = false;
}

void RecordingSource::follow_live() {
  following_ = true;
  playing_ = false;
  if (rec_.size() > 0) seek_index(rec_.size() - 1);
  else follower_.reset();
  playhead_ = now();
}

bool RecordingSource::update(double dt_s) {
  if (!active_) return false;
  const auto before = view_.revision();
  if (following_) {
    while (next_ < rec_.size()) apply(next_++);
    playhead_ = now();
  } else if (playing_ && rec_.size() > 0) {
    playhead_ += static_cast<TimeUs>(dt_s * speed_ * 1e6);
    while (next_ < rec_.size() && rec_.time(next_) <= playhead_) apply(next_++);
    if (next_ >= rec_.size()) {
      if (opt_.mode == Mode::Live) {
        follow_live();  // caught up with the robot
      } else {
        playhead_ = end_us();
        playing_ = false;
      }
    }
  }
  follower_.tick(view_, clock(playhead_));
  return view_.revision() != before;
}

double RecordingSource::seconds_to_next_change() const {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  if (!active_) return kNever;
  if (following_) return follower_.seconds_to_next_step(clock(now()));
  if (!playing_ || next_ >= rec_.size()) return kNever;
  const double item = static_cast<double>(rec_.time(next_) - playhead_) / 1e6;
  const double step = follower_.seconds_to_next_step(clock(playhead_));
  return std::max(0.0, std::min(item, step) / speed_);
}

void RecordingSource::set_playing(bool playing) {
  if (!playing) {
    review();
    playing_ = false;
    return;
  }
  if (following_) return;
  // Playing again from the end of a replay starts over.
  if (opt_.mode == Mode::Replay && next_ >= rec_.size() && rec_.size() > 0) seek_index(0);
  playing_ = true;
}

void RecordingSource::set_speed(double speed) {
  if (std::isfinite(speed)) speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void RecordingSource::step_event(int direction) {
  review();
  if (direction > 0) {
    if (next_ < rec_.size()) seek_index(next_);
    else if (opt_.mode == Mode::Live) follow_live();
  } else if (next_ >= 2) {
    seek_index(next_ - 2);
  }
}

void RecordingSource::step_stroke(int direction) {
  review();
  const std::size_t j = direction > 0 ? rec_.next_stroke(cursor()) : rec_.prev_stroke(cursor());
  if (j != Recording::npos) seek_index(j);
}

void RecordingSource::seek_start() {
  review();
  seek_index(0);
}

void RecordingSource::seek_end() {
  if (opt_.mode == Mode::Live) follow_live();
  else if (rec_.size() > 0) seek_index(rec_.size() - 1);
}

void RecordingSource::seek_time(TimeUs t) {
  if (rec_.size() == 0) return;
  if (opt_.mode == Mode::Live && t >= rec_.time(rec_.size() - 1)) {  // dragged to the live edge
    follow_live();
    return;
  }
  review();
  if (t < rec_.time(0)) {  // before the first item: a clean slate
    follower_.reset();
    next_ = 0;
    playhead_ = t;
    return;
  }
  seek_index(rec_.index_at(t));
  playhead_ = std::clamp(t, begin_us(), end_us());
  follower_.tick(view_, clock(playhead_));  // the interpolated pose at t
}

void RecordingSource::seek_pose(int stroke, int pose) {
  review();
  const std::size_t j = rec_.find_progress(stroke, pose);
  if (j != Recording::npos) seek_index(j);
}

void RecordingSource::ingest(TimeUs t, FeedItem item) {
  rec_.append(t, std::move(item));
  if (opt_.mode != Mode::Live || rec_.size() <= opt_.max_items) return;
  const std::size_t gone = rec_.drop_oldest(opt_.max_items / 2);
  dropped_ += gone;
  next_ = next_ > gone ? next_ - gone : 0;
}

void RecordingSource::seek_item(std::size_t i) {
  review();
  seek_index(i);
}

std::size_t RecordingSource::drain(SpscQueue<FeedItem>& queue, std::size_t at_most) {
  std::size_t n = 0;
  for (std::size_t left = std::min(at_most, queue.capacity()); left > 0; --left) {
    FeedItem* item = queue.front();
    if (item == nullptr) break;
    TimeUs t = 0;
    if (const auto* e = std::get_if<protocol::Event>(item)) {
      t = protocol::header_of(*e).received_us;
      if (const auto* p = std::get_if<protocol::ProgressUpdate>(e))
        newest_published_ = std::max(newest_published_, p->header.time_us);
    }
    else if (const auto* r = std::get_if<protocol::Reconnected>(item)) t = r->time_us;
    ingest(t > 0 ? t : now_us(), std::move(*item));
    queue.pop();
    ++n;
  }
  return n;
}

}  // namespace strokeviz::follow
