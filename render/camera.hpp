// Orbit camera: drag to rotate, right/shift-drag to pan, wheel to zoom, reset to home.
#pragma once

#include <Eigen/Core>

namespace strokeviz::render {

// Which thread: the render thread (plain value type, no GL).
class OrbitCamera {
 public:
  // Z is up. yaw/pitch in radians; yaw 0 looks along -X toward the target
  // from +X, pitch > 0 looks down.
  void set_home(const Eigen::Vector3f& target, float distance, float yaw, float pitch);
  void reset();  // back to home

  void rotate(float dx_px, float dy_px);                 // mouse drag in pixels
  void pan(float dx_px, float dy_px, float viewport_h);  // keeps the point under the cursor
  void zoom(float wheel_steps);                          // > 0 moves closer

  Eigen::Matrix4f view() const;
  Eigen::Matrix4f projection(float aspect) const;
  Eigen::Vector3f eye() const;
  const Eigen::Vector3f& target() const { return target_; }
  float distance() const { return distance_; }
  float yaw() const { return yaw_; }
  float pitch() const { return pitch_; }
  float fov_y() const { return fov_y_; }

 private:
  Eigen::Vector3f target_{0.f, 0.f, 0.f}, home_target_{0.f, 0.f, 0.f};
  float distance_ = 1.f, home_distance_ = 1.f;
  float yaw_ = 0.f, home_yaw_ = 0.f;
  float pitch_ = 0.5f, home_pitch_ = 0.5f;
  float fov_y_ = 0.785f;  // 45 degrees
};

}  // namespace strokeviz::render
