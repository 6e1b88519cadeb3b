// CPU geometry for the renderer: unit primitives, grid, skin, ink caps, colour lifting.
#include "render/geometry.hpp"

#include <gtest/gtest.h>

namespace g = strokeviz::render::geometry;

namespace {

void expect_well_formed(const g::TriMesh& m, float extent) {
  ASSERT_EQ(m.positions.size(), m.normals.size());
  ASSERT_EQ(m.indices.size() % 3, 0u);
  for (unsigned i : m.indices) ASSERT_LT(i, m.vertex_count());
  for (std::size_t v = 0; v < m.vertex_count(); ++v) {
    const Eigen::Vector3f p(m.positions[3 * v], m.positions[3 * v + 1], m.positions[3 * v + 2]);
    const Eigen::Vector3f n(m.normals[3 * v], m.normals[3 * v + 1], m.normals[3 * v + 2]);
    EXPECT_LE(p.cwiseAbs().maxCoeff(), extent + 1e-5f);
    EXPECT_NEAR(n.norm(), 1.f, 1e-5f);
  }
}

}  // namespace

TEST(Geometry, UnitPrimitivesSpanTheirDocumentedExtents) {
  const auto box = g::unit_box();
  EXPECT_EQ(box.vertex_count(), 24u);
  EXPECT_EQ(box.indices.size(), 36u);
  expect_well_formed(box, 0.5f);
  expect_well_formed(g::unit_cylinder(16), 1.0f);
  expect_well_formed(g::unit_sphere(8, 12), 1.0f);
}

TEST(Geometry, GridIsOneMetreAtFiveCentimetresPlusAxes) {
  const auto v = g::grid_and_axes(1.f, 0.05f, 0.1f);
  EXPECT_EQ(v.size(), 21u * 4u + 6u);
  for (std::size_t i = 0; i + 6 < v.size(); ++i) EXPECT_FLOAT_EQ(v[i].pos[2], 0.f);
}

TEST(Geometry, SkinQuadSitsAtTheDesignPose) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.translate(Eigen::Vector3d(0.1, 0.2, 0.3));
  const auto s = g::skin(pose, 0.2, 0.1);
  ASSERT_EQ(s.quad.size(), 6u);
  ASSERT_EQ(s.outline.size(), 8u);
  EXPECT_NEAR(s.quad[0].pos[0], 0.0f, 1e-6f);
  EXPECT_NEAR(s.quad[0].pos[1], 0.15f, 1e-6f);
  EXPECT_NEAR(s.quad[0].pos[2], 0.3f, 1e-6f);
  EXPECT_LT(s.quad[0].rgba[3], 255);  // translucent
}

TEST(Geometry, InkcapTopAtItsPosition) {
  const Eigen::Matrix4f m = g::inkcap_model({0.1, 0.0, 0.05}, 0.02, 0.01);
  const Eigen::Vector4f top = m * Eigen::Vector4f(1.f, 0.f, 0.5f, 1.f);
  EXPECT_NEAR(top.x(), 0.11f, 1e-6f);
  EXPECT_NEAR(top.z(), 0.05f, 1e-6f);
  const Eigen::Vector4f bottom = m * Eigen::Vector4f(0.f, 0.f, -0.5f, 1.f);
  EXPECT_NEAR(bottom.z(), 0.04f, 1e-6f);
}

TEST(Geometry, DarkColoursAreLiftedToNeutralGrey) {
  const Eigen::Vector4f black = g::lift_dark({0.1f, 0.1f, 0.1f, 1.f});
  EXPECT_GT(black.head<3>().minCoeff(), 0.5f);
  EXPECT_LT(black.head<3>().maxCoeff() - black.head<3>().minCoeff(), 0.1f);
  const Eigen::Vector4f light(0.8f, 0.2f, 0.2f, 1.f);  // luminance ~0.33: kept
  EXPECT_TRUE(g::lift_dark(light).isApprox(light));
}
