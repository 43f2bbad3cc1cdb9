"""Sign-in: bearer tokens for the API."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import ContainerDep, PrincipalDep, anyone
from api.schemas import TokenRequest, TokenResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])


def authenticate(container: ContainerDep, username: str, password: str) -> TokenResponse | None:
    user = container.directory.find_user(username)
    if user is None or not user.active:
        container.passwords.verify(_DUMMY_HASH, password)  # same cost whether or not user exists
        return None
    if not container.passwords.verify(user.password_hash, password):
        return None
    token = container.tokens.issue(user.id)
    return TokenResponse(access_token=token, role=user.role, username=user.username)


# A hash of nothing, verified for unknown users so that they cost the same time as known ones.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$LQyqZLYG+b43pSw0RTBRrQ$"
    "4VGRDX+B0pihPiu8GQAJKSHwHEnDv0ajdBfDDjNAitQ"
)


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={401: {"description": "wrong user name or password"}},
    dependencies=[anyone()],
)
def token(body: TokenRequest, container: ContainerDep) -> TokenResponse:
    result = authenticate(container, body.username, body.password)
    if result is None:
        raise HTTPException(401, "wrong user name or password")
    return result


@router.get("/me")
def me(who: PrincipalDep) -> dict[str, str | None]:
    return {
        "username": who.username or None,
        "role": who.role.value,
        "display_name": who.display_name or None,
    }
