# Start-up: process start to first swapped frame of the viewer on tatbotlogo,
# against a bare GLFW + glad program that opens a window and swaps once.
add_executable(bench_bare_window bare_window.cpp)
target_link_libraries(bench_bare_window PRIVATE glad glfw OpenGL::GL)
target_compile_definitions(bench_bare_window PRIVATE GLFW_INCLUDE_NONE)

add_executable(bench_startup bench_startup.cpp ${CMAKE_SOURCE_DIR}/tests/support/process.cpp)
target_include_directories(bench_startup PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(bench_startup PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(bench_startup PRIVATE
  STROKEVIZ_EXE="$<TARGET_FILE:strokeviz>"
  BARE_EXE="$<TARGET_FILE:bench_bare_window>"
  STROKEVIZ_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared")
add_dependencies(bench_startup strokeviz bench_bare_window)

# On-screen latency: publish -> the first swapped frame that shows it.
add_executable(bench_onscreen bench_onscreen.cpp ${CMAKE_SOURCE_DIR}/tests/support/process.cpp
  ${CMAKE_SOURCE_DIR}/tests/support/redis_server.cpp)
target_include_directories(bench_onscreen PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(bench_onscreen PRIVATE strokeviz::sync nlohmann_json::nlohmann_json)
target_compile_definitions(bench_onscreen PRIVATE STROKEVIZ_EXE="$<TARGET_FILE:strokeviz>")
add_dependencies(bench_onscreen strokeviz)
