# Record live, replay offline: the viewer states must match event for event.
if(TARGET strokeviz-sim AND TARGET strokeviz_app)
  strokeviz_add_gtest(test_sync_replay_equals_live integration
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_replay_equals_live.cpp
    LIBS strokeviz::app strokeviz::sync strokeviz_test_support)
  target_compile_definitions(test_sync_replay_equals_live PRIVATE STROKEVIZ_SIM_EXE="$<TARGET_FILE:strokeviz-sim>")
  add_dependencies(test_sync_replay_equals_live strokeviz-sim)
endif()
