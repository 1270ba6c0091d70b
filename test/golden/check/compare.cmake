# Runs `ccsec check <args> --format F` and compares stdout byte-exact with CASE/expected.F.
# Exit codes 0 and 1 are both fine (1 = findings at or above --fail-on); 2 and 3 fail.
file(READ ${CASE}/args _args)
string(STRIP "${_args}" _args)
separate_arguments(_args UNIX_COMMAND "${_args}")
set(_format ${FORMAT})
if(_format STREQUAL "txt")
  set(_format text)
endif()
execute_process(COMMAND ${CCSEC} check ${_args} --format ${_format}
                OUTPUT_FILE ${OUT} ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT (_rc EQUAL 0 OR _rc EQUAL 1))
  message(FATAL_ERROR "ccsec check ${_args} --format ${_format} exited ${_rc}: ${_err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${CASE}/expected.${FORMAT}
                RESULT_VARIABLE _diff)
if(NOT _diff EQUAL 0)
  execute_process(COMMAND diff -u ${CASE}/expected.${FORMAT} ${OUT} OUTPUT_VARIABLE _d)
  string(SUBSTRING "${_d}" 0 4000 _d)
  message(FATAL_ERROR "golden mismatch for ${CASE}/expected.${FORMAT} (run scripts/update-golden):\n${_d}")
endif()
