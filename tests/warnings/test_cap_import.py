"""CAP in: all 15 valid shared files import, wrapped alerts each import, invalid ones refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.directory import Role
from projections.warnings import WarningsProjection
from tests.helpers import user_with_role
from tests.shared_data import shared


def _post(client: TestClient, auth: dict[str, str], data: bytes) -> object:
    headers = {**auth, "content-type": "application/cap+xml"}
    return client.post("/api/cap/import", content=data, headers=headers)


def test_all_valid_files_import_once_and_invalid_ones_are_refused(
    client: TestClient, container: Container
) -> None:
    desk = user_with_role(client, container, Role.DESK)
    files = sorted(shared("cap", "valid").glob("*.xml"))
    assert len(files) == 15
    imported = 0
    for f in files:
        r = _post(client, desk, f.read_bytes())
        assert r.status_code == 201, (f.name, r.text)  # type: ignore[attr-defined]
        imported += len(r.json()["imported"])  # type: ignore[attr-defined]
    assert imported == 15
    again = _post(client, desk, files[0].read_bytes())
    assert again.json()["duplicates"] and not again.json()["imported"]  # type: ignore[attr-defined]
    wrapped = shared("cap", "edge", "se-smhi_multiple-alerts-wrapped-in-alerts-root.xml")
    r = _post(client, desk, wrapped.read_bytes())
    assert r.status_code == 201 and len(r.json()["imported"]) > 1  # type: ignore[attr-defined]
    for f in sorted(shared("cap", "invalid").glob("*.xml")):
        r = _post(client, desk, f.read_bytes())
        assert r.status_code == 422, f.name  # type: ignore[attr-defined]
        assert "refused at stage" in r.json()["detail"]  # type: ignore[attr-defined]
    assert _post(client, desk, b"<a>" + b" " * 1_100_000).status_code == 413  # type: ignore[attr-defined]
    container.views.wait(container.store.head(), ["warnings"], timeout=60)
    assert len(container.views.get(WarningsProjection).external(500)) >= 16
