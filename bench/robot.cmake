# bench_ik: IK (warm-started and cold) and FK per call on the project's tatbot URDF.
add_executable(bench_ik ${CMAKE_CURRENT_SOURCE_DIR}/bench_ik.cpp)
target_link_libraries(bench_ik PRIVATE strokeviz::robot benchmark::benchmark)
target_compile_definitions(bench_ik PRIVATE
  STROKEVIZ_SOURCE_DIR="${STROKEVIZ_SOURCE_DIR}")
