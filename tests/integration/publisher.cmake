# The publisher (C++ StateManager) and the simulator against a private redis-server.
strokeviz_add_gtest(test_sync_publisher_state_manager integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sync_publisher_state_manager.cpp
  LIBS strokeviz::sync PkgConfig::HIREDIS nlohmann_json::nlohmann_json strokeviz_test_support)
if(TARGET strokeviz_sim)
  strokeviz_add_gtest(test_sim_run integration
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sim_run.cpp
    LIBS strokeviz::sim PkgConfig::HIREDIS strokeviz_test_support)
  add_dependencies(test_sim_run strokeviz-sim)
endif()
