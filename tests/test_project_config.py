"""The set-ups a newcomer uses (pip, conda, Binder) install the same dependencies."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"python-fastjsonschema": "fastjsonschema"}
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)\s*(.*)$")


def _parse(requirements: list[str]) -> dict[str, str]:
    parsed = {}
    for line in requirements:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        name, spec = NAME.match(line).groups()
        parsed[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return parsed


def pyproject_dependencies() -> dict[str, str]:
    return _parse(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def test_environment_yml_matches_pyproject() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = _parse([d for d in env["dependencies"] if isinstance(d, str)])
    conda.pop("python"), conda.pop("pip")
    # conda-forge's names for two PyPI packages; psycopg's binary build is plain psycopg there
    conda = {CONDA_NAMES.get(name, name): spec for name, spec in conda.items()}
    strip = lambda deps: {re.sub(r"\[.*\]", "", k): v for k, v in deps.items()}  # noqa: E731
    assert strip(conda) == strip(pyproject_dependencies())
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part


def test_binder_requirements_match_pyproject() -> None:
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert _parse(lines) == pyproject_dependencies()
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps" in post_build and "-e ." in post_build
    assert "announcements" in post_build


def test_binder_badge_opens_the_first_chapter() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in readme
    # the chapter as a page (Voila): prose and exercises, no code cell
    assert "urlpath=voila/render/notebooks/00_welcome.ipynb" in readme
    assert "make lab" in readme and "make test" in readme


def test_package_json_is_locked() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert "node_modules/axe-core" in lock["packages"]


@pytest.mark.skipif(shutil.which("repo2docker", path=str(Path(sys.executable).parent)) is None,
                    reason="jupyter-repo2docker is not installed")
def test_repo2docker_accepts_the_binder_config() -> None:
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    result = subprocess.run([repo2docker, "--no-build", "--debug", str(ROOT)], capture_output=True, text=True,
                            timeout=300)
    dockerfile = result.stdout + result.stderr
    assert result.returncode == 0, dockerfile[-2000:]
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert "python=3.11" in dockerfile
    assert "binder/start" in dockerfile  # puts jupyter_server_config.py (the save hook) on JUPYTER_CONFIG_PATH


def test_make_lab_and_binder_read_the_save_hook() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)' in makefile and "/voila/render/$(FIRST_CHAPTER)" in makefile
    start = (ROOT / "binder" / "start").read_text()
    assert "JUPYTER_CONFIG_PATH" in start and 'exec "$@"' in start
    config = (ROOT / "jupyter_server_config.py").read_text()
    assert "peerkit.jupyter_hooks.strip_course_outputs" in config
