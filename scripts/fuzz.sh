#!/usr/bin/env bash
# fuzz.sh: runs every libFuzzer target for a set time and reports executions per target.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS_PER_TARGET
# The working corpus lives in BUILD_DIR/fuzz-corpus/<target> (seeded from tests/fuzz/corpus);
# crashes are written to BUILD_DIR/fuzz-artifacts/<target>/ and fail the run.
set -uo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
printf '%-22s %12s %10s %s\n' target executions exec/s result
for t in eventstream translate_anthropic translate_openai config request_head; do
  bin="$build/bin/fuzz_$t"
  [ -x "$bin" ] || { echo "missing $bin (configure with -DKIRO_FUZZ=ON)"; exit 2; }
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  log="$build/fuzz-$t.log"
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  if [ $rc -eq 0 ]; then result=ok; else result="FINDING (see $log, $artifacts)"; status=1; fi
  printf '%-22s %12s %10s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
done
exit $status
