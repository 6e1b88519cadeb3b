// Timestamps (Python isoformat, UTC) and small helpers over the Event variant.
#include "protocol/events.hpp"


namespace strokeviz::protocol {
const EventHeader& header_of(const Event& e) {
  return std::visit([](const auto& v) -> const EventHeader& { return v.header; }, e);
}

EventHeader& header_of(Event& e) {
  return std::visit([](auto& v) -> EventHeader& { return v.header; }, e);
}

std::string_view type_name(const Event& e) {
  struct Names {
    std::string_view operator()(const SessionStart&) const { return "session_start"; }
    std::string_view operator()(const SessionEnd&) const { return "session_end"; }
    std::string_view operator()(const ProgressUpdate&) const { return "progress_update"; }
    std::string_view operator()(const RobotStateUpdate&) const { return "state_update"; }
    std::string_view operator()(const ErrorEvent&) const { return "error"; }
    std::string_view operator()(const NodeEvent&) const { return "node_event"; }
    std::string_view operator()(const ToolProgress&) const { return "tool_progress"; }
  };
  return std::visit(Names{}, e);
}

}  // namespace strokeviz::protocol
