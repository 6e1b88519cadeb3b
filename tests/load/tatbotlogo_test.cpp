// The shipped tatbotlogo scene: loads, balanced for the robot, fits the skin,
// and its G-code is exactly what scripts/gen_tatbotlogo.py writes.
#include <cstdlib>

#include <gtest/gtest.h>

#include "model/scene.hpp"
#include "tests/load/scene_test_util.hpp"
#include "load/scene_loader.hpp"
#include "load/gcode.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

using testing::TempDir;

std::filesystem::path logo_dir() { return testing::source_dir() / "scenes/tatbotlogo"; }

const Scene& logo() {
  static const Scene scene = [] {
    auto r = load_scene(logo_dir());
    if (!r.ok()) ADD_FAILURE() << r.error().str();
    return r.ok() ? *r : Scene{};
  }();
  return scene;
}

int count(const Scene& s, Arm arm, StrokeKind kind) {
  int n = 0;
  for (const auto& st : s.strokes) n += st.arm[static_cast<int>(arm)].kind == kind;
  return n;
}

TEST(Tatbotlogo, LoadsWithRobotConfig) {
  const Scene& s = logo();
  EXPECT_EQ(s.name, "tatbotlogo");
  EXPECT_EQ(s.stroke_length, 128);
  EXPECT_EQ(s.offset_num, 32);
  EXPECT_EQ(s.offset_value(0), -0.01);
  EXPECT_EQ(s.offset_value(31), 0.01);
  ASSERT_EQ(s.pens.size(), 2u);
  EXPECT_EQ(s.pens[0].name, "true_blue");
  EXPECT_EQ(s.pens[0].arm, Arm::Left);
  EXPECT_EQ(s.pens[1].name, "bright_red");
  EXPECT_EQ(s.pens[1].arm, Arm::Right);
  EXPECT_EQ(s.inkcaps.size(), 10u);
  EXPECT_EQ(s.urdf, (testing::source_dir() / "assets/tatbot.urdf").lexically_normal());
  EXPECT_EQ(s.ready_pose[0][5], 2.240);
  // our own scene loads clean: no ignored commands, nothing dropped
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front().str();
}

TEST(Tatbotlogo, StrokeCountIsOnePlusAllPaths) {
  const Scene& s = logo();
  const int num_l = count(s, Arm::Left, StrokeKind::Draw);
  const int num_r = count(s, Arm::Right, StrokeKind::Draw);
  EXPECT_EQ(num_l, 9);
  EXPECT_EQ(num_r, 9);
  EXPECT_LE(num_r, num_l);
  EXPECT_LE(num_l, num_r + 1);
  EXPECT_EQ(s.strokes.size(), static_cast<size_t>(1 + num_l + num_r));
  EXPECT_EQ(s.strokes.size(), 19u);
  EXPECT_EQ(s.strokes[0].arm[0].description, "left arm inkdip into inkcap_left_large to fill with true_blue ink");
  EXPECT_EQ(s.strokes.back().arm[1].path_index, 8);
}

TEST(Tatbotlogo, DrawPosesLieOnTheSkin) {
  const Scene& s = logo();
  const Eigen::Vector3d centre = s.design_pose.translation();
  int checked = 0;
  for (const auto& st : s.strokes) {
    for (Arm arm : {Arm::Left, Arm::Right}) {
      const ArmStroke& a = st.arm[static_cast<int>(arm)];
      if (a.kind != StrokeKind::Draw) continue;
      ASSERT_EQ(a.poses.size(), 128u);
      for (size_t i = 0; i < a.poses.size(); ++i) {
        Eigen::Vector3d d = a.poses[i] - s.ee_offset[static_cast<int>(arm)] - centre;
        if (i == 0 || i + 1 == a.poses.size()) d -= s.hover_offset;
        EXPECT_LE(std::abs(d.x()), 0.05);
        EXPECT_LE(std::abs(d.y()), 0.05);
        EXPECT_NEAR(d.z(), 0.0, 1e-12);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 18 * 128);
}

TEST(Tatbotlogo, GeneratorReproducesCommittedGcode) {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not found";
  TempDir tmp;
  const std::string cmd = "python3 '" + (testing::source_dir() / "scripts/gen_tatbotlogo.py").string() +
                          "' --out '" + tmp.path().string() + "' > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  for (const char* f : {"tatbotlogo_pen0_true_blue.gcode", "tatbotlogo_pen1_bright_red.gcode"}) {
    const std::string want = testing::read_text(logo_dir() / f);
    ASSERT_FALSE(want.empty()) << f;
    EXPECT_TRUE(testing::read_text(tmp.path() / f) == want) << f << " differs: run scripts/gen_tatbotlogo.py";
  }
}

}  // namespace
}  // namespace strokeviz::load
