// Baseline for bench_startup: the least a GL program must do to show a frame
// (GLFW init, a 3.3 core window, glad, clear, swap). Prints ms since main().
#include <chrono>
#include <cstdio>

#include <glad/gl.h>
#include <GLFW/glfw3.h>

int main() {
  const auto t0 = std::chrono::steady_clock::now();
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* w = glfwCreateWindow(1400, 900, "bare", nullptr, nullptr);
  if (!w) return 1;
  glfwMakeContextCurrent(w);
  if (!gladLoadGL(glfwGetProcAddress)) return 1;
  glClearColor(0.1f, 0.1f, 0.1f, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  glfwSwapBuffers(w);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const double steady_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::printf("first_frame_ms %.3f first_frame_steady_ms %.3f\n", ms, steady_ms);
  glfwDestroyWindow(w);
  glfwTerminate();
  return 0;
}
