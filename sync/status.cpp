// Transitions and labels of the sync status state machine.
#include "sync/status.hpp"

#include <algorithm>

#include <utility>

#include "protocol/keys.hpp"

namespace strokeviz::sync {

void SyncStatus::progress_seen(std::int64_t pose, std::int64_t length, Clock::time_point now) {
  if (last_progress_ != Clock::time_point{}) {
    const auto gap = now - last_progress_;
    if (at_stroke_edge_) {
      longest_edge_gap_ = std::max(longest_edge_gap_, gap);
    } else {
      const double s = std::chrono::duration<double>(gap).count();
      interval_s_ = interval_s_ == 0.0 ? s : 0.8 * interval_s_ + 0.2 * s;
    }
  }
  last_progress_ = now;
  at_stroke_edge_ = pose <= 1 || (length > 0 && pose >= length - protocol::kReportEveryNthPose);
}

SyncStatus::Clock::duration SyncStatus::quiet_allowed() const {
  if (at_stroke_edge_) return std::max<Clock::duration>(kBetweenStrokes, 2 * longest_edge_gap_);
  const auto typical = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(5.0 * interval_s_));
  return std::max(stale_after_, typical);
}

std::string_view to_string(SyncState s) {
  switch (s) {
    case SyncState::Disconnected: return "Disconnected";
    case SyncState::Connecting: return "Connecting";
    case SyncState::Connected: return "Connected";
    case SyncState::Live: return "Live";
    case SyncState::Stale: return "Stale";
    case SyncState::Retrying: return "Retrying";
    case SyncState::Error: return "Error";
  }
  return "?";
}

bool SyncStatus::set(SyncState s) {
  const bool changed = s != state_;
  state_ = s;
  return changed;
}

bool SyncStatus::is_up() const {
  return state_ == SyncState::Connected || state_ == SyncState::Live ||
         state_ == SyncState::Stale;
}

bool SyncStatus::connect_started() {
  if (state_ == SyncState::Connecting || is_up()) return false;
  subscribed_ = false;
  return set(SyncState::Connecting);
}

bool SyncStatus::connected() {
  if (state_ != SyncState::Connecting) return false;
  reason_.clear();
  return set(SyncState::Connected);
}

bool SyncStatus::subscribed() {
  if (!is_up()) return false;
  subscribed_ = true;
  return false;  // a fact about the connection, not a new state
}

bool SyncStatus::session_started(std::string session_id, Clock::time_point now) {
  if (!is_up()) return false;
  const bool changed = state_ != SyncState::Live || session_id != session_id_;
  session_id_ = std::move(session_id);
  last_event_ = now;
  set(SyncState::Live);
  return changed;
}

bool SyncStatus::event_received(Clock::time_point now) {
  if (!is_up()) return false;
  ++received_;
  last_event_ = now;
  if (state_ == SyncState::Stale) return set(SyncState::Live);
  return false;
}

bool SyncStatus::session_ended() {
  if (state_ != SyncState::Live && state_ != SyncState::Stale) return false;
  session_id_.clear();
  return set(SyncState::Connected);
}

bool SyncStatus::connection_lost(std::string reason) {
  if (state_ != SyncState::Connecting && !is_up()) return false;
  reason_ = std::move(reason);
  subscribed_ = false;
  session_id_.clear();
  return set(SyncState::Disconnected);
}

bool SyncStatus::retry_scheduled(Clock::duration delay, Clock::time_point now) {
  if (state_ == SyncState::Error) return false;  // only connect_started leaves Error
  retry_at_ = now + delay;
  subscribed_ = false;
  session_id_.clear();
  set(SyncState::Retrying);
  return true;  // a new countdown even when already Retrying
}

bool SyncStatus::fatal(std::string reason) {
  reason_ = std::move(reason);
  subscribed_ = false;
  session_id_.clear();
  set(SyncState::Error);
  return true;
}

bool SyncStatus::tick(Clock::time_point now) {
  if (state_ == SyncState::Live && now - last_event_ >= quiet_allowed())
    return set(SyncState::Stale);
  return false;
}

bool SyncStatus::user_disabled() {
  subscribed_ = false;
  session_id_.clear();
  reason_.clear();
  return set(SyncState::Disconnected);
}

std::string SyncStatus::label(Clock::time_point now) const {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  switch (state_) {
    case SyncState::Disconnected: return "Disconnected";
    case SyncState::Connecting: return "Connecting";
    case SyncState::Connected: return "Connected (idle)";
    case SyncState::Live: return "Live: " + session_id_;
    case SyncState::Stale: {
      const auto n = duration_cast<seconds>(now - last_event_).count();  // rounds down
      return "Stale (no event for " + std::to_string(n < 0 ? 0 : n) + " s)";
    }
    case SyncState::Retrying: {
      const auto left = retry_at_ - now;
      const auto n = left <= Clock::duration::zero()
                         ? 0
                         : std::chrono::ceil<seconds>(left).count();
      std::string s = "Retrying in " + std::to_string(n) + " s";
      if (!reason_.empty()) s += " (" + reason_ + ")";
      return s;
    }
    case SyncState::Error: return "Error: " + reason_;
  }
  return "?";
}

}  // namespace strokeviz::sync
