#!/usr/bin/env bash
# sdk-check.sh: runs tests/sdk/sdk_check.mjs - the official Anthropic and OpenAI Node SDKs
# against kiro-proxy-async and fake-kiro (`make test-sdk`). Installs the SDKs with npm into
# BUILD_DIR/sdk on first use. Needs node >= 18 and npm.
# Usage: scripts/sdk-check.sh [BUILD_DIR]
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$build/bin"
command -v node >/dev/null && command -v npm >/dev/null || { echo "sdk-check: node and npm are needed" >&2; exit 2; }
sdk="$build/sdk"
mkdir -p "$sdk"
cp "$root/tests/sdk/package.json" "$root/tests/sdk/sdk_check.mjs" "$sdk/"
if [ ! -d "$sdk/node_modules/openai" ] || [ ! -d "$sdk/node_modules/@anthropic-ai/sdk" ]; then
  (cd "$sdk" && npm install --no-audit --no-fund --loglevel=error) || { echo "sdk-check: npm install failed" >&2; exit 2; }
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-sdk.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
cat >"$work/credentials.json" <<JSON
[{"id":1,"accessToken":"sdk-access-token-0123456789abcdef","refreshToken":"sdk-refresh-token-0123456789abcdef","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social"}]
JSON
"$bin/fake-kiro" --listen 127.0.0.1:0 --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/fake.port" ] && break; sleep 0.05; done
fake="http://127.0.0.1:$(cat "$work/fake.port")"
port=$(( 20000 + RANDOM % 20000 ))
key="sk-sdk-check-0123456789"
"$bin/kiro-proxy-async" --listen "127.0.0.1:$port" --api-key "$key" --upstream-url "$fake" \
  --auth-url "$fake" --credentials "$work/credentials.json" --user-credentials "$work/users.json" \
  >"$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do
  curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
  sleep 0.05
done
version_of() { node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')).version)" "$sdk/node_modules/$1/package.json"; }
echo "SDK versions: @anthropic-ai/sdk $(version_of @anthropic-ai/sdk), openai $(version_of openai); node $(node --version)"
PROXY_URL="http://127.0.0.1:$port" API_KEY="$key" FAKE_URL="$fake" node "$sdk/sdk_check.mjs"
