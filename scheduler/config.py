"""Service configuration: config.yaml (or DUBAN_CONFIG), with DUBAN_DB / DUBAN_OUT overrides."""

from __future__ import annotations

import calendar
import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.errors import InputError
from scheduler.issuers import SHIPPED, Issuer, Issuers, prefix_problem
from scheduler.yamlsource import load_yaml_file, validate

MONTH_DAY = re.compile(r"^(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])$")
LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}\.?$){LABEL}(\.{LABEL})*\.?$")
DATABASES = ("sqlite", "postgresql")


def control_character(text: str) -> str | None:
    """Return the first control, format or line-separator character in `text` (CR, LF, NUL, U+202E…)."""
    return next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")), None)


def _plain(value: str) -> str:
    found = control_character(value)
    if found is not None:
        raise ValueError(f"含有控制字符 U+{ord(found):04X}（换行等），请删除")
    return value


def _host(value: str) -> str:
    _plain(value)
    try:
        ipaddress.ip_address(value.strip("[]"))
        return value
    except ValueError:
        pass
    try:
        ascii_name = value.encode("idna").decode("ascii")  # 督办.example is a valid name too
    except UnicodeError:
        ascii_name = ""
    if not HOSTNAME.match(ascii_name):
        raise ValueError(f"不是有效的主机名或 IP 地址：{value!r}")
    return value


def _http_url(value: str) -> str:
    _plain(value)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad or out-of-range port
    except ValueError as exc:
        raise ValueError(f"网址无效：{value!r}（{exc}）") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"网址应以 http:// 或 https:// 开头并含主机名，得到 {value!r}")
    _host(parts.hostname)
    return value


def _database_url(value: str) -> str:
    _plain(value)
    dialect = re.match(r"^([a-z0-9]+)(\+[a-z0-9_]+)?://", value)
    if dialect is None or dialect.group(1) not in DATABASES:
        raise ValueError(f"数据库应为 sqlite:///文件 或 postgresql://用户@主机/库 形式的地址，得到 {value!r}")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(_plain(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"未知时区 {value!r}，应为 IANA 时区名，如 Asia/Shanghai") from None
    return value


def _path(value: Path) -> Path:
    _plain(str(value))
    return value


Plain = Annotated[str, AfterValidator(_plain)]
Host = Annotated[str, AfterValidator(_host)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
PlainPath = Annotated[Path, AfterValidator(_path)]


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sweep_at: str = "08:30"
    deliver_at: str = "09:00"
    # After deliver_at and outside quiet hours, deliver again this often (retries, late approvals); 0: off.
    deliver_every_minutes: int = Field(15, ge=0, le=720)
    misfire_grace_seconds: int = Field(3600, ge=0)
    closed_plan_grace_days: int = Field(90, ge=0)

    @field_validator("sweep_at", "deliver_at")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"时间应为 HH:MM，得到 {value!r}")
        return value


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SmtpConfig(BaseModel):
    """The SMTP server: where, how secured, and the NAMES of the variables holding credentials."""

    model_config = ConfigDict(extra="forbid")

    host: Host
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: Plain = "duban@localhost"
    username_env: str = ""  # e.g. DUBAN_SMTP_USER; empty: no login
    password_env: str = ""  # e.g. DUBAN_SMTP_PASSWORD
    timeout: float = Field(20.0, gt=0, le=300)
    domain: Host = "duban.local"  # right-hand side of Message-IDs
    verify_tls: bool = True
    ca_file: Plain = ""  # extra CA certificates (PEM) for a server with an internal CA

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
            raise ValueError(f"发件地址应为 name@domain，得到 {value!r}")
        return value

    @field_validator("username_env", "password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not ENV_NAME.match(value):
            raise ValueError(f"应填写环境变量的名字（如 DUBAN_SMTP_PASSWORD），不是密码本身：{value[:3]}…")
        return value

    @model_validator(mode="after")
    def _credentials_pair(self) -> SmtpConfig:
        if bool(self.username_env) != bool(self.password_env):
            raise ValueError("username_env 和 password_env 须同时填写或同时留空")
        if self.security == "none" and self.username_env and self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("security: none 时不能通过网络明文发送密码；请用 starttls 或 ssl")
        return self


class WebhookConfig(BaseModel):
    """Settings shared by all webhook contacts (each contact's address is its URL)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["auto", "json", "dingtalk", "wecom"] = "auto"  # auto: by the URL's host
    secret_env: str = ""  # DingTalk 加签 secret's variable
    timeout: float = Field(10.0, gt=0, le=120)

    @field_validator("secret_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not ENV_NAME.match(value):
            raise ValueError(f"应填写环境变量的名字，不是密钥本身：{value[:3]}…")
        return value


class QuietHours(BaseModel):
    """A daily span (local time, config.timezone) in which nothing is sent; may wrap midnight."""

    model_config = ConfigDict(extra="forbid")

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not HH_MM.match(str(value)):
            raise ValueError(f"时间应为 HH:MM（24 小时制，带引号），得到 {value!r}")
        return str(value)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("静默时段的开始和结束不能相同")
        return self

    def contains(self, moment: time) -> bool:
        """Return whether a local wall-clock time lies in [start, end)."""
        start, end = time.fromisoformat(self.start), time.fromisoformat(self.end)
        now = moment.replace(second=0, microsecond=0, tzinfo=None)
        return start <= now < end if start < end else now >= start or now < end


class DeliveryConfig(BaseModel):
    """How notices leave: channel settings (no secrets, only the names of environment variables)
    and when sending is allowed; see docs/delivery.md."""

    model_config = ConfigDict(extra="forbid")

    smtp: SmtpConfig | None = None  # absent: e-mail contacts go to the file outbox
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    quiet_hours: QuietHours | None = None
    # Transient failures (refused, timed out, 4xx) are retried, the wait doubling from 5 minutes
    # up to retry_cap_minutes, until the message has failed for max_age_days; then dead-lettered.
    max_age_days: float = Field(7, gt=0, le=60)
    retry_cap_minutes: int = Field(60, ge=5, le=1440)
    max_attempts: int | None = Field(None, ge=1)  # optional hard limit on tries; none by default
    ack_valid_days: int = Field(60, ge=1, le=730)  # a 签收 link works this long after the letter


class WebConfig(BaseModel):
    """The coordinators' console and the units' portal (`duban web`); see docs/web.md."""

    model_config = ConfigDict(extra="forbid")

    host: Host = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: HttpUrl = "http://127.0.0.1:8080"  # used in links inside letters and digests
    secret_env: str = Field("DUBAN_SECRET", pattern=ENV_NAME.pattern)  # signs 签收 links and feed tokens
    session_minutes: int = Field(480, ge=1)
    with_serve: bool = False  # `duban serve` also starts the console
    # limits (docs/production.md): a request body, an upload and what an upload may hold
    max_body_kb: int = Field(256, ge=16, le=10_240)  # every route but the uploads
    max_upload_mb: int = Field(10, ge=1, le=200)  # the .csv/.xlsx upload routes
    upload_max_rows: int = Field(50_000, ge=100, le=2_000_000)  # rows read from one upload
    # login throttling: a name is locked after this many failures in a row, for this long
    login_lock_failures: int = Field(10, ge=3, le=1000)
    login_lock_minutes: int = Field(15, ge=1, le=24 * 60)
    hash_workers: int = Field(2, ge=1, le=16)  # password hashes computed at once (64 MiB each)


def _issuer_key(value: str) -> str:
    if not _plain(value).strip():
        raise ValueError("地区不能为空")
    return value


def _issuer_prefix(value: str) -> str:
    problem = prefix_problem(_plain(value))
    if problem is not None:
        raise ValueError(f"{problem}；机关代字应形如 长大气办函（发文字号“长大气办函〔2019〕1号”中年份之前的部分）")
    return value


def _issuer_name(value: str) -> str:
    if not _plain(value).strip():
        raise ValueError("发文机关名称不能为空")
    return value


class IssuerSetting(BaseModel):
    """One region's issuing office as config.yaml writes it: {name: 发文机关, prefix: 机关代字}."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(_issuer_name)]
    prefix: Annotated[str, AfterValidator(_issuer_prefix)]


class Config(BaseModel):
    """Validated configuration; paths are resolved against the config file's folder."""

    model_config = ConfigDict(extra="forbid")

    database: Annotated[str, AfterValidator(_database_url)] = "sqlite:///duban.db"
    timezone: Annotated[str, AfterValidator(_time_zone)] = "Asia/Shanghai"
    data_dir: PlainPath = Path("data")
    rules_dir: PlainPath = Path("rules")
    templates_dir: PlainPath = Path("templates")
    calendar_dir: PlainPath = Path("data/calendar")
    outbox: PlainPath = Path("out")
    heating_season: dict[str, str] = Field(default_factory=lambda: {"default": "11-01"})
    # An office's standing basis for its letters (a 督查督办 rule it names), by the plan's region:
    # cited by letters of plans that have no assessment clause of their own. "default" for any region.
    standing_basis: dict[str, str] = Field(default_factory=dict)
    # Who signs each region's letters, by a key the plan's region contains (first match wins);
    # absent: the shipped table (scheduler.issuers.SHIPPED); {} or a bare `issuers:`: no office.
    issuers: dict[Annotated[str, AfterValidator(_issuer_key)], IssuerSetting] | None = None
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
            month, day = (int(part) for part in str(month_day).split("-"))
            if day > calendar.monthrange(2001, month)[1]:  # 02-30, 04-31 never exist; 02-29 only in leap years
                raise ValueError(f"{region} 的采暖季开始日 {month_day} 不存在")
        if "default" not in value:
            raise ValueError("heating_season 需要 default 项")
        return value

    @field_validator("issuers")
    @classmethod
    def _reachable(cls, value: dict[str, IssuerSetting] | None) -> dict[str, IssuerSetting] | None:
        keys = list(value or {})
        for at, key in enumerate(keys):
            earlier = next((k for k in keys[:at] if k in key), None)
            if earlier is not None:  # the earlier key takes every region this one would
                raise ValueError(f"地区“{key}”含有排在它前面的“{earlier}”，永远用不到；请把更具体的“{key}”移到前面")
        return value

    @property
    def letter_issuers(self) -> Issuers:
        """Return the configured issuer table; the shipped one when config.yaml has no `issuers:`."""
        if self.issuers is None and "issuers" not in self.model_fields_set:
            return SHIPPED
        return Issuers.of((key, Issuer(s.name.strip(), s.prefix)) for key, s in (self.issuers or {}).items())

    def heating_season_start(self, region: str | None) -> tuple[int, int]:
        """Return (month, day) on which the heating season starts in `region`."""
        text = self.heating_season.get(region or "", self.heating_season["default"])
        month, day = text.split("-")
        return int(month), int(day)

    def standing_basis_for(self, region: str) -> str:
        """Return how the office of `region` cites its standing basis; empty when it names none."""
        return self.standing_basis.get(region) or self.standing_basis.get("default", "")

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
        smtp = config.delivery.smtp
        if smtp is not None and smtp.ca_file:  # like every other path: relative to the config file
            smtp.ca_file = str(config.path(Path(smtp.ca_file)))
    else:
        config = Config(base_dir=Path.cwd())
    if os.environ.get("DUBAN_DB"):
        config = config.model_copy(update={"database": _from_environment("DUBAN_DB", _database_url)})
    if os.environ.get("DUBAN_OUT"):
        config = config.model_copy(update={"outbox": Path(_from_environment("DUBAN_OUT", _plain))})
    return config


def _from_environment(name: str, check: Callable[[str], str]) -> str:
    """Return the variable's value, checked like the config key it overrides."""
    try:
        return check(os.environ[name])
    except ValueError as exc:
        raise InputError.single(f"环境变量 {name}", None, str(exc)) from None
