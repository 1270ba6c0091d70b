# Runs `ccsec report INVENTORY` with the generation time fixed and no store, and compares the
# page byte-exact with EXPECTED.
set(ENV{SOURCE_DATE_EPOCH} 1764633600)
execute_process(COMMAND ${CCSEC} report ${INVENTORY} --as-of 2026-11-28 --no-store --out ${OUT}
                ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "ccsec report ${INVENTORY} exited ${_rc}: ${_err}")
endif()
if(_err MATCHES "no topology")
  message(FATAL_ERROR "no topology (is Graphviz installed? scripts/setup): ${_err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${EXPECTED} RESULT_VARIABLE _diff)
if(NOT _diff EQUAL 0)
  execute_process(COMMAND diff -u ${EXPECTED} ${OUT} OUTPUT_VARIABLE _d)
  string(SUBSTRING "${_d}" 0 4000 _d)
  message(FATAL_ERROR "golden mismatch for ${EXPECTED} (run scripts/update-golden report):\n${_d}")
endif()
