// simulator: runs a scene like the tatbot robot does, writing PROTOCOL.md through a StateManager.
//
// Cadence (tatbot tools/robot/stroke.py, PROTOCOL.md "Cadence of a real run"):
//   node health heartbeat (then every 5 s of real time, EXPIRE 60)
//   state_update "connecting" (sleep-pose joints), wait goal_time_slow,
//   state_update "ready" (ready-pose joints)
//   session_start; per stroke: progress_update pose 0, then one for every
//   pose index divisible by 5 (so pose 0 twice). Poses 0 and 1 take
//   goal_time_slow, the others goal_time_fast, all divided by --speed.
//   Before each progress update robot:state:<node> is rewritten (hash only,
//   no event) with the IK joints of that (stroke, pose) at the offsets the
//   progress hash carries (offset_num / 2, as the robot starts).
//   then wait goal_time_slow, state_update "ready", session_end.
// Deadlines are absolute on steady_clock, so the pace never drifts.
#pragma once

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
  double speed = 1.0;            // > 0; divides every goal time
  bool loop = false;             // start a new session after each one
  int max_strokes = -1;          // per session; < 0: all of the scene's
  double quit_after_s = -1.0;    // < 0: never; else stop cleanly after this many seconds
  double start_delay_s = 0.0;    // wait after "ready" before the first session_start
  std::chrono::milliseconds heartbeat{5000};
};

// One progress update of a stroke: its pose and when it is published, in
// seconds after the stroke starts (already divided by speed).
struct PlannedUpdate {
  int pose_idx = 0;
  double at_s = 0.0;
};
// The updates of one stroke: pose 0 at 0 s, then 0, 5, 10, … < stroke_length.
std::vector<PlannedUpdate> stroke_schedule(int stroke_length, double goal_time_slow,
                                           double goal_time_fast, double speed);
// Seconds one stroke takes: poses 0 and 1 slow, the rest fast, over speed.
double stroke_duration(int stroke_length, double goal_time_slow, double goal_time_fast,
                       double speed);

// cpu (since the previous call), memory and disk use of this machine.
protocol::NodeHealth sample_node_health(const std::string& node_id);

struct SimSummary {
  int sessions = 0;
  std::int64_t strokes = 0;      // strokes run, all sessions
  std::int64_t updates = 0;      // progress updates published
  std::int64_t failed_writes = 0;
  bool stopped = false;          // by request_stop() or quit_after
  bool clean_end = true;         // the last state_update + session_end were written
};

// Which thread: run() on one thread; request_stop() from any (e.g. a signal
// watcher). The StateManager is used only from run()'s thread.
class Simulator {
 public:
  // solver may be null (no robot model): joints are then written as null.
  Simulator(const model::Scene& scene, follow::PoseSolver* solver, tools::StateManager& state,
            SimOptions options, std::ostream& out);

  // Runs until the sessions are done or a stop is requested. Fails only when
  // the first writes (heartbeat, "connecting") cannot be made.
  Expected<SimSummary> run();
  void request_stop();
  bool stop_requested() const;

 private:
  using Clock = std::chrono::steady_clock;
  // Sleeps until `deadline` (heartbeats on the way); false when stopped.
  bool wait_until(Clock::time_point deadline);
  bool run_session();
  bool publish_pose(int stroke, int pose, const std::array<int, 2>& offsets);
  protocol::RobotState robot_state(const std::string& pose_name) const;
  protocol::RobotState pose_state(int stroke, int pose, const std::array<int, 2>& offsets);
  void heartbeat();
  void note(const Expected<bool>& r, const char* what);
  Clock::duration span(double s) const;

  const model::Scene& scene_;
  follow::PoseSolver* solver_;
  tools::StateManager& state_;
  SimOptions opt_;
  std::ostream& out_;
  SimSummary summary_;
  Clock::time_point next_heartbeat_{};
  std::optional<Clock::time_point> quit_at_;
  std::int64_t last_session_second_ = -1;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace strokeviz::tools
