// strokeviz-sim against a private redis-server: the cadence a subscriber sees, the hashes, exit codes, signals.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <map>
#include <regex>
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
// The robot's tool progress messages (progress_update without session_id)
// are kept apart in `tools`, whatever the parser makes of them.
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
      if (m->channel == "stroke:events:progress") {
        const auto j = nlohmann::json::parse(m->payload, nullptr, false);
        if (j.is_object() && !j.contains("session_id") && j.contains("message")) {
          tools.push_back(j);
          continue;
        }
      }
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
  std::vector<nlohmann::json> tools;  // the tool progress messages

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

// --rich: the protocol as first written, with joints and the old pace.
TEST(SimRun, RichThreeStrokesAtSpeed100GiveTheFirstCadenceWithJoints) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const model::Scene& sc = tatbotlogo();
  ASSERT_EQ(sc.stroke_length, 128);
  Collector collect(redis.port());
  std::thread t([&] { collect.run(20s); });
  auto r = run_process(sim_args(redis, {"--rich", "--speed", "100", "--strokes", "3"}), 30s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("strokeviz-sim: ready: redis " + redis.address() + ", node simtest"),
            std::string::npos) << r.out;
  EXPECT_TRUE(collect.rejected.empty()) << collect.rejected.front();
  EXPECT_TRUE(collect.tools.empty()) << "--rich: no tool progress messages";

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
  const auto pace = tools::rich_pace(sc.goal_time_slow, sc.goal_time_fast);
  const auto plan = tools::stroke_schedule(128, pace, 100);
  const double dur = tools::stroke_duration(128, pace, 100);
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
  auto r = run_process(sim_args(redis, {"--rich", "--speed", "2", "--strokes", "1", "--quit-after", "3"}), 20s);
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
  // --quit-after ended it cleanly (--rich): state_update ready, then session_end last.
  ASSERT_GE(collect.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<protocol::SessionEnd>(collect.events.back().event));
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(collect.events[collect.events.size() - 2].event).current_pose,
            "ready");
}

// The robot's operator stop: session_end, no error, no final state_update.
TEST(SimRun, SigtermEndsTheSessionLikeTheOperatorsStop) {
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
  EXPECT_TRUE(std::holds_alternative<protocol::ProgressUpdate>(collect.events[collect.events.size() - 2].event))
      << "no state_update between the last pose and session_end";
  for (const Seen& s : collect.events) EXPECT_NE(s.channel.rfind("error:events:", 0), 0u) << "no error";
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

// By default the simulator writes what the real robot writes (PROTOCOL.md
// "What the real robot does"): scene_name default, the 10 fps pace with the
// pose-0 duplicate, tool progress messages, null joints, compact hashes.
TEST(SimRun, DefaultWritesWhatTheRealRobotWrites) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const model::Scene& sc = tatbotlogo();
  constexpr double kSpeed = 10;
  Collector collect(redis.port());
  std::thread t([&] { collect.run(30s); });
  auto r = run_process(sim_args(redis, {"--speed", "10", "--strokes", "2"}), 40s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(collect.rejected.empty()) << collect.rejected.front();

  // connecting, ready, session_start, 2 x (0, 0, 5, …, 125), ready, session_end
  const auto& ev = collect.events;
  const std::size_t per_stroke = 27;
  ASSERT_EQ(ev.size(), 3 + 2 * per_stroke + 2);
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[0].event).current_pose, "connecting");
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[1].event).current_pose, "ready");
  const auto& start = std::get<protocol::SessionStart>(ev[2].event);
  EXPECT_EQ(start.scene_name, "default") << "the robot's Hydra scene name";
  EXPECT_EQ(start.total_strokes, static_cast<std::int64_t>(sc.strokes.size()));
  std::vector<std::int64_t> want{0};
  for (int p = 0; p < 128; p += 5) want.push_back(p);
  for (std::size_t s = 0; s < 2; ++s) {
    std::vector<std::int64_t> poses;
    for (std::size_t k = 0; k < per_stroke; ++k) {
      const auto& u = std::get<protocol::ProgressUpdate>(ev[3 + s * per_stroke + k].event);
      EXPECT_EQ(u.stroke_idx, static_cast<std::int64_t>(s));
      poses.push_back(u.pose_idx);
    }
    EXPECT_EQ(poses, want) << "stroke " << s << ": 0, 0, 5, 10, …";
  }
  EXPECT_EQ(std::get<protocol::RobotStateUpdate>(ev[3 + 2 * per_stroke].event).current_pose, "ready");
  EXPECT_TRUE(std::holds_alternative<protocol::SessionEnd>(ev.back().event));

  // The pace, from the publisher's timestamps: the robot's plan from
  // session_start; 0.5 s / speed between the every-5th-pose updates.
  const auto pace = tools::robot_pace(sc.goal_time_slow, 10.0, 2.0);
  const auto plan = tools::stroke_schedule(128, pace, kSpeed);
  const double dur = tools::stroke_duration(128, pace, kSpeed);
  auto at = [&](std::size_t k) { return double(protocol::header_of(ev[3 + k].event).time_us) / 1e6; };
  const double t0 = double(start.header.time_us) / 1e6;
  double worst = 0;
  for (std::size_t k = 0; k < 2 * per_stroke; ++k)
    worst = std::max(worst, std::abs(at(k) - t0 - (dur * double(k / per_stroke) + plan[k % per_stroke].at_s)));
  EXPECT_LT(worst, 0.04) << "worst deviation from the planned time, seconds";
  for (std::size_t k = 3; k < per_stroke; ++k)
    EXPECT_NEAR(at(k) - at(k - 1), 0.5 / kSpeed, 0.025) << "pose " << k * 5 - 10 << " to " << k * 5 - 5;
  EXPECT_NEAR(at(2) - at(1), (2 * sc.goal_time_slow + 0.3) / kSpeed, 0.025) << "pose 0 to 5: two slow poses";

  // The tool's own progress messages: no session_id, the stroke in the message.
  ASSERT_GE(collect.tools.size(), 3u);
  std::set<std::string> messages;
  for (const auto& j : collect.tools) {
    EXPECT_EQ(j["type"], "progress_update");
    EXPECT_EQ(j["node_id"], "simtest");
    EXPECT_TRUE(j["progress"].is_number_float()) << j.dump();
    EXPECT_EQ(j["stroke_idx"], 0);
    EXPECT_EQ(j["total_strokes"], 0);
    EXPECT_TRUE(j["timestamp"].is_string());
    messages.insert(j["message"].get<std::string>());
  }
  EXPECT_TRUE(messages.count("Executing stroke 1/2: " + sc.strokes[0].arm[0].description)) << collect.tools.size();
  EXPECT_TRUE(messages.count("Executing stroke 2/2: " + sc.strokes[1].arm[0].description));

  // The hashes: compact pydantic JSON, parsed back; no joints; one RobotState.
  RedisConn c(redis.port());
  for (const std::string& json : collect.states) {
    auto st = protocol::parse_robot_state(json);
    ASSERT_TRUE(st) << st.error().str();
    EXPECT_FALSE(st->joints_l || st->joints_r || st->velocities_l || st->velocities_r) << json;
  }
  const auto state_json = *c.hget("robot:state:simtest", "state");
  EXPECT_EQ(state_json.find(", "), std::string::npos) << "compact: " << state_json;
  auto st = protocol::parse_robot_state(state_json);
  ASSERT_TRUE(st) << st.error().str() << state_json;
  EXPECT_FALSE(st->joints_l || st->joints_r || st->velocities_l || st->velocities_r);
  EXPECT_EQ(st->current_pose, "ready");
  EXPECT_EQ(st->is_connected_l, st->is_connected_r);
  EXPECT_LE(st->time_us, protocol::header_of(ev[0].event).time_us) << "the timestamp stays at the first write";
  EXPECT_DOUBLE_EQ(st->goal_time_slow, 2.0);
  EXPECT_DOUBLE_EQ(st->goal_time_fast, 0.5);
  const auto progress_json = *c.hget("stroke:progress:" + start.session_id, "progress");
  EXPECT_EQ(progress_json.find(", "), std::string::npos) << "compact: " << progress_json;
  auto p = protocol::parse_progress(progress_json);
  ASSERT_TRUE(p) << p.error().str() << progress_json;
  EXPECT_EQ(p->stroke_idx, 1);
  EXPECT_EQ(p->pose_idx, 125);
  EXPECT_EQ(p->offset_idx_l, sc.offset_num / 2);
  EXPECT_EQ(p->scene_name, "default");
  EXPECT_FALSE(p->is_executing);
  const auto health_json = *c.hget("node:health:simtest", "health");
  EXPECT_EQ(health_json.find(", "), std::string::npos) << "compact: " << health_json;
  auto health = protocol::parse_node_health(health_json);
  ASSERT_TRUE(health) << health.error().str() << health_json;
  EXPECT_TRUE(health->is_reachable) << "its own PING";
  EXPECT_EQ(health->cpu_percent, 0.0) << "the model's default metrics";
  EXPECT_EQ(health->memory_percent, 0.0);
  EXPECT_FALSE(health->mcp_port);
}

// Node health only at connect (no heartbeat), and --tz-offset skews the id's number.
TEST(SimRun, HealthOnlyAtConnectAndTheIdSkewedByTzOffset) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const auto before = now_us() / 1'000'000;
  auto r = run_process(sim_args(redis, {"--strokes", "1", "--quit-after", "6", "--tz-offset", "21600"}), 30s);
  const auto after = now_us() / 1'000'000;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const int ttl = std::stoi(redis.cli({"TTL", "node:health:simtest"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 55) << "written once at connect, 6 s before: no heartbeat";
  const std::string key = redis.cli({"KEYS", "stroke:progress:*"});
  std::smatch m;
  ASSERT_TRUE(std::regex_match(key, m, std::regex(R"(stroke:progress:stroke_simtest_(\d+))"))) << key;
  EXPECT_GE(std::stoll(m[1]), before + 21600);
  EXPECT_LE(std::stoll(m[1]), after + 21600);
  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget(key, "progress"));
  ASSERT_TRUE(p);
  EXPECT_GE(p->time_us / 1'000'000, before) << "the timestamps stay true UTC";
  EXPECT_LE(p->time_us / 1'000'000, after);
}

// On an exception the robot publishes an error, then session_end (no "ready").
TEST(SimRun, FailureIsAnErrorThenSessionEnd) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Collector collect(redis.port());
  std::thread t([&] { collect.run(20s); });
  auto r = run_process(sim_args(redis, {"--speed", "20", "--strokes", "3", "--fail-at-stroke", "1"}), 30s);
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
  const auto& ev = collect.events;
  ASSERT_EQ(ev.size(), 3 + 27 + 2u) << "connecting, ready, start, stroke 0, error, end";
  const auto* err = std::get_if<protocol::ErrorEvent>(&ev[ev.size() - 2].event);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->category, "stroke_execution");
  EXPECT_EQ(ev[ev.size() - 2].channel, "error:events:stroke_execution");
  EXPECT_EQ(std::get<protocol::SessionEnd>(ev.back().event).session_id,
            std::get<protocol::SessionStart>(ev[2].event).session_id);
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
