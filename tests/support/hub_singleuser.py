"""A learner's single-user server for the hub test: the spawner's environment, and a kernel inside it.

JupyterHub's SimpleLocalProcessSpawner starts this in place of ``jupyterhub-singleuser``
with the same environment (``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_SERVICE_URL``,
``JUPYTERHUB_PUBLIC_HUB_URL`` …).
It listens where the hub told it to and answers the hub's health check. A ``POST``
to ``<prefix>peerkit-kernel`` with a list of HTTP steps starts a "kernel": a child
Python process that inherits this environment, as a real kernel does, and performs
the steps with the kernel's own hub token, exactly as learner code would
(``Authorization: token $JUPYTERHUB_API_TOKEN`` to the service that
:func:`peerkit.client.address.server_address` finds in the hub). Its answers
come back as JSON. Test-only: it listens on 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

KERNEL = r'''
import json, os, sys, urllib.error, urllib.request

from peerkit.client.address import server_address

# found as pk.join_cohort() finds it: from the hub's public URL, never typed
address = server_address(None)
assert address is not None and address.via_hub, address
server = address.url.rstrip("/")
hub_token = os.environ["JUPYTERHUB_API_TOKEN"]
saved = {}
results = []
for step in json.load(sys.stdin):
    path = step["path"].format(**saved)
    body = step.get("body")
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace("{join_code}", saved.get("join_code", "")))
    base = os.environ["JUPYTERHUB_API_URL"].rstrip("/") if step.get("hub_api") else server
    request = urllib.request.Request(base + path, method=step.get("method", "GET"),
                                     data=None if body is None else json.dumps(body).encode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    auth = step.get("auth", "hub")
    if auth == "hub":
        request.add_header("Authorization", "token " + hub_token)
    elif auth == "learner":
        request.add_header("Authorization", "Bearer " + saved["token"])
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        answer = json.loads(raw) if raw.strip() else None
    except ValueError:
        answer = raw.decode(errors="replace")[:500]
    for key in step.get("save", []):
        if isinstance(answer, dict) and key in answer:
            saved[key] = answer[key]
    results.append({"status": status, "body": answer})
json.dump(results, sys.stdout)
'''


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the hub's log is enough
        pass

    def _reply(self, status: int, body: object) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:  # the hub's "is it up" check, and anything else
        self._reply(200, {"user": os.environ.get("JUPYTERHUB_USER")})

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/peerkit-kernel"):
            self._reply(404, {"error": "not here"})
            return
        steps = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        kernel = subprocess.run([sys.executable, "-c", KERNEL], input=steps, capture_output=True, timeout=60,
                                env=dict(os.environ))
        if kernel.returncode:
            self._reply(500, {"error": kernel.stderr.decode(errors="replace")[-2000:]})
        else:
            self._reply(200, json.loads(kernel.stdout))


def main() -> None:
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    server = ThreadingHTTPServer(("127.0.0.1", url.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
