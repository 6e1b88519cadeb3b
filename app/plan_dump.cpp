// --dump-plan: the scene's stroke list as JSON, target for target, no window.
#include "app/plan_dump.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace strokeviz::app {
namespace {

using nlohmann::json;

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// Every pose at every depth offset: the needle target the robot's batch holds.
json targets_json(const model::Scene& scene, int step, model::Arm arm) {
  json poses = json::array();
  for (int p = 0; p < scene.stroke_length; ++p) {
    json offsets = json::array();
    for (int o = 0; o < scene.offset_num; ++o) {
      const auto t = scene.needle_position(step, arm, p, o);
      if (!t) return nullptr;
      offsets.push_back({t->x(), t->y(), t->z()});
    }
    poses.push_back(std::move(offsets));
  }
  return poses;
}

json arm_json(const model::Scene& scene, int step, model::Arm arm) {
  const model::ArmStroke& a = scene.strokes[static_cast<size_t>(step)].arm[static_cast<int>(arm)];
  const bool rest = a.kind == model::StrokeKind::Rest;
  return {{"kind", model::kind_name(a.kind)},
          {"description", a.description},
          {"inkcap", rest ? json(nullptr) : or_null(a.inkcap)},
          {"pen", rest ? json(nullptr) : or_null(a.pen)},
          {"targets", rest ? json(nullptr) : targets_json(scene, step, arm)}};
}

}  // namespace

std::string plan_to_json(const model::Scene& scene) {
  json steps = json::array();
  for (int s = 0; s < static_cast<int>(scene.strokes.size()); ++s)
    steps.push_back({{"left", arm_json(scene, s, model::Arm::Left)}, {"right", arm_json(scene, s, model::Arm::Right)}});
  const json j = {{"scene", scene.name},
                  {"stroke_length", scene.stroke_length},
                  {"offset_num", scene.offset_num},
                  {"steps", std::move(steps)}};
  return j.dump();
}

Expected<void> write_plan(const std::filesystem::path& path, const model::Scene& scene) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error{path.string(), 0, std::string("cannot write the plan: ") + std::strerror(errno)};
  out << plan_to_json(scene) << "\n";
  out.close();
  if (!out) return Error{path.string(), 0, "cannot write the plan: write failed"};
  return {};
}

}  // namespace strokeviz::app
