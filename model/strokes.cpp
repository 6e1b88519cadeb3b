// The stroke list, built step for step like tatbot gen/gcode.py make_gcode_strokes.
#include <algorithm>

#include "model/scene.hpp"

namespace strokeviz::model {
namespace {

constexpr double kInkdipAbove = 0.002;  // inkdips start and end this far above the cap (m)

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

// Needle drop below the inkcap rim for each pose, as tatbot gen/inkdip.py:
// from 2 mm above the rim 1/3 down to a third of the cap's depth, 1/3 wait,
// 1/3 back up to 2 mm above (numpy.linspace semantics, as the robot).
std::vector<double> inkdip_drops(int length, double depth_m) {
  const int down = length / 3, up = length / 3, wait = length - down - up;
  const double depth = depth_m / 3.0, top = -kInkdipAbove;
  std::vector<double> z;
  for (int i = 0; i < down; ++i) z.push_back(top + i * ((depth - top) / down));  // endpoint=False
  for (int i = 0; i < wait; ++i) z.push_back(depth);
  for (int i = 0; i < up; ++i)  // endpoint=True: the last value is exactly the top
    z.push_back(up == 1 ? depth : (i == up - 1 ? top : depth + i * ((top - depth) / (up - 1))));
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

std::string index_range(size_t first, size_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + ".." + std::to_string(last);
}

// Says exactly which of one arm's paths the robot draws and which not: paths
// the loop never reaches, and a draw in the last step, where the left arm is
// held at ready (first/last rest). `held` is that path's index, or -1.
void warn_undrawn(const Scene& s, const ArmSchedule& a, int held, size_t num_l, size_t num_r,
                  std::vector<Error>* warnings) {
  const size_t n = a.paths.size();
  const size_t drawn = held >= 0 ? static_cast<size_t>(held) : a.ptr;
  if (drawn >= n || warnings == nullptr) return;
  const std::string arm = arm_name(a.arm);
  std::string msg = "the robot draws " + std::to_string(drawn) + " of " + std::to_string(n) + " " + arm +
                    " arm paths" + (drawn > 0 ? " (" + index_range(0, drawn - 1) + ")" : "") +
                    "; it won't draw " + arm + " path" + (n - drawn > 1 ? "s " : " ") + index_range(drawn, n - 1) + ": ";
  if (held >= 0)
    msg += std::to_string(held) + " is in the last step, where the robot holds the left arm at ready";
  if (held >= 0 && a.ptr < n) msg += "; ";
  if (a.ptr < n)
    msg += index_range(a.ptr, n - 1) + (n - a.ptr > 1 ? " are" : " is") + " never reached (the robot's loop runs " +
           std::to_string(num_l + num_r) + " steps)";
  msg += ". It draws every path only when left and right have as many (left " + std::to_string(num_l) +
         ", right " + std::to_string(num_r) + ")";
  warnings->push_back(Error{scene_file(s), 0, std::move(msg)});
}

// tatbot gen/batch.py first_last_rest: the right arm is at ready in the first
// step, the left arm in the last, whatever the stroke list says there. The
// held stroke keeps the robot's description; it has no targets.
void hold_at_ready(ArmStroke& a) {
  a.kind = StrokeKind::Rest;
  a.pen.clear();
  a.inkcap.clear();
  a.path_index = -1;
  a.poses.clear();
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
  ArmStroke& last_left = steps.back().arm[static_cast<int>(Arm::Left)];
  const int held = last_left.kind == StrokeKind::Draw ? last_left.path_index : -1;
  warn_undrawn(scene, l, held, left.size(), right.size(), warnings);
  warn_undrawn(scene, r, -1, left.size(), right.size(), warnings);
  hold_at_ready(steps.front().arm[static_cast<int>(Arm::Right)]);
  hold_at_ready(last_left);
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
