"""What every area of the console shares: the app's context, page rendering, errors, label filters.

Pages are server-rendered Jinja2 (autoescaped, undefined names an error, as in scheduler.letters.render);
the templates are ours, not coordinators', so they need no sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.clock import SHANGHAI
from scheduler.config import Config
from scheduler.escalation.status import LAMP_NAMES, STATE_NAMES
from scheduler.glossary import DEADLINE_KINDS, DELIVERY_STATUSES, NOTICE_STATUSES, PROGRESS_STATUSES, TERMS
from scheduler.letters.content import zh_date
from scheduler.letters.render import TEMPLATES_DIR
from scheduler.store.session import Session
from scheduler.web.filecache import FileCache

WEB_TEMPLATES = TEMPLATES_DIR / "web"


def term(name: str | None) -> str:
    """Return the Chinese term for an identifier, or the identifier itself when the glossary lacks it."""
    if not name:
        return ""
    return TERMS.get(name) or NOTICE_STATUSES.get(name) or PROGRESS_STATUSES.get(name, name)


def notice_status(name: str) -> str:
    """A timeline row's status: a notice's, or a progress report's."""
    return NOTICE_STATUSES.get(name) or PROGRESS_STATUSES.get(name, name)


def fmt_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    from scheduler.web.accounts import utc

    return utc(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def make_env(folder: Path = WEB_TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        zhdate=lambda d: zh_date(d) if d else "—",
        term=term,
        notice_status=notice_status,
        delivery_status=lambda s: DELIVERY_STATUSES.get(s, s),
        light=lambda s: STATE_NAMES.get(s, s),
        lamp=lambda s: LAMP_NAMES.get(s, s),
        deadline_kind=lambda s: DEADLINE_KINDS.get(s, s),
        time=fmt_time,
    )
    return env


@dataclass
class WebContext:
    """Everything the routes need, built once per app: config, store, clock, templates."""

    config: Config
    store: Any  # scheduler.store.Store
    now: Callable[[], datetime]
    secret: bytes | None = None
    env: Environment = field(default_factory=make_env)
    files: FileCache = field(default_factory=FileCache)  # values read from data files, per app
    throttle: Any = None  # scheduler.web.throttle.LoginThrottle, set by create_app
    hashes: Any = None  # scheduler.web.throttle.WorkerPool for password hashes, set by create_app
    uploads: Any = None  # scheduler.web.throttle.WorkerPool parsing uploads one at a time

    def today(self) -> date:
        return self.now().astimezone(SHANGHAI).date()

    @cached_property
    def renderer(self):
        from scheduler.letters.render import Renderer

        return Renderer(self.config.path(self.config.templates_dir))

    @cached_property
    def calendar_folder(self):
        from scheduler.escalation.calendar import CalendarFolder

        return CalendarFolder(self.config.path(self.config.calendar_dir))

    @property
    def calendar(self):
        """The working-day calendar as data/calendar/ now stands (a new year file counts at once)."""
        return self.calendar_folder.current()

    def calendar_notes(self) -> list[str]:
        """What every page's banner says about the calendar: a provisional year, next year's file
        still missing from November, a year file that does not load. Never fails a page."""
        from scheduler.errors import InputError

        try:
            calendar = self.calendar
        except InputError as exc:
            return ["节假日数据有误，工作日无法计算：" + "；".join(str(p) for p in exc.problems)]
        notes = calendar.warnings(self.today())
        if self.calendar_folder.problem:
            notes.append(self.calendar_folder.problem)
        return notes

    @cached_property
    def rulebook(self):
        from scheduler.escalation.ruleset import load_rulebook

        return load_rulebook(self.config.path(self.config.rules_dir))

    @property
    def data_dir(self) -> Path:
        return self.config.path(self.config.data_dir)

    @property
    def directory(self):
        """The unit directory (data/units.yaml), re-read when the file changes."""
        from scheduler.plans.units import UnitDirectory

        units = self.data_dir / "units.yaml"
        return self.files.get("directory", lambda: [units], lambda: UnitDirectory.load(units))

    def open_points(self) -> tuple:
        """`duban ledger check`'s open points, re-read when a ledger or units.yaml changes (or one is added)."""
        from scheduler.plans.ledger import ledger_paths
        from scheduler.plans.views import open_points

        folder = self.data_dir
        return self.files.get("open_points", lambda: [*ledger_paths(folder), folder / "units.yaml"],
                              lambda: tuple(open_points(folder, self.config)))

    @cached_property
    def metrics(self):
        """Metric rules, targets (data/targets/) and regions, as `duban metrics` loads them."""
        from scheduler.escalation.metrics import load_setup

        return load_setup(self.config.path(self.config.rules_dir), self.config.path(self.config.data_dir),
                          self.directory)

    @property
    def outbox(self) -> Path:
        return self.config.path(self.config.outbox)

    @property
    def secure_cookies(self) -> bool:
        return self.config.web.base_url.startswith("https://")


def web(request: Request) -> WebContext:
    return request.app.state.web


def db(request: Request) -> Iterator[Session]:
    """One store session per request; routes that change something commit themselves."""
    with request.app.state.web.store.session() as session:
        yield session


def page(request: Request, template: str, user: Any = None, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a console page; every page gets the user (for the menu and the CSRF token)."""
    ctx = web(request)
    notes = ctx.calendar_notes() if user is not None else []
    html = ctx.env.get_template(template).render(
        request=request, user=user, today=ctx.today(), path=request.url.path, calendar_notes=notes, **values
    )
    return HTMLResponse(html, status_code=status_code)


class LoginRequired(Exception):
    """No live session: pages redirect to the login page, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but this role (or this unit) may not do or see that: 403."""

    def __init__(self, message: str = "您的账号无权访问此页面或执行此操作。") -> None:
        super().__init__(message)
        self.message = message


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


MAX_ID = 2**63 - 1  # the store's integer columns are 64-bit; a larger id names nothing


def int_or_none(text: str | None) -> int | None:
    """Return the id a form or query sent, or None when it is empty, not a number or out of range."""
    try:
        value = int(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or abs(value) <= MAX_ID else None
