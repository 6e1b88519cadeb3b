// Joint values for a (stroke, pose, offset): IK along each stroke, warm-started and cached.
#pragma once

#include <array>
#include <map>
#include <tuple>
#include <vector>

#include "model/ik.hpp"
#include "model/robot_model.hpp"
#include "model/scene.hpp"

namespace strokeviz::follow {

struct ArmSolution {
  std::array<double, model::kArmJoints> q{};
  double error_m = 0.0;      // needle distance from the target
  bool reachable = true;     // within the IK tolerance (Rest: always)
  bool rest = false;         // the arm holds its ready pose
};

// Which thread: the render thread only (owns its cache).
// Solves a whole stroke at once, pose after pose, each warm-started from the
// previous one (pose 0 from the ready pose), so the answer for a pose does
// not depend on the order a user visits poses in.
class PoseSolver {
 public:
  PoseSolver(const model::Scene& scene, const model::RobotModel& model);

  bool has_arms() const { return model_.has_arms(); }
  const ArmSolution& solve(model::Arm arm, int stroke, int pose, int offset);
  // All 14 joints, left arm first.
  model::JointVector joints(int stroke, int pose, const std::array<int, 2>& offsets);
  std::size_t cached_strokes() const { return cache_.size(); }
  void clear_cache() { cache_.clear(); }
  // The cache holds at most this many (arm, stroke, offset) solutions; past
  // it, it starts over (a whole stroke re-solves in about a millisecond).
  static constexpr std::size_t kMaxCachedStrokes = 1024;
  // Poses of (arm, stroke, offset) the needle cannot reach, and the worst miss.
  struct StrokeReach { int unreachable = 0; double worst_error_m = 0.0; };
  StrokeReach stroke_reach(model::Arm arm, int stroke, int offset);

 private:
  const std::vector<ArmSolution>& stroke_solution(model::Arm arm, int stroke, int offset);

  const model::Scene& scene_;
  const model::RobotModel& model_;
  std::array<model::ArmIk, 2> ik_;
  std::map<std::tuple<int, int, int>, std::vector<ArmSolution>> cache_;
  ArmSolution fallback_;
};

}  // namespace strokeviz::follow
