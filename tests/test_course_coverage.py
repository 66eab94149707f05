"""The course teaches every fact group of its source documents.

Each group below is a list from the sources in ``shared/sources`` (the eleven core
skills, the eight principles, the four dimensions of recovery ...). Every fact is
written as a few key terms, chosen to survive paraphrase; a fact counts as taught
when each of its terms appears in the course text: the Markdown cells of the chapter
notebooks or the strings of the exercise and content data files.

Matching is case-insensitive, treats hyphens and dashes as spaces, and anchors each
term at the start of a word (so ``ward`` finds "wards" but not "towards"). A term
``a|b`` is satisfied by either alternative.

Groups marked *together* are lists the sources teach as a set, so at least one
Markdown cell or data file must name every fact of the group at once: a list spread
thinly over the course does not count as teaching it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "peerkit" / "data"
DATA_FOLDERS = (DATA / "exercises", DATA / "content")

Facts = dict[str, list[str]]


@dataclass(frozen=True)
class Group:
    name: str
    source: str
    size: int
    facts: Facts
    together: bool = False
    #: for a *together* group: a term naming the list itself, which its home must also contain
    anchor: str = ""


# 001, section 1.3 (after Peer Support Canada)
CORE_SKILLS: Facts = {
    "Building interpersonal relations": ["interpersonal"],
    "Demeanour": ["demeanour|demeanor"],
    "Communication": ["communication"],
    "Critical thinking": ["critical thinking"],
    "Inspiring hope": ["inspiring hope|inspire hope"],
    "Self-management & resiliency": ["self management", "resilien"],
    "Flexibility & adaptability": ["flexib", "adaptab"],
    "Self-awareness & confidence": ["self awareness", "confiden"],
    "Taking initiative & committing": ["initiative", "commit"],
    "Teamwork": ["teamwork|team work"],
    "Continuous learning & development": ["continuous learning|lifelong learning|ongoing learning"],
}

# 003, the eight principles of peer support
PRINCIPLES: Facts = {
    "voluntary": ["voluntary"],
    "non-judgmental": ["non judgmental|non judgemental|nonjudgmental|without judging|without judgement"],
    "empathetic": ["empath"],
    "respectful": ["respect"],
    "honest and direct communication": ["honest", "direct"],
    "mutual responsibility": ["mutual responsibility|shared responsibility"],
    "sharing power": ["sharing power|share power|shared power|power sharing"],
    "reciprocal": ["reciproc"],
}

# 001, section 1.4
CONTEXTS: Facts = {
    "informal peer support": ["informal"],
    "clubhouse / walk-in centre": ["clubhouse|walk in"],
    "self-help, mutual peer support": ["self help", "mutual"],
    "peer-run services in the community": ["peer run", "community"],
    "workplace peer support": ["workplace|at work"],
    "community-setting clinical peer support": ["outpatient|case management|assertive community"],
    "clinical / conventional mental-health system": ["inpatient|ward|hospital"],
}

# 000, section 2.1: the 27 rows of the boundary table, checked against boundaries.json item by item
BOUNDARY_ITEMS: Facts = {
    "B01": ["giv", "hug"],
    "B02": ["accept|receiv", "hug"],
    "B03": ["phone"],
    "B04": ["social media"],
    "B05": ["support group"],
    "B06": ["social event|party"],
    "B07": ["alcohol"],
    "B08": ["decid|decision", "best"],
    "B09": ["choice|option", "best"],
    "B10": ["gift|present", "giv|buy"],
    "B11": ["money", "giv|lend"],
    "B12": ["gift|present", "accept|tak|receiv"],
    "B13": ["money", "accept|tak|receiv", "paid"],
    "B14": ["your home|your house"],
    "B15": ["person's home|their home|person's house"],
    "B16": ["sexual|romantic"],
    "B17": ["sexual|romantic", "family"],
    "B18": ["confidence|confidential"],
    "B19": ["harm|consequence"],
    "B20": ["medication"],
    "B21": ["treatment"],
    "B22": ["recovery", "doubt|skeptic|sceptic"],
    "B23": ["struggle"],
    "B24": ["success"],
    "B25": ["sponsor"],
    "B26": ["confidential", "plan"],
    "B27": ["friend"],
}

# 000, section 2.4 (SAMHSA 2012)
DIMENSIONS: Facts = {
    "Health": ["health", "wellbeing|well being"],
    "Home": ["home", "safe|stable"],
    "Purpose": ["purpose", "mean"],
    "Community": ["community", "relationship|friendship|network"],
}

# 000, section 2.4 (adapted after Doran 1981)
SMART: Facts = {
    "Specific": ["specific"],
    "Meaningful": ["meaningful"],
    "Achievable": ["achievable"],
    "Realistic": ["realistic"],
    "Time-limited": ["time limited|time bound"],
}

# 000, section 2.5
TRAUMA_PRINCIPLES: Facts = {
    "safety": ["safety"],
    "trustworthiness": ["trustworth"],
    "choice": ["choice"],
    "collaboration": ["collaborat"],
    "empowerment": ["empower"],
}

# 000, section 2.3 (Copeland 2016)
WRAP: Facts = {
    "recovery is endless": ["recovery", "endless|no ceiling|no limit|no end|never ends|no finish"],
    "the peer is the expert, many paths": ["expert", "many paths|many roads|many routes|multiple paths|different roads"],
    "acceptance of the person": ["accept", "as they are"],
    "hopefulness": ["hope"],
    "focus on strengths, express confidence": ["strength", "believe in|confidence in"],
    "validate experience": ["validat"],
    "provide choices and options": ["choice", "option"],
    "be an example of hope and recovery": ["example|role model"],
}

# 002, the eleven sessions of the training
SESSIONS: Facts = {
    "1 introduction": ["introduc", "confidentiality"],
    "2 what is recovery": ["what is recovery"],
    "3 personal recovery": ["personal recovery"],
    "4 what is peer support": ["what is peer support"],
    "5 the peer relationship": ["peer relationship"],
    "6 review and evaluation (halfway)": ["review", "halfway|half way|midway"],
    "7 use of language and communications": ["recovery language|language of recovery", "communication"],
    "8 using your experiences effectively": ["using your experience|sharing your experience|share your experience",
                                             "intentional"],
    "9 surviving and thriving": ["surviving and thriving"],
    "10 positive risk taking and boundaries": ["positive risk", "boundar"],
    "11 review and evaluation (end)": ["evaluation", "end of course|end of the course|final|last chapter"],
}

GROUPS = [
    Group("core skills", "001 §1.3", 11, CORE_SKILLS),
    Group("principles of peer support", "003", 8, PRINCIPLES, together=True, anchor="principle"),
    Group("contexts for peer support", "001 §1.4", 7, CONTEXTS, together=True),
    Group("dimensions of recovery", "000 §2.4", 4, DIMENSIONS, together=True, anchor="dimension"),
    Group("SMART criteria", "000 §2.4", 5, SMART, together=True, anchor="smart|doran"),
    Group("trauma-informed guiding principles", "000 §2.5", 5, TRAUMA_PRINCIPLES, together=True,
          anchor="principle"),
    Group("WRAP principles", "000 §2.3", 8, WRAP, together=True, anchor="wrap|copeland"),
    Group("sessions of the training", "002", 11, SESSIONS),
]


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[-\u2010-\u2015]", " ", text)
    return re.sub(r"\s+", " ", text)


def has_term(text: str, term: str) -> bool:
    """``term`` (alternatives split by ``|``) starts a word somewhere in already-normalised ``text``."""
    return any(
        re.search(r"(?<![a-z0-9])" + re.escape(normalise(alternative).strip()), text)
        for alternative in term.split("|")
    )


def teaches(text: str, terms: list[str]) -> bool:
    return all(has_term(text, term) for term in terms)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def chapter_notebooks() -> list[Path]:
    chapters = json.loads((DATA / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    return [NOTEBOOKS / chapter["notebook"] for chapter in chapters]


@lru_cache(maxsize=1)
def course_documents() -> dict[str, str]:
    """Every unit of course text, normalised: one entry per Markdown cell and per data file."""
    documents: dict[str, str] = {}
    for path in chapter_notebooks():
        if not path.is_file():
            continue  # reported by test_every_chapter_notebook_exists
        notebook = nbformat.read(path, as_version=4)
        for number, cell in enumerate(notebook.cells):
            if cell.cell_type == "markdown":
                documents[f"{path.name} cell {number}"] = normalise(cell.source)
    for folder in DATA_FOLDERS:
        for path in sorted(folder.glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            documents[f"{folder.name}/{path.name}"] = normalise("\n".join(_strings(raw)))
    return documents


def test_every_chapter_notebook_exists() -> None:
    missing = [path.name for path in chapter_notebooks() if not path.is_file()]
    assert not missing, f"chapters.json lists notebooks that do not exist: {missing}"


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_fact_group_is_taught(group: Group) -> None:
    assert len(group.facts) == group.size, f"{group.name}: the source ({group.source}) lists {group.size} facts"
    everything = "\n".join(course_documents().values())
    untaught = {
        fact: [term for term in terms if not has_term(everything, term)]
        for fact, terms in group.facts.items()
        if not teaches(everything, terms)
    }
    assert not untaught, (
        f"The course does not teach these {group.name} from {group.source} "
        f"(missing terms per fact): {untaught}. Add them to a chapter's Markdown or an exercise file."
    )
    if group.together:
        homes = [
            name for name, text in course_documents().items()
            if all(teaches(text, terms) for terms in group.facts.values())
            and (not group.anchor or has_term(text, group.anchor))
        ]
        assert homes, (
            f"No single Markdown cell or data file presents all {group.size} {group.name} together"
            + (f" and names the list ({group.anchor!r})" if group.anchor else "") + "; "
            f"teach the list as one list (source: {group.source})."
        )


def test_boundary_matrix_has_every_row_of_the_source_table() -> None:
    boundaries = json.loads((DATA / "exercises" / "boundaries.json").read_text(encoding="utf-8"))
    rows = {item["id"]: normalise(item["text"]) for item in boundaries["items"]}
    assert sorted(rows) == sorted(BOUNDARY_ITEMS), "boundaries.json must have exactly the items B01..B27"
    wrong = {
        item: [term for term in terms if not has_term(rows[item], term)]
        for item, terms in BOUNDARY_ITEMS.items()
        if not teaches(rows[item], terms)
    }
    assert not wrong, f"These boundary rows no longer say what the source table says (missing terms): {wrong}"


def test_matching_anchors_terms_at_word_starts_and_ignores_case_and_hyphens() -> None:
    text = normalise("Moving TOWARDS Self-Awareness, on the wards; time\u2013limited goals")
    assert has_term(text, "self awareness")
    assert has_term(text, "Time-Limited")
    assert has_term(text, "ward")            # "wards"
    assert not has_term(normalise("walking towards home"), "ward")
    assert has_term(text, "nothing here|goals")
    assert not teaches(text, ["goals", "zebra"])


def test_an_untaught_fact_is_reported() -> None:
    # guards the test itself: a made-up fact must not count as taught
    everything = "\n".join(course_documents().values())
    assert everything, "no course text found: are the notebooks and data files where the test expects them?"
    assert not teaches(everything, ["qwzx peer support unicorn"])
