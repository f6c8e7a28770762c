"""The 通报 page: each month's drafts as the monthly job wrote them (outbox/bulletins/YYYY-MM), one
row per region with its DOCX and PDF, held to the regions of the user's offices.

The files are read, never written here: `duban bulletin` and the service's monthly job make them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse

from scheduler.issuers import Issuers
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import WebContext, db, page, web
from scheduler.web.offices import user_offices
from scheduler.web.paging import paging

router = APIRouter(include_in_schema=False)
MONTH = re.compile(r"^\d{4}-\d{2}$")
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Draft:
    """One region's bulletin of one month, with the files found beside its figures."""

    month: str
    stem: str
    region: str
    label: str
    number: str
    overdue: int
    kinds: tuple[str, ...]  # docx and/or pdf, those present
    index: int  # its place among the month's drafts the user sees: the file links name it by this


def bulletin_folder(ctx: WebContext) -> Path:
    return ctx.config.path(ctx.config.outbox) / "bulletins"


def drafts(folder: Path, offices: tuple[str, ...] | None, issuers: Issuers) -> list[Draft]:
    """Every draft under `folder`, newest month first; with `offices`, only their regions."""
    found: list[Draft] = []
    months = sorted((p for p in folder.iterdir() if p.is_dir() and MONTH.match(p.name)), reverse=True) \
        if folder.is_dir() else []
    for month in months:
        index = 0
        for figures in sorted(month.glob("*.json")):
            try:
                data: dict[str, Any] = json.loads(figures.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a half-written run; the monthly job writes it again
            region = str(data.get("region", ""))
            if offices is not None and issuers.office_of(region) not in offices:
                continue
            kinds = tuple(k for k in MEDIA if figures.with_suffix(f".{k}").is_file())
            found.append(Draft(month.name, figures.stem, region, str(data.get("period", {}).get("label", month.name)),
                               str(data.get("number", "")), len(data.get("overdue", [])), kinds, index))
            index += 1
    return found


@router.get("/bulletins")
def bulletins_page(request: Request, page_no: str = "1", user: WebUser = Depends(staff),
                   session: Session = Depends(db)):
    found = drafts(bulletin_folder(web(request)), user_offices(session, user), web(request).config.letter_issuers)
    at = paging(len(found), page_no)  # a draft's file links name it by month and index: paging keeps them
    return page(request, "bulletins.html", user, drafts=at.rows(found), **at.values(), query="")


@router.get("/bulletins/{month}/{index:int}/{kind}")
def bulletin_file(request: Request, month: str, index: int, kind: str, user: WebUser = Depends(staff),
                  session: Session = Depends(db)):
    """A draft's DOCX or PDF, named by month and its place in that month's list (never by a path
    the browser sends, so nothing outside the folder can be asked for)."""
    if kind not in MEDIA:
        raise HTTPException(404, "没有此文件")
    found = drafts(bulletin_folder(web(request)), user_offices(session, user), web(request).config.letter_issuers)
    shown = [d for d in found if d.month == month]
    if not 0 <= index < len(shown) or kind not in shown[index].kinds:
        raise HTTPException(404, "没有此通报文件")
    draft = shown[index]
    path = bulletin_folder(web(request)) / draft.month / f"{draft.stem}.{kind}"
    return FileResponse(path, media_type=MEDIA[kind], filename=f"{draft.stem}.{kind}")
