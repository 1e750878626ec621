#!/usr/bin/env bash
# report.sh: regenerates the figures quoted in REPORT.md from the last `make demo` and
# `make bench` runs (build/report/*), so no number in the report is typed by hand.
# Each figure block sits between "<!-- figures:NAME -->" and "<!-- /figures:NAME -->".
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
echo "REPORT.md figures regenerated from $dir"
