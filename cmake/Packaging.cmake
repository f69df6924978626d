# Packaging: install rules and the CPack DEB package. Included once from the
# top-level CMakeLists.txt after every src/ folder has defined its binaries.
#
#   cmake --install <build> --prefix P   bin/, share/man/man1/, etc/checkers/server.conf,
#                                        lib/systemd/system/checkers-server.service under P
#   cpack -G DEB (in <build>)            checkers_<version>_<arch>.deb installing to /usr, with
#                                        /etc/checkers/server.conf (conffile) and
#                                        /lib/systemd/system/checkers-server.service
#
# With prefix /usr (the package, or `make install PREFIX=/usr`) the config goes to /etc and
# the unit to /lib/systemd/system, as Debian has them; any other prefix keeps both under
# the prefix, and the installed unit's paths are rewritten to that prefix.
include(GNUInstallDirs)

set(CHECKERS_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(CHECKERS_MAN_PAGES checkers-server.1 checkers-client.1 checkers-engine.1)

# checkers-bench's main.cpp prints the version; its folder's CMakeLists does not pass it.
if(TARGET checkers-bench)
  target_compile_definitions(checkers-bench PRIVATE CHECKERS_VERSION_STRING="${CHECKERS_VERSION_STRING}")
endif()

# The binaries. checkers-bench-seed is a harness helper for bench/run, not installed.
foreach(bin checkers-server checkers-client checkers-engine checkers-bench)
  if(TARGET ${bin})
    install(TARGETS ${bin} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

# Man pages, compressed as Debian policy wants them (man reads .gz directly).
find_program(CHECKERS_GZIP gzip)
set(checkers_man_outputs)
foreach(page ${CHECKERS_MAN_PAGES})
  set(src ${PROJECT_SOURCE_DIR}/docs/man/${page})
  if(CHECKERS_GZIP)
    set(out ${CMAKE_BINARY_DIR}/man/${page}.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${CHECKERS_GZIP} -9nc ${src} > ${out}
      DEPENDS ${src}
      COMMENT "Compressing man page ${page}")
    list(APPEND checkers_man_outputs ${out})
  else()
    list(APPEND checkers_man_outputs ${src})
  endif()
endforeach()
add_custom_target(checkers_man_pages ALL DEPENDS ${checkers_man_outputs})
install(FILES ${checkers_man_outputs} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# Config sample and systemd unit: their directories depend on the prefix at install
# time (cpack installs with prefix /usr), so the rule is a script run by `install`.
install(CODE "set(CHECKERS_PACKAGING_DIR \"${CHECKERS_PACKAGING_DIR}\")
set(CHECKERS_STAGING_DIR \"${CMAKE_BINARY_DIR}/packaging\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(checkers_confdir "/etc/checkers")
    set(checkers_unitdir "/lib/systemd/system")
  else()
    set(checkers_confdir "${CMAKE_INSTALL_PREFIX}/etc/checkers")
    set(checkers_unitdir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  endif()
  file(READ "${CHECKERS_PACKAGING_DIR}/checkers-server.service" checkers_unit)
  string(REPLACE "/usr/bin/" "${CMAKE_INSTALL_PREFIX}/bin/" checkers_unit "${checkers_unit}")
  string(REPLACE "/etc/checkers/" "${checkers_confdir}/" checkers_unit "${checkers_unit}")
  file(WRITE "${CHECKERS_STAGING_DIR}/checkers-server.service" "${checkers_unit}")
  file(INSTALL DESTINATION "${checkers_confdir}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${CHECKERS_PACKAGING_DIR}/server.conf")
  file(INSTALL DESTINATION "${checkers_unitdir}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${CHECKERS_STAGING_DIR}/checkers-server.service")
]])

# cpack must not rebuild the whole tree (tests included) before packaging: `make deb`
# and the packaging test build the installed targets first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME checkers)
set(CPACK_PACKAGE_VENDOR "checkers project")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "checkers maintainers <checkers@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Checkers Protocol v1 game server, terminal client, engine and bench")
set(CPACK_PACKAGE_DESCRIPTION
  "A concurrent server for rated English draughts (American checkers) games over the\n"
  "Checkers Protocol v1 (TCP 8864, LAN discovery on UDP 8864), the terminal client and bot\n"
  "checkers-client, the rules engine CLI checkers-engine and the load generator\n"
  "checkers-bench. The checkers-server.service systemd unit runs the server with\n"
  "DynamicUser and its account store in /var/lib/checkers.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install into the staging tree through DESTDIR, so the install script above sees prefix /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION games)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/checkers")
# Depends from dpkg-shlibdeps. On Debian 12: libc6, libcrypt1, libfmt9, libgcc-s1, libstdc++6
# and libspdlog1.10-fmt9 (the name spdlog's shlibs file gives; libspdlog1.10 provides it).
# The listed fallback is for hosts without dpkg-dev.
find_program(CHECKERS_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CHECKERS_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.34), libcrypt1 (>= 1:4.1.0), libfmt9 (>= 9.1.0), libspdlog1.10-fmt9, libstdc++6 (>= 12), libgcc-s1 (>= 3.3.1)")
  if(CHECKERS_TLS)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libssl3 (>= 3.0.0)")
  endif()
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CHECKERS_PACKAGING_DIR}/debian/conffiles
  ${CHECKERS_PACKAGING_DIR}/debian/postinst
  ${CHECKERS_PACKAGING_DIR}/debian/prerm
  ${CHECKERS_PACKAGING_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
