"""Task rule sets (rules/*.yaml) and the rule book that resolves them per plan.

A rule set names the plans it applies to ("*" for the default), may extend another set (inheriting
its rules, overriding them by id or disabling them), quotes the plan clause it implements, and lists
rules. Each rule has a level (a rung of scheduler.ladder), one trigger from the closed set of
scheduler.escalation.triggers, the roles it notifies and a clause citation. The loader core (errors
with file and line, levels from the ladder) is scheduler.escalation.rulefile, shared with the metric rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from scheduler.errors import InputError, Problem
from scheduler.escalation import inhibit
from scheduler.escalation.rulefile import (
    ID_PATTERN,
    ClauseQuote,
    LevelName,
    RuleFile,
    RuleModel,
    check_rules,
    rule_paths,
    validate,
)
from scheduler.escalation.triggers import TRIGGERS, BeforeDue, Offset, ProgressRequest, Trigger
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text

RoleName = Literal["lead", "cooperating", "responsible"]
DEFAULT_APPLIES = "*"
DEFAULT_ROLES: tuple[RoleName, ...] = ("lead", "responsible")  # who a rule notifies unless it says


class Rule(RuleModel):
    """One rung of the escalation ladder."""

    id: str = Field(pattern=ID_PATTERN)
    level: LevelName
    trigger: Trigger
    to: list[RoleName] = Field(default_factory=lambda: list(DEFAULT_ROLES), min_length=1)
    clause: str = Field(min_length=1)
    label: str = Field(min_length=1)
    send_on_non_workdays: bool = False

    @field_validator("to")
    @classmethod
    def _unique_roles(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("to 中的角色重复")
        return value


class RuleSet(RuleModel):
    """A rules/*.yaml file."""

    id: str = Field(pattern=ID_PATTERN)
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


LoadedRuleSet = RuleFile[RuleSet]


def _validate(data: Any, filename: str, lines: LineMap) -> LoadedRuleSet:
    return validate(RuleSet, data, filename, lines, TRIGGERS, lambda f: check_rules(f, f.model.rules, TRIGGERS))


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
    label: str
    clause: str
    folds: bool  # an interview case folds its urges (scheduler.escalation.inhibit)


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
        lead = max(lead, offset.days + 12 if offset.days is not None else (offset.workdays or 0) * 2 + 14)
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
                first = self.sets[model.id].file
                problems.append(loaded.problem(f"规则集编号重复：{model.id}（已见于 {first}）", "id"))
                continue
            self.sets[model.id] = loaded
            if model.applies_to == DEFAULT_APPLIES:
                if self._default is not None:
                    problems.append(loaded.problem(f"默认规则集只能有一个（已有 {self._default}）", "applies_to"))
                else:
                    self._default = model.id
                continue
            for index, plan in enumerate(model.applies_to):
                if plan in self._by_plan:
                    problems.append(loaded.problem(f"计划 {plan} 已由规则集 {self._by_plan[plan]} 适用",
                                                   "applies_to", index))
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
                problems.append(loaded.problem(f"extends 指向不存在的规则集：{model.extends}", "extends"))
                broken.add(model.id)
                continue
            chain, current = [model.id], self._parent(model)
            while current is not None:
                if current in chain:
                    problems.append(loaded.problem(f"规则集继承成环：{' -> '.join(chain + [current])}", "extends"))
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
                    problems.append(loaded.problem(f"disable 的规则 {rule_id} 不在继承的规则中", "disable", index))
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
                label=rule.label,
                clause=rule.clause,
                folds=TRIGGERS[trigger.type].folds,
            )
            self._counter += 1
            self._compiled[key] = compiled
        return compiled

    def _resolve(self, set_id: str) -> tuple[dict[str, CompiledRule], int | None]:
        model = self.sets[set_id].model
        parent = self._parent(model)
        rules, days = self._resolve(parent) if parent else ({}, None)
        rules = {rid: r for rid, r in rules.items() if rid not in model.disable}
        for rule in model.rules:
            rules[rule.id] = self._compile(model, rule)  # same id overrides, in the parent's place
        if model.inhibit_urges_days_after_interview is not None:
            days = model.inhibit_urges_days_after_interview
        return rules, days

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
            effective = EffectiveRules("", (), inhibit.DEFAULT_DAYS, frozenset(), False)
        else:
            rules, days = self._resolve(set_id)
            ordered = tuple(rules.values())
            effective = EffectiveRules(
                ruleset_id=set_id,
                rules=ordered,
                inhibit_urges_days=inhibit.DEFAULT_DAYS if days is None else days,
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
        files = rule_paths(folder)
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
