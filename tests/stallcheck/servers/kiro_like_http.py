"""kiro_like_http.py: the HTTP part shared by the two Python test servers.

A ThreadingHTTPServer with the Kiro proxy's routes (/health, /v1/models, /v1/messages,
/api/admin/user-credentials). Every request is logged through the `logging` module, and a large
request body is logged in full, like a proxy with request logging on. Which logging setup is used
(blocking StreamHandler, or a bounded queue) is the only difference between the two servers.
Nothing here writes to stderr directly: the request log and server errors go through `logging`.
"""
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = logging.getLogger("kiro-like")
LARGE_BODY = 4096


class Handler(BaseHTTPRequestHandler):
    server_version = "kiro-like/1.0"

    def log_message(self, fmt, *args):
        # BaseHTTPRequestHandler writes to sys.stderr itself; route it through logging.
        LOG.info("access %s %s", self.address_string(), fmt % args)

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        LOG.info("GET %s headers=%s", self.path, dict(self.headers))
        if self.path == "/health":
            self._reply(200, {"status": "ok"})
        elif self.path == "/v1/models":
            self._reply(200, {"object": "list", "data": [{"id": "claude-sonnet-4.5"}]})
        elif self.path == "/api/admin/user-credentials":
            self._reply(200, {"credentials": []})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) > LARGE_BODY:
            LOG.info("POST %s large body (%d bytes): %s", self.path, len(body),
                     body.decode("utf-8", "replace"))
        else:
            LOG.info("POST %s body=%d bytes", self.path, len(body))
        if self.path == "/v1/messages":
            self._reply(200, {"id": "msg_test", "type": "message", "role": "assistant",
                              "content": [{"type": "text", "text": "ok"}]})
        else:
            self._reply(404, {"error": "not found"})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # socketserver prints tracebacks to sys.stderr directly; keep them in the log path.
        LOG.warning("request from %s failed", client_address, exc_info=True)


def serve(port):
    server = Server(("127.0.0.1", port), Handler)
    LOG.info("listening on 127.0.0.1:%d", port)
    server.serve_forever()
