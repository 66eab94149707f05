"""The HTML charts read right in Chromium at 1024 and 1440 px: marks stand at their values, no label is cut.

Each chart is drawn into a plain page as wide as a JupyterLab output area at that
window width (15 px body text, as the course's), screenshotted to
``test-artifacts/screenshots/chart-<name>-<width>.png``, and measured:

- rating profile: every "your rating" diamond stands over its number on the scale;
  every average bar ends at its value; the "middle half" lines and every scale label
  lie inside the scale; scale labels do not overlap;
- boundary chart: every share shown lies wholly inside its segment (so it can never be
  cut into another number) and reads the segment's own share; the bars reach both
  ends of the track (full width); "n=40" stands apart from the item labels, which take
  at most two lines and are at least 14 px.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = [1024, 1440]
#: JupyterLab's side bar, prompts and margins take about this much of the window.
CHROME = 190


def _page(browser: Any, width: int, html: str, name: str) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_content(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='margin:0;font:15px/1.5 system-ui, sans-serif'>"
        f"<main style='width:{width - CHROME}px;padding:12px 16px'>{html}</main></body></html>")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"chart-{name}-{width}.png"), full_page=True)
    return page


def _rating_html(exercise: str) -> str:
    from peerkit.charts_html import rating_profile_html
    from peerkit.reference import reference_responses

    from peerkit.exercises import load_exercise

    own = dict(zip(load_exercise(exercise).item_ids, [1, 2, 3, 4, 5, 4, 3, 2, 1, 5, 4]))
    return rating_profile_html(reference_responses(exercise), exercise=exercise, own=own)


MEASURE_RATING = """() => {
  const box = el => el.getBoundingClientRect();
  const ticks = Object.fromEntries([...document.querySelectorAll('.pk-tick')].map(t =>
      [t.dataset.value, {value: box(t.querySelector('.pk-tick-value')), whole: box(t)}]));
  const scale = box(document.querySelector('.pk-scale'));
  const rows = [...document.querySelectorAll('.pk-row[data-item]')].map(row => {
    const track = box(row.querySelector('.pk-track'));
    const own = row.querySelector('.pk-own-mark');
    const mean = row.querySelector('.pk-mean');
    const middle = row.querySelector('.pk-middle');
    return {item: row.dataset.item, track: {left: track.left, right: track.right},
            own: own && {value: own.dataset.value, centre: (box(own).left + box(own).right) / 2},
            mean: mean && box(mean).right, meanLeft: mean && box(mean).left, middle: middle && {left: box(middle).left, right: box(middle).right},
            label: box(row.querySelector('.pk-label')).height,
            labelFont: parseFloat(getComputedStyle(row.querySelector('.pk-label')).fontSize)};
  });
  return {ticks, scale: {left: scale.left, right: scale.right}, rows};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("exercise", ["core_skills", "recovery_dimensions"])
def test_rating_marks_and_labels_stand_at_their_values(browser, width: int, exercise: str) -> None:
    from peerkit.group_view import GroupView
    from peerkit.reference import reference_responses

    page = _page(browser, width, _rating_html(exercise), f"rating-{exercise}")
    try:
        found = page.evaluate(MEASURE_RATING)
    finally:
        page.close()
    ticks, scale = found["ticks"], found["scale"]
    view = GroupView.from_answers(reference_responses(exercise), exercise)
    # scale labels: inside the scale, in order, not overlapping
    ordered = [ticks[str(v)] for v in sorted(int(k) for k in ticks)]
    for tick in ordered:
        assert tick["whole"]["left"] >= scale["left"] - 0.5 and tick["whole"]["right"] <= scale["right"] + 0.5
    for a, b in zip(ordered, ordered[1:]):
        assert a["whole"]["right"] <= b["whole"]["left"] + 0.5, "scale labels overlap"
    low, high = sorted(int(k) for k in ticks)[0] - 0.5, sorted(int(k) for k in ticks)[-1] + 0.5
    for row in found["rows"]:
        track = row["track"]
        assert abs(track["left"] - scale["left"]) < 0.5 and abs(track["right"] - scale["right"]) < 0.5

        def x(value: float) -> float:
            return track["left"] + (value - low) / (high - low) * (track["right"] - track["left"])

        if row["own"]:
            tick = ticks[row["own"]["value"]]["value"]
            assert tick["left"] <= row["own"]["centre"] <= tick["right"], \
                f"{row['item']}: the diamond for {row['own']['value']} is not over its label"
            assert abs(row["own"]["centre"] - x(float(row["own"]["value"]))) < 1.5
        rating = view.rating(row["item"])
        mean = rating.mean
        assert abs(row["mean"] - x(mean)) < 1.5, f"{row['item']}: the average bar does not end at {mean:.2f}"
        # issue 22: the bar starts at the scale's first value, not half a step below it
        first = ticks[str(sorted(int(k) for k in ticks)[0])]["value"]
        assert abs(row["meanLeft"] - x(low + 0.5)) < 1.5 and first["left"] <= row["meanLeft"] <= first["right"], \
            f"{row['item']}: the average bar starts at {row['meanLeft']}, not at the scale's first value"
        # the middle half runs between two whole steps of the scale, or is not drawn
        if rating.low_quartile == rating.high_quartile:
            assert row["middle"] is None
        else:
            assert abs(row["middle"]["left"] - x(rating.low_quartile)) < 1.5
            assert abs(row["middle"]["right"] - x(rating.high_quartile)) < 1.5
        assert row["labelFont"] >= 14
        assert row["label"] <= 2.7 * row["labelFont"] * 1.25, f"{row['item']}: the label takes 3 lines or more"


MEASURE_SPLIT = """() => {
  const box = el => el.getBoundingClientRect();
  return [...document.querySelectorAll('.pk-row[data-item]')].map(row => {
    const track = box(row.querySelector('.pk-track'));
    const bar = row.querySelector('.pk-bar');
    const label = row.querySelector('.pk-label');
    return {item: row.dataset.item, track: {left: track.left, right: track.right},
      bar: bar && {left: box(bar).left, right: box(bar).right},
      label: {height: box(label).height, text: label.innerText, right: box(label).right,
              font: parseFloat(getComputedStyle(label).fontSize)},
      n: row.querySelector('.pk-n').innerText, nLeft: box(row.querySelector('.pk-n')).left,
      segments: [...row.querySelectorAll('.pk-seg')].map(seg => {
        const share = seg.querySelector('.pk-share');
        const shown = share && getComputedStyle(share).display !== 'none';
        return {title: seg.title, seg: {left: box(seg).left, right: box(seg).right, top: box(seg).top,
                bottom: box(seg).bottom}, shown, text: shown ? share.innerText : '',
                share: shown ? {left: box(share).left, right: box(share).right, top: box(share).top,
                                bottom: box(share).bottom, scroll: share.scrollWidth, client: share.clientWidth} : null};
      })};
  });
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_boundary_shares_never_clip_and_bars_use_the_width(browser, width: int) -> None:
    from peerkit.charts_html import choice_split_html
    from peerkit.reference import reference_responses

    html = choice_split_html(reference_responses("boundaries"), exercise="boundaries",
                             own={"B01": "never", "B16": "always", "B23": "maybe"})
    page = _page(browser, width, html, "boundaries")
    try:
        rows = page.evaluate(MEASURE_SPLIT)
    finally:
        page.close()
    assert len(rows) == 27
    shown = hidden = 0
    for row in rows:
        for segment in row["segments"]:
            share_of_segment = segment["title"].rsplit(": ", 1)[1]
            if not segment["shown"]:
                hidden += 1
                continue
            shown += 1
            box, seg = segment["share"], segment["seg"]
            assert box["left"] >= seg["left"] - 0.5 and box["right"] <= seg["right"] + 0.5, \
                f"{row['item']}: {segment['text']!r} sticks out of its segment (would be cut)"
            assert box["scroll"] <= box["client"] + 1
            assert segment["text"] == share_of_segment, f"{row['item']}: shows {segment['text']} for {share_of_segment}"
        assert "n=" not in row["label"]["text"] and row["n"] == "n=40"
        assert row["nLeft"] >= row["label"]["right"]
        assert row["label"]["font"] >= 14
        # a short item text takes at most two lines; only the longest (over 70 characters) may take three
        lines = 3 if len(row["label"]["text"]) > 70 else 2
        assert row["label"]["height"] <= (lines + 0.7) * row["label"]["font"] * 1.25, \
            f"{row['item']}: label {row['label']['text']!r} on more than {lines} lines"
    assert shown > 27 and hidden > 0  # most shares shown; those that cannot fit are hidden, not cut
    track = rows[0]["track"]
    width_px = track["right"] - track["left"]
    assert min(r["bar"]["left"] for r in rows) - track["left"] < 0.03 * width_px, "bars do not reach the left end"
    assert track["right"] - max(r["bar"]["right"] for r in rows) < 0.03 * width_px, "bars do not reach the right end"


@pytest.mark.parametrize("width", WIDTHS)
def test_checkin_profile_marks_stand_at_their_values(browser, width: int) -> None:
    from peerkit.charts_html import checkin_profile_html
    from peerkit.exercises import load_exercise

    exercise = load_exercise("recovery_dimensions")
    html = checkin_profile_html(exercise, dict(zip(exercise.item_ids, [4, 2, 5, 1])),
                                dict(zip(exercise.item_ids, [2, 2, 3, 1])), first_when="1 March 2026")
    page = _page(browser, width, html, "checkin")
    try:
        found = page.evaluate(MEASURE_RATING)
    finally:
        page.close()
    assert "average" not in html.lower() and "group" not in html.lower()
    for row in found["rows"]:
        tick = found["ticks"][row["own"]["value"]]["value"]
        assert tick["left"] <= row["own"]["centre"] <= tick["right"]
