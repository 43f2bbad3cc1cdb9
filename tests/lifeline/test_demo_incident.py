"""The demo incident: loaded once with `smc demo`, a living page with figures from several
sources, superseded revisions not double-counted, reports and missing persons."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import load_demo
from api.demo_lifeline import KEY, load_lifeline_demo
from domain.incident_service import IncidentService


def test_demo_incident_is_alive_and_loads_once(client: TestClient, container: Container) -> None:
    report = load_demo(container)
    assert load_lifeline_demo(container) == 0  # already there
    container.views.wait(report.position, timeout=60)
    iid = str(IncidentService.incident_id(KEY))
    detail = client.get(f"/api/lifeline/incidents/{iid}?after={report.position}").json()
    totals = detail["figures"]["totals"]
    # Gwanak police revised 1 dead / 2 injured to 2 / 5: only the revision counts
    assert totals["dead"]["value"] == 2 and totals["injured"]["value"] == 12
    assert totals["evacuated"]["value"] == 405 and totals["houses_flooded"]["value"] == 150
    assert set(detail["figures"]["sources"]) >= {"official", "police", "fire", "hospital"}
    assert detail["reports"]["verified"] > 30 and sum(detail["reports"].values()) == 300
    persons = client.get("/api/lifeline/persons?q=Kim Young-ja").json()
    assert [p["full_name"] for p in persons] == ["김영자"] and persons[0]["status"] == (
        "believed_missing"
    )
    page = client.get("/lifeline?lang=en")
    assert page.status_code == 200 and "Heavy rain flood, southern Seoul" in page.text
    shelters = client.get(f"/api/lifeline/incidents/{iid}/shelters").json()
    assert [(s["name_en"], s["occupancy"], s["status"]) for s in shelters][2] == (
        "Sadang 1-dong Community Center",
        60,
        "full",
    )
    assert len(shelters) == 4 and "Sillim Elementary School gym" in page.text
