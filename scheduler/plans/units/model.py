"""What resolution hands out: units and the meaning of a written name, plus the file schema of
data/units.yaml (validated by pydantic, errors naming the file, line and field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

UnitKind = Literal["city_department", "county_government", "zone_committee", "town_government",
                   "enterprise", "other"]
# provisional: a name the directory lacks, kept as a unit of its own until a coordinator confirms,
# merges or renames it, so its tasks still have somebody to remind
Status = Literal["unit", "group", "ambiguous", "unknown", "title", "provisional"]
PROVISIONAL = "provisional"  # the kind of a provisional unit, in the directory and in the store
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
GLOBAL = "*"  # scope of canonical names and titles: valid in every region


@dataclass(frozen=True)
class Unit:
    """A unit that can receive notices: a department, a government, a committee or an enterprise."""

    id: str
    name: str
    kind: str
    region: str
    aliases: tuple[str, ...]
    head_title: str
    contacts: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False)
    note: str = ""

    @property
    def provisional(self) -> bool:
        return self.kind == PROVISIONAL


@dataclass(frozen=True)
class Resolution:
    """What a written unit name means in a plan's region."""

    written: str
    status: Status
    units: tuple[Unit, ...]
    note: str = ""



class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactsModel(_Model):
    """Addresses per channel; the file outbox needs none."""

    email: list[Email] = Field(default_factory=list)
    webhook: list[Url] = Field(default_factory=list)


class DoubtfulAliasModel(_Model):
    """A spelling that points to the unit but must be shown to a coordinator (typo, old name)."""

    written: Name
    note: Name


class UnitModel(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: Name
    kind: UnitKind
    region: Name
    aliases: list[Name] = Field(default_factory=list)
    doubtful_aliases: list[DoubtfulAliasModel] = Field(default_factory=list)
    head_title: Name
    contacts: ContactsModel = Field(default_factory=ContactsModel)
    note: str = ""


class RegionModel(_Model):
    name: Name
    parent: Name | None = None


class GroupModel(_Model):
    """A collective name: complete and incomplete groups expand, ambiguous ones never do."""

    name: Name
    region: Name
    aliases: list[Name] = Field(default_factory=list)
    status: Literal["complete", "incomplete", "ambiguous"]
    members: list[Name] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _members_match_status(self) -> GroupModel:
        if self.status == "ambiguous" and self.members:
            raise ValueError("含义不明的分组不得列出成员，须由协调员按任务指定")
        if self.status != "ambiguous" and not self.members:
            raise ValueError("分组须列出成员（无法确定成员时请标为 ambiguous）")
        if self.status != "complete" and not self.note.strip():
            raise ValueError("incomplete 或 ambiguous 分组须写明 note，供协调员处理")
        return self


class TitleModel(_Model):
    name: Name
    note: str = ""


class UnitsFile(_Model):
    version: Literal[1]
    regions: Annotated[list[RegionModel], Field(min_length=1)]
    units: list[UnitModel]
    groups: list[GroupModel] = Field(default_factory=list)
    titles: list[TitleModel] = Field(default_factory=list)
