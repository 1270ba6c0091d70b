ccsec_fuzzer(NAME fuzz_authd_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/authd_request_fuzzer.cc
             LIBS ccsec_identity CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/authd_request)
