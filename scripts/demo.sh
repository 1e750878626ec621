#!/usr/bin/env bash
# demo.sh: the side-by-side stall demonstration (`make demo`).
#
# Runs each proxy build under stallcheck - behind a deliberately unread 64 KiB pipe - through
# three scenarios (scripts/stall-scenario.sh: large-debug, info-flood, scanner-64k).
# Builds: kiro-proxy-blocking (must stall), kiro-proxy-async (must answer every probe) and
# kiro-proxy-blocking under logrelay (the launcher-side fix; must answer).
# Prints the table (with what held when the probes ran: every row must have its pipe full, or its
# reader gone) and the blocking build's thread evidence, writes build/report/demo.md, and exits 0
# only when every verdict is the expected one and every run reached its fault.
set -uo pipefail
build=${1:-build}
bin="$build/bin"
report_dir="$build/report"
here=$(cd "$(dirname "$0")" && pwd)
for b in kiro-proxy-blocking kiro-proxy-async fake-kiro stallcheck stall-table logrelay; do
  [ -x "$bin/$b" ] || { echo "demo: $bin/$b is missing: run make build first" >&2; exit 2; }
done
mkdir -p "$report_dir"
rm -f "$report_dir"/demo-*.json "$report_dir"/demo-*.txt

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

rows=()
for s in "${scenarios[@]}"; do
  pids=()
  for b in "${builds[@]}"; do
    "$here/stall-scenario.sh" "$bin" "$b" "$s" "$(expect_for "$b")" "$report_dir/demo-$b.$s" >/dev/null &
    pids+=($!)
    rows+=("$b|$s|$(expect_for "$b")=$report_dir/demo-$b.$s.json")
  done
  wait "${pids[@]}"
done

"$bin/stall-table" --markdown "$report_dir/demo.md" "${rows[@]}"
table_rc=$?
echo
echo "Thread evidence of kiro-proxy-blocking (large-debug), from stallcheck:"
sed -n '/^threads /,/^cause /p' "$report_dir/demo-kiro-proxy-blocking.large-debug.txt" | sed 's/^/  /'
printf '\nTable written to %s; full stallcheck reports in %s/demo-*.{txt,json} (%s s).\n' \
  "$report_dir/demo.md" "$report_dir" "$(( $(date +%s) - start ))"
if [ $table_rc -eq 0 ]; then
  echo "RESULT: with the pipe full in every run, the blocking build froze; the async build and the blocking build under logrelay answered every probe."
else
  echo "RESULT: UNEXPECTED verdicts, or runs whose fault was never in place (see the table and $report_dir/demo-*.txt)."
fi
exit $table_rc
