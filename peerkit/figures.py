"""Explanatory figures for the course text (not charts of anyone's answers).

Each figure is drawn from a data file in ``peerkit/data/content/`` so the words on
it can be corrected without touching code. Like the charts in :mod:`peerkit.charts`,
every ``plot_*`` function takes an optional ``ax`` and returns the Axes, and has a
``describe_*`` partner that says the same thing in one paragraph of plain text for
screen readers. Colour is never the only cue: positions, numbers, marker shapes
and text labels carry the meaning.

In a notebook, call :func:`figure` (``pk.figure("support_types")``): it shows the
picture with the description as a caption underneath.

>>> from peerkit.figures import describe_support_types
>>> describe_support_types().startswith("Kinds of peer support")
True
"""
from __future__ import annotations

import base64
import io
import json
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import ContentError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

CONTENT_DIR = Path(str(resources.files("peerkit") / "data" / "content"))
# Fixed margins rather than constrained layout: the figure's layout never changes, and
# drawing without the layout engine takes about half the time.
MARGINS = {"left": 0.02, "right": 0.98, "top": 0.9, "bottom": 0.04}
#: Drawn at 9.5 x 6.4 inches and 110 dpi (1045 px), shown at most at its own width. In a JupyterLab
#: output about 900 px wide it is scaled by ~0.86, so the smallest text (11 pt = 16.8 px in the
#: picture) reads at about 14.5-15 px, as the 15 px body text around it (9 pt read as ~9 px).
FIGURE_SIZE = (9.5, 6.4)
DPI = 110
TEXT_PT = 11      # labels, lists, legend: the smallest text on the figure
HEADING_PT = 12.5
TITLE_PT = 16

# Okabe & Ito (2008) colours, chosen so that the three groups stay distinct for the
# common colour-vision deficiencies; each group also has its own marker shape.
GROUP_STYLES = [
    {"color": "#E69F00", "marker": "o"},
    {"color": "#56B4E9", "marker": "s"},
    {"color": "#009E73", "marker": "D"},
]


# --------------------------------------------------------------------------- data

def load_support_types(path: str | Path | None = None) -> dict[str, Any]:
    """Load and check the informal-to-formal continuum from ``support_types.json``.

    Raises :class:`~peerkit.errors.ContentError` naming the file and the problem
    when a key is missing, a position is outside 0-1 or a type names an unknown group.
    """
    path = Path(path) if path is not None else CONTENT_DIR / "support_types.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContentError(f"Cannot read figure data {path}: {error}.") from error
    except json.JSONDecodeError as error:
        raise ContentError(
            f"Figure data {path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    _check_support_types(data, str(path))
    return data


def _check_support_types(data: Any, source: str) -> None:
    def fail(problem: str) -> None:
        raise ContentError(f"Figure data {source}: {problem}")

    if not isinstance(data, dict):
        fail("the top level must be a JSON object.")
    for key in ("title", "informal_label", "formal_label", "groups", "types", "questions"):
        if key not in data:
            fail(f"the key {key!r} is missing; add it (see peerkit/data/content/support_types.json).")
    groups = data["groups"]
    if not isinstance(groups, list) or not 1 <= len(groups) <= len(GROUP_STYLES):
        fail(f"'groups' must be a list of 1 to {len(GROUP_STYLES)} groups, each with an 'id' and a 'label'.")
    group_ids = [g.get("id") for g in groups if isinstance(g, dict)]
    if len(group_ids) != len(groups) or len(set(group_ids)) != len(group_ids) or not all(
        isinstance(g.get("label"), str) and g["label"] for g in groups
    ):
        fail("every group needs a unique 'id' and a non-empty 'label'.")
    types = data["types"]
    if not isinstance(types, list) or not types:
        fail("'types' must be a non-empty list.")
    seen: set[str] = set()
    for number, entry in enumerate(types, start=1):
        if not isinstance(entry, dict):
            fail(f"type {number} must be an object.")
        for key in ("id", "label", "group", "position", "description"):
            if key not in entry:
                fail(f"type {number} has no {key!r}.")
        if entry["id"] in seen:
            fail(f"the type id {entry['id']!r} appears more than once.")
        seen.add(entry["id"])
        if entry["group"] not in group_ids:
            fail(f"type {entry['id']!r} names the group {entry['group']!r}; known groups: {', '.join(group_ids)}.")
        position = entry["position"]
        if isinstance(position, bool) or not isinstance(position, (int, float)) or not 0 <= position <= 1:
            fail(f"type {entry['id']!r} has position {position!r}; use a number from 0 (informal) to 1 (formal).")
    positions = [entry["position"] for entry in types]
    if positions != sorted(positions):
        fail("order the types from informal to formal, so that positions never decrease.")
    questions = data["questions"]
    if not isinstance(questions, list) or not all(
        isinstance(q, dict) and q.get("informal") and q.get("formal") for q in questions
    ):
        fail("every entry of 'questions' needs an 'informal' and a 'formal' text.")


# ------------------------------------------------------------------ support types

def describe_support_types(data: dict[str, Any] | None = None) -> str:
    """One paragraph that says in words what :func:`plot_support_types` draws."""
    data = data if data is not None else load_support_types()
    groups = {g["id"]: g["label"].lower() for g in data["groups"]}
    steps = "; ".join(
        f"{number}. {entry['label']} ({groups[entry['group']]}): {entry['description']}"
        for number, entry in enumerate(data["types"], start=1)
    )
    informal = _spoken_list([q["informal"] for q in data["questions"]])
    formal = _spoken_list([q["formal"] for q in data["questions"]])
    return (
        f"{data['title']}. The figure is a horizontal line: the most informal kinds of peer support sit "
        f"at its left end and the most formal at its right end, with {len(data['types'])} kinds placed along it, "
        f"in this order: {steps}. Support at the informal end usually {informal}. "
        f"Support at the formal end usually {formal}."
    )


def _spoken_list(parts: list[str]) -> str:
    """'a, b and c': reads naturally aloud."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def plot_support_types(ax: "Axes | None" = None, *, data: dict[str, Any] | None = None) -> "Axes":
    """Draw the kinds of peer support on a line from informal (left) to formal (right).

    Each kind is a numbered marker with a text label; its group is shown by both
    colour and marker shape, and the legend names the groups. Under the line, two
    short lists say how informal and formal support usually differ.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    data : dict, optional
        The continuum, as returned by :func:`load_support_types` (the default file when omitted).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from peerkit.figures import plot_support_types
    >>> ax = plot_support_types()
    >>> ax.get_title()
    'Kinds of peer support, from informal to formal'
    """
    data = data if data is not None else load_support_types()
    if ax is None:
        import matplotlib.pyplot as plt

        figure_, ax = plt.subplots(figsize=FIGURE_SIZE)
        figure_.subplots_adjust(**MARGINS)

    styles = {g["id"]: GROUP_STYLES[i] for i, g in enumerate(data["groups"])}
    ax.set_xlim(-0.06, 1.06)
    ax.set_ylim(-3.25, 1.45)
    ax.set_axis_off()
    ax.set_title(data["title"], fontsize=TITLE_PT, pad=14)

    ax.annotate("", xy=(1.03, 0), xytext=(-0.03, 0),
                arrowprops={"arrowstyle": "<|-|>", "color": "#333333", "linewidth": 2, "mutation_scale": 18})

    for number, entry in enumerate(data["types"], start=1):
        x, style = entry["position"], styles[entry["group"]]
        ax.plot([x], [0], linestyle="none", marker=style["marker"], markersize=22, color=style["color"],
                markeredgecolor="#222222", markeredgewidth=1.2, zorder=3)
        ax.text(x, 0, str(number), ha="center", va="center", fontsize=HEADING_PT, fontweight="bold",
                color="black", zorder=4)
        # Alternate labels above and below the line so that neighbours never overlap.
        above = number % 2 == 1
        y_text = 0.38 if above else -0.38
        ax.plot([x, x], [0.2 if above else -0.2, y_text * 0.9], color="#555555", linewidth=0.8, zorder=2)
        ax.text(x, y_text, f"{number}. " + textwrap.fill(entry["label"], 16), ha="center",
                va="bottom" if above else "top", fontsize=TEXT_PT, linespacing=1.15)

    for handle_group in data["groups"]:
        style = styles[handle_group["id"]]
        ax.plot([], [], linestyle="none", marker=style["marker"], markersize=10, color=style["color"],
                markeredgecolor="#222222", label=handle_group["label"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.03), ncol=len(data["groups"]), frameon=False,
              fontsize=TEXT_PT, handletextpad=0.4, columnspacing=1.5)

    for x, align, key, heading in (
        (-0.03, "left", "informal", f"◀ {data['informal_label']}: usually…"),
        (1.03, "right", "formal", f"{data['formal_label']}: usually… ▶"),
    ):
        ax.text(x, -1.4, heading, ha=align, va="top", fontsize=HEADING_PT, fontweight="bold")
        lines = "\n".join("• " + textwrap.fill(q[key], 34, subsequent_indent="   ") for q in data["questions"])
        ax.text(x, -1.67, lines, ha=align, multialignment="left", va="top", fontsize=TEXT_PT, linespacing=1.3)
    return ax


# ----------------------------------------------------------------------- dispatch

@dataclass
class FigureView:
    """A drawn figure with its text description; Jupyter shows both.

    The picture's alt text names it and points to the caption underneath, which
    holds the full description, so a screen reader reads it once and everyone can see it.
    """

    name: str
    ax: "Axes"
    summary: str

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.ax.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        from .templating import render

        encoded = base64.b64encode(self.png()).decode("ascii")
        # The short alt text points to the caption, so a screen reader reads the full description once.
        return render("figure.html", title=self.ax.get_title(), encoded=encoded, summary=self.summary,
                      width=round(FIGURE_SIZE[0] * DPI))

    def __repr__(self) -> str:
        return self.summary


FIGURES: dict[str, tuple[Callable[..., "Axes"], Callable[[], str]]] = {
    "support_types": (plot_support_types, describe_support_types),
}


def figure(name: str, ax: "Axes | None" = None) -> FigureView:
    """Draw one of the course's explanatory figures by name, with its text description.

    >>> from peerkit.figures import figure
    >>> view = figure("support_types")
    >>> view.summary == describe_support_types()
    True
    """
    if name not in FIGURES:
        raise ContentError(f"There is no figure {name!r}. Known figures: {', '.join(sorted(FIGURES))}.")
    plot, describe = FIGURES[name]
    if ax is None:
        # A Figure that pyplot does not track: Jupyter shows it once, through FigureView,
        # and it is freed with the view instead of piling up in pyplot's registry.
        from matplotlib.figure import Figure

        canvas = Figure(figsize=FIGURE_SIZE)
        canvas.subplots_adjust(**MARGINS)
        ax = canvas.add_subplot()
    plot(ax)
    return FigureView(name=name, ax=ax, summary=describe())


def figure_names() -> list[str]:
    """Names accepted by :func:`figure`."""
    return sorted(FIGURES)
