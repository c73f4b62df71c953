"""Fixtures of the Python SDK suite: the test plugins built by ctests (EXTISM_TEST_PLUGINS, default
ctests/build/plugins) and a local HTTP server."""
import http.server
import os
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGINS = os.environ.get(
    "EXTISM_TEST_PLUGINS", os.path.join(HERE, "..", "..", "..", "ctests", "build", "plugins")
)


@pytest.fixture(scope="session")
def wasm():
    """wasm("name") -> path of a built test plugin."""

    def path(name):
        p = os.path.join(PLUGINS, name + ".wasm")
        assert os.path.exists(p), f"{p} missing: run make -C ctests plugins"
        return p

    return path


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = {"/ok": b"ok body", "/404": b"not found body"}.get(self.path, b"?")
        self.send_response(404 if self.path == "/404" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Test", "yes")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def http_base():
    """http://127.0.0.1:<port>: /ok answers 200 "ok body", /404 404 "not found body"."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
