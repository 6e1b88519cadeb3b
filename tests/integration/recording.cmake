# Session recording against a private redis-server: the worker records what it
# receives and pushes, replay equals the queue; from_redis and listings.
strokeviz_add_gtest(test_sync_recording_worker integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_recording_worker.cpp
  LIBS strokeviz::sync strokeviz_test_support)
