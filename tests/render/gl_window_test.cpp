// GlWindow without an X display: create() fails with GLFW's own reason, nothing is opened.
#include "render/gl_window.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

using namespace strokeviz::render;

TEST(GlWindow, NoDisplayGivesAClearError) {
  ::unsetenv("DISPLAY");
  ::unsetenv("WAYLAND_DISPLAY");
  WindowOptions o;
  o.visible = false;
  auto w = GlWindow::create(o);
  ASSERT_FALSE(w.ok());
  const std::string msg = w.error().str();
  EXPECT_NE(msg.find("GlWindow::create()"), std::string::npos) << msg;
  EXPECT_NE(msg.find("DISPLAY"), std::string::npos) << msg;
  terminate_glfw();
  terminate_glfw();  // twice is fine
}

TEST(GlWindow, EmptyWindowIsFalseAndMovable) {
  GlWindow a;
  EXPECT_FALSE(a);
  GlWindow b(std::move(a));
  EXPECT_FALSE(b);
  EXPECT_EQ(b.handle(), nullptr);
}
