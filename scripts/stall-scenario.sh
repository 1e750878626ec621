#!/usr/bin/env bash
# stall-scenario.sh: one stall scenario against one proxy build, judged by stallcheck.
# Used by the ctest gates and by `make demo`, so both run exactly the same thing.
#
# Usage: scripts/stall-scenario.sh BIN_DIR BUILD SCENARIO EXPECT [OUT_PREFIX]
#   BUILD     kiro-proxy-blocking | kiro-proxy-async | logrelay+kiro-proxy-blocking
#   SCENARIO  large-debug  one 256 KiB /v1/messages at --log-level debug (the field trigger)
#             info-flood   small requests at --log-level info until the pipe is full
#             scanner-64k  the launcher's reader: lines until the first one over 64 KiB
#   EXPECT    stalled | responsive (stallcheck --expect)
#   OUT_PREFIX  writes OUT_PREFIX.json (stallcheck --json), OUT_PREFIX.txt (its report) and
#               OUT_PREFIX.svg (stallcheck --timeline: the run as a picture)
# Starts its own fake-kiro. Exits with stallcheck's status (0 expectation met, 1 not, 2 setup,
# 3 inconclusive: the fault was never in place) and, when that is 0, fails (1) unless the JSON
# says the fault was reached: a gate that stopped testing under a full pipe must not pass.
set -uo pipefail
bin=$1 build=$2 scenario=$3 expect=$4
out=${5:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-scenario.XXXXXX")
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

case "$scenario" in
  large-debug) level=debug; extra=() ;;
  info-flood)  level=info;  extra=(--trigger-bytes 64 --flood 5000) ;;
  scanner-64k) level=debug; extra=(--reader scanner:65536) ;;
  *) echo "stall-scenario: unknown scenario $scenario" >&2; exit 2 ;;
esac
prefix=()
proxy=$build
if [ "$build" = "logrelay+kiro-proxy-blocking" ]; then
  prefix=("$bin/logrelay" --)
  proxy=kiro-proxy-blocking
fi

api_key="sk-scenario-api-key-0123456789"
admin_key="scenario-admin-key-0123456789"
cat >"$work/credentials.json" <<JSON
[{"id":1,"accessToken":"scenario-access-token-0123456789abcdef","refreshToken":"scenario-refresh-token-0123456789abcdef","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social"}]
JSON
"$bin/fake-kiro" --listen 127.0.0.1:0 --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 200); do [ -s "$work/fake.port" ] && break; sleep 0.05; done
if [ ! -s "$work/fake.port" ]; then
  echo "stall-scenario: fake-kiro did not start" >&2
  cat "$work/fake.log" >&2
  exit 2
fi
fake="http://127.0.0.1:$(cat "$work/fake.port")"

json=${out:+$out.json}
json=${json:-$work/stallcheck.json}
report=${out:+$out.txt}
"$bin/stallcheck" --expect "$expect" --timeout 60 --deadline-ms 1500 --rounds 2 \
  -H "x-api-key: $api_key" -H "x-admin-key: $admin_key" \
  --probe 'GET /v1/models' --probe 'GET /api/admin/user-credentials' --probe 'GET /health' \
  --collect 'GET /health' --json "$json" ${out:+--timeline "$out.svg"} "${extra[@]}" -- \
  ${prefix[@]+"${prefix[@]}"} "$bin/$proxy" --listen '127.0.0.1:{port}' --api-key "$api_key" \
  --admin-key "$admin_key" --upstream-url "$fake" --auth-url "$fake" \
  --credentials "$work/credentials.json" --user-credentials "$work/users.json" \
  --log-level "$level" >"${report:-/dev/stdout}" 2>&1
rc=$?
[ $rc -ne 0 ] && exit $rc
# The gate's own assertion: the probes ran against the fault (the demo's "held when probed").
"$bin/stall-table" "$build|$scenario|$expect=$json"
