"""Shared steps for warning tests: users, a draft, lifecycle calls, CAP validation."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.testclient import TestClient
from lxml import etree

from api.bootstrap import Container
from channels.cap.validate import XSD_PATH
from domain.directory import Role
from tests.helpers import user_with_role

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def assert_valid_cap(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    schema().assertValid(doc)
    return doc


def draft_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "playbook_id": "heavy_rain",
        "stage_id": "advisory",
        "status": "Actual",
        "area": {"kind": "districts", "districts": ["11110", "11140"]},
    }
    body.update(over)
    return body


class Desk:
    """A desk user and an approver working one warning through the API."""

    def __init__(self, client: TestClient, container: Container) -> None:
        self.client = client
        self.desk = user_with_role(client, container, Role.DESK)
        self.approver = user_with_role(client, container, Role.APPROVER)
        self.position = 0

    def post(self, path: str, who: dict[str, str], json: Any = None, code: int = 200) -> Any:
        r = self.client.post(path, json=json, headers=who)
        assert r.status_code == code, r.text
        body = r.json()
        self.position = max(self.position, int(body.get("position", 0)))
        return body

    def draft(self, **over: Any) -> str:
        return str(self.post("/api/warnings", self.desk, draft_body(**over), 201)["id"])

    def issue(self, **over: Any) -> str:
        wid = self.draft(**over)
        self.post(f"/api/warnings/{wid}/submit", self.desk)
        self.post(f"/api/warnings/{wid}/approve", self.approver)
        return wid

    def detail(self, wid: str) -> Any:
        r = self.client.get(f"/api/warnings/{wid}?after={self.position}", headers=self.approver)
        assert r.status_code == 200, r.text
        return r.json()

    def get(self, path: str) -> Any:
        sep = "&" if "?" in path else "?"
        return self.client.get(f"{path}{sep}after={self.position}")
