// strokeviz-sim against a private redis-server: the cadence a subscriber sees, the hashes, exit codes, signals.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "model/scene.hpp"
#include "tools/simulator.hpp"
#include "protocol/codec.hpp"
#include "tests/tools/state_manager_support.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

extern char** environ;

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;

const std::string kSim = std::string(STROKEVIZ_SIM_EXE);

const model::Scene& tatbotlogo() {
  static const model::Scene s = [] {
    auto sc = load::load_scene(std::string(STROKEVIZ_SOURCE_DIR) + "/scenes/tatbotlogo");
    if (!sc) throw std::runtime_error(sc.error().str());
    return std::move(*sc);
  }();
  return s;
}

struct Seen {
  std::string channel;
  protocol::Event event;
  TimeUs received_us = 0;
};

// Collects every parsed event on the protocol's channels until session_end
// (or `sessions` of them) or the time limit; checks robot:state on progress.
class Collector {
 public:
  Collector(int port, int sessions = 1) : port_(port), sessions_(sessions) {
    sub_ = std::make_unique<RedisConn>(port);
    sub_->send({"SUBSCRIBE", "stroke:events:session", "stroke:events:progress", "robot:events"});
    sub_->send({"PSUBSCRIBE", "error:events:*"});
    sub_->next(200ms);  // subscribed before the simulator starts
  }
  void run(std::chrono::milliseconds limit) {
    RedisConn reader(port_);
    const auto until = std::chrono::steady_clock::now() + limit;
    int ended = 0;
    while (std::chrono::steady_clock::now() < until && ended < sessions_) {
      auto m = sub_->next(200ms);
      if (!m) continue;
      auto ev = protocol::parse_event(m->channel, m->payload);
      if (!ev) {
        rejected.push_back(ev.error().str());
        continue;
      }
      if (std::holds_alternative<protocol::SessionEnd>(*ev)) ++ended;
      if (std::holds_alternative<protocol::ProgressUpdate>(*ev) && states.size() < 40) {
        const auto& u = std::get<protocol::ProgressUpdate>(*ev);
        if (auto json = reader.hget("robot:state:" + u.header.node_id, "state"))
          states.push_back(*json);
      }
      events.push_back({m->channel, std::move(*ev), m->received_us});
    }
  }
  std::vector<Seen> events;
  std::vector<std::string> rejected;
  std::vector<std::string> states;  // robot:state read on progress events

 private:
  int port_;
  int sessions_;
  std::unique_ptr<RedisConn> sub_;
};

std::vector<std::string> sim_args(const RedisServer& redis, std::vector<std::string> extra) {
  std::vector<std::string> a{kSim, "--scene=tatbotlogo", "--redis", redis.address(), "--node", "simtest"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

void expect_finite_joints(const protocol::RobotState& s, const std::string& where) {
  ASSERT_TRUE(s.joints_l && s.joints_r) << where;
  for (double q : *s.joints_l) EXPECT_TRUE(std::isfinite(q)) << where;
  for (double q : *s.joints_r) EXPECT_TRUE(std::isfinite(q)) << where;
}

TEST(SimRun, ThreeStrokesAtSpeed100GiveTheRobotsCadence) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const model::Scene& sc = tatbotlogo();
  ASSERT_EQ(sc.stroke_length, 128);
  Collector collect(redis.port());
  std::thread t([&] { collect.run(20s); });
  auto r = run_process(sim_args(redis, {"--speed", "100", "--strokes", "3"}), 30s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("strokeviz-sim: ready: redis " + redis.address() + ", node simtest"),
            std::string::npos) << r.out;
  EXPECT_TRUE(collect.rejected.empty()) << collect.rejected.front();

  // connecting, ready, session_start, 3 x (0, 0, 5, …, 125), ready, session_end
  const auto& ev = collect.events;
  const std::size_t per_stroke = 1 + (128 + 4) / 5;
  ASSERT_EQ(per_stroke, 27u);
  ASSERT_EQ(ev.size(), 3 + 3 * per_stroke + 2);
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[0].event).current_pose, "connecting");
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[1].event).current_pose, "ready");
  const auto& start = std::get<protocol::SessionStart>(ev[2].event);
  EXPECT_EQ(start.total_strokes, static_cast<std::int64_t>(sc.strokes.size()));
  EXPECT_EQ(start.scene_name, sc.name);
  EXPECT_EQ(start.header.node_id, "simtest");
  std::size_t i = 3;
  for (int s = 0; s < 3; ++s) {
    std::vector<std::int64_t> poses;
    for (std::size_t k = 0; k < per_stroke; ++k, ++i) {
      const auto& u = std::get<protocol::ProgressUpdate>(ev[i].event);
      EXPECT_EQ(u.session_id, start.session_id);
      EXPECT_EQ(u.stroke_idx, s);
      EXPECT_EQ(u.total_strokes, start.total_strokes);
      EXPECT_EQ(u.stroke_length, 128);
      EXPECT_EQ(u.description_l, sc.strokes[s].arm[0].description);
      EXPECT_EQ(u.description_r, sc.strokes[s].arm[1].description);
      poses.push_back(u.pose_idx);
    }
    std::vector<std::int64_t> want{0};
    for (int p = 0; p < 128; p += 5) want.push_back(p);
    EXPECT_EQ(poses, want) << "stroke " << s;
  }
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[i].event).current_pose, "ready");
  EXPECT_EQ(std::get<protocol::SessionEnd>(ev[i + 1].event).session_id, start.session_id);

  // Pace: publisher timestamps against the plan (speed 100), no drift.
  const auto plan = tools::stroke_schedule(128, sc.goal_time_slow, sc.goal_time_fast, 100);
  const double dur = tools::stroke_duration(128, sc.goal_time_slow, sc.goal_time_fast, 100);
  const TimeUs t0 = protocol::header_of(ev[3].event).time_us;
  double worst = 0;
  for (std::size_t k = 0; k < 3 * per_stroke; ++k) {
    const double want_s = dur * double(k / per_stroke) + plan[k % per_stroke].at_s;
    const double got_s = double(protocol::header_of(ev[3 + k].event).time_us - t0) / 1e6;
    worst = std::max(worst, std::abs(got_s - want_s));
  }
  EXPECT_LT(worst, 0.05) << "worst deviation from the planned time, seconds";

  // Joints in robot:state while executing, and the hashes afterwards.
  ASSERT_FALSE(collect.states.empty());
  for (const std::string& json : collect.states) {
    auto st = protocol::parse_robot_state(json);
    ASSERT_TRUE(st) << st.error().str();
    expect_finite_joints(*st, json);
  }
  RedisConn c(redis.port());
  auto final_state = protocol::parse_robot_state(*c.hget("robot:state:simtest", "state"));
  ASSERT_TRUE(final_state);
  EXPECT_EQ(final_state->current_pose, "ready");
  expect_finite_joints(*final_state, "final");
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + start.session_id, "progress"));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->stroke_idx, 2);
  EXPECT_EQ(p->pose_idx, 125);
  EXPECT_FALSE(p->is_executing);
  EXPECT_EQ(p->offset_idx_l, sc.offset_num / 2);
  EXPECT_EQ(p->offset_idx_r, sc.offset_num / 2);
  EXPECT_EQ(redis.cli({"XLEN", "stream:stroke_history:" + start.session_id}), std::to_string(3 * per_stroke));
  const int ttl = std::stoi(redis.cli({"TTL", "node:health:simtest"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);
  EXPECT_TRUE(protocol::parse_node_health(*c.hget("node:health:simtest", "health")));
}

TEST(SimRun, JointsWrittenBeforeTheEventAreTheScenesIk) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  // At speed 2 the next write is >= 0.1 s away, so the hash read on an
  // event is that event's pose.
  Collector collect(redis.port());
  std::thread t([&] { collect.run(6s); });
  auto r = run_process(sim_args(redis, {"--speed", "2", "--strokes", "1", "--quit-after", "3"}), 20s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_GE(collect.states.size(), 3u);
  const model::Scene& sc = tatbotlogo();
  auto model = load::load_urdf(sc.urdf);
  ASSERT_TRUE(model) << model.error().str();
  ASSERT_TRUE(model->set_arms(sc.ee_links));
  follow::PoseSolver solver(sc, *model);
  std::size_t checked = 0;
  for (const Seen& s : collect.events) {
    const auto* u = std::get_if<protocol::ProgressUpdate>(&s.event);
    if (!u || checked >= collect.states.size()) continue;
    auto st = protocol::parse_robot_state(collect.states[checked++]);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->current_pose, "executing");
    const auto q = solver.joints(int(u->stroke_idx), int(u->pose_idx), {sc.offset_num / 2, sc.offset_num / 2});
    for (int j = 0; j < 7; ++j) {
      EXPECT_NEAR((*st->joints_l)[j], q[j], 1e-9) << "pose " << u->pose_idx;
      EXPECT_NEAR((*st->joints_r)[j], q[7 + j], 1e-9) << "pose " << u->pose_idx;
    }
  }
  EXPECT_GE(checked, 3u);
  // --quit-after ended it cleanly: state_update ready, then session_end last.
  ASSERT_GE(collect.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<protocol::SessionEnd>(collect.events.back().event));
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(collect.events[collect.events.size() - 2].event).current_pose,
            "ready");
}

TEST(SimRun, SigtermEndsTheSessionCleanly) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Collector collect(redis.port());
  std::vector<std::string> args = sim_args(redis, {"--speed", "2", "--loop"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, kSim.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  std::thread t([&] { collect.run(8s); });
  // Wait for a few progress events, then SIGTERM.
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(100ms);
    const auto keys = redis.cli({"KEYS", "stream:stroke_history:*"});
    if (!keys.empty() && std::stoi(redis.cli({"XLEN", keys})) >= 3) break;
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  t.join();
  ASSERT_TRUE(WIFEXITED(status)) << "ended by a signal";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_GE(collect.events.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<protocol::SessionEnd>(collect.events.back().event));
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(collect.events[collect.events.size() - 2].event).current_pose,
            "ready");
  const auto& end = std::get<protocol::SessionEnd>(collect.events.back().event);
  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + end.session_id, "progress"));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->is_executing);
}

TEST(SimRun, LoopStartsNewSessionsWithDistinctIds) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Collector collect(redis.port(), 3);
  std::thread t([&] { collect.run(10s); });
  auto r = run_process(sim_args(redis, {"--speed", "100", "--strokes", "1", "--loop", "--quit-after", "4"}), 20s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> starts, ends;
  for (const Seen& s : collect.events) {
    if (const auto* a = std::get_if<protocol::SessionStart>(&s.event)) starts.push_back(a->session_id);
    if (const auto* e = std::get_if<protocol::SessionEnd>(&s.event)) ends.push_back(e->session_id);
  }
  ASSERT_GE(starts.size(), 2u) << r.out;
  EXPECT_EQ(std::set<std::string>(starts.begin(), starts.end()).size(), starts.size());
  EXPECT_EQ(std::vector<std::string>(starts.begin(), starts.begin() + ends.size()), ends);
}

TEST(SimRun, ClosedPortExitsOneNamingHostAndPort) {
  const int port = free_loopback_port();
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  auto r = run_process({kSim, "--scene=tatbotlogo", "--redis", addr}, 20s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(addr), std::string::npos) << r.err;
}

TEST(SimRun, UnknownSceneListsScenesAndExitsTwo) {
  auto r = run_process({kSim, "--scene=nosuchscene", "--redis", "127.0.0.1:1"}, 20s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown scene 'nosuchscene'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tatbotlogo"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strokeviz::test
