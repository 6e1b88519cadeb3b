// Simulator pure parts: the cadence plan of one stroke and the node health sample.
#include <gtest/gtest.h>

#include "tools/simulator.hpp"
#include "protocol/codec.hpp"

namespace strokeviz::tools {
using namespace protocol;
namespace {

const StrokePace kRich = rich_pace(1.0, 0.2);

TEST(SimSchedule, PoseZeroThenEveryFifthPose) {
  const auto plan = stroke_schedule(128, kRich, 1.0);
  ASSERT_EQ(plan.size(), 27u);
  EXPECT_EQ(plan[0].pose_idx, 0);
  EXPECT_EQ(plan[1].pose_idx, 0);
  for (std::size_t i = 1; i < plan.size(); ++i) EXPECT_EQ(plan[i].pose_idx, 5 * int(i - 1));
  EXPECT_EQ(plan.back().pose_idx, 125);
  EXPECT_EQ(stroke_schedule(108, kRich, 1.0).size(), 23u) << "PROTOCOL.md: 23 per 108-pose stroke";
  EXPECT_EQ(stroke_schedule(5, kRich, 1.0).size(), 2u);
  EXPECT_EQ(stroke_schedule(6, kRich, 1.0).size(), 3u);
  EXPECT_TRUE(stroke_schedule(0, kRich, 1.0).empty());
  EXPECT_EQ(stroke_schedule(128, robot_pace(1.0, 10, 2.0), 1.0).size(), 27u);
}

TEST(SimSchedule, RichPacePosesZeroAndOneSlowTheRestFastOverSpeed) {
  const auto plan = stroke_schedule(128, kRich, 1.0);
  EXPECT_DOUBLE_EQ(plan[0].at_s, 0.0);
  EXPECT_DOUBLE_EQ(plan[1].at_s, 0.0);
  EXPECT_NEAR(plan[2].at_s, 2 * 1.0 + 3 * 0.2, 1e-12);   // pose 5
  EXPECT_NEAR(plan[3].at_s, 2 * 1.0 + 8 * 0.2, 1e-12);   // pose 10
  EXPECT_NEAR(stroke_duration(128, kRich, 1.0), 2 * 1.0 + 126 * 0.2, 1e-12);
  const auto fast = stroke_schedule(128, kRich, 4.0);
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_NEAR(fast[i].at_s, plan[i].at_s / 4.0, 1e-12);
  EXPECT_NEAR(stroke_duration(128, kRich, 4.0), (2 * 1.0 + 126 * 0.2) / 4.0, 1e-12);
}

// PROTOCOL.md "Pace of a stroke": the ready move (goal_time_slow), pose 0,
// pose 0 again, poses 0 and 1 blocking at goal_time_slow, then 0.1 s a pose
// (10 fps), then the dataset save.
TEST(SimSchedule, RobotPaceReadyMoveSlowPosesThenTenPerSecondThenSave) {
  const StrokePace pace = robot_pace(1.0, 10.0, 2.0);
  EXPECT_DOUBLE_EQ(pace.ready_s, 1.0);
  EXPECT_DOUBLE_EQ(pace.pose_s, 0.1);
  const auto plan = stroke_schedule(128, pace, 1.0);
  EXPECT_DOUBLE_EQ(plan[0].at_s, 1.0) << "pose 0 after the ready move";
  EXPECT_DOUBLE_EQ(plan[1].at_s, 1.0) << "and again as the pose loop starts";
  EXPECT_NEAR(plan[2].at_s - plan[1].at_s, 2.3, 1e-12) << "pose 0 to pose 5: two slow poses, three at 0.1 s";
  for (std::size_t i = 3; i < plan.size(); ++i)
    EXPECT_NEAR(plan[i].at_s - plan[i - 1].at_s, 0.5, 1e-9) << "every 5th pose at 10 fps";
  EXPECT_NEAR(stroke_duration(128, pace, 1.0), 1.0 + 2 * 1.0 + 126 * 0.1 + 2.0, 1e-12);
  const auto fast = stroke_schedule(128, pace, 5.0);
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_NEAR(fast[i].at_s, plan[i].at_s / 5.0, 1e-12);
  EXPECT_NEAR(stroke_duration(128, pace, 5.0), (1.0 + 2.0 + 12.6 + 2.0) / 5.0, 1e-12)
      << "--speed divides every duration, the ready move and the save included";
}

TEST(SimNodeHealth, SampleIsAValidHealthObject) {
  sample_node_health("n");  // first call primes the cpu counters
  protocol::NodeHealth h = sample_node_health("n");
  h.time_us = h.last_heartbeat_us = now_us();
  EXPECT_EQ(h.node_id, "n");
  for (double v : {h.cpu_percent, h.memory_percent, h.disk_percent}) {
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 100.0);
  }
  auto parsed = protocol::parse_node_health(protocol::to_json(h));
  ASSERT_TRUE(parsed) << parsed.error().str();
  EXPECT_TRUE(parsed->is_reachable);
}

}  // namespace
}  // namespace strokeviz::tools
