"""Request and response models of the JSON API (strict: no silent coercion)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.directory import Role

LaxRole = Annotated[Role, Field(strict=False)]  # enums arrive as JSON strings


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Written(BaseModel):
    """What every command returns: what it changed and the log position it reached."""

    id: str
    position: int


class TokenRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    role: Role
    username: str


class DepartmentIn(Strict):
    code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    name_ko: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)


class DistrictIn(Strict):
    code: str = Field(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z_-]+$")
    name_ko: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)


class AccountIn(Strict):
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    handle: str = Field(min_length=1, max_length=100)
    department_code: str = Field(min_length=1, max_length=16)
    monitored: bool = True
    warnings: bool = False


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    display_name: str = Field(default="", max_length=100)
    role: LaxRole
    password: str = Field(min_length=8, max_length=256)


class RoleIn(Strict):
    role: LaxRole


class ProjectionOut(BaseModel):
    name: str
    position: int
    lag: int
    error: str | None


class Health(BaseModel):
    status: str
    backend: str
    head: int
    projections: list[ProjectionOut]
