#!/usr/bin/env bash
# report.sh: regenerates the figures quoted in REPORT.md from the last `make demo` and
# `make bench` runs (build/report/*), so no number in the report is typed by hand.
# Each figure block sits between "<!-- figures:NAME -->" and "<!-- /figures:NAME -->".
# It also copies the demo's timeline pictures (one per scenario, three builds on one time axis)
# to docs/img/timeline-SCENARIO.svg, which REPORT.md shows next to the table, measures what
# sampling the timeline costs (scripts/timeline-cost.sh), and renders build/report/demo.html in
# headless Chromium to build/report/demo.png (scripts/render-demo.sh), failing when the page is
# blank or its pictures did not load; without Chromium that check is skipped, and said.
# Usage: scripts/report.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
report="$root/REPORT.md"
dir="$build/report"

block() { # NAME FILE-WITH-CONTENT
  local name=$1 file=$2
  [ -s "$file" ] || { echo "report: $file missing or empty: run make demo / make bench first" >&2; return 1; }
  awk -v name="$name" -v file="$file" '
    $0 == "<!-- figures:" name " -->" { print; while ((getline line < file) > 0) print line; skip = 1; next }
    $0 == "<!-- /figures:" name " -->" { skip = 0 }
    !skip { print }
  ' "$report" >"$report.tmp" && mv "$report.tmp" "$report"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
  echo '```'
  echo "machine: $(uname -srm), $(getconf _NPROCESSORS_ONLN) CPUs$( [ -r /proc/cpuinfo ] && grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /, /')"
  echo "generated: $(date -u +%Y-%m-%dT%H:%M:%SZ) by make report"
  echo '```'
} >"$tmp/machine"
block machine "$tmp/machine"

block demo "$dir/demo.md"

{
  echo '```'
  sed -n '/^pipe /p;/^threads /,/^cause /p;/^recovery /p' "$dir/demo-kiro-proxy-blocking.large-debug.txt"
  echo '```'
} >"$tmp/evidence"
block evidence "$tmp/evidence"

if [ -s "$dir/bench.md" ]; then
  sed '1{/^# /d;}' "$dir/bench.md" >"$tmp/bench"   # the report has its own heading
  block bench "$tmp/bench"
fi
if [ -s "$dir/faults.md" ]; then block faults "$dir/faults.md"; fi

# The timeline pictures REPORT.md shows (committed), then what sampling them costs.
mkdir -p "$root/docs/img"
for s in large-debug info-flood scanner-64k; do
  [ -s "$dir/demo-$s.svg" ] || { echo "report: $dir/demo-$s.svg missing: run make demo first" >&2; exit 1; }
  cp "$dir/demo-$s.svg" "$root/docs/img/timeline-$s.svg.tmp"
  mv "$root/docs/img/timeline-$s.svg.tmp" "$root/docs/img/timeline-$s.svg"
done
"$root/scripts/timeline-cost.sh" "$build" 7 >/dev/null
block timeline-cost "$dir/timeline-cost.md"
echo "REPORT.md figures regenerated from $dir; timeline pictures in docs/img/"

# The demo page as a person sees it: png-check needs zlib, which install-deps' report group may
# have brought after the build was configured.
if [ ! -x "$build/bin/png-check" ]; then
  cmake -S "$root" -B "$build" >/dev/null && cmake --build "$build" --target png-check >/dev/null 2>&1 || true
fi
rc=0
"$root/scripts/render-demo.sh" "$build" || rc=$?
case $rc in
  0) echo "report: screenshot of the demo page: $dir/demo.png" ;;
  77) echo "report: demo page not rendered (no chromium): scripts/install-deps.sh report installs it" ;;
  *) echo "report: FAIL: the demo page did not render as it should (see above)" >&2; exit 1 ;;
esac
