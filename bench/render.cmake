# Render: frame times of the viewer's 3D view (tatbotlogo + robot) and of the
# all-offsets point cloud against a bare GL program drawing the same points.
# Run under tests/gui/with_xvfb.sh.
add_executable(bench_render bench_render.cpp)
target_link_libraries(bench_render PRIVATE strokeviz::render strokeviz::scene strokeviz::robot glad glfw OpenGL::GL)
target_compile_definitions(bench_render PRIVATE GLFW_INCLUDE_NONE
  STROKEVIZ_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  STROKEVIZ_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared"
  STROKEVIZ_BINARY_DIR="${CMAKE_BINARY_DIR}")
