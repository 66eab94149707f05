"""Self-ratings (core skills, recovery dimensions) save at once and come back after a restart."""
from __future__ import annotations

import pytest

from peerkit.widgets._base import front_end
from peerkit.errors import AnswerError
from peerkit.store import LocalStore
from peerkit.widgets.self_rating import SelfRating
from tests.support.store import store_locked


def test_core_skills_shows_the_eleven_skills_on_a_five_point_scale(store: LocalStore) -> None:
    skills = SelfRating("core_skills", store=store)
    assert len(skills.items) == 11
    assert skills.items[0]["text"] == "Building interpersonal relations"
    assert all(item["description"] for item in skills.items)
    assert [o["value"] for o in skills.options] == [1, 2, 3, 4, 5]
    assert all(o["label"].startswith(str(o["value"])) for o in skills.options)  # labels carry the number
    assert len(skills.questions) == 2
    assert skills.progress == (0, 11)


def test_recovery_dimensions_are_samhsas_four(store: LocalStore) -> None:
    check_in = SelfRating("recovery_dimensions", store=store)
    assert [item["text"] for item in check_in.items] == ["Health", "Home", "Purpose", "Community"]
    assert check_in.exercise.chapter == "03_empowerment_and_recovery"


def test_a_rating_is_in_the_store_the_moment_it_is_given(store: LocalStore) -> None:
    skills = SelfRating("core_skills", store=store)
    skills.rate("C03", 4)
    assert LocalStore(store.path).answers("core_skills") == {"C03": 4}
    skills.answers = {"C03": 4, "C05": 2}  # the front end sends the whole dict
    assert LocalStore(store.path).answers("core_skills") == {"C03": 4, "C05": 2}
    assert skills.progress == (2, 11)


def test_a_new_widget_on_the_same_store_shows_the_ratings(store: LocalStore) -> None:
    SelfRating("recovery_dimensions", store=store).rate("HOME", 5)
    again = SelfRating("recovery_dimensions", store=LocalStore(store.path))
    assert again.answers == {"HOME": 5}
    again.rate("HOME", 3)
    assert LocalStore(store.path).answers("recovery_dimensions") == {"HOME": 3}


def test_restoring_does_not_rewrite_ratings(store: LocalStore) -> None:
    SelfRating("core_skills", store=store).rate("C01", 2)
    before = store.responses()[0].answered_at
    SelfRating("core_skills", store=store)
    assert store.responses()[0].answered_at == before


@pytest.mark.parametrize("value", [0, 6, "4", 4.5, True, None])
def test_values_off_the_scale_are_refused_and_nothing_is_lost(store: LocalStore, value: object) -> None:
    skills = SelfRating("core_skills", store=store)
    skills.rate("C01", 3)
    with pytest.raises(AnswerError, match="C02"):
        skills.rate("C02", value)
    assert store.answers("core_skills") == {"C01": 3}
    assert skills.answers == {"C01": 3}


def test_unknown_items_are_named(store: LocalStore) -> None:
    with pytest.raises(AnswerError, match="no item 'C99'.*C01"):
        SelfRating("core_skills", store=store).rate("C99", 3)


def test_clear_deletes_one_rating_or_all(store: LocalStore) -> None:
    skills = SelfRating("core_skills", store=store)
    skills.rate("C01", 3)
    skills.rate("C02", 5)
    skills.clear("C01")
    assert store.answers("core_skills") == {"C02": 5}
    skills.clear()
    assert store.answers("core_skills") == {}
    assert SelfRating("core_skills", store=store).answers == {}


def test_a_stored_value_no_longer_on_the_scale_is_kept_but_not_shown(store: LocalStore) -> None:
    store.save("core_skills", "C01", 9)
    skills = SelfRating("core_skills", store=store)
    assert skills.answers == {}
    skills.rate("C02", 1)
    assert store.answers("core_skills") == {"C01": 9, "C02": 1}


def test_a_failed_save_is_kept_and_retried(store: LocalStore) -> None:
    skills = SelfRating("core_skills", store=store)
    with store_locked():
        skills.rate("C01", 4)
        assert not skills.wait_until_saved(timeout=0.5)  # kept in memory, retried in the background
        assert skills.save_state == "failed" and "Not saved yet" in skills.status
    skills.rate("C02", 2)
    assert skills.wait_until_saved()
    assert (skills.save_state, skills.status) == ("saved", "Saved.")
    assert store.answers("core_skills") == {"C01": 4, "C02": 2}


def test_refuses_an_exercise_of_another_kind(store: LocalStore) -> None:
    with pytest.raises(AnswerError, match="'choice_matrix' exercise"):
        SelfRating("boundaries", store=store)


def test_front_end_uses_labelled_native_radio_groups() -> None:
    source = front_end("self_rating.js")
    assert 'createElement("fieldset")' in source and 'createElement("legend")' in source
    assert 'input.type = "radio"' in source and "input.name" in source
    assert "aria-describedby" in source  # the skill's description is read with its group
    assert 'data-lm-suppress-shortcuts", "true"' in source
    assert ".innerHTML" not in source
