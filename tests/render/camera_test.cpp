// OrbitCamera: home/reset, rotate with pitch clamping, zoom, pan, view and projection matrices.
#include "render/camera.hpp"

#include <cmath>

#include <Eigen/Geometry>
#include <gtest/gtest.h>

using strokeviz::render::OrbitCamera;

namespace {

constexpr float kPi = 3.14159265358979f;

OrbitCamera home_camera() {
  OrbitCamera c;
  c.set_home({0.1f, -0.2f, 0.3f}, 1.5f, 0.4f, 0.6f);
  return c;
}

Eigen::Vector3f apply(const Eigen::Matrix4f& m, const Eigen::Vector3f& p) {
  Eigen::Vector4f h = m * p.homogeneous();
  return h.head<3>() / h.w();
}

}  // namespace

TEST(OrbitCamera, ResetRestoresHome) {
  OrbitCamera c = home_camera();
  c.rotate(120.f, -40.f);
  c.pan(30.f, 10.f, 600.f);
  c.zoom(3.f);
  c.reset();
  EXPECT_TRUE(c.target().isApprox(Eigen::Vector3f(0.1f, -0.2f, 0.3f)));
  EXPECT_FLOAT_EQ(c.distance(), 1.5f);
  EXPECT_FLOAT_EQ(c.yaw(), 0.4f);
  EXPECT_FLOAT_EQ(c.pitch(), 0.6f);
}

TEST(OrbitCamera, RotateChangesYawAndPitch) {
  OrbitCamera c = home_camera();
  c.rotate(100.f, 0.f);
  EXPECT_NE(c.yaw(), 0.4f);
  EXPECT_FLOAT_EQ(c.pitch(), 0.6f);
  const float yaw = c.yaw();
  c.rotate(0.f, 20.f);
  EXPECT_FLOAT_EQ(c.yaw(), yaw);
  EXPECT_GT(c.pitch(), 0.6f);
}

TEST(OrbitCamera, PitchIsClampedTo89Degrees) {
  OrbitCamera c = home_camera();
  const float limit = 89.f * kPi / 180.f;
  c.rotate(0.f, 1e5f);
  EXPECT_NEAR(c.pitch(), limit, 1e-5f);
  c.rotate(0.f, -1e6f);
  EXPECT_NEAR(c.pitch(), -limit, 1e-5f);
  // Still a valid view straight down/up: the target maps onto the view axis.
  const Eigen::Vector3f t = apply(c.view(), c.target());
  EXPECT_NEAR(t.x(), 0.f, 1e-4f);
  EXPECT_NEAR(t.y(), 0.f, 1e-4f);
}

TEST(OrbitCamera, ZoomMultipliesDistanceByPoint9PerStep) {
  OrbitCamera c = home_camera();
  c.zoom(1.f);
  EXPECT_NEAR(c.distance(), 1.5f * 0.9f, 1e-5f);
  c.zoom(-2.f);
  EXPECT_NEAR(c.distance(), 1.5f / 0.9f, 1e-5f);
  c.zoom(1000.f);
  EXPECT_GT(c.distance(), 0.f);
  EXPECT_LT(c.distance(), 0.05f);
  c.zoom(-1000.f);
  EXPECT_LE(c.distance(), 50.f);  // inside the far plane
}

TEST(OrbitCamera, PanMovesTargetPerpendicularToViewDirection) {
  OrbitCamera c = home_camera();
  const Eigen::Vector3f dir0 = (c.target() - c.eye()).normalized();
  const Eigen::Vector3f t0 = c.target();
  c.pan(50.f, -30.f, 600.f);
  const Eigen::Vector3f moved = c.target() - t0;
  EXPECT_GT(moved.norm(), 1e-4f);
  EXPECT_NEAR(moved.dot(dir0), 0.f, 1e-5f);
  // Orientation and distance do not change.
  EXPECT_FLOAT_EQ(c.distance(), 1.5f);
  EXPECT_TRUE((c.target() - c.eye()).normalized().isApprox(dir0, 1e-5f));
}

TEST(OrbitCamera, PanKeepsThePointUnderTheCursor) {
  OrbitCamera c = home_camera();
  const float h = 600.f, aspect = 1.5f;
  const Eigen::Vector3f p = c.target();  // at screen centre before the drag
  c.pan(60.f, 0.f, h);
  // After dragging right by 60 px, the old target sits 60 px right of centre.
  const Eigen::Vector3f ndc = apply(c.projection(aspect) * c.view(), p);
  EXPECT_NEAR(ndc.x() * 0.5f * h * aspect, 60.f, 0.05f);
  EXPECT_NEAR(ndc.y(), 0.f, 1e-5f);
  c.reset();
  c.pan(0.f, 40.f, h);  // drag down: the world follows the cursor down
  const Eigen::Vector3f ndc2 = apply(c.projection(aspect) * c.view(), p);
  EXPECT_NEAR(ndc2.y() * 0.5f * h, -40.f, 0.05f);
}

TEST(OrbitCamera, ViewMapsTargetToMinusDistanceOnZ) {
  OrbitCamera c = home_camera();
  c.rotate(33.f, -12.f);
  c.zoom(2.f);
  const Eigen::Vector3f t = apply(c.view(), c.target());
  EXPECT_NEAR(t.x(), 0.f, 1e-5f);
  EXPECT_NEAR(t.y(), 0.f, 1e-5f);
  EXPECT_NEAR(t.z(), -c.distance(), 1e-5f);
  // Z is up: a point above the target is above it on screen.
  const Eigen::Vector3f up = apply(c.view(), c.target() + Eigen::Vector3f(0, 0, 0.1f));
  EXPECT_GT(up.y(), 0.f);
}

TEST(OrbitCamera, EyeFromYawAndPitch) {
  OrbitCamera c;
  c.set_home(Eigen::Vector3f::Zero(), 2.f, 0.f, 0.f);
  EXPECT_TRUE(c.eye().isApprox(Eigen::Vector3f(2.f, 0.f, 0.f)));  // yaw 0: from +X
  c.set_home(Eigen::Vector3f::Zero(), 2.f, 0.f, 0.5f);
  EXPECT_GT(c.eye().z(), 0.f);  // pitch > 0 looks down
}

TEST(OrbitCamera, ProjectionIsRightHandedWithNearAndFar) {
  OrbitCamera c;
  const Eigen::Matrix4f p = c.projection(1.f);
  EXPECT_NEAR(apply(p, {0, 0, -0.01f}).z(), -1.f, 1e-4f);
  EXPECT_NEAR(apply(p, {0, 0, -50.f}).z(), 1.f, 1e-4f);
  EXPECT_NEAR(p(1, 1), 1.f / std::tan(c.fov_y() / 2.f), 1e-5f);
}
