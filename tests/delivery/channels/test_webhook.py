from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest
from werkzeug import Request, Response

from scheduler.delivery.channels.base import TransportError
from scheduler.delivery.channels.webhook import WebhookChannel, WebhookSettings
from tests.delivery.channels.conftest import NOW, free_port

SECRET = "SECtest0123456789abcdef"


def _channel(url: str, fmt: str = "json", **kwargs) -> WebhookChannel:
    settings = WebhookSettings(url=url, format=fmt, timeout=3, **kwargs)
    return WebhookChannel(settings, now=lambda: NOW)


def test_the_generic_webhook_posts_the_message_as_json(httpserver, message):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    _channel(httpserver.url_for("/hook")).send(message)
    (request, _), = httpserver.log
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Idempotency-Key"]
    body = json.loads(request.get_data().decode("utf-8"))
    assert body == {
        "key": "overdue-warning|cz2019-12|潞州区人民政府|2019-11-30",
        "day": "2019-12-20",
        "unit": "潞州区人民政府",
        "subject": message.subject,
        "text": message.text,
        "attachments": ["长大气办函〔2019〕12号.docx", "长大气办函〔2019〕12号.pdf"],
        "extra": {"number": "长大气办函〔2019〕12号"},
    }


def test_dingtalk_requests_carry_a_signature_the_robot_would_accept(
        httpserver, message, monkeypatch):
    monkeypatch.setenv("T_DING_SECRET", SECRET)
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    url = httpserver.url_for("/robot/send") + "?access_token=abc"
    _channel(url, "dingtalk", secret_env="T_DING_SECRET").send(message)
    (request, _), = httpserver.log
    query = urllib.parse.parse_qs(request.query_string.decode("ascii"))
    assert query["access_token"] == ["abc"]
    stamp = query["timestamp"][0]
    assert stamp == str(int(NOW.timestamp() * 1000))
    # recompute as the DingTalk docs describe: HMAC-SHA256(secret, "timestamp\nsecret"), base64
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undoes the URL encoding
    body = json.loads(request.get_data())
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == message.subject
    assert "请及时签收" in body["markdown"]["text"]


def test_a_dingtalk_errcode_decides_between_permanent_and_retryable(httpserver, message):
    httpserver.expect_ordered_request("/r").respond_with_json(
        {"errcode": 310000, "errmsg": "sign not match"})
    httpserver.expect_ordered_request("/r").respond_with_json(
        {"errcode": 130101, "errmsg": "send too fast"})
    with pytest.raises(TransportError) as bad_sign:
        _channel(httpserver.url_for("/r"), "dingtalk").send(message)
    with pytest.raises(TransportError) as too_fast:
        _channel(httpserver.url_for("/r"), "dingtalk").send(message)
    assert (bad_sign.value.permanent, too_fast.value.permanent) == (True, False)


def test_wecom_gets_markdown_clipped_to_its_limit(httpserver, message):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0})
    long = message.__class__(**{**message.__dict__, "text": "逾期任务。" * 2000})
    _channel(httpserver.url_for("/cgi-bin/webhook/send") + "?key=k", "wecom").send(long)
    body = json.loads(httpserver.log[0][0].get_data())
    content = body["markdown"]["content"]
    assert body["msgtype"] == "markdown"
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("……（内容过长已截断，全文见督办系统或邮件）")


def test_a_wecom_rate_limit_is_retryable(httpserver, message):
    httpserver.expect_request("/w").respond_with_json({"errcode": 45009, "errmsg": "freq limit"})
    with pytest.raises(TransportError) as caught:
        _channel(httpserver.url_for("/w"), "wecom").send(message)
    assert caught.value.permanent is False


@pytest.mark.parametrize("status, permanent", [(400, True), (403, True), (404, True),
                                               (429, False), (500, False), (503, False)])
def test_http_status_decides_between_permanent_and_retryable(
        httpserver, message, status, permanent):
    httpserver.expect_request("/s").respond_with_data("no", status=status)
    with pytest.raises(TransportError) as caught:
        _channel(httpserver.url_for("/s")).send(message)
    assert caught.value.permanent is permanent


def test_a_closed_port_is_retryable(message):
    with pytest.raises(TransportError) as caught:
        _channel(f"http://127.0.0.1:{free_port()}/hook").send(message)
    assert caught.value.permanent is False


def test_a_slow_endpoint_times_out_as_retryable(httpserver, message):
    import time

    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    channel = WebhookChannel(WebhookSettings(url=httpserver.url_for("/slow"), timeout=0.5),
                             now=lambda: NOW)
    with pytest.raises(TransportError) as caught:
        channel.send(message)
    assert caught.value.permanent is False


def test_error_messages_never_show_the_robot_token(message):
    url = f"http://127.0.0.1:{free_port()}/robot/send?access_token=TOPSECRET"
    with pytest.raises(TransportError) as caught:
        _channel(url, "dingtalk").send(message)
    assert "TOPSECRET" not in str(caught.value)
