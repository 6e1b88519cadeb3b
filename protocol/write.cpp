// The publisher side: payloads written like Python's json.dumps (PROTOCOL.md field order).
#include "protocol/codec.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "protocol/keys.hpp"

namespace strokeviz::protocol {
namespace {

void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<std::size_t>(p - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";  // Python repr: 2.0
}

class ObjectWriter {
 public:
  ObjectWriter() { out_ = "{"; }
  ObjectWriter& str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
    return *this;
  }
  ObjectWriter& opt_str(std::string_view k, const std::optional<std::string>& v) {
    return v ? str(k, *v) : raw(k, "null");
  }
  ObjectWriter& integer(std::string_view k, std::int64_t v) { return raw(k, std::to_string(v)); }
  ObjectWriter& opt_integer(std::string_view k, const std::optional<std::int64_t>& v) {
    return v ? integer(k, *v) : raw(k, "null");
  }
  ObjectWriter& number(std::string_view k, double v) {
    key(k);
    append_number(out_, v);
    return *this;
  }
  ObjectWriter& opt_number(std::string_view k, const std::optional<double>& v) {
    return v ? number(k, *v) : raw(k, "null");
  }
  ObjectWriter& boolean(std::string_view k, bool v) { return raw(k, v ? "true" : "false"); }
  ObjectWriter& joints(std::string_view k, const std::optional<ArmJoints>& v) {
    if (!v) return raw(k, "null");
    key(k);
    out_ += '[';
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (i) out_ += ", ";
      append_number(out_, (*v)[i]);
    }
    out_ += ']';
    return *this;
  }
  ObjectWriter& time(std::string_view k, TimeUs t) { return str(k, format_timestamp(t)); }
  ObjectWriter& raw(std::string_view k, std::string_view json_text) {
    key(k);
    out_ += json_text;
    return *this;
  }
  std::string done() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void key(std::string_view k) {
    if (out_.size() > 1) out_ += ", ";
    append_json_string(out_, k);
    out_ += ": ";
  }
  std::string out_;
};

struct EventWriter {
  std::string operator()(const SessionStart& e) const {
    return ObjectWriter()
        .str("type", "session_start")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .integer("total_strokes", e.total_strokes)
        .str("scene_name", e.scene_name)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const SessionEnd& e) const {
    return ObjectWriter()
        .str("type", "session_end")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const ProgressUpdate& e) const {
    return ObjectWriter()
        .str("type", "progress_update")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .integer("stroke_idx", e.stroke_idx)
        .integer("pose_idx", e.pose_idx)
        .integer("total_strokes", e.total_strokes)
        .integer("stroke_length", e.stroke_length)
        .str("description_l", e.description_l)
        .str("description_r", e.description_r)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const RobotStateUpdate& e) const {
    return ObjectWriter()
        .str("type", "state_update")
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .boolean("is_connected_l", e.is_connected_l)
        .boolean("is_connected_r", e.is_connected_r)
        .str("current_pose", e.current_pose)
        .done();
  }
  std::string operator()(const ErrorEvent& e) const {
    return ObjectWriter()
        .str("type", "error")
        .str("category", e.payload_category.empty() ? e.category : e.payload_category)
        .str("message", e.message)
        .raw("details", e.details_json.empty() ? std::string_view("{}") : e.details_json)
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const NodeEvent& e) const { return e.raw; }
  std::string operator()(const ToolProgress& e) const {
    return ObjectWriter()
        .str("type", "progress_update")
        .str("node_id", e.header.node_id)
        .number("progress", e.progress)
        .str("message", e.message)
        .integer("stroke_idx", e.stroke_idx)
        .integer("total_strokes", e.total_strokes)
        .time("timestamp", e.header.time_us)
        .done();
  }
};

}  // namespace

std::string channel_of(const Event& e) {
  if (const auto* er = std::get_if<ErrorEvent>(&e))
    return std::string(kChannelErrorPrefix) + er->category;
  if (const auto* ne = std::get_if<NodeEvent>(&e))
    return std::string(kChannelNodePrefix) + ne->channel_node_id;
  if (std::holds_alternative<ProgressUpdate>(e) || std::holds_alternative<ToolProgress>(e))
    return std::string(kChannelProgress);
  if (std::holds_alternative<RobotStateUpdate>(e)) return std::string(kChannelRobot);
  return std::string(kChannelSession);
}

std::string to_json(const Event& e) { return std::visit(EventWriter{}, e); }

std::string to_json(const StrokeProgress& p) {
  return ObjectWriter()
      .time("timestamp", p.time_us)
      .str("node_id", p.node_id)
      .integer("stroke_idx", p.stroke_idx)
      .integer("pose_idx", p.pose_idx)
      .integer("total_strokes", p.total_strokes)
      .integer("stroke_length", p.stroke_length)
      .str("stroke_description_l", p.stroke_description_l)
      .str("stroke_description_r", p.stroke_description_r)
      .integer("offset_idx_l", p.offset_idx_l)
      .integer("offset_idx_r", p.offset_idx_r)
      .boolean("is_executing", p.is_executing)
      .boolean("is_paused", p.is_paused)
      .opt_str("scene_name", p.scene_name)
      .opt_str("dataset_name", p.dataset_name)
      .done();
}

std::string to_json(const RobotState& s) {
  return ObjectWriter()
      .time("timestamp", s.time_us)
      .str("node_id", s.node_id)
      .boolean("is_connected_l", s.is_connected_l)
      .boolean("is_connected_r", s.is_connected_r)
      .joints("joints_l", s.joints_l)
      .joints("joints_r", s.joints_r)
      .joints("velocities_l", s.velocities_l)
      .joints("velocities_r", s.velocities_r)
      .str("current_pose", s.current_pose)
      .number("goal_time_slow", s.goal_time_slow)
      .number("goal_time_fast", s.goal_time_fast)
      .done();
}

std::string to_json(const NodeHealth& h) {
  return ObjectWriter()
      .time("timestamp", h.time_us)
      .str("node_id", h.node_id)
      .number("cpu_percent", h.cpu_percent)
      .number("memory_percent", h.memory_percent)
      .number("disk_percent", h.disk_percent)
      .boolean("gpu_available", h.gpu_available)
      .opt_number("gpu_percent", h.gpu_percent)
      .opt_number("gpu_memory_percent", h.gpu_memory_percent)
      .boolean("is_reachable", h.is_reachable)
      .opt_number("ping_latency_ms", h.ping_latency_ms)
      .boolean("mcp_server_running", h.mcp_server_running)
      .opt_integer("mcp_port", h.mcp_port)
      .time("last_heartbeat", h.last_heartbeat_us)
      .done();
}

StreamFields to_stream_fields(const ProgressUpdate& p) {
  return {{"stroke_idx", std::to_string(p.stroke_idx)},
          {"pose_idx", std::to_string(p.pose_idx)},
          {"description_l", p.description_l},
          {"description_r", p.description_r},
          {"node_id", p.header.node_id}};
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u_escape = [&out](std::uint32_t cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: u_escape(c);
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; anything malformed becomes U+FFFD.
    std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    std::uint32_t cp = n == 4 ? c & 0x07u : n == 3 ? c & 0x0Fu : c & 0x1Fu;
    bool ok = n != 0 && c <= 0xF4 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) {
      u_escape(0xFFFD);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u_escape(0xD800 + (cp >> 10));
      u_escape(0xDC00 + (cp & 0x3FF));
    } else {
      u_escape(cp);
    }
    i += n;
  }
  out += '"';
}

}  // namespace strokeviz::protocol
