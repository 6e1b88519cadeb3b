// --check-reach: inverse kinematics over every pose of a scene, reporting what the needle cannot reach.
#include "follow/reach_check.hpp"

#include <algorithm>
#include <iomanip>
#include <ostream>

namespace strokeviz::follow {
using namespace model;

ReachReport check_reach(PoseSolver& solver, const model::Scene& scene, std::ostream* progress) {
  ReachReport rep;
  const int strokes = static_cast<int>(scene.strokes.size());
  const long long total = 2LL * strokes * scene.offset_num;
  long long done = 0;
  int next_pct = 10;
  for (int s = 0; s < strokes; ++s) {
    for (int a = 0; a < model::kArmCount; ++a) {
      const auto arm = static_cast<model::Arm>(a);
      const bool rest = scene.strokes[s].arm[a].kind == model::StrokeKind::Rest;
      for (int o = 0; o < scene.offset_num; ++o, ++done) {
        if (rest) continue;
        for (int p = 0; p < scene.stroke_length; ++p) {
          const ArmSolution& sol = solver.solve(arm, s, p, o);
          ++rep.solved;
          rep.worst_error_m = std::max(rep.worst_error_m, sol.error_m);
          if (sol.reachable) continue;
          ++rep.unreachable;
          if (rep.misses.size() < ReachReport::kMaxListed) rep.misses.push_back({s, p, o, arm, sol.error_m});
        }
      }
      solver.clear_cache();  // bounded memory on big scenes: each stroke is solved once here
      if (progress && total > 0 && done * 100 / total >= next_pct) {
        *progress << "check-reach: " << done * 100 / total << "% (" << rep.solved << " poses, "
                  << rep.unreachable << " unreachable)\n";
        next_pct = static_cast<int>(done * 100 / total / 10 * 10 + 10);
      }
    }
  }
  return rep;
}

void print_reach_report(const ReachReport& r, const model::Scene& scene, std::ostream& out) {
  out << "check-reach: scene " << scene.name << ": " << r.solved << " needle poses solved ("
      << scene.strokes.size() << " strokes x " << scene.stroke_length << " poses x " << scene.offset_num
      << " offsets, both arms, rest strokes skipped); worst miss " << std::fixed << std::setprecision(4)
      << r.worst_error_m * 1000.0 << " mm\n";
  if (r.unreachable == 0) {
    out << "check-reach: every pose is reachable within 0.5 mm\n";
    return;
  }
  out << "check-reach: " << r.unreachable << " poses are NOT reachable within 0.5 mm";
  if (r.unreachable > static_cast<long long>(r.misses.size())) out << " (first " << r.misses.size() << " listed)";
  out << ":\n";
  for (const ReachMiss& m : r.misses)
    out << "  stroke " << m.stroke << " pose " << m.pose << " offset " << m.offset << " "
        << model::arm_name(m.arm) << " arm: " << m.error_m * 1000.0 << " mm off\n";
}

}  // namespace strokeviz::follow
