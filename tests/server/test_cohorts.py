"""Pieces of the server checked without starting it: docstring examples, the code lookup's index, the CLI's refusals."""
from __future__ import annotations

import doctest
import importlib

import pytest
import sqlalchemy as sa

from peerkit.server import cohorts, db


@pytest.mark.parametrize("name", ["peerkit.server.checking", "peerkit.server.problems", "peerkit.server.tokens"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_join_code_lookup_is_one_index_probe(tmp_path) -> None:
    """The join lookup searches the unique index on code_hmac, never scans the cohorts (same cost at any size)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    db.migrate(engine)
    query = sa.select(db.cohorts.c.id).where(db.cohorts.c.code_hmac == "0" * 64)
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert "USING" in plan and "INDEX" in plan and "SCAN" not in plan, plan
    engine.dispose()


def test_sealed_join_code_comes_back_only_with_the_secret() -> None:
    secret, other = b"k" * 32, b"o" * 32
    sealed = cohorts.seal_code(secret, "k7q-4mx")
    assert cohorts.unseal_code(secret, sealed) == "K7Q-4MX"
    assert "K7Q4MX" not in sealed and cohorts.unseal_code(other, sealed) != "K7Q-4MX"
    assert cohorts.seal_code(secret, "K7Q-4MX") != sealed  # a fresh nonce every time
    assert cohorts.code_hmac(secret, "k7q 4mx") == cohorts.code_hmac(secret, "K7Q-4MX")


def test_cli_refuses_in_plain_words(tmp_path, monkeypatch, capsys) -> None:
    from peerkit.cli import main

    monkeypatch.setenv("PEERKIT_SERVER_FOLDER", str(tmp_path))
    assert main(["trainer", "add", "   "]) == 1
    assert "needs a name" in capsys.readouterr().err
    assert main(["serve", "--workers", "0"]) == 2
    assert main(["trainer", "add", "Ana"]) == 0
    out = capsys.readouterr().out
    assert "pkt_" in out and "/sign-in#code=pkc_" in out
