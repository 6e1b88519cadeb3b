// Test helper: every field of a FeedItem as text, so two items compare field by field with a readable diff.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <variant>

#include "sync/worker.hpp"

namespace strokeviz::test {
using namespace strokeviz::protocol;
using namespace strokeviz::session;

inline std::string describe_field(const char* name, const std::string& v) { return std::string(name) + "=" + v + "|"; }
inline std::string describe_field(const char* name, std::int64_t v) { return std::string(name) + "=" + std::to_string(v) + "|"; }
inline std::string describe_field(const char* name, bool v) { return std::string(name) + "=" + (v ? "true" : "false") + "|"; }
inline std::string describe_field(const char* name, double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string(name) + "=" + buf + "|";
}
inline std::string describe_field(const char* name, const std::optional<std::string>& v) {
  return v ? describe_field(name, *v) : std::string(name) + "=null|";
}
inline std::string describe_field(const char* name, const std::optional<ArmJoints>& v) {
  if (!v) return std::string(name) + "=null|";
  std::string s = std::string(name) + "=[";
  for (double d : *v) s += describe_field("", d);
  return s + "]|";
}

inline std::string describe(const EventHeader& h) {
  return describe_field("channel", h.channel) + describe_field("node_id", h.node_id) +
         describe_field("timestamp", h.timestamp) + describe_field("time_us", h.time_us) +
         describe_field("received_us", h.received_us);
}

inline std::string describe(const Event& e) {
  struct V {
    std::string operator()(const SessionStart& x) const {
      return "SessionStart|" + describe(x.header) + describe_field("session_id", x.session_id) +
             describe_field("total_strokes", x.total_strokes) + describe_field("scene_name", x.scene_name);
    }
    std::string operator()(const SessionEnd& x) const {
      return "SessionEnd|" + describe(x.header) + describe_field("session_id", x.session_id);
    }
    std::string operator()(const ProgressUpdate& x) const {
      return "ProgressUpdate|" + describe(x.header) + describe_field("session_id", x.session_id) +
             describe_field("stroke_idx", x.stroke_idx) + describe_field("pose_idx", x.pose_idx) +
             describe_field("total_strokes", x.total_strokes) + describe_field("stroke_length", x.stroke_length) +
             describe_field("description_l", x.description_l) + describe_field("description_r", x.description_r);
    }
    std::string operator()(const RobotStateUpdate& x) const {
      return "RobotStateUpdate|" + describe(x.header) + describe_field("l", x.is_connected_l) +
             describe_field("r", x.is_connected_r) + describe_field("current_pose", x.current_pose);
    }
    std::string operator()(const ErrorEvent& x) const {
      return "ErrorEvent|" + describe(x.header) + describe_field("category", x.category) +
             describe_field("payload_category", x.payload_category) + describe_field("message", x.message) +
             describe_field("details_json", x.details_json);
    }
    std::string operator()(const ToolProgress& x) const {
      return "ToolProgress|" + describe(x.header) + describe_field("progress", x.progress) +
             describe_field("message", x.message) + describe_field("stroke_idx", x.stroke_idx) +
             describe_field("total_strokes", x.total_strokes);
    }
    std::string operator()(const NodeEvent& x) const {
      return "NodeEvent|" + describe(x.header) + describe_field("channel_node_id", x.channel_node_id) +
             describe_field("type", x.type) + describe_field("raw", x.raw);
    }
  };
  return std::visit(V{}, e);
}

inline std::string describe(const FeedItem& item) {
  if (const auto* e = std::get_if<Event>(&item)) return describe(*e);
  if (const auto* c = std::get_if<Reconnected>(&item))
    return "Reconnected|" + describe_field("time_us", c->time_us) +
           describe_field("reconnects", static_cast<std::int64_t>(c->reconnects)) + describe_field("reason", c->reason);
  if (const auto* s = std::get_if<ProgressSnapshot>(&item)) {
    const StrokeProgress& p = s->progress;
    return "ProgressSnapshot|" + describe_field("session_id", s->session_id) + describe_field("timestamp", p.timestamp) +
           describe_field("time_us", p.time_us) + describe_field("node_id", p.node_id) +
           describe_field("stroke_idx", p.stroke_idx) + describe_field("pose_idx", p.pose_idx) +
           describe_field("total_strokes", p.total_strokes) + describe_field("stroke_length", p.stroke_length) +
           describe_field("dl", p.stroke_description_l) + describe_field("dr", p.stroke_description_r) +
           describe_field("ol", p.offset_idx_l) + describe_field("or", p.offset_idx_r) +
           describe_field("exec", p.is_executing) + describe_field("paused", p.is_paused) +
           describe_field("scene", p.scene_name) + describe_field("dataset", p.dataset_name);
  }
  if (const auto* r = std::get_if<RobotStateSnapshot>(&item)) {
    const RobotState& s = r->state;
    return "RobotStateSnapshot|" + describe_field("timestamp", s.timestamp) + describe_field("time_us", s.time_us) +
           describe_field("node_id", s.node_id) + describe_field("l", s.is_connected_l) +
           describe_field("r", s.is_connected_r) + describe_field("jl", s.joints_l) + describe_field("jr", s.joints_r) +
           describe_field("vl", s.velocities_l) + describe_field("vr", s.velocities_r) +
           describe_field("pose", s.current_pose) + describe_field("slow", s.goal_time_slow) +
           describe_field("fast", s.goal_time_fast);
  }
  const auto& h = std::get<HistoryEntry>(item);
  const StreamEntry& e = h.entry;
  return "HistoryEntry|" + describe_field("session_id", h.session_id) + describe_field("id", e.id) +
         describe_field("ms", e.time_ms) + describe_field("seq", e.seq) + describe_field("stroke", e.stroke_idx) +
         describe_field("pose", e.pose_idx) + describe_field("dl", e.description_l) +
         describe_field("dr", e.description_r) + describe_field("node", e.node_id);
}

}  // namespace strokeviz::test
