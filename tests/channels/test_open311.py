"""Open311 GeoReport v2: the spec's fields and element names, JSON and XML, errors, limits,
and real NYC 311 rows posted and read back."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from channels.open311 import REQUEST_FIELDS, SERVICE_FIELDS, services
from domain.clock import FixedClock
from tests.shared_data import shared

BASE = "/open311/v2"
CONTACT = {"email": "citizen@example.kr", "first_name": "길동", "last_name": "홍"}
NYC_TYPES = {
    "Street Condition": "road_damage",
    "Highway Condition": "road_damage",
    "Sidewalk Condition": "sidewalk",
    "Curb Condition": "sidewalk",
    "Noise - Residential": "noise",
    "Noise - Commercial": "noise",
    "Noise - Vehicle": "noise",
    "Blocked Driveway": "illegal_parking",
    "Illegal Parking": "illegal_parking",
    "Derelict Vehicle": "illegal_parking",
    "Damaged Tree": "tree_park",
    "Overgrown Tree/Branches": "tree_park",
    "Street Sign - Missing": "traffic_signal",
    "Street Sign - Damaged": "traffic_signal",
    "Street Sign - Dangling": "traffic_signal",
    "Indoor Air Quality": "environment",
    "Food Establishment": "public_health",
}


def report(**kw: str) -> dict[str, str]:
    form = {
        "service_code": "streetlight",
        "lat": "37.5665",
        "long": "126.9780",
        "address_string": "서울 중구 세종대로 110",
        "description": "시청 앞 가로등이 꺼져 있어요",
        **CONTACT,
        "phone": "010-1234-5678",
    }
    form.update(kw)
    return form


def xml(response: Any) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def test_services_json_and_xml_have_the_spec_fields(client: TestClient) -> None:
    body = client.get(f"{BASE}/services.json?lang=en").json()
    assert len(body) == len(services()) >= 15
    assert all(tuple(s) == SERVICE_FIELDS for s in body)
    names = {s["service_code"]: s["service_name"] for s in body}
    assert names["illegal_parking"] == "Illegal parking"
    ko = client.get(f"{BASE}/services.json?lang=ko").json()
    assert {s["service_code"]: s["service_name"] for s in ko}["illegal_parking"] == "불법 주정차"
    response = client.get(f"{BASE}/services.xml")
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = xml(response)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None and [c.tag for c in first] == list(SERVICE_FIELDS)
    assert client.get(f"{BASE}/services.yaml").status_code == 404


def test_post_then_get_has_every_spec_field_and_no_contact(
    client: TestClient, container: Container
) -> None:
    created = client.post(f"{BASE}/requests.json", data=report())
    assert created.status_code == 200, created.text
    [answer] = created.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    rid = answer["service_request_id"]
    assert rid.startswith("311-2026")
    got = client.get(f"{BASE}/requests/{rid}.json?lang=en")
    [row] = got.json()
    assert tuple(row) == REQUEST_FIELDS
    assert row["status"] == "open" and row["service_code"] == "streetlight"
    assert row["service_name"] == "Streetlight out"
    assert (row["lat"], row["long"]) == (37.5665, 126.978)
    assert row["address"] == "서울 중구 세종대로 110"
    assert row["requested_datetime"] == "2026-07-14T10:00:00+09:00"
    assert row["status_notes"] is None  # nothing is published yet
    if row["expected_datetime"] is not None:  # triage classified it: its case has a deadline
        assert datetime.fromisoformat(row["expected_datetime"]) > datetime.fromisoformat(
            row["requested_datetime"]
        )
    as_xml = client.get(f"{BASE}/requests/{rid}.xml")
    assert as_xml.headers["content-type"].startswith("text/xml")
    request_el = xml(as_xml).find("request")
    assert request_el is not None and [c.tag for c in request_el] == list(REQUEST_FIELDS)
    assert request_el.findtext("service_request_id") == rid
    for text in (got.text, as_xml.text, client.get(f"{BASE}/requests.json").text):
        assert "citizen@example.kr" not in text and "010-1234" not in text and "길동" not in text
    assert client.get(f"{BASE}/requests/311-nope.json").json()[0]["code"] == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"service_code": "unicorns"}, "not a service"),
        ({"lat": "", "long": "", "address_string": ""}, "lat and long, or address_string"),
        ({"lat": "91", "long": "0"}, "latitude must be within"),
        ({"lat": "37.5", "long": ""}, "both latitude and longitude"),
        ({"description": "x" * 4001}, "longer than 4000"),
        ({"description": "", "media_url": ""}, "description or media_url"),
        ({"media_url": "javascript:alert(1)"}, "media_url must be"),
    ],
)
def test_bad_requests_get_spec_errors(
    client: TestClient, form: dict[str, str], message: str
) -> None:
    response = client.post(f"{BASE}/requests.json", data=report(**form))
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and message in error["description"]
    as_xml = client.post(f"{BASE}/requests.xml", data=report(**form))
    root = xml(as_xml)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert message in (root.findtext("error/description") or "")


def test_anonymous_posts_are_rate_limited_per_client(
    client: TestClient, container: Container
) -> None:
    container.settings.open311_rate_limit = 3
    for _ in range(3):
        assert client.post(f"{BASE}/requests.json", data=report()).status_code == 200
    refused = client.post(f"{BASE}/requests.json", data=report())
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 3000
    assert "at most 3 per hour" in refused.json()[0]["description"]


def test_api_key_is_required_when_the_city_sets_keys(
    client: TestClient, container: Container
) -> None:
    container.settings.open311_api_keys = ["partner-key-1"]
    refused = client.post(f"{BASE}/requests.json", data=report())
    assert refused.status_code == 403 and "api_key" in refused.json()[0]["description"]
    wrong = client.post(f"{BASE}/requests.json", data=report(api_key="guess"))
    assert wrong.status_code == 403
    ok = client.post(f"{BASE}/requests.json", data=report(api_key="partner-key-1"))
    assert ok.status_code == 200


def nyc_rows(n: int) -> list[dict[str, str]]:
    path = shared("complaints", "nyc311_2011_shared70.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Latitude"] and r["Complaint Type"] in NYC_TYPES]
    return rows[:n]


def test_real_nyc_311_rows_round_trip_with_filters(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    container.settings.open311_rate_limit = 1000
    sent: dict[str, dict[str, str]] = {}
    for i, row in enumerate(nyc_rows(40)):
        if i == 20:
            clock.advance(timedelta(days=2))
        form = {
            "service_code": NYC_TYPES[row["Complaint Type"]],
            "lat": row["Latitude"],
            "long": row["Longitude"],
            "address_string": row["Incident Address"],
            "description": f"{row['Complaint Type']}: {row['Descriptor']}",
        }
        response = client.post(f"{BASE}/requests.json", data=form)
        assert response.status_code == 200, response.text
        sent[response.json()[0]["service_request_id"]] = form
    assert len(sent) == 40
    everything = client.get(f"{BASE}/requests.json").json()
    assert {r["service_request_id"] for r in everything} == set(sent)
    for row in everything:
        form = sent[row["service_request_id"]]
        assert row["description"] == form["description"]
        assert row["service_code"] == form["service_code"]
        assert row["lat"] == pytest.approx(float(form["lat"]))
        assert row["long"] == pytest.approx(float(form["long"]))
        assert row["agency_responsible"]
    noise = client.get(f"{BASE}/requests.json?service_code=noise,tree_park").json()
    expected = {k for k, f in sent.items() if f["service_code"] in ("noise", "tree_park")}
    assert {r["service_request_id"] for r in noise} == expected
    later = client.get(f"{BASE}/requests.json?start_date=2026-07-15T00:00:00%2B09:00").json()
    assert len(later) == 20
    earlier = client.get(f"{BASE}/requests.json?end_date=2026-07-15T00:00:00Z").json()
    assert len(earlier) == 20
    picked = list(sent)[:3]
    by_id = client.get(f"{BASE}/requests.json?service_request_id={','.join(picked)}").json()
    assert {r["service_request_id"] for r in by_id} == set(picked)
    assert client.get(f"{BASE}/requests.json?status=closed").json() == []
    bad = client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and "start_date" in bad.json()[0]["description"]
