# Unit tests of the sync worker's pieces that need no server: LatestValue,
# RedisConfig, the progress_update fast path.
strokeviz_add_gtest(test_sync_worker_parts unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_latest_value.cpp ${CMAKE_CURRENT_LIST_DIR}/test_redis_config.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_worker_fast_parse.cpp
  LIBS strokeviz::sync)
