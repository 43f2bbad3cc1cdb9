"""The public report form: works without JavaScript, keeps what was typed on every error,
checks photos by their bytes, is CSRF-protected and rate-limited."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.bootstrap import Container
from projections.intake import IntakeProjection

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = "망원동 골목 하수구 뚜껑이 깨져 있어 위험합니다 <script>x</script>"


def token(client: TestClient, lang: str = "ko") -> str:
    page = client.get(f"/report?lang={lang}")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def send(client: TestClient, files: dict[str, tuple[str, bytes, str]] | None = None, **kw: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client), "text": TEXT, "lat": "37.5556", "lon": "126.9019"}
    data.update(kw)
    return client.post("/report", data=data, files=files or {}, follow_redirects=False)


def test_form_renders_in_both_languages_without_javascript(client: TestClient) -> None:
    ko = client.get("/report?lang=ko").text
    assert "민원 신고" in ko and 'enctype="multipart/form-data"' in ko and 'method="post"' in ko
    assert 'id="report-locate" hidden' in ko  # the location button appears only with JS
    en = client.get("/report?lang=en").text
    assert "Report a problem" in en and "Illegal parking" in en
    assert 'href="/report"' in client.get("/").text


def test_report_with_photo_gets_a_reference_and_is_taken_in(
    client: TestClient, container: Container
) -> None:
    files = {"photo": ("drain.png", PNG, "image/png")}
    sent = send(client, files, email="me@example.kr", service_code="flooding", address="망원동")
    assert sent.status_code == 303, sent.text
    target = sent.headers["location"]
    ref = target.split("ref=")[1]
    assert re.fullmatch(r"W-\d{8}-[0-9A-F]{8}", ref)
    assert ref in client.get(target).text
    [row] = client.get(f"/open311/v2/requests/{ref}.json").json()
    assert row["service_code"] == "flooding" and row["description"] == TEXT
    assert row["media_url"].startswith("http://testserver/media/")
    photo = client.get(row["media_url"])
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    [posting] = container.views.get(IntakeProjection).postings(channel="web")
    assert posting["source_id"] == ref and (posting["lat"], posting["lon"]) == (37.5556, 126.9019)
    assert "me@example.kr" not in str(posting) + str(row)


def test_bad_input_returns_the_form_with_everything_typed(
    client: TestClient, container: Container
) -> None:
    cases = [
        ({"lat": "north", "lon": "1"}, None, "위도와 경도는"),
        ({"lat": "37.5", "lon": ""}, None, "위도와 경도는"),
        ({"email": "not-an-address"}, None, "이메일 주소 형식"),
        ({"service_code": "unicorns"}, None, "목록에 있는 분야"),
        ({}, {"photo": ("x.jpg", b"GIF89a" + b"\x00" * 20, "image/jpeg")}, "JPEG, PNG, WebP만"),
        ({}, {"photo": ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")}, "5 MB보다"),
    ]
    for fields, files, message in cases:
        page = send(client, files, address="망원동 381-1", **fields)
        assert page.status_code == 422, (fields, page.status_code)
        assert message in page.text
        assert "망원동 골목 하수구 뚜껑이 깨져 있어 위험합니다 &lt;script&gt;" in page.text
        assert 'value="망원동 381-1"' in page.text
    empty = send(client, text="   ")
    assert empty.status_code == 422 and "내용을 입력해 주세요" in empty.text
    uploads = Path(container.settings.data_dir) / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    assert container.views.get(IntakeProjection).postings(channel="web") == []


def test_missing_or_wrong_csrf_keeps_the_text_and_gives_a_fresh_token(client: TestClient) -> None:
    token(client)
    page = client.post("/report", data={"text": TEXT, "csrf_token": "forged"})
    assert page.status_code == 400
    assert "다시 눌러 주세요" in page.text and "망원동 골목 하수구" in page.text
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert fresh is not None
    again = client.post(
        "/report", data={"text": TEXT, "csrf_token": fresh.group(1)}, follow_redirects=False
    )
    assert again.status_code == 303


def test_the_form_is_rate_limited_per_client(client: TestClient, container: Container) -> None:
    container.settings.open311_rate_limit = 2
    assert send(client).status_code == 303
    assert send(client).status_code == 303
    refused = send(client)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "한 시간에" in refused.text and "망원동 골목 하수구" in refused.text


def test_media_names_are_checked(client: TestClient) -> None:
    assert client.get("/media/..%2Fsmc.sqlite").status_code == 404
    assert client.get("/media/not-a-real-name.png").status_code == 404


def test_reports_show_on_the_admin_intake_page(client: TestClient, container: Container) -> None:
    from domain.directory import Role
    from tests.helpers import user_with_role

    assert send(client).status_code == 303
    admin = user_with_role(client, container, Role.ADMIN)
    page = client.get("/admin/intake?channel=web", headers=admin)
    assert page.status_code == 200 and "망원동 골목 하수구" in page.text
    assert 'id="report-map"' in client.get("/report").text
