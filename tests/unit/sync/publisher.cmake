# Pure parts of the publisher (session ids, Python-style JSON, payload field sets)
# and of the simulator (its cadence plan, node health sample).
strokeviz_add_gtest(test_sync_publisher unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_publisher.cpp
  LIBS strokeviz::sync nlohmann_json::nlohmann_json)
if(TARGET strokeviz_sim)
  strokeviz_add_gtest(test_sim_schedule unit
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sim_schedule.cpp
    LIBS strokeviz::sim)
endif()
