# bench_recording: a 1 000 000-line session file in /tmp — load time and memory,
# seek (index_at + state_at) at random times, and the recorder's cost per event
# on the worker thread against a plain memcpy of the same bytes (same run).
add_executable(bench_recording ${CMAKE_CURRENT_LIST_DIR}/bench_recording.cpp)
target_link_libraries(bench_recording PRIVATE strokeviz::sync)
