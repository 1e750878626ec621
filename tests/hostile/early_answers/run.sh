#!/usr/bin/env bash
# run.sh: measures what clients that write the whole body before reading see when the proxy
# answers early (413 from the declared size, 401 for a wrong key): Python's http.client and
# urllib, Node's fetch and the Anthropic SDK. Starts fake-kiro and the proxy (default
# BUILD_DIR/bin/kiro-proxy-async, or PROXY), installs the SDK with npm into BUILD_DIR/early-answers
# on first use. Prints one line per client and case. A measurement, not a ctest: the ctest of
# the same behaviour is hostile_lingering (test_lingering.c).
# Usage: tests/hostile/early_answers/run.sh [BUILD_DIR] [PROXY]
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
proxy=${2:-$build/bin/kiro-proxy-async}
command -v node >/dev/null && command -v npm >/dev/null && command -v python3 >/dev/null ||
  { echo "early-answers: node, npm and python3 are needed" >&2; exit 2; }
sdk="$build/early-answers"
mkdir -p "$sdk"
cp "$here/package.json" "$here/clients.mjs" "$sdk/"
if [ ! -d "$sdk/node_modules/@anthropic-ai/sdk" ]; then
  (cd "$sdk" && npm install --no-audit --no-fund --loglevel=error) || { echo "npm install failed" >&2; exit 2; }
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-early.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/credentials.json" <<JSON
[{"id":1,"accessToken":"early-access-token-0123456789abcdef","refreshToken":"early-refresh-token-0123456789abcdef","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social"}]
JSON
"$build/bin/fake-kiro" --listen 127.0.0.1:0 --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/fake.port" ] && break; sleep 0.05; done
fake="http://127.0.0.1:$(cat "$work/fake.port")"
port=$(( 20000 + RANDOM % 20000 ))
key="sk-early-answers-0123456789"
"$proxy" --listen "127.0.0.1:$port" --api-key "$key" --upstream-url "$fake" --auth-url "$fake" \
  --credentials "$work/credentials.json" --user-credentials "$work/users.json" >"$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
big=$((20 << 20)) # 20 MiB against the default 16 MiB limit
echo "proxy: $proxy; node $(node --version); python $(python3 --version 2>&1 | cut -d' ' -f2); @anthropic-ai/sdk $(node -e "console.log(require('$sdk/node_modules/@anthropic-ai/sdk/package.json').version)")"
python3 "$here/clients.py" "$port" "$key" "$big"
node "$sdk/clients.mjs" "$port" "$key" "$big"
