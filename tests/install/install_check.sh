#!/usr/bin/env bash
# install_check.sh: installs the build into a DESTDIR and runs what was installed.
#
# Usage: tests/install/install_check.sh BUILD_DIR VERSION
# Runs `cmake --install BUILD_DIR --prefix /usr/local` with DESTDIR set to a fresh directory
# (the same rules as `make install PREFIX=... DESTDIR=...`), then checks that
#   - every program and man page is where cmake/install.cmake says,
#   - each installed program runs from there and its --version prints "NAME VERSION" (the two
#     proxies print "kiro-proxy VERSION"), so the package version and the binaries agree,
#   - no installed program keeps an RPATH/RUNPATH into the build tree,
#   - each installed man page renders without warnings (where groff exists).
# Exit 0 pass, 1 fail.
set -uo pipefail
build=$(cd "$1" && pwd) version=$2
dest=$(mktemp -d "${TMPDIR:-/tmp}/kiro-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
prefix=/usr/local
if ! DESTDIR="$dest" cmake --install "$build" --prefix "$prefix" >"$dest.log" 2>&1; then
  echo "install_check: cmake --install failed:"; cat "$dest.log"; rm -f "$dest.log"; exit 1
fi
rm -f "$dest.log"
root="$dest$prefix"
fail=0
bad() { echo "  FAIL  $*"; fail=1; }
ok() { echo "  ok    $*"; }

for program in kiro-proxy-async kiro-proxy-blocking stallcheck stallcheck-compare logrelay fake-kiro; do
  path="$root/bin/$program"
  if [ ! -x "$path" ]; then bad "bin/$program is not installed"; continue; fi
  case $program in kiro-proxy-*) want="kiro-proxy $version" ;; *) want="$program $version" ;; esac
  got=$(cd / && "$path" --version 2>&1)
  rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then ok "bin/$program --version: $got"
  else bad "bin/$program --version: exit $rc, printed '$got', expected '$want'"; fi
  if command -v readelf >/dev/null 2>&1; then
    rpath=$(readelf -d "$path" 2>/dev/null | grep -E 'R(UN)?PATH')
    case "$rpath" in *"$build"*) bad "bin/$program keeps an RPATH into the build tree: $rpath" ;; esac
  fi
done

for page in stallcheck.1 stallcheck-compare.1 logrelay.1 kiro-proxy.1 kiro-proxy-async.1 kiro-proxy-blocking.1 fake-kiro.1; do
  path="$root/share/man/man1/$page"
  if [ ! -f "$path" ]; then bad "share/man/man1/$page is not installed"; continue; fi
  if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -Tutf8 -ww -z "$path" 2>&1)
    if [ -n "$warnings" ]; then bad "$page renders with warnings: $warnings"; continue; fi
  fi
  ok "share/man/man1/$page"
done
[ -f "$root/share/doc/kiro-stall/README.md" ] && ok "share/doc/kiro-stall/README.md" ||
  bad "share/doc/kiro-stall/README.md is not installed"

if [ $fail = 0 ]; then echo "install_check: PASS (DESTDIR install of $build)"; else echo "install_check: FAIL"; fi
exit $fail
