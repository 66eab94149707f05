"""A package any reader can use: Data Package v2, ordered categories, ids and versions per release, types."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from peerkit.research import export_frame, load

from .conftest import KEY, make_frame


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("types")
    frame = make_frame({"cohort-north": 12, "cohort-south": 9})
    out = {}
    for tier in ("aggregate", "microdata"):
        export_frame(frame, root / tier, KEY, tier=tier, exported_on="2025-03-31", filters={"exercise": None})
        out[tier] = root / tier
    export_frame(frame, root / "again", KEY, exported_on="2025-03-31")
    export_frame(frame[frame["learner"] != frame["learner"].iloc[0]], root / "changed", KEY, exported_on="2025-03-31")
    out["again"], out["changed"] = root / "again", root / "changed"
    return out


def descriptor(folder):
    return json.loads((folder / "datapackage.json").read_text())


def test_data_package_v2_with_roles_id_version_period_and_filters(packages):
    package = descriptor(packages["aggregate"])
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert "profile" not in package and all("profile" not in r for r in package["resources"])
    assert package["contributors"][0]["roles"] == ["author"]
    assert all(r["type"] == "table" and r["$schema"].endswith("/2.0/dataresource.json") for r in package["resources"])
    meta = package["peerkit"]
    assert meta["collection_period"] == {"from": "2025-03", "to": "2025-03", "resolution": "month"}
    assert meta["filters"]["cohorts"] == ["cohort-north", "cohort-south"] and "exercise" in meta["filters"]
    assert meta["perturbation"]["max_noise"] == 3 and "answers" not in meta
    same, changed = descriptor(packages["again"]), descriptor(packages["changed"])
    assert same["id"] == package["id"] and same["version"] == package["version"]
    assert changed["id"] != package["id"] and changed["version"] != package["version"]
    micro = descriptor(packages["microdata"])["peerkit"]
    assert micro["collection_period"]["from"] <= micro["collection_period"]["to"]


def test_every_scale_has_ordered_categories_and_text_fields_describe_the_formula_guard(packages):
    for tier in ("aggregate", "microdata"):
        for resource in descriptor(packages[tier])["resources"]:
            fields = {f["name"]: f for f in resource["schema"]["fields"]}
            exercise = resource["path"].split("/")[1].split(".")[0]
            record = descriptor(packages[tier])["peerkit"]["exercises"][exercise]
            if record["scale"]:
                value = fields["value"]
                assert value["categoriesOrdered"] is True
                assert [c["value"] for c in value["categories"]] == [o["value"] for o in record["scale"]]
            for field in fields.values():
                free = "enum" not in field.get("constraints", {}) or field["name"] == "cohort"
                if field["type"] == "string" and free and field["name"] not in ("item", "learner", "answered_on"):
                    assert "single quote" in field.get("description", ""), (resource["path"], field["name"])


def test_frictionless_reads_the_right_types(packages):
    frictionless = pytest.importorskip("frictionless")
    for tier in ("aggregate", "microdata"):
        report = frictionless.validate(str(packages[tier] / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    package = frictionless.Package(str(packages["aggregate"] / "datapackage.json"))
    rows = package.get_resource("core_skills-counts").read_rows()
    shown = [r for r in rows if not r["suppressed"]]
    assert shown and all(isinstance(r["n"], int) and isinstance(r["value"], int) for r in shown)
    assert all(isinstance(r["suppressed"], bool) for r in rows)
    boundaries = frictionless.Package(str(packages["microdata"] / "datapackage.json")).get_resource(
        "boundaries-responses")
    value = boundaries.schema.get_field("value")
    assert value.to_descriptor()["categoriesOrdered"] is True


def test_load_gives_nullable_integers_and_ordered_categories(packages):
    result = load(packages["aggregate"], strict=True)
    assert str(result.counts["n"].dtype) == "Int64" and str(result.counts["suppressed"].dtype) == "boolean"
    assert str(result.totals["n"].dtype) == "Int64" and result.counts["n"].isna().any()
    boundaries = result.counts_of("boundaries")
    assert boundaries["value"].cat.ordered and list(boundaries["value"].cat.categories) == ["never", "maybe", "always"]
    micro = load(packages["microdata"], strict=True).answers("core_skills")
    assert micro["value"].cat.ordered and list(micro["value"].cat.categories) == [1, 2, 3, 4, 5]
    assert "sparse" not in result.counts.columns
    assert isinstance(pd.DataFrame().sparse, object)
