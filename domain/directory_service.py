"""Application service for the directory: departments, district offices, accounts, users."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain import ids
from domain.context import Cause
from domain.directory import ChannelAccount, Department, DistrictOffice, Role, User
from domain.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from domain.store import Commands, Recorded


@dataclass(frozen=True)
class UserRecord:
    id: UUID
    username: str
    display_name: str
    role: Role
    password_hash: str
    active: bool


def _check_code(value: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > 64:
        raise InvalidInputError(f"{what} must be 1 to 64 characters")
    return value


class DirectoryService:
    def __init__(self, commands: Commands) -> None:
        self.commands = commands
        self.store = commands.store

    def _ensure_new(self, aggregate_id: UUID, what: str) -> None:
        if self.store.exists(aggregate_id):
            raise AlreadyExistsError(f"{what} already exists", id=str(aggregate_id))

    def register_department(self, cause: Cause, code: str, name_ko: str, name_en: str) -> Recorded:
        code = _check_code(code, "department code").upper()

        def command() -> Recorded:
            self._ensure_new(ids.department_id(code), f"department {code}")
            dept = Department(code, name_ko, name_en)
            return Recorded(dept.id, self.commands.save(dept))

        return self.commands.run(cause, command)

    def register_district(self, cause: Cause, code: str, name_ko: str, name_en: str) -> Recorded:
        code = _check_code(code, "district code")

        def command() -> Recorded:
            self._ensure_new(ids.district_id(code), f"district {code}")
            office = DistrictOffice(code, name_ko, name_en)
            return Recorded(office.id, self.commands.save(office))

        return self.commands.run(cause, command)

    def register_account(
        self,
        cause: Cause,
        *,
        channel: str,
        handle: str,
        department_code: str,
        monitored: bool,
        warnings: bool,
    ) -> Recorded:
        channel = _check_code(channel, "channel").lower()
        handle = _check_code(handle, "handle")

        def command() -> Recorded:
            self.store.load(ids.department_id(department_code), Department, "department")
            aid = ids.account_id(channel, handle)
            self._ensure_new(aid, f"account {channel}:{handle}")
            acc = ChannelAccount(channel, handle, department_code.upper(), monitored, warnings)
            return Recorded(acc.id, self.commands.save(acc))

        return self.commands.run(cause, command)

    def add_user(
        self, cause: Cause, *, username: str, display_name: str, role: Role, password_hash: str
    ) -> Recorded:
        username = _check_code(username, "user name").lower()
        if not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
            raise InvalidInputError("user name may hold letters, digits, '.', '-' and '_' only")

        def command() -> Recorded:
            self._ensure_new(ids.user_id(username), f"user {username}")
            user = User(username, display_name or username, role.value, password_hash)
            return Recorded(user.id, self.commands.save(user))

        return self.commands.run(cause, command)

    def change_role(self, cause: Cause, username: str, role: Role) -> Recorded:
        def command() -> Recorded:
            user = self.store.load(ids.user_id(username), User, f"user {username}")
            user.change_role(role)
            return Recorded(user.id, self.commands.save(user))

        return self.commands.run(cause, command)

    def deactivate_user(self, cause: Cause, username: str) -> Recorded:
        def command() -> Recorded:
            user = self.store.load(ids.user_id(username), User, f"user {username}")
            user.deactivate()
            return Recorded(user.id, self.commands.save(user))

        return self.commands.run(cause, command)

    def find_user(self, username: str) -> UserRecord | None:
        try:
            user = self.store.load(ids.user_id(username.strip().lower()), User, "user")
        except NotFoundError:
            return None
        return UserRecord(
            user.id,
            user.username,
            user.display_name,
            Role(user.role),
            user.password_hash,
            user.active,
        )

    def get_user(self, user_id: UUID) -> UserRecord | None:
        try:
            user = self.store.load(user_id, User, "user")
        except NotFoundError:
            return None
        return self.find_user(user.username)
