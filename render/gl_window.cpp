// A GLFW window with an OpenGL 3.3 core context and the glad loader, as a move-only RAII type.
#include "render/gl_window.hpp"

#include <algorithm>

#include <utility>

#include <glad/gl.h>
#include <GLFW/glfw3.h>

namespace strokeviz::render {

namespace {

// GLFW state is process-wide and only touched from the main thread.
bool g_glfw_initialised = false;
std::string g_last_error;

void on_glfw_error(int code, const char* description) {
  g_last_error = description ? description : ("error " + std::to_string(code));
}

Error fail(const std::string& what) {
  std::string msg = "GlWindow::create(): " + what;
  if (!g_last_error.empty()) msg += ": GLFW: " + g_last_error;
  return Error{"", 0, msg};
}

GLFWwindow* open_window(const WindowOptions& o, int samples) {
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SAMPLES, samples);
  glfwWindowHint(GLFW_VISIBLE, o.visible ? GLFW_TRUE : GLFW_FALSE);
  return glfwCreateWindow(o.width, o.height, o.title.c_str(), nullptr, nullptr);
}

bool is_software_renderer() {
  const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const std::string s = r ? r : "";
  return s.find("llvmpipe") != std::string::npos || s.find("softpipe") != std::string::npos ||
         s.find("swrast") != std::string::npos;
}

// Makes w current and loads GL; an error message, or empty.
std::string make_current(GLFWwindow* w) {
  glfwMakeContextCurrent(w);
  const int version = gladLoadGL(glfwGetProcAddress);
  if (version == 0) return "gladLoadGL() could not load OpenGL";
  if (GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) < 33)
    return "OpenGL 3.3 needed, the context has " + std::to_string(GLAD_VERSION_MAJOR(version)) + "." +
           std::to_string(GLAD_VERSION_MINOR(version));
  return {};
}

}  // namespace

Expected<GlWindow> GlWindow::create(const WindowOptions& options) {
  g_last_error.clear();
  if (!g_glfw_initialised) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) return fail("cannot initialise GLFW");
    g_glfw_initialised = true;
  }
  // Software GL (Mesa llvmpipe) pays ~2.5x per frame for MSAA, and a window
  // opened twice costs start-up time, so open with the software sample count
  // first and reopen with MSAA only on a hardware renderer (fast to open).
  const int sw = options.samples_software;
  const int first_samples = sw >= 0 ? std::min(sw, options.samples) : options.samples;
  GLFWwindow* w = open_window(options, first_samples);
  if (!w && first_samples > 0) {  // no multisampled visual: try without MSAA
    g_last_error.clear();
    w = open_window(options, 0);
  }
  if (!w) return fail("cannot open a " + std::to_string(options.width) + "x" +
                      std::to_string(options.height) + " window with an OpenGL 3.3 core context");
  GlWindow win;
  win.window_ = w;
  if (auto err = make_current(w); !err.empty()) return fail(err);
  if (options.samples > first_samples && !is_software_renderer()) {
    // Reopen with MSAA; keep the first window if that fails.
    if (GLFWwindow* w2 = open_window(options, options.samples)) {
      glfwMakeContextCurrent(nullptr);
      glfwDestroyWindow(w);
      win.window_ = w2;
      if (auto err = make_current(w2); !err.empty()) return fail(err);
    } else {
      g_last_error.clear();
      glfwMakeContextCurrent(w);
    }
  }
  glfwSwapInterval(options.vsync ? 1 : 0);
  return win;
}

GlWindow::~GlWindow() {
  if (window_) glfwDestroyWindow(window_);
}

GlWindow::GlWindow(GlWindow&& other) noexcept : window_(std::exchange(other.window_, nullptr)) {}

GlWindow& GlWindow::operator=(GlWindow&& other) noexcept {
  if (this != &other) {
    if (window_) glfwDestroyWindow(window_);
    window_ = std::exchange(other.window_, nullptr);
  }
  return *this;
}

std::string GlWindow::gl_description() const {
  if (!window_ || glfwGetCurrentContext() != window_) return "no current OpenGL context";
  auto str = [](GLenum e) {
    const auto* s = reinterpret_cast<const char*>(glGetString(e));
    return std::string(s ? s : "?");
  };
  return "OpenGL " + str(GL_VERSION) + " (" + str(GL_RENDERER) + ")";
}

void terminate_glfw() {
  if (g_glfw_initialised) glfwTerminate();
  g_glfw_initialised = false;
}

std::string last_glfw_error() { return g_last_error; }

}  // namespace strokeviz::render
