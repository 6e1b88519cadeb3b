// ViewerState: clamping, stepping, and the playback clock (dwell, speed, loop).
#include <gtest/gtest.h>

#include <cmath>

#include "follow/viewer_state.hpp"

namespace strokeviz::follow {
using namespace model;
namespace {

model::Scene small_scene(int strokes, int length) {
  model::Scene s;
  s.name = "small";
  s.stroke_length = length;
  s.offset_num = 5;
  s.offset_range = {-0.01, 0.01};
  s.goal_time_fast = 0.2;
  s.goal_time_slow = 1.0;
  s.strokes.resize(static_cast<std::size_t>(strokes));
  for (auto& st : s.strokes)
    for (auto& a : st.arm) a.description = "rest";
  return s;
}

TEST(ViewerState, StartsAtFirstPoseWithMiddleOffsets) {
  const auto sc = small_scene(3, 4);
  ViewerState st(sc);
  EXPECT_EQ(st.stroke_idx(), 0);
  EXPECT_EQ(st.pose_idx(), 0);
  EXPECT_EQ(st.offset_idx(model::Arm::Left), 2);
  EXPECT_EQ(st.offset_idx(model::Arm::Right), 2);
}

TEST(ViewerState, SettersClampIntoRange) {
  const auto sc = small_scene(3, 4);
  ViewerState st(sc);
  st.set_stroke(99);
  EXPECT_EQ(st.stroke_idx(), 2);
  st.set_stroke(-5);
  EXPECT_EQ(st.stroke_idx(), 0);
  st.set_pose(4);
  EXPECT_EQ(st.pose_idx(), 3);
  st.set_offset(model::Arm::Right, 17);
  EXPECT_EQ(st.offset_idx(model::Arm::Right), 4);
  st.set_offset(model::Arm::Left, -1);
  EXPECT_EQ(st.offset_idx(model::Arm::Left), 0);
  st.set_speed(1000.0);
  EXPECT_DOUBLE_EQ(st.playback().speed, Playback::kMaxSpeed);
  st.set_speed(0.0);
  EXPECT_DOUBLE_EQ(st.playback().speed, Playback::kMinSpeed);
  st.set_speed(std::nan(""));
  EXPECT_DOUBLE_EQ(st.playback().speed, Playback::kMinSpeed);
}

TEST(ViewerState, StepPoseWrapsAcrossStrokesAndAroundTheEnd) {
  const auto sc = small_scene(2, 3);
  ViewerState st(sc);
  st.step_pose(+3);
  EXPECT_EQ(st.stroke_idx(), 1);
  EXPECT_EQ(st.pose_idx(), 0);
  st.step_pose(+3);  // past the end: back to the start
  EXPECT_EQ(st.stroke_idx(), 0);
  EXPECT_EQ(st.pose_idx(), 0);
  st.step_pose(-1);
  EXPECT_EQ(st.stroke_idx(), 1);
  EXPECT_EQ(st.pose_idx(), 2);
}

TEST(ViewerState, PlaybackDwellsSlowOnFirstPoseThenStepsFast) {
  const auto sc = small_scene(2, 4);
  ViewerState st(sc);
  st.set_playing(true);
  EXPECT_DOUBLE_EQ(st.seconds_to_next_step(), 1.0);
  EXPECT_FALSE(st.advance(0.99));
  EXPECT_EQ(st.pose_idx(), 0);
  EXPECT_TRUE(st.advance(0.02));
  EXPECT_EQ(st.pose_idx(), 1);
  EXPECT_NEAR(st.seconds_to_next_step(), 0.19, 1e-9);
  EXPECT_TRUE(st.advance(0.19 + 0.2 + 0.1));  // poses 2 and 3, 0.1 s into pose 3
  EXPECT_EQ(st.pose_idx(), 3);
  EXPECT_NEAR(st.seconds_to_next_step(), 0.1, 1e-9);
  EXPECT_TRUE(st.advance(0.2));  // next stroke's first pose, 0.1 s into its dwell
  EXPECT_EQ(st.stroke_idx(), 1);
  EXPECT_EQ(st.pose_idx(), 0);
  EXPECT_NEAR(st.seconds_to_next_step(), 0.9, 1e-9);
}

TEST(ViewerState, SpeedScalesTheClockAndPlaybackLoops) {
  const auto sc = small_scene(2, 2);
  ViewerState st(sc);
  st.set_playing(true);
  st.set_speed(10.0);
  EXPECT_NEAR(st.seconds_to_next_step(), 0.1, 1e-9);
  // One full loop: 2 strokes x (0.1 slow + 0.02 fast) = 0.24 s at 10x.
  EXPECT_TRUE(st.advance(0.24 + 1e-9));
  EXPECT_EQ(st.stroke_idx(), 0);
  EXPECT_EQ(st.pose_idx(), 0);
}

TEST(ViewerState, PausedClockDoesNotMoveAndWaitsForever) {
  const auto sc = small_scene(2, 2);
  ViewerState st(sc);
  st.set_playing(false);
  EXPECT_TRUE(std::isinf(st.seconds_to_next_step()));
  EXPECT_FALSE(st.advance(100.0));
  EXPECT_EQ(st.pose_idx(), 0);
}

TEST(ViewerState, HugeStallIsBounded) {
  const auto sc = small_scene(3, 4);
  ViewerState st(sc);
  st.set_playing(true);
  st.advance(1e12);  // must return, not loop 1e12 / 0.2 times
  EXPECT_GE(st.seconds_to_next_step(), 0.0);
}

TEST(ViewerState, RevisionChangesOnlyWhenSomethingChanges) {
  const auto sc = small_scene(2, 4);
  ViewerState st(sc);
  const auto r0 = st.revision();
  st.set_pose(0);  // unchanged
  EXPECT_EQ(st.revision(), r0);
  st.set_pose(1);
  EXPECT_GT(st.revision(), r0);
}

}  // namespace
}  // namespace strokeviz::follow
