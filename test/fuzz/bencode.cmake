ccsec_fuzzer(NAME fuzz_bencode SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/bencode_fuzzer.cc LIBS ccsec_media
             CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/bencode)
