"""Departments, district offices, channel accounts and users."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.deps import ContainerDep, PrincipalDep, allow
from api.routes.system import AfterQuery, wait_for
from api.schemas import AccountIn, DepartmentIn, DistrictIn, RoleIn, UserIn, Written
from domain.context import Cause
from domain.directory import Role
from projections.directory import DirectoryProjection

router = APIRouter(prefix="/api", tags=["directory"])
ADMIN = allow(Role.ADMIN)
CREATED = status.HTTP_201_CREATED
VIEW = ["directory"]


def _written(result: Any) -> Written:
    return Written(id=str(result.id), position=result.position)


@router.get("/departments")
def departments(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(DirectoryProjection).departments()


@router.post("/departments", status_code=CREATED, response_model=Written, dependencies=[ADMIN])
def add_department(body: DepartmentIn, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.directory.register_department(
        Cause(who.actor), body.code, body.name_ko, body.name_en
    )
    return _written(result)


@router.get("/districts")
def districts(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(DirectoryProjection).districts()


@router.post("/districts", status_code=CREATED, response_model=Written, dependencies=[ADMIN])
def add_district(body: DistrictIn, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.directory.register_district(
        Cause(who.actor), body.code, body.name_ko, body.name_en
    )
    return _written(result)


@router.get("/accounts")
def accounts(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(DirectoryProjection).accounts()


@router.post("/accounts", status_code=CREATED, response_model=Written, dependencies=[ADMIN])
def add_account(body: AccountIn, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.directory.register_account(
        Cause(who.actor),
        channel=body.channel,
        handle=body.handle,
        department_code=body.department_code,
        monitored=body.monitored,
        warnings=body.warnings,
    )
    return _written(result)


@router.get("/users", dependencies=[allow(Role.ADMIN, Role.AUDITOR)])
def users(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(DirectoryProjection).users()


@router.post("/users", status_code=CREATED, response_model=Written, dependencies=[ADMIN])
def add_user(body: UserIn, container: ContainerDep, who: PrincipalDep) -> Written:
    password_hash = container.passwords.hash(body.password)
    result = container.directory.add_user(
        Cause(who.actor),
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password_hash=password_hash,
    )
    return _written(result)


@router.post("/users/{username}/role", response_model=Written, dependencies=[ADMIN])
def change_role(username: str, body: RoleIn, container: ContainerDep, who: PrincipalDep) -> Written:
    return _written(container.directory.change_role(Cause(who.actor), username, body.role))


@router.post("/users/{username}/deactivate", response_model=Written, dependencies=[ADMIN])
def deactivate(username: str, container: ContainerDep, who: PrincipalDep) -> Written:
    return _written(container.directory.deactivate_user(Cause(who.actor), username))
