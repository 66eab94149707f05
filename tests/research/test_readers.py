"""Exported CSV cells are the same rows in every reader, and no reader finds a formula.

Learner text with carriage returns, line feeds, commas, quotes, formula starts
after spaces or control characters goes into a microdata package; the CSV is
then opened with Python's csv module, pandas and LibreOffice Calc (headless,
with "evaluate formulas" switched on, the most dangerous import setting). All
three must see the same rows and cells; LibreOffice must hold no formula cell.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from peerkit.research import export_frame, load

from .conftest import KEY

HOSTILE = [
    "\r=cmd|' /C calc'!A0",
    "  =1+1",
    "\t=2+2",
    "\x01=3+3",
    "@SUM(1,2)",
    "-2+3",
    "+44 is a country code",
    "first line\r\nsecond line\rthird line\nfourth",
    'a "quoted" word, and a comma',
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "\u00a0=4+4",
    "'=already quoted",
]
NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}


def hostile_frame() -> pd.DataFrame:
    rows = []
    for n in range(12):
        learner = f"learner-{n:012d}"
        rows.append({"cohort": "cohort-readers", "learner": learner, "exercise": "boundaries_reflection",
                     "item": "R1", "value": {"text": HOSTILE[n], "share": True},
                     "answered_at": "2025-03-04T10:00:00Z"})
        rows.append({"cohort": "cohort-readers", "learner": learner, "exercise": "core_skills", "item": "C01",
                     "value": 1 + n % 5, "answered_at": "2025-03-04T10:00:00Z"})
    return pd.DataFrame(rows)


def paragraph_text(element: ElementTree.Element) -> str:
    """An ODF paragraph's text, with its space runs (text:s), tabs and line breaks put back."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.split("}")[1]
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{NS['text']}}}c", "1")))
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        else:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def libreoffice_rows(path: Path, work: Path) -> tuple[list[list[str]], int]:
    """Rows of the CSV as LibreOffice Calc imports it (formulas evaluated), and how many formula cells it made."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing; .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    # separator, quote, UTF-8, from line 1, no column formats, default language, quoted fields not forced to text,
    # detect special numbers, (export options), evaluate formulas: on
    infilter = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"
    profile = (work / "profile").as_uri()
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    f"--infilter={infilter}", "--convert-to", "ods", "--outdir", str(work), str(path)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(work / (path.stem + ".ods")) as ods:
        root = ElementTree.fromstring(ods.read("content.xml"))
    rows, formulas = [], 0
    for row in root.iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row.findall("table:table-cell", NS):
            if cell.get(f"{{{NS['table']}}}formula"):
                formulas += 1
            text = "\n".join(paragraph_text(p) for p in cell.findall("text:p", NS))
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells.extend([text] * min(repeat, 50))
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append(cells)
    return rows, formulas


def test_same_rows_in_csv_pandas_and_libreoffice_and_no_formula(tmp_path):
    export_frame(hostile_frame(), tmp_path / "pkg", KEY, tier="microdata", include_texts=True)
    path = tmp_path / "pkg/data/boundaries_reflection.responses.csv"

    with open(path, newline="", encoding="utf-8") as stream:
        by_csv = list(csv.reader(stream))
    assert len(by_csv) == 1 + 12 and all(len(row) == len(by_csv[0]) for row in by_csv)
    by_pandas = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert by_pandas.values.tolist() == by_csv[1:] and list(by_pandas.columns) == by_csv[0]

    by_office, formulas = libreoffice_rows(path, tmp_path)
    assert formulas == 0
    assert len(by_office) == len(by_csv), "LibreOffice split or merged rows"
    values = [row[by_csv[0].index("value")] for row in by_csv[1:]]
    office_values = [row[by_csv[0].index("value")] for row in by_office[1:]]
    assert office_values == values
    for value in values:  # every cell that could start a formula is guarded
        assert value.lstrip("'") == value or value.startswith("'")
        assert not value.lstrip(" \u00a0").startswith(("=", "+", "-", "@")) or value.startswith("'")
        assert "\r" not in value

    loaded = load(tmp_path / "pkg")
    assert loaded.ok, loaded.problems
    texts = set(loaded.frame.query("exercise == 'boundaries_reflection'")["value"])
    assert "first line\nsecond line\nthird line\nfourth" in texts  # line breaks normalised at the boundary
    assert "  =1+1" in texts and "'=already quoted" in texts  # the guard is undone on load
