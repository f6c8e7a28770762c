"""Air-quality metrics in the console: upload a .csv/.xlsx file (the same import as `duban metrics
import`, every attempt recorded and audited) and read the pro-rata status (`duban metrics status`).

Uploads are read by hand, not through FastAPI's File() parameters: FastAPI would parse the whole
body before any dependency runs, and the size limit must answer before a 500 MB upload is spooled.
An upload must state its length (web.max_upload_mb at most; scheduler.web.limits cuts off any body
that sends more than it stated), is parsed in a worker thread, one at a time, never on the event
loop, and is bounded in rows, columns and unpacked bytes (scheduler.escalation.metrics.values).
Every refusal is audited with who sent it.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from scheduler.escalation.metrics.status import plan_status
from scheduler.escalation.metrics.values import ImportReport, import_file
from scheduler.letters.digest import plan_short_title
from scheduler.store.catalog import plan_rows
from scheduler.store.metricimports import ImportRecord, import_record, recent_import_records, save_import_record
from scheduler.store.metrics import read_series
from scheduler.store.repo import StoreError, audit
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, optional_user, staff
from scheduler.web.core import WebContext, db, page, web
from scheduler.web.limits import FORM_SLACK

router = APIRouter(include_in_schema=False)
SUFFIXES = (".csv", ".xlsx")
NO_LENGTH = "上传请求缺少长度（Content-Length），未导入。请用浏览器或 curl -F 上传文件。"
UNREADABLE_HINT = "请确认是 UTF-8 或 GBK 编码的 CSV 文件，或 Excel 的 .xlsx 文件（表头 date,region,metric,value）。"
RECENT = 20


def max_upload(ctx: WebContext) -> int:
    return ctx.config.web.max_upload_mb * 1024 * 1024


def too_large(ctx: WebContext) -> str:
    return f"文件超过 {ctx.config.web.max_upload_mb} MB，未导入。请按月份或县区拆分后分别上传。"


def upload_limit(request: Request, user: WebUser | None = Depends(optional_user),
                 session: Session = Depends(db)) -> None:
    """Refuse an upload without a length or over the limit from its headers, before anything reads
    the body (the CSRF check reads the form), and audit the refusal with who sent it."""
    ctx = web(request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= max_upload(ctx) + FORM_SLACK:
        return
    by = user.name if user is not None else "（未登录）"
    refuse_upload(session, ctx, request, by, "too_large" if length else "no_length")
    raise HTTPException(413 if length else 411, too_large(ctx) if length else NO_LENGTH)


async def read_upload(request: Request, limit: int, message: str, field: str = "file") -> tuple[str, bytes]:
    """Return (file name, bytes) of the form's upload; a missing, oddly named or large file is refused."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not (upload.filename or "").strip():
        raise StoreError("请选择要导入的 .csv 或 .xlsx 文件")
    name = Path((upload.filename or "").replace("\\", "/")).name.strip()[:200] or "upload.csv"
    if Path(name).suffix.lower() not in SUFFIXES:
        raise StoreError(f"只支持 .csv 与 .xlsx 文件：{name}")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, message)
    return name, data


def import_upload(session: Session, ctx: WebContext, name: str, data: bytes, by: str) -> tuple[ImportReport, int]:
    """Check and load an uploaded file as `duban metrics import` does; record it even when nothing
    loaded, so the audit shows every attempt. Return the report and the import's id."""
    with tempfile.TemporaryDirectory(prefix="duban-upload-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        report = import_file(path, ctx.metrics.regions, name=name, max_rows=ctx.config.web.upload_max_rows)
    return report, save_import_record(session, report, by, ctx.now())


def _import_and_commit(session: Session, ctx: WebContext, name: str, data: bytes, by: str) -> tuple[ImportReport, int]:
    found = import_upload(session, ctx, name, data, by)
    session.commit()
    return found


async def receive_upload(request: Request, session: Session, by: str) -> tuple[ImportReport, int]:
    """Read the form's file, import it and commit: the page and the API do the same. A file over the
    limit is refused (413) and the refusal audited."""
    ctx = web(request)
    try:
        name, data = await read_upload(request, max_upload(ctx), too_large(ctx))
    except HTTPException as exc:
        if exc.status_code == 413:
            await run_in_threadpool(refuse_upload, session, ctx, request, by, "too_large")
        raise
    return await ctx.uploads.run(_import_and_commit, session, ctx, name, data, by)


def refuse_upload(session: Session, ctx: WebContext, request: Request, by: str, reason: str) -> None:
    """Audit an upload refused before import (too large), so refusals show in the log too."""
    audit(session, by, "metrics.import_refused", "metric_import", "", {"reason": reason,
          "bytes": int(request.headers.get("content-length", "0") or 0)}, ctx.now())
    session.commit()


def import_view(record: ImportRecord) -> dict[str, Any]:
    """Return a stored import as the page and the API show it."""
    problems = (record.report or {}).get("problems", [])
    return {
        "id": record.id, "file": record.file, "at": record.at, "by": record.by, "rows_read": record.rows_read,
        "loaded": record.inserted + record.updated + record.unchanged, "inserted": record.inserted,
        "updated": record.updated, "unchanged": record.unchanged, "bad_rows": record.bad_rows,
        "problems": problems, "gaps": (record.report or {}).get("gaps", []),
        "problems_omitted": (record.report or {}).get("problems_omitted", 0),
        "gaps_omitted": (record.report or {}).get("gaps_omitted", 0),
        "unreadable": any(p.get("row") == 0 for p in problems),
    }


def import_or_404(session: Session, import_id: int) -> ImportRecord:
    record = import_record(session, import_id)
    if record is None:
        raise HTTPException(404, "没有此导入记录")
    return record


def recent_imports(session: Session, limit: int = RECENT) -> list[dict[str, Any]]:
    return [import_view(r) for r in recent_import_records(session, limit)]


def parse_day(text: str, default: date) -> date:
    if not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text!r}") from None


def status_data(session: Session, ctx: WebContext, as_of: date, region: str = "", plan: str = "") -> dict[str, Any]:
    """Return `duban metrics status` for the page and the API: each plan's targets and dust fall."""
    setup = ctx.metrics
    if region and setup.regions.resolve(region) is None:
        raise StoreError(f"未知的县区：{region}")
    series = read_series(session, as_of)
    statuses = plan_status(setup.targets, series, setup.regions, as_of, [plan] if plan else None, region or None)
    return {"as_of": as_of, "plans": [s.to_json() for s in statuses],
            "plan_ids": sorted(setup.targets.plans), "region": region, "plan": plan}


@router.get("/metrics")
def metrics_page(request: Request, as_of: str = "", region: str = "", plan: str = "",
                 user: WebUser = Depends(staff), session: Session = Depends(db)):
    ctx = web(request)
    error = ""
    try:
        data = status_data(session, ctx, parse_day(as_of, ctx.today()), region.strip(), plan)
    except StoreError as exc:
        error = str(exc)
        data = status_data(session, ctx, ctx.today())
    titles = {p.id: plan_short_title(p.title) for p in plan_rows(session)}
    return page(request, "metrics.html", user, **data, imports=recent_imports(session), error=error,
                max_mb=ctx.config.web.max_upload_mb, plan_titles=titles)


@router.post("/metrics/import")
async def metrics_import(request: Request, _limit: None = Depends(upload_limit),
                         user: WebUser = Depends(coordinator_post), session: Session = Depends(db)):
    _report, import_id = await receive_upload(request, session, user.name)
    return RedirectResponse(f"/metrics/imports/{import_id}?done=1", status_code=303)


@router.get("/metrics/imports/{import_id:int}")
def metrics_import_page(request: Request, import_id: int, done: str = "", user: WebUser = Depends(staff),
                        session: Session = Depends(db)):
    return page(request, "metrics_import.html", user, record=import_view(import_or_404(session, import_id)),
                done=done, hint=UNREADABLE_HINT)
