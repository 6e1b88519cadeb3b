// --dump-state: the viewer state as JSON, for tests and bug reports.
#include "app/state_dump.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/version.hpp"

namespace strokeviz::app {
using namespace follow;

namespace {

nlohmann::json timeline_json(const Source& s) {
  const auto sec = [](TimeUs t) { return static_cast<double>(t) / 1e6; };
  std::size_t gaps = 0;
  double gap_s = 0.0;
  for (const session::Gap& g : s.gaps()) {
    ++gaps;
    gap_s += sec(g.end_us - g.begin_us);
  }
  return {{"begin_s", sec(s.begin_us())},
          {"end_s", sec(s.end_us())},
          {"playhead_s", sec(s.playhead_us())},
          {"following_live", s.following_live()},
          {"behind_live_s", s.behind_live_s()},
          {"playing", s.playing()},
          {"speed", s.speed()},
          {"items", s.recording() ? s.recording()->size() : 0},
          {"gaps", gaps},
          {"gap_seconds", gap_s}};
}

}  // namespace

std::string state_to_json(const ViewerState& state, const Source& source, const UiState& ui, const PanelInput& in,
                          const DumpExtras& extras) {
  using nlohmann::json;
  const model::Scene& sc = state.scene();
  json j;
  j["viewer_version"] = kVersion;
  j["scene"] = sc.name;
  j["design"] = sc.design;
  j["stroke_count"] = state.stroke_count();
  j["stroke_length"] = sc.stroke_length;
  j["offset_num"] = sc.offset_num;
  j["stroke_idx"] = state.stroke_idx();
  j["pose_idx"] = state.pose_idx();
  j["offset_idx_l"] = state.offset_idx(model::Arm::Left);
  j["offset_idx_r"] = state.offset_idx(model::Arm::Right);
  j["description_l"] = state.arm_stroke(model::Arm::Left).description;
  j["description_r"] = state.arm_stroke(model::Arm::Right).description;
  j["playing"] = state.playback().playing;  // local playback of the plan
  j["speed"] = state.playback().speed;
  j["mode"] = std::string(to_string(source.mode()));
  j["timeline"] = timeline_json(source);
  j["joints_source"] = ui.sync.joints_from_robot ? "robot" : "ik";
  j["joints"] = json::array();
  for (double q : in.joints) j["joints"].push_back(q);
  if (in.model && in.model->has_arms()) j["joint_names"] = in.model->arm_joint_names();
  json reach = json::object();
  for (int a = 0; a < 2; ++a) {
    const ArmSolution* s = in.solutions[a];
    if (!s) continue;
    reach[a == 0 ? "left" : "right"] = {{"rest", s->rest}, {"reachable", s->reachable}, {"error_m", s->error_m}};
  }
  j["ik"] = reach;
  const SyncInfo& si = ui.sync;
  j["sync"] = {{"enabled", ui.sync_enabled},
               {"status", ui.sync_status},
               {"server", si.server},
               {"session", si.session},
               {"node", si.node},
               {"robot_pose", si.robot_pose},
               {"received", si.received},
               {"rejected", si.rejected},
               {"dropped", si.dropped},
               {"reconnects", si.reconnects},
               {"applied", si.applied},
               {"out_of_range", si.out_of_range},
               {"latency_ms", si.latency_ms},
               {"last_event_age_s", si.last_event_age_s},
               {"mismatch", si.mismatch},
               {"activity", si.activity},
               {"joints_from_robot", si.joints_from_robot}};
  j["urdf"] = extras.urdf;
  json needles = json::object();
  for (int a = 0; a < 2; ++a)
    if (const auto& p = extras.needles_drawn[a]) needles[a == 0 ? "left" : "right"] = {p->x(), p->y(), p->z()};
  j["needles_drawn"] = needles;
  j["scene_warnings"] = sc.warnings.size();
  j["frames_rendered"] = extras.frames_rendered;
  j["idle_waits"] = extras.idle_waits;
  j["first_frame_ms"] = extras.first_frame_ms;
  j["first_frame_steady_ms"] = extras.first_frame_steady_ms;
  if (extras.event_to_swap_us && !extras.event_to_swap_us->empty()) {
    std::vector<long long> v = *extras.event_to_swap_us;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))]; };
    j["event_to_swap_us"] = {{"count", v.size()}, {"p50", at(0.5)}, {"p99", at(0.99)}, {"max", v.back()}};
  }
  return j.dump(2) + "\n";
}

Expected<void> write_state(const std::filesystem::path& path, const std::string& json) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error{path.string(), 0, "cannot open for writing"};
  out << json;
  out.flush();
  if (!out) return Error{path.string(), 0, "write failed"};
  return {};
}

}  // namespace strokeviz::app
