# Installs karrow for C and C++ programs: libkarrow.so (the C API and the C++
# API of the installed headers), those headers, the karrow tool, a CMake
# package (find_package(karrow), target karrow::karrow) and karrow.pc for
# pkg-config. Included from CMakeLists.txt except in the Python wheel's build.
#
#   cmake --install build/release --prefix /opt/karrow
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The soname carries the major version: a program linked against 0.1.0 asks
# for libkarrow.so.0. (The wheel has no libkarrow.so: its extension links the
# static layers.)
set_target_properties(karrow_c PROPERTIES
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  EXPORT_NAME karrow)
# The C++ headers need C++20 (defaulted comparisons); C programs are unaffected.
target_compile_features(karrow_c INTERFACE cxx_std_20)

# Every header a program may include: those whose declarations libkarrow.so
# defines, and nothing they do not include. runtime.h stays in the tree: the
# runtime (karrow_runtime) is the karrow tool's and is not in libkarrow.so.
set(KARROW_PUBLIC_HEADERS
  include/karrow/arrow_c_abi.h include/karrow/buffer.h include/karrow/c_export.h
  include/karrow/control_message.h include/karrow/data_type.h include/karrow/export.h
  include/karrow/format_options.h include/karrow/kafka_source.h
  include/karrow/kafka_source_config.h include/karrow/kafka_source_operator.h
  include/karrow/karrow.h include/karrow/metrics.h include/karrow/record_batch.h
  include/karrow/source_collector.h include/karrow/source_context.h
  include/karrow/source_operator.h include/karrow/state_table.h include/karrow/status.h
  include/karrow/task_info.h
  ${CMAKE_BINARY_DIR}/generated/karrow/version.h)

install(TARGETS karrow_c EXPORT karrowTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS karrow_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${KARROW_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/karrow)

set(KARROW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/karrow)
install(EXPORT karrowTargets NAMESPACE karrow:: DESTINATION ${KARROW_CMAKE_DIR})
configure_package_config_file(cmake/karrowConfig.cmake.in
  ${CMAKE_BINARY_DIR}/karrowConfig.cmake INSTALL_DESTINATION ${KARROW_CMAKE_DIR})
# While the major version is 0, a minor release may change the API (semantic
# versioning), so find_package(karrow 0.1) accepts 0.1.x only; from 1.0 on,
# SameMajorVersion would match the soname.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/karrowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/karrowConfig.cmake ${CMAKE_BINARY_DIR}/karrowConfigVersion.cmake
  DESTINATION ${KARROW_CMAKE_DIR})

# karrow.pc finds its prefix from its own location (${pcfiledir}), so that the
# prefix given to `cmake --install --prefix` at install time is the one it names.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KARROW_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  set(KARROW_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH KARROW_PC_UP "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" KARROW_PC_UP "${KARROW_PC_UP}")
  set(KARROW_PC_PREFIX "\${pcfiledir}/${KARROW_PC_UP}")
  set(KARROW_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(KARROW_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(KARROW_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/karrow.pc.in ${CMAKE_BINARY_DIR}/karrow.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/karrow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(BUILD_TESTING)
  # Installs this build into a temporary prefix, builds tests/consumer against
  # it (find_package, then pkg-config) and reads a topic with it.
  add_test(NAME install_consumer_test
    COMMAND ${CMAKE_SOURCE_DIR}/tests/consumer/run.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(install_consumer_test PROPERTIES
    LABELS kafka FIXTURES_REQUIRED kafka_broker TIMEOUT 300
    ENVIRONMENT "KARROW_KAFKA_DIR=${KARROW_KAFKA_DIR};KARROW_PYTHON=${KARROW_PYTHON};CMAKE_COMMAND=${CMAKE_COMMAND}")
endif()
