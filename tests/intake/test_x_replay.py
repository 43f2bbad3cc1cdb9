"""Replaying every shared X API file twice: nothing twice, echoes as echoes, one rejection."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo
from channels.x.replay import replay_file
from domain.intake_service import IntakeResult
from projections.intake import IntakeProjection
from tests.shared_data import shared

FILES = [
    "twarc-csv_geo_tweets.jsonl",
    "twarc-csv_noflat.jsonl",
    "twarc-csv_streaming_output_with_error.jsonl",
    "twarc-csv_two_tweets.jsonl",
]
SECRET = b"test-author-key"


def replay_all(container: Container) -> IntakeResult:
    total = IntakeResult()
    for name in FILES:
        total.add(
            replay_file(
                shared("x-api", name), container.intake, author_key_secret=SECRET, batch_size=37
            )
        )
    return total


def test_replaying_every_file_twice_stores_each_item_once(
    client: TestClient, container: Container
) -> None:
    first = replay_all(container)
    assert first.new == 62 and first.retweets == 48 and first.rejected == 1
    head = container.store.head()
    second = replay_all(container)
    assert second.new == 0 and second.duplicates == 62 and second.rejected == 1
    assert container.store.head() == head  # not one event more
    container.views.wait(head)
    view = container.views.get(IntakeProjection)
    counts = view.counts()
    assert counts["postings"] == 62
    assert counts["echoes"] == 48
    assert counts["rejections"] == 1
    reason = view.rejections()[0]["reason"]
    assert "line 8" in reason and "JSON" in reason


def test_postings_show_account_hashtags_and_location(
    client: TestClient, container: Container
) -> None:
    load_demo(container)
    container.views.wait(container.store.head())
    admin = bearer_demo(client, "admin")
    demo_ids = {p["id"] for p in client.get("/api/postings?limit=500", headers=admin).json()}
    replay_all(container)
    container.views.wait(container.store.head())
    everything = client.get("/api/postings?limit=500&channel=x", headers=admin).json()
    listed = [p for p in everything if not p["source_id"].startswith("demo")]
    listed = [p for p in listed if p["id"] not in demo_ids]
    assert len(listed) == 62
    located = [p for p in listed if p["lat"] is not None or p["place_name"]]
    assert located, "the geo file has located tweets"
    tagged = [p for p in listed if p["hashtags"]]
    assert tagged and all(t.startswith("#") for p in tagged for t in p["hashtags"])
    one = client.get(f"/api/postings/{listed[0]['id']}", headers=admin).json()
    assert one["source_id"] == listed[0]["source_id"]
    page = client.get("/admin/intake", headers=admin)
    assert page.status_code == 200
    assert 'id="count-rejections">1<' in page.text
    shown = client.get("/admin/intake?channel=x", headers=admin)
    assert shown.text.count("<tr>") >= 62
    assert client.get("/api/postings").status_code == 401


def bearer_demo(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_watched_hashtags_are_events_changed_by_admin(
    client: TestClient, container: Container
) -> None:
    load_demo(container)
    admin = bearer_demo(client, "admin")
    r = client.post(
        "/api/intake/hashtags", headers=admin, json={"hashtag": "#서울호우", "purpose": "incident"}
    )
    assert r.status_code == 201
    tags = client.get(f"/api/intake/hashtags?after={r.json()['position']}").json()
    assert tags == [{"hashtag": "#서울호우", "purpose": "incident"}]
    assert container.intake.watched() == {"#서울호우": "incident"}
    gone = client.delete("/api/intake/hashtags/%23서울호우", headers=admin)
    assert gone.status_code == 200
    assert client.get(f"/api/intake/hashtags?after={gone.json()['position']}").json() == []
    missing = client.delete("/api/intake/hashtags/%23없음", headers=admin)
    assert missing.status_code == 404
    bad = client.post("/api/intake/hashtags", headers=admin, json={"hashtag": "two words"})
    assert bad.status_code == 422
    official = bearer_demo(client, "kim.official")
    assert (
        client.post("/api/intake/hashtags", headers=official, json={"hashtag": "#x1"}).status_code
        == 403
    )
