"""Declarative escalation rule sets (rules/*.yaml): a closed vocabulary validated on load.

A rule set names the plans it applies to ("*" for the default), may extend another set (inheriting
its rules, overriding them by id or disabling them), quotes the plan clause it implements, and lists
rules. Each rule has a level, one trigger from a closed set (a discriminated union on `type`, so
metric triggers can be added as further members), the roles it notifies and a clause citation.
There is no expression language: every trigger is a named parameterised behaviour in
`scheduler.escalation.evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scheduler.errors import InputError, Problem
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text

LevelName = Literal["reminder", "urge", "warning", "interview"]
RoleName = Literal["lead", "cooperating", "responsible"]
DEFAULT_APPLIES = "*"
PROGRESS_KINDS = ("ongoing", "year_long", "from", "window")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Offset(_Model):
    """How long before a date a reminder fires: calendar days or working days, exactly one."""

    days: int | None = Field(default=None, ge=0, le=366)
    workdays: int | None = Field(default=None, ge=0, le=250)

    @model_validator(mode="after")
    def _exactly_one(self) -> Offset:
        if (self.days is None) == (self.workdays is None):
            raise ValueError("提前量须且只能给出 days 或 workdays 之一")
        return self

    @property
    def tag(self) -> str:
        """Return the short form used in occurrence keys, e.g. 30d or 3wd."""
        return f"{self.days}d" if self.days is not None else f"{self.workdays}wd"

    @property
    def zh(self) -> str:
        """Return the Chinese reading, e.g. 30天 or 3个工作日."""
        return f"{self.days}天" if self.days is not None else f"{self.workdays}个工作日"


Offsets = Annotated[list[Offset], Field(min_length=1)]


class BeforeDue(_Model):
    """Remind before each due date and each milestone found in the measure text."""

    type: Literal["before_due"]
    offsets: Offsets
    milestones: bool = True


class ProgressRequest(_Model):
    """Ask for progress periodically on open-ended tasks, and before each recurring occurrence."""

    type: Literal["progress_request"]
    every: Literal["week", "month", "quarter"] = "month"
    nth_workday: int = Field(default=1, ge=1, le=20)
    kinds: list[Literal["ongoing", "year_long", "from", "window"]] = Field(
        default_factory=lambda: list(PROGRESS_KINDS)
    )
    recurring: bool = True
    recurring_offsets: Offsets = Field(default_factory=lambda: [Offset(workdays=3)])


class ProgressMissing(_Model):
    """Urge when a progress request got no report within N working days."""

    type: Literal["progress_missing"]
    after_workdays: int = Field(ge=1, le=60)


class WindowStart(_Model):
    """Notify on the first working day of a window task."""

    type: Literal["window_start"]


class WindowEnd(_Model):
    """Notify N working days before a window task ends."""

    type: Literal["window_end"]
    before_workdays: int = Field(ge=0, le=60)


class Overdue(_Model):
    """Escalate N working days after a due date when the task is not done."""

    type: Literal["overdue"]
    after_workdays: int = Field(ge=0, le=250)
    include_milestones: bool = False


class WarningUnresolved(_Model):
    """Propose an interview M working days after an approved/sent warning, M+P if acknowledged."""

    type: Literal["warning_unresolved"]
    after_workdays: int = Field(ge=1, le=250)
    ack_grace_workdays: int = Field(default=0, ge=0, le=250)


class AckMissing(_Model):
    """Urge a unit that has not signed for (签收) a letter N working days after it was sent."""

    type: Literal["ack_missing"]
    after_workdays: int = Field(ge=1, le=60)
    levels: list[Literal["warning", "interview"]] = Field(
        default_factory=lambda: ["warning", "interview"], min_length=1
    )


class SeriousDelay(_Model):
    """Propose an interview when a task is K or more working days overdue."""

    type: Literal["serious_delay"]
    after_workdays: int = Field(ge=1, le=500)


Trigger = Annotated[
    BeforeDue | ProgressRequest | ProgressMissing | WindowStart | WindowEnd | Overdue | WarningUnresolved
    | SeriousDelay | AckMissing,
    Field(discriminator="type"),
]

# Which levels each trigger may produce: a reminder trigger cannot send an interview by typo.
LEVELS_BY_TRIGGER: dict[str, frozenset[str]] = {
    "before_due": frozenset({"reminder"}),
    "progress_request": frozenset({"reminder"}),
    "window_start": frozenset({"reminder"}),
    "window_end": frozenset({"reminder"}),
    "progress_missing": frozenset({"urge"}),
    "overdue": frozenset({"urge", "warning"}),
    "warning_unresolved": frozenset({"interview"}),
    "serious_delay": frozenset({"warning", "interview"}),
    "ack_missing": frozenset({"urge"}),
}


class Rule(_Model):
    """One rung of the escalation ladder."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    level: LevelName
    trigger: Trigger
    to: list[RoleName] = Field(default_factory=lambda: ["lead", "responsible"], min_length=1)
    clause: str = Field(min_length=1)
    label: str = Field(min_length=1)
    send_on_non_workdays: bool = False

    @field_validator("to")
    @classmethod
    def _unique_roles(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("to 中的角色重复")
        return value


class ClauseQuote(_Model):
    """A plan clause quoted with where it stands."""

    source: str = Field(min_length=1)  # seed file and line, e.g. 001_5d70b785daafd91c.txt:114
    section: str = ""  # e.g. 五（五）强化考核督察
    text: str = Field(min_length=1)


class RuleSet(_Model):
    """A rules/*.yaml file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    applies_to: Literal["*"] | list[str]
    extends: str | None = None
    clause: list[ClauseQuote] = Field(min_length=1)
    note: str = ""
    disable: list[str] = Field(default_factory=list)
    # A unit whose interview is pending (or was sent this many days ago or less) gets no routine
    # urges; they are returned folded. None inherits from the extended set (default 30).
    inhibit_urges_days_after_interview: int | None = Field(default=None, ge=0, le=365)
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("clause", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("applies_to", mode="before")
    @classmethod
    def _plan_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) and value != DEFAULT_APPLIES else value


@dataclass(frozen=True)
class LoadedRuleSet:
    """A validated rule set with the file and line map it came from."""

    model: RuleSet
    file: str
    lines: LineMap = field(default_factory=LineMap, compare=False, repr=False)

    def line(self, *path: str | int) -> int | None:
        """Return the line of a path inside the file."""
        return self.lines.line_of(tuple(path))


def _check_one(loaded: LoadedRuleSet) -> list[Problem]:
    """Find what pydantic cannot see inside one file: duplicate ids, level/trigger mismatches."""
    problems = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(loaded.model.rules):
        if rule.id in seen:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.line("rules", index, "id"),
                    f"规则编号重复：{rule.id}（已见于 rules.{seen[rule.id]}）",
                    f"rules.{index}.id",
                )
            )
        seen.setdefault(rule.id, index)
        allowed = LEVELS_BY_TRIGGER[rule.trigger.type]
        if rule.level not in allowed:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.line("rules", index, "level"),
                    f"触发条件 {rule.trigger.type} 只能产生 {'、'.join(sorted(allowed))} 级别，"
                    f"不能是 {rule.level}",
                    f"rules.{index}.level",
                )
            )
    return problems


def _validate(data: Any, filename: str, lines: LineMap) -> LoadedRuleSet:
    """Validate a parsed file; drop pydantic's union tags from paths so they match the YAML."""
    try:
        model = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(
                part
                for i, part in enumerate(err["loc"])
                if not (i > 0 and err["loc"][i - 1] == "trigger" and part in LEVELS_BY_TRIGGER)
            )
            message = err["msg"]
            if err["type"] == "union_tag_invalid" and isinstance(err["input"], dict):
                known = "、".join(LEVELS_BY_TRIGGER)
                message = f"未知的触发条件 {err['input'].get('type')!r}；可用：{known}"
                loc += ("type",)
            problems.append(
                Problem(filename, lines.line_of(loc), message, ".".join(str(p) for p in loc))
            )
        raise InputError(problems) from exc
    loaded = LoadedRuleSet(model, filename, lines)
    problems = _check_one(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def parse_ruleset(text: str, filename: str) -> LoadedRuleSet:
    """Validate one rule set's YAML text; raise InputError naming file, line and path."""
    data, lines = load_yaml_text(text, filename)
    return _validate(data, filename, lines)


def load_ruleset(path: str | Path) -> LoadedRuleSet:
    """Read and validate one rules/*.yaml file."""
    data, lines = load_yaml_file(path)
    return _validate(data, str(path), lines)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready for evaluation: parameters unpacked once, snapshot precomputed."""

    rule: Rule
    ruleset_id: str
    ruleset_version: str
    snapshot: dict[str, Any]
    index: int  # unique per RuleBook, used as a cache key
    id: str
    level: str
    trigger_type: str
    roles: tuple[str, ...]
    offsets: tuple[Offset, ...]  # before_due offsets, or recurring offsets of progress_request
    max_lead_days: int  # no fire day of this rule lies further than this before its date
    send_on_non_workdays: bool
    needs_review: bool


@dataclass(frozen=True)
class EffectiveRules:
    """The rules that apply to one plan after inheritance."""

    ruleset_id: str
    rules: tuple[CompiledRule, ...]
    inhibit_urges_days: int
    progress_rule_ids: frozenset[str]
    any_non_workday_rule: bool


def _max_lead(offsets: Iterable[Offset]) -> int:
    # Moving a fire day to the previous working day can add up to a long holiday (春节, 国庆).
    lead = 0
    for offset in offsets:
        lead = max(lead, offset.days + 12 if offset.days is not None else offset.workdays * 2 + 14)
    return lead


class RuleBook:
    """The loaded rule sets; `rules_for(plan_id)` resolves inheritance once per plan and caches."""

    def __init__(self, sets: Iterable[LoadedRuleSet]) -> None:
        self.sets: dict[str, LoadedRuleSet] = {}
        self._by_plan: dict[str, str] = {}
        self._default: str | None = None
        self._cache: dict[str, EffectiveRules] = {}
        self._counter = 0
        self._compiled: dict[tuple[str, str], CompiledRule] = {}
        problems: list[Problem] = []
        for loaded in sets:
            model = loaded.model
            if model.id in self.sets:
                problems.append(
                    Problem(
                        loaded.file,
                        loaded.line("id"),
                        f"规则集编号重复：{model.id}（已见于 {self.sets[model.id].file}）",
                        "id",
                    )
                )
                continue
            self.sets[model.id] = loaded
            if model.applies_to == DEFAULT_APPLIES:
                if self._default is not None:
                    problems.append(
                        Problem(
                            loaded.file,
                            loaded.line("applies_to"),
                            f"默认规则集只能有一个（已有 {self._default}）",
                            "applies_to",
                        )
                    )
                else:
                    self._default = model.id
                continue
            for index, plan in enumerate(model.applies_to):
                if plan in self._by_plan:
                    problems.append(
                        Problem(
                            loaded.file,
                            loaded.line("applies_to", index),
                            f"计划 {plan} 已由规则集 {self._by_plan[plan]} 适用",
                            f"applies_to.{index}",
                        )
                    )
                self._by_plan.setdefault(plan, model.id)
        problems.extend(self._check_extends())
        if problems:
            raise InputError(problems)
        for plan in self._by_plan:  # resolve now so every inheritance problem surfaces at load time
            self.rules_for(plan)

    def _parent(self, model: RuleSet) -> str | None:
        if model.extends is not None:
            return model.extends
        # A plan set without `extends` builds on the default ladder; the default stands alone.
        if model.applies_to != DEFAULT_APPLIES and self._default is not None:
            return self._default
        return None

    def _check_extends(self) -> list[Problem]:
        problems = []
        broken: set[str] = set()
        for loaded in self.sets.values():
            model = loaded.model
            if model.extends is not None and model.extends not in self.sets:
                problems.append(
                    Problem(
                        loaded.file,
                        loaded.line("extends"),
                        f"extends 指向不存在的规则集：{model.extends}",
                        "extends",
                    )
                )
                broken.add(model.id)
                continue
            chain, current = [model.id], self._parent(model)
            while current is not None:
                if current in chain:
                    problems.append(
                        Problem(
                            loaded.file,
                            loaded.line("extends"),
                            f"规则集继承成环：{' -> '.join(chain + [current])}",
                            "extends",
                        )
                    )
                    broken.add(model.id)
                    break
                if current not in self.sets:
                    broken.add(model.id)  # reported on the set that names it
                    break
                chain.append(current)
                current = self._parent(self.sets[current].model)
        for loaded in self.sets.values():
            model = loaded.model
            if model.id in broken:
                continue
            parent = self._parent(model)
            inherited = set(self._rule_ids(parent)) if parent else set()
            for index, rule_id in enumerate(model.disable):
                if rule_id not in inherited:
                    problems.append(
                        Problem(
                            loaded.file,
                            loaded.line("disable", index),
                            f"disable 的规则 {rule_id} 不在继承的规则中",
                            f"disable.{index}",
                        )
                    )
        return problems

    def _rule_ids(self, set_id: str | None) -> list[str]:
        if set_id is None:
            return []
        model = self.sets[set_id].model
        ids = [r for r in self._rule_ids(self._parent(model)) if r not in model.disable]
        return ids + [r.id for r in model.rules if r.id not in ids]

    def _compile(self, model: RuleSet, rule: Rule) -> CompiledRule:
        key = (model.id, rule.id)
        compiled = self._compiled.get(key)
        if compiled is None:
            trigger = rule.trigger
            if isinstance(trigger, BeforeDue):
                offsets = tuple(trigger.offsets)
            elif isinstance(trigger, ProgressRequest):
                offsets = tuple(trigger.recurring_offsets)
            else:
                offsets = ()
            compiled = CompiledRule(
                rule=rule,
                ruleset_id=model.id,
                ruleset_version=model.version,
                snapshot=rule.model_dump(mode="json"),
                index=self._counter,
                id=rule.id,
                level=rule.level,
                trigger_type=trigger.type,
                roles=tuple(rule.to),
                offsets=offsets,
                max_lead_days=_max_lead(offsets),
                send_on_non_workdays=rule.send_on_non_workdays,
                needs_review=rule.level in ("warning", "interview"),
            )
            self._counter += 1
            self._compiled[key] = compiled
        return compiled

    def _resolve(self, set_id: str) -> tuple[dict[str, CompiledRule], int | None]:
        model = self.sets[set_id].model
        parent = self._parent(model)
        rules, inhibit = self._resolve(parent) if parent else ({}, None)
        rules = {rid: r for rid, r in rules.items() if rid not in model.disable}
        for rule in model.rules:
            rules[rule.id] = self._compile(model, rule)  # same id overrides, in the parent's place
        if model.inhibit_urges_days_after_interview is not None:
            inhibit = model.inhibit_urges_days_after_interview
        return rules, inhibit

    def ruleset_id_for(self, plan_id: str) -> str | None:
        """Return the id of the set that governs `plan_id` (its own, else the default)."""
        return self._by_plan.get(plan_id, self._default)

    def rules_for(self, plan_id: str) -> EffectiveRules:
        """Return the effective rules of a plan: its own set on top of what it extends."""
        cached = self._cache.get(plan_id)
        if cached is not None:
            return cached
        set_id = self.ruleset_id_for(plan_id)
        if set_id is None:
            effective = EffectiveRules("", (), 30, frozenset(), False)
        else:
            rules, inhibit = self._resolve(set_id)
            ordered = tuple(rules.values())
            effective = EffectiveRules(
                ruleset_id=set_id,
                rules=ordered,
                inhibit_urges_days=30 if inhibit is None else inhibit,
                progress_rule_ids=frozenset(
                    r.id for r in ordered if r.trigger_type == "progress_request"
                ),
                any_non_workday_rule=any(r.send_on_non_workdays for r in ordered),
            )
        self._cache[plan_id] = effective
        return effective


def load_rulebook(paths: str | Path | Iterable[str | Path]) -> RuleBook:
    """Load a rules folder (every *.yaml in it) or a list of files; collect all problems."""
    if isinstance(paths, (str, Path)):
        folder = Path(paths)
        if not folder.is_dir():
            raise InputError.single(str(folder), None, "规则目录不存在")
        files: list[Path] = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    else:
        files = [Path(p) for p in paths]
    loaded, problems = [], []
    for path in files:
        try:
            loaded.append(load_ruleset(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return RuleBook(loaded)
