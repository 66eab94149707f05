"""One cohort-id rule, the server's: what it makes, a file-mode join and a hand-in file all check the same way."""
from __future__ import annotations

import pytest

from peerkit.cohort.errors import JoinCodeError
from peerkit.cohort.ids import is_cohort_id, new_cohort_id


def test_every_id_the_server_makes_is_an_id() -> None:
    from peerkit.server.cohorts import new_cohort_id as servers

    assert servers is new_cohort_id
    assert all(is_cohort_id(new_cohort_id()) for _ in range(200))


@pytest.mark.parametrize("text", ["cohort-0000", "cohort-abcdefg", "cohort-abcdefghj", "cohort-abcdefgi",
                                  "cohort-abcdefgh\n", "Cohort-abcdefgh", "", None, 7])
def test_anything_else_is_not(text) -> None:
    assert not is_cohort_id(text)


def test_a_file_mode_join_takes_only_an_id_the_server_could_have_made(tmp_path) -> None:
    from peerkit.client.membership import join
    from peerkit.store import LocalStore

    learner = LocalStore(tmp_path / "answers.sqlite")
    assert join(learner, "cohort-abcdefgh").mode == "file"
    other = LocalStore(tmp_path / "other.sqlite")
    with pytest.raises(JoinCodeError):  # cohort-0000 is no cohort id, so it is read as a (bad) join code
        join(other, "cohort-0000")
