// Orbit camera: drag to rotate, right/shift-drag to pan, wheel to zoom, reset to home.
#include "render/camera.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Geometry>

namespace strokeviz::render {

namespace {
constexpr float kRadPerPx = 0.005f;
constexpr float kMaxPitch = 89.f * 3.14159265358979f / 180.f;
constexpr float kMinDistance = 0.02f;
constexpr float kMaxDistance = 20.f;
constexpr float kNear = 0.01f;
constexpr float kFar = 50.f;
}  // namespace

void OrbitCamera::set_home(const Eigen::Vector3f& target, float distance, float yaw, float pitch) {
  home_target_ = target;
  home_distance_ = std::clamp(distance, kMinDistance, kMaxDistance);
  home_yaw_ = yaw;
  home_pitch_ = std::clamp(pitch, -kMaxPitch, kMaxPitch);
  reset();
}

void OrbitCamera::reset() {
  target_ = home_target_;
  distance_ = home_distance_;
  yaw_ = home_yaw_;
  pitch_ = home_pitch_;
}

void OrbitCamera::rotate(float dx_px, float dy_px) {
  // Dragging right swings the camera left around the target (the scene turns with the cursor).
  yaw_ = std::remainder(yaw_ - dx_px * kRadPerPx, 2.f * 3.14159265358979f);
  pitch_ = std::clamp(pitch_ + dy_px * kRadPerPx, -kMaxPitch, kMaxPitch);
}

void OrbitCamera::pan(float dx_px, float dy_px, float viewport_h) {
  if (viewport_h <= 0.f) return;
  // World size of one pixel at the target's depth.
  const float m_per_px = 2.f * distance_ * std::tan(fov_y_ * 0.5f) / viewport_h;
  const Eigen::Vector3f fwd = (target_ - eye()).normalized();
  const Eigen::Vector3f right = fwd.cross(Eigen::Vector3f::UnitZ()).normalized();
  const Eigen::Vector3f up = right.cross(fwd);
  // Screen y grows downward: dragging down moves the world down, the target up.
  target_ += (-dx_px * right + dy_px * up) * m_per_px;
}

void OrbitCamera::zoom(float wheel_steps) {
  distance_ = std::clamp(distance_ * std::pow(0.9f, wheel_steps), kMinDistance, kMaxDistance);
}

Eigen::Vector3f OrbitCamera::eye() const {
  const float cp = std::cos(pitch_);
  return target_ + distance_ * Eigen::Vector3f(cp * std::cos(yaw_), cp * std::sin(yaw_), std::sin(pitch_));
}

Eigen::Matrix4f OrbitCamera::view() const {
  const Eigen::Vector3f e = eye();
  const Eigen::Vector3f f = (target_ - e).normalized();
  const Eigen::Vector3f s = f.cross(Eigen::Vector3f::UnitZ()).normalized();
  const Eigen::Vector3f u = s.cross(f);
  Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
  m.block<1, 3>(0, 0) = s.transpose();
  m.block<1, 3>(1, 0) = u.transpose();
  m.block<1, 3>(2, 0) = -f.transpose();
  m(0, 3) = -s.dot(e);
  m(1, 3) = -u.dot(e);
  m(2, 3) = f.dot(e);
  return m;
}

Eigen::Matrix4f OrbitCamera::projection(float aspect) const {
  if (!(aspect > 0.f)) aspect = 1.f;
  const float f = 1.f / std::tan(fov_y_ * 0.5f);
  Eigen::Matrix4f p = Eigen::Matrix4f::Zero();
  p(0, 0) = f / aspect;
  p(1, 1) = f;
  p(2, 2) = (kFar + kNear) / (kNear - kFar);
  p(2, 3) = 2.f * kFar * kNear / (kNear - kFar);
  p(3, 2) = -1.f;
  return p;
}

}  // namespace strokeviz::render
