# karrow_add_fuzzer(NAME [SOURCES extra.cc...])
# The one place a fuzz target is registered. fuzz/NAME_fuzzer.cc defines
# LLVMFuzzerTestOneInput; its seeds live in fuzz/corpus/NAME/ (at least one
# file). Either way ctest gets a test NAME_replay (labels unit, fuzz) that
# runs every corpus file once through the target:
#   KARROW_FUZZ=ON (clang, the fuzz preset): NAME_fuzzer, a libFuzzer binary
#     built with ASan and UBSan; scripts/fuzz runs it.
#   otherwise (gcc): NAME_replay, the target linked with fuzz/replay_main.cc,
#     sanitized too under the asan preset.
function(karrow_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  set(sources ${CMAKE_SOURCE_DIR}/fuzz/${name}_fuzzer.cc ${ARG_SOURCES})
  set(corpus ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  if(KARROW_FUZZ)
    set(exe ${name}_fuzzer)
    add_executable(${exe} ${sources})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer)
    add_dependencies(karrow_fuzzers ${exe})
    # -runs=0: execute the corpus once, no fuzzing.
    add_test(NAME ${name}_replay COMMAND ${exe} -runs=0 ${corpus})
  else()
    set(exe ${name}_replay)
    add_executable(${exe} ${sources} ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cc)
    add_test(NAME ${name}_replay COMMAND ${exe} ${corpus})
  endif()
  target_link_libraries(${exe} PRIVATE karrow_fuzz_support)
  set_tests_properties(${name}_replay PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
endfunction()
