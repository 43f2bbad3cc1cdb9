"""``/ws/lifeline`` refuses browser pages of other origins (close 1008 with a reason, counted)
and lets in its own origin, configured origins and clients that send no Origin at all."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.ws_origin import REFUSED_CODE, REFUSED_REASON, normalise, origin_allowed
from tests.lifeline.test_lifeline_ws import receive

HELLO = {"type": "hello", "since": None}


def _snapshot_with(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    with client.websocket_connect("/ws/lifeline", headers=headers) as ws:
        ws.send_json(HELLO)
        return receive(ws)


def test_same_origin_configured_origins_and_no_origin_get_the_feed(
    client: TestClient, container: Container
) -> None:
    container.settings.ws_allowed_origins = ["https://lifeline.seoul.go.kr"]
    for headers in (
        {},  # not a browser
        {"origin": "http://testserver"},  # the host the client connected to
        {"origin": "https://testserver"},  # the same host behind a TLS proxy
        {"origin": "http://127.0.0.1:8000"},  # SMC_PUBLIC_BASE_URL
        {"origin": "HTTPS://Lifeline.Seoul.go.kr:443"},  # configured, spelled otherwise
    ):
        assert _snapshot_with(client, headers)["type"] == "snapshot", headers
    assert container.lifeline_hub is not None and container.lifeline_hub.refused_origins == 0


def test_other_origins_are_refused_with_a_clear_close_and_counted(
    client: TestClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    hub = container.lifeline_hub
    assert hub is not None
    refused = ["https://evil.example", "null", "http://testserver.evil.example", "file://"]
    for origin in refused:
        with client.websocket_connect("/ws/lifeline", headers={"origin": origin}) as ws:
            message = ws.receive()
            assert message["type"] == "websocket.close", origin
            assert message["code"] == REFUSED_CODE and message["reason"] == REFUSED_REASON
    assert hub.refused_origins == len(refused)
    assert "refused a cross-origin WebSocket from 'https://evil.example'" in caplog.text
    assert not hub.clients


def test_origin_rules() -> None:
    assert normalise("http://Example.org:80/") == "http://example.org"
    assert normalise("https://example.org:8443") == "https://example.org:8443"
    assert normalise("null") is None and normalise("http://[::1]:99999") is None
    assert origin_allowed(None, "smc.example", [])
    assert origin_allowed("https://smc.example", "smc.example", [])
    assert origin_allowed("http://[::1]:8000", "[::1]:8000", [])
    assert not origin_allowed("https://smc.example:8443", "smc.example", [])
    assert not origin_allowed("https://a.example", "smc.example", ["https://b.example"])
    assert origin_allowed("https://b.example", "smc.example", ["https://b.example/"])
    assert not origin_allowed("https://b.example", "", ["not a url"])
