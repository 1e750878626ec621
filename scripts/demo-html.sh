#!/usr/bin/env bash
# demo-html.sh: the demo page (build/report/demo.html) from the files `make demo` wrote.
#
# Usage: scripts/demo-html.sh REPORT_DIR SCENARIO...
# Reads REPORT_DIR/demo.md (the table, from stall-table), REPORT_DIR/demo-SCENARIO.svg (the three
# builds of a scenario on one time axis, from stallcheck-compare) and the blocking build's text
# report of the first scenario (its thread evidence), and writes REPORT_DIR/demo.html: the table,
# then per scenario the picture, then the threads. The page has no script and refers to the
# pictures next to it by relative <img> links, so the directory can be opened, copied or served
# as it is. Text from the reports is HTML-escaped.
set -euo pipefail
dir=$1
shift
page="$dir/demo.html"
tmp="$page.tmp.$$"
trap 'rm -f "$tmp"' EXIT

escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }

# The Markdown table as an HTML table (| a | b | rows; the |---| line dropped).
table_html() {
  escape <"$1" | awk -F'|' '
    NR == 2 { next }
    {
      cell = NR == 1 ? "th" : "td"
      row = "<tr>"
      for (i = 2; i < NF; i++) { v = $i; gsub(/^ +| +$/, "", v); row = row "<" cell ">" v "</" cell ">" }
      print row "</tr>"
    }'
}

{
  cat <<'HTML'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kiro-stall demo: the blocking logger freezes, the async one answers</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
table { border-collapse: collapse; font-size: 13px; margin: 12px 0 24px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; }
th { background: #f2f2f2; }
img { display: block; width: 1000px; max-width: 100%; border: 1px solid #ddd; margin: 8px 0 4px; }
pre { background: #f6f6f6; padding: 10px; font-size: 12px; overflow-x: auto; }
p.note { font-size: 14px; max-width: 1000px; }
</style>
</head>
<body>
<h1>kiro-stall demo</h1>
<p class="note">Each build runs behind a 64 KiB stdout/stderr pipe that nobody reads. stallcheck
fills it (the blue area, up to the dashed capacity line; the purple band means the kernel has no
free slot, so every write that needs a new page blocks), waits until the fault is in place (the
red "pipe full" marker), then probes three routes at once with a 1.5 s deadline. Red bars timed
out; green bars answered, labelled with their latency. At the teal "drain" marker stallcheck
starts reading the pipe again and probes once more (the recovery probes). The three builds of a
scenario share one time axis: seconds since each child started.</p>
HTML
  echo "<h2>The table</h2>"
  echo "<table>"
  table_html "$dir/demo.md"
  echo "</table>"
  for s in "$@"; do
    echo "<h2 id=\"$s\">Scenario $s</h2>"
    case "$s" in
      large-debug) echo '<p class="note">One 256 KiB <code>POST /v1/messages</code> at <code>--log-level debug</code>: the request body is logged in full.</p>' ;;
      info-flood) echo '<p class="note">Small requests at <code>--log-level info</code> until the pipe is full.</p>' ;;
      scanner-64k) echo '<p class="note">The launcher&apos;s own reader: it reads lines until the first one over 64 KiB, then never again (the reader strip turns from green to red when it stops).</p>' ;;
    esac
    echo "<img src=\"demo-$s.svg\" alt=\"timelines of the three builds in scenario $s\" width=\"1000\">"
    echo "<p class=\"note\">One picture per build: <a href=\"demo-kiro-proxy-blocking.$s.svg\">blocking</a>, <a href=\"demo-kiro-proxy-async.$s.svg\">async</a>, <a href=\"demo-logrelay+kiro-proxy-blocking.$s.svg\">logrelay + blocking</a>; full reports <a href=\"demo-kiro-proxy-blocking.$s.txt\">as text</a> and <a href=\"demo-kiro-proxy-blocking.$s.json\">JSON</a>.</p>"
  done
  first=${1:-large-debug}
  echo "<h2>What stallcheck saw inside the blocking build ($first)</h2>"
  echo '<p class="note">From /proc while the probes were pending: one thread in <code>write(fd=2, ...)</code> on the log pipe, the request threads in <code>futex</code> on one word, the logger&apos;s mutex.</p>'
  echo "<pre>"
  sed -n '/^pipe /p;/^threads /,/^cause /p;/^recovery /p' "$dir/demo-kiro-proxy-blocking.$first.txt" | escape
  echo "</pre>"
  echo "</body>"
  echo "</html>"
} >"$tmp"
mv "$tmp" "$page"
trap - EXIT
