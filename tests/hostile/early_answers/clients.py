#!/usr/bin/env python3
"""clients.py: early answers through Python's http.client and urllib (run.sh starts the stack).

Each case sends a body that the proxy refuses from its head alone (413: declared size over the
limit; 401: wrong key) and prints what the client saw: the status, or the exception it got
instead (a reset or broken pipe while it was still writing). One line per case:
    client case status seconds detail
"""
import http.client
import sys
import time
import urllib.error
import urllib.request

port = int(sys.argv[1])
key = sys.argv[2]
big = int(sys.argv[3])
cases = [("413-body-over-limit", big, key), ("401-wrong-key-2MiB", 2 << 20, "wrong-key")]


def report(client, case, status, t0, detail):
    print("%-18s %-22s %-5s %6.2fs %s" % (client, case, status, time.time() - t0, detail), flush=True)


for case, size, k in cases:
    body = b'{"model":"claude-sonnet-4.5","max_tokens":16,"messages":[{"role":"user","content":"' + \
        b"x" * (size - 100) + b'"}]}'
    t0 = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/v1/messages", body=body,
                  headers={"x-api-key": k, "content-type": "application/json"})
        r = c.getresponse()
        report("python-http.client", case, r.status, t0, r.read()[:60].decode("utf-8", "replace"))
    except Exception as e:  # the failure mode being measured
        report("python-http.client", case, "ERR", t0, "%s: %s" % (type(e).__name__, e))
    t0 = time.time()
    try:
        rq = urllib.request.Request("http://127.0.0.1:%d/v1/messages" % port, data=body,
                                    headers={"x-api-key": k, "content-type": "application/json"})
        with urllib.request.urlopen(rq, timeout=60) as r:
            report("python-urllib", case, r.status, t0, "")
    except urllib.error.HTTPError as e:
        report("python-urllib", case, e.code, t0, e.read()[:60].decode("utf-8", "replace"))
    except Exception as e:
        report("python-urllib", case, "ERR", t0, "%s: %s" % (type(e).__name__, e))
