"""Joining, sharing choices, pseudonyms, leaving and withdrawing: the learner's side, on both backends."""
from __future__ import annotations

import pytest

from peerkit.cohort.errors import CohortError, CohortUnreachableError, JoinCodeError
from peerkit.cohort.membership import SETTING, join, leave, membership, set_sharing
from peerkit.cohort.pseudonym import PSEUDONYM_PATTERN, SECRET_SETTING, cohort_pseudonym
from peerkit.cohort.sharing import default_share, shared_rows


def answer_boundaries(store, value: str = "maybe", items: int = 27) -> None:
    for i in range(1, items + 1):
        store.save("boundaries", f"B{i:02d}", value)


def test_join_checks_the_code_and_keeps_membership_only_locally(cohort, new_learner) -> None:
    ana = new_learner("ana")
    answer_boundaries(ana)
    joined = join(ana, cohort.code.lower(), url=cohort.url, share=["boundaries"])
    assert joined.status == ""
    assert (joined.cohort, joined.name, joined.mode) == (cohort.id, "Test group", "live")
    setting = ana.get_setting(SETTING)
    assert setting["cohort"] == cohort.id and setting["url"] == cohort.url and setting["share"] == ["boundaries"]
    # answers given before joining went out with the join
    frame = cohort.store.responses_frame(cohort.id)
    assert len(frame) == 27 and set(frame["learner"]) == {joined.pseudonym}
    assert cohort.store.members(cohort.id) == 1


def test_pseudonym_is_a_keyed_hash_not_the_learner_id_and_is_stable(cohort, new_learner) -> None:
    ana, ben = new_learner("ana"), new_learner("ben")
    first = join(ana, cohort.code, url=cohort.url).pseudonym
    assert PSEUDONYM_PATTERN.match(first)
    assert ana.learner not in first and ana.learner[8:] not in first
    secret = ana.get_setting(SECRET_SETTING)
    assert first == cohort_pseudonym(ana.learner, cohort.id, secret)
    leave(ana)
    assert join(ana, cohort.code, url=cohort.url).pseudonym == first  # same learner, same cohort: same pseudonym
    assert join(ben, cohort.code, url=cohort.url).pseudonym != first
    # nothing in the cohort store names the learner
    other_id, _ = cohort.store.create_cohort("Other")
    assert cohort_pseudonym(ana.learner, other_id, secret) != first  # not linkable across cohorts


def test_wrong_or_malformed_codes_are_explained_and_change_nothing(cohort, new_learner) -> None:
    ana = new_learner("ana")
    with pytest.raises(JoinCodeError, match="not a join code"):
        join(ana, "hello", url=cohort.url)
    unused = "AAA-AAA" if cohort.code != "AAA-AAA" else "BBB-BBB"
    with pytest.raises(JoinCodeError, match="No group has the join code 'AAA-AAA'|No group has the join code 'BBB-BBB'"):
        join(ana, unused, url=cohort.url)
    assert membership(ana) is None


def test_without_a_store_a_join_code_cannot_be_checked(new_learner, monkeypatch) -> None:
    monkeypatch.delenv("PEERKIT_COHORT_URL", raising=False)
    with pytest.raises(CohortError, match="No group store is set up here"):
        join(new_learner("ana"), "K7Q-4MX")


def test_join_reads_the_store_from_the_environment_and_does_not_copy_it(cohort, new_learner, monkeypatch) -> None:
    monkeypatch.setenv("PEERKIT_COHORT_URL", cohort.url)
    ana = new_learner("ana")
    answer_boundaries(ana, items=3)
    join(ana, cohort.code, share=["boundaries"])
    assert ana.get_setting(SETTING)["url"] is None  # a password in the variable never lands in the learner's files
    assert len(cohort.store.responses_frame(cohort.id)) == 3


def test_one_cohort_at_a_time(cohort, new_learner) -> None:
    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url)
    _, other_code = cohort.store.create_cohort("Other")
    with pytest.raises(CohortError, match="already in the group 'Test group'"):
        join(ana, other_code, url=cohort.url)


def test_only_ticked_exercises_are_shared_and_unticking_takes_them_back(cohort, new_learner) -> None:
    ana = new_learner("ana")
    answer_boundaries(ana)
    ana.save("core_skills", "C01", 4)
    join(ana, cohort.code, url=cohort.url, share=["core_skills"])
    assert set(cohort.store.responses_frame(cohort.id)["exercise"]) == {"core_skills"}
    set_sharing(ana, ["boundaries"])
    assert set(cohort.store.responses_frame(cohort.id)["exercise"]) == {"boundaries"}
    with pytest.raises(ValueError, match="no such exercise"):
        set_sharing(ana, ["nonsense"])


def test_reflection_is_shared_only_with_its_own_opt_in(cohort, new_learner) -> None:
    ana = new_learner("ana")
    ana.save("welcome_reflection", "R1", {"text": "private thought", "share": False})
    ana.save("welcome_reflection", "R2", {"text": "I hope to <listen> better", "share": True})
    join(ana, cohort.code, url=cohort.url, share=["welcome_reflection"])
    shared = cohort.store.responses_frame(cohort.id, "welcome_reflection")
    assert shared["item"].tolist() == ["R2"]
    assert shared["value"].tolist() == [{"text": "I hope to <listen> better"}]  # the text only, no flag
    # taking the opt-in back removes it at the next send
    from peerkit.cohort.sync import sync

    ana.save("welcome_reflection", "R2", {"text": "I hope to <listen> better", "share": False})
    assert sync(ana).ok
    assert cohort.store.responses_frame(cohort.id, "welcome_reflection").empty


def test_nothing_is_shared_by_default(cohort, new_learner) -> None:
    # sharing is opt-in (issue 14): no exercise is ticked in advance
    assert default_share() == []
    ana = new_learner("ana")
    answer_boundaries(ana)
    ana.save("welcome_reflection", "R1", {"text": "ticked, but the exercise is not shared", "share": True})
    join(ana, cohort.code, url=cohort.url)
    assert cohort.store.responses_frame(cohort.id).empty


def test_invalid_local_values_are_never_passed_on(new_learner) -> None:
    ana = new_learner("ana")
    ana.save("boundaries", "B01", "sometimes")  # not on the scale (an old or damaged answer)
    ana.save("boundaries", "B02", "never")
    assert [r["item"] for r in shared_rows(ana, ["boundaries"])] == ["B02"]


def test_leave_withdraws_shared_answers(cohort, new_learner) -> None:
    ana, ben = new_learner("ana"), new_learner("ben")
    for learner in (ana, ben):
        answer_boundaries(learner)
        join(learner, cohort.code, url=cohort.url, share=["boundaries"])
    message = leave(ana)
    assert "27 answers you shared were removed" in message
    assert membership(ana) is None
    frame = cohort.store.responses_frame(cohort.id)
    assert len(frame) == 27 and frame["learner"].nunique() == 1
    assert ana.answers("boundaries")  # the learner's own answers stay with them
    assert leave(ana) == "You are not in a group."


def test_leave_without_withdrawing_keeps_the_answers(cohort, new_learner) -> None:
    ana = new_learner("ana")
    answer_boundaries(ana, items=2)
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    assert "stay with the group" in leave(ana, withdraw=False)
    assert len(cohort.store.responses_frame(cohort.id)) == 2


def test_leave_while_unreachable_changes_nothing(cohort_backend, cohort, new_learner) -> None:
    ana = new_learner("ana")
    answer_boundaries(ana, items=2)
    join(ana, cohort.code, url=cohort.url)
    with cohort_backend.outage():
        with pytest.raises(CohortUnreachableError, match="still in 'Test group'"):
            leave(ana)
    assert membership(ana) is not None
    leave(ana)
    assert cohort.store.responses_frame(cohort.id).empty


def test_file_route_join_with_the_cohort_id(new_learner, monkeypatch) -> None:
    monkeypatch.delenv("PEERKIT_COHORT_URL", raising=False)
    ana = new_learner("ana")
    joined = join(ana, "COHORT-ABCDEFGH")
    assert (joined.mode, joined.cohort) == ("file", "cohort-abcdefgh")
    from peerkit.cohort.sync import sync

    assert sync(ana).ok  # nothing to send live
