"""A throwaway PostgreSQL server for the cohort tests: initdb + pg_ctl in a temp folder, loopback only.

PostgreSQL refuses to run as root, so when the tests run as root (a CI container)
the cluster belongs to the ``postgres`` system user (``runuser``) and its folder is
handed to that user. ``PEERKIT_TEST_PG_URL`` (an admin URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) uses an existing server
instead; each test still gets its own database.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ENV_URL = "PEERKIT_TEST_PG_URL"
ENV_BIN = "PEERKIT_PG_BIN"


def find_bindir() -> Path | None:
    """Folder holding initdb and pg_ctl: $PEERKIT_PG_BIN, Debian's newest /usr/lib/postgresql/*/bin, or PATH."""
    configured = os.environ.get(ENV_BIN)
    if configured and (Path(configured) / "initdb").exists():
        return Path(configured)
    candidates = glob.glob("/usr/lib/postgresql/*/bin/postgres")
    if candidates:
        newest = max(candidates, key=lambda p: int(re.search(r"/(\d+)/bin", p).group(1)))
        return Path(newest).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def required_bindir() -> Path:
    """:func:`find_bindir`, for a test that needs a PostgreSQL server of its own: without PostgreSQL the
    test skips on a developer's machine and FAILS in CI (``CI=true``), where it must run."""
    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL is not installed (no initdb/pg_ctl), so the PostgreSQL tests cannot run."
        if in_ci():
            pytest.fail(reason + " In CI this is a failure, not a skip.", pytrace=False)
        pytest.skip(reason)
    return bindir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Start with :meth:`start`, stop with :meth:`stop`; :meth:`new_database` gives each test a clean database."""

    def __init__(self, bindir: Path | None = None, admin_url: str | None = None) -> None:
        self.bindir = bindir
        self.admin_url = admin_url
        self.root: Path | None = None
        self.port: int | None = None
        self._owner = "postgres" if os.geteuid() == 0 else None

    # -- lifecycle ----------------------------------------------------------------------
    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._owner:
            command = ["runuser", "-u", self._owner, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = ""
            if self.root and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n"
                               f"{result.stderr}\n{log}")
        return result

    def start(self) -> "PostgresServer":
        if self.admin_url:
            return self
        assert self.bindir is not None
        self.root = Path(tempfile.mkdtemp(prefix="peerkit-pg-"))
        if self._owner:
            user = pwd.getpwnam(self._owner)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "peerkit", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        self.port = free_port()
        self._options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                         "-c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", self._options, "start")
        self.admin_url = f"postgresql+psycopg://peerkit@127.0.0.1:{self.port}/postgres"
        return self

    def restart(self) -> None:
        """Stop (fast: every connection is cut, in-flight transactions roll back) and start again, same port."""
        assert self.root is not None, "only a server this object started can be restarted"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"), "-m", "fast",
                  "-w", "-t", "60", "-o", self._options, "restart")

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # -- databases ----------------------------------------------------------------------
    def _admin(self, sql: str) -> None:
        import psycopg
        import sqlalchemy as sa

        url = sa.engine.make_url(self.admin_url)
        with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                             dbname=url.database, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def url_for(self, database: str) -> str:
        import sqlalchemy as sa

        return sa.engine.make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def new_database(self) -> str:
        name = "peerkit_test_" + uuid.uuid4().hex[:12]
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def allow_connections(self, name: str, allowed: bool) -> None:
        """Take one database off line (and back): new connections fail as if the server were down."""
        self._admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                        "AND pid <> pg_backend_pid()")
