// parse_event: the live pub/sub events, one field spec per channel.
#include "protocol/codec.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/keys.hpp"

namespace strokeviz::protocol {
namespace {

using namespace detail;

// Every event spec starts with type, node_id, timestamp.
enum : std::size_t { kType = 0, kNodeId = 1, kTimestamp = 2 };

constexpr FieldSpec kSessionSpec[] = {
    {"type"}, {"node_id"}, {"timestamp"}, {"session_id"}, {"total_strokes"}, {"scene_name"}};
enum : std::size_t { kSsSessionId = 3, kSsTotalStrokes, kSsSceneName };

constexpr FieldSpec kProgressSpec[] = {
    {"type"},       {"node_id"},       {"timestamp"},     {"session_id"},    {"stroke_idx"},
    {"pose_idx"},   {"total_strokes"}, {"stroke_length"}, {"description_l"}, {"description_r"},
    {"progress"},   {"message"}};
enum : std::size_t {
  kPuSessionId = 3, kPuStrokeIdx, kPuPoseIdx, kPuTotalStrokes, kPuStrokeLength, kPuDescL, kPuDescR,
  kPuProgress, kPuMessage
};

constexpr FieldSpec kRobotSpec[] = {{"type"},           {"node_id"},        {"timestamp"},
                                    {"is_connected_l"}, {"is_connected_r"}, {"current_pose"}};
enum : std::size_t { kRsConnL = 3, kRsConnR, kRsPose };

constexpr FieldSpec kErrorSpec[] = {{"type"},    {"node_id"}, {"timestamp"},
                                    {"category"}, {"message"}, {"details", Mode::Raw}};
enum : std::size_t { kErCategory = 3, kErMessage, kErDetails };

constexpr FieldSpec kNodeSpec[] = {{"type"}, {"node_id"}, {"timestamp"}};

EventHeader read_header(Reader& r, std::string_view channel, TimeUs received_us) {
  EventHeader h;
  h.channel = std::string(channel);
  h.node_id = r.str(kNodeId);
  h.time_us = r.time(kTimestamp, h.timestamp);
  h.received_us = received_us;
  return h;
}

Expected<Event> session_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (r.failed()) return r.error();
  if (type == "session_start") {
    SessionStart e;
    e.header = read_header(r, channel, recv);
    e.session_id = r.str(kSsSessionId);
    e.total_strokes = r.index(kSsTotalStrokes);
    e.scene_name = r.str(kSsSceneName);
    if (r.failed()) return r.error();
    return Event{std::move(e)};
  }
  if (type == "session_end") {
    SessionEnd e;
    e.header = read_header(r, channel, recv);
    e.session_id = r.str(kSsSessionId);
    if (r.failed()) return r.error();
    return Event{std::move(e)};
  }
  r.fail(kType, "unknown type '" + type + "' on this channel");
  return r.error();
}

// The robot's tool progress message: no session_id, a message.
Expected<Event> tool_progress_event(Reader& r, std::string_view channel, TimeUs recv) {
  ToolProgress e;
  e.header = read_header(r, channel, recv);
  e.message = r.str(kPuMessage);
  if (r.present(kPuProgress)) e.progress = r.number(kPuProgress);
  if (r.present(kPuStrokeIdx)) e.stroke_idx = r.index(kPuStrokeIdx);
  if (r.present(kPuTotalStrokes)) e.total_strokes = r.index(kPuTotalStrokes);
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Expected<Event> progress_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "progress_update")
    r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  if (!r.present(kPuSessionId) && r.present(kPuMessage)) return tool_progress_event(r, channel, recv);
  ProgressUpdate e;
  e.header = read_header(r, channel, recv);
  e.session_id = r.str(kPuSessionId);
  e.stroke_idx = r.index(kPuStrokeIdx);
  e.pose_idx = r.index(kPuPoseIdx);
  e.total_strokes = r.index(kPuTotalStrokes);
  e.stroke_length = r.index(kPuStrokeLength);
  r.check_below(kPuStrokeIdx, e.stroke_idx, kPuTotalStrokes, e.total_strokes);
  r.check_below(kPuPoseIdx, e.pose_idx, kPuStrokeLength, e.stroke_length);
  e.description_l = r.str(kPuDescL);
  e.description_r = r.str(kPuDescR);
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Expected<Event> robot_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "state_update")
    r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  RobotStateUpdate e;
  e.header = read_header(r, channel, recv);
  e.is_connected_l = r.boolean(kRsConnL);
  e.is_connected_r = r.boolean(kRsConnR);
  e.current_pose = r.str(kRsPose);
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Expected<Event> error_event(Reader& r, const Slots& slots, std::string_view channel,
                            TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "error") r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  ErrorEvent e;
  e.header = read_header(r, channel, recv);
  e.category = std::string(channel.substr(kChannelErrorPrefix.size()));
  e.payload_category = r.str(kErCategory);
  e.message = r.str(kErMessage);
  if (r.present(kErDetails)) e.details_json = slots[kErDetails].s;
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Event node_event(const Slots& slots, std::string_view channel, std::string_view payload,
                 TimeUs recv) {
  NodeEvent e;
  e.header.channel = std::string(channel);
  e.header.received_us = recv;
  e.channel_node_id = std::string(channel.substr(kChannelNodePrefix.size()));
  if (slots[kType].kind == Kind::String) e.type = slots[kType].s;
  if (slots[kNodeId].kind == Kind::String) e.header.node_id = slots[kNodeId].s;
  if (slots[kTimestamp].kind == Kind::String) {
    e.header.timestamp = slots[kTimestamp].s;
    if (auto t = parse_timestamp(e.header.timestamp)) e.header.time_us = *t;
  }
  e.raw = std::string(payload);
  return Event{std::move(e)};
}

bool has_suffix_after(std::string_view channel, std::string_view prefix) {
  return channel.size() > prefix.size() && channel.substr(0, prefix.size()) == prefix;
}

}  // namespace

Expected<Event> parse_event(std::string_view channel, std::string_view payload) {
  return parse_event(channel, payload, now_us());
}

Expected<Event> parse_event(std::string_view channel, std::string_view payload,
                            TimeUs received_us) {
  std::span<const FieldSpec> spec;
  if (channel == kChannelSession) spec = kSessionSpec;
  else if (channel == kChannelProgress) spec = kProgressSpec;
  else if (channel == kChannelRobot) spec = kRobotSpec;
  else if (has_suffix_after(channel, kChannelErrorPrefix)) spec = kErrorSpec;
  else if (has_suffix_after(channel, kChannelNodePrefix)) spec = kNodeSpec;
  else return Error{clip(std::string(channel)), 0, "unknown channel"};

  Slots slots{};
  std::string error;
  if (!collect(payload, spec, slots, error)) return Error{std::string(channel), 0, std::move(error)};
  Reader r(channel, spec, slots);
  if (channel == kChannelSession) return session_event(r, channel, received_us);
  if (channel == kChannelProgress) return progress_event(r, channel, received_us);
  if (channel == kChannelRobot) return robot_event(r, channel, received_us);
  if (spec.data() == kErrorSpec) return error_event(r, slots, channel, received_us);
  return node_event(slots, channel, payload, received_us);
}

}  // namespace strokeviz::protocol
