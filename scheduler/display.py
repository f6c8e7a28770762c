"""Terminal display for coordinators: readable tables, and a progress bar for long imports and exports.

A coordinator importing a large task table wants to see it move; the service's log, a pipe or a
test run wants no control characters at all. The bar therefore only exists when the stream is a
terminal (`isatty()`); otherwise `progress()` hands back the items untouched.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from rich.console import Console
from rich.table import Table

T = TypeVar("T")


def shows_progress(stream: IO[str] | None = None) -> bool:
    """Tell whether a bar would be drawn on `stream` (standard error by default)."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def progress(items: Iterable[T], description: str, total: int | None = None,
             stream: IO[str] | None = None) -> Iterator[T]:
    """Yield `items`, advancing a bar labelled `description` (Chinese) when `stream` is a terminal."""
    stream = sys.stderr if stream is None else stream
    if not shows_progress(stream):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def render(table: Table) -> str:
    """Return a rich table as plain text (160 columns), for printing or for a summary string."""
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()
