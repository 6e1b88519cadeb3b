// Joint values for a (stroke, pose, offset): IK along each stroke, warm-started and cached.
#include "follow/pose_solver.hpp"

#include <algorithm>

namespace strokeviz::follow {
using namespace model;

namespace {
model::JointVector ready_vector(const model::Scene& scene) {
  model::JointVector q{};
  for (int a = 0; a < model::kArmCount; ++a)
    for (int j = 0; j < model::kArmJoints; ++j) q[a * model::kArmJoints + j] = scene.ready_pose[a][j];
  return q;
}
}  // namespace

PoseSolver::PoseSolver(const model::Scene& scene, const model::RobotModel& model)
    : scene_(scene), model_(model), ik_{model::ArmIk(model, 0), model::ArmIk(model, 1)} {
  fallback_.rest = true;
}

const std::vector<ArmSolution>& PoseSolver::stroke_solution(model::Arm arm, int stroke, int offset) {
  const int a = static_cast<int>(arm);
  const auto key = std::make_tuple(a, stroke, offset);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (cache_.size() >= kMaxCachedStrokes) cache_.clear();

  const model::ArmStroke& as = scene_.strokes[stroke].arm[a];
  const model::JointVector ready = ready_vector(scene_);
  std::vector<ArmSolution> out(static_cast<std::size_t>(scene_.stroke_length));
  ArmSolution rest;
  rest.rest = true;
  std::copy_n(ready.begin() + a * model::kArmJoints, model::kArmJoints, rest.q.begin());
  if (as.kind == model::StrokeKind::Rest || !model_.has_arms()) {
    std::fill(out.begin(), out.end(), rest);
    return cache_.emplace(key, std::move(out)).first->second;
  }
  model::JointVector seed = ready;
  for (int p = 0; p < scene_.stroke_length; ++p) {
    const auto target = scene_.needle_position(stroke, arm, p, offset);
    if (!target) { out[p] = rest; continue; }
    const model::IkResult r = ik_[a].solve(*target, scene_.ee_rot[a], seed);
    seed = r.q;
    ArmSolution& s = out[p];
    std::copy_n(r.q.begin() + a * model::kArmJoints, model::kArmJoints, s.q.begin());
    s.error_m = r.position_error_m;
    s.reachable = r.reachable;
  }
  return cache_.emplace(key, std::move(out)).first->second;
}

const ArmSolution& PoseSolver::solve(model::Arm arm, int stroke, int pose, int offset) {
  if (stroke < 0 || stroke >= static_cast<int>(scene_.strokes.size()) || pose < 0 ||
      pose >= scene_.stroke_length || offset < 0 || offset >= scene_.offset_num)
    return fallback_;
  return stroke_solution(arm, stroke, offset)[static_cast<std::size_t>(pose)];
}

PoseSolver::StrokeReach PoseSolver::stroke_reach(model::Arm arm, int stroke, int offset) {
  StrokeReach r;
  if (stroke < 0 || stroke >= static_cast<int>(scene_.strokes.size()) || offset < 0 || offset >= scene_.offset_num)
    return r;
  for (const ArmSolution& s : stroke_solution(arm, stroke, offset)) {
    if (!s.reachable) ++r.unreachable;
    r.worst_error_m = std::max(r.worst_error_m, s.error_m);
  }
  return r;
}

model::JointVector PoseSolver::joints(int stroke, int pose, const std::array<int, 2>& offsets) {
  model::JointVector q = ready_vector(scene_);
  for (int a = 0; a < model::kArmCount; ++a) {
    const ArmSolution& s = solve(static_cast<model::Arm>(a), stroke, pose, offsets[a]);
    if (s.rest && &s == &fallback_) continue;
    std::copy(s.q.begin(), s.q.end(), q.begin() + a * model::kArmJoints);
  }
  return q;
}

}  // namespace strokeviz::follow
