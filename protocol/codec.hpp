// Parsing and writing the tatbot Redis payloads (PROTOCOL.md) without a DOM.
//
// Parsers run on the sync worker thread; they are pure functions (no shared
// state) and never throw. They stream the JSON through nlohmann's SAX
// interface, keep only the top-level fields they need and refuse nesting
// deeper than kMaxDepth, so a hostile payload cannot blow the stack or the
// heap. Rules: the payload must be a JSON object; unknown extra fields are
// ignored; a missing required field, a field of the wrong type, an unknown
// `type` on a known channel or an index out of range is rejected with
// `<channel>: field '<name>': <reason>` (Error::str()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "protocol/events.hpp"

namespace strokeviz::protocol {

// Payloads larger than this are rejected before parsing.
inline constexpr std::size_t kMaxPayloadBytes = 4u << 20;
// Deepest nesting accepted (the top-level object is depth 1).
inline constexpr int kMaxDepth = 64;

// One pub/sub message. The channel picks the event type: stroke:events:session
// (session_start | session_end), stroke:events:progress (progress_update),
// robot:events (state_update), error:events:<category> (error),
// node:events:<node_id> (free-form NodeEvent). Any other channel is rejected.
// The first overload stamps received_us with now_us().
Expected<Event> parse_event(std::string_view channel, std::string_view payload);
Expected<Event> parse_event(std::string_view channel, std::string_view payload, TimeUs received_us);

// Snapshot hashes. `where` names the source in error messages (pass the key).
Expected<StrokeProgress> parse_progress(std::string_view json,
                                        std::string_view where = "stroke:progress");
Expected<RobotState> parse_robot_state(std::string_view json,
                                       std::string_view where = "robot:state");
Expected<NodeHealth> parse_node_health(std::string_view json,
                                       std::string_view where = "node:health");

// One XRANGE entry of stream:stroke_history:<session_id>. Required fields:
// stroke_idx, pose_idx (non-negative integer strings), description_l,
// description_r, node_id; extra fields are ignored.
Expected<StreamEntry> parse_stream_entry(std::string_view id, const StreamFields& fields,
                                         std::string_view where = "stream:stroke_history");

// ---- publisher side ----------------------------------------------------------
// These write PROTOCOL.md's field names in its order, formatted like Python's
// json.dumps (", " and ": " separators, non-ASCII as \uXXXX). The timestamp
// written is format_timestamp(time_us); header.timestamp is not consulted.
// ErrorEvent::details_json is inserted verbatim ("{}" when empty); a NodeEvent
// is written as its raw payload.

// The channel to PUBLISH the event on.
std::string channel_of(const Event& e);
std::string to_json(const Event& e);
std::string to_json(const StrokeProgress& p);
std::string to_json(const RobotState& s);
std::string to_json(const NodeHealth& h);
// The XADD fields for a progress update, all strings.
StreamFields to_stream_fields(const ProgressUpdate& p);

// Appends `s` as a JSON string literal, Python ensure_ascii style; invalid
// UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);

}  // namespace strokeviz::protocol
