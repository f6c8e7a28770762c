"""签收 (acknowledgement) links: a signed, expiring token per letter, honoured once recorded.

A token is `base64url(expiry|notice key).base64url(HMAC-SHA256)`: it carries the notice key and
its expiry date, so checking it needs only the secret, no lookup. The same notice and expiry always
give the same token, so a letter re-sent after a failure carries the same link. Signing and
reading (sign_ack, read_ack, signed_link, ack_url) take the secret and `today` and touch nothing
else; the store records issuing and use (scheduler.store.acks), and `honour_ack` joins the two.

A letter prints the short form `{base_url}/q/<code>`: the code is a hash of the token (60 bits, so
it cannot be guessed or enumerated), the store keeps the code's hash beside the token's, and the
console turns a code back into the token by re-signing the row's notice and expiry. The long
`/ack/<token>` links of letters already sent keep working.

The secret is the value of the environment variable named by config.web.secret_env (DUBAN_SECRET).
When it is unset, a random secret is created once in `<config dir>/.duban-secret` (mode 0600) and
used with a warning: good for a demo on one machine; several hosts must share DUBAN_SECRET.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.ladder import ACK_LEVELS, is_known, rung
from scheduler.store import notice_by_key
from scheduler.store.acks import AckResult, IssuedLink, StoreSession, honour
from scheduler.store.shortlinks import fill_short_hashes, link_by_short

if TYPE_CHECKING:
    from scheduler.config import Config

log = logging.getLogger(__name__)

SECRET_FILE = ".duban-secret"
MIN_SECRET_BYTES = 16
SIGNATURE_BYTES = 16  # 128-bit HMAC tag: unguessable, and the link stays short
# 12 base32 characters = 60 bits: not enumerable over HTTP, and `http://127.0.0.1:8080/q/<code>`
# is 36 characters, one printed line; base32 has no 0/1/8/9 to misread when typed from paper
SHORT_CODE_CHARS = 12
_SHORT_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")
_WARNED: set[Path] = set()


class AckLinkError(Exception):
    """A 签收 link that cannot be honoured; the message (Chinese) can be shown to the official."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, b"duban-ack|" + payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def sign_ack(notice_key: str, expires_on: date, secret: bytes) -> str:
    """Return the URL-safe token that acknowledges `notice_key` until `expires_on` (inclusive)."""
    if not notice_key:
        raise ValueError("通知编号为空，无法生成签收链接")
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"签收链接密钥太短（至少 {MIN_SECRET_BYTES} 字节）")
    payload = f"{expires_on.isoformat()}|{notice_key}".encode()
    return f"{_b64(payload)}.{_b64(_tag(payload, secret))}"


def read_ack(token: str, secret: bytes, today: date) -> str:
    """Return the notice key a valid token acknowledges; AckLinkError if malformed, forged or expired."""
    head, dot, tail = token.strip().partition(".")
    if not dot or not head or not tail:
        raise AckLinkError("签收链接格式不正确，请核对链接是否完整")
    try:
        payload, tag = _unb64(head), _unb64(tail)
        expiry_text, bar, key = payload.decode("utf-8").partition("|")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise AckLinkError("签收链接格式不正确，请核对链接是否完整") from None
    if not hmac.compare_digest(tag, _tag(payload, secret)):
        raise AckLinkError("签收链接无效（签名不符），请使用函件中的原始链接")
    try:
        expires_on = date.fromisoformat(expiry_text)
    except ValueError:
        raise AckLinkError("签收链接格式不正确，请核对链接是否完整") from None
    if not bar or not key:
        raise AckLinkError("签收链接格式不正确，请核对链接是否完整")
    if today > expires_on:
        raise AckLinkError(f"签收链接已于{expires_on.year}年{expires_on.month}月{expires_on.day}日过期，"
                           "请联系市大气办签收")
    return key


def short_code(token: str) -> str:
    """Return the token's short code: derived from the token, so only the secret's holder knows it."""
    digest = hashlib.sha256(b"duban-ack-short|" + token.strip().encode("ascii")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:SHORT_CODE_CHARS]


def short_hash(code: str) -> str:
    """Return what the store keeps of a short code: its SHA-256."""
    return hashlib.sha256(code.strip().lower().encode("ascii")).hexdigest()


def is_short_code(text: str) -> bool:
    """Whether `text` has the form of a short code (a lookup can still find nothing)."""
    code = text.strip().lower()
    return len(code) == SHORT_CODE_CHARS and set(code) <= _SHORT_ALPHABET


def ack_url(base_url: str, token: str) -> str:
    """Return the link a letter prints: the short `{base_url}/q/{code}`."""
    return f"{base_url.rstrip('/')}/q/{short_code(token)}"


def long_ack_url(base_url: str, token: str) -> str:
    """Return the token's own link, `{base_url}/ack/{token}` (what letters printed before short codes)."""
    return f"{base_url.rstrip('/')}/ack/{token}"


def ack_expiry(letter_date: date, valid_days: int) -> date:
    """Return the last day a letter's link works: `valid_days` after the letter's date."""
    return letter_date + timedelta(days=valid_days)


def token_hash(token: str) -> str:
    """Return what the store keeps of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


# --- the secret ---------------------------------------------------------------------------------


def ack_secret(config: Config, environ: Mapping[str, str] | None = None) -> bytes:
    """Return the signing secret: $<web.secret_env>, else the per-installation secret file."""
    environ = os.environ if environ is None else environ
    name = config.web.secret_env
    value = environ.get(name, "")
    if value:
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise AckLinkError(f"环境变量 {name} 太短：签收链接密钥至少 {MIN_SECRET_BYTES} 个字符")
        return value.encode()
    path = config.path(Path(SECRET_FILE))
    if path not in _WARNED:  # once per process, not once per delivery run
        _WARNED.add(path)
        log.warning("环境变量 %s 未设置：使用本机密钥文件 %s 签发签收链接（仅适合单机演示）", name, path)
    return _file_secret(path)


def _file_secret(path: Path) -> bytes:
    """Read the secret file, creating it (exclusively, 0600) on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    for _ in range(50):  # another process may have created it and not written it yet
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text.encode()
    raise AckLinkError(f"签收链接密钥文件 {path} 为空")


# --- honouring a link ----------------------------------------------------------------------------


def signed_link(notice_key: str, expires_on: date, secret: bytes) -> tuple[str, IssuedLink]:
    """Sign a link for `notice_key` and return the token and what the store records of it."""
    token = sign_ack(notice_key, expires_on, secret)
    return token, IssuedLink(notice_key, token_hash(token), expires_on, short_hash(short_code(token)))


def resolve_short(session: StoreSession, code: str, *, secret: bytes, today: date) -> str:
    """Return the token a letter's short code stands for; AckLinkError when no link has it.

    Links issued before short codes get theirs on the first miss (the caller commits), so the
    short links a digest prints for them work too."""
    code = code.strip().lower()
    if not is_short_code(code):
        raise AckLinkError(UNKNOWN_SHORT)
    link = link_by_short(session, short_hash(code))
    if link is None and fill_short_hashes(session, today, lambda row: _short_of(row, secret)):
        link = link_by_short(session, short_hash(code))
    if link is None:
        raise AckLinkError(UNKNOWN_SHORT)
    token = sign_ack(link.notice_key, link.expires_on, secret)
    if not hmac.compare_digest(short_code(token), code):  # a row signed with another secret
        raise AckLinkError(UNKNOWN_SHORT)
    return token


UNKNOWN_SHORT = "没有这个签收链接，请核对函件上的网址或扫描二维码"


def _short_of(link: IssuedLink, secret: bytes) -> str | None:
    """The short hash of a recorded link, if the token signed with our secret matches the row."""
    token = sign_ack(link.notice_key, link.expires_on, secret)
    return short_hash(short_code(token)) if token_hash(token) == link.token_hash else None


def token_expiry(token: str) -> date:
    """Return the last day a well-formed token states (read_ack has checked it)."""
    return date.fromisoformat(_unb64(token.strip().partition(".")[0]).decode().partition("|")[0])


def ack_refusal(level: str) -> str | None:
    """Why a notice of `level` cannot be signed for (a reminder or an urging notice takes no 签收), or None."""
    if level in ACK_LEVELS:
        return None
    name = rung(level).label if is_known(level) else level
    return f"此通知（{name}）无需签收；只有预警通知函、约谈通知等公文需要签收"


def honour_ack(session: StoreSession, token: str, *, secret: bytes, by: str, today: date,
               now: datetime) -> AckResult:
    """Check the token and acknowledge its notice (idempotent); the caller commits.

    Raises AckLinkError for a bad, expired or unknown link (the message is for the official)."""
    key = read_ack(token, secret, today)
    notice = notice_by_key(session, key)
    if notice is None:
        raise AckLinkError("签收链接对应的函件不存在或已撤销，请联系市大气办")
    refusal = ack_refusal(notice.level)
    if refusal:  # checked before anything is recorded
        raise AckLinkError(refusal)
    token = token.strip()
    link = IssuedLink(key, token_hash(token), token_expiry(token), short_hash(short_code(token)))
    result = honour(session, link, by=by, today=today, now=now)
    if result is None:
        raise AckLinkError("签收链接对应的函件不存在或已撤销，请联系市大气办")
    return result
