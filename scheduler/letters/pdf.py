"""Convert DOCX letters to PDF with LibreOffice, many files per start.

LibreOffice lays out CJK text with proper justification, so the PDF matches the DOCX an office
edits. Starting it costs about 2 s, so files are converted in batches with one start each; a
private profile per batch keeps parallel batches (and a desktop LibreOffice) from locking each
other out, and FONTCONFIG_FILE points at fonts/fonts.conf so the office font names map to the
installed CJK fonts and get embedded.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONTS_CONF = ROOT / "fonts" / "fonts.conf"


class RenderError(Exception):
    """Raised when a letter cannot be rendered (LibreOffice missing, failed or timed out)."""


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(
        "找不到 LibreOffice（soffice），无法把 DOCX 转为 PDF；"
        "请安装 libreoffice-writer-nogui（scripts/os-deps.sh）"
    )


def docx_to_pdf_batch(
    paths: Sequence[Path | str], out_dir: Path | str, *, timeout: float | None = None,
) -> list[Path]:
    """Convert DOCX files to PDF with ONE LibreOffice start; return the PDFs in input order.

    A private profile keeps parallel batches (and a desktop LibreOffice) from locking each other
    out; FONTCONFIG_FILE maps the office font names to the installed CJK fonts.
    """
    docs = [Path(p).resolve() for p in paths]
    if not docs:
        return []
    stems = [d.stem for d in docs]
    if len(set(stems)) != len(stems):
        raise ValueError("同一批次中的 DOCX 文件名（不含扩展名）重复，PDF 会互相覆盖")
    for doc in docs:
        if not doc.is_file():
            raise RenderError(f"{doc}: 文件不存在")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = _soffice()
    limit = timeout if timeout is not None else 60 + 5 * len(docs)
    profile = Path(tempfile.mkdtemp(prefix="duban-lo-"))
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=str(profile))
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
           "--nologo", "--norestore", "--nodefault", "--nolockcheck",
           "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *map(str, docs)]
    targets = [out / f"{d.stem}.pdf" for d in docs]
    for target in targets:
        target.unlink(missing_ok=True)  # so a stale PDF never passes for a fresh one
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            if sys.platform != "win32":
                os.killpg(proc.pid, signal.SIGKILL)  # soffice forks; end its whole session
            proc.kill()
            proc.communicate()
            raise RenderError(
                f"LibreOffice 转换 {len(docs)} 个文件超时（{limit:.0f} 秒）"
            ) from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [t.name for t in targets if not t.is_file() or t.stat().st_size == 0]
    if proc.returncode != 0 or missing:
        detail = err.decode("utf-8", "replace").strip()[-500:]
        raise RenderError(
            f"LibreOffice 转换失败（退出码 {proc.returncode}），"
            f"未生成：{'、'.join(missing) or '无'}；{detail}"
        )
    return targets
