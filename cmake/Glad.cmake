# Generates the glad GL 3.3 core loader at configure time with python3-glad.
# --reproducible makes glad use its bundled specs: no network needed.
# The loader is generated again whenever the command that made it differs
# from this one (a stamp beside it records it) or a file is missing; a failed
# generation stops the configure. Nothing is ever skipped silently.
find_program(GLAD_EXECUTABLE glad REQUIRED)
set(GLAD_OUT ${CMAKE_BINARY_DIR}/glad)
set(GLAD_COMMAND ${GLAD_EXECUTABLE} --api gl:core=3.3 --reproducible --quiet --out-path ${GLAD_OUT}.tmp c)
set(GLAD_STAMP ${GLAD_OUT}/command.stamp)
set(glad_stamp_text "")
if(EXISTS ${GLAD_STAMP})
  file(READ ${GLAD_STAMP} glad_stamp_text)
endif()
if(NOT glad_stamp_text STREQUAL "${GLAD_COMMAND}" OR NOT EXISTS ${GLAD_OUT}/src/gl.c
   OR NOT EXISTS ${GLAD_OUT}/include/glad/gl.h)
  file(REMOVE_RECURSE ${GLAD_OUT}.tmp)
  execute_process(COMMAND ${GLAD_COMMAND} RESULT_VARIABLE glad_result OUTPUT_VARIABLE glad_output
                  ERROR_VARIABLE glad_output)
  if(NOT glad_result EQUAL 0 OR NOT EXISTS ${GLAD_OUT}.tmp/src/gl.c)
    message(FATAL_ERROR "glad failed to generate the GL loader:\n${glad_output}")
  endif()
  # Generated beside and moved in whole: an interrupted run leaves no half loader.
  file(REMOVE_RECURSE ${GLAD_OUT})
  file(RENAME ${GLAD_OUT}.tmp ${GLAD_OUT})
  file(WRITE ${GLAD_STAMP} "${GLAD_COMMAND}")
endif()
add_library(glad STATIC ${GLAD_OUT}/src/gl.c)
target_include_directories(glad PUBLIC ${GLAD_OUT}/include)
set_target_properties(glad PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(glad PUBLIC ${CMAKE_DL_LIBS})
