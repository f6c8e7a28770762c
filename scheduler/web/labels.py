"""Plans, tasks and sources in the words a coordinator reads: a plan by its short title, a source
as 《方案简称》第N行, a task by its plan and number, instead of plan ids and hashed file names.

Internal keys stay in URLs, --json output and logs; every page passes what it shows through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from scheduler.letters.digest import plan_short_title
from scheduler.store.catalog import plan_rows, source_files
from scheduler.store.session import Session
from scheduler.web.core import WebContext

_SOURCE = re.compile(r"(?P<file>\d{3}_[0-9a-f]{16}\.[a-z]+)(?::(?P<line>\d+(?:-\d+)?))?")
_TASK = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{4}/[A-Za-z0-9-]+")
_SEED = re.compile(r"种子(?P<seed>\d{3})")  # how the importers' notes name a seed document
_RULE = re.compile(r"(?P<set>[a-z][a-z0-9-]*)/(?P<rule>[a-z][a-z0-9-]*)(?P<version> 第\d+版)")


@dataclass(frozen=True)
class Names:
    """Short titles of the store's plans, and which plan each source file belongs to."""

    titles: dict[str, str]  # plan id -> short title
    files: dict[str, str]  # source file name -> plan id
    rulesets: dict[str, str] = field(default_factory=dict)  # rule set id -> its Chinese title

    def plan(self, plan_id: str | None) -> str:
        """A plan's short title (长治市2019-2020年秋冬季方案); an unknown id as given."""
        return self.titles.get(plan_id or "", plan_id or "")

    def task(self, task_id: str | None) -> str:
        """A task as 《方案简称》 and its number in the plan (r013, 5)."""
        if not task_id:
            return ""
        plan_id, _, number = task_id.partition("/")
        if plan_id not in self.titles or not number:
            return self.words(task_id)
        return f"《{self.titles[plan_id]}》{number.lstrip('r') if number[1:].isdigit() else number}"

    def number(self, task_id: str | None) -> str:
        """A task's number within its plan (第001项), for a row whose plan is shown beside it."""
        _, _, number = (task_id or "").partition("/")
        number = number.lstrip("r") if number[1:].isdigit() else number
        return f"第{number}项" if number.isdigit() else number

    def source(self, source: str | None) -> str:
        """A task's source (`file:line`) as 《方案简称》第N行."""
        return self.words(source or "")

    def words(self, text: str) -> str:
        """Free text (an audit detail, an explanation) with every source file and plan id replaced
        by the plan's short title; the longest ids first, so changzhi-2019 never eats changzhi-2019x."""
        text = _SOURCE.sub(self._source, text)
        text = _SEED.sub(self._seed, text)
        text = _RULE.sub(self._rule, text)
        text = _TASK.sub(self._task, text)
        for plan_id in sorted(self.titles, key=len, reverse=True):
            text = text.replace(plan_id, self.titles[plan_id])
        return text

    def _task(self, match: re.Match[str]) -> str:
        return self.task(match[0]) if match[0].split("/", 1)[0] in self.titles else match[0]

    def _rule(self, match: re.Match[str]) -> str:
        title = self.rulesets.get(match["set"])
        if title is None:
            return match[0]
        return f"《{title}》{match['version'].strip()}"

    def _seed(self, match: re.Match[str]) -> str:
        plan_id = next((p for f, p in sorted(self.files.items()) if f.startswith(f"{match['seed']}_")), "")
        return f"《{self.titles[plan_id]}》" if plan_id in self.titles else match[0]

    def _source(self, match: re.Match[str]) -> str:
        plan_id = self.files.get(match["file"], "")
        title = f"《{self.titles[plan_id]}》" if plan_id in self.titles else "原文件"
        return f"{title}第{match['line']}行" if match["line"] else title


def names(session: Session, rules_dir: Path | None = None) -> Names:
    """Read the plans' titles and source files once for a page, and the rule sets' titles."""
    return Names({p.id: plan_short_title(p.title) for p in plan_rows(session)}, source_files(session),
                 ruleset_titles(str(rules_dir)) if rules_dir else {})


@lru_cache(maxsize=4)
def ruleset_titles(folder: str) -> dict[str, str]:
    """Each rule set's id with its title (rules/ and rules/metrics/), read once per folder (a broken
    file is `duban check`'s business: here it simply keeps its id)."""
    return {set_id: title for set_id, (title, _) in _rulesets(folder).items()}


def rule_label(folder: str, rule_id: str, ruleset_id: str = "") -> str:
    """A rule's Chinese label (逾期十个工作日下发预警通知函): from its set, else from any set that
    has a rule of that id (a plan's set overrides the default's rules by id); the id when none has."""
    sets = _rulesets(folder)
    for _, labels in [sets.get(ruleset_id, ("", {})), *sets.values()]:
        if rule_id in labels:
            return labels[rule_id]
    return rule_id


@lru_cache(maxsize=4)
def _rulesets(folder: str) -> dict[str, tuple[str, dict[str, str]]]:
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in sorted(Path(folder).rglob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("id") and data.get("title"):
            rules = data.get("rules")
            rules = rules if isinstance(rules, list) else []
            found[str(data["id"])] = (str(data["title"]), {
                str(r["id"]): str(r["label"]) for r in rules if isinstance(r, dict) and r.get("id") and r.get("label")})
    return found


def sentence(value: Any, names_: Names) -> str:
    """A stored value (an audit detail) as words: lists joined with 、, mappings as 名：值, no reprs."""
    if isinstance(value, dict):
        return "；".join(f"{names_.words(str(k))}：{sentence(v, names_)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(sentence(v, names_) for v in value) or "（无）"
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return names_.words(str(value))


def names_for(session: Session, rules_dir: str) -> Names:
    """The names as `names` reads them, for a caller that holds the rules folder as text (the CLI)."""
    return names(session, Path(rules_dir))


def page_names(session: Session, ctx: WebContext) -> Names:
    """The names for one page of the console."""
    return names(session, ctx.config.path(ctx.config.rules_dir))
