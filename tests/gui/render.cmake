# Render GL tests (RenderGLTest): a hidden window on a real GL 3.3 context, run
# under a private Xvfb. Included from tests/gui/CMakeLists.txt.
add_executable(test_render_gl
  ${CMAKE_CURRENT_LIST_DIR}/test_render_gl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_render_gl_fixture.cpp)
target_link_libraries(test_render_gl PRIVATE
  strokeviz::render strokeviz::scene strokeviz::robot GTest::gtest GTest::gtest_main)
target_compile_definitions(test_render_gl PRIVATE ${STROKEVIZ_TEST_DEFINES})
add_test(NAME render_gl COMMAND ${CMAKE_SOURCE_DIR}/tests/gui/with_xvfb.sh $<TARGET_FILE:test_render_gl>)
set_tests_properties(render_gl PROPERTIES LABELS gui TIMEOUT 120)
