"""The human side of a package: codebook, README and data-use notice (Markdown, from the exercise definitions).

Only course text and numbers go into these files, never learner text; table
cells are still escaped (``|``, ``<``, ``>``, ``&``) so wording shows as written.
"""
from __future__ import annotations

from typing import Any

from .instruments import CHOICE_SEPARATOR, OPTION_FACTS
from .package import resource_path

CITATION = ("{author} ({year}). {title} [data set, {tier} tier]. Exported with peerkit {version} on {date}. "
            "Course text: peerkit, CC BY 4.0.")


#: Column headings of an option's further facts (a scenario's responses: how helpful, where it leads, feedback).
FACT_HEADINGS = {"quality": "quality", "next": "leads to", "feedback": "feedback"}


def _cell(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\n", " "))


def codebook(exercises: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    """Every exercise in the package: file, chapter, value type, scale or options, items' wording."""
    tier = meta["tier"]
    lines = [f"# Codebook: {meta['title']}", "",
             f"Tier: **{tier}**. k = {meta['min_cell']}. "
             + ("Counts and shares only; every count under k is hidden, and enough others that none can be worked "
                "out from the totals." if tier == "aggregate" else
                "Pseudonymous rows for a research team under a data-use agreement (see DATA-USE.md)."), "",
             "Missing values are empty fields. Knowledge-check answers list the chosen options joined by "
             f"`{CHOICE_SEPARATOR}`; the correct options are marked below.", ""]
    for exercise_id, record in sorted(exercises.items()):
        files = ([resource_path(exercise_id, "counts"), resource_path(exercise_id, "totals")] if tier == "aggregate"
                 else [resource_path(exercise_id, "responses")])
        lines += [f"## {_cell(record['title'])} (`{exercise_id}`)", "",
                  f"- Chapter: {_cell(record['chapter_title'])} (`{record['chapter']}`)",
                  f"- Kind: {record['kind']}; value type: {record['value_type']}",
                  f"- File(s): {', '.join(f'`{f}`' for f in files)}", ""]
        if record["scale"]:
            lines += ["| value | label |", "| --- | --- |"]
            lines += [f"| {_cell(o['value'])} | {_cell(o['label'])} |" for o in record["scale"]]
            lines.append("")
        if record.get("item_pattern"):
            lines += [f"Items are made by the learner (one per goal), ids matching `{record['item_pattern']}`.", ""]
        lines += ["| item | wording |", "| --- | --- |"]
        lines += [f"| `{item['id']}` | {_cell(item['text'])} |" for item in record["items"]]
        lines.append("")
        for item in record["items"]:
            if "options" not in item:
                continue
            correct = set(map(str, item.get("correct", [])))
            facts = [fact for fact in OPTION_FACTS if any(fact in o for o in item["options"])]
            lines += [f"### {exercise_id} `{item['id']}`" + (" (several options may be chosen)"
                                                             if item.get("multiple") else ""), "",
                      "| option | label | correct |" + "".join(f" {FACT_HEADINGS[f]} |" for f in facts),
                      "| --- | --- | --- |" + " --- |" * len(facts)]
            lines += [f"| `{o['value']}` | {_cell(o['label'])} | {'yes' if str(o['value']) in correct else ''} |"
                      + "".join(f" {_cell(o.get(f, ''))} |" for f in facts)
                      for o in item["options"]]
            lines.append("")
    return "\n".join(lines)


def readme(meta: dict[str, Any], resources: list[dict[str, Any]]) -> str:
    tier = meta["tier"]
    lines = [f"# {meta['title']}", "",
             f"**Tier: {tier}.** " + (
                 "This package holds counts and shares only, safe to publish: every count under "
                 f"k = {meta['min_cell']} is suppressed (left empty, `suppressed` true), and further counts or totals "
                 "are suppressed so that no hidden count can be worked out from the row and column totals."
                 if tier == "aggregate" else
                 "This package holds pseudonymous answers, one row per answer, for the research team named in the "
                 "data-use agreement only. Read DATA-USE.md before opening it. Do not publish it."), "",
             f"- Exported on {meta['exported_on']} with peerkit {meta['peerkit_version']}"
             + (" from **SYNTHETIC** data (invented learners)" if meta.get("synthetic") else "") + ".",
             f"- Cohorts: {', '.join(meta['cohorts'])} (cohorts with fewer than k learners are left out).",
             *([f"- Times: coarsened to the {meta['time_resolution']}, so that every cohort and period holds at "
                f"least k learners.",
                "- Learners: research pseudonyms re-keyed for this export with the researcher's key (never stored "
                "here).",
                "- Free text: only where the learner chose to share it, with contact details removed."]
               if tier == "microdata" else
               ["- No learner-level rows, no times and no free text: counts of answers picked from a list only."]),
             "",
             "## Files", ""]
    lines += [f"- `{r['path']}`: {r['title']}" for r in resources]
    lines += ["- `codebook.md`: every item's wording, scale and labels, options and correct answers, chapter.",
              "- `datapackage.json`: the table schema of every file (Frictionless Data Package).", "",
              "## Opening it", "", "```python",
              "from frictionless import Package      # pip install frictionless",
              "package = Package(\"datapackage.json\")",
              f"frame = package.get_resource(\"{resources[0]['name']}\").to_pandas()" if resources else "",
              "", "import pandas as pd                  # or plain pandas",
              f"frame = pd.read_csv(\"{resources[0]['path']}\", keep_default_na=False, na_values=[\"\"])"
              if resources else "",
              "", "from peerkit.research import load    # or peerkit, which checks everything first",
              "result = load(\".\")", "```", "",
              "In R: `frictionless::read_package(\"datapackage.json\")`. Validate with `frictionless validate "
              "datapackage.json`.", "", "## Licence and citation", "",
              f"- Data: {meta['licence']['title']}.",
              f"- Course text (item wording, labels): {meta['course_licence']['title']}.",
              f"- Cite as: {meta['citation']}", ""]
    return "\n".join(lines)


def data_use_notice(meta: dict[str, Any]) -> str:
    return "\n".join([
        "# Data-use notice", "",
        f"This package is **microdata**: one row per answer, under research pseudonyms (k = {meta['min_cell']}).",
        "It was exported for a research team under a data-use agreement. By opening it you agree to:", "",
        "1. use it only for the purpose in that agreement, and only within the team it names;",
        "2. make no attempt to identify any learner, or to link these rows with other data about them;",
        "3. keep it on access-controlled storage and delete it when the agreement ends;",
        "4. publish only aggregate results in which every figure rests on at least k learners;",
        "5. report at once to the data controller (the trainer or organisation that exported it) any breach.", "",
        "Pseudonyms are re-keyed per export with the researcher's key, which is not in the package; "
        "dates are coarsened so that every cohort and period holds at least k learners; shared free text had "
        "e-mail addresses, phone numbers, web addresses and social handles removed by a program, which cannot "
        "catch names and other details: read it before quoting it.", ""])
