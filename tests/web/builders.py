"""A realistic console world built through the real store: the five ledgers of data/ loaded, two
sweeps of 长治 2019-20, escalations approved and delivered (with one unit's channel failing
permanently, so there are dead letters), a progress report, and one account per role."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config, load_config
from scheduler.delivery.channels.base import TransportError
from scheduler.delivery.channels.fileoutbox import FileOutbox
from scheduler.delivery.run import deliver
from scheduler.plans.ledger import load_ledgers
from scheduler.plans.units import UnitDirectory
from scheduler.runtime import Runtime
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.sweep import run_sweep
from scheduler.web.accounts import create_user

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2019, 12, 20)  # a Friday: 长治's November deadlines are 15 working days late
NOW = datetime(2019, 12, 20, 15, 0, tzinfo=SHANGHAI)
PASSWORD = "correct-horse-1"
UNIT_A = "潞州区人民政府"  # the unit user's unit
UNIT_B = "襄垣县人民政府"  # another county: the unit user must never see its data
UNIT_C = "长治市能源局"  # its channel fails permanently: dead letters
USERS = {  # login name -> (role, units, display name)
    "wang": ("coordinator", (), "王协调"),
    "li": ("viewer", (), "李查看"),
    "luzhou": ("unit", (UNIT_A,), "潞州区督办员"),
}


class FailingFor:
    """A file outbox that refuses one unit's messages permanently (a wrong address, say)."""

    name = "file"

    def __init__(self, root: Path, unit: str) -> None:
        self.outbox, self.unit = FileOutbox(root), unit

    def send(self, message):
        if message.unit == self.unit:
            raise TransportError("收件地址不存在（550 5.1.1）", permanent=True)
        return self.outbox.send(message)


@dataclass
class World:
    """A copy of the built store and outbox that one test may change."""

    folder: Path
    config: Config

    @property
    def url(self) -> str:
        return self.config.database


def world_config(folder: Path) -> Config:
    """The shipped config.yaml, with the store, outbox and base folder (where the 签收 link secret
    file is created) inside `folder`."""
    base = load_config(ROOT / "config.yaml")
    return base.model_copy(update={
        "database": f"sqlite:///{folder / 'duban.db'}", "outbox": folder / "out", "base_dir": folder,
        "data_dir": ROOT / "data", "rules_dir": ROOT / "rules", "templates_dir": ROOT / "templates",
        "calendar_dir": ROOT / "data" / "calendar",
    })


def first_review(session, unit: str, level: str = "warning") -> m.Notice:
    return session.scalars(select(m.Notice).where(m.Notice.unit == unit, m.Notice.level == level,
                                                  m.Notice.status == "pending_review").order_by(m.Notice.id)).first()


def build_world(folder: Path, *, pdf: bool = True) -> World:
    """Build the world under `folder` (store file and outbox)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = world_config(folder)
    runtime = Runtime(config)
    store = runtime.store
    with store.session() as session:
        repo.load_ledgers(session, load_ledgers(ROOT / "data"), UnitDirectory.load(ROOT / "data" / "units.yaml"),
                          config.heating_season_start, now=NOW)
        session.commit()
    for day in (date(2019, 12, 2), DAY):
        run_sweep(store, runtime.rulebook, runtime.calendar, day, heating=config.heating_season_start)
    with store.session() as session:
        for name, (role, units, display) in USERS.items():
            create_user(session, name, PASSWORD, role, units=units, display_name=display, now=NOW)
        chosen = [first_review(session, unit).id for unit in (UNIT_A, UNIT_B, UNIT_C)]
        repo.decide_notices(session, chosen, "approve", "wang", "", now=NOW)
        task = session.scalars(select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_A)
                               .order_by(m.Assignment.id)).first()
        repo.report_progress(session, task, UNIT_A, "in_progress", 40, "已完成方案编制", "luzhou", date(2019, 12, 10),
                             now=NOW)
        session.commit()
    outbox = config.path(config.outbox)
    deliver(store, config, runtime.calendar, DAY, now=NOW, pdf=pdf,
            channel_factory=lambda channel, address: FailingFor(outbox, UNIT_C))
    store.dispose()
    return World(folder, config)


def copy_world(template: World, folder: Path) -> World:
    """Copy a built world (the store file is closed, so a plain copy is consistent)."""
    shutil.copytree(template.folder, folder, dirs_exist_ok=True)
    world = World(folder, world_config(folder))
    old, new = str(template.config.path(template.config.outbox)), str(world.config.path(world.config.outbox))
    with sqlite3.connect(folder / "duban.db") as connection:  # the file outbox moved with the files
        connection.execute("UPDATE deliveries SET address = ? WHERE channel = 'file' AND address = ?", (new, old))
    return world


def open_world(world: World):
    return open_store(world.url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client, name: str, password: str = PASSWORD):
    """Log in through the login form, as a browser does; return the response."""
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       follow_redirects=False)


def csrf_of(client) -> str:
    """Return the session's CSRF token as the API reports it."""
    return client.get("/api/session").json()["csrf_token"]
