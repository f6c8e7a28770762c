"""The import contracts in pyproject.toml hold, and they really catch an upward import and stray SQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=120)


def copy_of_the_package(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "scheduler", tree / "scheduler", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_package_keeps_its_layers(tmp_path):
    result = lint_imports(copy_of_the_package(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    tree = copy_of_the_package(tmp_path)
    deadlines = next((tree / "scheduler" / "plans").glob("deadlines*"))
    module = deadlines if deadlines.is_file() else deadlines / "__init__.py"
    module.write_text(module.read_text(encoding="utf-8") + "\nimport scheduler.web.app  # noqa\n", encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "scheduler.plans is not allowed to import scheduler.web" in result.stdout


def test_sqlalchemy_outside_the_store_breaks_the_contract(tmp_path):
    tree = copy_of_the_package(tmp_path)
    module = tree / "scheduler" / "web" / "portal.py"
    module.write_text(module.read_text(encoding="utf-8") + "\nimport sqlalchemy  # noqa\n", encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "scheduler.web is not allowed to import sqlalchemy" in result.stdout
    assert "scheduler.web.portal -> sqlalchemy" in result.stdout
