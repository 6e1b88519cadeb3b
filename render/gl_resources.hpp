// Move-only RAII wrappers for GL object names (buffers, vertex arrays, shaders, programs).
#pragma once

#include <utility>

#include <glad/gl.h>

namespace strokeviz::render::gl {

// Which thread: the render thread (the one whose context is current).
// A handle may be empty (name 0); deleting an empty handle is a no-op, so
// a handle destroyed after its context is gone must have been reset first.
template <class Traits>
class Handle {
 public:
  Handle() = default;
  explicit Handle(GLuint name) : name_(name) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : name_(std::exchange(o.name_, 0)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      name_ = std::exchange(o.name_, 0);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  static Handle create() { return Handle(Traits::create()); }
  GLuint get() const { return name_; }
  explicit operator bool() const { return name_ != 0; }
  void reset() {
    if (name_ != 0) Traits::destroy(name_);
    name_ = 0;
  }

 private:
  GLuint name_ = 0;
};

struct BufferTraits {
  static GLuint create() { GLuint n = 0; glGenBuffers(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteBuffers(1, &n); }
};
struct VertexArrayTraits {
  static GLuint create() { GLuint n = 0; glGenVertexArrays(1, &n); return n; }
  static void destroy(GLuint n) { glDeleteVertexArrays(1, &n); }
};
struct ProgramTraits {
  static GLuint create() { return glCreateProgram(); }
  static void destroy(GLuint n) { glDeleteProgram(n); }
};
struct ShaderTraits {
  static void destroy(GLuint n) { glDeleteShader(n); }
};

using Buffer = Handle<BufferTraits>;
using VertexArray = Handle<VertexArrayTraits>;
using Program = Handle<ProgramTraits>;
using Shader = Handle<ShaderTraits>;

}  // namespace strokeviz::render::gl
