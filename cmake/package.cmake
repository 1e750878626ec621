# package.cmake: `make package` (cpack -G DEB in the build directory) builds a .deb of what
# cmake/install.cmake installs, under /usr. Its Depends are the Debian runtime libraries the
# binaries link (libc6, libmicrohttpd12, libcurl4, libcjson1), computed by dpkg-shlibdeps with
# their minimum versions where dpkg-dev is installed, else the fixed list below.
# The package version is KIRO_STALL_VERSION (cmake/version.cmake); tests/install checks that every
# installed binary's --version prints it, so a version bump that misses a binary fails there.

set(CPACK_PACKAGE_NAME kiro-stall)
set(CPACK_PACKAGE_VERSION ${KIRO_STALL_VERSION})
set(CPACK_PACKAGE_VENDOR "kiro-stall")
set(CPACK_PACKAGE_CONTACT "kiro-stall maintainers <maintainers@kiro-stall.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Kiro API proxy (blocking and async logger builds) and the stallcheck log-pipe stall gate")
set(CPACK_PACKAGE_DESCRIPTION
  "kiro-proxy-async and kiro-proxy-blocking serve the Anthropic Messages and OpenAI Chat
Completions APIs from Amazon Kiro accounts; the blocking build keeps the production log-pipe
deadlock as a positive control. stallcheck runs any HTTP server behind an unread pipe and proves
whether it still answers; logrelay forwards a command's output without ever blocking it;
fake-kiro emulates the Kiro upstream.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES TRUE) # the .deb carries stripped binaries; `make install` keeps the symbols
find_program(KIRO_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(KIRO_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libmicrohttpd12, libcurl4, libcjson1")
endif()
include(CPack)
