"""The projector's HTML chart: same shares as the matplotlib chart, escaped, small groups suppressed."""
from __future__ import annotations

import re

import pandas as pd

from peerkit.charts_html import choice_split_html
from peerkit.reference import reference_responses


def test_every_item_is_a_row_with_its_shares_in_words() -> None:
    html = choice_split_html(reference_responses("boundaries"), exercise="boundaries", group_label="test group")
    assert html.count('role="listitem"') == 27
    assert "How the test group answered (n = 40)" in html
    # B16 is 98% never in the synthetic group: the hidden text says so for screen readers
    assert "Never OK 98%" in html


def test_segment_widths_of_a_row_add_up_to_the_whole_bar() -> None:
    data = pd.DataFrame([{"learner": f"p{n}", "item": "B01", "value": v}
                         for n, v in enumerate(["never", "never", "maybe", "always", "always"])])
    html = choice_split_html(data, exercise="boundaries")
    first_row = html.split('role="listitem"')[1]
    widths = [float(w) for w in re.findall(r"width:([0-9.]+)%;background", first_row)]
    assert sum(widths) == 100.0
    # 40% never plus half of the 20% maybe sit left of the centre line
    left, width = (float(x) for x in re.search(r'class="pk-bar" style="left:([0-9.]+)%;width:([0-9.]+)%', first_row).groups())
    centre = float(re.search(r'pk-centre" aria-hidden="true" style="left:([0-9.]+)%', first_row).group(1))
    assert abs(left + width * 0.5 - centre) < 0.01
    # the bars reach as far as the data does (plus a small margin), so they use the whole width
    assert width > 90


def test_learner_visible_text_is_escaped() -> None:
    data = pd.DataFrame([{"learner": f"p{n}", "item": "B01", "value": "never"} for n in range(5)])
    html = choice_split_html(data, exercise="boundaries", group_label="<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_small_groups_are_not_drawn() -> None:
    data = pd.DataFrame([{"learner": f"p{n}", "item": "B01", "value": "never"} for n in range(4)])
    html = choice_split_html(data, exercise="boundaries")
    assert "listitem" not in html and "fewer than 5 answers" in html and "4 people" not in html


def test_rating_profile_has_a_row_per_item_with_average_and_own_rating_in_words() -> None:
    from peerkit.charts_html import rating_profile_html

    html = rating_profile_html(reference_responses("core_skills"), exercise="core_skills", own={"C01": 5})
    assert html.count('role="listitem"') == 11
    assert "group average" in html and "your rating 5" in html


def test_matplotlib_and_html_charts_use_the_same_scales() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from peerkit import charts
    from peerkit.charts_html import rating_profile_html

    group = reference_responses("boundaries")
    ax = charts.plot_choice_split(group, exercise="boundaries")
    low, high = ax.get_xlim()
    html = choice_split_html(group, exercise="boundaries")
    centre = float(re.search(r'pk-centre" aria-hidden="true" style="left:([0-9.]+)%', html).group(1))
    # the centre line stands at the same fraction of the width in both
    assert abs(centre / 100 - (-low) / (high - low)) < 1e-4
    plt.close("all")

    ratings = reference_responses("core_skills")
    ax = charts.plot_rating_profile(ratings, exercise="core_skills", own={"C01": 4})
    low, high = ax.get_xlim()
    assert (low, high) == (0.5, 5.5)  # half a step of room beyond each end, as in the HTML
    html = rating_profile_html(ratings, exercise="core_skills", own={"C01": 4})
    mark = float(re.search(r'pk-own-mark" aria-hidden="true" data-value="4" style="left:([0-9.]+)%', html).group(1))
    assert abs(mark / 100 - (4 - low) / (high - low)) < 1e-4
    ticks = [float(x) for x in re.findall(r'class="pk-tick" data-value="\d" style="left:([0-9.]+)%', html)]
    assert [round(t / 100 * (high - low) + low, 6) for t in ticks] == [float(t) for t in ax.get_xticks()]
    plt.close("all")


def test_a_share_that_cannot_fit_is_still_in_the_table() -> None:
    html = choice_split_html(reference_responses("boundaries"), exercise="boundaries")
    # B16: 98% never, 2% maybe, 0% always; the 2% segment is too narrow for its label, the table has it
    row = re.search(r'<tr><th scope="row">16\. [^<]*</th>(.*?)</tr>', html).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["98% (39)", "2% (1)", "0% (0)", "40"]
