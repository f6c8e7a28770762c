"""Clause forms of other cities' plans: names of parallel places that share the last one's organs."""

from __future__ import annotations

from scheduler.plans.clauses import parse_cell_clause, parse_clause


def responsible(text: str) -> tuple[str, ...]:
    return parse_cell_clause(text, "responsible").responsible_units


def test_parallel_zones_share_the_organs_written_once_after_the_last():
    assert responsible("城乡一体化示范区、高新区党工委和管委会") == (
        "城乡一体化示范区党工委和管委会", "高新区党工委和管委会")


def test_every_bare_place_before_the_named_one_takes_its_organs():
    assert responsible("甲开发区、乙示范区、丙高新区管委会") == (
        "甲开发区管委会", "乙示范区管委会", "丙高新区管委会")


def test_a_group_of_places_keeps_its_own_name():
    assert responsible("各区、北京经济技术开发区管委会") == ("各区", "北京经济技术开发区管委会")


def test_places_of_different_kinds_share_nothing():
    assert responsible("某某市、某某区人民政府") == ("某某市", "某某区人民政府")


def test_a_department_before_a_zone_body_stays_a_department():
    assert responsible("市生态环境局、高新区管委会") == ("市生态环境局", "高新区管委会")


def test_the_suffix_is_shared_in_a_narrative_clause_too():
    clause = parse_clause("（牵头单位：市水利局；责任单位：城乡一体化示范区、高新区党工委和管委会）")
    assert clause.lead_units == ("市水利局",)
    assert clause.responsible_units == ("城乡一体化示范区党工委和管委会", "高新区党工委和管委会")
