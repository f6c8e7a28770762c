"""Score the one-command import on the corpus of real plans from other cities (tests/data/plans/).

Run as `.venv/bin/python bench/bench_import_corpus.py [--json] [--jobs N] [--only SLUG]`.

Each document (and each re-keyed .docx/.xlsx of it) is imported the way a new user would:
`duban ledger import FILE --output TMP.yaml`. When that fails, it is retried with the options the
message asks for (values from source.yaml's `import_hints`), then with every hint (format, plan id,
title, issuer, region, period, year); a failure of all counts as nothing found. The written ledger is
matched to the annotations (expected.yaml, written by reading the document before any import): by
title overlap in document order, the number as tie-break. Reported per file and in total: tasks
found, deadlines right, leads right, responsible units right, with every miss listed by cause.

A role is scored on the tasks where the annotation or the ledger names a unit in that role, and is
right when the two sets of names are equal (compared without spaces, with one form of brackets and
without a leading 市/县/区). A deadline is scored where either side has one, and is right when the
ledger's deadline text, parsed with the plan's year, has the annotated kind and dates, compared as
the product uses them (scheduler/escalation/status.py due_dates, escalation/run.py task_dates):
- a year-long deadline falls due at its end, so `2018年` read as year-long is right where the
  annotation says due 2018-12-31 (and the other way round);
- the dates buried in the measure text are milestones the product reminds on, so an annotated due
  list is right when every annotated date is the deadline's own or a milestone of the measures, and
  every date of the deadline itself is annotated ("…10月底前…；…年底前…": the first is the
  deadline, the second a milestone);
- a window annotated with `start` / `end` must have those days.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.plans.deadlines import DeadlineContext, find_milestones, parse_deadline  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "plans"
DUBAN = ROOT / ".venv" / "bin" / "duban"
SOURCE_NAMES = ("source.txt", "source.md", "source.html")
TIMEOUT = 120
PAREN = str.maketrans("()［］", "（）〔〕")
ROLE_WORDS = ("牵头", "牽頭", "配合", "参与", "參與", "协同", "協同", "协助", "協助", "负责", "負責",
              "落实", "落實", "责任单位", "責任單位")
LIST_PUNCTUATION = re.compile(r"[，,。；;：:、“”]")
METRICS = ("tasks", "deadlines", "leads", "responsible")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", str(text or "")).translate(PAREN).replace(",", "，")


def unit_key(name: str) -> str:
    return re.sub(r"^[市县区](?!场)", "", squash(name))  # 市场监管局 keeps its 市场


def title_key(text: str) -> str:
    """Letters and digits only, so a title matches across punctuation and bracket styles."""
    return re.sub(r"[^\w]", "", squash(text))


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += ok

    def text(self) -> str:
        return f"{self.right}/{self.total}"


@dataclass
class Result:
    slug: str
    file: str
    attempt: str = "plain"  # plain | asked (the options it asked for) | hinted (all hints) | failed
    error: str = ""
    found: int = 0  # tasks in the written ledger
    scores: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in METRICS})
    misses: list[dict[str, str]] = field(default_factory=list)

    def miss(self, cause: str, task: str, detail: str = "") -> None:
        self.misses.append({"cause": cause, "task": task, "detail": detail})


OPTIONS = {"--format": "format", "--plan-id": "plan_id", "--title": "title", "--issuer": "issuer",
           "--region": "region", "--start": "start", "--end": "end", "--year": "year"}


def run_import(path: Path, out: Path, options: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(DUBAN), "ledger", "import", str(path), "--output", str(out)]
    command += [part for key, value in options.items() for part in (key, value)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT,
                              check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, -1, "", f"timed out after {TIMEOUT} s")


def hinted(path: Path, hints: dict[str, Any], asked: str | None) -> dict[str, str]:
    """The options a new user adds: those the message asks for, else every hint source.yaml gives."""
    fmt = {".docx": "docx", ".xlsx": "xlsx"}.get(path.suffix, hints.get("format"))
    values = {flag: str(fmt if key == "format" else hints.get(key)) for flag, key in OPTIONS.items()
              if (fmt if key == "format" else hints.get(key))}
    if asked is None:
        return values
    return {flag: value for flag, value in values.items() if flag in asked}


def import_ledger(path: Path, hints: dict[str, Any], result: Result) -> dict[str, Any] | None:
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="duban-corpus-") as tmp:
        message = ""
        for attempt in ("plain", "asked", "hinted"):
            options = ({} if attempt == "plain"
                       else hinted(path, hints, message if attempt == "asked" else None))
            if attempt == "asked" and (not options or not any(flag in message for flag in OPTIONS)):
                continue
            out = Path(tmp) / f"{attempt}.yaml"
            done = run_import(path, out, options)
            if done.returncode == 0 and out.exists():
                result.attempt = attempt
                result.error = "; ".join(errors)
                ledger = yaml.safe_load(out.read_text("utf-8")) or {}
                return ledger if isinstance(ledger, dict) else None
            message = (done.stderr or "") + (done.stdout or "")
            lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
            errors.append(f"{attempt}: exit {done.returncode}: {lines[0] if lines else ''}"[:200])
    result.attempt = "failed"
    result.error = "; ".join(errors)
    return None


def match(expected: list[dict[str, Any]], found: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Pair each annotated task with a ledger task, in document order, by title then number."""
    texts = [title_key(f"{task.get('title', '')}{task.get('measures', '')}") for task in found]
    used: set[int] = set()
    pairs: list[dict[str, Any] | None] = []
    start = 0
    for task in expected:
        key = title_key(task["title"])[:8]
        candidates = [i for i, text in enumerate(texts) if i not in used and key and key in text]
        number = str(task["number"]).strip("（）()、. ")
        numbered = [i for i in candidates
                    if str(found[i].get("number", "")).strip("（）()、. ") == number]
        later = [i for i in (numbered or candidates) if i >= start]
        options = later or numbered or candidates
        pick = options[0] if options else None
        pairs.append(found[pick] if pick is not None else None)
        if pick is not None:
            used.add(pick)
            start = pick + 1
    return pairs


FALLS_DUE = frozenset({"due", "year_long"})  # kinds with a date the task falls due on


def deadline_right(annotated: dict[str, Any], text: str, year: int | None,
                   measures: str = "") -> tuple[bool, str]:
    context = DeadlineContext(plan_year=year)
    if annotated["kind"] == "none":
        got = parse_deadline(text, context) if text.strip() else None
        return (got is None or got.kind == "unknown"), f"ledger has {text!r}, document has none"
    if not text.strip():
        return False, f"no deadline text (document: {annotated['text']})"
    got = parse_deadline(text, context)
    same_kind = got.kind == annotated["kind"] or {got.kind, annotated["kind"]} <= FALLS_DUE
    if not same_kind:
        return False, f"{text!r} read as {got.kind}, expected {annotated['kind']}"
    wanted = {date.fromisoformat(day) for day in annotated.get("due", [])}
    if annotated["kind"] in FALLS_DUE and wanted:
        own = set(got.due) or ({got.end} if got.kind == "year_long" and got.end else set())
        reminded = own | {m.due for m in find_milestones(measures, context)}
        if not own <= wanted or not wanted <= reminded:
            return False, (f"{text!r} gives {sorted(d.isoformat() for d in own)}"
                           f" (milestones {sorted(d.isoformat() for d in reminded - own)}),"
                           f" expected {sorted(annotated['due'])}")
    for bound in ("start", "end"):
        if annotated.get(bound) and getattr(got, bound) != date.fromisoformat(str(annotated[bound])):
            return False, f"{text!r} {bound} {getattr(got, bound)}, expected {annotated[bound]}"
    return True, ""


def role_miss(role: str, want: set[str], got: list[str]) -> str:
    bad = [name for name in got if any(word in name for word in ROLE_WORDS)
           or LIST_PUNCTUATION.search(name) or name.endswith("等")]
    if bad:
        return f"{role}: unit names hold role words or punctuation: {bad}"
    have = {unit_key(name) for name in got}
    if not got:
        return f"{role}: none found"
    return f"{role}: missing {sorted(want - have)}, extra {sorted(have - want)}"


def score_file(doc: Path, path: Path) -> Result:
    expected = yaml.safe_load((doc / "expected.yaml").read_text("utf-8"))
    meta = yaml.safe_load((doc / "source.yaml").read_text("utf-8"))
    result = Result(slug=doc.name, file=path.name)
    ledger = import_ledger(path, meta.get("import_hints") or {}, result)
    found = list((ledger or {}).get("tasks") or [])
    result.found = len(found)
    plan = (ledger or {}).get("plan") or {}
    year = plan.get("plan_year") or expected.get("plan_year")
    if result.attempt in ("asked", "hinted"):
        result.miss("needed options", "-", result.error)
    elif result.attempt == "failed":
        result.miss("import failed", "-", result.error)
    pairs = match(expected["tasks"], found)
    for task, got in zip(expected["tasks"], pairs, strict=True):
        label = f"{'/'.join(task.get('path') or [])}/{task['number']} {task['title'][:12]}".lstrip("/")
        result.scores["tasks"].add(got is not None)
        if got is None:
            result.miss("task not found", label)
        text = str((got or {}).get("deadline_text") or "")
        if task["deadline"]["kind"] != "none" or text.strip():
            ok, why = deadline_right(task["deadline"], text, year, str((got or {}).get("measures") or ""))
            result.scores["deadlines"].add(ok)
            if not ok and got is not None:
                result.miss("deadline wrong", label, why)
        for metric, role in (("leads", "lead_units"), ("responsible", "responsible_units")):
            want = {unit_key(name) for name in task[role]}
            have = [str(name) for name in (got or {}).get(role) or []]
            if want or have:
                ok = want == {unit_key(name) for name in have}
                result.scores[metric].add(ok)
                if not ok and got is not None:
                    result.miss(f"{metric} wrong", label, role_miss(role, want, have))
    extra = len(found) - sum(pair is not None for pair in pairs)
    if extra > 0:
        result.miss("extra tasks", "-", f"{extra} ledger task(s) match no annotated task")
    return result


def files_of(doc: Path) -> list[Path]:
    meta = yaml.safe_load((doc / "source.yaml").read_text("utf-8"))
    sources = [doc / name for name in SOURCE_NAMES if (doc / name).exists()]
    return sources + [doc / name for name in meta.get("rekeyed") or []]


def totals(results: list[Result]) -> dict[str, Score]:
    summed = {name: Score() for name in METRICS}
    for result in results:
        for name in METRICS:
            summed[name].right += result.scores[name].right
            summed[name].total += result.scores[name].total
    return summed


def is_air(slug: str) -> bool:
    return "topic" not in yaml.safe_load((CORPUS / slug / "source.yaml").read_text("utf-8"))


def report(results: list[Result]) -> str:
    lines = ["| document | file | import | found in ledger | tasks | deadlines | leads | responsible |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.slug} | {r.file} | {r.attempt} | {r.found} | "
                     + " | ".join(r.scores[name].text() for name in METRICS) + " |")
    for label, chosen in (("sources only", [r for r in results if r.file.startswith("source.")]),
                          ("re-keyed only", [r for r in results if not r.file.startswith("source.")]),
                          ("air plans, sources", [r for r in results
                                                  if r.file.startswith("source.") and is_air(r.slug)]),
                          ("all files", results)):
        summed = totals(chosen)
        lines.append(f"| **{label}** | {len(chosen)} files | | {sum(r.found for r in chosen)} | "
                     + " | ".join(f"**{summed[name].text()}**" for name in METRICS) + " |")
    causes: dict[str, list[str]] = {}
    for r in results:
        for miss in r.misses:
            causes.setdefault(miss["cause"], []).append(
                f"{r.slug}/{r.file} {miss['task']}" + (f": {miss['detail']}" if miss["detail"] else ""))
    lines.append("\nMisses by cause:")
    for cause in sorted(causes, key=lambda c: (-len(causes[c]), c)):
        lines.append(f"- {cause} ({len(causes[cause])})")
        lines.extend(f"  - {entry}" for entry in causes[cause])
    return "\n".join(lines)


def as_json(results: list[Result]) -> dict[str, Any]:
    return {
        "files": [{"document": r.slug, "file": r.file, "import": r.attempt, "error": r.error,
                   "found_in_ledger": r.found,
                   **{name: {"right": r.scores[name].right, "total": r.scores[name].total}
                      for name in METRICS},
                   "misses": r.misses} for r in results],
        "total": {name: {"right": s.right, "total": s.total} for name, s in totals(results).items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--jobs", type=int, default=2, help="imports run at once (default 2)")
    parser.add_argument("--only", action="append", default=[], help="score only this document")
    args = parser.parse_args()
    docs = sorted(path.parent for path in CORPUS.glob("*/expected.yaml"))
    if args.only:
        docs = [doc for doc in docs if doc.name in args.only]
    work = [(doc, path) for doc in docs for path in files_of(doc)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda item: score_file(*item), work))
    print(json.dumps(as_json(results), ensure_ascii=False, indent=1) if args.json else report(results))


if __name__ == "__main__":
    main()
