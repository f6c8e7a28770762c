"""Read a clause's tokens into roles: keyed lists, role-suffix phrases, and both mixed.

Two forms mix freely: a key sets the role of the list after it until the next key or a
full stop ("牵头单位：A、B；责任单位：C"); a role word gives its role to the names before it
since the last role ("A牵头，B、C参与"). Names with no role at all fall to the default
(responsible for a narrative clause, the column's role for a table cell).
"""

from __future__ import annotations

import re

from scheduler.plans.clauses.later import find_later_statement
from scheduler.plans.clauses.model import Clause
from scheduler.plans.clauses.names import clean_name, clean_person
from scheduler.plans.clauses.roles import (
    COOPERATING,
    FIRST_LEADS,
    IN_CHARGE,
    KEY_PREFIX,
    LEAD,
    PERSONS,
    RESPONSIBLE,
)
from scheduler.plans.clauses.tokens import Token, tokenize

_ROLE_ORDER = (LEAD, COOPERATING, RESPONSIBLE)
# "各区政府（含经济技术开发区管委会）": the bracket names a body included, which is a unit too
_INCLUDED = re.compile(r"^(?P<base>.+?)[（(](?:含|包括|包含)(?P<inner>[^（()）]+)[）)]$")


class _Reading:
    """Names in text order with the role each was given."""

    def __init__(self, protected: tuple[str, ...]) -> None:
        self.protected = protected
        self.assigned: list[tuple[str, str]] = []
        self.persons: list[str] = []
        self.open_roles: set[str] = set()

    def give(self, names: list[str], role: str | None) -> None:
        if role is None:
            return
        for raw in _shared_suffix(_shared_prefix([part for name in names for part in _with_included(name)])):
            if role == PERSONS:
                person = clean_person(raw)
                if person and person not in self.persons:
                    self.persons.append(person)
                continue
            name, opened = clean_name(raw, self.protected)
            if opened:
                self.open_roles.add(role)
            if name and (role, name) not in self.assigned:
                self.assigned.append((role, name))

    def clause(self) -> Clause:
        roles = {role for role, _ in self.assigned}
        # "A按职责分工负责，各县政府负责落实": without a 牵头, the units in charge lead the tier below
        in_charge_leads = LEAD not in roles and bool(roles & {COOPERATING, RESPONSIBLE})
        resolved = LEAD if in_charge_leads else RESPONSIBLE

        def names(role: str) -> tuple[str, ...]:
            out: list[str] = []
            for given, name in self.assigned:
                actual = resolved if given == IN_CHARGE else given
                if actual == role and name not in out:
                    out.append(name)
            return tuple(out)

        open_roles = {resolved if r == IN_CHARGE else r for r in self.open_roles}
        return Clause(names(LEAD), names(COOPERATING), names(RESPONSIBLE),
                      responsible_persons=tuple(self.persons),
                      open_roles=tuple(r for r in _ROLE_ORDER if r in open_roles))


# "各区、县级市": the 各 (各有关) of the first name is shared by a bare kind of unit after it
_BARE_KIND = re.compile(r"(?:县级市|县市区|县区|县|区|市|乡镇|镇|乡|街道|镇街|园区|开发区)")
_GROUP_PREFIX = re.compile(r"^各(?:有关|相关)?")


def _shared_prefix(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        prefix = _GROUP_PREFIX.match(out[-1]) if out else None
        out.append(prefix.group(0) + name if prefix and _BARE_KIND.fullmatch(name) else name)
    return out


# "城乡一体化示范区、高新区党工委和管委会": bodies of parallel places share the last one's organs
_ORGANS = r"(?:党工委和管委会|党委和人民政府|党委和政府|党工委|管委会|管理委员会|人民政府|政府|办事处)"
_PLACE_WITH_ORGANS = re.compile(rf"^.+?(?P<kind>区|县|市|镇|乡|街道)(?P<organs>{_ORGANS})$")


def _shared_suffix(names: list[str]) -> list[str]:
    """Give a bare place the organs of the named place after it when both are the same kind of
    place ("A示范区、B高新区管委会"), never to a group ("各区") nor across kinds ("A市、B区政府")."""
    out = list(names)
    organs, kind = "", ""
    for i in range(len(out) - 1, -1, -1):
        name = out[i]
        m = _PLACE_WITH_ORGANS.match(name)
        if m:
            organs, kind = m["organs"], m["kind"]
        elif organs and len(name) >= 3 and name.endswith(kind) and not name.startswith("各"):
            out[i] = name + organs
        else:
            organs, kind = "", ""
    return out


def _with_included(name: str) -> list[str]:
    m = _INCLUDED.match(name)
    if not m:
        return [name]
    return [m["base"], *re.split(r"[、，,]", m["inner"])]


def read_tokens(tokens: list[Token], protected: tuple[str, ...],
                default_role: str | None = RESPONSIBLE) -> Clause:
    """Give every name token its role and return the clause."""
    reading = _Reading(protected)
    key_role: str | None = None
    pending: list[str] = []
    since_comma = 0  # index in pending after the last "，" (a keyed list's end, see below)
    for n, token in enumerate(tokens):
        if token.kind == "name":
            following = tokens[n + 1] if n + 1 < len(tokens) else None
            if following is not None and following.kind == "key" and KEY_PREFIX.match(token.text):
                continue  # "主要责任单位：": a word in front of the key, not a unit
            pending.append(token.text)
        elif token.kind == "sep":
            if token.text in "，,":
                since_comma = len(pending)
        elif token.kind == "role" and token.bound:
            reading.give(pending[-1:], token.role)
            pending = pending[:-1]
            since_comma = min(since_comma, len(pending))
        elif token.kind == "role":
            if key_role is not None and since_comma:
                # "牵头单位：市发改委，市工信局配合": the key's list ended at the comma
                reading.give(pending[:since_comma], key_role)
                pending = pending[since_comma:]
            reading.give(pending, token.role)
            pending, since_comma = [], 0
        elif token.kind == "key":
            reading.give(pending, key_role or default_role)
            pending, since_comma, key_role = [], 0, token.role
        elif token.kind == "stop" and key_role is not None:
            reading.give(pending, key_role)
            pending, since_comma, key_role = [], 0, None
    reading.give(pending, key_role or default_role)
    return reading.clause()


def read_clause(body: str, protected: tuple[str, ...],
                default_role: str | None = RESPONSIBLE) -> Clause:
    """Read a clause body (brackets already removed), with its "applies later" statement."""
    body = FIRST_LEADS.sub("", body)  # the plan-wide rule is read by the importer
    later = find_later_statement(body)
    if later is None:
        return read_tokens(tokenize(body, protected), protected, default_role)
    rest = body[:later.start] + body[later.end:]
    clause = read_tokens(tokenize(rest, protected), protected, default_role) if rest.strip(
        "，,；;。 ") else Clause()
    later_units = later_units_of(later.units_text, later.strong, protected)
    if not later_units:
        return read_tokens(tokenize(body, protected), protected, default_role)
    # the statement speaks of the tasks after this one: its units are not this clause's own
    return Clause(clause.lead_units, clause.cooperating_units, clause.responsible_units,
                  applies_to_later_tasks=True, responsible_persons=clause.responsible_persons,
                  open_roles=clause.open_roles, later_units=later_units,
                  later_scope=later.scope)


def later_units_of(units_text: str, strong: bool, protected: tuple[str, ...]) -> tuple[str, ...]:
    """Read the units of a later-tasks statement: those a role word governs, or, when the
    statement says "不再列出", every name in it."""
    tokens = tokenize(units_text, protected)
    clause = read_tokens(tokens, protected, RESPONSIBLE if strong else None)
    units: list[str] = []
    for name in clause.lead_units + clause.responsible_units + clause.cooperating_units:
        if name not in units:
            units.append(name)
    return tuple(units)
