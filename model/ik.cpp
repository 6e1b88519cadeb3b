// ArmIk: damped least squares IK on one arm's revolute joints, warm-started, with restarts.
#include "model/ik.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace strokeviz::model {

// The arm's kinematic chain collapsed around its active (revolute) joints
// for one solve: held joints (the carriage) and fixed joints are folded
// into the constant transforms between them.
struct ArmIk::Chain {
  // pre[k]: from the previous active joint's child frame (the world for
  // k = 0) to active joint k's frame; pre[n]: last child frame to the ee.
  std::array<Eigen::Matrix3d, kArmJoints + 1> pre_rot;
  std::array<Eigen::Vector3d, kArmJoints + 1> pre_pos;
  std::array<Eigen::Vector3d, kArmJoints> axis;
};

namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;
using Mat6 = Eigen::Matrix<double, 6, 6>;
using Jac = Eigen::Matrix<double, 6, kArmJoints>;

// Rotation error as a world-frame rotation vector: target * current^-1.
Eigen::Vector3d rotation_error(const Eigen::Matrix3d& target, const Eigen::Matrix3d& current) {
  const Eigen::AngleAxisd aa(target * current.transpose());
  return aa.angle() * aa.axis();
}

double rotation_distance(const Eigen::Matrix3d& target, const Eigen::Matrix3d& current) {
  const double c = std::clamp(((target.transpose() * current).trace() - 1.0) * 0.5, -1.0, 1.0);
  return std::acos(c);
}

}  // namespace

ArmIk::ArmIk(const RobotModel& model, int arm, IkOptions options) : model_(model), arm_(arm), options_(options) {
  if (!model.has_arms() || arm < 0 || arm > 1) return;
  const auto& links = model.links();
  const auto& joints = model.joints();
  for (int l = model.ee_link(arm); links[l].parent_joint >= 0; l = joints[links[l].parent_joint].parent_link) {
    chain_joints_.push_back(links[l].parent_joint);
  }
  std::reverse(chain_joints_.begin(), chain_joints_.end());
  const auto& arm_joints = model.arm_joints();
  for (int k = 0; k < kArmJoints; ++k) {
    const int slot = RobotModel::arm_offset(arm) + k;
    const Joint& j = joints[arm_joints[slot]];
    if (j.type != JointType::Revolute && j.type != JointType::Continuous) continue;
    active_slot_[active_count_] = slot;
    lower_[active_count_] = std::isfinite(j.lower) ? j.lower : -std::numbers::pi;
    upper_[active_count_] = std::isfinite(j.upper) ? j.upper : std::numbers::pi;
    ++active_count_;
  }
}

void ArmIk::build_chain(const JointVector& seed, Chain& c) const {
  const auto& joints = model_.joints();
  const auto& arm_joints = model_.arm_joints();
  Eigen::Isometry3d pre = Eigen::Isometry3d::Identity();
  int k = 0;
  for (int ji : chain_joints_) {
    const Joint& j = joints[ji];
    const bool active = k < active_count_ && arm_joints[active_slot_[k]] == ji;
    if (active) {
      pre = pre * j.origin;
      c.pre_rot[k] = pre.linear();
      c.pre_pos[k] = pre.translation();
      c.axis[k] = j.axis;
      pre.setIdentity();
      ++k;
      continue;
    }
    int slot = -1;
    for (int s = 0; s < kArmJoints; ++s) {
      if (arm_joints[RobotModel::arm_offset(arm_) + s] == ji) slot = RobotModel::arm_offset(arm_) + s;
    }
    pre = pre * joint_transform(j, slot >= 0 ? seed[slot] : 0.0);
  }
  c.pre_rot[k] = pre.linear();
  c.pre_pos[k] = pre.translation();
}

int ArmIk::descend(const Chain& c, const Eigen::Vector3d& target_pos, const Eigen::Quaterniond* target_rot,
                   double* q, int max_iterations) const {
  const int n = active_count_;
  const Eigen::Matrix3d rt = target_rot ? target_rot->normalized().toRotationMatrix() : Eigen::Matrix3d::Identity();
  const double w = options_.rotation_weight;
  const int rows = target_rot ? 6 : 3;
  const double lambda2 = options_.damping;
  // Converged when the (weighted) error is this small: far inside tolerance.
  const double done = std::min(1e-7, options_.tolerance_m * 1e-3);
  std::array<Eigen::Vector3d, kArmJoints> p, z;
  double best = std::numeric_limits<double>::infinity();
  int since_best = 0;
  int it = 0;
  for (; it < max_iterations; ++it) {
    // Forward kinematics along the collapsed chain, keeping joint axes.
    Eigen::Matrix3d r = c.pre_rot[0];
    Eigen::Vector3d t = c.pre_pos[0];
    for (int k = 0; k < n; ++k) {
      p[k] = t;
      z[k] = r * c.axis[k];
      r = r * Eigen::AngleAxisd(q[k], c.axis[k]).toRotationMatrix();
      t += r * c.pre_pos[k + 1];
      r = r * c.pre_rot[k + 1];
    }
    Vec6 e = Vec6::Zero();
    e.head<3>() = target_pos - t;
    if (target_rot) e.tail<3>() = w * rotation_error(rt, r);
    const double err = e.head(rows).norm();
    if (err < done) break;
    if (err < best * (1.0 - 1e-6)) {
      best = err;
      since_best = 0;
    } else if (++since_best >= 8) {
      break;  // stuck: a local minimum or held at a limit
    }
    Jac jac = Jac::Zero();
    for (int k = 0; k < n; ++k) {
      jac.block<3, 1>(0, k) = z[k].cross(t - p[k]);
      if (target_rot) jac.block<3, 1>(3, k) = w * z[k];
    }
    Eigen::Matrix<double, kArmJoints, 1> dq;
    if (rows == 6) {
      Mat6 a = jac * jac.transpose();
      a.diagonal().array() += lambda2;
      dq = jac.transpose() * a.ldlt().solve(e);
    } else {
      const auto jp = jac.topRows<3>();
      Eigen::Matrix3d a = jp * jp.transpose();
      a.diagonal().array() += lambda2;
      dq = jp.transpose() * a.ldlt().solve(e.head<3>());
    }
    double step = 0.0;
    for (int k = 0; k < n; ++k) step = std::max(step, std::abs(dq[k]));
    const double scale = step > 0.4 ? 0.4 / step : 1.0;  // keep the linearisation honest
    for (int k = 0; k < n; ++k) q[k] = std::clamp(q[k] + scale * dq[k], lower_[k], upper_[k]);
  }
  return it;
}

IkResult ArmIk::solve(const Eigen::Vector3d& target_pos, const std::optional<Eigen::Quaterniond>& target_rot,
                      const JointVector& seed) const {
  IkResult res;
  res.q = seed;
  if (active_count_ == 0) {
    res.position_error_m = std::numeric_limits<double>::infinity();
    return res;
  }
  Chain chain;
  build_chain(seed, chain);
  const int n = active_count_;
  const Eigen::Quaterniond* rot = target_rot ? &*target_rot : nullptr;

  // Error of one candidate, from the same collapsed chain.
  auto evaluate = [&](const double* q, double& pos_err, double& rot_err) {
    Eigen::Matrix3d r = chain.pre_rot[0];
    Eigen::Vector3d t = chain.pre_pos[0];
    for (int k = 0; k < n; ++k) {
      r = r * Eigen::AngleAxisd(q[k], chain.axis[k]).toRotationMatrix();
      t += r * chain.pre_pos[k + 1];
      r = r * chain.pre_rot[k + 1];
    }
    pos_err = (target_pos - t).norm();
    rot_err = rot ? rotation_distance(rot->normalized().toRotationMatrix(), r) : 0.0;
  };
  // One attempt from q: full target first, then position only if needed.
  int iterations = 0;
  auto attempt = [&](double* q, double& pos_err, double& rot_err) {
    if (rot) iterations += descend(chain, target_pos, rot, q, options_.max_iterations);
    evaluate(q, pos_err, rot_err);
    if (pos_err > options_.tolerance_m * 0.02 || !rot) {
      iterations += descend(chain, target_pos, nullptr, q, options_.max_iterations);
      evaluate(q, pos_err, rot_err);
    }
  };

  std::array<double, kArmJoints> q{}, best_q{};
  for (int k = 0; k < n; ++k) q[k] = std::clamp(seed[active_slot_[k]], lower_[k], upper_[k]);
  double best_pos = 0, best_rot = 0;
  attempt(q.data(), best_pos, best_rot);
  best_q = q;

  // Restarts from random joint values inside the limits, deterministically.
  constexpr int kRestarts = 8;
  std::mt19937 rng(0x5eed + arm_);
  for (int r = 0; r < kRestarts && best_pos > options_.tolerance_m; ++r) {
    for (int k = 0; k < n; ++k) q[k] = std::uniform_real_distribution<double>(lower_[k], upper_[k])(rng);
    double pos = 0, rot_err = 0;
    attempt(q.data(), pos, rot_err);
    if (pos < best_pos) {
      best_pos = pos;
      best_rot = rot_err;
      best_q = q;
    }
  }

  for (int k = 0; k < n; ++k) res.q[active_slot_[k]] = best_q[k];
  res.position_error_m = best_pos;
  res.rotation_error_rad = best_rot;
  res.iterations = iterations;
  res.reachable = best_pos <= options_.tolerance_m;
  return res;
}

}  // namespace strokeviz::model
