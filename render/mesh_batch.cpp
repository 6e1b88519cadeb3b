// Many indexed triangle meshes in one vertex array (positions, normals, indices), drawn by range.
#include "render/mesh_batch.hpp"

namespace strokeviz::render {

void buffer_data(GLenum target, std::size_t bytes, const void* data, RenderStats& stats) {
  glBufferData(target, static_cast<GLsizeiptr>(bytes), data, GL_STATIC_DRAW);
  ++stats.buffer_uploads;
}

int MeshBatch::add(std::span<const float> positions, std::span<const float> normals,
                   std::span<const unsigned> indices) {
  Range r;
  r.base_vertex = static_cast<GLint>(positions_.size() / 3);
  r.first_index = indices_.size();
  r.index_count = static_cast<GLsizei>(indices.size());
  positions_.insert(positions_.end(), positions.begin(), positions.end());
  if (normals.size() == positions.size()) normals_.insert(normals_.end(), normals.begin(), normals.end());
  else normals_.resize(positions_.size(), 0.f);
  indices_.insert(indices_.end(), indices.begin(), indices.end());
  ranges_.push_back(r);
  return static_cast<int>(ranges_.size() - 1);
}

void MeshBatch::upload(RenderStats& stats) {
  vao_ = gl::VertexArray::create();
  pos_ = gl::Buffer::create();
  nrm_ = gl::Buffer::create();
  ibo_ = gl::Buffer::create();
  glBindVertexArray(vao_.get());
  glBindBuffer(GL_ARRAY_BUFFER, pos_.get());
  buffer_data(GL_ARRAY_BUFFER, positions_.size() * sizeof(float), positions_.data(), stats);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindBuffer(GL_ARRAY_BUFFER, nrm_.get());
  buffer_data(GL_ARRAY_BUFFER, normals_.size() * sizeof(float), normals_.data(), stats);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ibo_.get());
  buffer_data(GL_ELEMENT_ARRAY_BUFFER, indices_.size() * sizeof(unsigned), indices_.data(), stats);
  glBindVertexArray(0);
  positions_ = {};
  normals_ = {};
  indices_ = {};
}

void MeshBatch::draw(int range, RenderStats& stats) const {
  const Range& r = ranges_[static_cast<std::size_t>(range)];
  if (r.index_count == 0) return;
  glDrawElementsBaseVertex(GL_TRIANGLES, r.index_count, GL_UNSIGNED_INT,
                           reinterpret_cast<const void*>(r.first_index * sizeof(unsigned)), r.base_vertex);
  ++stats.draw_calls;
  stats.vertices_drawn += static_cast<std::uint64_t>(r.index_count);
}

}  // namespace strokeviz::render
