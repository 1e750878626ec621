#!/usr/bin/env python3
"""log_blocking_server.py: a Python server with the Kiro proxy's bug, for stallcheck's tests.

logging.StreamHandler(sys.stderr) writes while holding the handler's lock. When nobody reads
stderr, the pipe fills, one request thread blocks in write(2) holding that lock, and every other
request thread (they all log) waits for it: the whole server freezes, the port still accepts.

Usage: log_blocking_server.py --port N
"""
import argparse
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiro_like_http import serve  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    serve(args.port)


if __name__ == "__main__":
    main()
