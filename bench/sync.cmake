# bench_sync: parse_event (SAX) against an nlohmann DOM parse of the same
# payload, and SpscQueue against boost::lockfree::spsc_queue (headers from
# libboost-dev), both pairs measured in the same run; prints the ratios.
find_package(Threads REQUIRED)
add_executable(bench_sync ${CMAKE_CURRENT_SOURCE_DIR}/bench_sync.cpp)
target_link_libraries(bench_sync PRIVATE
  strokeviz::sync benchmark::benchmark nlohmann_json::nlohmann_json Threads::Threads)
