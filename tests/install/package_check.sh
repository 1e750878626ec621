#!/usr/bin/env bash
# package_check.sh: builds the .deb with CPack (what `make package` does) and inspects it.
#
# Usage: tests/install/package_check.sh BUILD_DIR VERSION
# Checks that the package
#   - is named kiro-stall, version VERSION, and holds the six programs and the man pages,
#   - depends on the Debian package of every shared library a program links directly
#     (NEEDED entries, resolved with ldd and dpkg -S), so it installs and runs on a machine
#     with none of the -dev packages,
#   - runs: each program extracted from it prints its --version.
# Exit 0 pass, 1 fail, 77 skipped (not a Debian system: no dpkg-deb).
set -uo pipefail
build=$(cd "$1" && pwd) version=$2
for tool in dpkg-deb dpkg cpack; do
  command -v $tool >/dev/null 2>&1 || { echo "package_check: SKIPPED: no $tool"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
  echo "package_check: cpack failed:"; cat "$work/cpack.log"; exit 1
fi
deb=$(ls "$work"/out/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "package_check: cpack wrote no .deb"; cat "$work/cpack.log"; exit 1; }
echo "package: $(basename "$deb")"
fail=0
bad() { echo "  FAIL  $*"; fail=1; }
ok() { echo "  ok    $*"; }

[ "$(dpkg-deb -f "$deb" Package)" = kiro-stall ] && ok "Package: kiro-stall" || bad "Package is $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] && ok "Version: $version" || bad "Version is $(dpkg-deb -f "$deb" Version)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
depends_names=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//')
contents=$(dpkg-deb -c "$deb")
dpkg-deb -x "$deb" "$work/root"
for program in kiro-proxy-async kiro-proxy-blocking stallcheck stallcheck-compare logrelay fake-kiro; do
  path="$work/root/usr/bin/$program"
  [ -x "$path" ] || { bad "usr/bin/$program is not in the package"; continue; }
  case $program in kiro-proxy-*) want="kiro-proxy $version" ;; *) want="$program $version" ;; esac
  got=$("$path" --version 2>&1)
  [ "$got" = "$want" ] && ok "usr/bin/$program --version: $got" || bad "usr/bin/$program --version printed '$got'"
  # Each directly linked library must come from a package the .deb depends on.
  for lib in $(readelf -d "$path" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    file=$(ldd "$path" | awk -v l="$lib" '$1 == l {print $3}')
    [ -n "$file" ] || { bad "$program: $lib does not resolve"; continue; }
    owner=$(dpkg -S "$file" 2>/dev/null || dpkg -S "$(readlink -f "$file")" 2>/dev/null)
    pkg=${owner%%:*}
    if [ -z "$pkg" ]; then bad "$program: no Debian package owns $file"; continue; fi
    if grep -qx -- "$pkg" <<<"$depends_names"; then
      ok "$program: $lib from $pkg, which the package depends on"
    else
      bad "$program links $lib (package $pkg), but Depends lacks $pkg"
    fi
  done
done
for page in stallcheck.1 stallcheck-compare.1 logrelay.1 kiro-proxy.1 fake-kiro.1; do
  grep -q "usr/share/man/man1/$page" <<<"$contents" && ok "man page $page" || bad "man page $page is not in the package"
done
grep -q 'build-' <<<"$contents" && bad "the package holds build-tree paths"
if [ $fail = 0 ]; then echo "package_check: PASS"; else echo "package_check: FAIL"; fi
exit $fail
