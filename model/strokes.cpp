// The stroke list, built step for step like tatbot gen/gcode.py make_gcode_strokes.
#include <algorithm>

#include "model/scene.hpp"

namespace strokeviz::model {
namespace {

const InkCap* find_inkcap(const Scene& s, Arm arm, const std::string& ink) {
  for (const InkCap& c : s.inkcaps)
    if (c.arm == arm && c.ink == ink) return &c;
  return nullptr;
}

void add_hover(const Scene& s, std::vector<Eigen::Vector3d>& poses) {
  if (poses.empty()) return;
  poses.front() += s.hover_offset;
  if (poses.size() > 1) poses.back() += s.hover_offset;
}

// Needle drop below the inkcap rim for each pose: 1/3 down, 1/3 wait, 1/3 up,
// to a third of the cap's depth (numpy.linspace semantics, as the robot).
std::vector<double> inkdip_drops(int length, double depth_m) {
  const int down = length / 3, up = length / 3, wait = length - down - up;
  const double depth = depth_m / 3.0;
  std::vector<double> z;
  for (int i = 0; i < down; ++i) z.push_back(i * (depth / down));  // endpoint=False
  for (int i = 0; i < wait; ++i) z.push_back(depth);
  for (int i = 0; i < up; ++i)  // endpoint=True: the last value is exactly 0
    z.push_back(up == 1 ? depth : (i == up - 1 ? 0.0 : depth + i * (-depth / (up - 1))));
  return z;
}

ArmStroke inkdip(const Scene& s, Arm arm, const std::string& pen) {
  const InkCap& cap = *find_inkcap(s, arm, pen);  // checked by try_build_strokes
  ArmStroke st;
  st.kind = StrokeKind::Inkdip;
  st.description = std::string(arm_name(arm)) + " arm inkdip into " + cap.name + " to fill with " + pen + " ink";
  st.pen = pen;
  st.inkcap = cap.name;
  for (double drop : inkdip_drops(s.stroke_length, cap.depth_m))
    st.poses.push_back(cap.pos + Eigen::Vector3d(0.0, 0.0, -drop) + s.ee_offset[static_cast<int>(arm)]);
  add_hover(s, st.poses);
  return st;
}

ArmStroke draw(const Scene& s, Arm arm, const ArmPath& path, int index, const std::string& inkcap) {
  ArmStroke st;
  st.kind = StrokeKind::Draw;
  st.description = std::string(arm_name(arm)) + " arm stroke after inkdip in " + inkcap;
  st.pen = path.pen;
  st.inkcap = inkcap;
  st.path_index = index;
  for (const auto& p : path.design_points_m) st.poses.push_back(s.design_pose * p + s.ee_offset[static_cast<int>(arm)]);
  add_hover(s, st.poses);
  return st;
}

ArmStroke rest(Arm arm) {
  ArmStroke st;
  st.description = std::string(arm_name(arm)) + " arm at rest";
  return st;
}

// One arm's side of the robot's loop: rest when out of paths, else
// alternate inkdip and draw. `inkcap` empty means "an inkdip is due".
struct ArmSchedule {
  Arm arm;
  const std::vector<ArmPath>& paths;
  size_t ptr = 0;
  std::string inkcap;

  ArmStroke next(const Scene& s) {
    if (ptr >= paths.size()) return rest(arm);
    if (!inkcap.empty()) {
      ArmStroke st = draw(s, arm, paths[ptr], static_cast<int>(ptr), inkcap);
      inkcap.clear();
      ++ptr;
      return st;
    }
    ArmStroke st = inkdip(s, arm, paths[ptr].pen);
    inkcap = st.inkcap;
    return st;
  }
};

std::string scene_file(const Scene& s) { return (s.dir / "scene.json").string(); }

void warn_dropped(const Scene& s, const ArmSchedule& a, size_t other, std::vector<Error>* warnings) {
  const size_t n = a.paths.size();
  if (a.ptr >= n || warnings == nullptr) return;
  const size_t num_l = a.arm == Arm::Left ? n : other, num_r = a.arm == Arm::Left ? other : n;
  warnings->push_back(Error{
      scene_file(s), 0,
      "the robot's scheduler drops " + std::to_string(n - a.ptr) + " of " + std::to_string(n) + " " +
          arm_name(a.arm) + " arm paths (indices " + std::to_string(a.ptr) + ".." + std::to_string(n - 1) +
          "): it draws all only if num_right <= num_left <= num_right + 1 (left " + std::to_string(num_l) +
          ", right " + std::to_string(num_r) + ")"});
}

}  // namespace

Expected<std::vector<StrokeStep>> try_build_strokes(const Scene& scene,
                                                    const std::array<std::vector<ArmPath>, kArmCount>& paths,
                                                    std::vector<Error>* warnings) {
  const auto& left = paths[static_cast<int>(Arm::Left)];
  const auto& right = paths[static_cast<int>(Arm::Right)];
  if (left.empty() || right.empty()) return Error{scene_file(scene), 0, "No paths found for left or right arm"};
  for (Arm arm : {Arm::Left, Arm::Right})
    for (const ArmPath& p : paths[static_cast<int>(arm)])
      if (!find_inkcap(scene, arm, p.pen))
        return Error{scene_file(scene), 0, std::string("no ") + arm_name(arm) + " inkcap holds ink '" + p.pen + "'"};

  ArmSchedule l{Arm::Left, left, 0, {}}, r{Arm::Right, right, 0, {}};
  std::vector<StrokeStep> steps;
  StrokeStep first;
  first.arm[0] = inkdip(scene, Arm::Left, left.front().pen);
  first.arm[1] = rest(Arm::Right);
  l.inkcap = first.arm[0].inkcap;
  steps.push_back(std::move(first));
  for (size_t i = 0; i < left.size() + right.size(); ++i) {
    StrokeStep step;
    step.arm[0] = l.next(scene);
    step.arm[1] = r.next(scene);
    steps.push_back(std::move(step));
  }
  warn_dropped(scene, l, right.size(), warnings);
  warn_dropped(scene, r, left.size(), warnings);
  return steps;
}

std::vector<StrokeStep> build_strokes(const Scene& scene,
                                      const std::array<std::vector<ArmPath>, kArmCount>& paths,
                                      std::vector<Error>* warnings) {
  auto steps = try_build_strokes(scene, paths, warnings);
  if (steps) return std::move(*steps);
  if (warnings) warnings->push_back(steps.error());
  return {};
}

double Scene::offset_value(int k) const {
  if (offset_num <= 1) return offset_range[0];
  k = std::clamp(k, 0, offset_num - 1);
  if (k == offset_num - 1) return offset_range[1];  // numpy.linspace: exact endpoint
  return offset_range[0] + k * ((offset_range[1] - offset_range[0]) / (offset_num - 1));
}

Eigen::Vector3d Scene::skin_normal() const { return design_pose.rotation() * Eigen::Vector3d::UnitZ(); }

std::optional<Eigen::Vector3d> Scene::needle_position(int stroke, Arm arm, int pose, int offset) const {
  if (stroke < 0 || stroke >= static_cast<int>(strokes.size())) return std::nullopt;
  const ArmStroke& a = strokes[static_cast<size_t>(stroke)].arm[static_cast<int>(arm)];
  if (a.kind == StrokeKind::Rest || pose < 0 || pose >= static_cast<int>(a.poses.size())) return std::nullopt;
  if (offset < 0 || offset >= offset_num) return std::nullopt;
  return a.poses[static_cast<size_t>(pose)] + offset_value(offset) * skin_normal();
}

const Pen* Scene::find_pen(const std::string& pen_name) const {
  for (const Pen& p : pens)
    if (p.name == pen_name) return &p;
  return nullptr;
}

}  // namespace strokeviz::model
