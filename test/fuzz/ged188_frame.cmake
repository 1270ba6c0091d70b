ccsec_fuzzer(NAME fuzz_ged188_frame SOURCE ${CMAKE_CURRENT_LIST_DIR}/ged188_frame_fuzzer.cc
             LIBS ccsec_gateway CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/ged188_frame)
