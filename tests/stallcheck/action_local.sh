#!/usr/bin/env bash
# action_local.sh: the composite action harness/stallcheck/action.yml, run step by step on this
# machine (.github/lint/run_action.cjs fakes the runner) against the test server, so that its
# scripts - exit statuses, outputs, the job summary - are tested, not only its syntax.
#
# Usage: tests/stallcheck/action_local.sh SOURCE_DIR STALLCHECK SERVER
# Cases (expect, server mode -> the action's conclusion, exit-code and verdict outputs):
#   stalled     deadlock -> success, 0, stalled (the positive control is caught)
#   responsive  async    -> success, 0, responsive
#   stalled     async    -> failure, 1, responsive (expectation not met)
#   responsive  quiet    -> failure, 3, inconclusive (the fault was never in place: a failure)
# Exit 0 pass, 1 fail, 77 skipped (no node, or the lint group's yaml package is not installed).
set -uo pipefail
src=$1 stallcheck=$2 server=$3
runner=$src/.github/lint/run_action.cjs
if ! command -v node >/dev/null 2>&1 || [ ! -f "$src/.github/lint/node_modules/yaml/package.json" ]; then
  echo "action_local: SKIPPED: needs node and the yaml package (scripts/install-deps.sh lint)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/action-local.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
json_get() { # JSON-LINE PATH -> value (node, no jq needed)
  node -e 'const o = JSON.parse(process.argv[1]); let v = o; for (const k of process.argv[2].split(".")) v = v == null ? v : v[k]; process.stdout.write(v == null ? "" : String(v));' "$1" "$2"
}
case_run() { # EXPECT MODE WANT_CONCLUSION WANT_RC WANT_VERDICT WANT_SUMMARY [EXTRA_ARGS]
  local expect=$1 mode=$2 conclusion=$3 rc=$4 verdict=$5 summary=$6 extra=${7:-}
  local log="$work/$expect-$mode.log"
  node "$runner" "$src/harness/stallcheck/action.yml" \
    "command=$server --mode $mode --port {port}" "expect=$expect" "stallcheck=$stallcheck" \
    "artifact-name=local-$expect-$mode" "extra-args=--rounds 1 $extra" >"$log" 2>&1
  local status=$?
  local result
  result=$(tail -1 "$log")
  local got_conclusion got_rc got_verdict got_summary got_json
  got_conclusion=$(json_get "$result" conclusion)
  got_rc=$(json_get "$result" outputs.exit-code)
  got_verdict=$(json_get "$result" outputs.verdict)
  got_summary=$(json_get "$result" summary)
  got_json=$(json_get "$result" outputs.json)
  local ok=1
  [ "$got_conclusion" = "$conclusion" ] || ok=0
  [ "$got_rc" = "$rc" ] || ok=0
  [ "$got_verdict" = "$verdict" ] || ok=0
  [ -s "$got_json" ] || ok=0
  case "$got_summary" in *"$summary"*) ;; *) ok=0 ;; esac
  { [ "$conclusion" = success ] && [ $status = 0 ]; } || { [ "$conclusion" = failure ] && [ $status = 1 ]; } || ok=0
  if [ $ok = 1 ]; then
    echo "  ok    expect $expect against $mode: $got_conclusion, exit-code $got_rc, verdict $got_verdict"
  else
    echo "  FAIL  expect $expect against $mode: $got_conclusion (want $conclusion), exit-code $got_rc (want $rc)," \
      "verdict $got_verdict (want $verdict), summary has '$summary'?, json '$got_json'"
    sed 's/^/        /' "$log" | cut -c1-400
    fail=1
  fi
  # the same scratch directory: the runner's, removed once judged
  local scratch
  scratch=$(json_get "$result" scratch)
  [ -n "$scratch" ] && [ -d "$scratch" ] && rm -rf "$scratch"
}
echo "action_local: harness/stallcheck/action.yml, run step by step"
case_run stalled deadlock success 0 stalled "### stallcheck: stalled ("
case_run responsive async success 0 responsive "### stallcheck: responsive - PASS"
case_run stalled async failure 1 responsive "FAIL: expectation not met"
case_run responsive quiet failure 3 inconclusive "FAIL: inconclusive" "--fill-ms 2000"
if [ $fail = 0 ]; then echo "action_local: PASS"; else echo "action_local: FAIL"; fi
exit $fail
