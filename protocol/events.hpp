// Typed values for every payload of the tatbot Redis protocol (PROTOCOL.md).
//
// All types are plain values with owned strings: the sync worker builds them
// and moves them across the queue to the render thread. Field names follow
// PROTOCOL.md; where a field is nullable it is a std::optional.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/expected.hpp"
#include "common/time.hpp"
#include "protocol/keys.hpp"

namespace strokeviz::protocol {

// Fields every live event carries.
struct EventHeader {
  std::string channel;    // the pub/sub channel it came on
  std::string node_id;    // who wrote it
  std::string timestamp;  // as sent, e.g. "2026-11-21T20:55:01.123456"
  TimeUs time_us = 0;     // `timestamp` parsed
  TimeUs received_us = 0; // when this process received it (system clock)
};

// `session_start` on stroke:events:session.
struct SessionStart {
  EventHeader header;
  std::string session_id;
  std::int64_t total_strokes = 0;
  std::string scene_name;
};

// `session_end` on stroke:events:session.
struct SessionEnd {
  EventHeader header;
  std::string session_id;
};

// `progress_update` on stroke:events:progress. Indices are validated:
// 0 <= stroke_idx < total_strokes, 0 <= pose_idx < stroke_length.
struct ProgressUpdate {
  EventHeader header;
  std::string session_id;
  std::int64_t stroke_idx = 0;
  std::int64_t pose_idx = 0;
  std::int64_t total_strokes = 0;
  std::int64_t stroke_length = 0;
  std::string description_l;
  std::string description_r;
};

// `state_update` on robot:events.
struct RobotStateUpdate {
  EventHeader header;
  bool is_connected_l = false;
  bool is_connected_r = false;
  std::string current_pose;  // free string: connecting, ready, sleep, executing, unknown, ...
};

// `error` on error:events:<category>.
struct ErrorEvent {
  EventHeader header;
  std::string category;          // from the channel name
  std::string payload_category;  // the payload's `category` field
  std::string message;
  std::string details_json;      // `details` re-serialized as JSON text; empty when absent
};

// Anything on node:events:<node_id>: free-form, kept raw. The header's
// node_id/timestamp are filled when the payload carries them as strings.
struct NodeEvent {
  EventHeader header;
  std::string channel_node_id;  // the <node_id> of the channel name
  std::string type;             // the payload's `type` when it is a string
  std::string raw;              // the payload as received
};

// The robot's other `progress_update` on stroke:events:progress: every tool
// run on any node (the stroke tool, a conversion, the viz) re-publishes its
// progress reports there, without session_id, pose_idx or stroke_length
// (PROTOCOL.md, "A second kind of progress_update"). The robot's activity
// line; it never moves the stroke or pose.
struct ToolProgress {
  EventHeader header;
  double progress = 0.0;           // 0..1 as the tool reports it
  std::string message;             // e.g. "Executing stroke 1/19: left arm stroke after inkdip in …"
  std::int64_t stroke_idx = 0;     // as sent (0 when the tool has none)
  std::int64_t total_strokes = 0;
};

// One live event, as it crosses the queue.
using Event = std::variant<SessionStart, SessionEnd, ProgressUpdate, RobotStateUpdate, ErrorEvent, NodeEvent,
                           ToolProgress>;

const EventHeader& header_of(const Event& e);
EventHeader& header_of(Event& e);
// The protocol `type` name of the event ("session_start", …; NodeEvent: "node_event").
std::string_view type_name(const Event& e);

// ---- snapshots (hashes, read on connect and after a reconnect) -------------

// `progress` field of stroke:progress:<session_id>.
struct StrokeProgress {
  std::string timestamp;
  TimeUs time_us = 0;
  std::string node_id;
  std::int64_t stroke_idx = 0;
  std::int64_t pose_idx = 0;
  std::int64_t total_strokes = 0;
  std::int64_t stroke_length = 0;
  std::string stroke_description_l;
  std::string stroke_description_r;
  std::int64_t offset_idx_l = 0;  // needle depth index, >= 0 (offset_num is the scene's)
  std::int64_t offset_idx_r = 0;
  bool is_executing = false;
  bool is_paused = false;
  std::optional<std::string> scene_name;
  std::optional<std::string> dataset_name;
};

// Seven values per arm: joint_0..joint_5 then the gripper carriage.
using ArmJoints = std::array<double, 7>;

// `state` field of robot:state:<node_id>.
struct RobotState {
  std::string timestamp;
  TimeUs time_us = 0;
  std::string node_id;
  bool is_connected_l = false;
  bool is_connected_r = false;
  std::optional<ArmJoints> joints_l;
  std::optional<ArmJoints> joints_r;
  std::optional<ArmJoints> velocities_l;
  std::optional<ArmJoints> velocities_r;
  std::string current_pose;
  double goal_time_slow = 2.0;
  double goal_time_fast = 0.5;
};

// `health` field of node:health:<node_id>.
struct NodeHealth {
  std::string timestamp;
  TimeUs time_us = 0;
  std::string node_id;
  double cpu_percent = 0;
  double memory_percent = 0;
  double disk_percent = 0;
  bool gpu_available = false;
  std::optional<double> gpu_percent;
  std::optional<double> gpu_memory_percent;
  bool is_reachable = false;
  std::optional<double> ping_latency_ms;
  bool mcp_server_running = false;
  std::optional<std::int64_t> mcp_port;
  std::string last_heartbeat;
  TimeUs last_heartbeat_us = 0;
};

// One entry of stream:stroke_history:<session_id>. All fields are strings
// on the wire; the id `<ms>-<seq>` gives the server time.
struct StreamEntry {
  std::string id;
  std::int64_t time_ms = 0;  // from the id
  std::int64_t seq = 0;      // from the id
  std::int64_t stroke_idx = 0;
  std::int64_t pose_idx = 0;
  std::string description_l;
  std::string description_r;
  std::string node_id;
};

// Field/value pairs of one stream entry, as XRANGE returns them.
using StreamFields = std::vector<std::pair<std::string, std::string>>;

}  // namespace strokeviz::protocol
