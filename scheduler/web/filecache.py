"""Values computed from files, kept per app until a file changes.

The open points parse every ledger and the unit directory (~0.4 s); a page view should not. The
cache key is each file's path, mtime and size, and the set of files itself (a new ledger counts),
so `duban load` after an edit, or a new data/*.yaml, is seen on the next request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Signature = tuple[tuple[str, int, int], ...]


def signature(paths: Iterable[Path]) -> Signature:
    """Return what identifies the files' current contents without reading them."""
    found = []
    for path in sorted(paths):
        try:
            stat = path.stat()
        except FileNotFoundError:
            found.append((str(path), -1, -1))
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class FileCache:
    """name -> (signature, value); a value is recomputed when its files' signature changes."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[Signature, Any]] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times a value was (re)computed: tests read it

    def get(self, name: str, paths: Callable[[], Iterable[Path]], compute: Callable[[], Any]) -> Any:
        key = signature(paths())
        with self._lock:
            held = self._values.get(name)
            if held is not None and held[0] == key:
                return held[1]
            value = compute()
            self.computed += 1
            self._values[name] = (key, value)
            return value
