"""Mutation testing of the pure core with mutmut: do the fast tests notice when the code is wrong?

    .venv/bin/python scripts/mutate.py                    # every target: plans, then escalation
    .venv/bin/python scripts/mutate.py plans.deadlines    # one module (or package) of a target
    .venv/bin/python scripts/mutate.py escalation --max-children 1
    .venv/bin/python scripts/mutate.py plans.units --unsettled   # retest only what the last run left alive

Each target runs in its own scratch copy of the committed tree (`git archive HEAD`, or the working
tree with --worktree), so the shared working tree is never written to and another engineer's
half-done edit is never mutated. mutmut keeps its cache in that copy (default
/tmp/duban-mutate/<target>), so a second run retests only what changed. Only the fast tier of the
target's own test folders runs: mutmut first records which of those tests reach each function,
then runs, per mutant, just the tests that reach the mutated function.

The shared settings are `[tool.mutmut]` in pyproject.toml; this script replaces only what differs
per target (which files to mutate, which test folders to run). It prints one line per module and
writes summary.json into the scratch copy; docs/mutation.md explains how to read them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What the tests read besides the package and the tests themselves (ledgers, rules, templates).
TREE = ("scheduler", "tests", "data", "rules", "templates", "fonts", "config.yaml", "pyproject.toml")


@dataclass(frozen=True)
class Target:
    """A package of the pure core, the files of it to mutate, and the tests that guard it."""

    mutate: tuple[str, ...]  # path globs as mutmut's only_mutate reads them
    tests: tuple[str, ...]
    skip: tuple[str, ...] = ()  # path globs left out (mutmut's do_not_mutate)


TARGETS = {
    # importers/ and views are adapters between documents and the ledger: their tests are the slow
    # ones (a Word file built per test), so they are left to the end-to-end seed tests.
    "plans": Target(
        mutate=("scheduler/plans/deadlines/*.py", "scheduler/plans/clauses/*.py", "scheduler/plans/units/*.py",
                "scheduler/plans/ledger.py"),
        tests=("tests/plans",)),
    "escalation": Target(
        mutate=("scheduler/escalation/*.py",),
        tests=("tests/escalation",),
        # metrics/ has its own slow season test; `*` in a glob also crosses "/"
        skip=("scheduler/escalation/metrics/*", "scheduler/escalation/__init__.py")),
}

# mutmut's exit codes per mutant, in the words of its own report.
_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
           36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
           37: "caught by type check", None: "not checked"}


def _status(code: int | None) -> str:
    return _STATUS.get(code, "suspicious")


def _toml_list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def _target_settings(base: dict[str, object], target: Target) -> str:
    """Return the [tool.mutmut] table for one target: the shared settings, this target's files."""
    settings = dict(base)
    settings["only_mutate"] = list(target.mutate)
    settings["do_not_mutate"] = list(target.skip)
    settings["pytest_add_cli_args_test_selection"] = list(target.tests)
    lines = ["[tool.mutmut]"]
    for key, value in settings.items():
        if isinstance(value, list):
            lines.append(f"{key} = {_toml_list(value)}")
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {json.dumps(str(value), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _without_mutmut_table(text: str) -> str:
    """Drop the [tool.mutmut] table (it is replaced, and TOML forbids defining it twice)."""
    return re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)


def _snapshot(workdir: Path, worktree: bool) -> None:
    """Lay the tree to mutate into workdir: what HEAD holds, or the working tree as it is."""
    fresh = workdir / ".tree"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    present = [p for p in TREE if (ROOT / p).exists()]
    if worktree:
        for name in present:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, fresh / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, fresh / name)
    else:
        with tempfile.TemporaryFile() as archive:
            subprocess.run(["git", "archive", "--format=tar", "HEAD", *present], cwd=ROOT, stdout=archive,
                           check=True)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(fresh, filter="data")
    # Swap the new tree in, keeping mutmut's cache (mutants/) beside it.
    for name in TREE:
        old = workdir / name
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
        if (fresh / name).exists():
            (fresh / name).rename(old)
    shutil.rmtree(fresh)


def _forget_test_map(workdir: Path) -> None:
    """Make mutmut map every test to the functions it reaches again, keeping the verdicts.

    mutmut re-runs its stats only for tests it has not seen: a test it knows keeps the functions it
    reached before, so a function that moved (clauses.py split into clauses/) or that a known test
    reaches only since a change has none of those tests, and its mutants survive tests that would
    kill them. The function hashes stay, so verdicts of unchanged code still stand."""
    stats = workdir / "mutants" / "mutmut-stats.json"
    if not stats.exists():
        return
    data = json.loads(stats.read_text(encoding="utf-8"))
    data.update(tests_by_mangled_function_name={}, duration_by_test={}, function_dependencies={})
    stats.write_text(json.dumps(data, indent=4), encoding="utf-8")


def _prepare(name: str, target: Target, workdir: Path, worktree: bool) -> None:
    base = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    workdir.mkdir(parents=True, exist_ok=True)
    _snapshot(workdir, worktree)
    _forget_test_map(workdir)
    project = workdir / "pyproject.toml"
    project.write_text(_without_mutmut_table(project.read_text(encoding="utf-8")).rstrip() + "\n\n"
                       + _target_settings(base, target), encoding="utf-8")


# pytest escapes a non-ASCII parametrised id, and escapes an explicit one (ids=...) once more in a
# second session of the same process, which is how mutmut runs it: the id it recorded is then "not
# found". Such a run dies; this names the cause.
_UNSTABLE_IDS = (b"not found: ", "mutmut could not hand a test id back to pytest. A test parametrised "
                 "with explicit non-ASCII ids (ids=[...] or ids=lambda) gets another id in mutmut's "
                 "second pytest session; give it ASCII ids (see docs/mutation.md).")


def _mutmut(workdir: Path, *args: str) -> int:
    """Run mutmut, passing its output through; return its exit code, or 2 for a run that crashed.

    mutmut exits 1 both when mutants survive and when it dies of an exception (a clean test run
    that pytest refuses, say), and the second would leave the last run's verdicts to be reported
    as if they were new; only a run that printed its speed got to the end."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    finished, unstable, tail = False, False, b""
    with subprocess.Popen([str(BIN / "mutmut"), *args], cwd=workdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        assert proc.stdout is not None
        while chunk := os.read(proc.stdout.fileno(), 65536):
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            window = tail + chunk  # the marker may straddle two reads
            finished = finished or b"mutations/second" in window
            unstable = unstable or _UNSTABLE_IDS[0] in window
            tail = window[-64:]
    code = proc.returncode
    if code not in (0, 1) or not finished:
        if unstable:
            print(_UNSTABLE_IDS[1], file=sys.stderr)
        return 2 if code == 1 else code
    return code


def _module_of(key: str) -> str:
    """Name the module a mutant is in: "scheduler.plans.clauses.x_parse__mutmut_3" -> "plans.clauses"."""
    return key.rsplit(".", 1)[0].removeprefix("scheduler.")


def _metas(workdir: Path) -> list[Path]:
    """Return mutmut's verdict files for the modules the tree still has: a module since turned into
    a package (units.py -> units/) leaves its old verdicts behind in the cache."""
    mutants = workdir / "mutants"
    return [meta for meta in sorted(mutants.rglob("*.py.meta"))
            if (workdir / meta.relative_to(mutants).with_suffix("")).exists()]


def _summary(workdir: Path, spec: str) -> dict[str, Counter[str]]:
    """Count the verdicts per module of a target (or of one of its modules) from mutmut's .meta files."""
    counts: dict[str, Counter[str]] = {}
    for meta in _metas(workdir):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for key, code in data.get("exit_code_by_key", {}).items():
            module = _module_of(key)
            if module != spec and not module.startswith(spec + "."):
                continue
            counts.setdefault(module, Counter())[_status(code)] += 1
    return counts


def _unsettled(workdir: Path, spec: str) -> list[str]:
    """Name the mutants of a target (or module) the last run did not kill: survivors, mutants no
    test reached, and those never checked. A killed mutant stays killed while its code is unchanged
    (mutmut resets the verdicts of a changed function itself), so after adding tests only these
    need another run."""
    settled = {"killed", "timeout", "caught by type check"}
    names = []
    for meta in _metas(workdir):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for key, code in data.get("exit_code_by_key", {}).items():
            module = _module_of(key)
            if (module == spec or module.startswith(spec + ".")) and _status(code) not in settled:
                names.append(key)
    return names


def _report(name: str, counts: dict[str, Counter[str]], minutes: float, workdir: Path) -> bool:
    """Print one line per module and the target's score; return whether it reaches 90%."""
    total = Counter[str]()
    print(f"\n{name}: module, mutants, killed, survived, timeout, no tests, other, score")
    for module, c in sorted(counts.items()):
        total.update(c)
        print(f"  {module}: {_line(c)}")
    print(f"  all: {_line(total)}; {minutes:.1f} min")
    (workdir / "summary.json").write_text(json.dumps(
        {"target": name, "minutes": round(minutes, 1), "modules": {m: dict(c) for m, c in counts.items()},
         "total": dict(total)}, ensure_ascii=False, indent=2), encoding="utf-8")
    return _score(total) >= 0.9


def _score(c: Counter[str]) -> float:
    checked = sum(c.values()) - c["not checked"] - c["skipped"]
    # a run that checked nothing (the tests did not even collect) proves nothing: it scores 0
    return (c["killed"] + c["timeout"] + c["caught by type check"]) / checked if checked else 0.0


def _line(c: Counter[str]) -> str:
    other = sum(c.values()) - c["killed"] - c["survived"] - c["timeout"] - c["no tests"]
    return (f"{sum(c.values())}, {c['killed']}, {c['survived']}, {c['timeout']}, {c['no tests']}, {other}, "
            f"{_score(c):.1%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=list(TARGETS),
                        help=f"a target ({', '.join(TARGETS)}) or target.module, e.g. plans.deadlines")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "duban-mutate")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worktree", action="store_true", help="mutate the working tree, not HEAD")
    parser.add_argument("--report-only", action="store_true", help="print the last run's counts, run nothing")
    parser.add_argument("--unsettled", action="store_true",
                        help="retest only the mutants the last run left alive (after adding tests)")
    args = parser.parse_args(argv)
    for spec in args.targets:
        if spec.partition(".")[0] not in TARGETS:
            parser.error(f"unknown target {spec!r}: one of {', '.join(TARGETS)}, or target.module")
    ok = True
    # Specs of one target share its scratch copy; with --unsettled they share one mutmut run too,
    # since generating the mutants alone takes a minute or two on this machine.
    groups = [[spec] for spec in args.targets] if not args.unsettled else [
        [spec for spec in args.targets if spec.partition(".")[0] == name]
        for name in dict.fromkeys(spec.partition(".")[0] for spec in args.targets)]
    for specs in groups:
        name = specs[0].partition(".")[0]
        target, workdir = TARGETS[name], args.workdir / name
        started = time.monotonic()
        if not args.report_only:
            if args.unsettled:
                pattern = [key for spec in specs for key in _unsettled(workdir, spec)]
            else:
                pattern = [f"scheduler.{specs[0]}.*"] if "." in specs[0] else []
            _prepare(name, target, workdir, args.worktree)
            code = 0
            if pattern or not args.unsettled:  # with nothing unsettled there is nothing to run
                code = _mutmut(workdir, "run", "--max-children", str(args.max_children), *pattern)
            if code not in (0, 1):  # mutmut exits 1 when mutants survive; anything else is a broken run
                print(f"mutmut failed on {' '.join(specs)} (exit {code}); see {workdir}", file=sys.stderr)
                return code
        for spec in specs:
            ok &= _report(spec, _summary(workdir, spec), (time.monotonic() - started) / 60, workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
