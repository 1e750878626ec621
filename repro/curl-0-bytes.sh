#!/usr/bin/env bash
# curl-0-bytes.sh: the field observation, reproduced with curl against the real proxy.
#
# In production the proxy's stdout/stderr went to a launcher that had stopped reading. Health
# checks then got "000, 0 bytes" after their timeout: the server accepted connections but every
# request thread was stuck waiting on the logger. This script rebuilds that from outside:
#   1. starts fake-kiro (the upstream emulator) on an ephemeral port;
#   2. starts the proxy with stdout+stderr into a FIFO that this script holds open and never reads;
#   3. fills the pipe with one large /v1/messages request logged at debug level;
#   4. probes GET /v1/models with curl -m 5 and prints code, size and time.
# It does this for kiro-proxy-blocking (expected: 000, 0 bytes at the timeout) and then for
# kiro-proxy-async (expected: 200). Everything started is killed on exit (trap EXIT); every wait
# is bounded, so the script itself never hangs.
#
# Usage: repro/curl-0-bytes.sh [BUILD_DIR]      (default: build; binaries in BUILD_DIR/bin)
# Exit status: 0 when blocking gave 000 and async gave 200, 1 otherwise, 2 when it cannot start.
set -u

build_dir=${1:-build}
bin_dir=$build_dir/bin
api_key=K
admin_key=A
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/curl-0-bytes.XXXXXX") || exit 2
started_pids=()

# Runs from the EXIT trap. ${a[@]+"${a[@]}"}: an empty array under set -u on macOS's bash 3.2.
# shellcheck disable=SC2317
cleanup() {
    local pid waited
    for pid in ${started_pids[@]+"${started_pids[@]}"}; do kill -TERM "$pid" 2>/dev/null; done
    # A proxy stuck in write(2) may never act on SIGTERM: give it 2 s, then SIGKILL.
    for ((waited = 0; waited < 20; waited++)); do
        local alive=0
        for pid in ${started_pids[@]+"${started_pids[@]}"}; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in ${started_pids[@]+"${started_pids[@]}"}; do kill -KILL "$pid" 2>/dev/null; done
    for pid in ${started_pids[@]+"${started_pids[@]}"}; do wait "$pid" 2>/dev/null; done
    exec 3<&- 2>/dev/null
    rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
    echo "curl-0-bytes: $*" >&2
    exit 2
}

for program in fake-kiro kiro-proxy-blocking kiro-proxy-async; do
    [[ -x $bin_dir/$program ]] || die "$bin_dir/$program not found (build first, or pass BUILD_DIR)"
done
command -v curl >/dev/null || die "curl not found"

# A free TCP port for the proxy (it takes a fixed --listen address).
free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 20000))
    fi
}

# Waits (at most 10 s) until FILE holds a port number; prints it.
wait_for_port_file() {
    local file=$1 tries
    for ((tries = 0; tries < 100; tries++)); do
        if [[ -s $file ]]; then
            local port
            port=$(tr -dc '0-9' <"$file")
            [[ -n $port ]] && { echo "$port"; return 0; }
        fi
        sleep 0.1
    done
    return 1
}

# Prints "CODE SIZE bytes TIMEs" for GET /v1/models with a 5 s limit.
probe_models() {
    curl -sS -m 5 -o /dev/null -w '%{http_code} %{size_download} bytes %{time_total}s' \
        "http://127.0.0.1:$1/v1/models" -H "x-api-key: $api_key" 2>/dev/null 3<&-
}

# Linux only: what the proxy's threads are waiting in (kernel wait channel), e.g.
# "1 in pipe write, 7 in futex wait, 2 other". Empty where /proc is not available.
thread_wait_summary() {
    local pid=$1 task wchan in_pipe=0 in_futex=0 other=0
    [[ -d /proc/$pid/task ]] || return 0
    for task in /proc/"$pid"/task/*; do
        wchan=
        read -r wchan <"$task/wchan" 2>/dev/null # no newline there: read "fails" but sets wchan
        case $wchan in
            *pipe_write*) in_pipe=$((in_pipe + 1)) ;;
            *futex*) in_futex=$((in_futex + 1)) ;;
            *) other=$((other + 1)) ;;
        esac
    done
    echo "threads: $in_pipe in pipe write, $in_futex in futex wait, $other other"
}

# The credentials file and the large request (a 256 KiB user message).
credentials=$work_dir/credentials.json
echo '[{"refreshToken":"r1","accessToken":"a1","expiresAt":"2099-01-01T00:00:00Z"}]' >"$credentials"
big_request=$work_dir/big-request.json
{
    printf '{"model":"claude-sonnet-4","max_tokens":16,"messages":[{"role":"user","content":"'
    head -c 262144 /dev/zero | tr '\0' 'x'
    printf '"}]}'
} >"$big_request"

# The upstream emulator; its output goes to a file (it is not under test).
"$bin_dir/fake-kiro" --listen 127.0.0.1:0 --port-file "$work_dir/fake.port" \
    >"$work_dir/fake-kiro.log" 2>&1 3<&- &
started_pids+=($!)
fake_port=$(wait_for_port_file "$work_dir/fake.port") || die "fake-kiro did not write its port file"

# Runs one proxy build with its output into a pipe nobody reads; prints the probe result.
# Arguments: NAME (e.g. blocking). Sets probe_result.
probe_result=
run_case() {
    local name=$1 port fifo pid fill_pid tries code
    port=$(free_port)
    fifo=$work_dir/$name.fifo
    mkfifo "$fifo" || die "mkfifo failed"
    # Held open read-write by this shell (so the proxy's open does not wait and no SIGPIPE ever
    # comes) and never read: exactly a launcher that stopped reading.
    exec 3<>"$fifo"
    "$bin_dir/kiro-proxy-$name" --listen "127.0.0.1:$port" --api-key "$api_key" \
        --admin-key "$admin_key" --upstream-url "http://127.0.0.1:$fake_port" \
        --auth-url "http://127.0.0.1:$fake_port" --credentials "$credentials" \
        --log-level debug >"$fifo" 2>&1 3<&- &
    pid=$!
    started_pids+=("$pid")

    # Ready when /v1/models answers 200 (at most 10 s).
    for ((tries = 0; tries < 50; tries++)); do
        code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/models" \
            -H "x-api-key: $api_key" 3<&-)
        [[ $code == 200 ]] && break
        kill -0 "$pid" 2>/dev/null || die "kiro-proxy-$name exited during startup"
        sleep 0.2
    done
    [[ $code == 200 ]] || die "kiro-proxy-$name did not answer /v1/models within 10 s"

    # Fill the pipe: one large request, logged at debug level. In the background with a limit,
    # because with the blocking logger it never gets an answer.
    curl -s -m 10 -o /dev/null "http://127.0.0.1:$port/v1/messages" -H "x-api-key: $api_key" \
        -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \
        --data-binary "@$big_request" 3<&- &
    fill_pid=$!
    started_pids+=("$fill_pid")
    # Let it reach the logger: until it is answered (async) or for at most 3 s (blocking).
    for ((tries = 0; tries < 30; tries++)); do
        kill -0 "$fill_pid" 2>/dev/null || break
        sleep 0.1
    done

    probe_result=$(probe_models "$port")
    echo "kiro-proxy-$name: GET /v1/models -> $probe_result"
    thread_wait_summary "$pid" | sed "s/^/kiro-proxy-$name: /"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exec 3<&-
}

echo "fake-kiro on 127.0.0.1:$fake_port; proxies log at debug level into a pipe nobody reads"
run_case blocking
blocking_result=$probe_result
run_case async
async_result=$probe_result

if [[ $blocking_result == 000\ 0\ bytes* && $async_result == 200\ * ]]; then
    echo "as expected: the blocking build answered 0 bytes at the timeout; the async build answered 200"
    exit 0
fi
echo "UNEXPECTED: blocking '$blocking_result', async '$async_result' (expected '000 0 bytes', '200')"
exit 1
