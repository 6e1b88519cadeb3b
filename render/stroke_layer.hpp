// The strokes: every pose uploaded once at offset 0; offsets, progress colours and sizes are uniforms.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "common/expected.hpp"
#include "render/gl_resources.hpp"
#include "render/renderer.hpp"

namespace strokeviz::render {

// Which thread: the render thread.
class StrokeLayer {
 public:
  Expected<bool> init();
  // One vertex per pose of every Draw/Inkdip arm-stroke, grouped by arm then stroke.
  void upload(const model::Scene& scene, RenderStats& stats);
  // Lines, active-offset points, the all-offsets cloud (instanced) and the
  // needle-target marker per arm, as `in` asks. Changes no buffer.
  void draw(const FrameInput& in, const Eigen::Matrix4f& view_proj, RenderStats& stats) const;
  std::uint64_t vertex_count() const { return static_cast<std::uint64_t>(vertex_count_); }

 private:
  struct Uniforms {
    GLint view_proj = -1, normal = -1, offset = -1, offset_min = -1, offset_max = -1,
          offset_num = -1, mode = -1, stroke = -1, pose = -1, point_size = -1, round = -1,
          pen_rgb = -1;
  };
  struct Variant {
    gl::Program prog;
    Uniforms u;
  };
  static Expected<Variant> build(const char* name, const char* defines);
  void set_frame_uniforms(const Variant& v, const FrameInput& in, const Eigen::Matrix4f& view_proj) const;
  void draw_markers(const FrameInput& in, RenderStats& stats) const;

  Variant main_;   // active offset lines/points and the marker
  Variant cloud_;  // every offset, instanced
  gl::VertexArray vao_;
  gl::Buffer vbo_;
  GLsizei vertex_count_ = 0;
  std::vector<GLint> strip_first_;    // one line strip per arm-stroke
  std::vector<GLsizei> strip_count_;
  std::vector<std::array<GLint, 2>> first_;  // [stroke][arm] first vertex, -1 if none
  std::vector<std::array<GLsizei, 2>> count_;
  std::vector<float> offset_values_;  // Scene::offset_value(k)
  Eigen::Vector3f normal_ = Eigen::Vector3f::UnitZ();
};

}  // namespace strokeviz::render
