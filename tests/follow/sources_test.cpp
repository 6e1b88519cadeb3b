// The sources behind the one transport: local playback of the plan, replay of
// a recording, live (a growing recording with review and follow-live), and the
// recording gaps they show. Headless: runs under ASan and TSan.
#include <gtest/gtest.h>

#include <cmath>

#include "follow/follower.hpp"
#include "tests/follow/small_scene.hpp"
#include "follow/local_source.hpp"
#include "follow/recording_source.hpp"
#include "follow/viewer_state.hpp"

namespace strokeviz::follow {
namespace {

using protocol::FeedItem;
using session::Recording;

using test::small_scene;

FeedItem progress(int stroke, int pose, TimeUs t) {
  protocol::ProgressUpdate p;
  p.header.channel = std::string(protocol::kChannelProgress);
  p.header.node_id = "hog";
  p.header.time_us = t;
  p.header.received_us = t;
  p.session_id = "stroke_hog_1";
  p.stroke_idx = stroke;
  p.pose_idx = pose;
  p.total_strokes = 5;
  p.stroke_length = 20;
  p.description_l = "left " + std::to_string(stroke);
  p.description_r = "right";
  return protocol::Event{p};
}

FeedItem session_start(TimeUs t) {
  protocol::SessionStart s;
  s.header.channel = std::string(protocol::kChannelSession);
  s.header.node_id = "hog";
  s.header.time_us = t;
  s.header.received_us = t;
  s.session_id = "stroke_hog_1";
  s.total_strokes = 5;
  s.scene_name = "small";
  return protocol::Event{s};
}

constexpr TimeUs kT0 = 1'700'000'000'000'000;
constexpr TimeUs kSec = 1'000'000;

// Session start, then strokes 0..2, poses 0, 5, 10, 15 half a second apart.
Recording three_strokes() {
  Recording rec;
  rec.append(kT0, session_start(kT0));
  TimeUs t = kT0;
  for (int s = 0; s < 3; ++s)
    for (int p = 0; p < 20; p += 5) {
      t += kSec / 2;
      rec.append(t, progress(s, p, t));
    }
  return rec;
}

// Live interpolates between the robot's every-5th-pose reports (at most 4
// poses past the last one): the pose shown is the report's or a few after it.
#define EXPECT_POSE_FROM(view, pose)          \
  do {                                        \
    EXPECT_GE((view).pose_idx(), (pose));     \
    EXPECT_LE((view).pose_idx(), (pose) + 4); \
  } while (0)

struct Rig {
  model::Scene scene = small_scene();
  ViewerState view{scene};
  Follower follower{scene};
};

TEST(LocalSource, TimelineIsThePlanAtItsGoalTimes) {
  Rig r;
  LocalSource local(r.follower, r.view);
  local.activate();
  // A stroke: 1.0 s on pose 0, then 19 poses of 0.2 s.
  EXPECT_EQ(local.end_us(), 5 * (kSec + 19 * kSec / 5));
  EXPECT_EQ(local.time_of(1, 0), kSec + 19 * kSec / 5);
  local.seek_time(local.time_of(2, 7));
  EXPECT_EQ(r.view.stroke_idx(), 2);
  EXPECT_EQ(r.view.pose_idx(), 7);
  local.step_event(+1);
  EXPECT_EQ(r.view.pose_idx(), 8);
  local.step_stroke(+1);
  EXPECT_EQ(r.view.stroke_idx(), 3);
  EXPECT_EQ(r.view.pose_idx(), 0);
  local.seek_end();
  EXPECT_EQ(r.view.stroke_idx(), 4);
  EXPECT_EQ(r.view.pose_idx(), 19);
  local.seek_start();
  EXPECT_EQ(local.playhead_us(), 0);
}

TEST(LocalSource, PlayingAdvancesTheViewAndThePlayhead) {
  Rig r;
  LocalSource local(r.follower, r.view);
  local.activate();
  local.set_playing(true);
  local.set_speed(2.0);
  EXPECT_TRUE(local.update(0.6));  // pose 0 dwells 1.0 s: 0.5 s at 2x
  EXPECT_EQ(r.view.pose_idx(), 1);
  EXPECT_GT(local.playhead_us(), local.time_of(0, 1) - 1);
  local.set_speed(1000.0);
  EXPECT_DOUBLE_EQ(local.speed(), Source::kMaxSpeed);
}

TEST(ReplaySource, PlaysItemsInOrderAndStopsAtTheEnd) {
  Rig r;
  RecordingSource replay(r.follower, r.view, three_strokes(), {Mode::Replay, "test"});
  replay.activate();
  replay.seek_start();
  replay.set_playing(true);
  replay.update(1.2);  // 0.5 s apart: two more reports applied
  EXPECT_EQ(r.view.stroke_idx(), 0);
  EXPECT_GE(r.view.pose_idx(), 5);
  for (int i = 0; i < 20; ++i) replay.update(1.0);
  EXPECT_FALSE(replay.playing()) << "stops at the end";
  EXPECT_EQ(r.view.stroke_idx(), 2);
  EXPECT_EQ(replay.playhead_us(), replay.end_us());
  replay.set_playing(true);  // from the end: starts over
  EXPECT_EQ(replay.cursor(), 0u);
}

TEST(ReplaySource, TransportStepsSeeksAndSliders) {
  Rig r;
  RecordingSource replay(r.follower, r.view, three_strokes(), {Mode::Replay, "test"});
  replay.activate();
  replay.seek_start();
  replay.step_event(+1);
  EXPECT_EQ(r.view.pose_idx(), 0);
  replay.step_event(+1);
  EXPECT_EQ(r.view.pose_idx(), 5);
  replay.step_stroke(+1);
  EXPECT_EQ(r.view.stroke_idx(), 1);
  EXPECT_EQ(r.view.pose_idx(), 0);
  replay.step_stroke(-1);
  EXPECT_EQ(r.view.stroke_idx(), 0);
  replay.seek_pose(2, 7);  // the first report of stroke 2 at or after pose 7
  EXPECT_EQ(r.view.stroke_idx(), 2);
  EXPECT_EQ(r.view.pose_idx(), 10);
  replay.seek_end();
  EXPECT_EQ(r.view.pose_idx(), 15);
  replay.seek_time(replay.begin_us() - kSec);  // before the first item: a clean slate
  EXPECT_EQ(r.follower.robot().session_id, "");
}

TEST(LiveSource, FollowsLiveAppliesAsItArrives) {
  Rig r;
  RecordingSource live(r.follower, r.view, Recording(), {Mode::Live, "test"});
  live.activate();
  EXPECT_TRUE(live.following_live());
  const Recording src = three_strokes();
  for (std::size_t i = 0; i < 6; ++i) live.ingest(src.time(i), *src.item(i));
  live.update(0.0);
  EXPECT_EQ(r.view.stroke_idx(), 1);
  EXPECT_POSE_FROM(r.view, 0);
  EXPECT_EQ(live.behind_live_s(), 0.0);
}

TEST(LiveSource, ReviewKeepsRecordingAndFollowLiveCatchesUp) {
  Rig r;
  RecordingSource live(r.follower, r.view, Recording(), {Mode::Live, "test"});
  live.activate();
  const Recording src = three_strokes();
  for (std::size_t i = 0; i < 6; ++i) live.ingest(src.time(i), *src.item(i));
  live.update(0.0);
  live.step_stroke(-1);  // review: back to stroke 0
  EXPECT_FALSE(live.following_live());
  EXPECT_GT(live.behind_live_s(), 0.0);
  EXPECT_EQ(r.view.stroke_idx(), 0);
  for (std::size_t i = 6; i < src.size(); ++i) live.ingest(src.time(i), *src.item(i));
  live.update(0.1);
  EXPECT_EQ(r.view.stroke_idx(), 0) << "reviewing: new items do not move the view";
  EXPECT_EQ(live.recording()->size(), src.size()) << "but they are all recorded";
  live.seek_end();  // Follow live
  live.update(0.0);
  EXPECT_TRUE(live.following_live());
  EXPECT_EQ(r.view.stroke_idx(), 2);
  EXPECT_POSE_FROM(r.view, 15);
  EXPECT_EQ(r.follower.robot().description_l, "left 2");
}

TEST(LiveSource, InactiveItOnlyRecords) {
  Rig r;
  RecordingSource live(r.follower, r.view, Recording(), {Mode::Live, "test"});
  const Recording src = three_strokes();
  for (std::size_t i = 0; i < src.size(); ++i) live.ingest(src.time(i), *src.item(i));
  EXPECT_FALSE(live.update(0.1));
  EXPECT_EQ(r.view.stroke_idx(), 0);
  live.activate();  // shown again: at the live edge at once
  EXPECT_EQ(r.view.stroke_idx(), 2);
}

TEST(LiveSource, MemoryIsBoundedAndTheViewStaysRight) {
  Rig r;
  RecordingSource live(r.follower, r.view, Recording(), {Mode::Live, "test", 8});
  live.activate();
  const Recording src = three_strokes();
  for (std::size_t i = 0; i < src.size(); ++i) {
    live.ingest(src.time(i), *src.item(i));
    live.update(0.0);
    ASSERT_LE(live.recording()->size(), 8u);
  }
  EXPECT_EQ(live.dropped_from_memory() + live.recording()->size(), src.size());
  EXPECT_EQ(r.view.stroke_idx(), 2);
  EXPECT_POSE_FROM(r.view, 15);
  live.seek_start();
  EXPECT_EQ(live.playhead_us(), live.recording()->time(0));
}

TEST(LiveSource, ReconnectsAfterItemsAreGaps) {
  Rig r;
  RecordingSource live(r.follower, r.view, Recording(), {Mode::Live, "test"});
  live.activate();
  live.ingest(kT0, protocol::Reconnected{kT0, 0, ""});  // first connection: no gap
  live.ingest(kT0 + kSec, progress(0, 0, kT0 + kSec));
  live.ingest(kT0 + 4 * kSec, protocol::Reconnected{kT0 + 4 * kSec, 1, "server not responding"});
  live.ingest(kT0 + 5 * kSec, progress(0, 5, kT0 + 5 * kSec));
  const auto gaps = live.gaps();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].begin_us, kT0 + kSec);
  EXPECT_EQ(gaps[0].end_us, kT0 + 4 * kSec);
  EXPECT_EQ(gaps[0].reason, "server not responding");
  live.update(0.0);
  EXPECT_POSE_FROM(r.view, 5);  // a reconnect marker moves nothing
}

}  // namespace
}  // namespace strokeviz::follow
