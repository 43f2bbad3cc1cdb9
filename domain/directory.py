"""The city's directory: departments, district offices, channel accounts and users."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate


class Role(StrEnum):
    PUBLIC = "public"
    OFFICIAL = "official"
    DEPARTMENT_LEAD = "department_lead"
    DESK = "desk"
    APPROVER = "approver"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Department(SmcAggregate):
    """A department of the city government that answers postings."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return ids.department_id(code)

    @event("Registered")
    def __init__(self, code: str, name_ko: str, name_en: str) -> None:
        self.code = code
        self.name_ko = name_ko
        self.name_en = name_en

    def rename(self, name_ko: str, name_en: str) -> None:
        if (name_ko, name_en) != (self.name_ko, self.name_en):
            self._renamed(name_ko=name_ko, name_en=name_en)

    @event("Renamed")
    def _renamed(self, name_ko: str, name_en: str) -> None:
        self.name_ko = name_ko
        self.name_en = name_en


class DistrictOffice(SmcAggregate):
    """One of the 25 autonomous districts (gu) and its grievance office."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return ids.district_id(code)

    @event("Registered")
    def __init__(self, code: str, name_ko: str, name_en: str) -> None:
        self.code = code
        self.name_ko = name_ko
        self.name_en = name_en


class ChannelAccount(SmcAggregate):
    """A city account on a social network (or another intake channel)."""

    @staticmethod
    def create_id(channel: str, handle: str) -> UUID:
        return ids.account_id(channel, handle)

    @event("Registered")
    def __init__(
        self, channel: str, handle: str, department_code: str, monitored: bool, warnings: bool
    ) -> None:
        self.channel = channel
        self.handle = handle
        self.department_code = department_code
        self.monitored = monitored
        self.warnings = warnings


class User(SmcAggregate):
    """A person who signs in. The password hash is computed outside the domain."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return ids.user_id(username)

    @event("Added")
    def __init__(self, username: str, display_name: str, role: str, password_hash: str) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.password_hash = password_hash
        self.active = True

    def change_role(self, role: Role) -> None:
        if role.value != self.role:
            self._role_changed(role=role.value)

    @event("RoleChanged")
    def _role_changed(self, role: str) -> None:
        self.role = role

    def change_password(self, password_hash: str) -> None:
        self._password_changed(password_hash=password_hash)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def deactivate(self) -> None:
        if self.active:
            self._deactivated()

    @event("Deactivated")
    def _deactivated(self) -> None:
        self.active = False
