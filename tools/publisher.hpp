// publisher: the C++ StateManager — the robot's Redis writes, exactly as PROTOCOL.md gives them.
//
// Mirrors tatbot's Python StateManager (src/tatbot/state/manager.py):
//   start_stroke_session   HSET stroke:progress:<id> progress <json>; PUBLISH session_start
//   update_stroke_progress HGET the progress hash; HSET it with the new indices;
//                          XADD stream:stroke_history:<id> MAXLEN ~ 10000 (all-string
//                          fields); PUBLISH progress_update. The last three go in one
//                          pipelined round trip after the HGET (Redis runs one
//                          connection's commands in order, so the order stays).
//   end_stroke_session     HGET; HSET with is_executing false (the hash is kept);
//                          PUBLISH session_end
//   update_robot_state     HSET robot:state:<node> state <json>; HSET … last_updated <ts>;
//                          PUBLISH state_update on robot:events
//   update_node_health     HSET node:health:<node> health <json>; EXPIRE 60
//   report_error           PUBLISH error on error:events:<category>
//   publish_event          PUBLISH any object with node_id and timestamp set
//   publish_tool_progress  PUBLISH a tool's progress report (no session_id)
// Events are json.dumps (", " / ": ", \uXXXX, 6 fraction digits); hash values
// are pydantic model_dump_json (compact, raw UTF-8, fraction digits trimmed),
// as PROTOCOL.md "What the real robot does" gives them. The hash time and the
// event time of one update are two clock reads.
// Every operation returns Expected<…>; an I/O failure drops the connection and
// the next call reconnects. Messages name host:port and the command, never the
// password.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "protocol/events.hpp"
#include "protocol/keys.hpp"
#include "sync/redis_config.hpp"

namespace strokeviz::tools {

// `stroke_<node_id>_<unix seconds>`.
std::string make_session_id(std::string_view node_id, std::int64_t unix_seconds);
// A timestamp as pydantic writes it: the fraction's trailing zeros dropped
// ("…:41.860000" → "…:41.86", "…:41.000000" → "…:41"). Other text unchanged.
std::string trim_fraction(std::string_view timestamp);
// Re-serializes a JSON object the way pydantic's model_dump_json writes it:
// compact (`{"a":1,"b":2}`), non-ASCII as raw UTF-8, key order kept, and the
// top-level `timestamp` / `last_heartbeat` strings through trim_fraction().
Expected<std::string> pydantic_json_object(std::string_view json);
// This host's name (what Python's socket.gethostname() gives); "localhost" if unknown.
std::string local_node_id();
// Re-serializes a JSON object the way Python's json.dumps writes it (", ", ": ",
// ensure_ascii), keeping key order. Error if `json` is not a JSON object.
Expected<std::string> python_json_object(std::string_view json);
// A tool's progress report as the robot re-publishes it on stroke:events:progress
// (PROTOCOL.md "A second kind of progress_update"): type, node_id (empty, set
// by publish_event), progress, message, stroke_idx 0, total_strokes 0; no
// session_id. Python-style.
std::string tool_progress_json(double progress, std::string_view message);
// publish_event's payload: `json` with node_id and timestamp set (replacing
// any present, in place; else appended), Python-style.
Expected<std::string> stamp_event(std::string_view json, std::string_view node_id, TimeUs now);

struct StateManagerOptions {
  std::string node_id;  // empty: local_node_id()
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  // Python raises when update/end finds no progress hash (e.g. the server
  // restarted without persistence). When true, the hash is rebuilt from the
  // last progress this object wrote instead, and the update goes on.
  bool recreate_missing_session = false;
  // Added to the unix seconds in a new session id: the robot computes it from
  // a naive UTC time read as local time, so on a host in UTC−6 its number is
  // 21600 s ahead (PROTOCOL.md, Identifiers). 0: the true unix time.
  std::int64_t session_id_offset_s = 0;
};

// Which thread: one at a time (it owns one hiredis connection, no locking).
class StateManager {
 public:
  explicit StateManager(sync::RedisConfig config, StateManagerOptions options = {});
  ~StateManager();
  StateManager(const StateManager&) = delete;
  StateManager& operator=(const StateManager&) = delete;
  StateManager(StateManager&&) noexcept;
  StateManager& operator=(StateManager&&) noexcept;

  const std::string& node_id() const;
  // The session started last and not ended yet; empty when none.
  const std::string& session_id() const;
  // "127.0.0.1:6379": for messages.
  std::string address() const;

  // Connects (AUTH, SELECT) now; every operation also connects when needed.
  Expected<bool> connect();
  bool connected() const;
  void disconnect();

  // Writes the initial progress (indices 0, is_executing true) and publishes
  // session_start. Returns the new session id.
  Expected<std::string> start_stroke_session(std::int64_t total_strokes, std::int64_t stroke_length,
                                             std::string_view scene_name = "default",
                                             std::optional<std::string> dataset_name = std::nullopt);
  // is_executing / is_paused: nullopt keeps what the hash holds (Python never
  // changes them here). Indices out of [0, total) / [0, stroke_length) are
  // refused before anything is written.
  Expected<bool> update_stroke_progress(std::int64_t stroke_idx, std::int64_t pose_idx,
                                        std::string_view description_l,
                                        std::string_view description_r, std::int64_t offset_idx_l,
                                        std::int64_t offset_idx_r,
                                        std::optional<bool> is_executing = std::nullopt,
                                        std::optional<bool> is_paused = std::nullopt);
  // Marks the progress hash not executing (kept, not deleted) and publishes
  // session_end; then no session is current. `session` empty: the current one.
  Expected<bool> end_stroke_session(std::string_view session = {});
  // `state.node_id` empty → this node; `state.time_us` 0 → now.
  Expected<bool> update_robot_state(protocol::RobotState state);
  // Only the robot:state hash (state + last_updated), no event: the simulator
  // writes joints this way before each progress update.
  Expected<bool> write_robot_state(protocol::RobotState state);
  // nullopt: Python's default health (node_id, now, is_reachable from PING).
  Expected<bool> update_node_health(std::optional<protocol::NodeHealth> health = std::nullopt);
  // details_json: a JSON object (empty → {}).
  Expected<bool> report_error(std::string_view category, std::string_view message,
                              std::string_view details_json = {});
  Expected<bool> publish_event(std::string_view channel, std::string_view json_object);
  // tool_progress_json(progress, message) through publish_event on stroke:events:progress.
  Expected<bool> publish_tool_progress(double progress, std::string_view message);

  // Round trips made so far (one per pipelined batch): for tests and benches.
  std::uint64_t round_trips() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strokeviz::tools
