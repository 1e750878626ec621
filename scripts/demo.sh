#!/usr/bin/env bash
# demo.sh: the side-by-side stall demonstration (`make demo`).
#
# Starts fake-kiro, then runs each proxy build under stallcheck - behind a deliberately unread
# 64 KiB pipe - through three scenarios:
#   large-debug   one large /v1/messages at --log-level debug (the field trigger)
#   info-flood    a flood of small requests at --log-level info until the pipe is full
#   scanner-64k   the launcher's reader: lines read until the first one over 64 KiB, then never
# Builds: kiro-proxy-blocking (must stall), kiro-proxy-async (must answer every probe) and
# kiro-proxy-blocking under logrelay (the launcher-side fix; must answer).
# Prints the table and the blocking build's thread evidence, writes build/report/demo.md, and
# exits 0 only when every verdict is the expected one.
set -uo pipefail
build=${1:-build}
bin="$build/bin"
report_dir="$build/report"
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-demo.XXXXXX")
mkdir -p "$report_dir"
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

for b in kiro-proxy-blocking kiro-proxy-async fake-kiro stallcheck stall-table; do
  [ -x "$bin/$b" ] || { echo "demo: $bin/$b is missing: run make build first" >&2; exit 2; }
done
have_relay=0
[ -x "$bin/logrelay" ] && have_relay=1

api_key="sk-demo-api-key-0123456789"
admin_key="demo-admin-key-0123456789"
cat >"$work/credentials.json" <<JSON
[{"id":1,"accessToken":"demo-access-token-0123456789abcdef","refreshToken":"demo-refresh-token-0123456789abcdef","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social"}]
JSON

"$bin/fake-kiro" --listen 127.0.0.1:0 --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 200); do [ -s "$work/fake.port" ] && break; sleep 0.05; done
[ -s "$work/fake.port" ] || { echo "demo: fake-kiro did not start" >&2; cat "$work/fake.log" >&2; exit 2; }
fake="http://127.0.0.1:$(cat "$work/fake.port")"

start=$(date +%s.%N 2>/dev/null || date +%s)
echo "kiro-stall demo: $(uname -sr), $(nproc 2>/dev/null || sysctl -n hw.ncpu) CPUs; fake-kiro at $fake"
echo

# run BUILD_LABEL SCENARIO EXPECT LEVEL [stallcheck options...]
run() {
  local label=$1 scenario=$2 expect=$3 level=$4
  shift 4
  local -a prefix=()
  local proxy=$label
  if [ "$label" = "logrelay+kiro-proxy-blocking" ]; then
    prefix=("$bin/logrelay" --)
    proxy=kiro-proxy-blocking
  fi
  local out="$work/$label.$scenario"
  "$bin/stallcheck" --expect "$expect" --timeout 60 --deadline-ms 1500 --rounds 2 \
    -H "x-api-key: $api_key" -H "x-admin-key: $admin_key" \
    --probe 'GET /v1/models' --probe 'GET /api/admin/user-credentials' --probe 'GET /health' \
    --collect 'GET /health' \
    --json "$out.json" "$@" -- \
    "${prefix[@]}" "$bin/$proxy" --listen '127.0.0.1:{port}' --api-key "$api_key" \
    --admin-key "$admin_key" --upstream-url "$fake" --auth-url "$fake" \
    --credentials "$work/credentials.json" --user-credentials "$work/users-$label-$scenario.json" \
    --log-level "$level" >"$out.txt" 2>&1
  echo "$label|$scenario|$expect=$out.json" >>"$work/rows"
}

builds=(kiro-proxy-blocking kiro-proxy-async)
[ $have_relay = 1 ] && builds+=(logrelay+kiro-proxy-blocking)
expect_for() { [ "$1" = kiro-proxy-blocking ] && echo stalled || echo responsive; }

scenario() {
  local name=$1 level=$2
  shift 2
  for b in "${builds[@]}"; do
    run "$b" "$name" "$(expect_for "$b")" "$level" "$@" &
  done
  wait
}
scenario large-debug debug
scenario info-flood info --trigger-bytes 64 --flood 3000
scenario scanner-64k debug --reader scanner:65536

mapfile -t rows <"$work/rows"
# Stable order: scenario, then build.
sorted=()
for s in large-debug info-flood scanner-64k; do
  for b in "${builds[@]}"; do
    for r in "${rows[@]}"; do
      case "$r" in "$b|$s|"*) sorted+=("$r") ;; esac
    done
  done
done
"$bin/stall-table" --markdown "$report_dir/demo.md" "${sorted[@]}"
table_rc=$?

echo
echo "Thread evidence of kiro-proxy-blocking (large-debug), from stallcheck:"
sed -n '/[Ee]vidence/,/[Vv]erdict/p' "$work/kiro-proxy-blocking.large-debug.txt" | sed 's/^/  /'
cp "$work"/*.json "$report_dir/" 2>/dev/null
cp "$work/kiro-proxy-blocking.large-debug.txt" "$report_dir/demo-blocking-evidence.txt" 2>/dev/null
end=$(date +%s.%N 2>/dev/null || date +%s)
printf '\nDemo table written to %s (%s s).\n' "$report_dir/demo.md" "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')"
if [ $table_rc -eq 0 ]; then
  echo "RESULT: the blocking build froze; the async build (and the blocking build under logrelay) answered every probe."
else
  echo "RESULT: UNEXPECTED verdicts (see the table above and $report_dir/*.json)."
fi
exit $table_rc
