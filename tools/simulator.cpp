// simulator: the robot's cadence over a scene, written through tools::StateManager.
#include "tools/simulator.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

namespace strokeviz::tools {
using namespace protocol;
using namespace model;

// ---- the cadence ------------------------------------------------------------------

StrokePace robot_pace(double goal_time_slow, double fps, double save_s) {
  return {goal_time_slow, goal_time_slow, fps > 0 ? 1.0 / fps : 0.1, save_s};
}

StrokePace rich_pace(double goal_time_slow, double goal_time_fast) {
  return {0.0, goal_time_slow, goal_time_fast, 0.0};
}

namespace {
double pose_seconds(int pose, const StrokePace& pace) {
  return pose <= 1 ? pace.slow_s : pace.pose_s;  // stroke.py: `if pose_idx in (0, 1)` → blocking, slow
}
}  // namespace

std::vector<PlannedUpdate> stroke_schedule(int stroke_length, const StrokePace& pace, double speed) {
  std::vector<PlannedUpdate> out;
  if (stroke_length <= 0 || speed <= 0) return out;
  double t = pace.ready_s;
  out.push_back({0, t / speed});  // the update before the pose loop
  for (int p = 0; p < stroke_length; ++p) {
    if (p % kReportEveryNthPose == 0) out.push_back({p, t / speed});
    t += pose_seconds(p, pace);
  }
  return out;
}

double stroke_duration(int stroke_length, const StrokePace& pace, double speed) {
  if (stroke_length <= 0 || speed <= 0) return 0.0;
  double t = pace.ready_s;
  for (int p = 0; p < stroke_length; ++p) t += pose_seconds(p, pace);
  return (t + pace.save_s) / speed;
}

// ---- node health ------------------------------------------------------------------

protocol::NodeHealth sample_node_health(const std::string& node_id) {
  protocol::NodeHealth h;
  h.node_id = node_id;
  h.is_reachable = true;  // it is writing to Redis
  static std::mutex m;
  static unsigned long long prev_busy = 0, prev_total = 0;
  {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long v[8] = {};
    if (stat >> cpu && cpu == "cpu") {
      for (auto& x : v) stat >> x;
      const unsigned long long idle = v[3] + v[4];
      unsigned long long total = 0;
      for (auto x : v) total += x;
      std::lock_guard<std::mutex> lock(m);
      if (prev_total != 0 && total > prev_total)
        h.cpu_percent = 100.0 * double((total - idle) - prev_busy) / double(total - prev_total);
      prev_busy = total - idle;
      prev_total = total;
    }
  }
  {
    std::ifstream mem("/proc/meminfo");
    std::string line;
    double total = 0, avail = 0;
    while (std::getline(mem, line)) {
      std::istringstream in(line);
      std::string key;
      double kb = 0;
      in >> key >> kb;
      if (key == "MemTotal:") total = kb;
      if (key == "MemAvailable:") avail = kb;
    }
    if (total > 0) h.memory_percent = 100.0 * (1.0 - avail / total);
  }
  struct statvfs fs {};
  if (statvfs("/", &fs) == 0 && fs.f_blocks > 0) {
    const double used = double(fs.f_blocks - fs.f_bfree);
    h.disk_percent = 100.0 * used / (used + double(fs.f_bavail));
  }
  h.cpu_percent = std::round(h.cpu_percent * 10) / 10;
  h.memory_percent = std::round(h.memory_percent * 10) / 10;
  h.disk_percent = std::round(h.disk_percent * 10) / 10;
  return h;
}

// ---- the simulator ----------------------------------------------------------------

Simulator::Simulator(const model::Scene& scene, follow::PoseSolver* solver, tools::StateManager& state,
                     SimOptions options, std::ostream& out)
    : scene_(scene), solver_(solver), state_(state), opt_(options), out_(out) {
  if (!(opt_.speed > 0)) opt_.speed = 1.0;
}

void Simulator::request_stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
}

bool Simulator::stop_requested() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_;
}

Simulator::Clock::duration Simulator::span(double s) const {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

bool Simulator::wait_until(Clock::time_point deadline) {
  for (;;) {
    const auto now = Clock::now();
    if (quit_at_ && now >= *quit_at_) request_stop();
    if (stop_requested()) return false;
    if (now >= next_heartbeat_) {
      heartbeat();
      next_heartbeat_ += opt_.heartbeat;
      if (next_heartbeat_ <= now) next_heartbeat_ = now + opt_.heartbeat;  // fell far behind
      continue;
    }
    if (now >= deadline) return true;
    auto until = std::min(deadline, next_heartbeat_);
    if (quit_at_) until = std::min(until, *quit_at_);
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_until(lock, until, [this] { return stop_; });
  }
}

void Simulator::note(const Expected<bool>& r, const char* what) {
  if (r) return;
  ++summary_.failed_writes;
  const auto n = summary_.failed_writes;
  if (n <= 3 || n % 100 == 0)
    std::cerr << "strokeviz-sim: " << what << ": " << r.error().str() << " (" << n
              << " failed writes so far)\n";
}

void Simulator::heartbeat() { note(state_.update_node_health(sample_node_health(state_.node_id())), "node health"); }

void Simulator::tool_progress(double progress, const std::string& message) {
  if (!opt_.rich) note(state_.publish_tool_progress(progress, message), "tool progress");
}

StrokePace Simulator::pace() const {
  return opt_.rich ? rich_pace(scene_.goal_time_slow, scene_.goal_time_fast)
                   : robot_pace(scene_.goal_time_slow, opt_.fps, opt_.dataset_save_s);
}

protocol::RobotState Simulator::robot_state(const std::string& pose_name) {
  protocol::RobotState s;
  s.is_connected_l = true;  // the robot's one combined flag: l == r
  s.is_connected_r = true;
  s.current_pose = pose_name;
  if (!opt_.rich) {  // one object per run: the first write's time, the model's goal times, no joints
    if (robot_state_time_ == 0) robot_state_time_ = now_us();
    s.time_us = robot_state_time_;
    return s;
  }
  s.goal_time_slow = scene_.goal_time_slow;
  s.goal_time_fast = scene_.goal_time_fast;
  const auto& pose = pose_name == "connecting" ? scene_.sleep_pose : scene_.ready_pose;
  protocol::ArmJoints l{}, r{};
  std::copy(pose[0].begin(), pose[0].end(), l.begin());
  std::copy(pose[1].begin(), pose[1].end(), r.begin());
  s.joints_l = l;
  s.joints_r = r;
  return s;
}

protocol::RobotState Simulator::pose_state(int stroke, int pose, const std::array<int, 2>& offsets) {
  protocol::RobotState s = robot_state("executing");
  s.joints_l.reset();
  s.joints_r.reset();
  if (solver_ != nullptr && solver_->has_arms()) {
    const model::JointVector q = solver_->joints(stroke, pose, offsets);
    protocol::ArmJoints l{}, r{};
    std::copy_n(q.begin(), l.size(), l.begin());
    std::copy_n(q.begin() + model::kArmJoints, r.size(), r.begin());
    s.joints_l = l;
    s.joints_r = r;
  }
  return s;
}

bool Simulator::publish_pose(int stroke, int pose, const std::array<int, 2>& offsets) {
  // --rich: the joints first, so a viewer reading robot:state on the event finds them.
  if (opt_.rich) note(state_.write_robot_state(pose_state(stroke, pose, offsets)), "robot state");
  const auto& step = scene_.strokes[static_cast<std::size_t>(stroke)];
  auto r = state_.update_stroke_progress(stroke, pose, step.arm[0].description,
                                         step.arm[1].description, offsets[0], offsets[1]);
  note(r, "progress update");
  if (r) ++summary_.updates;
  return r.ok();
}

Expected<bool> Simulator::connect_robot() {
  // StateManager.connect() writes the node health (the robot's: the model's
  // default metrics and its PING result; --rich: this machine's); then the
  // robot connects.
  auto h = opt_.rich ? state_.update_node_health(sample_node_health(state_.node_id()))
                     : state_.update_node_health();
  if (!h) return h.error();
  robot_state_time_ = 0;  // a new run, a new RobotState
  tool_progress(0.1, "Connecting to robot");
  note(state_.update_robot_state(robot_state("connecting")), "state update");
  const bool running = wait_until(Clock::now() + robot_span(scene_.goal_time_slow));
  note(state_.update_robot_state(robot_state("ready")), "state update");
  return running;
}

Simulator::Outcome Simulator::run_strokes(std::int64_t n) {
  const int mid = scene_.offset_num / 2;  // stroke.py: mid_offset_idx = offset_num // 2
  const std::array<int, 2> offsets{mid, mid};
  const StrokePace p = pace();
  const auto schedule = stroke_schedule(scene_.stroke_length, p, opt_.speed);
  const double duration = stroke_duration(scene_.stroke_length, p, opt_.speed);
  const Clock::time_point t0 = Clock::now();
  for (std::int64_t s = 0; s < n; ++s) {
    const auto& step = scene_.strokes[static_cast<std::size_t>(s)];
    tool_progress(std::round((0.3 + 0.6 * double(s) / double(n)) * 1000) / 1000,
                  "Executing stroke " + std::to_string(s + 1) + "/" + std::to_string(n) + ": " +
                      step.arm[0].description);
    if (s == opt_.fail_at_stroke) return Outcome::Failed;
    const Clock::time_point start = t0 + span(duration * double(s));
    for (const PlannedUpdate& u : schedule) {
      if (!wait_until(start + span(u.at_s))) return Outcome::Stopped;
      publish_pose(static_cast<int>(s), u.pose_idx, offsets);
    }
    ++summary_.strokes;
  }
  // The last stroke's poses (and save), then back to ready (goal_time_slow).
  if (!wait_until(t0 + span(duration * double(n)))) return Outcome::Stopped;
  if (!wait_until(Clock::now() + robot_span(scene_.goal_time_slow))) return Outcome::Stopped;
  return Outcome::Done;
}

// Done: "ready", session_end. Stopped: the operator's stop (robot: session_end
// only; rich: "ready" too). Failed: error, then session_end.
void Simulator::end_session(Outcome outcome, const std::string& id, std::int64_t done) {
  bool ok = true;
  if (outcome == Outcome::Failed) {
    const std::string stroke = std::to_string(opt_.fail_at_stroke);
    auto e = state_.report_error("stroke_execution", "simulated failure at stroke " + stroke,
                                 R"({"stroke_idx": )" + stroke + "}");
    note(e, "error");
    ok = e.ok();
    summary_.failed = true;
  } else if (outcome == Outcome::Done || opt_.rich) {
    auto ready = state_.update_robot_state(robot_state("ready"));
    note(ready, "state update");
    ok = ready.ok();
  }
  auto end = state_.end_stroke_session();
  note(end, "session end");
  summary_.clean_end = ok && end.ok();
  if (outcome == Outcome::Done)
    tool_progress(1.0, "Completed " + std::to_string(done) + " strokes");
  out_ << "strokeviz-sim: session_end " << id << " after " << done << " strokes"
       << (outcome == Outcome::Failed ? " (failed)" : "") << std::endl;
}

bool Simulator::run_session() {
  // Session ids have one-second resolution: never reuse the previous one.
  if (now_us() / 1'000'000 == last_session_second_) {
    const auto left_us = 1'000'000 - now_us() % 1'000'000;
    if (!wait_until(Clock::now() + std::chrono::microseconds(left_us + 1000))) return false;
  }
  const auto total = static_cast<std::int64_t>(scene_.strokes.size());
  const std::int64_t n = opt_.max_strokes < 0 ? total : std::min<std::int64_t>(total, opt_.max_strokes);
  tool_progress(0.2, "Generated " + std::to_string(total) + " strokes");
  // The robot publishes its Hydra scene name, "default"; --rich the scene's own.
  auto id = state_.start_stroke_session(total, scene_.stroke_length,
                                        opt_.rich ? scene_.name : std::string("default"));
  if (!id) {
    note(id.error(), "session start");
    summary_.clean_end = false;
    return false;
  }
  last_session_second_ = now_us() / 1'000'000;
  ++summary_.sessions;
  out_ << "strokeviz-sim: session_start " << *id << " (" << total << " strokes x "
       << scene_.stroke_length << " poses)" << std::endl;
  const std::int64_t strokes_before = summary_.strokes;
  const Outcome outcome = run_strokes(n);
  end_session(outcome, *id, summary_.strokes - strokes_before);
  return outcome == Outcome::Done;
}

Expected<SimSummary> Simulator::run() {
  const auto start = Clock::now();
  if (opt_.quit_after_s >= 0) quit_at_ = start + span(opt_.quit_after_s);
  next_heartbeat_ = opt_.rich ? start + opt_.heartbeat : Clock::time_point::max();
  auto connected = connect_robot();
  if (!connected) return connected.error();
  bool running = *connected;
  out_ << "strokeviz-sim: ready: redis " << state_.address() << ", node " << state_.node_id()
       << ", scene " << scene_.name << " (" << scene_.strokes.size() << " strokes x "
       << scene_.stroke_length << " poses)" << std::endl;
  if (running && opt_.start_delay_s > 0)
    running = wait_until(Clock::now() + span(opt_.start_delay_s));
  while (running) {
    running = run_session();
    if (!running || !opt_.loop) break;
    running = wait_until(Clock::now() + robot_span(scene_.goal_time_slow));
    if (running && !opt_.rich) {  // each session is one stroke tool run
      auto again = connect_robot();
      running = again && *again;
      if (!again) note(again.error(), "node health");
    }
  }
  summary_.stopped = stop_requested();
  return summary_;
}

}  // namespace strokeviz::tools
