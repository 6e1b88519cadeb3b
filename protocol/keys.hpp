// The tatbot Redis vocabulary (PROTOCOL.md): every channel, key prefix and
// protocol constant, in one place. Nothing else spells these strings.
#pragma once

#include <string_view>

namespace strokeviz::protocol {

// Pub/sub channels.
inline constexpr std::string_view kChannelSession = "stroke:events:session";
inline constexpr std::string_view kChannelProgress = "stroke:events:progress";
inline constexpr std::string_view kChannelRobot = "robot:events";
inline constexpr std::string_view kChannelErrorPrefix = "error:events:";  // + <category>
inline constexpr std::string_view kChannelNodePrefix = "node:events:";    // + <node_id>

// Hashes and streams.
inline constexpr std::string_view kProgressKeyPrefix = "stroke:progress:";       // + <session_id>, field kProgressField
inline constexpr std::string_view kRobotStateKeyPrefix = "robot:state:";         // + <node_id>, field kRobotStateField
inline constexpr std::string_view kNodeHealthKeyPrefix = "node:health:";         // + <node_id>, field kNodeHealthField
inline constexpr std::string_view kHistoryKeyPrefix = "stream:stroke_history:";  // + <session_id>

// The hash field that holds each hash's JSON payload.
inline constexpr std::string_view kProgressField = "progress";
inline constexpr std::string_view kRobotStateField = "state";
inline constexpr std::string_view kNodeHealthField = "health";

inline constexpr int kNodeHealthTtlS = 60;          // TTLConstants.NODE_HEALTH_TTL
inline constexpr int kStrokeHistoryMaxLen = 10000;  // TTLConstants.STROKE_HISTORY_MAXLEN

// The robot publishes pose 0 and every pose index divisible by this.
inline constexpr int kReportEveryNthPose = 5;

}  // namespace strokeviz::protocol
