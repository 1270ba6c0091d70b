# Installation layout and the Debian package (CPack DEB): `scripts/package` builds and checks it.
#   /usr/bin/ccsec                        the binary
#   /usr/share/ccsec/{catalog,schema}     data the binary reads (catalog found next to the exe)
#   /usr/share/doc/ccsec/examples         example inventories
#   /usr/share/man/man1/ccsec*.1.gz       man pages generated from the CLI's own help (help2man)
#   /usr/share/bash-completion/completions/ccsec
#   /lib/systemd/system/*.service, /usr/lib/sysusers.d/ccsec.conf
install(DIRECTORY ${CMAKE_SOURCE_DIR}/schema/ DESTINATION share/ccsec/schema)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION share/doc/ccsec/examples)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/bash-completion/ccsec
        DESTINATION share/bash-completion/completions)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/systemd/ccsec-gateway@.service
              ${CMAKE_SOURCE_DIR}/packaging/systemd/ccsec-media.service
        DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/systemd/ccsec.sysusers DESTINATION lib/sysusers.d
        RENAME ccsec.conf)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright DESTINATION share/doc/ccsec)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/lintian-overrides DESTINATION share/lintian/overrides
        RENAME ccsec)

# Debian wants the changelog gzipped reproducibly (-n: no name or time stamp).
set(_changelog ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${_changelog}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/debian/changelog > ${_changelog}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
add_custom_target(ccsec_changelog ALL DEPENDS ${_changelog})
install(FILES ${_changelog} DESTINATION share/doc/ccsec)

find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(_man ${CMAKE_BINARY_DIR}/man)
  add_custom_command(OUTPUT ${_man}/ccsec.1.gz
    COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=1764633600
            ${CMAKE_SOURCE_DIR}/packaging/gen-man.sh $<TARGET_FILE:ccsec> ${_man}
    DEPENDS ccsec ${CMAKE_SOURCE_DIR}/packaging/gen-man.sh VERBATIM)
  add_custom_target(ccsec_man ALL DEPENDS ${_man}/ccsec.1.gz)
  install(DIRECTORY ${_man}/ DESTINATION share/man/man1 FILES_MATCHING PATTERN "*.1.gz")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ccsec)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "ccsec maintainers <maintainers@ccsec.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "security plane for enterprise contact centers")
set(CPACK_PACKAGE_DESCRIPTION
    "ccsec checks a contact-center deployment inventory against its security\n design, renders host and perimeter firewalls, IPsec policies and one\n certificate per host, and runs the protected data paths: a mutual-TLS\n gateway for the CTI protocol and an SRTP media anchor driven by a SIP proxy.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://ccsec.invalid/")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
