# karrow._karrow, the compiled half of the Python package, and the package
# laid out in the build tree (${CMAKE_BINARY_DIR}/python/karrow) so tests can
# import it. Built on the CPython limited API (3.9 and later), so one
# extension, karrow/_karrow.abi3.so, serves every CPython from 3.9 on.
# It links karrow's static layers: no libkarrow.so at run time.

# On by default (the tests need it); a C/C++-only build may turn it off and
# then needs no Python headers. Wheels (SKBUILD) always build it.
option(KARROW_BUILD_PYTHON "Build the Python extension karrow._karrow" ON)
if(NOT KARROW_BUILD_PYTHON AND NOT SKBUILD)
  return()
endif()

find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)

set(KARROW_PYTHON_PACKAGE_DIR ${CMAKE_BINARY_DIR}/python/karrow)

add_library(karrow_python MODULE
  src/python/module.cc src/python/reader_core.cc src/python/interruptible_read.cc
  src/python/stream_lease.cc src/python/schema_match.cc src/python/capsules.cc
  src/python/py_batch.cc src/python/py_reader.cc src/python/sigint_watch.cc)
target_include_directories(karrow_python PRIVATE src)
# Python::Module gives the headers and, on Linux, no libpython: the
# interpreter that imports the module provides the symbols.
target_link_libraries(karrow_python PRIVATE karrow_kafka Python::Module)
target_compile_definitions(karrow_python PRIVATE Py_LIMITED_API=0x03090000 PY_SSIZE_T_CLEAN)
# CMake 3.25 has no USE_SABI, so the stable-ABI name is set by hand.
set_target_properties(karrow_python PROPERTIES
  PREFIX "" OUTPUT_NAME _karrow SUFFIX ".abi3.so"
  LIBRARY_OUTPUT_DIRECTORY ${KARROW_PYTHON_PACKAGE_DIR}
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
# Only PyInit__karrow is exported; karrow's own symbols (from the static
# layers) stay inside, so another copy of karrow in the process (libkarrow.so)
# cannot be mixed with this one.
target_link_options(karrow_python PRIVATE -Wl,--exclude-libs,ALL)

# The pure-Python files, linked beside the extension: edits show at once,
# and a new file is picked up when the glob reruns at build time.
file(GLOB KARROW_PYTHON_FILES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/python/karrow/*.py ${CMAKE_SOURCE_DIR}/python/karrow/*.pyi
  ${CMAKE_SOURCE_DIR}/python/karrow/py.typed)
file(MAKE_DIRECTORY ${KARROW_PYTHON_PACKAGE_DIR})
foreach(file ${KARROW_PYTHON_FILES})
  get_filename_component(name ${file} NAME)
  file(CREATE_LINK ${file} ${KARROW_PYTHON_PACKAGE_DIR}/${name} SYMBOLIC)
endforeach()

# Wheels: scikit-build-core defines SKBUILD and installs into the wheel's
# platlib, so the package goes to karrow/ under the install prefix.
if(SKBUILD)
  install(TARGETS karrow_python LIBRARY DESTINATION karrow)
  install(FILES ${KARROW_PYTHON_FILES} DESTINATION karrow)
endif()

# The Python tests import the package laid out above.
if(BUILD_TESTING)
  set_property(TEST python_tests ray_test APPEND PROPERTY ENVIRONMENT "KARROW_PYTHONPATH=${CMAKE_BINARY_DIR}/python")
endif()
