// Draws a scene (strokes, skin, ink caps) and the robot with OpenGL 3.3 core.
#include "render/renderer.hpp"

#include <algorithm>

#include <glad/gl.h>
#include <stb/stb_image_write.h>

#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "render/geometry.hpp"
#include "render/mesh_batch.hpp"
#include "render/shaders.hpp"
#include "render/stroke_layer.hpp"

namespace strokeviz::render {

namespace {

constexpr float kBackground[3] = {0.11f, 0.12f, 0.14f};

// Unlit coloured vertices (grid, axes, skin) in one buffer, drawn by range.
struct FlatBuffer {
  gl::VertexArray vao;
  gl::Buffer vbo;
  void upload(const std::vector<geometry::FlatVertex>& v, RenderStats& stats) {
    vao = gl::VertexArray::create();
    vbo = gl::Buffer::create();
    glBindVertexArray(vao.get());
    glBindBuffer(GL_ARRAY_BUFFER, vbo.get());
    buffer_data(GL_ARRAY_BUFFER, v.size() * sizeof(geometry::FlatVertex), v.data(), stats);
    const auto stride = static_cast<GLsizei>(sizeof(geometry::FlatVertex));
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                          reinterpret_cast<const void*>(offsetof(geometry::FlatVertex, rgba)));
    glBindVertexArray(0);
  }
};

// One lit draw: a range of a MeshBatch with its model matrix and colour.
struct LitItem {
  int link = -1;  // robot link whose world transform applies; -1: model is world
  int range = 0;
  Eigen::Matrix4f model = Eigen::Matrix4f::Identity();  // link frame (or world) <- unit geometry
  Eigen::Vector4f color{0.6f, 0.6f, 0.6f, 1.f};
};

struct Primitives {
  int box = -1, cylinder = -1, sphere = -1;
};

Primitives add_primitives(MeshBatch& batch) {
  Primitives p;
  p.box = batch.add(geometry::unit_box());
  p.cylinder = batch.add(geometry::unit_cylinder());
  p.sphere = batch.add(geometry::unit_sphere());
  return p;
}

void count_draw(RenderStats& stats, std::uint64_t vertices) {
  ++stats.draw_calls;
  stats.vertices_drawn += vertices;
}

}  // namespace

struct SceneRenderer::Impl {
  RenderStats stats;
  gl::Program flat, lit;
  GLint flat_vp = -1, lit_vp = -1, lit_model = -1, lit_normal = -1, lit_color = -1;
  StrokeLayer strokes;

  FlatBuffer world;  // grid + axes
  GLsizei grid_count = 0;
  FlatBuffer skin;   // quad (6) then outline (8)
  bool has_skin = false;

  MeshBatch shapes;  // unit primitives for ink caps
  Primitives shape_ids;
  std::vector<LitItem> inkcaps;

  MeshBatch robot;  // robot meshes then unit primitives
  std::vector<LitItem> robot_items;
  std::size_t robot_links = 0;

  void draw_world(const Eigen::Matrix4f& vp);
  void draw_skin(const Eigen::Matrix4f& vp);
  void draw_lit(const MeshBatch& batch, const std::vector<LitItem>& items, const Eigen::Matrix4f& view,
                const Eigen::Matrix4f& vp, const std::vector<Eigen::Isometry3d>* link_world);
};

SceneRenderer::SceneRenderer() : impl_(std::make_unique<Impl>()) {}
SceneRenderer::~SceneRenderer() = default;

Expected<bool> SceneRenderer::init() {
  if (glad_glCreateProgram == nullptr)
    return Error{"", 0, "SceneRenderer::init(): no OpenGL loaded (create a GlWindow first)"};
  Impl& m = *impl_;
  auto flat = shaders::build_program("flat", shaders::kFlatVs, shaders::kFlatFs);
  if (!flat) return flat.error();
  auto lit = shaders::build_program("lit", shaders::kLitVs, shaders::kLitFs);
  if (!lit) return lit.error();
  if (auto s = m.strokes.init(); !s) return s.error();
  m.flat = std::move(*flat);
  m.lit = std::move(*lit);
  m.flat_vp = glGetUniformLocation(m.flat.get(), "u_view_proj");
  m.lit_vp = glGetUniformLocation(m.lit.get(), "u_view_proj");
  m.lit_model = glGetUniformLocation(m.lit.get(), "u_model");
  m.lit_normal = glGetUniformLocation(m.lit.get(), "u_normal_view");
  m.lit_color = glGetUniformLocation(m.lit.get(), "u_color");

  const auto world = geometry::grid_and_axes(1.0f, 0.05f, 0.1f);
  m.grid_count = static_cast<GLsizei>(world.size());
  m.world.upload(world, m.stats);
  m.shape_ids = add_primitives(m.shapes);
  m.shapes.upload(m.stats);
  return true;
}

void SceneRenderer::upload_scene(const model::Scene& scene) {
  Impl& m = *impl_;
  m.strokes.upload(scene, m.stats);
  auto skin = geometry::skin(scene.design_pose, scene.skin_width_m, scene.skin_height_m);
  std::vector<geometry::FlatVertex> v = skin.quad;
  v.insert(v.end(), skin.outline.begin(), skin.outline.end());
  m.skin.upload(v, m.stats);
  m.has_skin = scene.skin_width_m > 0 && scene.skin_height_m > 0;

  m.inkcaps.clear();
  for (const auto& cap : scene.inkcaps) {
    LitItem it;
    it.range = m.shape_ids.cylinder;
    it.model = geometry::inkcap_model(cap.pos, cap.diameter_m, cap.depth_m);
    it.color = {0.55f, 0.55f, 0.57f, 1.f};  // no ink: grey
    for (const auto& pen : scene.pens)
      if (!cap.ink.empty() && pen.name == cap.ink) it.color = {pen.rgb[0], pen.rgb[1], pen.rgb[2], 1.f};
    m.inkcaps.push_back(it);
  }
}

void SceneRenderer::upload_robot(const model::RobotModel& model) {
  Impl& m = *impl_;
  m.robot = MeshBatch();
  for (const auto& mesh : model.meshes()) m.robot.add(mesh.positions, mesh.normals, mesh.indices);
  const Primitives prim = add_primitives(m.robot);
  m.robot_items.clear();
  const auto& links = model.links();
  m.robot_links = links.size();
  for (std::size_t l = 0; l < links.size(); ++l) {
    for (const auto& vis : links[l].visuals) {
      LitItem it;
      it.link = static_cast<int>(l);
      Eigen::Vector3f scale = Eigen::Vector3f::Ones();
      switch (vis.type) {
        case model::GeomType::Mesh:
          if (vis.mesh < 0 || vis.mesh >= static_cast<int>(model.meshes().size())) continue;
          it.range = vis.mesh;
          break;
        case model::GeomType::Box:
          it.range = prim.box;
          scale = vis.size.cast<float>();
          break;
        case model::GeomType::Cylinder:
          it.range = prim.cylinder;
          scale = Eigen::Vector3d(vis.size.x(), vis.size.x(), vis.size.y()).cast<float>();
          break;
        case model::GeomType::Sphere:
          it.range = prim.sphere;
          scale = Eigen::Vector3f::Constant(static_cast<float>(vis.size.x()));
          break;
      }
      if ((scale.array() <= 0.f).any()) continue;  // degenerate: nothing to see
      it.model = vis.origin.matrix().cast<float>() * Eigen::Affine3f(Eigen::Scaling(scale)).matrix();
      it.color = geometry::lift_dark(vis.rgba);
      m.robot_items.push_back(it);
    }
  }
  m.robot.upload(m.stats);
}

void SceneRenderer::Impl::draw_world(const Eigen::Matrix4f& vp) {
  glUseProgram(flat.get());
  glUniformMatrix4fv(flat_vp, 1, GL_FALSE, vp.data());
  glBindVertexArray(world.vao.get());
  glDrawArrays(GL_LINES, 0, grid_count);
  count_draw(stats, static_cast<std::uint64_t>(grid_count));
}

// Translucent, after the opaque geometry and before the strokes (which lie on
// it), without writing depth.
void SceneRenderer::Impl::draw_skin(const Eigen::Matrix4f& vp) {
  glUseProgram(flat.get());
  glUniformMatrix4fv(flat_vp, 1, GL_FALSE, vp.data());
  glBindVertexArray(skin.vao.get());
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  glDepthMask(GL_FALSE);
  glDrawArrays(GL_TRIANGLES, 0, 6);
  glDrawArrays(GL_LINES, 6, 8);
  count_draw(stats, 6);
  count_draw(stats, 8);
  glDepthMask(GL_TRUE);
  glDisable(GL_BLEND);
}

void SceneRenderer::Impl::draw_lit(const MeshBatch& batch, const std::vector<LitItem>& items,
                                   const Eigen::Matrix4f& view, const Eigen::Matrix4f& vp,
                                   const std::vector<Eigen::Isometry3d>* link_world) {
  if (batch.empty() || items.empty()) return;
  glUseProgram(lit.get());
  glUniformMatrix4fv(lit_vp, 1, GL_FALSE, vp.data());
  batch.bind();
  const Eigen::Matrix3f view_rot = view.topLeftCorner<3, 3>();
  for (const LitItem& it : items) {
    Eigen::Matrix4f model = it.model;
    if (it.link >= 0) model = (*link_world)[static_cast<std::size_t>(it.link)].matrix().cast<float>() * model;
    const Eigen::Matrix3f normal = view_rot * model.topLeftCorner<3, 3>().inverse().transpose();
    glUniformMatrix4fv(lit_model, 1, GL_FALSE, model.data());
    glUniformMatrix3fv(lit_normal, 1, GL_FALSE, normal.data());
    glUniform4fv(lit_color, 1, it.color.data());
    batch.draw(it.range, stats);
  }
}

void SceneRenderer::draw(const FrameInput& in) {
  Impl& m = *impl_;
  m.stats.draw_calls = 0;
  m.stats.vertices_drawn = 0;

  glDisable(GL_SCISSOR_TEST);
  glViewport(0, 0, in.fb_width, in.fb_height);
  glClearColor(kBackground[0], kBackground[1], kBackground[2], 1.f);
  glClearDepth(1.0);
  glDepthMask(GL_TRUE);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  auto vp_rect = in.viewport;
  if (vp_rect[2] <= 0 || vp_rect[3] <= 0) vp_rect = {0, 0, in.fb_width, in.fb_height};
  glViewport(vp_rect[0], vp_rect[1], vp_rect[2], vp_rect[3]);

  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LEQUAL);
  glEnable(GL_MULTISAMPLE);
  glEnable(GL_PROGRAM_POINT_SIZE);
  glDisable(GL_CULL_FACE);
  glDisable(GL_BLEND);

  const Eigen::Matrix4f vp = in.proj * in.view;
  if (in.show_grid) m.draw_world(vp);
  const bool robot_ok = in.link_world && !in.link_world->empty() && in.link_world->size() >= m.robot_links;
  if (in.show_robot && robot_ok) {
    // Closed meshes: skip back faces (llvmpipe is fill-bound on the arms).
    glEnable(GL_CULL_FACE);
    glCullFace(GL_BACK);
    m.draw_lit(m.robot, m.robot_items, in.view, vp, in.link_world);
    glDisable(GL_CULL_FACE);
  }
  if (in.show_inkcaps) m.draw_lit(m.shapes, m.inkcaps, in.view, vp, nullptr);
  if (in.show_skin && m.has_skin) m.draw_skin(vp);
  m.strokes.draw(in, vp, m.stats);

  glBindVertexArray(0);
  glUseProgram(0);
}

const RenderStats& SceneRenderer::stats() const { return impl_->stats; }

std::vector<std::uint8_t> read_framebuffer_rgb(int width, int height) {
  if (width <= 0 || height <= 0) return {};
  const auto row = static_cast<std::size_t>(width) * 3;
  std::vector<std::uint8_t> bottom_up(row * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, bottom_up.data());
  std::vector<std::uint8_t> top_down(bottom_up.size());
  for (int y = 0; y < height; ++y)
    std::copy_n(bottom_up.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(height - 1 - y)),
                row, top_down.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(y)));
  return top_down;
}

Expected<bool> write_png(const std::string& path, int width, int height, const std::vector<std::uint8_t>& rgb) {
  if (width <= 0 || height <= 0 || rgb.size() < static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3)
    return Error{path, 0, "write_png(): " + std::to_string(width) + "x" + std::to_string(height) +
                              " needs " + std::to_string(width * height * 3) + " bytes, got " +
                              std::to_string(rgb.size())};
  if (!stbi_write_png(path.c_str(), width, height, 3, rgb.data(), width * 3))
    return Error{path, 0, "write_png(): cannot write the file"};
  return true;
}

}  // namespace strokeviz::render
