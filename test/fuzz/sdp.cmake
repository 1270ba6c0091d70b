ccsec_fuzzer(NAME fuzz_sdp SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/sdp_fuzzer.cc LIBS ccsec_media
             CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/sdp)
