// The example payloads of PROTOCOL.md, copied verbatim, shared by the sync tests.
#pragma once

#include <string_view>

namespace strokeviz::test {

inline constexpr std::string_view kSessionStartJson =
    R"({"type": "session_start", "session_id": "stroke_hog_1763758501", "node_id": "hog",
 "total_strokes": 212, "scene_name": "tatbotlogo", "timestamp": "2026-11-21T20:55:01.123456"})";

inline constexpr std::string_view kSessionEndJson =
    R"({"type": "session_end", "session_id": "stroke_hog_1763758501", "node_id": "hog",
 "timestamp": "2026-11-21T21:40:12.000311"})";

// The robot's second kind of progress_update: a tool's activity (PROTOCOL.md).
inline constexpr std::string_view kToolProgressJson =
    R"({"type": "progress_update", "node_id": "hog", "progress": 0.3,)"
    R"( "message": "Executing stroke 1/19: left arm stroke after inkdip in inkcap_left_large",)"
    R"( "stroke_idx": 0, "total_strokes": 0, "timestamp": "2026-11-21T20:57:40.000311"})";

inline constexpr std::string_view kProgressUpdateJson =
    R"({"type": "progress_update", "session_id": "stroke_hog_1763758501", "node_id": "hog",
 "stroke_idx": 5, "pose_idx": 25, "total_strokes": 212, "stroke_length": 108,
 "description_l": "left arm stroke after inkdip in inkcap_left_large",
 "description_r": "right arm inkdip into inkcap_right_large to fill with bright_red ink",
 "timestamp": "2026-11-21T20:57:44.861002"})";

inline constexpr std::string_view kStateUpdateJson =
    R"({"type": "state_update", "node_id": "hog", "timestamp": "2026-11-21T20:55:00.551200",
 "is_connected_l": true, "is_connected_r": true, "current_pose": "ready"})";

inline constexpr std::string_view kErrorJson =
    R"({"type": "error", "category": "stroke_execution", "message": "arm l timeout",
 "details": {"scene": "tatbotlogo"}, "node_id": "hog", "timestamp": "2026-11-21T21:02:00.000100"})";

// Hash snapshots: PROTOCOL.md lists the fields; these carry every one of them.
inline constexpr std::string_view kStrokeProgressJson =
    R"({"timestamp": "2026-11-21T20:57:44.861002", "node_id": "hog", "stroke_idx": 5,
 "pose_idx": 25, "total_strokes": 212, "stroke_length": 108,
 "stroke_description_l": "left arm stroke after inkdip in inkcap_left_large",
 "stroke_description_r": "right arm inkdip into inkcap_right_large to fill with bright_red ink",
 "offset_idx_l": 3, "offset_idx_r": 0, "is_executing": true, "is_paused": false,
 "scene_name": "tatbotlogo", "dataset_name": null})";

inline constexpr std::string_view kRobotStateJson =
    R"({"timestamp": "2026-11-21T20:55:00", "node_id": "hog", "is_connected_l": true,
 "is_connected_r": false,
 "joints_l": [0.0, 1.5707963267948966, -1.2, 0.25, 0, -0.5, 0.022],
 "joints_r": null,
 "velocities_l": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], "velocities_r": null,
 "current_pose": "ready", "goal_time_slow": 2.0, "goal_time_fast": 0.5})";

inline constexpr std::string_view kNodeHealthJson =
    R"({"timestamp": "2026-11-21T20:55:00.551200", "node_id": "eek", "cpu_percent": 12.5,
 "memory_percent": 40.25, "disk_percent": 71, "gpu_available": true, "gpu_percent": null,
 "gpu_memory_percent": 3.5, "is_reachable": true, "ping_latency_ms": 0.42,
 "mcp_server_running": true, "mcp_port": 8000, "last_heartbeat": "2026-11-21T20:54:59.999999"})";

}  // namespace strokeviz::test
