// The "Sync with Robot" status state machine and its one-line label.
//
// A plain value type owned by the sync worker thread: the worker feeds it the
// inputs that really happened (connect started, event received, connection
// lost, …) and publishes snapshots of it to the UI later. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace strokeviz::sync {

enum class SyncState : std::uint8_t {
  Disconnected,  // not syncing (initial, user switched it off, or connection lost)
  Connecting,    // TCP connect / AUTH / SELECT in progress
  Connected,     // connected, no session open ("Connected (idle)")
  Live,          // a session is open and events are arriving
  Stale,         // a session is open but no event came for stale_after
  Retrying,      // waiting to reconnect
  Error,         // gave up: needs the user (bad config, auth refused)
};

std::string_view to_string(SyncState s);

class SyncStatus {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SyncStatus(Clock::duration stale_after = std::chrono::seconds(5))
      : stale_after_(stale_after) {}

  // ---- inputs; each returns true when the state changed ----
  bool connect_started();
  bool connected();
  bool subscribed();
  bool session_started(std::string session_id, Clock::time_point now);
  // A valid event arrived (counts it; refreshes Live/Stale).
  bool event_received(Clock::time_point now);
  // A progress update (pose `pose` of a stroke of `length` poses): Stale
  // follows the robot's observed cadence. Within a stroke the allowed
  // silence is max(stale_after, 5 x the typical interval); after a stroke's
  // last report or its first pose — the ready move, the slow first poses, the
  // dataset save — it is max(kBetweenStrokes, 2 x the longest such gap seen).
  void progress_seen(std::int64_t pose, std::int64_t length, Clock::time_point now);
  static constexpr Clock::duration kBetweenStrokes = std::chrono::seconds(30);
  // The silence allowed now before Live turns Stale.
  Clock::duration quiet_allowed() const;
  bool session_ended();
  bool connection_lost(std::string reason);
  bool retry_scheduled(Clock::duration delay, Clock::time_point now);
  bool fatal(std::string reason);
  // Staleness: Live -> Stale once no event came for stale_after.
  bool tick(Clock::time_point now);
  bool user_disabled();
  // Counters for bad input and a full queue (no state change).
  void event_rejected() { ++rejected_; }
  void event_dropped() { ++dropped_; }

  // ---- outputs ----
  SyncState state() const { return state_; }
  bool is_subscribed() const { return subscribed_; }
  const std::string& session_id() const { return session_id_; }  // empty when none open
  const std::string& reason() const { return reason_; }          // last failure
  std::uint64_t received() const { return received_; }
  std::uint64_t rejected() const { return rejected_; }
  std::uint64_t dropped() const { return dropped_; }
  Clock::duration stale_after() const { return stale_after_; }

  // Exactly one of: "Disconnected", "Connecting", "Connected (idle)",
  // "Live: <session>", "Stale (no event for N s)",
  // "Retrying in N s (<reason>)" (no parenthesis without a reason),
  // "Error: <reason>". N is whole seconds (stale: elapsed, rounded down;
  // retry: remaining, rounded up, never below 0).
  std::string label(Clock::time_point now) const;

 private:
  bool set(SyncState s);
  bool is_up() const;  // Connected, Live or Stale

  Clock::duration stale_after_;
  SyncState state_ = SyncState::Disconnected;
  bool subscribed_ = false;
  std::string session_id_;
  std::string reason_;
  Clock::time_point last_event_{};
  // Cadence: the last progress report, the typical in-stroke interval, the
  // longest gap between strokes.
  Clock::time_point last_progress_{};
  bool at_stroke_edge_ = false;
  double interval_s_ = 0.0;
  Clock::duration longest_edge_gap_{};
  Clock::time_point retry_at_{};
  std::uint64_t received_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace strokeviz::sync
