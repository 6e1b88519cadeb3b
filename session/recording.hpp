// Session files: the recorder (worker side) and a loaded, time-indexed recording (replay side).
//
// Format "strokeviz-session" version 1: one JSON object per line (JSON Lines).
//   line 1, header:  {"format":"strokeviz-session","version":1,"session_id":"stroke_hog_1763758501",
//                     "scene":"tatbotlogo","node":"hog","start_time":"2026-11-21T20:55:01.123456",
//                     "viewer_version":"0.1.0","server":"127.0.0.1:6379"}
//   then one line per thing the worker received, in receive order, "t" = receive
//   time (µs since the Unix epoch, UTC):
//     live message:   {"t":…,"ch":"stroke:events:progress","raw":{…payload as received…}}
//                     or, when the payload is not a JSON object, {"t":…,"ch":…,"bad":"<payload text>"}
//     hash snapshot:  {"t":…,"key":"stroke:progress:<id>","raw":{…}}  (also robot:state:<node>)
//     history entry:  {"t":…,"key":"stream:stroke_history:<id>","id":"<ms>-<seq>","fields":{…}}
// A crash loses at most the last partial line; a reader keeps the valid
// prefix and says where it stopped. Unknown fields are ignored; a header
// with a newer version is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "protocol/events.hpp"
#include "protocol/items.hpp"

namespace strokeviz::session {

inline constexpr std::string_view kSessionFormat = "strokeviz-session";
inline constexpr int kSessionVersion = 1;

struct SessionHeader {
  std::string session_id;  // empty for a per-day file of events outside sessions
  std::string scene;
  std::string node;
  std::string start_time;  // ISO, like the protocol's timestamps
  TimeUs start_us = 0;
  std::string viewer_version;
  std::string server;      // RedisConfig::describe(): never a password
};

// ---- a loaded recording (the replay side) -------------------------------------

enum class ItemKind : std::uint8_t {
  Progress,       // progress_update (live) or a history entry
  SessionStart,
  SessionEnd,
  RobotEvent,     // state_update
  Error,          // error:events:*
  Node,           // node:events:*
  Snapshot,       // progress or robot-state hash
  Rejected,       // a payload the live viewer rejected too (kept, counted, never applied)
  Reconnected,    // the sync worker (re)connected: a gap may precede it
  Activity,       // the robot's tool progress message (its activity line)
};

// A stretch of time the viewer was not listening: sync unticked, a dropped
// connection, a server restart. It ends at a Reconnected item and begins at
// the item before it.
struct Gap {
  TimeUs begin_us = 0, end_us = 0;
  std::size_t index = 0;     // the Reconnected item that ends it
  std::string reason;        // why the connection before it ended, when known
};

struct LoadReport {
  std::uint64_t lines = 0;        // lines read, header included
  std::uint64_t items = 0;        // items kept
  std::uint64_t skipped = 0;      // corrupt or truncated lines
  std::uint64_t first_bad_line = 0;  // 1-based; 0 when none
  std::string first_bad_reason;
};

// Which thread: built by a loader (any thread), then read-only; the render
// thread asks it for items. Compact: progress items are stored as numbers
// with interned strings (1 000 000 events well under 200 MB), other items
// as parsed values.
class Recording {
 public:
  // Missing file, not a session file, a newer version: Error naming the file
  // (and line). Truncated/corrupt lines are skipped and reported.
  static Expected<Recording> load(const std::filesystem::path& file, LoadReport* report = nullptr);

  Recording();
  explicit Recording(SessionHeader header);
  ~Recording();
  Recording(Recording&&) noexcept;
  Recording& operator=(Recording&&) noexcept;

  // Building (the loader's thread, or the render thread for a live
  // recording): items in receive order; a time before the last is taken as
  // the last. Progress is stored compactly, the rest as parsed values.
  void append(TimeUs t, protocol::FeedItem item);
  void append_rejected(TimeUs t);  // a payload the live viewer rejected too
  void reserve(std::size_t items);
  // Bounded memory for a live recording: forgets the oldest items until at
  // most `keep` remain (indices shift down by the number dropped, which is
  // returned). The session file keeps everything.
  std::size_t drop_oldest(std::size_t keep);

  const SessionHeader& header() const;
  SessionHeader& header();
  std::size_t size() const;
  TimeUs time(std::size_t i) const;     // receive time; non-decreasing
  ItemKind kind(std::size_t i) const;
  // The item exactly as the live worker pushed it (same types, same values),
  // ready for the same apply path. Rejected items: std::nullopt.
  std::optional<protocol::FeedItem> item(std::size_t i) const;
  // For the timeline: stroke/pose of the latest progress at or before i (-1 before any).
  int stroke_at(std::size_t i) const;
  int pose_at(std::size_t i) const;

  // Last item with time <= t (0 if t is before the first). O(log n).
  std::size_t index_at(TimeUs t) const;
  // Items that rebuild, from a reset viewer, the state after applying items
  // [0, i]: the session start, the latest snapshots and robot state, and the
  // latest progress — a handful, whatever i is (no replay from the start).
  std::vector<protocol::FeedItem> state_at(std::size_t i) const;
  // The same as item indices, ascending (apply each at its own time), plus
  // the last `errors` error items at or before i.
  std::vector<std::size_t> state_indices(std::size_t i, std::size_t errors = 20) const;
  // The first progress item of `stroke` whose pose is >= `pose` (else the
  // stroke's last one); npos when the stroke never appears.
  std::size_t find_progress(int stroke, int pose) const;
  // Navigation: the next/previous item whose stroke differs from i's
  // (npos when none), and of a given kind.
  std::size_t next_stroke(std::size_t i) const;
  std::size_t prev_stroke(std::size_t i) const;
  std::size_t next_of(std::size_t i, ItemKind k) const;
  std::size_t prev_of(std::size_t i, ItemKind k) const;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Every gap, in time order (a Reconnected item with items before it).
  std::vector<Gap> gaps() const;

  // Memory held (bytes), for the benchmark.
  std::size_t memory_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What is there to replay: files in a folder and/or sessions on a server.
struct SessionListing {
  std::string source;   // file path or "redis://host:port/<session_id>"
  SessionHeader header;
  TimeUs end_us = 0;    // last item
  std::int64_t items = 0;
  int max_stroke = -1;  // strokes reached
};
std::vector<SessionListing> list_session_files(const std::filesystem::path& dir);

// Default recordings folder: $XDG_DATA_HOME/strokeviz/sessions, else ~/.local/share/strokeviz/sessions.
std::filesystem::path default_sessions_dir();

}  // namespace strokeviz::session
