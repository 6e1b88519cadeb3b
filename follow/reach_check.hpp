// --check-reach: inverse kinematics over every pose of a scene, reporting what the needle cannot reach.
#pragma once

#include <iosfwd>
#include <vector>

#include "follow/pose_solver.hpp"

namespace strokeviz::follow {

struct ReachMiss {
  int stroke = 0, pose = 0, offset = 0;
  model::Arm arm = model::Arm::Left;
  double error_m = 0.0;
};

struct ReachReport {
  long long solved = 0;        // needle poses solved (Rest strokes are not solved)
  long long unreachable = 0;
  double worst_error_m = 0.0;  // over all solved poses
  std::vector<ReachMiss> misses;  // the first kMaxListed
  static constexpr std::size_t kMaxListed = 50;
};

// Solves every (stroke, arm, offset) along its poses. `progress` (may be null)
// gets a line every 10 %.
ReachReport check_reach(PoseSolver& solver, const model::Scene& scene, std::ostream* progress);
void print_reach_report(const ReachReport& report, const model::Scene& scene, std::ostream& out);

}  // namespace strokeviz::follow
