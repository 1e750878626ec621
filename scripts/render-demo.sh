#!/usr/bin/env bash
# render-demo.sh: the demo page as a person sees it (part of `make report`).
#
# Usage: scripts/render-demo.sh [BUILD_DIR]
# Renders BUILD_DIR/report/demo.html in headless Chromium (Debian's chromium package) to
# BUILD_DIR/report/demo.png, and fails (exit 1) when the page did not show what it should:
#   - every <img> of the page must have loaded: a copy of the page with a few lines of script
#     added (demo-check.html, removed afterwards; demo.html itself has no script) writes each
#     image's naturalWidth into the DOM, which --dump-dom prints;
#   - the screenshot must not be blank, and must hold the red of a timed-out probe and the green
#     of an answered one, colours only the timeline pictures use (png-check).
# Exit 0 rendered and checked, 1 a check failed, 2 setup error; 77 when no Chromium is
# installed (scripts/install-deps.sh report installs it), so the caller can say it was skipped.
set -uo pipefail
build=${1:-build}
dir="$(cd "$build/report" 2>/dev/null && pwd)" || { echo "render-demo: no $build/report: run make demo" >&2; exit 2; }
page="$dir/demo.html"
[ -s "$page" ] || { echo "render-demo: $page missing: run make demo" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "render-demo: SKIPPED: no chromium (scripts/install-deps.sh report installs it)"; exit 77; }
png_check="$build/bin/png-check"
[ -x "$png_check" ] || { echo "render-demo: $png_check missing (zlib headers: scripts/install-deps.sh report)" >&2; exit 2; }

# Chromium refuses to run as root with its sandbox; a throwaway profile keeps runs apart.
profile=$(mktemp -d "${TMPDIR:-/tmp}/kiro-chromium.XXXXXX")
trap 'rm -rf "$profile" "$dir/demo-check.html"' EXIT
flags=(--headless --disable-gpu --no-first-run --hide-scrollbars --user-data-dir="$profile")
[ "$(id -u)" = 0 ] && flags+=(--no-sandbox)
bound() { if command -v timeout >/dev/null 2>&1; then timeout 120 "$@"; else "$@"; fi; }

fail=0
# 1. every image loaded
sed 's|</body>|<pre id="img-check"></pre><script>window.addEventListener("load", function () { var out = []; for (var i = 0; i < document.images.length; i++) { var im = document.images[i]; out.push((im.complete \&\& im.naturalWidth > 0 ? "LOADED " : "BROKEN ") + im.naturalWidth + " " + im.getAttribute("src")); } document.getElementById("img-check").textContent = out.join("\\n"); });</script></body>|' \
  "$page" >"$dir/demo-check.html"
dom=$(bound "$browser" "${flags[@]}" --virtual-time-budget=15000 --dump-dom "file://$dir/demo-check.html" 2>/dev/null)
loaded=$(printf '%s\n' "$dom" | grep -oE '(LOADED|BROKEN) [0-9]+ [^ <]+' | grep -c '^LOADED' || true)
broken=$(printf '%s\n' "$dom" | grep -oE 'BROKEN [0-9]+ [^ <]+' || true)
images=$(grep -o '<img ' "$page" | wc -l)
echo "render-demo: $loaded of $images image(s) loaded"
if [ "$images" -eq 0 ] || [ "$loaded" -ne "$images" ]; then
  echo "render-demo: FAIL: pictures did not load: ${broken:-no image report in the DOM}"
  fail=1
fi

# 2. the screenshot is not blank and shows the pictures
rm -f "$dir/demo.png"
bound "$browser" "${flags[@]}" --window-size=1100,4400 --screenshot="$dir/demo.png" "file://$page" >/dev/null 2>&1
if [ ! -s "$dir/demo.png" ]; then
  echo "render-demo: FAIL: chromium wrote no screenshot"
  exit 1
fi
"$png_check" "$dir/demo.png" --min-colours 16 --colour d93025:500 --colour 2e9e44:100 || fail=1
[ $fail = 0 ] && echo "render-demo: $dir/demo.png: the page and its pictures rendered"
exit $fail
