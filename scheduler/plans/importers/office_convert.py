"""Convert the older office formats (.doc, .xls, WPS .wps/.et) to .docx/.xlsx with LibreOffice.

LibreOffice is the optional OS dependency the letters already use for PDF (scripts/os-deps.sh).
Each conversion runs headless with a private profile in a temporary folder, so it neither locks
nor is locked by a desktop LibreOffice or a parallel conversion.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.errors import InputError

_TIMEOUT = 120  # seconds; a large workbook converts in a few


@contextmanager
def convert(path: Path, target: str) -> Iterator[Path]:
    """Yield a converted copy of `path` as `target` ("docx" or "xlsx"), removed afterwards."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise InputError.single(path.name, None, f"{path.suffix} 文件需要 LibreOffice 转换，但本机未安装 LibreOffice"
                                                 f"（soffice）；请安装 libreoffice（scripts/os-deps.sh），"
                                                 f"或在 WPS/Office 中另存为 .{target} 后再导入")
    with tempfile.TemporaryDirectory(prefix="duban-convert-") as work:
        folder = Path(work)
        source = folder / f"input{path.suffix.lower()}"
        shutil.copyfile(path, source)  # the user's name may hold characters soffice mangles
        command = [exe, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
                   "--convert-to", target, "--outdir", str(folder / "out"), str(source)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice forks; end its whole session
            proc.communicate()
            message = f"LibreOffice 转换超时（{_TIMEOUT} 秒），请另存为 .{target} 后再导入"
            raise InputError.single(path.name, None, message) from exc
        converted = folder / "out" / f"input.{target}"
        if proc.returncode != 0 or not converted.is_file():
            detail = err.decode("utf-8", "replace").strip()[:200]
            message = f"LibreOffice 无法转换此文件（可能已损坏）：{detail or '没有输出'}"
            raise InputError.single(path.name, None, message)
        yield converted
