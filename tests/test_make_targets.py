"""What the Makefile promises (DESIGN §8): `make run` installs what serving needs and nothing of
the test tools; `make test` installs the test extras and checks the import contracts;
`make constraints` re-pins through pip-tools pinned in pyproject.toml."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _planned(target: str, tmp_path) -> str:
    """The commands `make target` would run on a fresh clone (a venv that does not exist yet)."""
    venv = tmp_path / "venv"
    return subprocess.run(["make", "-n", "-B", target, f"VENV={venv}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_make_run_installs_the_runtime_only(tmp_path):
    planned = _planned("run", tmp_path)
    assert "pip install -q -c constraints.txt -e ." in planned
    installs = [line for line in planned.splitlines() if "pip install" in line]
    assert installs and not any("[" in line for line in installs)  # no extras at all


def test_make_test_installs_the_test_extras_and_checks_the_import_contracts(tmp_path):
    planned = _planned("test", tmp_path)
    assert "-e '.[test]'" in planned
    assert "lint-imports" in planned and planned.index("lint-imports") < planned.index("-m pytest")


def test_make_constraints_uses_the_pinned_pip_tools(tmp_path):
    planned = _planned("constraints", tmp_path)
    assert "pip-compile" in planned and "-o constraints.txt" in planned
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("pip-tools==") for d in project["optional-dependencies"]["constraints"])


def test_every_imported_distribution_is_declared():
    """pydantic is imported by the API: declared and pinned, not carried in by chance."""
    declared = (ROOT / "pyproject.toml").read_text()
    assert '"pydantic==' in declared
    assert '"import-linter==' in declared
