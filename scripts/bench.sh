#!/usr/bin/env bash
# bench.sh: `make bench`: the proxy's performance figures, each against its target.
#
# Runs the programs of bench/ (built into BUILD_DIR/bin) one after the other, never two at a
# time (they measure ratios of runs made side by side inside one program, on a shared machine):
#   bench-machine       7  CPU, cores, kernel, measured pipe capacity
#   bench-log-blocking  2  cost of one log call, blocking logger to /dev/null (the reference)
#   bench-log-async     2  cost of one log call, async logger, draining and stalled sink
#   bench-probe         1  GET /v1/models latency, stalled vs draining log pipe
#   bench-throughput    3  req/s from 50 keep-alive connections, against a bare libmicrohttpd
#                          server and a Go net/http reference (when Go is installed)
#   bench-memory        4  RSS after 100,000 10 KiB log lines into a stalled pipe
#   bench-stream        5  time to first SSE byte, sustained concurrent streams
#   bench-logrelay      6  logrelay forwarding rate and added latency
#   bench-scale         8  RSS and threads per concurrent stream, /v1/models p99 meanwhile
# then bench-report prints the table and writes BUILD_DIR/report/bench.md and bench.json.
# Every program bounds itself (a watchdog kills and reaps its children); `timeout` is a second
# bound where it exists. Exit status: 0 only when every target held; the table is complete
# either way (a program that failed to finish shows up as a FAIL row).
# Usage: scripts/bench.sh [BUILD_DIR]
set -uo pipefail

build=${1:-build}
bin="$(cd "$build/bin" 2>/dev/null && pwd)" || {
  echo "bench: $build/bin not found: build first (make bench does)" >&2
  exit 2
}
report_dir="$build/report"
mkdir -p "$report_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The programs' own temporary directories go in here too, so that even a program killed at its
# deadline leaves nothing behind.
export TMPDIR="$work"
export KIRO_BIN_DIR="$bin"   # where tests/support finds fake-kiro and the proxies

programs=(bench-machine bench-log-blocking bench-log-async bench-probe bench-throughput
          bench-memory bench-stream bench-logrelay bench-scale bench-ref-mhd bench-report)
for p in "${programs[@]}" kiro-proxy-async kiro-proxy-blocking fake-kiro logrelay \
         logrelay-bench; do
  [ -x "$bin/$p" ] || {
    echo "bench: $bin/$p is missing: build first (make bench does)" >&2
    exit 2
  }
done

# The Go reference server is built when Go is installed; a build directory configured before
# Go was installed learns about it here.
if command -v go >/dev/null 2>&1 && [ ! -x "$bin/bench-ref-go" ]; then
  echo "bench: Go is installed: building the Go reference server" >&2
  src="$(cd "$(dirname "$0")/.." && pwd)"
  cmake -S "$src" -B "$build" >/dev/null && cmake --build "$build" --target bench-ref-go >/dev/null || true
fi
command -v go >/dev/null 2>&1 || echo "bench: Go is not installed: the Go reference server is not measured (scripts/install-deps.sh bench installs it)" >&2

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
start=$(date +%s)
results=()

# step SECTION NAME LIMIT_S PROGRAM [ARGS...]: runs one program, keeps its ROW/NUM/META lines.
step() {
  local section=$1 name=$2 limit=$3
  shift 3
  local out="$work/$name.txt"
  printf 'bench: %-20s ' "$name" >&2
  local t0 rc
  t0=$(date +%s)
  if [ $have_timeout = 1 ]; then
    timeout -k 5 "$limit" "$bin/$@" >"$out" 2>"$work/$name.err"
  else
    "$bin/$@" >"$out" 2>"$work/$name.err"
  fi
  rc=$?
  printf '%3ss\n' "$(( $(date +%s) - t0 ))" >&2
  if [ $rc -ne 0 ]; then
    printf 'ROW\trun.%s\t%s\t%s did not complete\tFAIL\tcompletes\texit status %d: %s\n' \
      "$name" "$section" "$1" "$rc" "$(tail -n 1 "$work/$name.err" | tr '\t' ' ')" >>"$out"
    sed 's/^/    /' "$work/$name.err" | tail -n 5 >&2
  fi
  results+=("$out")
}

echo "kiro-proxy bench: $(uname -sr), build $build" >&2
step "7 machine" machine 30 bench-machine
step "2 log call" log-blocking 150 bench-log-blocking
step "2 log call" log-async 150 bench-log-async --compare "$work/log-blocking.txt"
step "1 probe latency" probe 180 bench-probe
step "3 throughput" throughput 180 bench-throughput
step "4 memory" memory 180 bench-memory
step "5 streaming" stream 150 bench-stream
step "6 logrelay" logrelay 120 bench-logrelay
step "8 scale" scale 180 bench-scale

strace_note="n/a (not installed, or not Linux)"
if [ "$(uname)" = Linux ] && command -v strace >/dev/null 2>&1; then
  strace_note="$(strace -V 2>/dev/null | head -n 1)"
fi
echo >&2
"$bin/bench-report" --markdown "$report_dir/bench.md" --json "$report_dir/bench.json" \
  --meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --meta "duration=$(( $(date +%s) - start )) s" \
  --meta "load generator=own libcurl-multi generator (bench/lib/bench_load.c); wrk not used" \
  --meta "strace=$strace_note" \
  "${results[@]}"
rc=$?
echo
echo "Reports: $report_dir/bench.md, $report_dir/bench.json"
exit $rc
