"""“I'd rather not answer”: valid only in sensitive exercises, done for progress, never counted anywhere.

One rule, in the kind (:mod:`peerkit.kinds._kind`): the learner's store accepts it, sharing never
sends it, the server and hand-in files refuse it, and group charts never read it.
"""
from __future__ import annotations

import pandas as pd
import pytest

from peerkit.answers import check_shared_answer
from peerkit.client.sharing import shared_rows
from peerkit.errors import AnswerError
from peerkit.exercises import exercise_ids, load_exercise
from peerkit.group_view import GroupView
from peerkit.kinds import RATHER_NOT, kind_of
from peerkit.store import LocalStore

SENSITIVE = [e for e in exercise_ids() if load_exercise(e).sensitive]


def test_the_heavy_exercises_are_marked_sensitive() -> None:
    assert {"boundaries", "recovery_dimensions"} <= set(SENSITIVE)


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_rather_not_is_valid_on_every_item_of_a_sensitive_exercise_and_nowhere_else(exercise_id: str) -> None:
    exercise = load_exercise(exercise_id)
    kind = kind_of(exercise)
    for item in exercise.item_ids:
        assert kind.is_valid(exercise, item, RATHER_NOT) is exercise.sensitive, (exercise_id, item)
        assert not kind.counted(exercise, item, RATHER_NOT)
        assert kind.shared_value(exercise, item, RATHER_NOT) == (False, None)
        with pytest.raises(AnswerError):
            check_shared_answer(exercise, item, RATHER_NOT)  # what the server and hand-in files check with


def test_only_the_text_itself_is_rather_not() -> None:
    exercise = load_exercise("boundaries")
    kind = kind_of(exercise)
    assert not kind.is_valid(exercise, "B01", "Rather_not")
    assert not kind.is_valid(exercise, "B99", RATHER_NOT)  # still only the exercise's own items


def test_the_server_refuses_to_count_it() -> None:
    from peerkit.server.checking import AnswerRefused, check_shared

    with pytest.raises(AnswerRefused, match="never shared or counted"):
        check_shared("boundaries", "B26", RATHER_NOT)


def test_rather_not_counts_as_answered_for_progress(store: LocalStore) -> None:
    exercise = load_exercise("recovery_dimensions")
    kind = kind_of(exercise)
    for item in exercise.item_ids:
        store.save(exercise.id, item, 3)
    store.save(exercise.id, "HOME", RATHER_NOT)
    assert kind.is_done(exercise, store.answers(exercise.id))


def test_sharing_never_sends_it_and_withdraws_an_answer_it_replaces(store: LocalStore) -> None:
    store.save("boundaries", "B26", "always")
    store.save("boundaries", "B01", "never")
    assert [r["item"] for r in shared_rows(store, ["boundaries"])] == ["B01", "B26"]
    store.save("boundaries", "B26", RATHER_NOT)
    assert [r["item"] for r in shared_rows(store, ["boundaries"])] == ["B01"]


def test_no_group_chart_or_summary_counts_it() -> None:
    exercise = load_exercise("boundaries")
    rows = pd.DataFrame({"learner": ["a", "b", "c"], "item": ["B26"] * 3, "value": ["always", RATHER_NOT, "never"],
                         "answered_at": ["2026-12-07T10:00:00+00:00"] * 3, "exercise": ["boundaries"] * 3})
    view = GroupView.from_answers(rows, exercise, min_group_size=1)
    assert view.counts("B26") == {"never": 1, "maybe": 0, "always": 1} and view.item_n("B26") == 2
    assert view.skipped == 1  # the "rather not" row is left out, never counted
    summary = kind_of(exercise).summarise(exercise, rows)
    b26 = summary[summary["item"] == "B26"]
    assert set(b26["n"]) == {2} and b26["count"].sum() == 2
    ratings = load_exercise("recovery_dimensions")
    rated = pd.DataFrame({"learner": ["a", "b"], "item": ["HOME"] * 2, "value": [4, RATHER_NOT]})
    assert kind_of(ratings).summarise(ratings, rated).set_index("item").loc["HOME", "n"] == 1


@pytest.mark.parametrize("widget_name, exercise_id, item", [("boundary_matrix", "boundaries", "B26"),
                                                            ("self_rating", "recovery_dimensions", "HOME")])
def test_the_widgets_offer_it_on_sensitive_exercises_only(store: LocalStore, widget_name: str, exercise_id: str,
                                                          item: str) -> None:
    import importlib

    module = importlib.import_module(f"peerkit.widgets.{widget_name}")
    cls = module.BoundaryMatrix if widget_name == "boundary_matrix" else module.SelfRating
    widget = cls(exercise_id, store=store)
    assert widget.rather_not == "I'd rather not answer"
    widget.answers = {item: RATHER_NOT}
    assert widget.wait_until_saved()
    assert store.answers(exercise_id) == {item: RATHER_NOT}
    if widget_name == "self_rating":
        assert cls("core_skills", store=store).rather_not == ""
        with pytest.raises(Exception):
            cls("core_skills", store=store).rate("C01", RATHER_NOT)


def test_the_portfolio_says_it_in_words(store: LocalStore, tmp_path) -> None:
    from peerkit.portfolio_io.writing import write_portfolio

    store.save("boundaries", "B26", RATHER_NOT)
    paths = write_portfolio(tmp_path / "out", store)
    for kind in ("markdown", "html"):
        text = paths[kind].read_text(encoding="utf-8")
        assert "rather_not" not in text and "rather not answer" in text, kind


def test_the_portfolio_says_a_stopped_practice_conversation_in_words(store: LocalStore) -> None:
    """A sensitive practice conversation stopped with "rather not" reads as the words the learner chose."""
    from peerkit.kinds.scenario import STOP_LABEL
    from peerkit.portfolio_io import export_json, render_html, render_markdown

    scenario = next(e for e in exercise_ids()
                    if kind_of(load_exercise(e)).branching and load_exercise(e).sensitive)
    first = load_exercise(scenario).items[0].id
    store.save(scenario, first, RATHER_NOT)
    portfolio = export_json(store)
    for document in (render_markdown(portfolio), render_html(portfolio)):
        assert "rather_not" not in document
        assert STOP_LABEL in document.replace("&#39;", "'")


def test_the_portfolio_copy_shows_no_code_name_and_says_how_to_restore_it(store: LocalStore) -> None:
    from peerkit.portfolio_io import export_json, render_html, render_markdown

    store.save("boundaries", "B26", RATHER_NOT)
    portfolio = export_json(store)
    for document in (render_markdown(portfolio), render_html(portfolio)):
        assert portfolio["learner"] not in document  # the random code name means nothing to the learner
        assert "peerkit.restore" not in document and ".json file" not in document
        assert "choose this file under “Restore from a file”" in document
