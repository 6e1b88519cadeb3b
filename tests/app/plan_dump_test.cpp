// --dump-plan: the real executable writes the robot's stroke list; checked
// against tatbot's generator rules worked out here from scene.json and the
// G-code (gen/gcode.py make_gcode_strokes, gen/inkdip.py, gen/batch.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "tests/support/process.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
const std::string kExe = STROKEVIZ_EXE;
const std::string kSrc = STROKEVIZ_SOURCE_DIR;

struct Dump {
  ProcessResult run;
  json plan;
};

Dump dump_plan(const std::string& scene) {
  const std::string file =
      (std::filesystem::temp_directory_path() / ("strokeviz_plan_" + std::to_string(::getpid()) + ".json")).string();
  Dump d{run_process({kExe, "--scene=" + scene, "--dump-plan", file}, 120s), {}};
  std::ifstream in(file);
  if (in) d.plan = json::parse(in, nullptr, false);
  std::filesystem::remove(file);
  return d;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// numpy.linspace(a, b, n, endpoint): element i.
double linspace(double a, double b, int n, int i, bool endpoint = true) {
  if (endpoint && i == n - 1) return b;
  return a + i * ((b - a) / (endpoint ? n - 1 : n));
}

// tatbot gen/inkdip.py: the needle's drop below the cap rim at pose i: from
// 2 mm above, 1/3 down to depth/3, 1/3 wait, 1/3 back up to 2 mm above.
double inkdip_drop(int L, double depth_m, int i) {
  const int down = L / 3, up = L / 3, wait = L - down - up;
  const double d = depth_m / 3;
  if (i < down) return linspace(-0.002, d, down, i, false);
  if (i < down + wait) return d;
  return linspace(d, -0.002, up, i - down - wait);
}

// The scene's numbers the rules need.
struct Rules {
  json scene;
  int L = 0, O = 0;
  double offset(int k) const { return linspace(scene["offset_range"][0], scene["offset_range"][1], O, k); }
  double ee(const char* arm, int c) const { return scene["ee_offset"][arm][c]; }
  double hover(int pose) const { return pose == 0 || pose == L - 1 ? 0.005 : 0.0; }
  json cap(const std::string& name) const {
    for (const json& c : scene["inkcaps"])
      if (c["name"] == name) return c;
    return nullptr;
  }
};

Rules rules_for(const std::string& scene_dir) {
  Rules r;
  r.scene = read_json(scene_dir + "/scene.json");
  r.L = r.scene["stroke_length"];
  r.O = r.scene["offset_num"];
  return r;
}

// Every target of an inkdip: cap + ee_offset + drop profile + hover + depth offset.
void expect_inkdip(const Rules& r, const json& a, const char* arm, const std::string& cap_name, int step) {
  const json cap = r.cap(cap_name);
  ASSERT_FALSE(cap.is_null()) << cap_name;
  ASSERT_EQ(a["targets"].size(), static_cast<size_t>(r.L)) << step;
  for (int p = 0; p < r.L; ++p) {
    ASSERT_EQ(a["targets"][p].size(), static_cast<size_t>(r.O));
    for (int o = 0; o < r.O; ++o) {
      const json& t = a["targets"][p][o];
      const double z = double(cap["pos"][2]) + r.ee(arm, 2) - inkdip_drop(r.L, cap["depth_m"], p) + r.hover(p) + r.offset(o);
      EXPECT_NEAR(double(t[0]), double(cap["pos"][0]) + r.ee(arm, 0), 1e-12) << step << " " << p << " " << o;
      EXPECT_NEAR(double(t[1]), double(cap["pos"][1]) + r.ee(arm, 1), 1e-12) << step << " " << p << " " << o;
      EXPECT_NEAR(double(t[2]), z, 1e-12) << "step " << step << " " << arm << " pose " << p << " offset " << o;
    }
  }
  // The profile's top: 2 mm above the cap at the first and last pose (plus hover).
  const double top = double(cap["pos"][2]) + r.ee(arm, 2) + 0.002 + 0.005 + r.offset(0);
  EXPECT_NEAR(double(a["targets"][0][0][2]), top, 1e-12);
  EXPECT_NEAR(double(a["targets"][r.L - 1][0][2]), top, 1e-12);
}

// A draw: design pose + ee_offset + hover + depth offset; its first target is
// the G-code's G0 start point (mm -> m) in the design frame.
void expect_draw(const Rules& r, const json& a, const char* arm, double x0_mm, double y0_mm, int step) {
  ASSERT_EQ(a["targets"].size(), static_cast<size_t>(r.L)) << step;
  const json& pos = r.scene["skin"]["design_pos"];
  EXPECT_NEAR(double(a["targets"][0][0][0]), double(pos[0]) + x0_mm / 1000 + r.ee(arm, 0), 1e-9) << step;
  EXPECT_NEAR(double(a["targets"][0][0][1]), double(pos[1]) + y0_mm / 1000 + r.ee(arm, 1), 1e-9) << step;
  for (int p = 0; p < r.L; ++p)
    for (int o = 0; o < r.O; ++o)
      EXPECT_NEAR(double(a["targets"][p][o][2]), double(pos[2]) + r.ee(arm, 2) + r.hover(p) + r.offset(o), 1e-12)
          << step << " " << p << " " << o;
}

void expect_rest(const json& a, const std::string& description) {
  EXPECT_EQ(a["kind"], "rest");
  EXPECT_EQ(a["description"], description);
  EXPECT_TRUE(a["inkcap"].is_null());
  EXPECT_TRUE(a["pen"].is_null());
  EXPECT_TRUE(a["targets"].is_null());
}

// The G0 start points of a G-code file, in order (one per path).
std::vector<std::pair<double, double>> path_starts(const std::string& file) {
  std::vector<std::pair<double, double>> out;
  std::ifstream in(file);
  std::string cmd, x, y;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    if (ls >> cmd >> x >> y && cmd == "G0") out.emplace_back(std::stod(x.substr(1)), std::stod(y.substr(1)));
  }
  return out;
}

// tatbotlogo, 9 left and 9 right paths: step 0 left inkdip / right rest; odd
// steps left draw / right inkdip; even steps left inkdip / right draw; the
// last step left rest / right draw (README of the robot's recording).
TEST(DumpPlan, TatbotlogoFollowsTheRobotsGeneratorTargetForTarget) {
  const std::string dir = kSrc + "/scenes/tatbotlogo";
  const Dump d = dump_plan("tatbotlogo");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ASSERT_TRUE(d.plan.is_object()) << "no JSON written";
  const Rules r = rules_for(dir);
  EXPECT_EQ(d.plan["scene"], "tatbotlogo");
  EXPECT_EQ(d.plan["stroke_length"], 128);
  EXPECT_EQ(d.plan["offset_num"], 32);
  const json& steps = d.plan["steps"];
  ASSERT_EQ(steps.size(), 19u);
  const auto left = path_starts(dir + "/tatbotlogo_pen0_true_blue.gcode");
  const auto right = path_starts(dir + "/tatbotlogo_pen1_bright_red.gcode");
  ASSERT_EQ(left.size(), 9u);
  ASSERT_EQ(right.size(), 9u);
  const std::string dip_l = "left arm inkdip into inkcap_left_large to fill with true_blue ink";
  const std::string dip_r = "right arm inkdip into inkcap_right_large to fill with bright_red ink";
  for (int s = 0; s < 19; ++s) {
    const json& l = steps[s]["left"];
    const json& rt = steps[s]["right"];
    if (s == 18) {
      expect_rest(l, "left arm at rest");
    } else if (s % 2 == 0) {
      EXPECT_EQ(l["kind"], "inkdip");
      EXPECT_EQ(l["description"], dip_l);
      EXPECT_EQ(l["inkcap"], "inkcap_left_large");
      EXPECT_EQ(l["pen"], "true_blue");
      expect_inkdip(r, l, "left", "inkcap_left_large", s);
    } else {
      EXPECT_EQ(l["kind"], "draw");
      EXPECT_EQ(l["description"], "left arm stroke after inkdip in inkcap_left_large");
      EXPECT_EQ(l["pen"], "true_blue");
      const auto [x, y] = left[static_cast<size_t>(s / 2)];
      expect_draw(r, l, "left", x, y, s);
    }
    if (s == 0) {
      expect_rest(rt, "right arm at rest");
    } else if (s % 2 == 1) {
      EXPECT_EQ(rt["kind"], "inkdip");
      EXPECT_EQ(rt["description"], dip_r);
      expect_inkdip(r, rt, "right", "inkcap_right_large", s);
    } else {
      EXPECT_EQ(rt["kind"], "draw");
      EXPECT_EQ(rt["description"], "right arm stroke after inkdip in inkcap_right_large");
      EXPECT_EQ(rt["inkcap"], "inkcap_right_large");
      const auto [x, y] = right[static_cast<size_t>(s / 2 - 1)];
      expect_draw(r, rt, "right", x, y, s);
    }
  }
}

// 3 left, 2 right: the robot's loop schedules every path, but the last step
// (left draw 2, right rest) falls under first/last rest: the left arm holds
// ready, so left path 2 is never drawn, and the warning says so.
//   0: L I R R | 1: L 0 R I | 2: L I R 0 | 3: L 1 R I | 4: L I R 1 | 5: L (2 held) R R
TEST(DumpPlan, ThreeLeftTwoRightHoldsTheLeftArmAtReadyInTheLastStep) {
  const std::string dir = kSrc + "/tests/data/scenes/three_two";
  const Dump d = dump_plan(dir);
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ASSERT_TRUE(d.plan.is_object()) << "no JSON written";
  const Rules r = rules_for(dir);
  const json& steps = d.plan["steps"];
  ASSERT_EQ(steps.size(), 6u);
  const char* left_kinds[] = {"inkdip", "draw", "inkdip", "draw", "inkdip", "rest"};
  const char* right_kinds[] = {"rest", "inkdip", "draw", "inkdip", "draw", "rest"};
  for (size_t s = 0; s < 6; ++s) {
    EXPECT_EQ(steps[s]["left"]["kind"], left_kinds[s]) << s;
    EXPECT_EQ(steps[s]["right"]["kind"], right_kinds[s]) << s;
  }
  expect_inkdip(r, steps[4]["left"], "left", "inkcap_left_large", 4);
  expect_inkdip(r, steps[3]["right"], "right", "inkcap_right_large", 3);
  expect_draw(r, steps[3]["left"], "left", -10, 0, 3);
  expect_draw(r, steps[4]["right"], "right", 5, -10, 4);
  // The held arm keeps the robot's own description of the step.
  expect_rest(steps[5]["left"], "left arm stroke after inkdip in inkcap_left_large");
  expect_rest(steps[5]["right"], "right arm at rest");
  expect_rest(steps[0]["right"], "right arm at rest");
  const std::string warning =
      "the robot draws 2 of 3 left arm paths (0..1); it won't draw left path 2: 2 is in the last step, where "
      "the robot holds the left arm at ready. It draws every path only when left and right have as many "
      "(left 3, right 2)";
  EXPECT_NE((d.run.out + d.run.err).find(warning), std::string::npos) << d.run.out << d.run.err;
}

TEST(DumpPlan, AnUnwritableFileIsNamedAndExitsOne) {
  const std::string file = "/nonexistent-dir/plan.json";
  const auto r = run_process({kExe, "--scene=tatbotlogo", "--dump-plan", file}, 120s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--dump-plan: " + file + ": cannot write the plan"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strokeviz::test
