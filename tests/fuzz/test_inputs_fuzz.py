"""Fuzzing every input a person hands Duban: plan documents for each importer (text, markdown,
narrative, OCR table, .docx, .xlsx), rule sets, the configuration, ledgers, the unit directory,
calendar overrides and deadline cells. Whatever the bytes, only the documented error type
(scheduler.errors.InputError) may escape, and each of its problems names the file, and the line
when the problem is inside the text.

Inputs start from the real files (seeds, rules/, config.yaml, data/) and hypothesis mutates them:
lines dropped, doubled, cut or re-indented, fragments of the format inserted (table bars, tabs,
clause brackets, YAML syntax, control characters), single characters replaced, bytes re-encoded.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.errors import InputError, Problem

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "data" / "sources"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PLAN_FRAGMENTS = ["附件1", "附件2", "附件3", "附件", "任务清单", "\t", "|", "| --- |", "---", "月份", "序号", "一、",
                  "（一）", "1.", "（二十一）", "（市生态环境局牵头，市工信局配合，各县、区人民政府负责落实）",
                  "［责任单位：市生态环境局］", "[责任单位：", "2019年12月底前", "长期坚持", "按国家、省规定完成时限",
                  "（", "）", "：", "\u3000", "\x00", "\ufeff", "\r", "责任单位", "完成时限", "各县（市、区）人民政府"]
YAML_FRAGMENTS = [": ", "- ", "  ", "{", "}", "[", "]", "'", '"', "&a ", "*a", "!!python/object:os.system ", "~",
                  "null",
                  "-1", "99999999999999999999", "1e400", "2019-02-30", "2019-13-01", "true", "：", ",", "#", "\t",
                  "---", "...", "<<: *a", "type: overdue", "days: -5", "workdays: 0", "extends: default", "id: x",
                  "plans: [x]", "!!binary ", "? ", "|", ">", "\x00", "\x07", "\ufeff", "\u2028", "02-30", "25:61"]


def edits(fragments: list[str]) -> st.SearchStrategy:
    """A list of edits to apply to a document's lines."""
    return st.lists(st.tuples(st.sampled_from(["drop", "double", "insert", "cut", "indent", "char", "line"]),
                              st.integers(0, 10**6), st.integers(0, 10**6),
                              st.sampled_from(fragments) | st.text(max_size=6)), min_size=1, max_size=25)


def mutate(text: str, changes) -> str:
    lines = text.splitlines() or [""]
    for op, a, b, fragment in changes:
        lines = lines or [""]
        i = a % len(lines)
        line = lines[i]
        if op == "drop" and len(lines) > 1:
            del lines[i : i + 1 + b % 30]
        elif op == "double":
            lines.insert(i, lines[b % len(lines)])
        elif op == "insert":
            at = b % (len(line) + 1)
            lines[i] = line[:at] + fragment + line[at:]
        elif op == "cut":
            lines[i] = line[: b % (len(line) + 1)]
        elif op == "indent":
            lines[i] = " " * (b % 7) + line.lstrip()
        elif op == "char" and line:
            at = b % len(line)
            lines[i] = line[:at] + chr(b % 0xD7FF + 1) + line[at + 1 :]
        elif op == "line":
            lines.insert(i, fragment)
    return "\n".join(lines)


def assert_located(problems: list[Problem], name: str, lines: int | None, need_line: bool) -> None:
    """Every problem names the file; a line, when given, lies in the file (need_line: always given)."""
    for problem in problems:
        assert name in problem.file, problem
        if need_line:
            assert problem.line is not None, problem
        if problem.line is not None and lines is not None:
            assert 1 <= problem.line <= lines + 1, problem


def expect_only_input_errors(call, name: str, lines: int | None, need_line: bool):
    try:
        return call()
    except InputError as exc:
        assert exc.problems
        assert_located(exc.problems, name, lines, need_line)
        return None


# --- plan documents -----------------------------------------------------------------------------

META = {"id": "fuzz-plan", "title": "模糊测试方案", "issuer": "长治市", "region": "长治市", "document_number": "",
        "period_start": date(2019, 10, 1), "period_end": date(2020, 3, 31), "plan_year": 2019}


@pytest.mark.parametrize("fmt", ["table", "markdown", "narrative", "ocr"])
@FUZZ
@given(seed=st.sampled_from(SEED_FILES), changes=edits(PLAN_FRAGMENTS), start=st.integers(1, 800))
def test_text_importers_take_any_mutation_of_a_plan(fmt, seed, changes, start):
    from scheduler.plans.importers.ocr_table import import_ocr_attachment
    from scheduler.plans.importers.seeds import import_plan

    text = mutate(seed.read_text(encoding="utf-8"), changes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.txt"
        path.write_text(text, encoding="utf-8")
        if fmt == "ocr":
            call = lambda: import_ocr_attachment(path, "fuzz-plan", None, start_line=start)  # noqa: E731
        else:
            call = lambda: import_plan(path, fmt, META)  # noqa: E731
        result = expect_only_input_errors(call, "plan.txt", text.count("\n") + 1, need_line=False)
    if result is not None:
        problems = result.problems if fmt == "ocr" else result[1]
        assert_located(problems, "plan.txt", text.count("\n") + 1, need_line=False)


@pytest.mark.parametrize("fmt", ["table", "markdown", "narrative"])
def test_a_plan_saved_as_gbk_is_refused_with_the_line_of_the_first_bad_byte(fmt, tmp_path):
    from scheduler.plans.importers.seeds import import_plan

    path = tmp_path / "plan.txt"
    path.write_bytes("第一行是纯文本\nabc\n".encode() + "三、责任单位：市生态环境局".encode("gbk"))
    with pytest.raises(InputError) as caught:
        import_plan(path, fmt, META)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line) == ("plan.txt", 3) and "UTF-8" in problem.message


def _zip_edit(data: bytes, member: int, op: str, at: int, junk: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = names[member % len(names)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            body = source.read(name)
            if name == victim:
                cut = at % (len(body) + 1)
                body = {"drop": None, "truncate": body[:cut], "splice": body[:cut] + junk + body[cut:],
                        "overwrite": body[:cut] + junk + body[cut + len(junk):]}[op]
            if body is not None:
                target.writestr(name, body)
    return out.getvalue()


@pytest.fixture(scope="module")
def office_files(tmp_path_factory) -> dict[str, bytes]:
    from tests.plans.importers.seed_tables import seed_004_tables, write_docx, write_xlsx

    folder = tmp_path_factory.mktemp("office")
    return {"docx": write_docx(seed_004_tables(), folder / "t.docx").read_bytes(),
            "xlsx": write_xlsx(seed_004_tables(), folder / "t.xlsx").read_bytes()}


XML_JUNK = st.sampled_from([b"<", b">", b"&", b'"', b"</w:tc>", b"<w:tc>", b'r="A0"', b't="e"', b"<v>x</v>",
                            b'w:gridSpan w:val="99"', b"<w:vMerge/>", b"\x00", b"\xff\xfe"]) | st.binary(max_size=8)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@FUZZ
@given(kind=st.sampled_from(["zip", "zip", "zip", "truncate", "random"]), member=st.integers(0, 100),
       op=st.sampled_from(["drop", "truncate", "splice", "overwrite"]), at=st.integers(0, 10**6), junk=XML_JUNK,
       noise=st.binary(max_size=300))
def test_office_importers_take_any_damaged_file(fmt, office_files, kind, member, op, at, junk, noise):
    import warnings

    from scheduler.plans.importers.seeds import import_plan

    data = office_files[fmt]
    data = {"zip": lambda: _zip_edit(data, member, op, at, junk), "truncate": lambda: data[: at % len(data)],
            "random": lambda: noise}[kind]()
    meta = dict(META, region="泽州县", plan_year=2023, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about a missing stylesheet
        path = Path(folder) / f"plan.{fmt}"
        path.write_bytes(data)
        result = expect_only_input_errors(lambda: import_plan(path, fmt, meta), f"plan.{fmt}", None, need_line=False)
    if result is not None:
        assert_located(result[1], f"plan.{fmt}", None, need_line=False)


XML_SAFE = st.characters(blacklist_categories=("Cc", "Cs"))  # what Word and Excel can hold in a cell
CELL_TEXT = (st.sampled_from([f for f in PLAN_FRAGMENTS if f.isprintable() or f == "\t"])
             | st.text(XML_SAFE, max_size=12))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 20), CELL_TEXT), min_size=1, max_size=30))
def test_office_importers_take_any_cell_text(fmt, cells):
    """Valid files whose cells say anything: problems name file, sheet or table, never crash."""
    from scheduler.plans.importers.seeds import import_plan
    from tests.plans.importers.seed_tables import seed_004_tables, write_docx, write_xlsx

    tables = seed_004_tables()
    for at, column, text in cells:
        table = tables[at % len(tables)]
        row = table.rows[at % len(table.rows)]
        row[column % len(row)] = text
    meta = dict(META, region="泽州县", plan_year=2023, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan.{fmt}"
        (write_docx if fmt == "docx" else write_xlsx)(tables, path)
        result = expect_only_input_errors(lambda: import_plan(path, fmt, meta), f"plan.{fmt}", None, need_line=False)
    if result is not None:
        assert_located(result[1], f"plan.{fmt}", None, need_line=False)


# --- YAML inputs: rules, configuration, ledgers, unit directory, calendar -----------------------


def _load_rules(folder: Path, name: str, text: str):
    from scheduler.escalation.ruleset import load_rulebook

    shutil.copytree(ROOT / "rules", folder / "rules")
    (folder / "rules" / name).write_text(text, encoding="utf-8")
    return load_rulebook(folder / "rules")


def _load_config(folder: Path, name: str, text: str):
    from scheduler.config import load_config

    (folder / name).write_text(text, encoding="utf-8")
    config = load_config(folder / name)
    for region in config.heating_season:
        month, day = config.heating_season_start(region)
        date(2021, month, day)  # a validated configuration only names days that exist
    return config


def _load_ledger(folder: Path, name: str, text: str):
    from scheduler.plans.ledger import load_ledger

    (folder / name).write_text(text, encoding="utf-8")
    return load_ledger(folder / name)


def _load_units(folder: Path, name: str, text: str):
    from scheduler.plans.units import UnitDirectory

    (folder / name).write_text(text, encoding="utf-8")
    return UnitDirectory.load(folder / name)


def _load_calendar(folder: Path, name: str, text: str):
    from scheduler.escalation.calendar import WorkCalendar

    (folder / "calendar").mkdir()
    (folder / "calendar" / name).write_text(text, encoding="utf-8")
    return WorkCalendar.load(folder / "calendar")


YAML_INPUTS = {
    "rules": ([p for p in sorted((ROOT / "rules").glob("*.yaml"))], _load_rules),
    "config": ([ROOT / "config.yaml"], _load_config),
    "ledger": ([p for p in sorted((ROOT / "data").glob("*.yaml")) if p.name != "units.yaml"], _load_ledger),
    "units": ([ROOT / "data" / "units.yaml"], _load_units),
    "calendar": ([ROOT / "data" / "calendar" / "example-2027.yaml.disabled"], _load_calendar),
}


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
@FUZZ
@given(pick=st.integers(0, 100), changes=edits(YAML_FRAGMENTS))
def test_yaml_loaders_take_any_mutation_and_name_file_and_line(kind, pick, changes):
    sources, load = YAML_INPUTS[kind]
    source = sources[pick % len(sources)]
    name = "2027.yaml" if kind == "calendar" else source.name
    text = mutate(source.read_text(encoding="utf-8"), changes)
    with tempfile.TemporaryDirectory() as folder:
        expect_only_input_errors(lambda: load(Path(folder), name, text), name, text.count("\n") + 1,
                                 need_line=True)


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
def test_a_control_character_in_yaml_is_reported_with_its_line(kind, tmp_path):
    sources, load = YAML_INPUTS[kind]
    name = "2027.yaml" if kind == "calendar" else sources[0].name
    text = sources[0].read_text(encoding="utf-8").splitlines()
    text[3] += "\x00"
    with pytest.raises(InputError) as caught:
        load(tmp_path, name, "\n".join(text))
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line) == (name, 4) and "U+0000" in problem.message


def test_an_impossible_heating_season_day_is_refused_at_its_line(tmp_path):
    text = (ROOT / "config.yaml").read_text(encoding="utf-8").replace('晋中市: "11-01"', '晋中市: "02-30"')
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "heating_season:" in row)
    with pytest.raises(InputError) as caught:
        _load_config(tmp_path, "config.yaml", text)
    [problem] = caught.value.problems
    assert problem.line == line and "02-30" in problem.message


# --- deadline cells ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=60), year=st.none() | st.integers(1, 9999),
       heating=st.tuples(st.integers(1, 12), st.integers(1, 31)))
def test_the_deadline_parser_takes_any_text_any_year_and_any_heating_day(text, year, heating):
    from scheduler.plans.deadlines import KINDS, DeadlineContext, parse_deadline

    got = parse_deadline(text, DeadlineContext(plan_year=year, heating_season_start=heating))
    assert got.kind in KINDS and got.text == text
