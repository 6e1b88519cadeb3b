# bench_ingest: the SyncWorker's whole path (socket → parse → queue → consumer)
# against a bare hiredis reader, a 200 000-event burst, and latency at 100 /
# 1 000 / 10 000 events/s; a private redis-server per run (the test fixture's
# sources are compiled in, so it builds without the tests).
find_package(Threads REQUIRED)
get_filename_component(_strokeviz_root ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
add_executable(bench_ingest
  ${CMAKE_CURRENT_LIST_DIR}/bench_ingest.cpp
  ${_strokeviz_root}/tests/support/redis_server.cpp
  ${_strokeviz_root}/tests/support/process.cpp)
target_include_directories(bench_ingest PRIVATE ${_strokeviz_root})
target_link_libraries(bench_ingest PRIVATE
  strokeviz::sync PkgConfig::HIREDIS spdlog::spdlog Threads::Threads)
