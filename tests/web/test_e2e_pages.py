"""Every console page in a real browser (Debian's chromium through Playwright) at desktop and
phone width, as a coordinator and as a unit user: nothing scrolls sideways, no internal key shows
(source file names, plan ids, English status codes, design notes, Python reprs), and every letter
link answers with a DOCX or PDF.

The walk starts at the navigation bar and follows the links each page offers, one page per route
shape (/tasks/… once, /queue/<n> once), so a new page is covered as soon as it is linked."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scheduler.store.catalog import plan_rows
from tests.web.builders import PASSWORD
from tests.web.test_e2e import ARGS, CHROMIUM, server, shots  # noqa: F401  (the fixtures)

WIDTHS = (1366, 390)
FORBIDDEN = (
    (re.compile(r"\d{3}_[0-9a-f]{16}\.(txt|md|docx|xlsx)"), "a source file's name"),
    (re.compile(r"\b(pending_review|approved|held|rejected|queued|sent|cancelled|folded|in_progress|reported_done|"
                r"signed_off|waived|before_due|progress_missing|warning_unresolved|serious_delay|ack_missing|"
                r"withheld|superseded|year_long|dead)\b"), "an English status code"),
    (re.compile(r"DESIGN\.md"), "the design notes"),
    (re.compile(r"\['|\{'|'\]|'\}"), "a Python repr"),
    (re.compile(r"\b(web|user|notice|task|unit|letter|delivery|metrics|sweep|calendar|extension)\.[a-z_]+\b"),
     "an audit action code"),
)
# downloads and documents, not pages: the letter files are checked apart, the 台账 export in test_search
SKIPPED = re.compile(r"^/(api/|openapi\.json|logout|login|ack/|feeds/)|/(docx|pdf|xlsx|export)$|/letter$"
                     r"|\.(ics|xlsx|csv)$")
LETTER_PAGE = re.compile(r"/letters/\d+/html$|/letter$")  # an A4 document at its own width, not a console page
LETTER_FILE = re.compile(r"/letters/\d+/(docx|pdf)$")
SHOWN = {"/dashboard": "dashboard", "/queue": "queue", "/ledger": "ledger", "/letters": "letters",
         "/bulletins": "bulletins", "/audit": "audit", "/portal": "portal"}  # pages photographed for docs/img
TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (scripts/os-deps.sh)")


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def shape(path: str) -> str:
    """The route a path stands for: numbers and task ids folded, so each page is walked once."""
    path = re.sub(r"^/(tasks|portal/tasks)/.+$", r"/\1/…", path)
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)


def internal_keys(path: str, text: str, plan_ids: list[str]) -> list[str]:
    found = [f"{what}: {m.group(0)}" for pattern, what in FORBIDDEN for m in pattern.finditer(text)]
    return found + [f"a plan id: {pid}" for pid in plan_ids if pid in text]


def walk(browser, base: str, name: str, width: int, plan_ids: list[str], folder: Path
         ) -> tuple[dict[str, list[str]], set[str]]:
    """Log in as `name` at `width` and visit every page reachable from the navigation; return the
    problems per page and the letter file links seen. The main pages are photographed to `folder`."""
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    todo = [urlsplit(page.url).path] + [urlsplit(h).path for h in page.eval_on_selector_all(
        "header nav a", "els => els.map(e => e.href)")]
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    letters: set[str] = set()
    while todo:
        path = todo.pop(0)
        if shape(path) in seen or SKIPPED.search(path):
            continue
        seen.add(shape(path))
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{name} {path}: {response and response.status}"
        found = internal_keys(path, page.inner_text("body"), plan_ids)
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width and not LETTER_PAGE.search(path):
            found.append(f"{wide} px wide at {width} px")
        if found:
            problems[path] = sorted(set(found))
        if path in SHOWN:
            page.screenshot(path=folder / f"web-{SHOWN[path]}-{width}.png", full_page=False)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base).netloc:
                continue
            if LETTER_FILE.search(parts.path):
                letters.add(parts.path)
            elif not parts.query:
                todo.append(parts.path)
    context.close()
    return problems, letters


@pytest.mark.parametrize("name", ["wang", "luzhou"])
def test_every_page_fits_the_screen_and_speaks_chinese(chromium, server, store, shots, name):  # noqa: F811
    with store.session() as session:
        plan_ids = [p.id for p in plan_rows(session)]
    for width in WIDTHS:
        problems, letters = walk(chromium, server, name, width, plan_ids, shots)
        assert problems == {}, f"{name} at {width} px:\n" + "\n".join(
            f"{path}: {'; '.join(found[:6])}" for path, found in problems.items())
    assert letters, "no letter links to follow"
    import httpx

    with httpx.Client(base_url=server) as http:
        token = http.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        http.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
        for path in sorted(letters):
            answer = http.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"].startswith(TYPES[path.rsplit("/", 1)[1]]), path
