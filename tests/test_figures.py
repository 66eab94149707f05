"""The course's explanatory figures: drawn from data, labelled, described in words."""
from __future__ import annotations

import copy
import markupsafe
import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from peerkit.errors import ContentError  # noqa: E402
from peerkit.figures import (  # noqa: E402
    FigureView,
    describe_support_types,
    figure,
    figure_names,
    load_support_types,
    plot_support_types,
)


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture
def support_data() -> dict:
    return load_support_types()


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_shipped_data_is_ordered_informal_to_formal(support_data):
    positions = [t["position"] for t in support_data["types"]]
    assert positions == sorted(positions)
    assert len(support_data["types"]) == 7  # the seven contexts of the Peer Support+ course
    assert len(support_data["questions"]) == 5  # the five questions that tell the types apart


def test_every_type_is_labelled_on_the_figure(support_data):
    ax = plot_support_types()
    texts = " ".join(_texts(ax)).replace("\n", " ")
    for number, entry in enumerate(support_data["types"], start=1):
        assert str(number) in _texts(ax), f"marker {number} has no number"
        assert " ".join(f"{number}. {entry['label']}".split()) in " ".join(texts.split())
    assert ax.get_title() == support_data["title"]
    assert support_data["informal_label"] in texts and support_data["formal_label"] in texts


def test_groups_differ_by_shape_as_well_as_colour(support_data):
    ax = plot_support_types()
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [g["label"] for g in support_data["groups"]]
    handles = legend.legend_handles
    assert len({h.get_marker() for h in handles}) == len(handles)
    assert len({h.get_color() for h in handles}) == len(handles)


def test_markers_sit_at_their_positions(support_data):
    ax = plot_support_types()
    marker_x = sorted(
        line.get_xdata()[0] for line in ax.get_lines() if len(line.get_xdata()) == 1 and line.get_marker() != "None"
    )
    assert marker_x == pytest.approx([t["position"] for t in support_data["types"]])


def test_draws_on_a_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_support_types(ax=ax) is ax
    plt.close(fig)


def test_description_names_every_type_in_order(support_data):
    text = describe_support_types()
    where = [text.index(entry["label"]) for entry in support_data["types"]]
    assert where == sorted(where)
    assert "left" in text and "right" in text
    for question in support_data["questions"]:
        assert question["informal"] in text and question["formal"] in text


def test_figure_returns_picture_and_words():
    view = figure("support_types")
    assert isinstance(view, FigureView)
    assert view.summary == describe_support_types()
    assert repr(view) == view.summary
    page = view._repr_html_()
    assert page.count("<img") == 1 and 'alt="Figure: Kinds of peer support' in page
    assert str(markupsafe.escape(view.summary)) in page.split("<figcaption>")[1]
    assert view.png().startswith(b"\x89PNG")
    assert figure_names() == ["support_types"]


def test_figure_html_escapes_the_description(support_data, tmp_path):
    hostile = copy.deepcopy(support_data)
    hostile["types"][0]["label"] = '<script>alert("x")</script>'
    view = FigureView("support_types", plot_support_types(data=hostile), describe_support_types(hostile))
    page = view._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_figure_does_not_leave_pyplot_figures_behind():
    import matplotlib.pyplot as plt

    plt.close("all")
    figure("support_types")
    assert plt.get_fignums() == []


def test_unknown_figure_names_the_known_ones():
    with pytest.raises(ContentError, match="support_types"):
        figure("support_typos")


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "support_types.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("types"), "'types' is missing"),
        (lambda d: d["types"][2].__setitem__("position", 1.5), "from 0 \\(informal\\) to 1"),
        (lambda d: d["types"][2].__setitem__("group", "nowhere"), "group 'nowhere'"),
        (lambda d: d["types"].reverse(), "from informal to formal"),
        (lambda d: d["types"][1].__setitem__("id", d["types"][0]["id"]), "more than once"),
        (lambda d: d["questions"].append({"informal": "x"}), "'informal' and a 'formal'"),
    ],
)
def test_bad_data_is_refused_with_a_clear_message(tmp_path, support_data, change, message):
    data = copy.deepcopy(support_data)
    change(data)
    with pytest.raises(ContentError, match=message) as caught:
        load_support_types(_write(tmp_path, data))
    assert "support_types.json" in str(caught.value)


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "support_types.json"
    path.write_text('{"title": "x",\n "types": [}', encoding="utf-8")
    with pytest.raises(ContentError, match="line 2"):
        load_support_types(path)


def test_figure_text_reads_as_large_as_the_body_text() -> None:
    """The chapter 01 figure's smallest text, shown in a ~900 px JupyterLab output, is about the body's 15 px."""
    from peerkit import figures

    view = figures.figure("support_types")
    ax = view.ax
    sizes = [t.get_fontsize() for t in ax.texts if t.get_text().strip()]
    sizes += [t.get_fontsize() for t in ax.get_legend().get_texts()]
    picture_px = view.ax.figure.get_size_inches()[0] * figures.DPI
    shown = min(1.0, 900 / picture_px)  # the <img> is never wider than its output, never wider than itself
    smallest_px = min(sizes) * figures.DPI / 72 * shown
    assert smallest_px >= 14, f"the smallest text reads as {smallest_px:.1f} px"
    assert f'width="{round(picture_px)}"' in view._repr_html_()
