"""Serving the console with uvicorn: in the foreground (`duban web`) or beside the scheduler in a
thread (`duban serve` with web.with_serve)."""

from __future__ import annotations

import logging
import threading

import uvicorn

from scheduler.config import Config

log = logging.getLogger("duban.web")


def make_server(config: Config, store, host: str | None = None, port: int | None = None) -> uvicorn.Server:
    from scheduler.web.app import create_app

    app = create_app(config, store)
    settings = uvicorn.Config(app, host=host or config.web.host, port=port or config.web.port, log_level="info",
                              proxy_headers=True, server_header=False)
    return uvicorn.Server(settings)


class WebThread:
    """The console running in a daemon thread; stop() asks uvicorn to finish and waits."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.run, name="duban-web", daemon=True)

    def start(self) -> WebThread:
        self.thread.start()
        log.info("web console on http://%s:%s", self.server.config.host, self.server.config.port)
        return self

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_thread(config: Config, store) -> WebThread:
    return WebThread(make_server(config, store)).start()
