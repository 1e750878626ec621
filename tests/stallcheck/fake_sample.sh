#!/bin/sh
# fake_sample.sh: a stand-in for macOS `sample`, installed as "sample" on PATH by
# test_sampler_run.c so that evidence_macos.c's sampler road (spawn, -file, timeout, kill) runs on
# Linux. Expects exactly `sample PID 1 -mayDie -file FILE`, as evidence_macos.c calls it.
# FAKE_SAMPLE_MODE:  file    the report (FAKE_SAMPLE_REPORT) into FILE, progress lines on stdout
#                    stdout  the report on stdout only, no file (older sample versions)
#                    hang    never finishes (must be killed at the timeout); writes its pid to
#                            FAKE_SAMPLE_PID_FILE first
#                    denied  the message sample prints when it may not examine the process
if [ $# -ne 5 ] || [ "$2" != 1 ] || [ "$3" != -mayDie ] || [ "$4" != -file ]; then
  echo "fake sample: unexpected arguments: $*" >&2
  exit 64
fi
case "$FAKE_SAMPLE_MODE" in
  file)
    echo "Sampling process $1 for 1 second with 1 millisecond of run time between samples"
    echo "Sampling completed, processing symbols..."
    cp "$FAKE_SAMPLE_REPORT" "$5"
    echo "Sample analysis of process $1 written to file $5"
    ;;
  stdout) cat "$FAKE_SAMPLE_REPORT" ;;
  hang)
    echo $$ >"$FAKE_SAMPLE_PID_FILE"
    echo "Sampling process $1 for 1 second with 1 millisecond of run time between samples"
    exec sleep 1000
    ;;
  denied)
    echo "sample cannot examine process $1 because you do not have appropriate privileges to examine it; try running with \`sudo\`." >&2
    exit 1
    ;;
  *) echo "fake sample: FAKE_SAMPLE_MODE?" >&2; exit 64 ;;
esac
