"""Service configuration: config.yaml (or DUBAN_CONFIG), with DUBAN_DB / DUBAN_OUT overrides."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scheduler.yamlsource import load_yaml_file, validate

MONTH_DAY = re.compile(r"^(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])$")


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sweep_at: str = "08:30"
    deliver_at: str = "09:00"
    misfire_grace_seconds: int = Field(3600, ge=0)
    closed_plan_grace_days: int = Field(90, ge=0)

    @field_validator("sweep_at", "deliver_at")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"时间应为 HH:MM，得到 {value!r}")
        return value


class DeliveryConfig(BaseModel):
    """How notices leave: channel settings (no secrets, only the names of environment variables)
    and when sending is allowed. Owned by the delivery feature; see docs/delivery.md."""

    model_config = ConfigDict(extra="forbid")

    smtp: dict | None = None  # SmtpSettings fields; absent: e-mail contacts go to the file outbox
    webhook: dict | None = None  # WebhookSettings fields except url (the url is the unit's contact)
    max_attempts: int = Field(8, ge=1)


class WebConfig(BaseModel):
    """The coordinators' console and the units' portal (`duban web`). Owned by the web feature."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8080"  # used in links inside letters and digests
    secret_env: str = "DUBAN_SECRET"  # signs acknowledgement links and feed tokens
    session_minutes: int = Field(480, ge=1)
    with_serve: bool = False  # `duban serve` also starts the console


class Config(BaseModel):
    """Validated configuration; paths are resolved against the config file's folder."""

    model_config = ConfigDict(extra="forbid")

    database: str = "sqlite:///duban.db"
    timezone: str = "Asia/Shanghai"
    data_dir: Path = Path("data")
    rules_dir: Path = Path("rules")
    templates_dir: Path = Path("templates")
    calendar_dir: Path = Path("data/calendar")
    outbox: Path = Path("out")
    heating_season: dict[str, str] = Field(default_factory=lambda: {"default": "11-01"})
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    base_dir: Path = Path(".")

    @field_validator("heating_season")
    @classmethod
    def _month_days(cls, value: dict[str, str]) -> dict[str, str]:
        for region, month_day in value.items():
            if not MONTH_DAY.match(str(month_day)):
                raise ValueError(f"{region} 的采暖季开始日应为 MM-DD，得到 {month_day!r}")
        if "default" not in value:
            raise ValueError("heating_season 需要 default 项")
        return value

    def heating_season_start(self, region: str | None) -> tuple[int, int]:
        """Return (month, day) on which the heating season starts in `region`."""
        text = self.heating_season.get(region or "", self.heating_season["default"])
        month, day = text.split("-")
        return int(month), int(day)

    def path(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else self.base_dir / relative


def default_config_path() -> Path:
    return Path(os.environ.get("DUBAN_CONFIG", "config.yaml"))


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate the configuration, applying environment overrides."""
    path = Path(path) if path else default_config_path()
    if path.exists():
        data, lines = load_yaml_file(path)
        config = validate(Config, data or {}, str(path), lines)
        config = config.model_copy(update={"base_dir": path.resolve().parent})
    else:
        config = Config(base_dir=Path.cwd())
    if os.environ.get("DUBAN_DB"):
        config = config.model_copy(update={"database": os.environ["DUBAN_DB"]})
    if os.environ.get("DUBAN_OUT"):
        config = config.model_copy(update={"outbox": Path(os.environ["DUBAN_OUT"])})
    return config
