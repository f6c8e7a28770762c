"""Responsibility clauses (责任条款): a grammar of unit lists and role markers, and the finder
that locates a clause in a paragraph or reads one table cell whole."""

from __future__ import annotations

from scheduler.plans.clauses.finder import (
    CLOSERS,
    OPENERS,
    ROLE_WORDS,
    clause_repairs,
    find_clause,
    parse_cell_clause,
    parse_clause,
    split_units,
    unclosed_clause_start,
    unclosed_clause_starts,
)
from scheduler.plans.clauses.later import LaterStatement, find_later_statement
from scheduler.plans.clauses.model import Clause
from scheduler.plans.clauses.names import clean_name
from scheduler.plans.clauses.roles import ROLE_WORDS as ALL_ROLE_WORDS
from scheduler.plans.clauses.tokens import PROTECTED_NAMES

__all__ = [
    "ALL_ROLE_WORDS",
    "CLOSERS",
    "OPENERS",
    "PROTECTED_NAMES",
    "ROLE_WORDS",
    "Clause",
    "LaterStatement",
    "clause_repairs",
    "clean_name",
    "find_clause",
    "find_later_statement",
    "parse_cell_clause",
    "parse_clause",
    "split_units",
    "unclosed_clause_start",
    "unclosed_clause_starts",
]
