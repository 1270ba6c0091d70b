# pki: the CA index (DIR/index.json) and certificate bundles given to import/verify.
ccsec_fuzzer(NAME fuzz_pki_index SOURCE ${CMAKE_CURRENT_LIST_DIR}/pki_index_fuzzer.cc
             LIBS ccsec_pki CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/pki_index)
ccsec_fuzzer(NAME fuzz_pki_certs SOURCE ${CMAKE_CURRENT_LIST_DIR}/pki_certs_fuzzer.cc
             LIBS ccsec_pki CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/pki_certs)
