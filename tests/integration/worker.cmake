# SyncWorker integration tests: each test starts its own redis-server on a free loopback port.
strokeviz_add_gtest(test_sync_worker_live integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_worker_live.cpp
  LIBS strokeviz::sync strokeviz_test_support)
strokeviz_add_gtest(test_sync_worker_recovery integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_worker_recovery.cpp
  LIBS strokeviz::sync strokeviz_test_support)
