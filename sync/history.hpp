// Sessions that only the robot's Redis holds: its history stream and progress hash.
#pragma once

#include <string>
#include <vector>

#include "common/expected.hpp"
#include "session/recording.hpp"
#include "sync/redis_config.hpp"

namespace strokeviz::sync {

// From stream:stroke_history:<session_id> (entry ids give the times) and the
// progress hash; for sessions nobody recorded. Touches a socket: call it from
// a loader thread, never the render thread.
Expected<session::Recording> fetch_recording(const RedisConfig& redis, const std::string& session_id);
// Every stroke:progress:* session on the server, newest first.
Expected<std::vector<session::SessionListing>> list_redis_sessions(const RedisConfig& redis);

}  // namespace strokeviz::sync
