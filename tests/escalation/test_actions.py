"""Occurrence keys: the unique key of an event stays readable and within the store's column."""

from __future__ import annotations

import hashlib

from scheduler.escalation.actions import KEY_LIMIT, occurrence_key


def test_a_key_up_to_the_limit_is_the_parts_joined():
    parts = ("task", "x" * (KEY_LIMIT - 10), "rule")
    key = occurrence_key(*parts)
    assert len(key) == KEY_LIMIT
    assert key == "|".join(parts)


def test_a_longer_key_keeps_its_head_and_hashes_the_rest():
    parts = ("任务一", "单位" * 90, "rule", "2020-12-31")
    whole = "|".join(parts)
    digest = hashlib.sha1(whole.encode("utf-8")).hexdigest()[:24]
    assert occurrence_key(*parts) == f"任务一|{('单位' * 60)[:80]}|{digest}"
    # two events differing only in their tail still get two keys
    assert occurrence_key(*parts) != occurrence_key(*parts[:3], "2021-01-01")
