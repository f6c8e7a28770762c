"""Serving the console with uvicorn: in the foreground (`duban web`) or beside the scheduler in a
thread (`duban serve` with web.with_serve)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import uvicorn

from scheduler import clock
from scheduler.config import Config

log = logging.getLogger("duban.web")


def make_server(config: Config, store, host: str | None = None, port: int | None = None, *,
                now: Callable[[], datetime] = clock.now) -> uvicorn.Server:
    from scheduler.web.app import create_app

    app = create_app(config, store, now=now)
    settings = uvicorn.Config(app, host=host or config.web.host, port=port or config.web.port, log_level="info",
                              proxy_headers=True, server_header=False)
    return uvicorn.Server(settings)


class WebThread:
    """The console running in a daemon thread; stop() asks uvicorn to finish and waits."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.run, name="duban-web", daemon=True)

    def start(self, wait: float = 10) -> WebThread:
        """Start serving; return once the socket listens (or the thread died, e.g. port in use)."""
        self.thread.start()
        deadline = time.monotonic() + wait
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.server.started:
            raise RuntimeError(f"控制台未能在 {self.server.config.host}:{self.server.config.port} 启动")
        log.info("web console on http://%s:%s", self.server.config.host, self.server.config.port)
        return self

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_thread(config: Config, store) -> WebThread:
    return WebThread(make_server(config, store)).start()
