# The viewer's sync pipeline without a window: strokeviz-sim -> redis-server ->
# SyncWorker -> queue -> Follower -> ViewerState, checked against what was published.
if(TARGET strokeviz-sim AND TARGET strokeviz_app)
  strokeviz_add_gtest(test_sync_pipeline integration
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_pipeline.cpp
    LIBS strokeviz::app strokeviz::sync strokeviz_test_support nlohmann_json::nlohmann_json)
  target_compile_definitions(test_sync_pipeline PRIVATE STROKEVIZ_SIM_EXE="$<TARGET_FILE:strokeviz-sim>")
  add_dependencies(test_sync_pipeline strokeviz-sim)
endif()
