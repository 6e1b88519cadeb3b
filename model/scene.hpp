// A scene: scene.json + one G-code file per pen, built into the robot's stroke list.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "common/expected.hpp"

namespace strokeviz::model {

enum class Arm { Left = 0, Right = 1 };
inline constexpr int kArmCount = 2;
inline constexpr int kJointsPerArm = 7;  // joint_0..joint_5 + gripper carriage
inline const char* arm_name(Arm a) { return a == Arm::Left ? "left" : "right"; }

enum class StrokeKind { Draw, Inkdip, Rest };
// "draw", "inkdip", "rest": the names the panels and --dump-plan use.
inline const char* kind_name(StrokeKind k) {
  switch (k) {
    case StrokeKind::Draw: return "draw";
    case StrokeKind::Inkdip: return "inkdip";
    case StrokeKind::Rest: return "rest";
  }
  return "rest";
}

// What one arm does during one stroke step.
struct ArmStroke {
  StrokeKind kind = StrokeKind::Rest;
  // Rest also for an arm the robot holds at ready by its first/last rest rule
  // (right arm in the first step, left arm in the last); such a stroke keeps
  // the robot's description but has no pen, inkcap or poses.
  std::string description;  // exactly the robot's text, e.g. "left arm at rest"
  std::string pen;          // pen / ink name; empty for Rest
  std::string inkcap;       // inkcap used (dipped into, or dipped before drawing)
  int path_index = -1;      // Draw: index into this arm's G-code paths
  // stroke_length needle positions in the world frame (metres) at depth
  // offset 0 of offset_value(): design pose and ee_offset applied, hover
  // offset on the first and last pose. Empty for Rest (the arm holds ready).
  std::vector<Eigen::Vector3d> poses;
};

// One step of the robot: both arms move together. stroke_idx in the
// protocol indexes Scene::strokes.
struct StrokeStep {
  std::array<ArmStroke, kArmCount> arm;
};

struct Pen {
  std::string name;
  Arm arm = Arm::Left;
  int pen_index = 0;              // k in <design>_pen<k>_<pen>.gcode
  std::array<float, 3> rgb{};     // 0..1
  std::filesystem::path gcode;    // the pen's G-code file
};

struct InkCap {
  std::string name;
  Arm arm = Arm::Left;
  std::string ink;  // pen name it holds; empty if none
  Eigen::Vector3d pos = Eigen::Vector3d::Zero();  // world, metres
  double diameter_m = 0.0;
  double depth_m = 0.0;
};

struct Scene {
  std::string name;    // scene name (folder name / scene.json "name")
  std::string design;  // design name, the G-code file prefix
  std::filesystem::path dir;

  int stroke_length = 0;
  int offset_num = 1;
  std::array<double, 2> offset_range{0.0, 0.0};  // metres along the skin normal
  double goal_time_fast = 0.2;
  double goal_time_slow = 1.0;

  Eigen::Vector3d hover_offset = Eigen::Vector3d::Zero();
  std::array<Eigen::Vector3d, kArmCount> ee_offset{Eigen::Vector3d::Zero(), Eigen::Vector3d::Zero()};
  std::array<Eigen::Quaterniond, kArmCount> ee_rot{Eigen::Quaterniond::Identity(),
                                                   Eigen::Quaterniond::Identity()};

  double skin_width_m = 0.1;
  double skin_height_m = 0.1;
  Eigen::Isometry3d design_pose = Eigen::Isometry3d::Identity();  // design frame -> world

  std::vector<Pen> pens;
  std::vector<InkCap> inkcaps;
  std::array<std::array<double, kJointsPerArm>, kArmCount> ready_pose{};
  std::array<std::array<double, kJointsPerArm>, kArmCount> sleep_pose{};

  std::filesystem::path urdf;  // robot model, resolved to an absolute path
  std::array<std::string, kArmCount> ee_links{"left/tattoo_needle", "right/tattoo_needle"};

  std::vector<StrokeStep> strokes;
  std::vector<Error> warnings;  // non-fatal findings (ignored G-code, dropped paths, …)

  // Depth offset k in [0, offset_num): evenly spaced over offset_range.
  double offset_value(int k) const;
  // The skin normal (design frame +Z in the world).
  Eigen::Vector3d skin_normal() const;
  // World position of the needle for (stroke, arm, pose, offset);
  // std::nullopt for a Rest stroke or out-of-range indices.
  std::optional<Eigen::Vector3d> needle_position(int stroke, Arm arm, int pose, int offset) const;
  const Pen* find_pen(const std::string& name) const;
};

// Builds the stroke list from per-arm paths (design metres, already
// resampled to stroke_length) exactly as tatbot gen/gcode.py
// make_gcode_strokes does. Exposed for tests with hand-worked designs.
struct ArmPath {
  std::string pen;
  std::vector<Eigen::Vector3d> design_points_m;  // stroke_length points, design frame
};
std::vector<StrokeStep> build_strokes(const Scene& scene,
                                      const std::array<std::vector<ArmPath>, kArmCount>& paths,
                                      std::vector<Error>* warnings);

// Like build_strokes(), but an error (an arm without paths: "No paths found
// for left or right arm", or no inkcap of the arm holding a pen's ink) is
// returned instead of being appended to *warnings with an empty list.
Expected<std::vector<StrokeStep>> try_build_strokes(
    const Scene& scene, const std::array<std::vector<ArmPath>, kArmCount>& paths,
    std::vector<Error>* warnings);

}  // namespace strokeviz::model
