"""The open-points count says how many are still to do: it drops when a coordinator settles one."""

from __future__ import annotations

import re

from tests.web.builders import csrf_of, login


def open_count(client) -> int:
    return int(re.search(r'<span id="open-count">(\d+)</span>', client.get("/open-points").text).group(1))


def test_dating_an_external_deadline_lowers_the_count(client):
    login(client, "wang")
    before = open_count(client)
    page = client.get("/open-points").text
    task = re.search(r'<form method="post" action="/deadline/([^"]+)">', page).group(1)
    answer = client.post(f"/deadline/{task}", data={"csrf_token": csrf_of(client), "due": "2020-06-30",
                                                    "reason": "省生态环境厅通知"}, follow_redirects=False)
    assert answer.status_code == 303
    assert open_count(client) == before - 1
    assert '已处理 <span id="resolved-count">1</span> 项' in client.get("/open-points").text
