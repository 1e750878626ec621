#!/usr/bin/env bash
# strace_roads.sh: proves from the outside, with strace, which platform road a build takes.
#
# Usage: tests/platform/strace_roads.sh BIN_DIR FLAVOR SCENARIO_SCRIPT
#   FLAVOR native    the positive control: the Linux facilities MUST show up (a check that
#                    finds nothing here is blind, and fails)
#   FLAVOR portable  they must NOT show up, and the macOS road must be seen running instead
# Exit 0 pass, 1 fail, 77 skipped (no strace, or ptrace is not allowed here).
#
# Three runs, every process and thread traced (strace -f, thread names from -Y):
#   1. the large-debug stall scenario, kiro-proxy-async behind stallcheck's unread pipe
#   2. the same scenario, kiro-proxy-blocking under logrelay
#   3. stallcheck --reader close against kiro-proxy-async: its log writes get EPIPE
# Looked for:
#   reopen   an open of /proc/self/fd/N (or /proc/PID/fd/N): the private non-blocking re-open
#   pipesz   fcntl F_SETPIPE_SZ / F_GETPIPE_SZ
#   sigtw    rt_sigtimedwait with a zero timeout: log_sink's sigtimedwait() road
#   task     an open of /proc/PID/task (or a file under it): stallcheck's /proc thread evidence
# On both roads stallcheck's own threads must not re-open the pipe: it sees "full" by poll() on
# its duplicate of the write end (and the fault must still be established in run 1).
# and, in the portable build, the evidence that the other road ran:
#   sigpending   rt_sigpending after a write that failed with EPIPE (run 3)
#   drain512     the async logger's drain thread wrote fd 2 in pieces of at most 512 bytes,
#                at least one of exactly 512 (the 256 KiB debug line, PIPE_BUF-bounded)
#   relay512     logrelay wrote its stdout/stderr in pieces of at most 512 bytes, one of 512
#   measured     stallcheck measured the pipe capacity (capacity_source "measured")
#   nosource     stallcheck took the no-sampler road: evidence source "none" in its report, and its
#                writability probe (poll on its own duplicate of the write end) still saw the
#                fault (fault.state pipe-full in run 1)
set -uo pipefail
bin=$1 flavor=$2 scenario=$3
case "$flavor" in native|portable) ;; *) echo "strace_roads: FLAVOR is native or portable" >&2; exit 2 ;; esac
bin=$(cd "$bin" && pwd)

if ! command -v strace >/dev/null 2>&1; then
  echo "strace_roads: SKIPPED: strace is not installed (scripts/install-deps.sh bench installs it)"
  exit 77
fi
if ! strace -f -qq -e trace=none -o /dev/null true 2>/dev/null; then
  echo "strace_roads: SKIPPED: strace cannot trace here (ptrace not permitted)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-strace.XXXXXX")
trap 'rm -rf "$work"' EXIT
syscalls=open,openat,fcntl,rt_sigtimedwait,rt_sigpending,write,writev

# A bin directory whose stallcheck runs under strace; everything else is the real binary.
mkdir -p "$work/bin"
for b in "$bin"/*; do [ "$(basename "$b")" = stallcheck ] || ln -s "$b" "$work/bin/"; done
cat >"$work/bin/stallcheck" <<EOF
#!/usr/bin/env bash
exec strace -f -Y -qq -s 0 -e signal=none -e trace=$syscalls -o "\$STRACE_ROADS_OUT" "$bin/stallcheck" "\$@"
EOF
chmod +x "$work/bin/stallcheck"

ran_ok=1
run_scenario() { # NAME BUILD
  STRACE_ROADS_OUT="$work/$1.trace" bash "$scenario" "$work/bin" "$2" large-debug responsive "$work/$1" \
    >/dev/null 2>&1
  local rc=$?
  echo "run $1 ($2, large-debug): stallcheck exit $rc"
  [ $rc -le 1 ] || ran_ok=0 # 2 = setup error: nothing was exercised
  [ -s "$work/$1.trace" ] || ran_ok=0
}
run_scenario async kiro-proxy-async
run_scenario relay logrelay+kiro-proxy-blocking
STRACE_ROADS_OUT="$work/close.trace" "$work/bin/stallcheck" --reader close --trigger none \
  --probe 'GET /health' --rounds 1 --timeout 60 -q -- "$bin/kiro-proxy-async" \
  --listen '127.0.0.1:{port}' --log-level debug >"$work/close.out" 2>&1
rc=$?
echo "run close (kiro-proxy-async, --reader close): stallcheck exit $rc"
[ $rc -le 1 ] && [ -s "$work/close.trace" ] || ran_ok=0
if [ $ran_ok = 0 ]; then
  echo "strace_roads: FAIL (inconclusive): a run did not start; nothing was exercised"
  cat "$work/close.out"
  exit 1
fi

all="$work/all.trace"
cat "$work/async.trace" "$work/relay.trace" "$work/close.trace" >"$all"
count() { grep -E -c "$1" "$2"; }
reopen=$(count 'open(at)?\(.*"/proc/(self|[0-9]+)/fd/[0-9]+"' "$all")
pipesz=$(count 'F_(SET|GET)PIPE_SZ' "$all")
sigtw=$(count 'rt_sigtimedwait\(.*\{tv_sec=0, tv_nsec=0\}' "$all")
task=$(count 'open(at)?\(.*"/proc/[0-9]+/task' "$all")
# stallcheck's own threads ("stallcheck", "stall-...") re-opening a pipe: none on either road,
# its writability probe is poll() on a duplicate of the write end
own_reopen=$(grep -E '^[0-9]+<(stallcheck|stall-)' "$all" | grep -E -c 'open(at)?\(.*"/proc/(self|[0-9]+)/fd/[0-9]+"')
# Which threads did it (names from -Y, e.g. "log-drain x2, logrelay x3").
by_thread() {
  grep -E "$1" "$all" | sed -n 's/^[0-9]*<\([^>]*\)>.*/\1/p' | sort | uniq -c |
    awk '{printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1}'
}
echo "seen: /proc/self/fd re-opens $reopen ($(by_thread 'open(at)?\(.*"/proc/(self|[0-9]+)/fd/[0-9]+"')),"
echo "      F_SETPIPE_SZ/F_GETPIPE_SZ $pipesz ($(by_thread 'F_(SET|GET)PIPE_SZ')),"
echo "      zero-timeout rt_sigtimedwait $sigtw ($(by_thread 'rt_sigtimedwait\(.*\{tv_sec=0, tv_nsec=0\}')),"
echo "      /proc/PID/task opens $task ($(by_thread 'open(at)?\(.*"/proc/[0-9]+/task'))"

# Largest write(2)/(1) count of threads whose name matches $1 in file $2, and how many were
# exactly 512: "max count512 writes".
write_sizes() {
  awk -v who="$1" '
    $1 ~ ("<" who) && $2 ~ /^write\((1|2),/ {
      n = $0; sub(/.*, /, "", n); sub(/\).*/, "", n); n += 0
      writes++; if (n > max) max = n; if (n == 512) at512++
    }
    END { printf "%d %d %d\n", max, at512, writes }' "$2"
}
json_field() { # FILE NAME -> the first "NAME": "value"
  grep -o "\"$2\":[[:space:]]*\"[a-zA-Z_-]*\"" "$1" 2>/dev/null | head -1 | sed 's/.*"\([a-zA-Z_-]*\)"$/\1/'
}
capacity_source() { json_field "$1" capacity_source; }

fail=0
check() { # CONDITION-RESULT MESSAGE
  if [ "$1" = 1 ]; then echo "  ok    $2"; else echo "  FAIL  $2"; fail=1; fi
}
t() { if eval "$1"; then echo 1; else echo 0; fi; }

epipe=$(count 'write\([0-9]+,.*= -1 EPIPE' "$work/close.trace")
source_async=$(capacity_source "$work/async.json")
evidence_async=$(json_field "$work/async.json" source)
fault_async=$(grep -o '"state":[[:space:]]*"[a-z-]*"' "$work/async.json" 2>/dev/null | head -1 | sed 's/.*"\([a-z-]*\)"$/\1/')
read -r drain_max drain_512 drain_writes <<<"$(write_sizes log-drain "$work/async.trace")"
read -r relay_max relay_512 relay_writes <<<"$(write_sizes logrelay "$work/relay.trace")"
echo "log-drain writes to fd 2: $drain_writes, largest $drain_max, of exactly 512: $drain_512"
echo "logrelay writes to fd 1/2: $relay_writes, largest $relay_max, of exactly 512: $relay_512"
echo "stallcheck capacity source: ${source_async:-?}; evidence source: ${evidence_async:-?}; fault: ${fault_async:-?}"
echo "EPIPE writes in run close: $epipe"
check "$(t '[ "$epipe" -gt 0 ]')" "the fault is in place: the proxy's log writes got EPIPE in run close"
check "$(t '[ "$own_reopen" -eq 0 ] && [ "$fault_async" = pipe-full ]')" \
  "stallcheck saw the pipe full without re-opening it ($own_reopen re-opens by its threads)"

if [ "$flavor" = native ]; then
  echo "native build (positive control: the check must see the Linux facilities):"
  check "$(t '[ "$reopen" -gt 0 ]')" "a /proc/self/fd re-open is seen"
  check "$(t '[ "$pipesz" -gt 0 ]')" "F_SETPIPE_SZ / F_GETPIPE_SZ are seen"
  check "$(t '[ "$sigtw" -gt 0 ]')" "zero-timeout rt_sigtimedwait (sigtimedwait road) is seen"
  check "$(t '[ "$source_async" = F_GETPIPE_SZ ]')" "stallcheck read the capacity with F_GETPIPE_SZ"
  check "$(t '[ "$task" -gt 0 ]')" "stallcheck read /proc/PID/task (its thread evidence)"
  check "$(t '[ "$evidence_async" = proc ]')" "stallcheck's report names the evidence source proc"
else
  echo "portable build (no Linux facility; the macOS road instead):"
  check "$(t '[ "$reopen" -eq 0 ]')" "no /proc/self/fd re-open"
  check "$(t '[ "$pipesz" -eq 0 ]')" "no F_SETPIPE_SZ / F_GETPIPE_SZ"
  check "$(t '[ "$sigtw" -eq 0 ]')" "no zero-timeout rt_sigtimedwait"
  sigpending=$(count 'rt_sigpending\(' "$work/close.trace")
  check "$(t '[ "$sigpending" -gt 0 ]')" "SIGPIPE consumed with sigpending + sigwait ($sigpending rt_sigpending)"
  check "$(t '[ "$drain_writes" -gt 0 ] && [ "$drain_max" -le 512 ] && [ "$drain_512" -gt 0 ]')" \
    "the drain thread writes fd 2 directly, at most 512 bytes after each POLLOUT"
  check "$(t '[ "$relay_writes" -gt 0 ] && [ "$relay_max" -le 512 ] && [ "$relay_512" -gt 0 ]')" \
    "logrelay writes its pipe destination at most 512 bytes after each POLLOUT"
  check "$(t '[ "$source_async" = measured ]')" "stallcheck measured the capacity by filling a scratch pipe"
  check "$(t '[ "$task" -eq 0 ]')" "no /proc/PID/task read (no /proc thread evidence)"
  check "$(t '[ "$evidence_async" = none ] && [ "$fault_async" = pipe-full ]')" \
    "stallcheck took the no-sampler road (evidence none) and still established the full pipe"
fi
if [ $fail = 0 ]; then
  echo "strace_roads: PASS ($flavor)"
else
  echo "strace_roads: FAIL ($flavor)"
fi
exit $fail
