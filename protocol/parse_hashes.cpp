// The snapshot hashes (stroke:progress, robot:state, node:health) and history stream entries.
#include "protocol/codec.hpp"

#include <charconv>

#include "protocol/json_fields.hpp"

namespace strokeviz::protocol {
namespace {

using namespace detail;

constexpr FieldSpec kStrokeProgressSpec[] = {
    {"timestamp"},      {"node_id"},      {"stroke_idx"},           {"pose_idx"},
    {"total_strokes"},  {"stroke_length"}, {"stroke_description_l"}, {"stroke_description_r"},
    {"offset_idx_l"},   {"offset_idx_r"},  {"is_executing"},         {"is_paused"},
    {"scene_name"},     {"dataset_name"}};

constexpr FieldSpec kRobotStateSpec[] = {
    {"timestamp"},      {"node_id"},
    {"is_connected_l"}, {"is_connected_r"},
    {"joints_l", Mode::Array7},     {"joints_r", Mode::Array7},
    {"velocities_l", Mode::Array7}, {"velocities_r", Mode::Array7},
    {"current_pose"},   {"goal_time_slow"},
    {"goal_time_fast"}};

constexpr FieldSpec kNodeHealthSpec[] = {
    {"timestamp"},       {"node_id"},       {"cpu_percent"},        {"memory_percent"},
    {"disk_percent"},    {"gpu_available"}, {"gpu_percent"},        {"gpu_memory_percent"},
    {"is_reachable"},    {"ping_latency_ms"}, {"mcp_server_running"}, {"mcp_port"},
    {"last_heartbeat"}};

template <class T, class Build>
Expected<T> parse_snapshot(std::string_view json_text, std::string_view where,
                           std::span<const FieldSpec> spec, Build build) {
  Slots slots{};
  std::string error;
  if (!collect(json_text, spec, slots, error)) return Error{std::string(where), 0, std::move(error)};
  Reader r(where, spec, slots);
  T out = build(r);
  if (r.failed()) return r.error();
  return out;
}

// Non-negative decimal integer string.
bool parse_index_string(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Expected<StrokeProgress> parse_progress(std::string_view json_text, std::string_view where) {
  return parse_snapshot<StrokeProgress>(json_text, where, kStrokeProgressSpec, [](Reader& r) {
    StrokeProgress p;
    p.time_us = r.time(0, p.timestamp);
    p.node_id = r.str(1);
    p.stroke_idx = r.index(2);
    p.pose_idx = r.index(3);
    p.total_strokes = r.index(4);
    p.stroke_length = r.index(5);
    r.check_below(2, p.stroke_idx, 4, p.total_strokes);
    r.check_below(3, p.pose_idx, 5, p.stroke_length);
    p.stroke_description_l = r.str(6);
    p.stroke_description_r = r.str(7);
    p.offset_idx_l = r.index(8);
    p.offset_idx_r = r.index(9);
    p.is_executing = r.boolean(10);
    p.is_paused = r.boolean(11);
    p.scene_name = r.opt_str(12);
    p.dataset_name = r.opt_str(13);
    return p;
  });
}

Expected<RobotState> parse_robot_state(std::string_view json_text, std::string_view where) {
  return parse_snapshot<RobotState>(json_text, where, kRobotStateSpec, [](Reader& r) {
    RobotState s;
    s.time_us = r.time(0, s.timestamp);
    s.node_id = r.str(1);
    s.is_connected_l = r.boolean(2);
    s.is_connected_r = r.boolean(3);
    s.joints_l = r.opt_joints(4);
    s.joints_r = r.opt_joints(5);
    s.velocities_l = r.opt_joints(6);
    s.velocities_r = r.opt_joints(7);
    s.current_pose = r.str(8);
    s.goal_time_slow = r.number(9);
    s.goal_time_fast = r.number(10);
    return s;
  });
}

Expected<NodeHealth> parse_node_health(std::string_view json_text, std::string_view where) {
  return parse_snapshot<NodeHealth>(json_text, where, kNodeHealthSpec, [](Reader& r) {
    NodeHealth h;
    h.time_us = r.time(0, h.timestamp);
    h.node_id = r.str(1);
    h.cpu_percent = r.number(2);
    h.memory_percent = r.number(3);
    h.disk_percent = r.number(4);
    h.gpu_available = r.boolean(5);
    h.gpu_percent = r.opt_number(6);
    h.gpu_memory_percent = r.opt_number(7);
    h.is_reachable = r.boolean(8);
    h.ping_latency_ms = r.opt_number(9);
    h.mcp_server_running = r.boolean(10);
    h.mcp_port = r.opt_integer(11);
    h.last_heartbeat_us = r.time(12, h.last_heartbeat);
    return h;
  });
}

Expected<StreamEntry> parse_stream_entry(std::string_view id, const StreamFields& fields,
                                         std::string_view where) {
  const std::string file = std::string(where) + " entry " + clip(std::string(id));
  auto fail = [&](std::string msg) { return Error{file, 0, clip(std::move(msg))}; };
  StreamEntry e;
  e.id = std::string(id);
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || !parse_index_string(id.substr(0, dash), e.time_ms) ||
      !parse_index_string(id.substr(dash + 1), e.seq) || e.time_ms < 0 || e.seq < 0)
    return fail("id: expected <milliseconds>-<sequence>");

  const std::string* value[5] = {};
  static constexpr std::string_view kNames[5] = {"stroke_idx", "pose_idx", "description_l",
                                                 "description_r", "node_id"};
  for (const auto& [k, v] : fields)
    for (std::size_t i = 0; i < 5; ++i)
      if (k == kNames[i]) value[i] = &v;  // the last duplicate wins
  for (std::size_t i = 0; i < 5; ++i)
    if (value[i] == nullptr) return fail("field '" + std::string(kNames[i]) + "': missing");
  std::int64_t* idx[2] = {&e.stroke_idx, &e.pose_idx};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!parse_index_string(*value[i], *idx[i]))
      return fail("field '" + std::string(kNames[i]) + "': expected integer string, got '" +
                  *value[i] + "'");
    if (*idx[i] < 0)
      return fail("field '" + std::string(kNames[i]) + "': " + *value[i] + " is negative");
  }
  e.description_l = *value[2];
  e.description_r = *value[3];
  e.node_id = *value[4];
  return e;
}

}  // namespace strokeviz::protocol
