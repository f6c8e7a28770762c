"""The open points are read from the ledgers once per app and again only when a ledger or
data/units.yaml changes (or a ledger is added): a page view no longer parses every YAML file."""

from __future__ import annotations

import shutil

from fastapi.testclient import TestClient

from scheduler.web import create_app
from tests.web.builders import NOW, ROOT, login


def test_open_points_are_cached_until_a_data_file_changes(world, store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    config = world.config.model_copy(update={"data_dir": data})
    app = create_app(config, store, now=lambda: NOW)
    cache = app.state.web.files
    with TestClient(app) as client:
        login(client, "wang")
        first = client.get("/open-points").text
        assert "changzhi-2019/r011" in first and cache.computed == 1
        client.get("/open-points")
        client.get("/api/open-points")
        assert cache.computed == 1  # three views, one parse

        ledger = data / "changzhi-2019.yaml"
        text = ledger.read_text(encoding="utf-8")
        ledger.write_text(text.replace("  deadline_text: 按国家、省规定完成时限\n  lead_units:\n  - 市生态环境局\n",
                                       "  deadline_text: 2020年6月底前\n  lead_units:\n  - 市生态环境局\n", 1),
                          encoding="utf-8")
        changed = client.get("/api/open-points").json()
        assert cache.computed == 2
        assert not any(p["task"] == "changzhi-2019/r011" and p["kind"] == "external_deadline" for p in changed)

        units = data / "units.yaml"
        units.write_text(units.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
        client.get("/open-points")
        assert cache.computed == 3

        (data / "changzhi-2022.yaml").rename(data / "changzhi-2022-renamed.yaml")  # same mtime, other file set
        assert client.get("/api/open-points").status_code == 200 and cache.computed == 4
