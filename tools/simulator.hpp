// simulator: runs a scene like the tatbot robot does, writing PROTOCOL.md through a StateManager.
//
// By default it writes what the real robot writes (PROTOCOL.md "What the real
// robot does"); every duration is divided by --speed:
//   per run (a stroke tool call; with --loop each session is one): node
//   health once (no heartbeat; the model's default metrics, is_reachable
//   from PING), a tool progress message, state_update
//   "connecting", wait goal_time_slow, state_update "ready". One RobotState
//   per run, reused: joints and velocities null, its timestamp the first
//   write's, goal times the model defaults, current_pose connecting/ready.
//   session_start (scene_name "default"); per stroke: a tool progress message
//   "Executing stroke i/n: …", the move to ready (goal_time_slow), pose 0, then
//   in the pose loop pose 0 again and every 5th pose: poses 0 and 1 take
//   goal_time_slow, every later one 1/fps s (0.1 s); then the dataset save
//   pause. At the end state_update "ready", session_end, a last tool message.
//   A stop (signal, --quit-after) is the operator's: session_end only. A
//   failure (--fail-at-stroke): error on error:events:stroke_execution, then
//   session_end.
// With `rich` (strokeviz-sim --rich, for demos) it keeps the extras the robot
// never writes: a node health heartbeat every 5 s, robot:state rewritten with
// the IK joints of each reported pose (current_pose "executing"; sleep/ready
// joints on the state updates), the scene's own name and goal times, the old
// pace (goal_time_fast per pose, no ready move, no save pause), no tool
// progress messages; a stop writes "ready" then session_end.
// Deadlines are absolute on steady_clock, so the pace never drifts.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "follow/pose_solver.hpp"
#include "model/scene.hpp"
#include "common/expected.hpp"
#include "protocol/events.hpp"
#include "tools/publisher.hpp"

namespace strokeviz::tools {

struct SimOptions {
  double speed = 1.0;            // > 0; divides every robot duration
  bool loop = false;             // start a new session after each one
  int max_strokes = -1;          // per session; < 0: all of the scene's
  double quit_after_s = -1.0;    // < 0: never; else stop cleanly after this many seconds
  double start_delay_s = 0.0;    // wait after "ready" before the first session_start
  bool rich = false;             // the demo extras (see above) instead of the robot's writes
  std::chrono::milliseconds heartbeat{5000};  // rich only
  double fps = 10.0;             // the robot's pose rate after poses 0 and 1
  double dataset_save_s = 2.0;   // the robot's pause after each stroke
  int fail_at_stroke = -1;       // >= 0: fail as that stroke begins (error, session_end)
};

// How long the parts of one stroke take, in seconds at speed 1.
struct StrokePace {
  double ready_s = 0.0;  // the blocking move to ready before pose 0
  double slow_s = 1.0;   // poses 0 and 1, each sent blocking
  double pose_s = 0.2;   // every later pose
  double save_s = 0.0;   // after the last pose: the dataset save
};
// The real robot: ready move and poses 0, 1 at goal_time_slow, then 1/fps per pose, then the save.
StrokePace robot_pace(double goal_time_slow, double fps, double save_s);
// --rich (the protocol as first written): poses 0, 1 slow, the rest goal_time_fast.
StrokePace rich_pace(double goal_time_slow, double goal_time_fast);

// One progress update of a stroke: its pose and when it is published, in
// seconds after the stroke starts (already divided by speed).
struct PlannedUpdate {
  int pose_idx = 0;
  double at_s = 0.0;
};
// The updates of one stroke: pose 0 after the ready move, then in the pose
// loop 0, 5, 10, … < stroke_length, each as its pose is sent.
std::vector<PlannedUpdate> stroke_schedule(int stroke_length, const StrokePace& pace, double speed);
// Seconds one stroke takes, save included, over speed.
double stroke_duration(int stroke_length, const StrokePace& pace, double speed);

// cpu (since the previous call), memory and disk use of this machine.
protocol::NodeHealth sample_node_health(const std::string& node_id);

struct SimSummary {
  int sessions = 0;
  std::int64_t strokes = 0;      // strokes run, all sessions
  std::int64_t updates = 0;      // progress updates published
  std::int64_t failed_writes = 0;
  bool stopped = false;          // by request_stop() or quit_after
  bool failed = false;           // --fail-at-stroke: error, then session_end
  bool clean_end = true;         // the closing writes (state_update, session_end) were made
};

// Which thread: run() on one thread; request_stop() from any (e.g. a signal
// watcher). The StateManager is used only from run()'s thread.
class Simulator {
 public:
  // solver may be null (no robot model): joints are then written as null; it
  // is used only with options.rich.
  Simulator(const model::Scene& scene, follow::PoseSolver* solver, tools::StateManager& state,
            SimOptions options, std::ostream& out);

  // Runs until the sessions are done, one failed (--fail-at-stroke) or a stop
  // is requested. Fails only when the first write (node health) cannot be made.
  Expected<SimSummary> run();
  void request_stop();
  bool stop_requested() const;

 private:
  using Clock = std::chrono::steady_clock;
  enum class Outcome { Done, Stopped, Failed };
  // Sleeps until `deadline` (heartbeats on the way); false when stopped.
  bool wait_until(Clock::time_point deadline);
  // Health, "connecting", the wait, "ready"; an error only when the first
  // write (health) fails.
  Expected<bool> connect_robot();
  bool run_session();
  Outcome run_strokes(std::int64_t n);
  void end_session(Outcome outcome, const std::string& id, std::int64_t done);
  bool publish_pose(int stroke, int pose, const std::array<int, 2>& offsets);
  void tool_progress(double progress, const std::string& message);
  protocol::RobotState robot_state(const std::string& pose_name);
  protocol::RobotState pose_state(int stroke, int pose, const std::array<int, 2>& offsets);
  StrokePace pace() const;
  void heartbeat();
  void note(const Expected<bool>& r, const char* what);
  Clock::duration span(double s) const;
  Clock::duration robot_span(double s) const { return span(s / opt_.speed); }

  const model::Scene& scene_;
  follow::PoseSolver* solver_;
  tools::StateManager& state_;
  SimOptions opt_;
  std::ostream& out_;
  SimSummary summary_;
  Clock::time_point next_heartbeat_{};
  std::optional<Clock::time_point> quit_at_;
  std::int64_t last_session_second_ = -1;
  TimeUs robot_state_time_ = 0;  // the reused RobotState's timestamp (robot mode)

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace strokeviz::tools
