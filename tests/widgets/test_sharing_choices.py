"""The join panel's sharing choices: course order by chapter, personal exercises never in "share all",
every box saying who may see it and where, and a separate research tick, off by default."""
from __future__ import annotations



from peerkit.course_progress import exercises_in_course_order
from peerkit.exercises import exercise_ids, load_exercise
from peerkit.store import LocalStore
from peerkit.widgets.sharing_choices import SharingChoices, course_groups

PERSONAL = [e for e in exercise_ids() if load_exercise(e).personal]


def test_the_personal_exercises_are_marked() -> None:
    assert {"recovery_dimensions", "empowerment_reflection", "self_care_plan"} <= set(PERSONAL)


def test_share_all_leaves_every_personal_exercise_unticked() -> None:
    choices = SharingChoices()
    choices.share_all()
    assert set(choices.share) == set(exercise_ids()) - set(PERSONAL)
    assert choices.all_shared
    choices.tick("recovery_dimensions")  # ticked on purpose, one by one: kept by a later "share all"
    choices.share_all()
    assert "recovery_dimensions" in choices.share and "self_care_plan" not in choices.share


def test_personal_exercises_say_so_on_their_box() -> None:
    choices = SharingChoices()
    boxes = {e["id"]: e for chapter in choices.chapters for e in chapter["exercises"]}
    assert all(boxes[e]["personal"] for e in PERSONAL)
    assert "never ticked by “share all”" in choices.personal_note


def test_choices_come_in_course_order_grouped_by_chapter() -> None:
    groups = course_groups()
    assert [g["title"] for g in groups][:3] == ["Chapter 0: Welcome", "Chapter 1: What is peer support?",
                                                "Chapter 2: Boundaries"]
    flat = [e["id"] for g in groups for e in g["exercises"]]
    assert flat == exercises_in_course_order() and sorted(flat) == sorted(exercise_ids())
    assert flat.index("boundaries") < flat.index("boundaries_reflection") < flat.index("boundaries_check")
    assert flat.index("welcome_reflection") == 0 and flat[-1] == "course_feedback"


def test_every_box_says_who_may_see_it_where_and_never_under_the_learners_name() -> None:
    for group in course_groups():
        for exercise in group["exercises"]:
            who = exercise["who"]
            assert "never your name" in who, exercise["id"]
            assert "room's screen" in who, exercise["id"]
    reflection = next(e for g in course_groups() for e in g["exercises"] if e["id"] == "welcome_reflection")
    assert "may show them on the room's screen, without your code name" in reflection["who"]
    assert "mark “share”" in reflection["who"]


def test_the_course_order_follows_the_notebooks() -> None:
    """chapters.json lists each chapter's exercises in the order its notebook shows them."""
    import json
    import re
    from pathlib import Path

    from peerkit.course_progress import CHAPTERS_FILE

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    for chapter in json.loads(CHAPTERS_FILE.read_text(encoding="utf-8"))["chapters"]:
        text = (notebooks / chapter["notebook"]).read_text(encoding="utf-8")
        shown = list(dict.fromkeys(re.findall(r'pk\.exercise\(\\"([a-z_0-9]+)\\"', text)))
        assert chapter["exercises"] == shown, f"{chapter['id']}: chapters.json must list {shown}, in that order"


# -- the join panel ---------------------------------------------------------------------------------
def test_the_join_panel_ticks_nothing_and_shares_all_but_personal(store: LocalStore) -> None:
    from peerkit.widgets.cohort_join import CohortJoin

    panel = CohortJoin(store)
    assert panel.shared_exercises() == [] and not panel.choices.research
    panel.share_all()
    assert not set(PERSONAL) & set(panel.shared_exercises())
    panel.tick("boundaries", False)
    assert "boundaries" not in panel.shared_exercises() and not panel.choices.all_shared
    assert "8765" in panel._url.placeholder


def test_the_research_tick_is_separate_off_and_can_be_withdrawn(store: LocalStore) -> None:
    from peerkit.client.membership import research_consent
    from peerkit.widgets.cohort_join import CohortJoin

    panel = CohortJoin(store)
    assert panel.choices.research_offered and panel.choices.research is False
    panel.share_all()
    assert research_consent(store) is False  # sharing says nothing about research
    panel.agree_to_research()
    assert "Saving" in panel.status  # said at once; the choice is kept and sent off the widget's event path
    panel.wait_for_research_choice()
    assert research_consent(store) is True and "researcher may receive" in panel.status
    assert CohortJoin(store).choices.research is True  # read back as the membership keeps it
    panel.agree_to_research(False)
    panel.wait_for_research_choice()
    assert research_consent(store) is False and "not used for research" in panel.status
    assert "personal exercises never go" in panel.choices.research_about


def test_each_share_box_on_one_answer_says_who_may_see_it_and_where(store: LocalStore) -> None:
    from peerkit.widgets.reflection import Reflection
    from peerkit.widgets.smart_goal import SmartGoalBuilder

    label = Reflection("welcome_reflection", store=store).share_label
    assert label.startswith("Share this reflection with my group.")
    assert "may show it on the room's screen, without my code name" in label and "never my name" in label
    goal = SmartGoalBuilder("smart_goal", store=store).share_label
    assert "room's screen, without my code name" in goal and "never my name" in goal
