"""Paging for every list page: which page a request asked for, clamped to what exists, and the
values the `pager` macro (templates/web/macros.html) shows. One home, so every list pages alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """Page `page_no` of `pages` over `total` rows, `size` rows a page."""

    page_no: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        """How many rows come before this page (for a store query's OFFSET)."""
        return (self.page_no - 1) * self.size

    def rows(self, every: Sequence[T]) -> list[T]:
        """This page's rows of a list already in memory."""
        return list(every[self.offset:self.offset + self.size])

    def values(self) -> dict[str, Any]:
        """What a page template's pager needs: page_no, pages and total."""
        return {"page_no": self.page_no, "pages": self.pages, "total": self.total}


def paging(total: int, page_no: int | str | None, size: int | None = None) -> Paging:
    """Page `page_no` of `total` rows (`size` a page, PAGE_SIZE unless given): a page before the
    first is the first, one past the last is the last, and anything that is no number is the first."""
    size = size or PAGE_SIZE
    pages = max(1, -(-total // size))
    try:
        wanted = int(page_no or 1)
    except (TypeError, ValueError):
        wanted = 1
    return Paging(min(max(1, wanted), pages), pages, total, size)
