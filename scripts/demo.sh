#!/usr/bin/env bash
# demo.sh: the side-by-side stall demonstration (`make demo`).
#
# Runs each proxy build under stallcheck - behind a deliberately unread 64 KiB pipe - through
# three scenarios (scripts/stall-scenario.sh: large-debug, info-flood, scanner-64k).
# Builds: kiro-proxy-blocking (must stall), kiro-proxy-async (must answer every probe) and
# kiro-proxy-blocking under logrelay (the launcher-side fix; must answer).
# Prints the table (with what held when the probes ran: every row must have its pipe full, or its
# reader gone) and the blocking build's thread evidence, writes build/report/demo.md and the demo
# page build/report/demo.html (the table, then per scenario the three builds' timelines on one
# time axis - demo-SCENARIO.svg, drawn by stallcheck-compare - then the blocking build's
# threads), and exits 0 only when every verdict is the expected one and every run reached its
# fault. On a terminal it shows which row it is on ("row i/N"); nothing extra otherwise.
set -uo pipefail
build=${1:-build}
bin="$build/bin"
report_dir="$build/report"
here=$(cd "$(dirname "$0")" && pwd)
for b in kiro-proxy-blocking kiro-proxy-async fake-kiro stallcheck stallcheck-compare stall-table logrelay; do
  [ -x "$bin/$b" ] || { echo "demo: $bin/$b is missing: run make build first" >&2; exit 2; }
done
mkdir -p "$report_dir"
rm -f "$report_dir"/demo-*.json "$report_dir"/demo-*.txt "$report_dir"/demo-*.svg "$report_dir/demo.html"

start=$(date +%s)
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
echo "kiro-stall demo: $(uname -sr), $cpus CPUs"
echo "Each build runs behind a 64 KiB stdout/stderr pipe that nobody drains; stallcheck builds the"
echo "fault until the pipe is full by the kernel's measure, then probes GET /v1/models,"
echo "GET /api/admin/user-credentials and GET /health (deadline 1500 ms, 2 rounds)."
echo

builds=(kiro-proxy-blocking kiro-proxy-async logrelay+kiro-proxy-blocking)
scenarios=(large-debug info-flood scanner-64k)
expect_for() { [ "$1" = kiro-proxy-blocking ] && echo stalled || echo responsive; }

# "row i/N" on a terminal only: CI logs and redirected output stay as they were.
on_tty=0
[ -t 1 ] && on_tty=1
status() { [ $on_tty = 1 ] && printf '\r\033[K%s' "$1"; return 0; }
total=$(( ${#builds[@]} * ${#scenarios[@]} ))
row=0
rows=()
for s in "${scenarios[@]}"; do
  pids=()
  for b in "${builds[@]}"; do
    "$here/stall-scenario.sh" "$bin" "$b" "$s" "$(expect_for "$b")" "$report_dir/demo-$b.$s" >/dev/null &
    pids+=($!)
    rows+=("$b|$s|$(expect_for "$b")=$report_dir/demo-$b.$s.json")
  done
  for i in "${!pids[@]}"; do # the builds of a scenario run at once; rows count as they end
    status "demo: row $((row + 1))/$total: ${builds[$i]} $s (${#builds[@]} builds at a time)"
    wait "${pids[$i]}"
    row=$((row + 1))
  done
  labels=()
  for b in "${builds[@]}"; do labels+=("$b=$report_dir/demo-$b.$s.json"); done
  "$bin/stallcheck-compare" --title "$s: the blocking build, the async build and the blocking build under logrelay" \
    -o "$report_dir/demo-$s.svg" "${labels[@]}" || echo "demo: no picture for $s" >&2
done
status ""

"$bin/stall-table" --markdown "$report_dir/demo.md" "${rows[@]}"
table_rc=$?
echo
echo "Thread evidence of kiro-proxy-blocking (large-debug), from stallcheck:"
sed -n '/^threads /,/^cause /p' "$report_dir/demo-kiro-proxy-blocking.large-debug.txt" | sed 's/^/  /'
"$here/demo-html.sh" "$report_dir" "${scenarios[@]}" || echo "demo: could not write $report_dir/demo.html" >&2
printf '\nTable written to %s; full stallcheck reports in %s/demo-*.{txt,json,svg} (%s s).\n' \
  "$report_dir/demo.md" "$report_dir" "$(( $(date +%s) - start ))"
echo "Demo page: $report_dir/demo.html - the table, the timelines of each scenario, the threads (open it in a browser)"
if [ $table_rc -eq 0 ]; then
  echo "RESULT: with the pipe full in every run, the blocking build froze; the async build and the blocking build under logrelay answered every probe."
else
  echo "RESULT: UNEXPECTED verdicts, or runs whose fault was never in place (see the table and $report_dir/demo-*.txt)."
fi
exit $table_rc
