"""``peerkit serve`` and ``peerkit trainer add / list / revoke / sign-in``: start the cohort server, manage
trainer tokens and sign-ins.

``peerkit serve`` with no options keeps its store in ``$PEERKIT_HOME/server/`` and
listens on 127.0.0.1:8765. On the first start it makes a trainer token and prints
it; whenever the store has one trainer it prints a fresh sign-in link (a single-use
code for ten minutes, in the link's fragment), the address learners use and that
address as a QR code. ``--forwarded-allow-ips`` names the reverse proxies whose
``X-Forwarded-For`` is believed (none by default: serving directly).
``--host 0.0.0.0`` lets learners on the same network in; ``--db
postgresql+psycopg://…`` with ``--workers N`` runs several stateless workers on
one address.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from typing import TextIO
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Test-only: the server stops by itself when the process with this id is gone.
WATCH_PID_ENV = "PEERKIT_SERVE_WATCH_PID"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the ``serve`` and ``trainer`` subcommands to the ``peerkit`` command line."""
    serve = commands.add_parser(
        "serve", help="run the cohort server (learners join live; the projector page)",
        description="Run the cohort server: the only owner of the cohort store. Learners join with a code; "
                    "trainers manage their cohorts with a token.")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for learners on the network)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--db", help="cohort store URL (default sqlite under $PEERKIT_HOME/server; "
                                    "postgresql+psycopg://user:password@host/db for several workers)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--public-url", help="the address learners type, if not http://HOST:PORT/ "
                                            "(behind a reverse proxy: https://peerkit.example.org/)")
    serve.add_argument("--retention-days", type=int, help="days a closed cohort is kept (default 30)")
    serve.add_argument("--forwarded-allow-ips", default="",
                       help="addresses of the reverse proxy in front, whose X-Forwarded-For is believed "
                            "(comma-separated; default none: serving directly). Behind nginx or Caddy on the same "
                            "machine: 127.0.0.1")

    trainer = commands.add_parser("trainer", help="manage trainer tokens and sign-ins of the cohort server",
                                  description="Make, list and revoke trainer tokens and browser sign-ins.")
    actions = trainer.add_subparsers(dest="trainer_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a trainer and print their token and sign-in link")
    add.add_argument("name", help="the trainer's name (seen only by them and the server's owner)")
    add.add_argument("--days", type=int, default=90, help="days the token works (default 90)")
    listing = actions.add_parser("list", help="list trainers' tokens and browser sign-ins (ids for revoke)")
    gone = actions.add_parser("revoke", help="end a token or sign-in by its id, or everything of one trainer")
    gone.add_argument("id", help="a 12-digit id from `peerkit trainer list`, or a trainer id")
    link = actions.add_parser("sign-in", help="print a fresh sign-in link (one use, ten minutes)")
    link.add_argument("trainer", nargs="?", help="the trainer id (from `peerkit trainer list`; needed when "
                                                 "there are several trainers)")
    for parser in (add, listing, gone, link):
        parser.add_argument("--db", help="cohort store URL (default: the embedded store of `peerkit serve`)")
        parser.add_argument("--public-url", help="the server's address, for the sign-in link "
                                                 f"(default http://{DEFAULT_HOST}:{DEFAULT_PORT}/)")


def _settings(args: argparse.Namespace):  # -> ServerSettings
    from .settings import ServerSettings

    settings = ServerSettings.from_env()
    if getattr(args, "db", None):
        settings.db_url = args.db
    if getattr(args, "public_url", None):
        settings.public_url = args.public_url
    if getattr(args, "retention_days", None) is not None:
        settings.retention_days = args.retention_days
    return settings


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), or 127.0.0.1."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def public_url(host: str, port: int, configured: str = "") -> str:
    if configured:
        return configured.rstrip("/") + "/"
    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def reach_words(host: str, port: int, address: str) -> str:
    """Who can reach the server, in words: only this computer (and how to let the room in), or the network.

    >>> print(reach_words("127.0.0.1", 8765, "http://127.0.0.1:8765/"))
    Only this computer can open that address: phones and other computers in the room cannot.
    To let the room in, start again with: peerkit serve --host 0.0.0.0 (the address and QR code then show this computer's address on the network).
    >>> print(reach_words("0.0.0.0", 8765, "http://192.168.1.20:8765/"))
    Devices on the same network can open http://192.168.1.20:8765/ (the projector shows it, with its QR code). Check that the room's network lets devices reach each other.
    """
    loopback = urlsplit(address).hostname in ("localhost", "::1") or (urlsplit(address).hostname or "").startswith("127.")
    if loopback and host in ("0.0.0.0", "::", ""):
        return ("No network address was found for this computer, so only this computer can open that address.\n"
                "Join the room's network, or give the address learners should type with --public-url.")
    if loopback:
        return ("Only this computer can open that address: phones and other computers in the room cannot.\n"
                "To let the room in, start again with: peerkit serve --host 0.0.0.0 (the address and QR code then "
                "show this computer's address on the network).")
    if host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."):
        return f"Learners reach it through {address} (the address given with --public-url)."
    return (f"Devices on the same network can open {address} (the projector shows it, with its QR code). "
            "Check that the room's network lets devices reach each other.")


def sign_in_link(base: str, code: str) -> str:
    """The sign-in link of a single-use code: the code rides in the fragment, which no server or log sees."""
    return f"{base.rstrip('/')}/sign-in#code={code}"


def fresh_sign_in_code(engine, trainer_id: str | None = None) -> str | None:
    """A sign-in code for ``trainer_id`` (or for the only trainer); ``None`` when there is no such one trainer."""
    import sqlalchemy as sa

    from . import db
    from .browser_sessions import new_sign_in_code

    def work(conn: sa.Connection) -> str | None:
        query = sa.select(db.trainers.c.id)
        if trainer_id:
            query = query.where(db.trainers.c.id == trainer_id)
        ids = [row.id for row in conn.execute(query.limit(2))]
        return new_sign_in_code(conn, ids[0]) if len(ids) == 1 else None

    return db.write(engine, work)


def _qr(text: str) -> str:
    try:
        import segno
    except ImportError:  # pragma: no cover - segno is a dependency
        return ""
    import io

    buffer = io.StringIO()
    segno.make(text, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def _open_store(settings):  # -> sa.Engine
    from . import db

    engine = db.make_engine(settings.db_url)
    db.migrate(engine)
    return engine


def first_trainer_token(engine) -> str | None:
    """A token for a first trainer, made only when the store has no trainer yet."""
    import sqlalchemy as sa

    from . import db
    from .tokens import new_trainer

    def work(conn: sa.Connection) -> str | None:
        if conn.execute(sa.select(db.trainers.c.id).limit(1)).first():
            return None
        return new_trainer(conn, "first trainer")[1]

    return db.write(engine, work)


def _watch_parent(pid: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True, name="peerkit-watch-parent").start()


def serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import uvicorn

    settings = _settings(args)
    if args.workers < 1:
        print("peerkit serve: --workers must be at least 1.", file=stderr)
        return 2
    settings.public_url = public_url(args.host, args.port, settings.public_url)
    try:
        engine = _open_store(settings)
        settings.secret_key()
        token = first_trainer_token(engine)
        code = fresh_sign_in_code(engine)
    except Exception as error:  # the store cannot be opened: say so in words, not a traceback
        print(f"peerkit serve: cannot open the cohort store {_safe(settings.db_url)}: {error}", file=stderr)
        return 1
    engine.dispose()
    print(f"peerkit cohort server: store {_safe(settings.db_url)}", file=stdout)
    print(f"Learners join at {settings.public_url} (with the join code of their cohort)", file=stdout)
    print(reach_words(args.host, args.port, settings.public_url), file=stdout)
    qr = _qr(settings.public_url)
    if qr:
        print(qr, file=stdout)
    if token:
        print("First start: a trainer token was made (for the trainer's notebook; it works 90 days). Keep it "
              "secret; it is shown only now.", file=stdout)
        print(f"Trainer token: {token}", file=stdout)
        print("More trainers: peerkit trainer add NAME", file=stdout)
    if code:
        print(f"Trainer sign-in link (works once, for ten minutes): {sign_in_link(settings.public_url, code)}",
              file=stdout)
    print("A new sign-in link: peerkit trainer sign-in", file=stdout)
    stdout.flush()
    os.environ.update(settings.to_env())
    watched = os.environ.get(WATCH_PID_ENV, "").strip()
    if watched.isdigit():
        _watch_parent(int(watched))
    from .serving import uvicorn_options

    uvicorn.run("peerkit.server.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning", timeout_graceful_shutdown=5,
                **uvicorn_options(args.forwarded_allow_ips))
    return 0


def _safe(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(an address that cannot be read)"


def trainer(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import db
    from .tokens import new_trainer

    settings = _settings(args)
    action = args.trainer_command
    try:
        engine = _open_store(settings)
        if action == "add":
            _trainer_id, token = db.write(engine, lambda conn: new_trainer(conn, args.name, days=args.days))
            code = fresh_sign_in_code(engine, _trainer_id)
        elif action == "list":
            return _list(engine, stdout)
        elif action == "revoke":
            return _revoke(engine, args.id, stdout, stderr)
        else:
            code = fresh_sign_in_code(engine, args.trainer)
            if code is None:
                print("peerkit trainer sign-in: name the trainer (several are listed by `peerkit trainer list`)"
                      if not args.trainer else f"peerkit trainer sign-in: no trainer {args.trainer!r}.", file=stderr)
                return 1
    except ValueError as error:
        print(f"peerkit trainer {action}: {error}", file=stderr)
        return 1
    except Exception as error:
        print(f"peerkit trainer {action}: cannot open the cohort store {_safe(settings.db_url)}: {error}",
              file=stderr)
        return 1
    finally:
        if "engine" in locals():
            engine.dispose()
    base = public_url(DEFAULT_HOST, DEFAULT_PORT, settings.public_url)
    if action == "add":
        print(f"Trainer {args.name!r} added. Keep this token secret; it is shown only now (it works "
              f"{args.days} days).", file=stdout)
        print(f"Trainer token: {token}", file=stdout)
    print(f"Trainer sign-in link (works once, for ten minutes): {sign_in_link(base, code)}", file=stdout)
    return 0


def _list(engine, stdout: TextIO) -> int:
    from . import db
    from .browser_sessions import sessions_of, tokens_of

    with db.reading(engine) as conn:
        tokens, sessions = tokens_of(conn), sessions_of(conn)
    print("Tokens (id, trainer, name, made, ends):", file=stdout)
    for row in tokens:
        ends = "expired" if row["expired"] else (time.strftime("%Y-%m-%d", time.gmtime(row["expires"]))
                                                 if row["expires"] else "never")
        print(f"  {row['id']}  {row['trainer']}  {row['name']}  {row['created_at'][:10]}  {ends}", file=stdout)
    print("Browser sign-ins (id, trainer, made, last used, ends, browser):", file=stdout)
    for row in sessions:
        used = time.strftime("%Y-%m-%d %H:%M", time.gmtime(row["last_seen"]))
        ends = time.strftime("%Y-%m-%d %H:%M", time.gmtime(row["expires"]))
        print(f"  {row['id']}  {row['trainer']}  {row['created_at'][:16]}  {used}  {ends}  "
              f"{(row['browser'] or '')[:40]}", file=stdout)
    if not sessions:
        print("  (none)", file=stdout)
    return 0


def _revoke(engine, short_id: str, stdout: TextIO, stderr: TextIO) -> int:
    from . import db
    from .browser_sessions import revoke

    ended = db.write(engine, lambda conn: revoke(conn, short_id))
    if not ended:
        print(f"peerkit trainer revoke: nothing has the id {short_id!r} (see `peerkit trainer list`).", file=stderr)
        return 1
    print(f"Ended {ended} token(s) or sign-in(s); they stop working at once.", file=stdout)
    return 0


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``serve`` or ``trainer`` (called by :func:`peerkit.cli.main`)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if args.command == "serve":
        return serve(args, stdout, stderr)
    return trainer(args, stdout, stderr)
