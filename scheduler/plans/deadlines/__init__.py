"""Parse deadline cells written in words ("2019年12月底前", "长期坚持") into dated values.

The interface other modules rely on: DeadlineContext, Deadline (and its to_json()), Milestone,
parse_deadline(text, context) and find_milestones(measures, context).

How it works: the cell is normalised once (`normalisation`: whitespace and control characters
dropped, full-width digits and dashes mapped, Chinese numerals before 年/月/日/季 turned into
digits), then a short ordered list of handlers is tried (`cells`), one per form, each built on
precompiled regexes; the date items they share (月底, 上旬, 第三季度, lists and ranges of them)
are read in `dates`. The first handler that recognises the cell decides its kind. Every guess
leaves a note so a coordinator can see why a date was chosen. `milestones` finds the same date
items inside measure text.
"""

from __future__ import annotations

from scheduler.plans.deadlines.cells import parse_deadline
from scheduler.plans.deadlines.milestones import find_milestones
from scheduler.plans.deadlines.model import KINDS, Deadline, DeadlineContext, Kind, Milestone
from scheduler.plans.deadlines.normalisation import normalise

__all__ = ["KINDS", "Deadline", "DeadlineContext", "Kind", "Milestone", "find_milestones", "normalise",
           "parse_deadline"]
