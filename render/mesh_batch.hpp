// Many indexed triangle meshes in one vertex array (positions, normals, indices), drawn by range.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "render/geometry.hpp"
#include "render/gl_resources.hpp"
#include "render/renderer.hpp"

namespace strokeviz::render {

// Every glBufferData/glBufferSubData of the renderer goes through here so
// RenderStats::buffer_uploads counts them.
void buffer_data(GLenum target, std::size_t bytes, const void* data, RenderStats& stats);

// Which thread: the render thread. Collect meshes with add(), then upload()
// once; the CPU copies are dropped after the upload.
class MeshBatch {
 public:
  struct Range {
    GLsizei index_count = 0;
    std::size_t first_index = 0;
    GLint base_vertex = 0;
  };

  // Appends a mesh; returns its range index. Missing normals become zero
  // (the lit shader then shades it flat).
  int add(std::span<const float> positions, std::span<const float> normals,
          std::span<const unsigned> indices);
  int add(const geometry::TriMesh& m) { return add(m.positions, m.normals, m.indices); }
  void upload(RenderStats& stats);

  bool empty() const { return !vao_; }
  void bind() const { glBindVertexArray(vao_.get()); }
  // Draws one range (the batch must be bound); counts it in stats.
  void draw(int range, RenderStats& stats) const;
  const Range& range(int i) const { return ranges_[static_cast<std::size_t>(i)]; }
  std::size_t range_count() const { return ranges_.size(); }

 private:
  std::vector<float> positions_, normals_;
  std::vector<unsigned> indices_;
  std::vector<Range> ranges_;
  gl::VertexArray vao_;
  gl::Buffer pos_, nrm_, ibo_;
};

}  // namespace strokeviz::render
