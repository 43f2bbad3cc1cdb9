"""Small helpers shared by tests: users with a role, and their bearer headers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting, Posting

PASSWORD = "correct horse battery"


def add_user(container: Container, username: str, role: Role) -> None:
    container.directory.add_user(
        Cause("system:test"),
        username=username,
        display_name=username,
        role=role,
        password_hash=container.passwords.hash(PASSWORD),
    )


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_with_role(client: TestClient, container: Container, role: Role) -> dict[str, str]:
    name = f"u-{role.value}".replace("_", "-")
    if container.directory.find_user(name) is None:
        add_user(container, name, role)
    return bearer(client, name)


def store_posting(container: Container, item: IncomingPosting) -> None:
    """Store a posting without intake's triage and routing (so no case is opened for it):
    for tests that drive the ledger by hand."""
    commands = container.commands
    commands.run(Cause("system:test"), lambda: commands.save(Posting.receive(item)))


def seed_warning_desk(
    container: Container,
    accounts: int | Sequence[tuple[str, str]],
    desk: str = "desk1",
    approver: str = "appr1",
) -> None:
    """One department owning the accounts that publish warnings — ``accounts`` X accounts
    (gu00, gu01, …) or the given (channel, handle) pairs — a desk officer and an approver:
    the set-up of every fan-out test and benchmark."""
    who = Cause("system:test")
    container.directory.register_department(who, "SMC", "소셜미디어센터", "SMC")
    pairs = (
        [("x", f"gu{i:02d}") for i in range(accounts)] if isinstance(accounts, int) else accounts
    )
    for channel, handle in pairs:
        container.directory.register_account(
            who,
            channel=channel,
            handle=handle,
            department_code="SMC",
            monitored=False,
            warnings=True,
        )
    add_user(container, desk, Role.DESK)
    add_user(container, approver, Role.APPROVER)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(
    client: TestClient, username: str, page: str = "/?lang=en", password: str = PASSWORD
) -> str:
    """Sign in through the login form (as a browser would, cookies cleared first) and return
    the CSRF token of ``page`` (its ``lang`` also sets the language cookie)."""
    client.cookies.clear()
    token = CSRF.search(client.get("/login").text)
    assert token
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    csrf = CSRF.search(client.get(page).text)
    assert csrf
    return csrf.group(1)
