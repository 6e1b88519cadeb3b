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
#include "sync/events.hpp"
#include "sync/worker.hpp"

namespace strokeviz::sync {

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

// ---- recording (the sync worker's side) ------------------------------------

struct RecorderOptions {
  std::filesystem::path dir;        // <dir>/<session_id>.jsonl, <dir>/events-YYYY-MM-DD.jsonl
  std::string viewer_version;
  std::string server;
  std::size_t buffer_bytes = 8u << 20;  // bounded: past it, lines are counted as lost, never waited for
  std::chrono::milliseconds flush_every{1000};
};

struct RecorderStats {
  std::uint64_t lines = 0;        // appended
  std::uint64_t bytes = 0;
  std::uint64_t lost_lines = 0;   // buffer full (slow disk) or write errors
  std::string last_error;         // e.g. "…/x.jsonl: No space left on device"
  std::string current_file;
};

// Which thread: append*() on the sync worker thread only; it copies into a
// bounded buffer that its own I/O thread writes out (flush at least every
// flush_every, at session end and on close), so a slow disk never stalls
// the worker. stats() from any thread.
class Recorder {
 public:
  static Expected<std::unique_ptr<Recorder>> open(RecorderOptions options);
  ~Recorder();  // flushes and joins the I/O thread
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // A live pub/sub message, before it is parsed (so rejected payloads are
  // kept). `session_id`: the session it belongs to, empty when none is open
  // (then it goes to the per-day file).
  void append_message(TimeUs t, std::string_view channel, std::string_view payload, std::string_view session_id);
  void append_snapshot(TimeUs t, std::string_view key, std::string_view json, std::string_view session_id);
  void append_history(TimeUs t, std::string_view session_id, const StreamEntry& entry);
  // Session boundaries: start opens <session_id>.jsonl with its header; end flushes and closes it.
  void session_started(const SessionHeader& header);
  void session_ended(std::string_view session_id);
  RecorderStats stats() const;
  // Worker thread: whether session_started(id) opened a file that is not ended yet.
  bool session_open(std::string_view session_id) const;
  // Any thread: ask the I/O thread to write what is pending now (does not wait).
  void flush();

 private:
  Recorder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
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
  // From stream:stroke_history:<session_id> (entry ids give the times) and
  // the progress hash; for sessions nobody recorded. Touches a socket: call
  // it from a worker/loader thread, never the render thread.
  static Expected<Recording> from_redis(const RedisConfig& redis, const std::string& session_id);

  Recording();
  ~Recording();
  Recording(Recording&&) noexcept;
  Recording& operator=(Recording&&) noexcept;

  const SessionHeader& header() const;
  std::size_t size() const;
  TimeUs time(std::size_t i) const;     // receive time; non-decreasing
  ItemKind kind(std::size_t i) const;
  // The item exactly as the live worker pushed it (same types, same values),
  // ready for the same apply path. Rejected items: std::nullopt.
  std::optional<SyncItem> item(std::size_t i) const;
  // For the timeline: stroke/pose of the latest progress at or before i (-1 before any).
  int stroke_at(std::size_t i) const;
  int pose_at(std::size_t i) const;

  // Last item with time <= t (0 if t is before the first). O(log n).
  std::size_t index_at(TimeUs t) const;
  // Items that rebuild, from a reset viewer, the state after applying items
  // [0, i]: the session start, the latest snapshots and robot state, and the
  // latest progress — a handful, whatever i is (no replay from the start).
  std::vector<SyncItem> state_at(std::size_t i) const;
  // Navigation: the next/previous item whose stroke differs from i's
  // (npos when none), and of a given kind.
  std::size_t next_stroke(std::size_t i) const;
  std::size_t prev_stroke(std::size_t i) const;
  std::size_t next_of(std::size_t i, ItemKind k) const;
  std::size_t prev_of(std::size_t i, ItemKind k) const;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

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
Expected<std::vector<SessionListing>> list_redis_sessions(const RedisConfig& redis);

// Default recordings folder: $XDG_DATA_HOME/strokeviz/sessions, else ~/.local/share/strokeviz/sessions.
std::filesystem::path default_sessions_dir();

}  // namespace strokeviz::sync
