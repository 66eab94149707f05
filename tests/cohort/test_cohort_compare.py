"""pk.compare shows a joined learner their own group, and falls back (saying so) when it is unreachable."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from peerkit.cohort import membership  # noqa: E402
from peerkit.widgets.boundary_matrix import BoundaryMatrix  # noqa: E402
from peerkit.widgets.group_comparison import GroupComparison  # noqa: E402


def _group_answers(cohort, new_learner, count: int) -> None:
    for n in range(count):
        learner = new_learner(f"peer{n}")
        membership.join(learner, cohort.code, url=cohort.url, share=["boundaries"])
        matrix = BoundaryMatrix(store=learner)
        matrix.answers = {f"B{i:02d}": "never" for i in range(1, 28)}


def test_a_joined_learner_sees_their_group(cohort, new_learner) -> None:
    _group_answers(cohort, new_learner, 5)
    me = new_learner("me")
    membership.join(me, cohort.code, url=cohort.url, share=["boundaries"])
    BoundaryMatrix(store=me).answer("B01", "always")
    comparison = GroupComparison("boundaries", store=me)
    assert comparison.group_label == "group you joined"
    assert comparison.summary.startswith("6 people in the group you joined answered")
    assert "synthetic" not in comparison.view.value


def test_a_small_group_is_suppressed(cohort, new_learner) -> None:
    _group_answers(cohort, new_learner, 3)
    me = new_learner("me")
    membership.join(me, cohort.code, url=cohort.url, share=["boundaries"])
    comparison = GroupComparison("boundaries", store=me)
    assert "fewer than 5 answers" in comparison.summary
    assert "3" not in comparison.summary  # not even how few answered


def test_an_unreachable_group_falls_back_to_the_reference_and_says_so(cohort, cohort_backend, new_learner) -> None:
    me = new_learner("me")
    membership.join(me, cohort.code, url=cohort.url, share=["boundaries"])
    with cohort_backend.outage():
        comparison = GroupComparison("boundaries", store=me)
    assert comparison.group_label == "synthetic reference group"
    assert "could not be reached" in comparison.view.value
    assert "40 people" in comparison.summary
