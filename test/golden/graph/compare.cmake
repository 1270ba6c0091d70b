# Runs `ccsec graph INVENTORY --format FORMAT` from the source tree (so paths in diagnostics
# are stable) and compares stdout (or stderr when EXPECT_EXIT is set) with EXPECTED.
if(NOT DEFINED EXPECT_EXIT)
  set(EXPECT_EXIT 0)
endif()
get_filename_component(_root ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
file(RELATIVE_PATH _inv ${_root} ${INVENTORY})
execute_process(COMMAND ${CCSEC} graph ${_inv} --format ${FORMAT}
                WORKING_DIRECTORY ${_root}
                OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL EXPECT_EXIT)
  message(FATAL_ERROR "exit code ${_rc}, expected ${EXPECT_EXIT}\n${_err}")
endif()
if(EXPECT_EXIT EQUAL 0)
  set(_actual "${_out}")
else()
  set(_actual "${_err}")
endif()
if(DEFINED ENV{CCSEC_UPDATE_GOLDEN})
  file(WRITE ${EXPECTED} "${_actual}")
  return()
endif()
file(READ ${EXPECTED} _expected)
if(NOT _actual STREQUAL _expected)
  file(WRITE ${EXPECTED}.actual "${_actual}")
  message(FATAL_ERROR "output differs from ${EXPECTED}; see ${EXPECTED}.actual (diff it; "
                      "CCSEC_UPDATE_GOLDEN=1 regenerates)")
endif()
