// CPU-side geometry the renderer uploads: unit primitives, the floor grid, axes and skin.
#include "render/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace strokeviz::render::geometry {

namespace {

constexpr float kPi = 3.14159265358979f;

void add_vertex(TriMesh& m, const Eigen::Vector3f& p, const Eigen::Vector3f& n) {
  m.positions.insert(m.positions.end(), {p.x(), p.y(), p.z()});
  m.normals.insert(m.normals.end(), {n.x(), n.y(), n.z()});
}

void add_quad(TriMesh& m, unsigned a, unsigned b, unsigned c, unsigned d) {
  m.indices.insert(m.indices.end(), {a, b, c, a, c, d});
}

std::uint8_t to_u8(float v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
}

FlatVertex flat(const Eigen::Vector3f& p, float r, float g, float b, float a) {
  return FlatVertex{{p.x(), p.y(), p.z()}, {to_u8(r), to_u8(g), to_u8(b), to_u8(a)}};
}

}  // namespace

TriMesh unit_box() {
  TriMesh m;
  for (int axis = 0; axis < 3; ++axis) {
    for (float sign : {-1.f, 1.f}) {
      Eigen::Vector3f n = Eigen::Vector3f::Zero();
      n[axis] = sign;
      // Two tangents with u x v = n so the face winds counter-clockwise seen from outside.
      Eigen::Vector3f u = Eigen::Vector3f::Zero(), v;
      u[(axis + 1) % 3] = 1.f;
      v = n.cross(u);
      const auto base = static_cast<unsigned>(m.vertex_count());
      for (auto [su, sv] : {std::pair{-1.f, -1.f}, {1.f, -1.f}, {1.f, 1.f}, {-1.f, 1.f}})
        add_vertex(m, 0.5f * (n + su * u + sv * v), n);
      add_quad(m, base, base + 1, base + 2, base + 3);
    }
  }
  return m;
}

TriMesh unit_cylinder(int segments) {
  TriMesh m;
  // Side: a ring of vertices at each end with radial normals.
  for (int i = 0; i <= segments; ++i) {
    const float a = 2.f * kPi * static_cast<float>(i) / static_cast<float>(segments);
    const Eigen::Vector3f n(std::cos(a), std::sin(a), 0.f);
    add_vertex(m, n + Eigen::Vector3f(0, 0, -0.5f), n);
    add_vertex(m, n + Eigen::Vector3f(0, 0, 0.5f), n);
  }
  for (int i = 0; i < segments; ++i) {
    const auto k = static_cast<unsigned>(2 * i);
    add_quad(m, k, k + 2, k + 3, k + 1);
  }
  // Caps: a centre vertex and a ring each.
  for (float z : {-0.5f, 0.5f}) {
    const Eigen::Vector3f n(0, 0, z > 0 ? 1.f : -1.f);
    const auto centre = static_cast<unsigned>(m.vertex_count());
    add_vertex(m, Eigen::Vector3f(0, 0, z), n);
    for (int i = 0; i <= segments; ++i) {
      const float a = 2.f * kPi * static_cast<float>(i) / static_cast<float>(segments);
      add_vertex(m, Eigen::Vector3f(std::cos(a), std::sin(a), z), n);
    }
    for (int i = 0; i < segments; ++i) {
      const auto k = centre + 1 + static_cast<unsigned>(i);
      if (z > 0) m.indices.insert(m.indices.end(), {centre, k, k + 1});
      else m.indices.insert(m.indices.end(), {centre, k + 1, k});
    }
  }
  return m;
}

TriMesh unit_sphere(int rings, int segments) {
  TriMesh m;
  for (int r = 0; r <= rings; ++r) {
    const float theta = kPi * static_cast<float>(r) / static_cast<float>(rings);
    for (int s = 0; s <= segments; ++s) {
      const float phi = 2.f * kPi * static_cast<float>(s) / static_cast<float>(segments);
      const Eigen::Vector3f n(std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi),
                              std::cos(theta));
      add_vertex(m, n, n);
    }
  }
  const auto row = static_cast<unsigned>(segments + 1);
  for (int r = 0; r < rings; ++r) {
    for (int s = 0; s < segments; ++s) {
      const unsigned k = static_cast<unsigned>(r) * row + static_cast<unsigned>(s);
      add_quad(m, k, k + row, k + row + 1, k + 1);
    }
  }
  return m;
}

std::vector<FlatVertex> grid_and_axes(float size_m, float spacing_m, float axis_len_m) {
  std::vector<FlatVertex> v;
  const float h = 0.5f * size_m;
  const int n = static_cast<int>(std::lround(size_m / spacing_m));
  for (int i = 0; i <= n; ++i) {
    const float t = -h + spacing_m * static_cast<float>(i);
    const bool centre = std::abs(t) < 1e-6f;
    const float c = centre ? 0.36f : 0.24f;  // dim lines, the centre ones a little brighter
    v.push_back(flat({t, -h, 0.f}, c, c, c + 0.02f, 1.f));
    v.push_back(flat({t, h, 0.f}, c, c, c + 0.02f, 1.f));
    v.push_back(flat({-h, t, 0.f}, c, c, c + 0.02f, 1.f));
    v.push_back(flat({h, t, 0.f}, c, c, c + 0.02f, 1.f));
  }
  const float L = axis_len_m;
  const float z = 0.0005f;  // just above the grid
  v.push_back(flat({0, 0, z}, 0.95f, 0.2f, 0.2f, 1.f));
  v.push_back(flat({L, 0, z}, 0.95f, 0.2f, 0.2f, 1.f));
  v.push_back(flat({0, 0, z}, 0.2f, 0.9f, 0.2f, 1.f));
  v.push_back(flat({0, L, z}, 0.2f, 0.9f, 0.2f, 1.f));
  v.push_back(flat({0, 0, z}, 0.25f, 0.4f, 1.f, 1.f));
  v.push_back(flat({0, 0, L}, 0.25f, 0.4f, 1.f, 1.f));
  return v;
}

SkinGeometry skin(const Eigen::Isometry3d& design_pose, double width_m, double height_m) {
  const double w = 0.5 * width_m, h = 0.5 * height_m;
  std::array<Eigen::Vector3f, 4> c;
  const std::array<Eigen::Vector2d, 4> corners{{{-w, -h}, {w, -h}, {w, h}, {-w, h}}};
  for (int i = 0; i < 4; ++i)
    c[i] = (design_pose * Eigen::Vector3d(corners[i].x(), corners[i].y(), 0.0)).cast<float>();
  SkinGeometry g;
  const float r = 0.93f, gg = 0.74f, b = 0.63f;  // flesh
  for (int i : {0, 1, 2, 0, 2, 3}) g.quad.push_back(flat(c[i], r, gg, b, 0.35f));
  for (int i = 0; i < 4; ++i) {
    g.outline.push_back(flat(c[i], 0.78f, 0.56f, 0.46f, 0.8f));
    g.outline.push_back(flat(c[(i + 1) % 4], 0.78f, 0.56f, 0.46f, 0.8f));
  }
  return g;
}

Eigen::Matrix4f inkcap_model(const Eigen::Vector3d& top, double diameter, double depth) {
  const float r = static_cast<float>(0.5 * diameter);
  const float d = static_cast<float>(depth);
  Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
  m(0, 0) = r;
  m(1, 1) = r;
  m(2, 2) = d;
  m.block<3, 1>(0, 3) = top.cast<float>() - Eigen::Vector3f(0, 0, 0.5f * d);
  return m;
}

Eigen::Vector4f lift_dark(const Eigen::Vector4f& rgba) {
  const Eigen::Vector3f steel(0.70f, 0.72f, 0.75f);
  const Eigen::Vector3f c = rgba.head<3>();
  const float lum = 0.2126f * c.x() + 0.7152f * c.y() + 0.0722f * c.z();
  if (lum >= 0.3f) return rgba;
  const float t = 0.85f;
  Eigen::Vector4f out;
  out << (1.f - t) * c + t * steel, 1.f;
  return out;
}

}  // namespace strokeviz::render::geometry
