"""Table cells read whole: names broken over lines, lines that start a new name, person columns."""

from __future__ import annotations

from scheduler.plans.clauses import parse_cell_clause, split_units


def responsible(cell: str) -> tuple[str, ...]:
    return parse_cell_clause(cell).responsible_units


def test_a_line_starting_with_the_rest_of_a_unit_name_continues_the_name():
    assert responsible("市委\n办公室") == ("市委办公室",)
    # 管委会 after a name that could end where the line ends (市场) still belongs to it
    assert responsible("晋城市农产品批发市场\n管委会") == ("晋城市农产品批发市场管委会",)


def test_a_line_starting_with_a_bracket_continues_the_name_before_it():
    assert responsible("各县人民政府\n（含开发区管委会）") == ("各县人民政府", "开发区管委会")
    assert responsible("市工信局\n）") == ("市工信局",)


def test_a_line_starting_with_another_name_or_a_key_starts_a_new_name():
    assert responsible("市工信局\nXYZ公司") == ("市工信局", "XYZ公司")
    got = parse_cell_clause("市生态环境局\n主办单位市发改委")
    assert got.lead_units == ("市发改委",)
    assert got.responsible_units == ("市生态环境局",)


def test_a_bracket_nested_three_deep_stays_inside_the_name():
    assert responsible("各县（市、区（含开发区））人民政府") == ("各县（市、区（含开发区））人民政府",)


def test_a_persons_column_keeps_only_names_of_people():
    # a Latin letter, a lone surname, a name without a Chinese character are not people
    assert parse_cell_clause("张三、A、李、AB", "persons").responsible_persons == ("张三",)


def test_a_unit_written_twice_or_an_open_ending_adds_no_name():
    assert split_units("市工信局、市工信局、相关部门") == ["市工信局"]
