"""How one ``peerkit serve`` is set up: where its store is, its secret, its address, its privacy threshold.

Every worker process builds the same :class:`ServerSettings` from the environment
(:meth:`ServerSettings.from_env`), so ``peerkit serve --workers 4`` passes its
options to the workers as ``PEERKIT_SERVER_*`` variables, and a test or a hub can
start ``python -m uvicorn --factory peerkit.server.app:app_from_env`` the same way.

With no configuration at all the store is an SQLite file under
``$PEERKIT_HOME/server/`` and the secret key sits beside it in a file only its
owner can read, made on the first start.

>>> settings = ServerSettings(folder=tmp_path)                     # doctest: +SKIP
>>> settings.db_url.startswith("sqlite:///")                       # doctest: +SKIP
True
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import peerkit_home
from ..privacy import MIN_GROUP_SIZE

#: Environment variables read by :meth:`ServerSettings.from_env` (and written by ``peerkit serve``).
ENV_DB = "PEERKIT_SERVER_DB"
ENV_FOLDER = "PEERKIT_SERVER_FOLDER"
ENV_PUBLIC_URL = "PEERKIT_SERVER_PUBLIC_URL"
ENV_MIN_GROUP_SIZE = "PEERKIT_SERVER_MIN_GROUP_SIZE"
ENV_RETENTION_DAYS = "PEERKIT_SERVER_RETENTION_DAYS"
ENV_HUB = "PEERKIT_SERVER_HUB"
ENV_JOIN_FAILURES = "PEERKIT_SERVER_JOIN_FAILURES"
ENV_JOINS_PER_COHORT = "PEERKIT_SERVER_JOINS_PER_COHORT"
ENV_SQLITE_MAX_PAGES = "PEERKIT_SERVER_SQLITE_MAX_PAGES"
ENV_JOINS_PER_CLIENT = "PEERKIT_SERVER_JOINS_PER_CLIENT"
ENV_LEARNER_WRITES = "PEERKIT_SERVER_LEARNER_WRITES_PER_SECOND"
ENV_LEARNER_BURST = "PEERKIT_SERVER_LEARNER_WRITE_BURST"
ENV_HUB_RECHECK = "PEERKIT_SERVER_HUB_RECHECK_SECONDS"
ENV_EVENT_STREAMS = "PEERKIT_SERVER_EVENT_STREAMS"
ENV_EVENTS_RECHECK = "PEERKIT_SERVER_EVENTS_RECHECK_SECONDS"

SECRET_FILENAME = "secret.key"
DB_FILENAME = "cohorts.sqlite"


def default_folder() -> Path:
    """``$PEERKIT_HOME/server``: the embedded store and the secret key."""
    return peerkit_home() / "server"


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class ServerSettings:
    """Everything one server needs; every field has a working default."""

    folder: Path = field(default_factory=default_folder)
    #: SQLAlchemy URL of the cohort store; default: ``sqlite:///<folder>/cohorts.sqlite``.
    db_url: str = ""
    #: The address learners type (printed, put on the projector); default: the address it listens on.
    public_url: str = ""
    #: Default privacy threshold of a new cohort (a trainer may raise it per cohort, never lower it below 1).
    min_group_size: int = MIN_GROUP_SIZE
    #: Days a closed cohort is kept before it is deleted with all its data.
    retention_days: int = 30
    #: Run as a JupyterHub service: also accept hub tokens (see ``peerkit.server.hub``).
    hub: bool = False
    #: Wrong join codes one client address may try in :attr:`join_window_seconds` before a 429.
    join_failures_per_client: int = 10
    #: Joins (right code or wrong) one client may make in :attr:`join_window_seconds`: a classroom's worth
    #: from one address, counted before the cohort's brake so one client's flood never locks the others
    #: out. A class behind one NAT address needs about twice its size (``PEERKIT_SERVER_JOINS_PER_CLIENT``).
    #: On a hub the client is the hub user, not the address.
    joins_per_client: int = 60
    #: Joins one cohort accepts in :attr:`join_window_seconds` (a brake on scripted fake members). A lecture
    #: hall of 5,000 joins inside 5 minutes; the per-client brakes still hold each address back.
    joins_per_cohort: int = 6000
    join_window_seconds: int = 600
    #: SQLite only: the most pages (4 KiB each) the store may grow to, 0 for no limit. A store at its limit
    #: refuses new answers as a full disk does (SQLITE_FULL): a way to keep a shared disk from filling.
    sqlite_max_pages: int = 0
    #: A learner's writes (answers, poll answers, wall posts, withdrawals): this many a second on average ...
    learner_writes_per_second: float = 10.0
    #: ... and this many at once.
    learner_write_burst: int = 40
    #: Most items one learner may make in one exercise of learner-made items (goals).
    max_learner_items: int = 50
    #: Most event streams one trainer session (or token) may hold open in one worker.
    event_streams_per_session: int = 6
    #: Seconds an event stream waits before it re-reads the cohort's revision without being told of a change
    #: (and sends a keep-alive); 0: the backend's own (:data:`peerkit.server.revisions.SQLITE_POLL_SECONDS`,
    #: :data:`~peerkit.server.revisions.POSTGRESQL_POLL_SECONDS`). A test sets it to an hour, so a change can
    #: only reach a stream by the push it checks.
    events_recheck_seconds: float = 0.0
    #: On a hub, seconds between two checks of a hub trainer's browser session against the hub's groups.
    hub_recheck_seconds: int = 60
    #: Largest body read before the caller is known to hold a working token (a join is far smaller).
    max_anonymous_body_bytes: int = 64 * 1024
    #: Seconds a request's body may take to arrive.
    body_seconds: float = 30.0
    #: Largest request body we read, in bytes (a batch of answers, an uploaded hand-in file).
    max_body_bytes: int = 2 * 1024 * 1024
    #: ... and for an upload of hand-in files (each file is at most 1 MB).
    max_upload_bytes: int = 32 * 1024 * 1024
    #: Most answers in one ``POST /api/v1/me/answers``.
    max_batch: int = 500
    #: Seconds between two sweeps for closed cohorts past their retention.
    retention_sweep_seconds: int = 3600

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        if not self.db_url:
            self.db_url = f"sqlite:///{self.folder / DB_FILENAME}"
        if self.min_group_size < 1:
            raise ValueError(f"min_group_size must be at least 1, not {self.min_group_size}.")
        if self.retention_days < 0:
            raise ValueError(f"retention_days cannot be negative ({self.retention_days}).")

    @classmethod
    def from_env(cls) -> "ServerSettings":
        """Settings from ``PEERKIT_SERVER_*`` variables, defaults for the rest."""
        env = os.environ
        options: dict[str, object] = {}
        if env.get(ENV_FOLDER, "").strip():
            options["folder"] = Path(env[ENV_FOLDER]).expanduser()
        if env.get(ENV_DB, "").strip():
            options["db_url"] = env[ENV_DB].strip()
        if env.get(ENV_PUBLIC_URL, "").strip():
            options["public_url"] = env[ENV_PUBLIC_URL].strip()
        whole, number = (int, "a whole number"), (float, "a number")
        for name, key, (kind, words) in (
                (ENV_MIN_GROUP_SIZE, "min_group_size", whole), (ENV_RETENTION_DAYS, "retention_days", whole),
                (ENV_JOIN_FAILURES, "join_failures_per_client", whole),
                (ENV_JOINS_PER_COHORT, "joins_per_cohort", whole), (ENV_SQLITE_MAX_PAGES, "sqlite_max_pages", whole),
                (ENV_JOINS_PER_CLIENT, "joins_per_client", whole), (ENV_LEARNER_BURST, "learner_write_burst", whole),
                (ENV_HUB_RECHECK, "hub_recheck_seconds", whole), (ENV_EVENT_STREAMS, "event_streams_per_session", whole),
                (ENV_LEARNER_WRITES, "learner_writes_per_second", number),
                (ENV_EVENTS_RECHECK, "events_recheck_seconds", number)):
            if env.get(name, "").strip():
                try:
                    options[key] = kind(env[name])
                except ValueError:
                    raise ValueError(f"{name} must be {words}, not {env[name]!r}.") from None
        options["hub"] = _truthy(env.get(ENV_HUB))
        return cls(**options)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The variables that make :meth:`from_env` in a worker build these same settings."""
        return {
            ENV_FOLDER: str(self.folder),
            ENV_DB: self.db_url,
            ENV_PUBLIC_URL: self.public_url,
            ENV_MIN_GROUP_SIZE: str(self.min_group_size),
            ENV_RETENTION_DAYS: str(self.retention_days),
            ENV_HUB: "1" if self.hub else "",
            ENV_JOIN_FAILURES: str(self.join_failures_per_client),
            ENV_JOINS_PER_COHORT: str(self.joins_per_cohort),
            ENV_SQLITE_MAX_PAGES: str(self.sqlite_max_pages),
            ENV_JOINS_PER_CLIENT: str(self.joins_per_client),
            ENV_LEARNER_WRITES: str(self.learner_writes_per_second),
            ENV_LEARNER_BURST: str(self.learner_write_burst),
            ENV_HUB_RECHECK: str(self.hub_recheck_seconds),
            ENV_EVENT_STREAMS: str(self.event_streams_per_session),
            ENV_EVENTS_RECHECK: str(self.events_recheck_seconds),
        }

    @property
    def secret_path(self) -> Path:
        return self.folder / SECRET_FILENAME

    def secret_key(self) -> bytes:
        """The server's secret (32 random bytes), made on first use in a file only its owner can read.

        It keys the join-code lookup (an HMAC of the code): lose it and the join codes
        stop working (rotate them); the answers are not encrypted with it.
        """
        path = self.secret_path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            # O_EXCL: when several workers start at once exactly one writes the key, the others read it
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        text = ""
        for _ in range(50):  # another worker may be between open and write
            text = path.read_text().strip()
            if text:
                break
            import time

            time.sleep(0.02)
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 32:
            raise RuntimeError(f"The server's secret key file {path} is damaged (it should hold 64 hex digits). "
                               "Move it away and start again: a new key is made, and every cohort needs a new "
                               "join code.")
        return key
