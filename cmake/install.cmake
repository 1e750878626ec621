# install.cmake: what `cmake --install build --prefix P` (and `make install PREFIX=P`) puts where.
#   P/bin                 kiro-proxy-async kiro-proxy-blocking stallcheck stallcheck-compare
#                         logrelay fake-kiro
#   P/share/man/man1      stallcheck.1 stallcheck-compare.1 logrelay.1 kiro-proxy.1 (also as kiro-proxy-async.1 and
#                         kiro-proxy-blocking.1, so that `man kiro-proxy-async` finds it) fake-kiro.1
#   P/share/doc/kiro-stall  README.md REPORT.md
# DESTDIR is honoured (packaging, tests/install). Included from the top CMakeLists.txt after
# every subdirectory, because install(TARGETS) names targets those directories define.
include(GNUInstallDirs)

set(KIRO_INSTALLED_PROGRAMS kiro-proxy-async kiro-proxy-blocking stallcheck stallcheck-compare logrelay
  fake-kiro)
install(TARGETS ${KIRO_INSTALLED_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(KIRO_MAN_DIR ${CMAKE_SOURCE_DIR}/docs/man)
install(FILES ${KIRO_MAN_DIR}/stallcheck.1 ${KIRO_MAN_DIR}/stallcheck-compare.1 ${KIRO_MAN_DIR}/logrelay.1 ${KIRO_MAN_DIR}/kiro-proxy.1
              ${KIRO_MAN_DIR}/fake-kiro.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
foreach(variant async blocking)
  install(FILES ${KIRO_MAN_DIR}/kiro-proxy.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          RENAME kiro-proxy-${variant}.1)
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/REPORT.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/kiro-stall)
