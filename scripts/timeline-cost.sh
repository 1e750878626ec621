#!/usr/bin/env bash
# timeline-cost.sh: what sampling the timeline costs stallcheck (part of `make report`).
#
# Usage: scripts/timeline-cost.sh [BUILD_DIR] [PAIRS]
# Runs stallcheck against its own fixture server (stall-test-server --mode deadlock: a stalled
# verdict; --mode async: a responsive one) PAIRS times (default 7) with the sampler on
# (--sample-ms 10, the default) and off (--sample-ms 0, events only), alternating on and off so
# that both see the same machine, and reports the medians: stallcheck's own CPU time (getrusage
# RUSAGE_SELF: every thread of stallcheck, not the child's), the time to verdict, the samples
# taken and the sampler thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), per run and per 1000
# samples. Writes BUILD_DIR/report/timeline-cost.md and prints it.
set -euo pipefail
build=${1:-build}
pairs=${2:-7}
bin="$build/bin"
out="$build/report/timeline-cost.md"
for b in stallcheck stall-test-server; do
  [ -x "$bin/$b" ] || { echo "timeline-cost: $bin/$b missing: build first" >&2; exit 2; }
done
mkdir -p "$build/report"
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-tlcost.XXXXXX")
trap 'rm -rf "$work"' EXIT

# FILE -> "cpu_us ttv_ms samples sampler_cpu_us" from a stallcheck --json report
figures() {
  awk '
    /^\t"time_to_verdict_ms":/ { gsub(/[^0-9]/, "", $2); ttv = $2 }
    /^\t\t"user_us":/ { gsub(/[^0-9]/, "", $2); user = $2 }
    /^\t\t"sys_us":/ { gsub(/[^0-9]/, "", $2); sys = $2 }
    /^\t\t"sampler":/ { in_sampler = 1 }
    in_sampler && /"samples":/ { gsub(/[^0-9]/, "", $2); samples = $2 }
    in_sampler && /"cpu_us":/ { v = $2; gsub(/[^0-9]/, "", v); scpu = (v == "" ? 0 : v) }
    in_sampler && /^\t\t}/ { in_sampler = 0 }
    END { print user + sys, ttv, samples + 0, scpu + 0 }' "$1"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for mode in deadlock async; do
  expect=stalled
  [ $mode = async ] && expect=responsive
  for i in $(seq 1 "$pairs"); do
    for ms in 10 0; do
      "$bin/stallcheck" --expect $expect --rounds 1 --sample-ms $ms -q --json "$work/$mode-$ms-$i.json" -- \
        "$bin/stall-test-server" --mode $mode --port '{port}' >/dev/null
      figures "$work/$mode-$ms-$i.json" >>"$work/$mode-$ms.txt"
    done
  done
done

{
  echo "| run (stall-test-server) | sampling | stallcheck CPU ms (median) | time to verdict ms (median) | samples | sampler thread CPU ms | sampler CPU per 1000 samples |"
  echo "|---|---|---|---|---|---|---|"
  for mode in deadlock async; do
    for ms in 10 0; do
      f="$work/$mode-$ms.txt"
      cpu=$(awk '{print $1}' "$f" | median)
      ttv=$(awk '{print $2}' "$f" | median)
      samples=$(awk '{print $3}' "$f" | median)
      scpu=$(awk '{print $4}' "$f" | median)
      per=$(awk -v c="$scpu" -v s="$samples" 'BEGIN { if (s > 0) printf "%.1f ms", c / s; else print "-" }')
      label="every 10 ms"
      [ "$ms" = 0 ] && label="off (--sample-ms 0)"
      awk -v m="$mode" -v l="$label" -v c="$cpu" -v t="$ttv" -v s="$samples" -v sc="$scpu" -v p="$per" \
        'BEGIN { printf "| %s | %s | %.1f | %.0f | %d | %.1f | %s |\n", m, l, c / 1000, t, s, sc / 1000, p }'
    done
  done
  echo
  echo "Measured by \`scripts/timeline-cost.sh $build $pairs\` ($pairs runs of each, on and off alternating, $(uname -sr), $(getconf _NPROCESSORS_ONLN) CPUs)."
} >"$out"
cat "$out"
