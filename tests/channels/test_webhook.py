"""SMS / generic webhook: signed bodies are taken in once; unsigned or badly signed calls are
refused with 401, counted, and visible to administrators."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from channels.webhook import PayloadError, sign, verify
from domain.directory import Role
from projections.intake import IntakeProjection
from tests.helpers import user_with_role

SECRET = "sms-gateway-shared-secret-0123456789"
URL = "/channels/webhook/sms"


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-SMC-Signature": sign(secret, body), "Content-Type": "application/json"}


def message(**kw: object) -> bytes:
    data: dict[str, object] = {
        "id": "msg-1001",
        "text": "은평구 연신내역 3번 출구 앞 맨홀 뚜껑이 들려 있어요",
        "from": "+821012345678",
    }
    data.update(kw)
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture
def configured(container: Container) -> Container:
    container.settings.webhook_secrets = {"sms": SECRET}
    return container


def test_signed_message_is_taken_in_once_and_the_number_stays_private(
    client: TestClient, configured: Container
) -> None:
    body = message(lat=37.6190, lon=126.9210, received_at="2026-07-14T09:58:00+09:00")
    first = client.post(URL, content=body, headers=signed(body))
    assert first.status_code == 202, first.text
    assert first.json()["new"] is True and first.json()["source_id"] == "msg-1001"
    again = client.post(URL, content=body, headers=signed(body))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    configured.views.wait(again.json()["position"])
    [posting] = configured.views.get(IntakeProjection).postings(channel="sms")
    assert posting["text"].startswith("은평구 연신내역")
    assert (posting["lat"], posting["lon"]) == (37.619, 126.921)
    assert posting["created_at"] == "2026-07-14T09:58:00+09:00"
    assert "+8210" not in json.dumps(posting)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-SMC-Signature": "sha256=" + "0" * 64},
        {"X-SMC-Signature": "md5=abc"},
        {"X-SMC-Signature": sign("another-secret", message())},
    ],
    ids=["unsigned", "wrong", "malformed", "other-key"],
)
def test_bad_signatures_are_refused_counted_and_recorded(
    client: TestClient, configured: Container, headers: dict[str, str]
) -> None:
    refused = client.post(URL, content=message(), headers=headers)
    assert refused.status_code == 401
    assert "X-SMC-Signature" in refused.json()["detail"]
    assert configured.views.get(IntakeProjection).postings(channel="sms") == []
    admin = user_with_role(client, configured, Role.ADMIN)
    status = client.get("/api/intake/webhooks", headers=admin).json()
    assert status["refused_since_start"]["sms"]["refused"] == 1
    assert status["sources"] == ["sms"]
    configured.views.wait(configured.store.head())
    status = client.get("/api/intake/webhooks", headers=admin).json()
    assert status["refusals_recorded"] == {"sms": 1}
    [rejection] = client.get("/api/intake/rejections", headers=admin).json()
    assert rejection["reason"].startswith("refused webhook call: ")
    assert client.get("/api/intake/webhooks").status_code == 401


def test_unknown_sources_and_bad_payloads(client: TestClient, configured: Container) -> None:
    body = message()
    assert (
        client.post("/channels/webhook/kakao", content=body, headers=signed(body)).status_code
        == 404
    )
    for bad, why in [
        (b"{not json", "not JSON"),
        (json.dumps({"text": "no id"}).encode(), "id must"),
        (message(lat=37.5), "both lat and lon"),
        (message(received_at="2026-07-14T09:58:00"), "time zone"),
        (message(lat=99.0, lon=1.0), "rejected"),
    ]:
        response = client.post(URL, content=bad, headers=signed(bad))
        assert response.status_code == 422 and why in response.json()["detail"], bad
    big = b"x" * (64 * 1024 + 1)
    assert client.post(URL, content=big, headers=signed(big)).status_code == 413


def test_verify_is_strict() -> None:
    body = b'{"id": 1}'
    good = sign("k", body)
    assert verify("k", body, good) is None
    assert verify("k", body, good.upper().replace("SHA256=", "sha256=")) is None
    assert verify("k", body + b" ", good) == "signature does not match"
    assert verify("k", body, None) == "missing signature"
    assert PayloadError("x").args == ("x",)
