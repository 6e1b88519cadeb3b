// Feed items: what a source produces, in time order — a live event, a hash
// snapshot, or a history entry. The sync worker pushes them, recordings hold them.
#pragma once

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

// One item of a session feed: what crosses the queue from the sync worker to
// the render thread, and what a recording holds, in time order.
using FeedItem = std::variant<Event, ProgressSnapshot, RobotStateSnapshot, HistoryEntry>;

}  // namespace strokeviz::protocol
