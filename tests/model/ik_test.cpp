// ArmIk: round trips over the design square, unreachable targets, limits and the held carriage.
#include <cstdio>
#include <stdexcept>

#include <gtest/gtest.h>

#include "model/ik.hpp"
#include "tests/model/tatbot_conf.hpp"
#include "load/urdf_loader.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::model {
namespace {

RobotModel tatbot(const std::string& path) {
  auto m = load::load_urdf(path);
  if (!m.ok()) throw std::runtime_error(m.error().str());
  auto arms = m->set_arms(test::kNeedles);
  if (!arms.ok()) throw std::runtime_error(arms.error().str());
  return std::move(m).value();
}

void expect_within_limits(const RobotModel& m, const JointVector& q) {
  for (int i = 0; i < kAllArmJoints; ++i) {
    const Joint& j = m.joints()[m.arm_joints()[i]];
    EXPECT_GE(q[i], j.lower - 1e-12) << j.name;
    EXPECT_LE(q[i], j.upper + 1e-12) << j.name;
  }
}

struct GridStats {
  int solves = 0, unreached = 0, total_iterations = 0;
  double worst_pos = 0, worst_rot = 0;
};

// Every point of an n x n grid over the 100 mm design square at the
// lasercross, at needle depths -10, 0, +10 mm and at hover, with the arm's
// ee_offset, warm-started along each row like a stroke.
GridStats design_grid(const RobotModel& m, int arm, int n) {
  const ArmIk ik(m, arm);
  GridStats s;
  for (double layer : {-0.01, 0.0, 0.01, test::kHover.z()}) {
    for (int row = 0; row < n; ++row) {
      JointVector q = test::ready_pose();  // each row (stroke) starts from ready
      for (int col = 0; col < n; ++col) {
        const Eigen::Vector3d target = test::kLasercross + test::ee_offset(arm) +
                                       Eigen::Vector3d(-0.05 + 0.1 * col / (n - 1), -0.05 + 0.1 * row / (n - 1), layer);
        const IkResult r = ik.solve(target, test::ee_rot(arm), q);
        const double fk_err = (m.link_pose(m.ee_link(arm), r.q).translation() - target).norm();
        EXPECT_NEAR(fk_err, r.position_error_m, 1e-9);  // the reported error is the true one
        ++s.solves;
        s.total_iterations += r.iterations;
        s.worst_pos = std::max(s.worst_pos, fk_err);
        if (!r.reachable || fk_err > 0.0005) {
          ++s.unreached;
          std::printf("  unreached: arm %d target (%.4f, %.4f, %.4f) error %.2f mm\n", arm, target.x(), target.y(),
                      target.z(), fk_err * 1e3);
        } else {
          s.worst_rot = std::max(s.worst_rot, r.rotation_error_rad);
          q = r.q;  // warm start the next pose of the stroke
        }
        expect_within_limits(m, r.q);
      }
    }
  }
  return s;
}

TEST(RobotIk, DesignSquareRoundTripWithinHalfAMillimetre) {
  const RobotModel m = tatbot(test::kOwnUrdf);
  for (int arm = 0; arm < 2; ++arm) {
    const GridStats s = design_grid(m, arm, 21);
    std::printf("%s arm: %d solves, %d unreached, worst position error %.4f mm, worst rotation error %.4f rad, "
                "%.1f iterations per solve\n",
                arm ? "right" : "left", s.solves, s.unreached, s.worst_pos * 1e3, s.worst_rot,
                double(s.total_iterations) / s.solves);
    EXPECT_EQ(s.unreached, 0);
    EXPECT_LE(s.worst_pos, 0.0005);
  }
}

TEST(RobotIk, RealUrdfDesignSquareRoundTrip) {
  const RobotModel m = tatbot(test::kRealUrdf);
  for (int arm = 0; arm < 2; ++arm) {
    const GridStats s = design_grid(m, arm, 11);
    EXPECT_EQ(s.unreached, 0);
    EXPECT_LE(s.worst_pos, 0.0005);
  }
}

TEST(RobotIk, InkcapsReachedFromReady) {
  const RobotModel m = tatbot(test::kOwnUrdf);
  int solves = 0;
  for (int arm = 0; arm < 2; ++arm) {
    const ArmIk ik(m, arm);
    const std::string side = arm ? "inkcap_right_" : "inkcap_left_";
    for (const char* cap : {"large", "small_0", "small_1", "medium_0", "medium_1"}) {
      const int link = m.link_index(side + cap);
      ASSERT_GE(link, 0) << side << cap;
      const Eigen::Vector3d rim = m.link_pose(link, test::ready_pose()).translation() + test::ee_offset(arm);
      JointVector q = test::ready_pose();
      for (double dz : {test::kHover.z(), 0.0, -0.005, -0.01}) {  // hover, then dip
        const IkResult r = ik.solve(rim + Eigen::Vector3d(0, 0, dz), test::ee_rot(arm), q);
        EXPECT_TRUE(r.reachable) << side << cap << " dz " << dz << ": " << r.position_error_m;
        q = r.q;
        ++solves;
      }
    }
  }
  EXPECT_EQ(solves, 40);
}

TEST(RobotIk, PositionOnlyTargets) {
  const RobotModel m = tatbot(test::kOwnUrdf);
  for (int arm = 0; arm < 2; ++arm) {
    const ArmIk ik(m, arm);
    const Eigen::Vector3d target = test::kLasercross + Eigen::Vector3d(0.02, arm ? -0.03 : 0.03, 0.0);
    const IkResult r = ik.solve(target, std::nullopt, test::ready_pose());
    EXPECT_TRUE(r.reachable);
    EXPECT_LT((m.link_pose(m.ee_link(arm), r.q).translation() - target).norm(), 0.0005);
  }
}

TEST(RobotIk, UnreachableTargetIsReportedNotHidden) {
  const RobotModel m = tatbot(test::kOwnUrdf);
  for (int arm = 0; arm < 2; ++arm) {
    const ArmIk ik(m, arm);
    const Eigen::Vector3d target(2.0, 0.0, 0.1);
    const IkResult r = ik.solve(target, test::ee_rot(arm), test::ready_pose());
    EXPECT_FALSE(r.reachable);
    const double fk_err = (m.link_pose(m.ee_link(arm), r.q).translation() - target).norm();
    EXPECT_NEAR(r.position_error_m, fk_err, 1e-9);
    EXPECT_GT(r.position_error_m, 1.0);  // the arm reaches well under 1 m
    std::printf("%s arm, target 2 m away: reachable=%d error %.3f m after %d iterations\n", arm ? "right" : "left",
                r.reachable, r.position_error_m, r.iterations);
    expect_within_limits(m, r.q);
  }
}

TEST(RobotIk, KeepsTheCarriageAndTheOtherArm) {
  const RobotModel m = tatbot(test::kOwnUrdf);
  JointVector seed = test::ready_pose();
  seed[6] = 0.013;
  seed[13] = 0.027;
  for (int arm = 0; arm < 2; ++arm) {
    const ArmIk ik(m, arm);
    const IkResult r = ik.solve(test::kLasercross + test::ee_offset(arm), test::ee_rot(arm), seed);
    ASSERT_TRUE(r.reachable) << r.position_error_m;
    EXPECT_EQ(r.q[6], seed[6]);
    EXPECT_EQ(r.q[13], seed[13]);
    const int other = 1 - arm;
    for (int k = 0; k < kArmJoints; ++k) EXPECT_EQ(r.q[other * 7 + k], seed[other * 7 + k]);
  }
}

}  // namespace
}  // namespace strokeviz::model
