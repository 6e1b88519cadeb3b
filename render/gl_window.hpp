// A GLFW window with an OpenGL 3.3 core context and the glad loader, as a move-only RAII type.
#pragma once

#include <string>

#include "common/expected.hpp"

struct GLFWwindow;

namespace strokeviz::render {

struct WindowOptions {
  int width = 1280;
  int height = 800;
  std::string title = "strokeviz";
  bool visible = true;
  bool vsync = true;
  int samples = 4;  // MSAA; 0 for none
  // MSAA samples when the context turns out to be a software rasterizer
  // (Mesa llvmpipe/softpipe/swrast): 4x multisampling costs about 2.5x frame
  // time there. -1 keeps `samples`.
  int samples_software = 0;
};

// Which thread: create, use and destroy on the render thread (GLFW's main thread).
class GlWindow {
 public:
  GlWindow() = default;
  ~GlWindow();
  GlWindow(GlWindow&& other) noexcept;
  GlWindow& operator=(GlWindow&& other) noexcept;
  GlWindow(const GlWindow&) = delete;
  GlWindow& operator=(const GlWindow&) = delete;

  // Initialises GLFW (once per process), opens the window, makes its context
  // current and loads GL with glad. Errors say what failed (no display,
  // no GL 3.3, …).
  static Expected<GlWindow> create(const WindowOptions& options);

  GLFWwindow* handle() const { return window_; }
  explicit operator bool() const { return window_ != nullptr; }
  // "OpenGL 3.3 (Mesa llvmpipe …)" — GL_VERSION and GL_RENDERER.
  std::string gl_description() const;

 private:
  GLFWwindow* window_ = nullptr;
};

// Calls glfwTerminate() if GlWindow::create() initialised GLFW; the app calls
// it once at exit, after every GlWindow is destroyed. Safe to call twice.
void terminate_glfw();
// The last message GLFW reported through its error callback ("" if none).
std::string last_glfw_error();

}  // namespace strokeviz::render
