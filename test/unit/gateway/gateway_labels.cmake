# ccsec_gateway_labels(<target> <labels...>): give every gtest-discovered test of <target> the
# labels (e.g. "unit;gateway"), so that `ctest -L gateway` selects the gateway suites (TSan in CI).
# gtest_discover_tests cannot pass a list-valued LABELS property through (CMake 3.25), so a
# TEST_INCLUDE_FILES script relabels the discovered tests after they are included.
function(ccsec_gateway_labels target)
  set(_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${_file} "foreach(t IN LISTS ${target}_TESTS)\n  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${ARGN}\")\nendforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${_file})
endfunction()
