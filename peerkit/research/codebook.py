"""The human side of a package: codebook, README and data-use notice (Markdown, from the exercise definitions).

Only course text and numbers go into these files, never learner text; table
cells are still escaped (``|``, ``<``, ``>``, ``&``) so wording shows as written.
"""
from __future__ import annotations

from typing import Any

from .instruments import CHOICE_SEPARATOR, OPTION_FACTS
from .package import FORMULA_GUARD, resource_path

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
             f"Tier: **{tier}**. k = {meta['min_cell']} (a cohort whose trainer set a larger group size keeps it: "
             + ", ".join(f"{c} {k}" for c, k in sorted(meta.get("cohort_min_cell", {}).items())) + "). "
             + ("Counts and shares per cohort only; every count under k is hidden, and enough others that none can "
                "be worked out from the cohort's total. " + _noise_sentence(meta) if tier == "aggregate" else
                "Pseudonymous rows for a research team under a data-use agreement (see DATA-USE.md)."), "",
             "Missing values are empty fields. Knowledge-check answers list the chosen options joined by "
             f"`{CHOICE_SEPARATOR}`; the correct options are marked below. Scales are ordered: the values below "
             "run from the lowest to the highest (`categoriesOrdered` in datapackage.json).", "",
             f"Text cells: {FORMULA_GUARD}", "",
             "Consent: " + meta.get("consent", ""), ""]
    for exercise_id, record in sorted(exercises.items()):
        files = ([resource_path(exercise_id, "counts"), resource_path(exercise_id, "totals")] if tier == "aggregate"
                 else [resource_path(exercise_id, "responses")])
        lines += [f"## {_cell(record['title'])} (`{exercise_id}`)", "",
                  f"- Chapter: {_cell(record['chapter_title'])} (`{record['chapter']}`)",
                  f"- Kind: {record['kind']}; value type: {record['value_type']}",
                  f"- Personal: {'yes (a personal check-in: never exported)' if record.get('personal') else 'no'}",
                  f"- File(s): {', '.join(f'`{f}`' for f in files)}", ""]
        if record.get("instructions"):
            lines += [f"What learners were asked: {_cell(record['instructions'])}", ""]
        if record["scale"]:
            lines += ["| value | label |", "| --- | --- |"]
            lines += [f"| {_cell(o['value'])} | {_cell(o['label'])} |" for o in record["scale"]]
            lines.append("")
        if record.get("item_pattern"):
            lines += [f"Items are made by the learner (one per goal), ids matching `{record['item_pattern']}`.", ""]
        lines += ["| item | wording | description |", "| --- | --- | --- |"]
        lines += [f"| `{item['id']}` | {_cell(item['text'])} | {_cell(item.get('description', ''))} |"
                  for item in record["items"]]
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
                 "This package holds counts and shares per cohort only, safe to publish: every count under "
                 f"k = {meta['min_cell']} (or the cohort's own larger k) is suppressed (left empty, `suppressed` "
                 "true), and further counts or totals are suppressed so that no hidden count can be worked out from "
                 "the cohort's total. " + _noise_sentence(meta)
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
                "- Free text: only with --include-texts, only where the learner chose to share it and agreed to "
                "research use, with contact details removed (see below for what is and is not removed)."]
               if tier == "microdata" else
               ["- No learner-level rows, no times and no free text: counts of answers picked from a list only."]),
             "",
             *(_noise_section(meta) if tier == "aggregate" else _text_section()),
             "## Consent", "", meta.get("consent", ""), "",
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
              "datapackage.json`.", "",
              f"Text cells: {FORMULA_GUARD}", "",
              f"- Collected: {meta['collection_period']['from']} to {meta['collection_period']['to']} "
              f"({meta['collection_period']['resolution']}). Selection: "
              + ", ".join(f"{k} = {v}" for k, v in meta.get("filters", {}).items() if v is not None) + ".", "",
              "## Licence and citation", "",
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


def _noise_sentence(meta: dict[str, Any]) -> str:
    noise = meta.get("perturbation") or {}
    if not noise:
        return ""
    return (f"Every shown number has cell-key noise added (at most {noise['max_noise']} either way, mean 0, "
            f"variance {noise['noise_variance']}), so the numbers do not add up exactly; no total over several "
            "cohorts is published.")


def _noise_section(meta: dict[str, Any]) -> list[str]:
    noise = meta.get("perturbation") or {}
    if not noise:
        return []
    weights = ", ".join(f"{p}: {share:.4f}" for p, share in noise["noise_distribution"].items())
    return ["## Protection across releases: cell-key perturbation", "",
            f"Method: {noise['method']}. Record keys: {noise['record_keys']}. Cell key: {noise['cell_key']}. "
            f"The noise added to a count depends only on the count and its cell key ({weights}).", "",
            "What it means for your arithmetic:", "",
            f"- every shown count and total is within {noise['max_noise']} of the true number (mean error 0, "
            f"variance {noise['noise_variance']}); a count and a total of the same people get the same noise "
            "(when everyone chose one value, its count equals the total);",
            "- counts do not add up exactly to their cohort's total, and shares are n / the published total "
            "(at most 1);",
            "- the same answers from the same people give the same numbers in every release; when anyone joins, "
            "withdraws or changes an answer, every number of that cohort and exercise gets new noise, so a "
            "difference between two releases is noise, not one person's answer;",
            "- no total over several cohorts, no number of answers and no number of left-out answers is published "
            "(exact ones would undo the protection); the number of learners is perturbed the same way;",
            "- pooling cohorts yourself: add the shown counts, and allow for the noise of each "
            f"(variance {noise['noise_variance']} per number).", ""]


def _text_section() -> list[str]:
    return ["## Free text", "",
            "Removed by a program: e-mail addresses (also spaced or written out: `sam @ example . com`, `sam at "
            "example dot com`), web addresses, phone numbers (also spaced, dotted or spelled out), social handles "
            "with `@` or after a platform's name (`snap: sammyp99`); text is Unicode-normalised and zero-width and "
            "bidi control characters removed first.", "",
            "**Not removed**: people's names, street addresses and places, workplaces, descriptions that identify "
            "someone. Read every text before quoting it.", ""]
