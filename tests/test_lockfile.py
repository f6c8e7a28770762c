"""requirements.lock pins every runtime, test and dev dependency of pyproject.toml to a version its
range allows, with the sha256 of the files, so `make` and CI install the same bytes every time."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for every entry of the lock."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.\-\[\],]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", text, re.M)
    return {canonicalize_name(name.split("[")[0]): (version, hashes.count("--hash="))
            for name, version, hashes in entries}


def test_every_declared_dependency_is_pinned_within_its_range_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"],
                *project["optional-dependencies"]["dev"]]
    pins = _pins()
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} vs {requirement}"
        assert hashes >= 1


def test_every_locked_package_carries_a_hash():
    pins = _pins()
    assert len(pins) > 50 and all(hashes >= 1 for _, hashes in pins.values())
    lines = [line for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith((" ", "#"))]
    assert len(lines) == len(pins)  # no entry escaped the pattern (and so the hash check)
