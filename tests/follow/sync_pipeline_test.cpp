// The sync pipeline headless: the simulator publishes a session to a private
// redis-server, a SyncWorker follows it, and this thread plays the render
// thread (drain the queue, Follower::apply). The final view must equal what
// the robot published, also across a server restart mid-session.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "follow/follower.hpp"
#include "model/scene.hpp"
#include "sync/worker.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Pipeline {
  model::Scene scene;
  follow::ViewerState view;
  follow::Follower follower;
  sync::SyncWorker worker;
  bool saw_retrying = false, saw_live_after_retry = false;
  std::vector<std::string> labels;  // each distinct status label seen, in order

  Pipeline(model::Scene s, const std::string& address)
      : scene(std::move(s)), view(scene), follower(scene), worker(options(address)) {}
  static sync::WorkerOptions options(const std::string& address) {
    sync::WorkerOptions o;
    (void)o.redis.set_address(address);
    return o;
  }
  // Plays the render thread until `done` (checked after each drain) or the limit.
  template <class Done>
  bool run_until(Done done, std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      while (auto* item = worker.queue().front()) {
        follower.apply(*item, view, Clock::now());
        worker.queue().pop();
      }
      follower.tick(view, Clock::now());
      const auto st = worker.status();
      if (labels.empty() || labels.back() != st.label) labels.push_back(st.label);
      if (st.state == sync::SyncState::Retrying) saw_retrying = true;
      if (saw_retrying && st.state == sync::SyncState::Live) saw_live_after_retry = true;
      if (done()) return true;
      std::this_thread::sleep_for(5ms);  // a frame's worth; the condition above bounds the wait
    }
    return false;
  }
};

nlohmann::json progress_hash(RedisServer& redis, const std::string& session) {
  return nlohmann::json::parse(redis.cli({"HGET", "stroke:progress:" + session, "progress"}), nullptr, false);
}

// A private server and a connected pipeline following it.
class SyncPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis.ok()) << redis.error();
    auto sc = load::load_scene(STROKEVIZ_SOURCE_DIR "/scenes/tatbotlogo");
    ASSERT_TRUE(sc) << sc.error().str();
    pipe_ = std::make_unique<Pipeline>(std::move(*sc), redis.address());
    pipe_->worker.start();
    ASSERT_TRUE(pipe_->run_until([&] { return pipe_->worker.status().state == sync::SyncState::Connected; }, 10s));
  }
  RedisServer redis;
  std::unique_ptr<Pipeline> pipe_;
};

TEST_F(SyncPipeline, FinalViewEqualsWhatTheSimulatorPublished) {
  Pipeline& p = *pipe_;

  // --rich: the joints and the scene's own name (the robot writes neither).
  const auto sim = run_process({STROKEVIZ_SIM_EXE, "--scene=tatbotlogo", "--redis", redis.address(), "--speed=50",
                                "--strokes=3", "--node=pipe", "--rich"},
                               60s);
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  ASSERT_TRUE(p.run_until([&] { return !p.follower.robot().session_id.empty() && !p.follower.robot().session_open; },
                          10s))
      << "session_end never applied";
  const auto hash = progress_hash(redis, p.follower.robot().session_id);
  ASSERT_FALSE(hash.is_discarded());
  EXPECT_EQ(p.view.stroke_idx(), hash["stroke_idx"].get<int>());
  EXPECT_EQ(p.view.pose_idx(), hash["pose_idx"].get<int>());
  EXPECT_EQ(p.view.stroke_idx(), 2);
  EXPECT_EQ(p.view.pose_idx(), 125);
  EXPECT_EQ(p.view.offset_idx(model::Arm::Left), hash["offset_idx_l"].get<int>());
  EXPECT_EQ(p.follower.robot().node_id, "pipe");
  EXPECT_TRUE(p.follower.robot().mismatch.empty()) << p.follower.robot().mismatch;
  EXPECT_EQ(p.follower.robot().out_of_range, 0u);
  EXPECT_EQ(p.worker.rejected(), 0u);
  EXPECT_EQ(p.worker.dropped(), 0u);
  EXPECT_GE(p.worker.received(), 3u * 27u);
  ASSERT_TRUE(p.follower.robot().joints) << "joints from robot:state";
  p.worker.stop();
}

TEST_F(SyncPipeline, ServerRestartMidSessionRecoversToThePublishersFinalState) {
  Pipeline& p = *pipe_;

  RunningProcess sim = start_process({STROKEVIZ_SIM_EXE, "--scene=tatbotlogo", "--redis", redis.address(),
                                      "--speed=10", "--strokes=3", "--node=pipe"});
  ASSERT_TRUE(p.run_until([&] { return p.view.stroke_idx() >= 1; }, 20s)) << "the session never got going";
  redis.stop();
  EXPECT_TRUE(p.run_until([&] { return p.worker.status().state == sync::SyncState::Retrying; }, 5s))
      << p.worker.status().label;
  ASSERT_TRUE(redis.restart()) << redis.error();
  // Keep playing the render thread while the robot finishes (not blocked on it).
  const bool ended = p.run_until([&] { return !p.follower.robot().session_open && p.view.stroke_idx() == 2; }, 30s);
  const auto r = finish_process(sim, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  ASSERT_TRUE(ended) << "stroke " << p.view.stroke_idx() << " pose " << p.view.pose_idx() << ", status "
                     << p.worker.status().label;
  EXPECT_TRUE(p.saw_retrying) << "the restart showed as Retrying";
  std::string seen;
  for (const auto& l : p.labels) seen += "\n  " + l;
  EXPECT_TRUE(p.saw_live_after_retry) << "then Live again; status labels seen:" << seen;
  EXPECT_GE(p.worker.reconnects(), 1u);
  const auto hash = progress_hash(redis, p.follower.robot().session_id);
  ASSERT_FALSE(hash.is_discarded());
  EXPECT_EQ(p.view.stroke_idx(), hash["stroke_idx"].get<int>());
  EXPECT_EQ(p.view.pose_idx(), hash["pose_idx"].get<int>());
  EXPECT_EQ(p.view.pose_idx(), 125);
  p.worker.stop();
}

}  // namespace
}  // namespace strokeviz::test
