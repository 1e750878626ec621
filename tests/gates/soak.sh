#!/usr/bin/env bash
# soak.sh: runs every stall gate (scripts/stall-scenario.sh: 3 builds x 3 scenarios) N times in a
# row and counts what a CI gate cares about: expectations met, false alarms (a build expected to
# answer judged stalled), misses (the blocking build judged responsive), inconclusive runs (the
# fault never in place), errors, and the time to verdict. Not part of `make test`: it is the
# measurement behind the gates' reliability figures in REPORT.md.
#
# Usage: tests/gates/soak.sh [-n RUNS] [-H HOGS] [-o DIR] [BIN_DIR]
#   -n RUNS   runs of each gate (default 20)
#   -H HOGS   CPU hogs (busy loops) to run meanwhile, ended at exit (default 0)
#   -o DIR    keep every JSON report there (default: a temporary directory)
#   BIN_DIR   where the binaries are (default build/bin)
# Prints one line per gate and exits 1 when any run missed its expectation.
set -uo pipefail
runs=20 hogs=0 keep=""
while getopts "n:H:o:" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    H) hogs=$OPTARG ;;
    o) keep=$OPTARG ;;
    *) echo "usage: $0 [-n RUNS] [-H HOGS] [-o DIR] [BIN_DIR]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/kiro-soak.XXXXXX")}
mkdir -p "$out"
hog_pids=()
cleanup() {
  for p in ${hog_pids[@]+"${hog_pids[@]}"}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -z "$keep" ] && rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
for _ in $(seq 1 "$hogs"); do
  ( while :; do :; done ) &
  hog_pids+=($!)
done

field() { # FILE KEY: a top-level scalar of a stallcheck JSON report (indented by one character)
  sed -n -E "s/^[[:space:]]\"$2\":[[:space:]]*\"?([^\",]*)\"?,?\$/\1/p" "$1" 2>/dev/null | head -1
}

echo "soak: $runs run(s) of each gate, $hogs CPU hog(s), $(uname -sr), $(getconf _NPROCESSORS_ONLN) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
printf '%-30s %-12s %-10s %4s %6s %6s %6s %6s %6s  %s\n' build scenario expect met false-al missed inconcl error other \
  "time to verdict ms: min / median / max"
failed=0
for scenario in large-debug info-flood scanner-64k; do
  for build in kiro-proxy-blocking kiro-proxy-async logrelay+kiro-proxy-blocking; do
    expect=responsive
    [ "$build" = kiro-proxy-blocking ] && expect=stalled
    met=0 false_alarm=0 missed=0 inconclusive=0 error=0 other=0 times=()
    for i in $(seq 1 "$runs"); do
      prefix="$out/$build.$scenario.$i"
      bash "$here/scripts/stall-scenario.sh" "$bin" "$build" "$scenario" "$expect" "$prefix" >/dev/null 2>&1
      rc=$?
      verdict=$(field "$prefix.json" verdict)
      t=$(field "$prefix.json" time_to_verdict_ms)
      [ -n "$t" ] && [ "$t" != null ] && times+=("$t")
      if [ $rc -eq 0 ]; then met=$((met + 1))
      elif [ "$verdict" = inconclusive ]; then inconclusive=$((inconclusive + 1))
      elif [ "$verdict" = error ] || [ -z "$verdict" ]; then error=$((error + 1))
      elif [ "$expect" = responsive ] && [ "$verdict" = stalled ]; then false_alarm=$((false_alarm + 1))
      elif [ "$expect" = stalled ] && [ "$verdict" = responsive ]; then missed=$((missed + 1))
      else other=$((other + 1)); fi
    done
    [ $met -eq "$runs" ] || failed=1
    stats="-"
    if [ ${#times[@]} -gt 0 ]; then
      sorted=$(printf '%s\n' "${times[@]}" | sort -n)
      stats="$(echo "$sorted" | head -1) / $(echo "$sorted" | sed -n "$(( (${#times[@]} + 1) / 2 ))p") / $(echo "$sorted" | tail -1)"
    fi
    printf '%-30s %-12s %-10s %4d %6d %6d %6d %6d %6d  %s\n' "$build" "$scenario" "$expect" $met $false_alarm \
      $missed $inconclusive $error $other "$stats"
  done
done
exit $failed
