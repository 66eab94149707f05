"""A real JupyterHub on loopback for the hub-service tests.

The hub runs with the DummyAuthenticator and the SimpleLocalProcessSpawner, in a
temporary folder, on free ports, with configurable-http-proxy from ``node_modules``
(``npm ci`` installs it) and jupyterhub from the ``hub`` extra
(the test extra: ``make setup``). The hub manages a service named
``peerkit`` with the configuration ``docs/jupyterhub.md`` gives admins (read from
that page, so the documented snippet is what is tested).

A learner's single-user server is ``hub_singleuser.py``: a process the spawner
starts with exactly the environment it gives a real single-user server
(``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_PUBLIC_HUB_URL`` …). On request it runs a
"kernel" (a child Python process inheriting that environment) that finds the
peerkit service as ``pk.join_cohort()`` does (:mod:`peerkit.client.address`) and
talks to it through the hub's proxy, and returns what the kernel saw.

``real_hub`` spawns the real ``jupyterhub-singleuser`` instead (with ``--allow-root`` when run as root, as the
docs say), and :meth:`Hub.execute` runs code in a real kernel of it through the Jupyter Server REST API and the
kernel's websocket, as JupyterLab does.

Without jupyterhub or the proxy the tests skip on a developer's machine and fail in CI.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
DOC = REPO / "docs" / "jupyterhub.md"
ADMIN_TOKEN = "peerkit-hub-test-admin-token-" + os.urandom(8).hex()


def _missing(what: str) -> None:
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is missing; in CI the hub test must run (.ci/run installs it).", pytrace=False)
    pytest.skip(f"{what} is missing (hub tests skipped on this machine)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def documented_config() -> str:
    """The ```python block of docs/jupyterhub.md marked ``# peerkit hub config``: what admins copy."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(# peerkit hub config.*?)```", text, flags=re.S)
    assert blocks, f"{DOC} has no ```python block starting '# peerkit hub config'"
    return blocks[0]


@dataclass
class Hub:
    url: str                    # the public address (the proxy)
    api: str                    # the hub's REST API, through the proxy
    folder: Path
    log: Path
    process: subprocess.Popen

    def request(self, method: str, path: str, body: Any = None, token: str = ADMIN_TOKEN,
                base: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request((base or self.api) + path, data=data, method=method)
        request.add_header("Authorization", f"token {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw.strip() else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def add_user(self, name: str, *, start: bool = True) -> None:
        status, body = self.request("POST", f"/users/{name}")
        assert status in (201, 409), (status, body)
        if start:
            self.start_server(name)

    def start_server(self, name: str, timeout: float = 60) -> None:
        status, body = self.request("POST", f"/users/{name}/server")
        assert status in (201, 202, 400), (status, body, self.log_tail())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, model = self.request("GET", f"/users/{name}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.3)
        raise AssertionError(f"{name}'s server did not start within {timeout} s\n{self.log_tail()}")

    def run_kernel(self, user: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run ``steps`` (HTTP calls) in a kernel of ``user``'s single-user server; what it saw, step by step."""
        request = urllib.request.Request(f"{self.url}/user/{user}/peerkit-kernel", method="POST",
                                         data=json.dumps(steps).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


    def user_token(self, user: str) -> str:
        """A hub API token of ``user`` (what their browser session holds), made with the admin's token."""
        status, body = self.request("POST", f"/users/{user}/tokens", {"note": "peerkit hub test", "expires_in": 900})
        assert status in (200, 201), (status, body)
        return body["token"]

    def execute(self, user: str, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a new REAL kernel of ``user``'s ``jupyterhub-singleuser`` server (the Jupyter Server
        REST API and its kernel websocket, through the hub's proxy, as JupyterLab does); what it printed.
        An exception in the kernel fails the test with its traceback."""
        import asyncio
        import uuid

        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        token = self.user_token(user)
        status, kernel = self.request("POST", "/kernels", {"name": "python3"}, token=token,
                                      base=f"{self.url}/user/{user}/api")
        assert status == 201, (status, kernel, self.log_tail())

        async def run() -> str:
            url = f"ws{self.url[4:]}/user/{user}/api/kernels/{kernel['id']}/channels"
            socket_ = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"},
                                                          connect_timeout=30))
            msg_id = uuid.uuid4().hex
            socket_.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user, "session": msg_id,
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            printed, failure, idle, replied = [], None, False, False
            while not (idle and replied):
                raw = await asyncio.wait_for(socket_.read_message(), timeout)
                assert raw is not None, "the kernel's websocket closed"
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["header"]["msg_type"], message["content"]
                if kind == "stream":
                    printed.append(content["text"])
                elif kind == "error":
                    failure = "\n".join(content.get("traceback", [])) or content.get("evalue")
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif kind == "execute_reply":
                    replied = True
            socket_.close()
            assert failure is None, re.sub(r"\x1b\[[0-9;]*m", "", failure or "")
            return "".join(printed)

        try:
            return asyncio.run(run())
        finally:
            self.request("DELETE", f"/kernels/{kernel['id']}", token=token, base=f"{self.url}/user/{user}/api")


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60, *, need_ok: bool = False) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub exited ({process.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code < 500 and not need_ok:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the hub did not answer at {url} within {timeout} s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the hub, its proxy, the service and the spawned servers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A hub whose single-user servers are ``hub_singleuser.py`` (quick: a "kernel" is a child process)."""
    yield from _run_hub(tmp_path_factory, [sys.executable, str(HERE / "hub_singleuser.py")])


@pytest.fixture(scope="module")
def real_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A hub that spawns REAL ``jupyterhub-singleuser`` servers (Jupyter Server, real ipykernel kernels)."""
    singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
    if not singleuser.exists():
        _missing(f"jupyterhub-singleuser ({singleuser})")
    yield from _run_hub(tmp_path_factory, [str(singleuser)])


def _run_hub(tmp_path_factory: pytest.TempPathFactory, spawner_cmd: list[str]) -> Iterator[Hub]:
    if importlib.util.find_spec("jupyterhub") is None:
        _missing("jupyterhub (make setup installs the test extra)")
    if not PROXY.exists():
        _missing(f"configurable-http-proxy ({PROXY.relative_to(REPO)}; run npm ci)")
    folder = tmp_path_factory.mktemp("hub")
    public, hub_port, proxy_api, service_port = (free_port() for _ in range(4))
    home = folder / "peerkit-home"
    config = folder / "jupyterhub_config.py"
    public_url = f"http://127.0.0.1:{public}"
    bin_dir = Path(sys.executable).parent
    config.write_text(
        "import sys\n"
        f"c.JupyterHub.ip = '127.0.0.1'\nc.JupyterHub.port = {public}\n"
        f"c.JupyterHub.hub_ip = '127.0.0.1'\nc.JupyterHub.hub_port = {hub_port}\n"
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{proxy_api}'\n"
        f"c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]\n"
        f"c.JupyterHub.db_url = 'sqlite:///{folder}/hub.sqlite'\n"
        f"c.JupyterHub.cookie_secret_file = {str(folder / 'cookie_secret')!r}\n"
        f"c.JupyterHub.pid_file = {str(folder / 'hub.pid')!r}\n"
        "c.JupyterHub.authenticator_class = 'dummy'\n"
        "c.Authenticator.allow_all = True\n"
        "c.JupyterHub.spawner_class = 'simple'\n"
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / 'home' / '{username}')!r}\n"
        f"c.Spawner.cmd = {spawner_cmd!r}\n"
        # a hub run as root (a CI container) spawns as root: Jupyter Server refuses that without --allow-root
        + ("c.Spawner.args = ['--allow-root']\n" if os.geteuid() == 0 else "") +
        "c.Spawner.http_timeout = 60\nc.Spawner.start_timeout = 60\n"
        "\n# ---- from docs/jupyterhub.md ----\n"
        + documented_config()
        + "\n# ---- the test's own additions ----\n"
        "c.JupyterHub.load_groups = {'peerkit-trainers': {'users': ['trainer']}}\n"
        # the documented service listens on the admin's chosen port; here a free one, and our PEERKIT_HOME
        f"peerkit_service['url'] = 'http://127.0.0.1:{service_port}'\n"
        f"peerkit_service.setdefault('environment', {{}}).update({{'PEERKIT_HOME': {str(home)!r}, "
        f"'PATH': {str(bin_dir)!r} + ':' + __import__('os').environ.get('PATH', ''), "
        f"'PEERKIT_SERVER_PUBLIC_URL': '{public_url}/services/peerkit/', 'PYTHONPATH': {str(REPO)!r}}})\n"
        f"c.JupyterHub.public_url = '{public_url}/'\n"
        # a token for the test to drive the hub's REST API as an admin
        "c.JupyterHub.services.append({'name': 'peerkit-test-admin', "
        f"'api_token': {ADMIN_TOKEN!r}}})\n"
        "c.JupyterHub.load_roles.append({'name': 'peerkit-test-admin', 'scopes': ['admin:users', "
        "'admin:servers', 'tokens', 'admin:groups', 'read:services', 'access:servers'], "
        "'services': ['peerkit-test-admin']})\n",
        encoding="utf-8",
    )
    log = folder / "hub.log"
    # PYTHONPATH: the hub, the service and the spawned servers import this checkout's peerkit
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}", "PEERKIT_HOME": str(home),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    with log.open("wb") as out:
        process = subprocess.Popen([str(bin_dir / "jupyterhub"), "-f", str(config)], cwd=folder, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(f"{public_url}/hub/api/", process, log)
        hub = Hub(url=public_url, api=f"{public_url}/hub/api", folder=folder, log=log, process=process)
        # the managed service is started by the hub; wait until it answers through the proxy
        _wait_for(f"{public_url}/services/peerkit/", process, log, need_ok=True)
        yield hub
    finally:
        _stop(process)
