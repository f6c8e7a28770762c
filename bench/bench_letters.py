"""Measure letter throughput: DOCX per second, PDF per second in batches, digests through SMTP.

Targets: 50 DOCX letters/s, 2 PDF letters/s (LibreOffice, one start per batch), 200 digests/s
through SMTP to a local aiosmtpd on loopback.
"""

from __future__ import annotations

import platform
import socket
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from scheduler.clock import SHANGHAI  # noqa: E402
from scheduler.delivery.channels.base import OutgoingMessage  # noqa: E402
from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings  # noqa: E402
from scheduler.letters.bulletin import sample_bulletin  # noqa: E402
from scheduler.letters.content import sample_digest, sample_letter  # noqa: E402
from scheduler.letters.render import Renderer, docx_to_pdf_batch  # noqa: E402

RUNS = 5
DOCX_LETTERS = 200
PDF_BATCH = 20
DIGESTS = 400
NOW = datetime(2019, 12, 20, 9, 0, tzinfo=SHANGHAI)
KINDS = ("urge", "warning", "interview", "bulletin")


def _median_rate(rates: list[float]) -> str:
    return f"median {statistics.median(rates):.1f}/s (runs: {', '.join(f'{r:.1f}' for r in rates)})"


def _write_docx(renderer: Renderer, i: int, path: Path) -> Path:
    """Write document i: the three letter kinds and the sample 通报 in turn."""
    kind = KINDS[i % 4]
    if kind == "bulletin":
        bulletin, head = sample_bulletin()
        return renderer.document_docx(head, bulletin.tables(), path, bulletin=bulletin)
    return renderer.letter_docx(sample_letter(kind), path)


def bench_docx(renderer: Renderer, out: Path) -> list[float]:
    """Time rendering DOCX documents (template + layout + save), all four kinds in turn."""
    rates = []
    for run in range(RUNS):
        start = time.perf_counter()
        for i in range(DOCX_LETTERS):
            _write_docx(renderer, i, out / f"d{run}-{i}.docx")
        rates.append(DOCX_LETTERS / (time.perf_counter() - start))
    return rates


def bench_pdf(renderer: Renderer, out: Path) -> list[float]:
    """Time converting batches of PDF_BATCH letters with one LibreOffice start each."""
    rates = []
    for run in range(3):
        docs = [_write_docx(renderer, i, out / f"p{run}-{i}.docx") for i in range(PDF_BATCH)]
        start = time.perf_counter()
        docx_to_pdf_batch(docs, out / f"pdf{run}")
        rates.append(PDF_BATCH / (time.perf_counter() - start))
    return rates


class _Sink:
    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        return "250 OK"


def bench_smtp(renderer: Renderer) -> list[float]:
    """Time rendering + sending digests (text + HTML) through SMTP over one session per batch."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, security="none"),
                              now=lambda: NOW)
        digest = sample_digest()
        rates = []
        for run in range(RUNS):
            start = time.perf_counter()
            batch: list[OutgoingMessage] = []
            for i in range(DIGESTS):
                batch.append(OutgoingMessage(
                    key=f"digest|{digest.unit}|2019-12-20|{run}-{i}", day=date(2019, 12, 20),
                    unit=digest.unit, subject=f"督办事项日报（{digest.unit}）",
                    text=renderer.digest_text(digest), html=renderer.digest_html(digest),
                    to=("dqb@luzhou.gov.cn",)))
            results = channel.send_batch(batch)
            assert all(not isinstance(r, Exception) for r in results), results[:3]
            rates.append(DIGESTS / (time.perf_counter() - start))
        return rates
    finally:
        controller.stop()


def main() -> None:
    """Print medians for the three measurements."""
    renderer = Renderer()
    print(f"{platform.node()} {platform.processor() or platform.machine()} "
          f"Python {platform.python_version()} {datetime.now(SHANGHAI):%Y-%m-%d}")
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        out = Path(tmp)
        print(f"DOCX letters ({DOCX_LETTERS} per run): {_median_rate(bench_docx(renderer, out))}"
              " — target 50/s")
        print(f"PDF letters (batches of {PDF_BATCH}): {_median_rate(bench_pdf(renderer, out))}"
              " — target 2/s")
    print(f"digests via SMTP ({DIGESTS} per run): {_median_rate(bench_smtp(renderer))}"
          " — target 200/s")


if __name__ == "__main__":
    main()
