# karrow_add_test(NAME SOURCES src... LIBS layer... [LABELS label...] [KAFKA])
# The one place a C++ test is registered. It links only the layer libraries
# named in LIBS (the layer under test), so a test of a lower layer cannot
# lean on a higher one. KAFKA tests get the real broker started by the
# kafka_broker fixture and its address in KARROW_KAFKA_DIR.
function(karrow_add_test name)
  cmake_parse_arguments(ARG "KAFKA" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  set(labels unit)
  if(ARG_KAFKA)
    set(labels kafka)
  endif()
  list(APPEND labels ${ARG_LABELS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 300)
  if(ARG_KAFKA)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED kafka_broker
                         ENVIRONMENT "KARROW_KAFKA_DIR=${KARROW_KAFKA_DIR}")
  endif()
endfunction()
