"""Research tools: de-identified exports of cohort answers, loading them, statistics and charts.

>>> from peerkit import research
>>> result = research.load(research.synthetic_cohorts())   # SYNTHETIC cohorts bundled with peerkit
>>> table = research.item_distribution(result.frame, by="cohort")

Everything here works on tidy frames with the columns of an export (cohort,
learner, exercise, item, value, answered_on). Matplotlib and scipy are imported
only inside the functions that draw or test.
"""
from __future__ import annotations

from .charts import (
    describe_diverging_by_cohort,
    describe_item_heatmap,
    plot_diverging_by_cohort,
    plot_item_heatmap,
)
from .comparison import compare_cohorts
from .distributions import item_distribution
from .errors import AlphaUndefinedWarning, ExportError, ResearchKeyError
from .export import ExportReport, export_cohort_server, export_frame, export_submissions
from .goals import smart_goal_completeness
from .item_agreement import item_agreement, most_divided
from .krippendorff import alpha_interval, cohort_alpha, krippendorff_alpha
from .ordinal import cramers_v_corrected, ordinal_comparison
from .load import LoadProblem, LoadResult, load
from .skills import skill_profiles
from .synthetic import synthetic_cohorts, synthetic_package

__all__ = [
    "AlphaUndefinedWarning",
    "ExportError",
    "ExportReport",
    "LoadProblem",
    "LoadResult",
    "ResearchKeyError",
    "alpha_interval",
    "cohort_alpha",
    "compare_cohorts",
    "cramers_v_corrected",
    "describe_diverging_by_cohort",
    "describe_item_heatmap",
    "export_cohort_server",
    "export_frame",
    "export_submissions",
    "item_agreement",
    "item_distribution",
    "krippendorff_alpha",
    "load",
    "most_divided",
    "ordinal_comparison",
    "plot_diverging_by_cohort",
    "plot_item_heatmap",
    "skill_profiles",
    "smart_goal_completeness",
    "synthetic_cohorts",
    "synthetic_package",
]
