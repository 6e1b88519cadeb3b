// Shared set-up for the render GL tests: a hidden window, a hand-made scene and a primitive robot.
#include "tests/render/gl_fixture.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace strokeviz::render::testing {

model::Scene two_stroke_scene() {
  model::Scene s;
  s.name = "render_test";
  s.stroke_length = 40;
  s.offset_num = 8;
  s.offset_range = {-0.004, 0.010};
  s.skin_width_m = 0.20;
  s.skin_height_m = 0.15;
  s.design_pose = Eigen::Isometry3d::Identity();
  s.design_pose.translate(Eigen::Vector3d(0.28, 0.0, 0.05));
  s.pens = {{"blue", model::Arm::Left, 0, {0.f, 0.f, 1.f}, {}}, {"red", model::Arm::Right, 1, {1.f, 0.f, 0.f}, {}}};
  model::InkCap cap;
  cap.name = "inkcap_left";
  cap.ink = "blue";
  cap.pos = {0.30, 0.16, 0.03};
  cap.diameter_m = 0.02;
  cap.depth_m = 0.015;
  s.inkcaps.push_back(cap);
  for (int k = 0; k < 2; ++k) {
    model::StrokeStep step;
    const int arm = k;  // stroke 0: left arm draws blue; stroke 1: right arm draws red
    model::ArmStroke& a = step.arm[static_cast<std::size_t>(arm)];
    a.kind = model::StrokeKind::Draw;
    a.pen = k == 0 ? "blue" : "red";
    const double y = k == 0 ? 0.04 : -0.04;
    for (int p = 0; p < s.stroke_length; ++p) {
      const double t = static_cast<double>(p) / (s.stroke_length - 1);
      a.poses.push_back(s.design_pose * Eigen::Vector3d(-0.07 + 0.14 * t, y + 0.02 * std::sin(6.0 * t), 0.0));
    }
    step.arm[static_cast<std::size_t>(1 - arm)].description = "at rest";
    s.strokes.push_back(step);
  }
  return s;
}

int Image::count(const std::function<bool(int, int, int)>& pred) const {
  int n = 0;
  for (std::size_t i = 0; i + 2 < rgb.size(); i += 3)
    if (pred(rgb[i], rgb[i + 1], rgb[i + 2])) ++n;
  return n;
}

bool Image::any_near(int x, int y, int radius, const std::function<bool(int, int, int)>& pred) const {
  for (int yy = std::max(0, y - radius); yy <= std::min(height - 1, y + radius); ++yy)
    for (int xx = std::max(0, x - radius); xx <= std::min(width - 1, x + radius); ++xx) {
      const std::size_t i = (static_cast<std::size_t>(yy) * static_cast<std::size_t>(width) + static_cast<std::size_t>(xx)) * 3;
      if (pred(rgb[i], rgb[i + 1], rgb[i + 2])) return true;
    }
  return false;
}

bool is_blue(int r, int g, int b) { return b > 150 && r < 90 && g < 90; }
bool is_red(int r, int g, int b) { return r > 180 && g < 60 && b < 60; }
bool is_orange(int r, int g, int b) { return r > 200 && g > 100 && g < 180 && b < 60; }
bool is_greyish(int r, int g, int b) {
  const int hi = std::max({r, g, b}), lo = std::min({r, g, b});
  return hi - lo < 16 && hi > 80;
}

Eigen::Vector2f project(const FrameInput& in, const Eigen::Vector3d& world) {
  const Eigen::Vector4f c = in.proj * in.view * Eigen::Vector4f(world.cast<float>().homogeneous());
  const Eigen::Vector2f ndc = c.head<2>() / c.w();
  auto vp = in.viewport;
  if (vp[2] <= 0 || vp[3] <= 0) vp = {0, 0, in.fb_width, in.fb_height};
  const float x = static_cast<float>(vp[0]) + (ndc.x() * 0.5f + 0.5f) * static_cast<float>(vp[2]);
  const float y_up = static_cast<float>(vp[1]) + (ndc.y() * 0.5f + 0.5f) * static_cast<float>(vp[3]);
  return {x, static_cast<float>(in.fb_height) - y_up};
}

}  // namespace strokeviz::render::testing
