#!/usr/bin/env python3
"""log_queue_server.py: the same server with the fix, for stallcheck's tests.

Request threads only put records on a bounded queue.Queue with put_nowait; when the queue is full
the record is dropped and counted (never blocking, never raising into logging's error path, which
would itself write to stderr). One QueueListener thread is the only writer of stderr: when the
pipe is full, only that thread blocks, and requests keep being served.

Usage: log_queue_server.py --port N [--queue-size N]
"""
import argparse
import logging
import logging.handlers
import os
import queue
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiro_like_http import serve  # noqa: E402


class DroppingQueueHandler(logging.handlers.QueueHandler):
    """QueueHandler whose enqueue never blocks: a full queue drops the record and counts it."""

    def __init__(self, q):
        super().__init__(q)
        self.dropped = 0
        self._dropped_lock = threading.Lock()

    def enqueue(self, record):
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            with self._dropped_lock:
                self.dropped += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queue-size", type=int, default=1000)
    args = parser.parse_args()
    records = queue.Queue(maxsize=args.queue_size)
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(levelname)s %(message)s"))
    listener = logging.handlers.QueueListener(records, writer)
    listener.start()
    root = logging.getLogger()
    root.addHandler(DroppingQueueHandler(records))
    root.setLevel(logging.INFO)
    serve(args.port)


if __name__ == "__main__":
    main()
