// The strokes: every pose uploaded once at offset 0; offsets, progress colours and sizes are uniforms.
#include "render/stroke_layer.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "model/scene.hpp"
#include "render/mesh_batch.hpp"
#include "render/shaders.hpp"

namespace strokeviz::render {

namespace {

// 20 bytes, two attributes: few fetches per vertex keep the cloud cheap.
struct StrokeVertex {
  float pos[3];
  std::uint32_t stroke;
  std::uint32_t pose_arm_pen;  // pose | arm << 16 | pen << 17
};
static_assert(sizeof(StrokeVertex) == 20);

constexpr int kMaxPens = 64;         // u_pen_rgb size in the shader
constexpr std::uint32_t kNoPen = 255;  // drawn grey

std::uint32_t pen_index(const model::Scene& s, const std::string& pen) {
  for (std::size_t i = 0; i < s.pens.size() && i < kMaxPens; ++i)
    if (s.pens[i].name == pen) return static_cast<std::uint32_t>(i);
  return kNoPen;
}

enum Mode { kActive = 0, kMarker = 2 };  // u_mode of the main variant

}  // namespace

Expected<StrokeLayer::Variant> StrokeLayer::build(const char* name, const char* defines) {
  auto p = shaders::build_program(name, shaders::kStrokeVs, shaders::kStrokeFs, defines);
  if (!p) return p.error();
  Variant v{std::move(*p), {}};
  const GLuint id = v.prog.get();
  v.u.view_proj = glGetUniformLocation(id, "u_view_proj");
  v.u.normal = glGetUniformLocation(id, "u_normal");
  v.u.offset = glGetUniformLocation(id, "u_offset");
  v.u.offset_min = glGetUniformLocation(id, "u_offset_min");
  v.u.offset_max = glGetUniformLocation(id, "u_offset_max");
  v.u.offset_num = glGetUniformLocation(id, "u_offset_num");
  v.u.mode = glGetUniformLocation(id, "u_mode");
  v.u.stroke = glGetUniformLocation(id, "u_stroke");
  v.u.pose = glGetUniformLocation(id, "u_pose");
  v.u.point_size = glGetUniformLocation(id, "u_point_size");
  v.u.round = glGetUniformLocation(id, "u_round");
  v.u.pen_rgb = glGetUniformLocation(id, "u_pen_rgb");
  return v;
}

Expected<bool> StrokeLayer::init() {
  auto m = build("strokes", "");
  if (!m) return m.error();
  auto c = build("stroke cloud", "#define CLOUD 1\n");
  if (!c) return c.error();
  main_ = std::move(*m);
  cloud_ = std::move(*c);
  return true;
}

void StrokeLayer::upload(const model::Scene& scene, RenderStats& stats) {
  std::vector<StrokeVertex> verts;
  strip_first_.clear();
  strip_count_.clear();
  first_.assign(scene.strokes.size(), {-1, -1});
  count_.assign(scene.strokes.size(), {0, 0});
  for (int arm = 0; arm < model::kArmCount; ++arm) {
    for (std::size_t s = 0; s < scene.strokes.size(); ++s) {
      const model::ArmStroke& as = scene.strokes[s].arm[static_cast<std::size_t>(arm)];
      if (as.kind == model::StrokeKind::Rest || as.poses.empty()) continue;
      const std::uint32_t tag = static_cast<std::uint32_t>(arm) << 16 | pen_index(scene, as.pen) << 17;
      const auto first = static_cast<GLint>(verts.size());
      for (std::size_t p = 0; p < as.poses.size(); ++p) {
        const Eigen::Vector3f x = as.poses[p].cast<float>();
        const auto pose = static_cast<std::uint32_t>(std::min<std::size_t>(p, 0xffff));
        verts.push_back(StrokeVertex{{x.x(), x.y(), x.z()}, static_cast<std::uint32_t>(s), pose | tag});
      }
      const auto n = static_cast<GLsizei>(as.poses.size());
      first_[s][arm] = first;
      count_[s][arm] = n;
      strip_first_.push_back(first);
      strip_count_.push_back(n);
    }
  }
  vertex_count_ = static_cast<GLsizei>(verts.size());
  stats.stroke_vertices = verts.size();
  offset_values_.clear();
  for (int k = 0; k < std::max(1, scene.offset_num); ++k)
    offset_values_.push_back(static_cast<float>(scene.offset_value(k)));
  normal_ = scene.skin_normal().cast<float>();

  vao_ = gl::VertexArray::create();
  vbo_ = gl::Buffer::create();
  glBindVertexArray(vao_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vbo_.get());
  buffer_data(GL_ARRAY_BUFFER, verts.size() * sizeof(StrokeVertex), verts.data(), stats);
  const auto stride = static_cast<GLsizei>(sizeof(StrokeVertex));
  auto at = [](std::size_t off) { return reinterpret_cast<const void*>(off); };
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, at(offsetof(StrokeVertex, pos)));
  glEnableVertexAttribArray(1);
  glVertexAttribIPointer(1, 2, GL_UNSIGNED_INT, stride, at(offsetof(StrokeVertex, stroke)));
  glBindVertexArray(0);

  // Pen colours are program state: set once here, not per frame.
  std::vector<float> pen_rgb(3 * kMaxPens, 0.63f);
  for (std::size_t i = 0; i < scene.pens.size() && i < kMaxPens; ++i)
    for (std::size_t c = 0; c < 3; ++c) pen_rgb[3 * i + c] = std::clamp(scene.pens[i].rgb[c], 0.f, 1.f);
  for (const Variant* v : {&main_, &cloud_}) {
    glUseProgram(v->prog.get());
    glUniform3fv(v->u.pen_rgb, kMaxPens, pen_rgb.data());
  }
  glUseProgram(0);
}

void StrokeLayer::set_frame_uniforms(const Variant& v, const FrameInput& in, const Eigen::Matrix4f& view_proj) const {
  const Uniforms& u = v.u;
  glUseProgram(v.prog.get());
  const int last = static_cast<int>(offset_values_.size()) - 1;
  const float offs[2] = {offset_values_[static_cast<std::size_t>(std::clamp(in.offset_idx[0], 0, last))],
                         offset_values_[static_cast<std::size_t>(std::clamp(in.offset_idx[1], 0, last))]};
  glUniformMatrix4fv(u.view_proj, 1, GL_FALSE, view_proj.data());
  glUniform3fv(u.normal, 1, normal_.data());
  glUniform1fv(u.offset, 2, offs);
  glUniform1f(u.offset_min, offset_values_.front());
  glUniform1f(u.offset_max, offset_values_.back());
  glUniform1i(u.offset_num, last + 1);
  glUniform1i(u.stroke, in.stroke_idx);
  glUniform1i(u.pose, in.pose_idx);
}

void StrokeLayer::draw(const FrameInput& in, const Eigen::Matrix4f& view_proj, RenderStats& stats) const {
  if (vertex_count_ == 0) return;
  glBindVertexArray(vao_.get());
  const float ps = std::max(1.f, in.point_size);
  if (in.show_all_offsets) {
    const auto instances = static_cast<GLsizei>(offset_values_.size());
    set_frame_uniforms(cloud_, in, view_proj);
    glUniform1f(cloud_.u.point_size, std::max(1.f, ps - 1.f));
    glDrawArraysInstanced(GL_POINTS, 0, vertex_count_, instances);
    ++stats.draw_calls;
    stats.vertices_drawn += static_cast<std::uint64_t>(vertex_count_) * static_cast<std::uint64_t>(instances);
  }
  set_frame_uniforms(main_, in, view_proj);
  const Uniforms& u = main_.u;
  glUniform1i(u.mode, kActive);
  glUniform1f(u.point_size, ps);
  if (in.show_lines && !strip_first_.empty()) {
    glUniform1i(u.round, 0);
    // Every arm-stroke is its own strip; one call draws them all.
    glMultiDrawArrays(GL_LINE_STRIP, strip_first_.data(), strip_count_.data(),
                      static_cast<GLsizei>(strip_first_.size()));
    ++stats.draw_calls;
    stats.vertices_drawn += static_cast<std::uint64_t>(vertex_count_);
  }
  if (in.show_active_points) {
    glUniform1i(u.round, ps >= 3.f ? 1 : 0);
    glDrawArrays(GL_POINTS, 0, vertex_count_);
    ++stats.draw_calls;
    stats.vertices_drawn += static_cast<std::uint64_t>(vertex_count_);
  }
  draw_markers(in, stats);
  glBindVertexArray(0);
}

void StrokeLayer::draw_markers(const FrameInput& in, RenderStats& stats) const {
  if (in.stroke_idx < 0 || in.stroke_idx >= static_cast<int>(first_.size()) || in.pose_idx < 0) return;
  const auto s = static_cast<std::size_t>(in.stroke_idx);
  const Uniforms& u = main_.u;
  glUniform1i(u.mode, kMarker);
  glUniform1i(u.round, 1);
  glDisable(GL_DEPTH_TEST);  // the needle target stays visible through the arm
  for (int arm = 0; arm < 2; ++arm) {
    if (first_[s][arm] < 0 || in.pose_idx >= count_[s][arm]) continue;
    glDrawArrays(GL_POINTS, first_[s][arm] + in.pose_idx, 1);
    ++stats.draw_calls;
    ++stats.vertices_drawn;
  }
  glEnable(GL_DEPTH_TEST);
}

}  // namespace strokeviz::render
