ccsec_fuzzer(NAME fuzz_tls_hello SOURCE ${CMAKE_CURRENT_LIST_DIR}/tls_hello_fuzzer.cc LIBS ccsec_probe
             CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/tls_hello)
