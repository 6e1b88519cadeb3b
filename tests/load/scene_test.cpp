// Scene loading and the stroke list against a hand-worked design (app/scene/scene.hpp).
#include <cmath>

#include <gtest/gtest.h>

#include "model/scene.hpp"
#include "tests/load/scene_test_util.hpp"
#include "load/scene_loader.hpp"
#include "load/gcode.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

using testing::mini_scene_json;
using testing::TempDir;
using testing::write_mini_scene;
using V = Eigen::Vector3d;

Scene load_ok(const std::filesystem::path& p) {
  auto r = load_scene(p);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return r.ok() ? *r : Scene{};
}

Scene parse_ok(const nlohmann::json& j, const std::filesystem::path& json_path = "/tmp/x/scene.json") {
  auto r = parse_scene_json(j.dump(2), json_path);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return r.ok() ? *r : Scene{};
}

void expect_near(const V& a, const V& b, double tol = 1e-12) {
  EXPECT_NEAR((a - b).norm(), 0.0, tol) << "got " << a.transpose() << " want " << b.transpose();
}

struct Expect {
  StrokeKind kind;
  const char* description;
  int path_index;
};

void expect_arm(const ArmStroke& s, const Expect& e, int step, const char* arm) {
  EXPECT_EQ(s.kind, e.kind) << "step " << step << " " << arm;
  EXPECT_EQ(s.description, e.description) << "step " << step << " " << arm;
  EXPECT_EQ(s.path_index, e.path_index) << "step " << step << " " << arm;
}

// The mini design (scene_test_util.hpp), pens sorted by k:
//   left paths:  0 = true_blue (0,0)->(10,0) mm, 1 = nighthawk_black (0,5)->(5,5)
//   right paths: 0 = bright_red (0,0)->(0,10),   1 = bright_red (-5,-5)->(-5,5)
// make_gcode_strokes by hand (num_l = num_r = 2, so 1 + 4 steps):
//   0: L inkdip blue (inkcap_l = capL_blue)      R rest
//   1: L draw 0 (ptr_l 1)                        R inkdip red (inkcap_r = capR_red)
//   2: L inkdip black (path 1's pen)             R draw 0 (ptr_r 1)
//   3: L draw 1 (ptr_l 2)                        R inkdip red
//   4: L rest (ptr_l >= num_l)                   R draw 1 (ptr_r 2)
TEST(SceneStrokes, HandWorkedSequence) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path());
  const Expect left[] = {
      {StrokeKind::Inkdip, "left arm inkdip into capL_blue to fill with true_blue ink", -1},
      {StrokeKind::Draw, "left arm stroke after inkdip in capL_blue", 0},
      {StrokeKind::Inkdip, "left arm inkdip into capL_black to fill with nighthawk_black ink", -1},
      {StrokeKind::Draw, "left arm stroke after inkdip in capL_black", 1},
      {StrokeKind::Rest, "left arm at rest", -1},
  };
  const Expect right[] = {
      {StrokeKind::Rest, "right arm at rest", -1},
      {StrokeKind::Inkdip, "right arm inkdip into capR_red to fill with bright_red ink", -1},
      {StrokeKind::Draw, "right arm stroke after inkdip in capR_red", 0},
      {StrokeKind::Inkdip, "right arm inkdip into capR_red to fill with bright_red ink", -1},
      {StrokeKind::Draw, "right arm stroke after inkdip in capR_red", 1},
  };
  ASSERT_EQ(s.strokes.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    expect_arm(s.strokes[static_cast<size_t>(i)].arm[0], left[i], i, "left");
    expect_arm(s.strokes[static_cast<size_t>(i)].arm[1], right[i], i, "right");
  }
  EXPECT_EQ(s.strokes[3].arm[0].pen, "nighthawk_black");
  EXPECT_EQ(s.strokes[3].arm[0].inkcap, "capL_black");
  EXPECT_EQ(s.strokes[2].arm[1].pen, "bright_red");
  EXPECT_TRUE(s.strokes[0].arm[1].poses.empty());
  EXPECT_TRUE(s.strokes[0].arm[1].pen.empty());
  for (const auto& step : s.strokes)
    for (const auto& a : step.arm)
      EXPECT_EQ(a.poses.size(), a.kind == StrokeKind::Rest ? 0u : 6u);
}

TEST(SceneStrokes, DrawPosesInWorldWithHover) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path());
  const auto& draw = s.strokes[1].arm[0];  // left path 0: (0,0)->(10,0) mm, 6 poses
  ASSERT_EQ(draw.poses.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    V want = V(0.25, 0.0, 0.1) + V(0.002 * i, 0.0, 0.0) + V(0.001, 0.002, 0.0);
    if (i == 0 || i == 5) want += V(0, 0, 0.005);
    expect_near(draw.poses[static_cast<size_t>(i)], want);
  }
  const auto& right = s.strokes[4].arm[1];  // right path 1: (-5,-5)->(-5,5) mm
  expect_near(right.poses[0], V(0.245, -0.005, 0.1) + V(-0.001, 0.0, 0.003) + V(0, 0, 0.005));
  expect_near(right.poses[3], V(0.245, 0.001, 0.1) + V(-0.001, 0.0, 0.003));
}

// stroke_length 6: num_down = 2, num_wait = 2, num_up = 2, depth = 0.012 / 3;
// the robot's inkdip starts and ends 2 mm above the cap (a drop of -2 mm).
TEST(SceneStrokes, InkdipProfileShort) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path());
  const auto& dip = s.strokes[0].arm[0];
  ASSERT_EQ(dip.poses.size(), 6u);
  const double d = 0.004;
  const double drops[] = {-0.002, -0.002 + (d + 0.002) / 2, d, d, d, -0.002};
  const V base = V(0.1, 0.05, 0.08) + V(0.001, 0.002, 0.0);
  for (int i = 0; i < 6; ++i) {
    V want = base - V(0, 0, drops[i]);
    if (i == 0 || i == 5) want += V(0, 0, 0.005);
    expect_near(dip.poses[static_cast<size_t>(i)], want);
  }
}

// stroke_length 128: 42 down (-2 mm .. < depth), 44 wait at depth, 42 up
// (depth .. -2 mm): tatbot gen/inkdip.py's linspace(-0.002, d, endpoint=False),
// full(d), linspace(d, -0.002).
TEST(SceneStrokes, InkdipProfile128) {
  auto j = mini_scene_json();
  j["stroke_length"] = 128;
  Scene s = parse_ok(j);
  std::array<std::vector<ArmPath>, kArmCount> paths;
  paths[0].push_back(ArmPath{"true_blue", std::vector<V>(128, V::Zero())});
  paths[1].push_back(ArmPath{"bright_red", std::vector<V>(128, V::Zero())});
  std::vector<Error> warnings;
  const auto steps = build_strokes(s, paths, &warnings);
  ASSERT_EQ(steps.size(), 3u);
  const auto& dip = steps[0].arm[0];
  ASSERT_EQ(dip.poses.size(), 128u);
  const double top = 0.08, d = 0.012 / 3;
  std::vector<double> drop;
  for (size_t i = 0; i < 128; ++i) {
    double z = dip.poses[i].z() - s.ee_offset[0].z();
    if (i == 0 || i == 127) z -= 0.005;  // hover
    drop.push_back(top - z);
  }
  int at_depth = 0;
  for (double v : drop) at_depth += std::abs(v - d) < 1e-12;
  EXPECT_EQ(at_depth, 44 + 1);  // the wait plus the first "up" value
  for (int i = 0; i < 42; ++i) EXPECT_NEAR(drop[static_cast<size_t>(i)], -0.002 + i * (d + 0.002) / 42, 1e-12) << i;
  for (int i = 42; i < 86; ++i) EXPECT_NEAR(drop[static_cast<size_t>(i)], d, 1e-12) << i;
  for (int i = 86; i < 128; ++i)
    EXPECT_NEAR(drop[static_cast<size_t>(i)], d + (i - 86) * (-0.002 - d) / 41, 1e-12) << i;
  EXPECT_NEAR(drop[127], -0.002, 1e-15);
  EXPECT_NEAR(dip.poses[0].z(), top + 0.002 + 0.005, 1e-12);
  EXPECT_NEAR(dip.poses[127].z(), top + 0.002 + 0.005, 1e-12);
  EXPECT_TRUE(warnings.empty());
}

std::array<std::vector<ArmPath>, kArmCount> dummy_paths(const Scene& s, int num_l, int num_r) {
  std::array<std::vector<ArmPath>, kArmCount> paths;
  for (int i = 0; i < num_l; ++i) paths[0].push_back(ArmPath{"true_blue", std::vector<V>(6, V(i, 0, 0))});
  for (int i = 0; i < num_r; ++i) paths[1].push_back(ArmPath{"bright_red", std::vector<V>(6, V(i, 0, 0))});
  return paths;
}

std::string kinds(const std::vector<StrokeStep>& steps, int arm) {
  std::string out;
  for (const auto& st : steps) {
    const auto& a = st.arm[static_cast<size_t>(arm)];
    out += a.kind == StrokeKind::Rest ? "R" : a.kind == StrokeKind::Inkdip ? "I" : std::to_string(a.path_index);
  }
  return out;
}

// num_l = 1, num_r = 3: 4 loop steps. Right needs 6 steps for 3 paths, so
// the robot never draws right path 2.
//   0: L I  R R | 1: L 0  R I | 2: L R  R 0 | 3: L R  R I | 4: L R  R 1
TEST(SceneStrokes, UnbalancedRightDropsPath) {
  const Scene s = parse_ok(mini_scene_json());
  std::vector<Error> warnings;
  const auto steps = build_strokes(s, dummy_paths(s, 1, 3), &warnings);
  EXPECT_EQ(kinds(steps, 0), "I0RRR");
  EXPECT_EQ(kinds(steps, 1), "RI0I1");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message,
            "the robot draws 2 of 3 right arm paths (0..1); it won't draw right path 2: 2 is never reached "
            "(the robot's loop runs 4 steps). It draws every path only when left and right have as many "
            "(left 1, right 3)");
}

// num_l = 4, num_r = 1: 5 loop steps; left needs 7, so left path 3 is
// never reached, and left path 2 falls in the last step, where the robot
// holds the left arm at ready (first/last rest).
TEST(SceneStrokes, UnbalancedLeftDropsPath) {
  const Scene s = parse_ok(mini_scene_json());
  std::vector<Error> warnings;
  const auto steps = build_strokes(s, dummy_paths(s, 4, 1), &warnings);
  EXPECT_EQ(kinds(steps, 0), "I0I1IR");
  EXPECT_EQ(kinds(steps, 1), "RI0RRR");
  EXPECT_EQ(steps[3].arm[1].description, "right arm at rest");
  EXPECT_EQ(steps[5].arm[0].description, "left arm stroke after inkdip in capL_blue");  // the robot's text
  EXPECT_TRUE(steps[5].arm[0].poses.empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message,
            "the robot draws 2 of 4 left arm paths (0..1); it won't draw left paths 2..3: 2 is in the last "
            "step, where the robot holds the left arm at ready; 3 is never reached (the robot's loop runs 5 "
            "steps). It draws every path only when left and right have as many (left 4, right 1)");
}

// num_l = num_r + 1 is scheduled in full, but the last left path is in the
// last step: the robot holds the left arm at ready there and never draws it.
TEST(SceneStrokes, OneMoreLeftLosesTheLastLeftPath) {
  const Scene s = parse_ok(mini_scene_json());
  std::vector<Error> warnings;
  const auto steps = build_strokes(s, dummy_paths(s, 3, 2), &warnings);
  EXPECT_EQ(kinds(steps, 0), "I0I1IR");
  EXPECT_EQ(kinds(steps, 1), "RI0I1R");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message,
            "the robot draws 2 of 3 left arm paths (0..1); it won't draw left path 2: 2 is in the last step, "
            "where the robot holds the left arm at ready. It draws every path only when left and right have "
            "as many (left 3, right 2)");
}

TEST(SceneStrokes, BalancedDesignsDropNothing) {
  const Scene s = parse_ok(mini_scene_json());
  for (auto [l, r] : {std::pair{3, 3}, std::pair{1, 1}, std::pair{5, 5}}) {
    std::vector<Error> warnings;
    const auto steps = build_strokes(s, dummy_paths(s, l, r), &warnings);
    EXPECT_EQ(steps.size(), static_cast<size_t>(1 + l + r));
    EXPECT_TRUE(warnings.empty()) << l << "/" << r;
    EXPECT_EQ(steps.back().arm[0].description, "left arm at rest");
  }
}

TEST(SceneStrokes, EmptyArmIsError) {
  const Scene s = parse_ok(mini_scene_json());
  auto r = try_build_strokes(s, dummy_paths(s, 2, 0), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No paths found for left or right arm");
  std::vector<Error> warnings;
  EXPECT_TRUE(build_strokes(s, dummy_paths(s, 0, 2), &warnings).empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message, "No paths found for left or right arm");
}

TEST(SceneStrokes, PenWithoutInkcapIsError) {
  const Scene s = parse_ok(mini_scene_json());
  auto paths = dummy_paths(s, 1, 1);
  paths[1][0].pen = "true_blue";  // no right inkcap holds true_blue
  auto r = try_build_strokes(s, paths, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no right inkcap holds ink 'true_blue'"), std::string::npos);
}

// ---- offsets ----------------------------------------------------------------

TEST(SceneOffsets, OffsetValueEndpointsAndSpacing) {
  Scene s = parse_ok(mini_scene_json());  // offset_num 5 over [-0.002, 0.002]
  EXPECT_EQ(s.offset_value(0), -0.002);
  EXPECT_EQ(s.offset_value(4), 0.002);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(s.offset_value(k + 1) - s.offset_value(k), 0.001, 1e-15);
  EXPECT_NEAR(s.offset_value(2), 0.0, 1e-18);
  s.offset_num = 1;
  EXPECT_EQ(s.offset_value(0), -0.002);
}

TEST(SceneOffsets, NeedlePositionAlongNormal) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path());
  expect_near(s.skin_normal(), V::UnitZ());
  const V p = s.strokes[1].arm[0].poses[2];
  expect_near(*s.needle_position(1, Arm::Left, 2, 0), p + V(0, 0, -0.002));
  expect_near(*s.needle_position(1, Arm::Left, 2, 4), p + V(0, 0, 0.002));
  expect_near(*s.needle_position(0, Arm::Left, 0, 3), s.strokes[0].arm[0].poses[0] + V(0, 0, 0.001));
}

TEST(SceneOffsets, RotatedDesignUsesRotatedNormal) {
  TempDir tmp;
  auto j = mini_scene_json();
  const double c = std::sqrt(0.5);
  j["skin"]["design_wxyz"] = {c, c, 0.0, 0.0};  // +90 deg about X: design +Z -> world -Y
  write_mini_scene(tmp.path(), j);
  const Scene s = load_ok(tmp.path());
  expect_near(s.skin_normal(), V(0, -1, 0), 1e-12);
  // right path 0: (0,0)->(0,10) mm; design +Y -> world +Z
  const auto& draw = s.strokes[2].arm[1];
  expect_near(draw.poses[3], V(0.25, 0.0, 0.1 + 0.006) + V(-0.001, 0.0, 0.003), 1e-12);
  expect_near(*s.needle_position(2, Arm::Right, 3, 0), draw.poses[3] + V(0, 0.002, 0), 1e-12);
}

TEST(SceneOffsets, OutOfRangeIsNullopt) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path());
  EXPECT_FALSE(s.needle_position(-1, Arm::Left, 0, 0));
  EXPECT_FALSE(s.needle_position(5, Arm::Left, 0, 0));
  EXPECT_FALSE(s.needle_position(0, Arm::Right, 0, 0));  // rest
  EXPECT_FALSE(s.needle_position(1, Arm::Left, 6, 0));
  EXPECT_FALSE(s.needle_position(1, Arm::Left, -1, 0));
  EXPECT_FALSE(s.needle_position(1, Arm::Left, 0, 5));
  EXPECT_FALSE(s.needle_position(1, Arm::Left, 0, -1));
  EXPECT_TRUE(s.needle_position(4, Arm::Right, 5, 4));
}

// ---- loading ----------------------------------------------------------------

TEST(SceneLoad, FieldsPensAndWarnings) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  const Scene s = load_ok(tmp.path() / "scene.json");  // the file itself works too
  EXPECT_EQ(s.name, "mini");
  EXPECT_EQ(s.design, "mini");
  EXPECT_EQ(s.stroke_length, 6);
  ASSERT_EQ(s.pens.size(), 3u);
  EXPECT_EQ(s.pens[0].name, "true_blue");
  EXPECT_EQ(s.pens[1].name, "bright_red");
  EXPECT_EQ(s.pens[1].arm, Arm::Right);
  EXPECT_EQ(s.pens[2].name, "nighthawk_black");
  EXPECT_EQ(s.pens[2].pen_index, 2);
  EXPECT_EQ(s.pens[2].gcode.filename(), "mini_pen2_nighthawk_black.gcode");
  EXPECT_FLOAT_EQ(s.pens[0].rgb[1], 128.0f / 255.0f);
  ASSERT_NE(s.find_pen("bright_red"), nullptr);
  EXPECT_EQ(s.find_pen("nope"), nullptr);
  EXPECT_EQ(s.inkcaps.size(), 4u);
  EXPECT_TRUE(s.inkcaps[1].ink.empty());
  EXPECT_TRUE(s.urdf.is_absolute());
  EXPECT_EQ(s.urdf, (tmp.path() / "robot/tatbot.urdf").lexically_normal());
  EXPECT_NEAR(s.ee_rot[1].norm(), 1.0, 1e-15);
  EXPECT_EQ(s.sleep_pose[1][0], -1.0);
  EXPECT_EQ(s.ee_links[0], "left/tattoo_needle");
  ASSERT_EQ(s.warnings.size(), 2u);  // M3 and M5 in mini_pen0_true_blue.gcode (G21/G90 are silent)
  EXPECT_EQ(s.warnings[0].line, 2);
  EXPECT_EQ(s.warnings[1].line, 4);
  EXPECT_EQ(std::filesystem::path(s.warnings[1].file).filename(), "mini_pen0_true_blue.gcode");
}

TEST(SceneLoad, PenOnNeitherArmWarnsAndIsIgnored) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  // greedy like the robot's regex: the last "_pen<k>_" split that fits
  testing::write_text(tmp.path() / "mini_penx_pen3_snow_white.gcode", "G0 X0 Y0\nG1 X1 Y1\n");
  const Scene s = load_ok(tmp.path());
  EXPECT_EQ(s.strokes.size(), 5u);
  EXPECT_EQ(s.find_pen("snow_white"), nullptr);
  bool warned = false;
  for (const auto& w : s.warnings) warned |= w.message.find("snow_white") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(SceneLoad, PenOnBothArmsDrawsOnBoth) {
  TempDir tmp;
  auto j = mini_scene_json();
  j["pens"]["right"] = {"bright_red", "true_blue"};
  j["inkcaps"].push_back({{"name", "capR_blue"}, {"arm", "right"}, {"ink", "true_blue"},
                          {"pos", {0.1, -0.07, 0.08}}, {"diameter_m", 0.01}, {"depth_m", 0.01}});
  write_mini_scene(tmp.path(), j);
  const Scene s = load_ok(tmp.path());
  // left: blue, black; right: blue (pen0 first), red, red -> 1 + 2 + 3 steps
  ASSERT_EQ(s.strokes.size(), 6u);
  EXPECT_EQ(s.strokes[1].arm[1].description, "right arm inkdip into capR_blue to fill with true_blue ink");
}

TEST(SceneLoad, GcodeNameNotMatchingIsError) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  testing::write_text(tmp.path() / "notes.gcode", "G0 X0 Y0\n");
  auto r = load_scene(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::filesystem::path(r.error().file).filename(), "notes.gcode");
}

TEST(SceneLoad, DuplicatePenFileIsError) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  testing::write_text(tmp.path() / "mini_pen7_true_blue.gcode", "G0 X0 Y0\nG1 X1 Y1\n");
  auto r = load_scene(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("more than one"), std::string::npos);
}

TEST(SceneLoad, ArmWithoutPathsIsError) {
  TempDir tmp;
  write_mini_scene(tmp.path());
  testing::write_text(tmp.path() / "mini_pen1_bright_red.gcode", "G21\nG0 X0 Y0\n");  // pen up only
  auto r = load_scene(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No paths found for left or right arm");
}

TEST(SceneLoad, ListScenesSorted) {
  TempDir tmp;
  for (const char* n : {"zeta", "alpha", "mid"}) {
    std::filesystem::create_directories(tmp.path() / n);
    testing::write_text(tmp.path() / n / "scene.json", "{}");
  }
  std::filesystem::create_directories(tmp.path() / "no_scene");
  testing::write_text(tmp.path() / "file.json", "{}");
  EXPECT_EQ(list_scenes(tmp.path()), (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_TRUE(list_scenes(tmp.path() / "missing").empty());
  const auto shipped = list_scenes(testing::source_dir() / "scenes");
  EXPECT_NE(std::find(shipped.begin(), shipped.end(), "tatbotlogo"), shipped.end());
}

}  // namespace
}  // namespace strokeviz::load
