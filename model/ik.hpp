// Inverse kinematics for one arm: damped least squares, warm-started.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "model/robot_model.hpp"

namespace strokeviz::model {

struct IkResult {
  JointVector q{};                // all 14 values; only this arm's changed
  double position_error_m = 0.0;  // |FK(q).translation - target|
  double rotation_error_rad = 0.0;
  int iterations = 0;
  bool reachable = false;         // position_error_m <= tolerance
};

struct IkOptions {
  double tolerance_m = 0.0005;    // the 0.5 mm goal
  int max_iterations = 100;
  double damping = 1e-3;          // lambda^2 of the DLS step
  double rotation_weight = 0.2;   // metres per radian when a rotation target is given
};

// Which thread: any; stateless apart from the model it reads.
class ArmIk {
 public:
  // arm 0 = left, 1 = right; the model must have arms set.
  ArmIk(const RobotModel& model, int arm, IkOptions options = {});

  // Moves this arm's 6 revolute joints (the carriage keeps its seed value)
  // so that the arm's ee link reaches target_pos (world), and, if given,
  // target_rot as closely as the position allows. Starts from `seed`
  // (warm start: pass the previous pose's solution). Respects joint limits.
  IkResult solve(const Eigen::Vector3d& target_pos, const std::optional<Eigen::Quaterniond>& target_rot,
                 const JointVector& seed) const;

 private:
  // One iteration's worth of chain state; see ik.cpp.
  struct Chain;
  void build_chain(const JointVector& seed, Chain& c) const;
  // Damped least squares from q (this arm's active joints) in place;
  // returns the iterations used.
  int descend(const Chain& c, const Eigen::Vector3d& target_pos, const Eigen::Quaterniond* target_rot,
              double* q, int max_iterations) const;

  const RobotModel& model_;
  int arm_;
  IkOptions options_;
  std::vector<int> chain_joints_;            // root -> ee link, every joint
  std::array<int, kArmJoints> active_slot_{};  // JointVector slots of the revolute joints
  int active_count_ = 0;
  std::array<double, kArmJoints> lower_{}, upper_{};
};

}  // namespace strokeviz::model
