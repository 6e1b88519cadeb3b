// Feed items: what a source produces, in time order — a live event, a hash
// snapshot, or a history entry. The sync worker pushes them, recordings hold them.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "protocol/events.hpp"

namespace strokeviz::protocol {

// Snapshot of stroke:progress:<session_id> (read on connect/reconnect and
// refreshed while live, since progress events carry no depth offsets).
struct ProgressSnapshot {
  std::string session_id;
  StrokeProgress progress;
};
// Snapshot of robot:state:<node_id> (joints live here, not in the events).
struct RobotStateSnapshot {
  RobotState state;
};
// One entry of stream:stroke_history:<session_id> read to fill a gap after
// a (re)connect, oldest first, before live events resume.
struct HistoryEntry {
  std::string session_id;
  StreamEntry entry;
};

// The sync worker's subscription was (re)established. Whatever came before it
// and what follows may have a gap between them: sync was unticked, the
// connection dropped, the server restarted. The first connection of a
// worker has reconnects == 0.
struct Reconnected {
  TimeUs time_us = 0;            // when the subscription was established
  std::uint64_t reconnects = 0;  // how many times this worker reconnected before
  std::string reason;            // why the previous connection ended; empty on the first
};

// One item of a session feed: what crosses the queue from the sync worker to
// the render thread, and what a recording holds, in time order.
using FeedItem = std::variant<Event, ProgressSnapshot, RobotStateSnapshot, HistoryEntry, Reconnected>;

}  // namespace strokeviz::protocol
