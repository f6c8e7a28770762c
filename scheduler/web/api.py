"""The JSON API under /api/: the console's operations for scripts and other systems.

Same rules as the pages: a session (POST /api/session), roles, and the session's CSRF token in
`X-CSRF-Token` on every call that changes something. FastAPI describes it at /openapi.json.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from scheduler.store import notice_json
from scheduler.store.deliverylog import retry_deliveries
from scheduler.store.offices import approval_warnings
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auditlog import audit_entries
from scheduler.web.auth import coordinator_post, staff, unit_post, unit_user
from scheduler.web.core import db, web
from scheduler.web.dashboard import as_of_param, dashboard_data, tally_json
from scheduler.web.ledger import task_detail, task_json, task_rows
from scheduler.web.letters import failed_deliveries, letter_html, letters_data, notice_or_404
from scheduler.web.metrics import (
    import_or_404,
    import_view,
    parse_day,
    receive_upload,
    status_data,
    upload_limit,
)
from scheduler.web.offices import office_table, user_plans
from scheduler.web.openpoints import fix_deadline, fix_units, points_data
from scheduler.web.portal import acknowledge_letter, portal_data, record_progress
from scheduler.web.queue import QueueFilter, decide, queue_data

router = APIRouter(prefix="/api")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "未登录或会话已过期"},
    403: {"description": "角色无权限或缺少 CSRF 令牌"}}


def _dates(value: Any) -> Any:
    """Turn dates into ISO strings, recursively, for JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dates(v) for v in value]
    return value


class Decision(BaseModel):
    decision: Literal["approve", "hold", "reject"]
    ids: list[int] | None = Field(None, description="事项编号；为空时按 filter 处理全部匹配事项")
    reason: str = ""
    filter: dict[str, str] | None = Field(None, description="plan、level、county、status")
    arrangement: dict[str, str] | None = Field(
        None, description="批准约谈时必填：time（时间）、place（地点）、attendees（参加人员）、contact（联系人及电话）")


class DeadlineFix(BaseModel):
    due: date
    reason: str


class UnitsFix(BaseModel):
    written: str = Field("", description="原文写法（如“相关县区政府”）；原文未写明单位时为空")
    units: list[str] = Field(description="单位目录中的规范名称")
    role: Literal["lead", "cooperating", "responsible", ""] = Field("", description="为空时按原文所在栏")
    reason: str


class Retry(BaseModel):
    ids: list[int]


class Progress(BaseModel):
    status: Literal["in_progress", "done", "blocked"] = "in_progress"
    percent: int | None = Field(None, ge=0, le=100)
    note: str = ""
    unit: str = Field("", description="报送单位（用户负责多个单位时指定）")


@router.get("/dashboard", tags=["总览"], responses=ERRORS, summary="红黄绿灯与逾期走势")
def api_dashboard(request: Request, plan: str = "", as_of: str = "", user: WebUser = Depends(staff),
                  session: Session = Depends(db)):
    plan_ids = user_plans(session, user, office_table(request))
    data = dashboard_data(session, web(request), plan or None, plan_ids=plan_ids, as_of=as_of_param(as_of))
    return _dates({
        "as_of": data["as_of"], "plans": data["plan_ids"], "totals": data["totals"],
        "by_county": [tally_json(t) for t in data["by_county"]], "by_unit": [tally_json(t) for t in data["by_unit"]],
        "overdue_series": data["series"], "pending_review": data["pending_review"], "held": data["held"],
        "dead_deliveries": data["dead_deliveries"],
    })


@router.get("/queue", tags=["审核队列"], responses=ERRORS, summary="待审核的预警与约谈")
def api_queue(request: Request, plan: str = "", level: str = "", county: str = "", status: str = "",
              page_no: int = 1, user: WebUser = Depends(staff), session: Session = Depends(db)):
    plan_ids = user_plans(session, user, office_table(request))
    data = queue_data(session, QueueFilter(plan, level, county, status), page_no, plan_ids=plan_ids)
    return _dates({k: data[k] for k in ("items", "total", "page_no", "pages", "counties")})


@router.get("/queue/{notice_id:int}", tags=["审核队列"], responses=ERRORS, summary="一条事项的详情与依据")
def api_queue_item(request: Request, notice_id: int, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return notice_json(notice_or_404(session, notice_id, plans=user_plans(session, user, office_table(request))))


@router.get("/queue/{notice_id:int}/letter", tags=["审核队列"], responses=ERRORS, response_class=HTMLResponse,
            summary="公文预览（HTML）")
def api_queue_letter(request: Request, notice_id: int, user: WebUser = Depends(staff),
                     session: Session = Depends(db)):
    plans = user_plans(session, user, office_table(request))
    return letter_html(session, web(request), notice_or_404(session, notice_id, plans=plans))


@router.post("/queue/decide", tags=["审核队列"], responses=ERRORS, summary="批准、暂缓或驳回（驳回须写理由）")
def api_decide(body: Decision, request: Request, user: WebUser = Depends(coordinator_post),
               session: Session = Depends(db)):
    flt = QueueFilter(**{k: v for k, v in (body.filter or {}).items() if k in ("plan", "level", "county", "status")})
    decided = decide(session, body.ids, flt, body.decision, body.reason.strip(), user.name, web(request).now(),
                     body.arrangement, plan_ids=user_plans(session, user, office_table(request)))
    warnings = approval_warnings(session, decided, office_table(request)) if body.decision == "approve" else []
    session.commit()
    return {"decided": len(decided), "decision": body.decision, "by": user.name, "warnings": warnings}


@router.get("/tasks", tags=["台账"], responses=ERRORS, summary="任务台账（按方案、单位、状态、时限类型筛选）")
def api_tasks(request: Request, plan: str = "", unit: str = "", status: str = "", kind: str = "",
              user: WebUser = Depends(staff), session: Session = Depends(db)):
    return _dates(task_rows(session, web(request), plan=plan, unit=unit, status=status, kind=kind))


@router.get("/tasks/{task_id:path}", tags=["台账"], responses=ERRORS, summary="任务详情与时间线")
def api_task(request: Request, task_id: str, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return task_json(task_detail(session, web(request), task_id))


@router.get("/open-points", tags=["待协调事项"], responses=ERRORS, summary="待协调事项")
def api_open_points(request: Request, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return _dates(points_data(session, web(request)))


@router.post("/deadline/{task_id:path}", tags=["待协调事项"], responses=ERRORS, summary="补录完成时限")
def api_set_deadline(body: DeadlineFix, request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                     session: Session = Depends(db)):
    fix_deadline(session, web(request), task_id, body.due, body.reason, user.name)
    session.commit()
    return {"task": task_id, "due": body.due.isoformat(), "by": user.name}


@router.get("/metrics/status", tags=["指标考核"], responses=ERRORS, summary="序时进度（同 duban metrics status）")
def api_metrics_status(request: Request, as_of: str = "", region: str = "", plan: str = "",
                       user: WebUser = Depends(staff), session: Session = Depends(db)):
    ctx = web(request)
    data = status_data(session, ctx, parse_day(as_of, ctx.today()), region.strip(), plan)
    return _dates({"as_of": data["as_of"], "plans": data["plans"]})


@router.post("/metrics/import", tags=["指标考核"], responses={**ERRORS, 413: {"description": "文件过大"}},
             summary="导入空气质量数据（multipart 表单字段 file；同 duban metrics import）")
async def api_metrics_import(request: Request, _limit: None = Depends(upload_limit),
                             user: WebUser = Depends(coordinator_post), session: Session = Depends(db)):
    """Bad rows are listed and not loaded; the good rows load. `import_id` names the stored record."""
    report, import_id = await receive_upload(request, session, user.name)
    return {**report.to_json(), "import_id": import_id}


@router.get("/metrics/imports/{import_id:int}", tags=["指标考核"], responses=ERRORS, summary="一次导入的结果")
def api_metrics_import_record(import_id: int, user: WebUser = Depends(staff), session: Session = Depends(db)):
    view = import_view(import_or_404(session, import_id))
    return {**view, "at": view["at"].isoformat()}


@router.post("/assign/{task_id:path}", tags=["待协调事项"], responses=ERRORS,
             summary="为范围待定、单位不明或未写明单位的任务指定单位（下一次督办检查起生效）")
def api_assign_units(body: UnitsFix, request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                     session: Session = Depends(db)):
    units = fix_units(session, web(request), task_id, body.written, body.units, body.role, body.reason, user.name)
    session.commit()
    return {"task": task_id, "written": body.written.strip(), "units": units, "by": user.name}


@router.get("/letters", tags=["公文与发送"], responses=ERRORS, summary="已编号公文与待发公文")
def api_letters(request: Request, page_no: int = 1, user: WebUser = Depends(staff), session: Session = Depends(db)):
    plan_ids = user_plans(session, user, office_table(request))
    return _dates(letters_data(session, page_no=max(1, page_no), plan_ids=plan_ids))


@router.get("/deliveries", tags=["公文与发送"], responses=ERRORS, summary="发送失败与死信")
def api_deliveries(user: WebUser = Depends(staff), session: Session = Depends(db)):
    return _dates(failed_deliveries(session))


@router.post("/deliveries/retry", tags=["公文与发送"], responses=ERRORS, summary="重新发送")
def api_retry(body: Retry, request: Request, user: WebUser = Depends(coordinator_post),
              session: Session = Depends(db)):
    count = retry_deliveries(session, body.ids, user.name, web(request).now())
    session.commit()
    return {"retried": count}


@router.get("/audit", tags=["审计"], responses=ERRORS, summary="操作记录（最新在前）")
def api_audit(actor: str = "", action: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    return _dates([{**e, "at": e["at"].isoformat()} for e in audit_entries(session, actor, action)])


@router.get("/portal/tasks", tags=["责任单位"], responses=ERRORS, summary="本单位的任务")
def api_portal_tasks(request: Request, user: WebUser = Depends(unit_user), session: Session = Depends(db)):
    return _dates(portal_data(session, web(request), user)["tasks"])


@router.get("/portal/tasks/{task_id:path}", tags=["责任单位"], responses=ERRORS, summary="本单位任务详情")
def api_portal_task(request: Request, task_id: str, user: WebUser = Depends(unit_user),
                    session: Session = Depends(db)):
    return task_json(task_detail(session, web(request), task_id, units=user.units))


@router.get("/portal/letters", tags=["责任单位"], responses=ERRORS, summary="本单位收到的公文")
def api_portal_letters(request: Request, user: WebUser = Depends(unit_user), session: Session = Depends(db)):
    return _dates(portal_data(session, web(request), user)["letters"])


@router.post("/portal/progress/{task_id:path}", tags=["责任单位"], responses=ERRORS, summary="报送进展")
def api_portal_progress(body: Progress, request: Request, task_id: str, user: WebUser = Depends(unit_post),
                        session: Session = Depends(db)):
    unit = record_progress(session, web(request), user, task_id, body.unit, body.status, body.percent, body.note)
    session.commit()
    return {"task": task_id, "unit": unit, "status": body.status, "percent": body.percent}


@router.post("/portal/ack/{notice_id:int}", tags=["责任单位"], responses=ERRORS, summary="签收公文")
def api_portal_ack(request: Request, notice_id: int, user: WebUser = Depends(unit_post),
                   session: Session = Depends(db)):
    notice = acknowledge_letter(session, web(request), user, notice_id)
    session.commit()
    acknowledged = notice.acknowledged_on.isoformat() if notice.acknowledged_on else None
    return {"key": notice.key, "acknowledged_on": acknowledged}
