// Following the robot: the one place a sync item is applied to the viewer state.
#include "follow/follower.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "protocol/events.hpp"

namespace strokeviz::follow {
using namespace protocol;
using namespace session;
using namespace model;

namespace {
constexpr int kPosesBetweenUpdates = kReportEveryNthPose - 1;
constexpr int kPaceSamplesNeeded = 2;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

void Follower::note_error(std::string text) {
  robot_.errors.push_front(std::move(text));
  if (robot_.errors.size() > RobotView::kMaxErrors) robot_.errors.pop_back();
}

// A session matches the loaded scene when its stroke count and stroke length
// agree. Its scene_name is not compared: the robot publishes its Hydra scene
// name, "default" in every real run (PROTOCOL.md).
void Follower::check_scene(std::int64_t total, std::int64_t length) {
  std::string m;
  if (total > 0 && total != static_cast<std::int64_t>(scene_.strokes.size()))
    m += std::to_string(total) + " strokes (loaded: " + std::to_string(scene_.strokes.size()) + "); ";
  if (length > 0 && length != scene_.stroke_length)
    m += "stroke_length " + std::to_string(length) + " (loaded: " + std::to_string(scene_.stroke_length) + "); ";
  if (!m.empty()) m = "robot runs " + m.substr(0, m.size() - 2);
  robot_.mismatch = m;
}

void Follower::on_session_start(const protocol::SessionStart& e) {
  robot_.session_id = e.session_id;
  robot_.node_id = e.header.node_id;
  robot_.scene_name = e.scene_name;
  robot_.total_strokes = e.total_strokes;
  robot_.session_open = true;
  anchored_ = false;
  check_scene(e.total_strokes, robot_.stroke_length);
}

void Follower::on_progress(const std::string& session, std::int64_t stroke, std::int64_t pose, std::int64_t total,
                           std::int64_t length, ViewerState& view, Clock::time_point now) {
  if (!session.empty() && session != robot_.session_id) {
    robot_.session_id = session;
    robot_.session_open = true;
  }
  if (total > 0) robot_.total_strokes = total;
  if (length > 0) robot_.stroke_length = length;
  check_scene(robot_.total_strokes, robot_.stroke_length);
  robot_.reported_stroke = stroke;
  robot_.reported_pose = pose;
  // Never index past the loaded scene: clamp for the view, count it, say so.
  robot_.out_of_scene = stroke >= view.stroke_count() || pose >= view.stroke_length() || stroke < 0 || pose < 0;
  if (robot_.out_of_scene) ++robot_.out_of_range;
  view.set_stroke(static_cast<int>(std::clamp<std::int64_t>(stroke, 0, std::max(0, view.stroke_count() - 1))));
  view.set_pose(static_cast<int>(std::clamp<std::int64_t>(pose, 0, std::max(0, view.stroke_length() - 1))));
  anchored_ = true;
  anchor_stroke_ = view.stroke_idx();
  anchor_pose_ = view.pose_idx();
  anchor_time_ = now;
}

void Follower::on_progress_snapshot(const protocol::ProgressSnapshot& s, ViewerState& view, Clock::time_point now) {
  const protocol::StrokeProgress& p = s.progress;
  if (p.scene_name) robot_.scene_name = *p.scene_name;
  robot_.node_id = p.node_id;
  robot_.description_l = p.stroke_description_l;
  robot_.description_r = p.stroke_description_r;
  if (p.offset_idx_l >= scene_.offset_num || p.offset_idx_r >= scene_.offset_num) ++robot_.out_of_range;
  view.set_offset(model::Arm::Left, static_cast<int>(std::min<std::int64_t>(p.offset_idx_l, scene_.offset_num - 1)));
  view.set_offset(model::Arm::Right, static_cast<int>(std::min<std::int64_t>(p.offset_idx_r, scene_.offset_num - 1)));
  // The hash may be behind the events already applied: only move forward
  // within the same session, or take it when nothing is anchored yet.
  const bool newer = !anchored_ || s.session_id != robot_.session_id || p.stroke_idx > anchor_stroke_ ||
                     (p.stroke_idx == anchor_stroke_ && p.pose_idx > anchor_pose_);
  if (newer) on_progress(s.session_id, p.stroke_idx, p.pose_idx, p.total_strokes, p.stroke_length, view, now);
}

void Follower::on_robot_state(const protocol::RobotState& s) {
  robot_.connected_l = s.is_connected_l;
  robot_.connected_r = s.is_connected_r;
  robot_.current_pose = s.current_pose;
  if (!robot_.node_id.empty() && !s.node_id.empty() && s.node_id != robot_.node_id) return;
  if (!s.joints_l || !s.joints_r) {
    robot_.joints.reset();
    return;
  }
  model::JointVector q{};
  std::copy(s.joints_l->begin(), s.joints_l->end(), q.begin());
  std::copy(s.joints_r->begin(), s.joints_r->end(), q.begin() + model::kArmJoints);
  robot_.joints = q;
}

void Follower::apply(const protocol::FeedItem& item, ViewerState& view, Clock::time_point now) {
  ++robot_.applied;
  std::visit(Overloaded{
                 [&](const protocol::Event& ev) {
                   std::visit(Overloaded{
                                  [&](const protocol::SessionStart& e) { on_session_start(e); },
                                  [&](const protocol::SessionEnd& e) {
                                    if (e.session_id == robot_.session_id) robot_.session_open = false;
                                    // Show where the robot really stopped, not an interpolated pose.
                                    if (anchored_ && view.stroke_idx() == anchor_stroke_) view.set_pose(anchor_pose_);
                                    anchored_ = false;
                                  },
                                  [&](const protocol::ProgressUpdate& e) {
                                    measure_pace(e.session_id, e.stroke_idx, e.pose_idx, now);
                                    robot_.description_l = e.description_l;
                                    robot_.description_r = e.description_r;
                                    robot_.node_id = e.header.node_id;
                                    on_progress(e.session_id, e.stroke_idx, e.pose_idx, e.total_strokes,
                                                e.stroke_length, view, now);
                                  },
                                  [&](const protocol::RobotStateUpdate& e) {
                                    robot_.connected_l = e.is_connected_l;
                                    robot_.connected_r = e.is_connected_r;
                                    robot_.current_pose = e.current_pose;
                                  },
                                  [&](const protocol::ErrorEvent& e) {
                                    note_error(e.header.timestamp + " " + e.category + ": " + e.message);
                                  },
                                  [&](const protocol::NodeEvent&) {},
                                  [&](const protocol::ToolProgress& e) {
                                    robot_.activity = {e.header.node_id, e.message, e.progress, e.header.time_us};
                                    ++robot_.activity_messages;
                                  },
                              },
                              ev);
                 },
                 [&](const protocol::ProgressSnapshot& s) { on_progress_snapshot(s, view, now); },
                 [&](const protocol::RobotStateSnapshot& s) { on_robot_state(s.state); },
                 [&](const protocol::Reconnected&) {},
                 [&](const protocol::HistoryEntry& h) {
                   on_progress(h.session_id, h.entry.stroke_idx, h.entry.pose_idx, 0, 0, view, now);
                 },
             },
             item);
}

// Poses 0 and 1 are sent blocking (each goal_time_slow); every later one at
// the robot's pace: measured once enough updates arrived, else goal_time_fast.
double Follower::dwell_s(int pose) const {
  if (pose <= 1) return scene_.goal_time_slow;
  return robot_.pace_samples >= kPaceSamplesNeeded ? robot_.measured_pose_s : scene_.goal_time_fast;
}

// From two consecutive real updates of one stroke (past the slow poses 0 and
// 1, which blocking moves make slow): seconds per pose, smoothed.
void Follower::measure_pace(const std::string& session, std::int64_t stroke, std::int64_t pose,
                            Clock::time_point now) {
  const bool same = session == pace_session_ && stroke == pace_stroke_ && pose > pace_pose_ && pace_pose_ >= 1;
  if (same) {
    const double s = std::chrono::duration<double>(now - pace_time_).count() / static_cast<double>(pose - pace_pose_);
    if (s > 0.0 && s < 10.0) {
      robot_.measured_pose_s = robot_.pace_samples == 0 ? s : 0.7 * robot_.measured_pose_s + 0.3 * s;
      ++robot_.pace_samples;
    }
  }
  pace_session_ = session;
  pace_stroke_ = stroke;
  pace_pose_ = pose;
  pace_time_ = now;
}

double Follower::seconds_to_next_step(Clock::time_point now) const {
  if (!anchored_ || !robot_.session_open || !robot_.mismatch.empty()) return std::numeric_limits<double>::infinity();
  const int last = std::min(anchor_pose_ + kPosesBetweenUpdates, scene_.stroke_length - 1);
  const double elapsed = std::chrono::duration<double>(now - anchor_time_).count();
  double t = 0.0;
  for (int p = anchor_pose_; p < last; ++p) {
    t += dwell_s(p);
    if (t > elapsed) return t - elapsed;
  }
  return std::numeric_limits<double>::infinity();
}

bool Follower::tick(ViewerState& view, Clock::time_point now) {
  if (!anchored_ || !robot_.session_open || view.stroke_idx() != anchor_stroke_ || !robot_.mismatch.empty())
    return false;
  const int last = std::min(anchor_pose_ + kPosesBetweenUpdates, scene_.stroke_length - 1);
  const double elapsed = std::chrono::duration<double>(now - anchor_time_).count();
  int pose = anchor_pose_;
  for (double t = dwell_s(pose); pose < last && elapsed >= t; t += dwell_s(pose)) ++pose;
  if (pose == view.pose_idx()) return false;
  view.set_pose(pose);
  return true;
}

}  // namespace strokeviz::follow
