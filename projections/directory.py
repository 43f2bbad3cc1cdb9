"""Directory read model: departments, district offices, channel accounts, users."""

from __future__ import annotations

from typing import Any

import domain.directory  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx


class DirectoryProjection(SmcProjection):
    name = "directory"
    tables = ("dir_departments", "dir_districts", "dir_accounts", "dir_users")
    ddl = (
        "CREATE TABLE IF NOT EXISTS dir_departments (id TEXT PRIMARY KEY, code TEXT NOT NULL,"
        " name_ko TEXT NOT NULL, name_en TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS dir_districts (id TEXT PRIMARY KEY, code TEXT NOT NULL,"
        " name_ko TEXT NOT NULL, name_en TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS dir_accounts (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
        " handle TEXT NOT NULL, department_code TEXT NOT NULL, monitored INTEGER NOT NULL,"
        " warnings INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS dir_users (id TEXT PRIMARY KEY, username TEXT NOT NULL,"
        " display_name TEXT NOT NULL, role TEXT NOT NULL, active INTEGER NOT NULL,"
        " position BIGINT NOT NULL)",
    )

    @handles("Department.Registered", "Department.Renamed")
    def _department(self, e: Any, tx: ViewTx, position: int) -> None:
        code = getattr(e, "code", None)
        tx.execute(
            "INSERT INTO dir_departments VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " name_ko = excluded.name_ko, name_en = excluded.name_en, position = excluded.position",
            [str(e.originator_id), code or "", e.name_ko, e.name_en, position],
        )

    @handles("DistrictOffice.Registered")
    def _district(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO dir_districts VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id), e.code, e.name_ko, e.name_en, position],
        )

    @handles("ChannelAccount.Registered")
    def _account(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO dir_accounts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.channel,
                e.handle,
                e.department_code,
                int(e.monitored),
                int(e.warnings),
                position,
            ],
        )

    @handles("User.Added")
    def _user_added(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO dir_users VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id), e.username, e.display_name, e.role, position],
        )

    @handles("User.RoleChanged")
    def _role_changed(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE dir_users SET role = ?, position = ? WHERE id = ?",
            [e.role, position, str(e.originator_id)],
        )

    @handles("User.Deactivated")
    def _deactivated(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE dir_users SET active = 0, position = ? WHERE id = ?",
            [position, str(e.originator_id)],
        )

    # -- queries ---------------------------------------------------------------------------
    def departments(self) -> list[Row]:
        return self.query("SELECT code, name_ko, name_en FROM dir_departments ORDER BY code")

    def districts(self) -> list[Row]:
        return self.query("SELECT code, name_ko, name_en FROM dir_districts ORDER BY code")

    def accounts(self) -> list[Row]:
        return self.query(
            "SELECT channel, handle, department_code, monitored, warnings FROM dir_accounts"
            " ORDER BY channel, handle"
        )

    def users(self) -> list[Row]:
        return self.query(
            "SELECT username, display_name, role, active FROM dir_users ORDER BY username"
        )
