# Unit tests of session recording: line format, round trip, bad files, queries,
# listings (test_sync_recording); the recorder's I/O: a slow sink, kill -9,
# write errors (test_sync_recording_io).
strokeviz_add_gtest(test_sync_recording unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_recording.cpp
  LIBS strokeviz::sync strokeviz_test_support)
strokeviz_add_gtest(test_sync_recording_io unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_recording_io.cpp
  LIBS strokeviz::sync strokeviz_test_support)
