"""The ``peerkit`` command.

``peerkit export`` writes a de-identified research export (see
:mod:`peerkit.research.export`) from a folder of learner submission files or
from a cohort store::

    peerkit export submissions/ --out export/ --key-file research.key
    peerkit export sqlite:////srv/peerkit/cohort.sqlite --cohort cohort-abcdefgh --out export/

The key (``--key-file`` or ``$PEERKIT_RESEARCH_KEY``) re-keys pseudonyms and is
never written into the export.

``peerkit serve`` runs the cohort server and ``peerkit trainer add NAME`` makes a
trainer token (see :mod:`peerkit.server.commands`). Exit status: 0 done, 1 refused (the message says
why and nothing was written), 2 wrong command line.
"""
from __future__ import annotations

import argparse
import sys
from typing import TextIO


def _parser() -> argparse.ArgumentParser:
    from .research.format import DEFAULT_MIN_CELL, TIME_RESOLUTIONS

    parser = argparse.ArgumentParser(prog="peerkit", description="peerkit: peer-support course tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser(
        "export",
        help="write a de-identified research export",
        description="Write a de-identified research export (responses CSV, counts CSV with small cells "
                    "suppressed, metadata JSON) from a folder of submission files or a cohort store URL.",
    )
    export.add_argument("source", help="a folder of submission files (*.json), or a cohort store URL "
                                       "such as sqlite:////path/cohort.sqlite")
    export.add_argument("--out", required=True, help="folder to write the export into")
    export.add_argument("--key-file", help="file holding the researcher's key (else $PEERKIT_RESEARCH_KEY)")
    export.add_argument("--cohort", action="append", help="cohort id to export from a store (repeat for several; "
                                                          "default: every cohort)")
    export.add_argument("--exercise", help="export only this exercise (cohort store only)")
    export.add_argument("--min-cell", type=int, default=DEFAULT_MIN_CELL,
                        help=f"suppress counts under this and leave out smaller cohorts (default {DEFAULT_MIN_CELL})")
    export.add_argument("--time-resolution", choices=TIME_RESOLUTIONS, default="day",
                        help="coarsen answer times to this (default day)")
    export.add_argument("--name", default="peerkit-export", help="file name stem (default peerkit-export)")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export with the same name")
    _add_server_commands(commands)
    return parser


def _add_server_commands(commands: argparse._SubParsersAction) -> None:
    """``peerkit serve`` and ``peerkit trainer add`` (see :mod:`peerkit.server.commands`)."""
    from .server.commands import add_parsers

    add_parsers(commands)


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage message
        return int(stop.code or 0)
    if args.command == "export":
        return _export(args, stdout, stderr)
    if args.command in ("serve", "trainer"):
        return _server_command(args, stdout, stderr)
    return 2  # pragma: no cover - argparse refuses unknown commands


def _export(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from .errors import PeerkitError
    from .research.export import export_cohort_store, export_submissions
    from .research.pseudonyms import read_key

    options = {"min_cell": args.min_cell, "time_resolution": args.time_resolution, "stem": args.name,
               "overwrite": args.overwrite}
    try:
        key = read_key(args.key_file)
        if "://" in args.source:
            report = export_cohort_store(args.source, args.cohort, args.out, key, exercise=args.exercise, **options)
        else:
            if args.cohort or args.exercise:
                print("peerkit export: --cohort and --exercise apply to a cohort store, not to a folder of "
                      "submission files.", file=stderr)
                return 2
            if not Path(args.source).is_dir():
                print(f"peerkit export: {args.source} is neither a folder of submission files nor a store URL "
                      "(sqlite:////path/cohort.sqlite).", file=stderr)
                return 2
            report = export_submissions(args.source, args.out, key, **options)
    except PeerkitError as error:
        print(f"peerkit export: {error}", file=stderr)
        return 1
    print(report.summary(), file=stdout)
    if report.rejected_files:
        print(f"peerkit export: {len(report.rejected_files)} submission file(s) not used; see the list above.",
              file=stderr)
    return 0


def _server_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .server.commands import run

    return run(args, stdout, stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
