"""Shared steps for LIFELINE tests: a desk user opening incidents and posting updates."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.directory import Role
from tests.helpers import user_with_role

GWANAK, DONGJAK, SEOCHO = "11620", "11590", "11650"


class DeskApi:
    def __init__(self, client: TestClient, container: Container) -> None:
        self.client = client
        self.container = container
        self.desk = user_with_role(client, container, Role.DESK)
        self.position = 0

    def post(self, path: str, body: Any = None, code: int = 200) -> Any:
        r = self.client.post(path, json=body, headers=self.desk)
        assert r.status_code == code, r.text
        out = r.json()
        self.position = max(self.position, int(out.get("position", 0)))
        return out

    def open(self, status: str = "Actual", **over: Any) -> str:
        body = {
            "playbook_id": "heavy_rain",
            "title_ko": "7월 집중호우",
            "title_en": "July heavy rain",
            "districts": [GWANAK, DONGJAK],
            "status": status,
            "hashtags": ["#서울호우"],
            **over,
        }
        return str(self.post("/api/lifeline/incidents", body, 201)["id"])

    def casualty(self, iid: str, district: str = GWANAK, **over: Any) -> Any:
        body = {"district": district, "figures": {"dead": 1}, "source": "police", "verified": True}
        body.update(over)
        return self.post(f"/api/lifeline/incidents/{iid}/casualties", body)

    def damage(self, iid: str, district: str = GWANAK, **over: Any) -> Any:
        body = {"district": district, "figures": {"houses_flooded": 10}, "source": "official"}
        body.update(over)
        return self.post(f"/api/lifeline/incidents/{iid}/damage", body)

    def get(self, path: str) -> Any:
        sep = "&" if "?" in path else "?"
        r = self.client.get(f"{path}{sep}after={self.position}", headers=self.desk)
        assert r.status_code == 200, r.text
        return r

    def detail(self, iid: str) -> Any:
        return self.get(f"/api/lifeline/incidents/{iid}").json()
