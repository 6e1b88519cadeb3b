// Simulator pure parts: the cadence plan of one stroke and the node health sample.
#include <gtest/gtest.h>

#include "tools/simulator.hpp"
#include "protocol/codec.hpp"

namespace strokeviz::tools {
using namespace protocol;
namespace {

TEST(SimSchedule, PoseZeroThenEveryFifthPose) {
  const auto plan = stroke_schedule(128, 1.0, 0.2, 1.0);
  ASSERT_EQ(plan.size(), 27u);
  EXPECT_EQ(plan[0].pose_idx, 0);
  EXPECT_EQ(plan[1].pose_idx, 0);
  for (std::size_t i = 1; i < plan.size(); ++i) EXPECT_EQ(plan[i].pose_idx, 5 * int(i - 1));
  EXPECT_EQ(plan.back().pose_idx, 125);
  EXPECT_EQ(stroke_schedule(108, 1.0, 0.2, 1.0).size(), 23u) << "PROTOCOL.md: 23 per 108-pose stroke";
  EXPECT_EQ(stroke_schedule(5, 1.0, 0.2, 1.0).size(), 2u);
  EXPECT_EQ(stroke_schedule(6, 1.0, 0.2, 1.0).size(), 3u);
  EXPECT_TRUE(stroke_schedule(0, 1.0, 0.2, 1.0).empty());
}

TEST(SimSchedule, PosesZeroAndOneSlowTheRestFastOverSpeed) {
  const auto plan = stroke_schedule(128, 1.0, 0.2, 1.0);
  EXPECT_DOUBLE_EQ(plan[0].at_s, 0.0);
  EXPECT_DOUBLE_EQ(plan[1].at_s, 0.0);
  EXPECT_NEAR(plan[2].at_s, 2 * 1.0 + 3 * 0.2, 1e-12);   // pose 5
  EXPECT_NEAR(plan[3].at_s, 2 * 1.0 + 8 * 0.2, 1e-12);   // pose 10
  EXPECT_NEAR(stroke_duration(128, 1.0, 0.2, 1.0), 2 * 1.0 + 126 * 0.2, 1e-12);
  const auto fast = stroke_schedule(128, 1.0, 0.2, 4.0);
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_NEAR(fast[i].at_s, plan[i].at_s / 4.0, 1e-12);
  EXPECT_NEAR(stroke_duration(128, 1.0, 0.2, 4.0), (2 * 1.0 + 126 * 0.2) / 4.0, 1e-12);
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
