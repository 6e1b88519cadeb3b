// Record a simulated session live (strokeviz-sim -> redis-server -> SyncWorker
// with a Recorder -> the live source -> Follower), replay the file headless
// through the same apply path, and check the sequence of viewer states is
// equal event for event. And the live timeline: review while events keep
// coming, follow live again, and end where a viewer that never left ends.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <tuple>
#include <vector>

#include "follow/follower.hpp"
#include "follow/recording_source.hpp"
#include "model/scene.hpp"
#include "session/recording.hpp"
#include "sync/worker.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"
#include "session/recorder.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What a user sees after an item is applied.
using ViewTuple = std::tuple<int, int, int, int, std::string, std::string, bool>;
bool is_session_start(const protocol::FeedItem& item) {
  const auto* ev = std::get_if<protocol::Event>(&item);
  return ev && std::holds_alternative<protocol::SessionStart>(*ev);
}
ViewTuple capture(const follow::ViewerState& v, const follow::Follower& f) {
  return {v.stroke_idx(), v.pose_idx(), v.offset_idx(model::Arm::Left), v.offset_idx(model::Arm::Right),
          f.robot().session_id, f.robot().description_l, f.robot().joints.has_value()};
}

TEST(ReplayEqualsLive, EveryAppliedItemGivesTheSameViewerState) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const fs::path dir = fs::temp_directory_path() / ("strokeviz-replay-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto sc = load::load_scene(STROKEVIZ_SOURCE_DIR "/scenes/tatbotlogo");
  ASSERT_TRUE(sc) << sc.error().str();

  // ---- live, recording ----
  std::vector<ViewTuple> live;
  std::size_t live_start = 0;  // index of the session_start in `live`
  std::string session;
  {
    follow::ViewerState view(*sc);
    follow::Follower follower(*sc);
    follow::RecordingSource source(follower, view, session::Recording(), {follow::Mode::Live, "test"});
    source.activate();
    session::RecorderOptions ro;
    ro.dir = dir;
    ro.viewer_version = "test";
    auto rec = session::Recorder::open(ro);
    ASSERT_TRUE(rec) << rec.error().str();
    sync::WorkerOptions wo;
    (void)wo.redis.set_address(redis.address());
    wo.recorder = std::shared_ptr<session::Recorder>(std::move(*rec));
    sync::SyncWorker worker(std::move(wo));
    worker.start();
    // --rich: joints in the view, and the scene's own name in the header.
    RunningProcess sim = start_process({STROKEVIZ_SIM_EXE, "--scene=tatbotlogo", "--redis", redis.address(),
                                        "--speed=50", "--strokes=2", "--node=rec", "--start-delay=0.5", "--rich"});
    const auto end = Clock::now() + 60s;
    while (Clock::now() < end) {
      // The viewer's path, one item at a time: drained into the live
      // recording, applied by the source.
      while (source.drain(worker.queue(), 1) == 1) {
        const auto item = source.recording()->item(source.recording()->size() - 1);
        if (item && is_session_start(*item)) live_start = live.size();
        source.update(0.0);
        live.push_back(capture(view, follower));
      }
      if (!follower.robot().session_id.empty() && !follower.robot().session_open) break;
      std::this_thread::sleep_for(5ms);  // a frame; the loop is bounded by `end`
    }
    const auto r = finish_process(sim, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    session = follower.robot().session_id;
    ASSERT_FALSE(session.empty());
    EXPECT_EQ(worker.dropped(), 0u) << "a dropped item would differ from the recording by design";
    worker.stop();
  }  // the recorder flushes and closes here

  // ---- replay the file ----
  const fs::path file = dir / (session + ".jsonl");
  ASSERT_TRUE(fs::exists(file)) << file;
  session::LoadReport report;
  auto rec = session::Recording::load(file, &report);
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_EQ(report.skipped, 0u);
  EXPECT_EQ(rec->header().session_id, session);
  EXPECT_EQ(rec->header().scene, "tatbotlogo");

  follow::ViewerState view(*sc);
  follow::Follower follower(*sc);
  std::vector<ViewTuple> replayed;
  std::size_t replay_start = 0;
  std::vector<std::size_t> index_of;  // replayed[k] came from recording item index_of[k]
  for (std::size_t i = 0; i < rec->size(); ++i) {
    auto item = rec->item(i);
    if (!item) continue;
    if (is_session_start(*item)) replay_start = replayed.size();
    follower.apply(*item, view, follow::RecordingSource::clock(rec->time(i)));
    replayed.push_back(capture(view, follower));
    index_of.push_back(i);
  }
  // Before its session_start the file holds only context (the robot state the
  // live view already had); from session_start on, item for item, the states
  // must be equal.
  ASSERT_GT(replayed.size() - replay_start, 2u * 27u);
  ASSERT_EQ(replayed.size() - replay_start, live.size() - live_start);
  // Live also interpolates between the robot's every-5th-pose reports at the
  // measured pace (its frame came a little after the item): the pose shown
  // live is the replayed one or up to 4 past it; everything else is equal.
  for (std::size_t k = 0; replay_start + k < replayed.size(); ++k) {
    ViewTuple r = replayed[replay_start + k], l = live[live_start + k];
    const int rp = std::get<1>(r), lp = std::get<1>(l);
    ASSERT_GE(lp, rp) << "item " << k << " after session_start";
    ASSERT_LE(lp, rp + 4) << "item " << k << " after session_start";
    std::get<1>(r) = std::get<1>(l) = 0;
    ASSERT_EQ(r, l) << "item " << k << " after session_start";
  }

  // Seeking anywhere rebuilds the same state as playing up to there.
  for (std::size_t k : {replay_start + 5, replayed.size() / 2, replayed.size() - 1}) {
    follow::ViewerState v2(*sc);
    follow::Follower f2(*sc);
    auto again = session::Recording::load(file);
    ASSERT_TRUE(again) << again.error().str();
    follow::RecordingSource player(f2, v2, std::move(*again), {follow::Mode::Replay, "test"});
    player.activate();
    player.seek_item(index_of[k]);
    EXPECT_EQ(capture(v2, f2), replayed[k]) << "seek to item " << index_of[k];
  }
  fs::remove_all(dir);
}


// One live viewer reviews 10 s back while events keep coming, then follows
// live again; another never leaves. After the session both show the same
// state, and both recordings hold every item the worker delivered.
TEST(LiveTimeline, ReviewingThenFollowingLiveEndsLikeNeverLeaving) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  auto sc = load::load_scene(STROKEVIZ_SOURCE_DIR "/scenes/tatbotlogo");
  ASSERT_TRUE(sc) << sc.error().str();
  follow::ViewerState va(*sc), vb(*sc);
  follow::Follower fa(*sc), fb(*sc);
  follow::RecordingSource a(fa, va, session::Recording(), {follow::Mode::Live, "reviewer"});
  follow::RecordingSource b(fb, vb, session::Recording(), {follow::Mode::Live, "never left"});
  a.activate();
  b.activate();
  sync::WorkerOptions wo;
  (void)wo.redis.set_address(redis.address());
  sync::SyncWorker worker(std::move(wo));
  worker.start();
  RunningProcess sim = start_process({STROKEVIZ_SIM_EXE, "--scene=tatbotlogo", "--redis", redis.address(),
                                      "--speed=3", "--strokes=3", "--node=tl", "--start-delay=0.2"});
  // A drains the worker; B gets the same items at the same times.
  auto pump = [&] {
    a.drain(worker.queue());
    const session::Recording& ra = *a.recording();
    for (std::size_t i = b.recording()->size(); i < ra.size(); ++i)
      if (auto it = ra.item(i)) b.ingest(ra.time(i), std::move(*it));
    a.update(0.005);
    b.update(0.005);
  };
  const auto deadline = Clock::now() + 90s;
  bool reviewed = false;
  int reviewed_stroke = -1, reviewed_pose = -1;
  std::size_t items_at_review = 0;
  while (Clock::now() < deadline) {
    pump();
    const bool ended = !fb.robot().session_id.empty() && !fb.robot().session_open;
    if (!reviewed && a.recording()->size() > 0 && now_us() - a.begin_us() > 12'000'000 && !ended) {
      a.seek_time(now_us() - 10'000'000);  // drag back 10 s
      reviewed = true;
      ASSERT_FALSE(a.following_live());
      EXPECT_GE(a.behind_live_s(), 9.0);
      reviewed_stroke = va.stroke_idx();
      reviewed_pose = va.pose_idx();
      items_at_review = a.recording()->size();
    }
    if (reviewed && !ended) {  // reviewing: events keep coming, the view stays put
      ASSERT_EQ(va.stroke_idx(), reviewed_stroke);
      ASSERT_EQ(va.pose_idx(), reviewed_pose);
    }
    if (ended) break;
    std::this_thread::sleep_for(5ms);  // a frame; the loop is bounded by `deadline`
  }
  const auto r = finish_process(sim, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(reviewed) << "the session was too short to review 10 s back";
  pump();
  EXPECT_GT(a.recording()->size(), items_at_review) << "events kept arriving while reviewing";
  EXPECT_FALSE(a.following_live());
  a.seek_end();  // "Follow live" (End)
  a.update(0.0);
  b.update(0.0);
  EXPECT_TRUE(a.following_live());
  EXPECT_EQ(capture(va, fa), capture(vb, fb));
  EXPECT_EQ(fa.robot().node_id, fb.robot().node_id);
  EXPECT_EQ(fa.robot().current_pose, fb.robot().current_pose);
  EXPECT_EQ(fa.robot().errors, fb.robot().errors);
  EXPECT_FALSE(fb.robot().session_open);
  // Nothing missing: both recordings hold every item, the same ones.
  ASSERT_EQ(a.recording()->size(), b.recording()->size());
  EXPECT_EQ(worker.dropped(), 0u);
  for (std::size_t i = 0; i < a.recording()->size(); ++i)
    ASSERT_EQ(a.recording()->kind(i), b.recording()->kind(i)) << "item " << i;
  worker.stop();
}

}  // namespace
}  // namespace strokeviz::test
