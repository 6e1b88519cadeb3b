// Draws a scene (strokes, skin, ink caps) and the robot with OpenGL 3.3 core.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "common/expected.hpp"

namespace strokeviz::model { struct Scene; class RobotModel; }

namespace strokeviz::render {

// What one frame shows. Everything here is cheap to change per frame:
// stepping stroke/pose/offset only changes uniforms, never buffers.
struct FrameInput {
  int fb_width = 0, fb_height = 0;                 // framebuffer size
  std::array<int, 4> viewport{0, 0, 0, 0};         // x, y, w, h of the 3D view (GL convention, y up)
  Eigen::Matrix4f view = Eigen::Matrix4f::Identity();
  Eigen::Matrix4f proj = Eigen::Matrix4f::Identity();
  int stroke_idx = 0;
  int pose_idx = 0;
  std::array<int, 2> offset_idx{0, 0};             // active depth offset per arm
  bool show_lines = true;           // every stroke as lines at the active offset
  bool show_active_points = true;   // poses of the active offset as points
  bool show_all_offsets = false;    // every offset of every stroke as a point cloud
  bool show_robot = true;
  bool show_grid = true;
  bool show_skin = true;
  bool show_inkcaps = true;
  float point_size = 3.0f;
  // World transform of every robot link (indexed like RobotModel::links()),
  // from forward kinematics; null or empty draws no robot.
  const std::vector<Eigen::Isometry3d>* link_world = nullptr;
};

struct RenderStats {
  std::uint64_t buffer_uploads = 0;    // glBufferData/glBufferSubData calls since creation
  std::uint64_t draw_calls = 0;        // in the last frame
  std::uint64_t vertices_drawn = 0;    // in the last frame (points + line + triangle vertices)
  std::uint64_t stroke_vertices = 0;   // stroke vertices uploaded (base offset, both arms)
};

// Which thread: the render thread only (it owns the GL context).
class SceneRenderer {
 public:
  SceneRenderer();
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Needs a current GL 3.3 core context with glad loaded. Compiles shaders.
  Expected<bool> init();
  // Uploads the stroke geometry once: each pose at depth offset 0 with its
  // stroke, pose, arm and pen colour; offsets are applied in the shader.
  void upload_scene(const model::Scene& scene);
  // Uploads link geometry once (meshes and primitives).
  void upload_robot(const model::RobotModel& model);
  void draw(const FrameInput& in);
  const RenderStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads the current framebuffer as tightly packed RGB rows, top row first.
std::vector<std::uint8_t> read_framebuffer_rgb(int width, int height);
// Writes RGB rows (top first) as PNG (stb_image_write).
Expected<bool> write_png(const std::string& path, int width, int height,
                         const std::vector<std::uint8_t>& rgb);

}  // namespace strokeviz::render
