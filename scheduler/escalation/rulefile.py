"""Rule files (rules/*.yaml and rules/metrics/*.yaml): the loader core both rule engines share.

A rule file is validated whole by pydantic against a closed vocabulary (`extra="forbid"`: a typo is
an error, never a key silently ignored), and every problem names the file, the line and the dotted
path. Levels are the ladder's (scheduler.ladder), read when a file is validated: a rung added there
is a level rule files may name. Each trigger type says which rungs it may produce and whether an
interview case folds its urges (`TriggerSpec`), so a reminder trigger cannot send an interview by typo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from scheduler import ladder
from scheduler.errors import InputError, Problem
from scheduler.yamlsource import LineMap

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"  # rule and rule set ids: they go into occurrence keys

M = TypeVar("M", bound=BaseModel)


class RuleModel(BaseModel):
    """A part of a rule file: unknown keys are errors, and nothing changes once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_level(value: str) -> str:
    if not ladder.is_known(value):
        raise ValueError(f"未知的级别 {value!r}；可用：{'、'.join(ladder.LEVELS)}")
    return value


LevelName = Annotated[str, AfterValidator(_known_level)]  # a rung of the ladder as it stands


class ClauseQuote(RuleModel):
    """A plan clause quoted with where it stands."""

    source: str = Field(min_length=1)  # seed file and line, e.g. 001_5d70b785daafd91c.txt:114
    section: str = ""  # e.g. 五（五）强化考核督察
    text: str = Field(min_length=1)


@dataclass(frozen=True)
class TriggerSpec:
    """What the engines know of a trigger type besides its parameters."""

    lowest: str  # the lowest rung it may produce
    highest: str | None = None  # the highest; None: up to the top of the ladder
    folds: bool = True  # a standing interview case folds its urges (scheduler.escalation.inhibit)

    def levels(self) -> tuple[str, ...]:
        """Return the rungs it may produce, lowest first, from the ladder as it stands."""
        low = ladder.rung(self.lowest).rank
        high = ladder.rung(self.highest).rank if self.highest is not None else len(ladder.LEVELS) - 1
        return ladder.LEVELS[low:high + 1]


class _Trigger(Protocol):
    @property
    def type(self) -> str: ...


class RuleEntry(Protocol):
    """A rule of either engine, as the checks below read it."""

    @property
    def id(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def trigger(self) -> _Trigger: ...


@dataclass(frozen=True)
class RuleFile(Generic[M]):
    """A validated rule file with the file and line map it came from."""

    model: M
    file: str
    lines: LineMap = field(default_factory=LineMap, compare=False, repr=False)

    def line(self, *path: str | int) -> int | None:
        """Return the line of a path inside the file."""
        return self.lines.line_of(tuple(path))

    def problem(self, message: str, *path: str | int) -> Problem:
        """Return a problem located at `path` inside the file."""
        return Problem(self.file, self.line(*path), message, ".".join(str(p) for p in path))


def check_rules(loaded: RuleFile[Any], rules: Sequence[RuleEntry],
                triggers: Mapping[str, TriggerSpec]) -> list[Problem]:
    """Find what pydantic cannot see in a file's rules: a duplicate id, a level its trigger cannot produce."""
    problems = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id in seen:
            problems.append(loaded.problem(f"规则编号重复：{rule.id}（已见于 rules.{seen[rule.id]}）",
                                           "rules", index, "id"))
        seen.setdefault(rule.id, index)
        allowed = triggers[rule.trigger.type].levels()
        if rule.level not in allowed:
            problems.append(loaded.problem(
                f"触发条件 {rule.trigger.type} 只能产生 {'、'.join(allowed)} 级别，不能是 {rule.level}",
                "rules", index, "level"))
    return problems


def _located(exc: ValidationError, filename: str, lines: LineMap, triggers: Sequence[str]) -> list[Problem]:
    """Locate pydantic's errors, dropping its union tags from paths so they match the YAML."""
    problems = []
    for err in exc.errors():
        loc = tuple(part for i, part in enumerate(err["loc"])
                    if not (i > 0 and err["loc"][i - 1] == "trigger" and part in triggers))
        message = err["msg"]
        if err["type"] == "union_tag_invalid" and isinstance(err["input"], dict):
            message = f"未知的触发条件 {err['input'].get('type')!r}；可用：{'、'.join(triggers)}"
            loc += ("type",)
        problems.append(Problem(filename, lines.line_of(loc), message, ".".join(str(p) for p in loc)))
    return problems


def validate(schema: type[M], data: Any, filename: str, lines: LineMap, triggers: Mapping[str, TriggerSpec],
             check: Callable[[RuleFile[M]], list[Problem]]) -> RuleFile[M]:
    """Validate a parsed rule file, then `check` what its schema cannot say; raise InputError listing every problem."""
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        raise InputError(_located(exc, filename, lines, list(triggers))) from exc
    loaded = RuleFile(model, filename, lines)
    problems = check(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def rule_paths(folder: Path) -> list[Path]:
    """Return a folder's rule files (*.yaml, then *.yml), each group in name order."""
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
