// IK over every Draw/Inkdip pose of the tatbotlogo scene, both arms, three depth offsets.
#include <cstdio>

#include <gtest/gtest.h>

#include "model/ik.hpp"
#include "model/scene.hpp"
#include "load/urdf_loader.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::model {
namespace {

TEST(RobotSceneIk, TatbotlogoEveryPoseWithinHalfAMillimetre) {
  auto scene = load::load_scene(STROKEVIZ_SOURCE_DIR "/scenes/tatbotlogo");
  ASSERT_TRUE(scene.ok()) << scene.error().str();
  auto model = load::load_urdf(scene->urdf);
  ASSERT_TRUE(model.ok()) << model.error().str();
  ASSERT_TRUE(model->set_arms(scene->ee_links).ok());

  JointVector ready{};
  for (int arm = 0; arm < 2; ++arm) {
    for (int k = 0; k < kArmJoints; ++k) ready[arm * kArmJoints + k] = scene->ready_pose[arm][k];
  }
  const std::array<ArmIk, 2> ik{ArmIk(*model, 0), ArmIk(*model, 1)};
  for (int offset : {0, 15, 31}) {
    int solves = 0, unreached = 0, draw = 0, inkdip = 0;
    double worst = 0.0, worst_rot = 0.0;
    for (int arm = 0; arm < 2; ++arm) {
      for (int s = 0; s < int(scene->strokes.size()); ++s) {
        const auto& st = scene->strokes[s].arm[arm];
        if (st.kind == model::StrokeKind::Rest) continue;
        (st.kind == model::StrokeKind::Draw ? draw : inkdip) += int(st.poses.size());
        JointVector q = ready;  // each stroke starts from ready, then follows itself
        for (int p = 0; p < int(st.poses.size()); ++p) {
          const Eigen::Vector3d target = *scene->needle_position(s, model::Arm(arm), p, offset);
          const IkResult r = ik[arm].solve(target, scene->ee_rot[arm], q);
          const double err = (model->link_pose(model->ee_link(arm), r.q).translation() - target).norm();
          ++solves;
          worst = std::max(worst, err);
          if (err > 0.0005) {
            ++unreached;
            std::printf("  unreached: offset %d arm %d stroke %d pose %d (%s) error %.2f mm\n", offset, arm, s, p,
                        st.kind == model::StrokeKind::Draw ? "draw" : "inkdip", err * 1e3);
          } else {
            worst_rot = std::max(worst_rot, r.rotation_error_rad);
            q = r.q;
          }
        }
      }
    }
    std::printf("offset %d (%+.4f m): %d solves (%d draw, %d inkdip poses), %d unreached, worst error %.4f mm, "
                "worst rotation error %.2g rad\n",
                offset, scene->offset_value(offset), solves, draw, inkdip, unreached, worst * 1e3, worst_rot);
    EXPECT_EQ(unreached, 0);
  }
}

}  // namespace
}  // namespace strokeviz::model
