"""The ``peerkit`` command.

``peerkit export`` writes a de-identified research data package (see
:mod:`peerkit.research.export`) from a folder of hand-in files, a cohort server's database or a live
cohort server, in the aggregate tier (default) or the microdata tier::

    peerkit export submissions/ --out export/ --key-file research.key
    peerkit export /srv/peerkit/cohorts.sqlite --cohort cohort-abcdefgh --out export/
    peerkit export https://peerkit.example.org --cohort cohort-abcdefgh --token-file trainer.token \
        --tier microdata --out export/

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
    from .privacy import MIN_GROUP_SIZE
    from .research.export import TIME_RESOLUTIONS

    parser = argparse.ArgumentParser(prog="peerkit", description="peerkit: peer-support course tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser(
        "export",
        help="write a de-identified research data package",
        description="Write a de-identified research data package (Frictionless datapackage.json, CSV files, "
                    "codebook, README) from a folder of hand-in files, a cohort server's database or a live cohort "
                    "server. Only answers of learners who agreed to research use are exported. "
                    "Tier 'aggregate' (the default) holds counts and shares only, small cells suppressed: safe "
                    "to publish. Tier 'microdata' holds pseudonymous rows for a research team under a data-use "
                    "agreement: never publish it.",
    )
    export.add_argument("source", help="a folder of hand-in files (*.json), a cohort server's database "
                                       "(cohorts.sqlite or a postgresql+psycopg:// URL) or a cohort server "
                                       "(https://host)")
    export.add_argument("--out", required=True, help="folder to write the package into")
    export.add_argument("--tier", choices=("aggregate", "microdata"), default="aggregate",
                        help="aggregate: counts and shares only, safe to publish (default); microdata: "
                             "pseudonymous rows, only under a data-use agreement")
    export.add_argument("--key-file", help="file holding the researcher's key (else $PEERKIT_RESEARCH_KEY)")
    export.add_argument("--token-file", help="file holding a trainer's or researcher's token for a cohort server "
                                             "(else $PEERKIT_TOKEN)")
    export.add_argument("--cohort", action="append", help="cohort id to export from a server (repeat for several)")
    export.add_argument("--exercise", help="export only this exercise (server)")
    export.add_argument("--min-cell", type=int, default=MIN_GROUP_SIZE,
                        help=f"k: suppress counts under this, leave out smaller cohorts, coarsen times until every "
                             f"cohort and period holds this many learners (default {MIN_GROUP_SIZE})")
    export.add_argument("--time-resolution", choices=TIME_RESOLUTIONS, default="day",
                        help="the finest time the package may show (default day)")
    export.add_argument("--name", default="peerkit-export", help="package name (default peerkit-export)")
    export.add_argument("--title", default="", help="package title")
    export.add_argument("--licence", help="the data's licence as an SPDX id, e.g. CC-BY-4.0 or CC0-1.0 (default: "
                                          "CC-BY-4.0 for aggregate; restricted, under the data-use agreement, for "
                                          "microdata)")
    export.add_argument("--author", default="The course's trainers", help="who to cite as the data's author")
    export.add_argument("--include-texts", action="store_true",
                        help="microdata only: also export the free text learners shared and agreed to research use "
                             "for (scrubbed of contact details; names and addresses are not caught: read it)")
    export.add_argument("--parquet", action="store_true", help="also write Parquet files (needs pyarrow)")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier package in --out")
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
    import os
    from pathlib import Path

    from .errors import PeerkitError
    from .research.export import export_cohort_server, export_responses, export_submissions
    from .research.pseudonyms import read_key

    tier_line = ("Tier: AGGREGATE (counts and shares only, small cells suppressed; safe to publish)."
                 if args.tier == "aggregate" else
                 "Tier: MICRODATA (pseudonymous rows; only for a research team under a data-use agreement; "
                 "never publish).")
    options = {"tier": args.tier, "min_cell": args.min_cell, "time_resolution": args.time_resolution,
               "name": args.name, "title": args.title, "overwrite": args.overwrite, "parquet": args.parquet,
               "author": args.author, "include_texts": args.include_texts}
    if args.include_texts and args.tier != "microdata":
        print("peerkit export: --include-texts needs --tier microdata (free text never goes into the aggregate "
              "tier).", file=stderr)
        return 2
    if args.licence:
        options["licence"] = {"name": args.licence, "title": f"{args.licence} (the data)"}
    try:
        key = read_key(args.key_file)
        if args.source.startswith(("http://", "https://")):
            token = (Path(args.token_file).read_text(encoding="utf-8").strip() if args.token_file
                     else os.environ.get("PEERKIT_TOKEN", "").strip())
            if not token or not args.cohort:
                print("peerkit export: a cohort server needs a token (--token-file or $PEERKIT_TOKEN) and "
                      "--cohort.", file=stderr)
                return 2
            print(tier_line, file=stdout)
            report = export_cohort_server(args.source, args.cohort, args.out, token, key, exercise=args.exercise,
                                          **options)
        elif "://" in args.source or Path(args.source).is_file():
            # the server's own database (cohorts.sqlite or a PostgreSQL URL): the server reads it, the
            # research export writes the package; only this command line knows both
            from .server.problems import Problem
            from .server.trainer_data import all_responses

            print(tier_line, file=stdout)
            try:
                report = export_responses(all_responses(args.source, args.cohort, args.exercise), args.out, key,
                                          exercise=args.exercise, source="a peerkit cohort server's database",
                                          **options)
            except Problem as problem:
                print(f"peerkit export: {problem.detail}", file=stderr)
                return 1
        else:
            if args.cohort or args.exercise:
                print("peerkit export: --cohort and --exercise apply to a cohort server or its database, not to "
                      "a folder of hand-in files.", file=stderr)
                return 2
            if not Path(args.source).is_dir():
                print(f"peerkit export: {args.source} is neither a folder of hand-in files, a server's database "
                      "nor a server address.", file=stderr)
                return 2
            print(tier_line, file=stdout)
            report = export_submissions(args.source, args.out, key, **options)
    except (PeerkitError, OSError) as error:
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
