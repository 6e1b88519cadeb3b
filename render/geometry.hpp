// CPU-side geometry the renderer uploads: unit primitives, the floor grid, axes and skin.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

namespace strokeviz::render::geometry {

// Indexed triangles with per-vertex normals.
struct TriMesh {
  std::vector<float> positions;  // xyz
  std::vector<float> normals;    // xyz
  std::vector<unsigned> indices;
  std::size_t vertex_count() const { return positions.size() / 3; }
};

// Unit primitives the renderer scales per visual: box spans [-0.5, 0.5]^3
// (scale by its size), cylinder has radius 1 and length 1 along Z centred at
// the origin (scale by r, r, length), sphere has radius 1 (scale by r).
TriMesh unit_box();
TriMesh unit_cylinder(int segments = 32);
TriMesh unit_sphere(int rings = 12, int segments = 24);

// Unlit coloured vertex for lines and translucent triangles.
struct FlatVertex {
  float pos[3];
  std::uint8_t rgba[4];
};
static_assert(sizeof(FlatVertex) == 16);

// Floor grid in the z = 0 plane: `size_m` square centred on the origin,
// one line every `spacing_m`, plus short RGB world axes. Lines (pairs).
std::vector<FlatVertex> grid_and_axes(float size_m, float spacing_m, float axis_len_m);

// The skin: a translucent quad (6 vertices, triangles) and its outline
// (8 vertices, line pairs), width x height centred on the design origin.
struct SkinGeometry {
  std::vector<FlatVertex> quad;
  std::vector<FlatVertex> outline;
};
SkinGeometry skin(const Eigen::Isometry3d& design_pose, double width_m, double height_m);

// Model matrix of a unit cylinder turned into an ink cap: top face at `top`,
// `depth` deep along -Z, `diameter` wide.
Eigen::Matrix4f inkcap_model(const Eigen::Vector3d& top, double diameter, double depth);

// Robot visual colours: dark materials (URDF "black" 0.1) are lifted toward
// light steel grey so the arms stay visible on the dark background.
Eigen::Vector4f lift_dark(const Eigen::Vector4f& rgba);

}  // namespace strokeviz::render::geometry
