# Inventory YAML loader (untrusted input: user-supplied inventories).
ccsec_fuzzer(NAME inventory_loader_fuzzer
             SOURCE ${CMAKE_CURRENT_LIST_DIR}/inventory_loader_fuzzer.cc
             LIBS ccsec_inventory
             CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/inventory_loader)
