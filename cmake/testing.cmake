# ccsec_unit_test(NAME <name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>])
# One gtest executable per module; tests are discovered so that ctest lists each TEST.
include(GoogleTest)
function(ccsec_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main ccsec_warnings ccsec_paths)
  gtest_discover_tests(${T_NAME} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                       PROPERTIES LABELS "unit;${T_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# ccsec_fuzzer(NAME <name> SOURCE <file> LIBS <targets...> CORPUS <dir>)
# With CCSEC_FUZZ=ON: a libFuzzer binary. Otherwise: a replayer (test/fuzz/replay_main.cc) that
# feeds every file of CORPUS to LLVMFuzzerTestOneInput; ctest runs it (label fuzz-replay).
function(ccsec_fuzzer)
  cmake_parse_arguments(F "" "NAME;SOURCE;CORPUS" "LIBS" ${ARGN})
  if(CCSEC_FUZZ)
    add_executable(${F_NAME} ${F_SOURCE})
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${F_NAME} ${F_SOURCE} ${CMAKE_SOURCE_DIR}/test/fuzz/replay_main.cc)
    add_test(NAME ${F_NAME}_corpus COMMAND ${F_NAME} ${F_CORPUS})
    set_tests_properties(${F_NAME}_corpus PROPERTIES LABELS fuzz-replay)
  endif()
  target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
endfunction()
