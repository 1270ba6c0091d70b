ccsec_fuzzer(NAME fuzz_rtp_header SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rtp_header_fuzzer.cc LIBS ccsec_media
             CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/rtp_header)
