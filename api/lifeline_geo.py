"""LIFELINE reads for pages and the API: states, details with provenance, GeoJSON, CSV.

GeoJSON (RFC 7946): coordinates are [lon, lat] in WGS 84; district polygons are simplified
once per process. An incident's FeatureCollection is cached per view position, so repeated
requests while nothing changed cost one position read and no JSON encoding.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from functools import cache
from typing import Any

import shapely
from shapely.geometry import mapping

from channels.reference_data import load_district_locator
from domain.incidents import CASUALTY_FIELDS, DAMAGE_FIELDS
from projections import lifeline_queries as q
from projections.lifeline import LifelineProjection, utc
from projections.lifeline_figures import compute, public_update, revisions
from projections.lifeline_shelters import feature, shelters

SIMPLIFY_DEG = 0.0005
Row = dict[str, Any]


@cache
def district_shapes() -> dict[str, Row]:
    """Every district as a GeoJSON geometry with its names (simplified, 6 decimals)."""
    locator = load_district_locator()
    out: dict[str, Row] = {}
    for d in locator.districts():
        geom = locator.geometry(d.code).simplify(SIMPLIFY_DEG, preserve_topology=True)
        geom = shapely.set_precision(geom, 0.000001)
        out[d.code] = {"name_ko": d.name_ko, "name_en": d.name_en, "geometry": mapping(geom)}
    return out


@cache
def districts_geojson() -> bytes:
    features = [
        {"type": "Feature", "id": code, "geometry": s["geometry"],
         "properties": {"kind": "district", "code": code, "name_ko": s["name_ko"],
                        "name_en": s["name_en"]}}
        for code, s in district_shapes().items()
    ]  # fmt: skip
    return _dumps({"type": "FeatureCollection", "features": features})


def district_names() -> dict[str, dict[str, str]]:
    return {c: {"ko": s["name_ko"], "en": s["name_en"]} for c, s in district_shapes().items()}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class LifelineReads:
    def __init__(self, projection: LifelineProjection) -> None:
        self.projection = projection
        self._geo: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def incidents(self, exercise: bool) -> list[Row]:
        with self.projection.view.read() as tx:
            return q.incidents(tx, exercise)

    def snapshot(self, exercise: bool, now: Any) -> Row:
        with self.projection.view.read() as tx:
            return q.snapshot(tx, exercise, utc(now))

    def detail(self, incident_id: str) -> Row | None:
        with self.projection.view.read() as tx:
            inc = q.incident(tx, incident_id)
            if inc is None:
                return None
            rows = q.updates(tx, incident_id)
            return {
                **inc,
                "figures": compute(rows),
                "updates": [public_update(r) for r in rows],
                "reports": q.report_counts(tx, incident_id),
            }

    def is_linked(self, incident_id: str, posting_id: str) -> bool:
        rows = self.projection.query(
            "SELECT 1 AS x FROM ll_reports WHERE incident_id = ? AND posting_id = ?",
            [incident_id, posting_id],
        )
        return bool(rows)

    def figure(self, incident_id: str, field: str, district: str | None) -> Row | None:
        with self.projection.view.read() as tx:
            inc = q.incident(tx, incident_id)
            if inc is None:
                return None
            rows = q.updates(tx, incident_id)
        figures = compute([r for r in rows if district is None or r["district"] == district])
        return {
            "incident": inc,
            "field": field,
            "district": district,
            "value": figures["totals"][field],
            "revisions": revisions(rows, field, district),
        }

    def geojson(self, incident_id: str, now: Any) -> bytes | None:
        position = self.projection.view.position()
        with self._lock:
            cached = self._geo.get(incident_id)
        if cached is not None and cached[0] == position:
            return cached[1]
        with self.projection.view.read() as tx:
            inc = q.incident(tx, incident_id)
            if inc is None:
                return None
            body = _dumps(_collection(tx, inc, utc(now)))
        with self._lock:
            self._geo[incident_id] = (position, body)
        return body

    def shelters(self, incident_id: str) -> list[Row] | None:
        with self.projection.view.read() as tx:
            if q.incident(tx, incident_id) is None:
                return None
            return shelters(tx, incident_id)

    def csv(self, incident_id: str, lang: str) -> str | None:
        detail = self.detail(incident_id)
        if detail is None:
            return None
        names = district_names()
        fields = CASUALTY_FIELDS + DAMAGE_FIELDS
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["district_code", "district", *fields, *(f"{f}_unverified" for f in fields)]
        )
        for d in detail["figures"]["districts"]:
            cells = d["figures"]
            writer.writerow(
                [d["code"], names.get(d["code"], {}).get(lang, d["code"])]
                + [cells[f]["value"] if f in cells else 0 for f in fields]
                + [cells[f]["unverified"] if f in cells else 0 for f in fields]
            )
        return out.getvalue()


def _collection(tx: Any, inc: Row, now_utc: str) -> Row:
    figures = compute(q.updates(tx, inc["id"]))
    by_code = {d["code"]: d["figures"] for d in figures["districts"]}
    features: list[Row] = []
    for code, shape in district_shapes().items():
        cells = {k: {"value": v["value"], "unverified": v["unverified"]}
                 for k, v in by_code.get(code, {}).items()}  # fmt: skip
        props = {"kind": "district", "code": code, "name_ko": shape["name_ko"],
                 "name_en": shape["name_en"], "figures": cells,
                 "in_area": code in inc["districts"]}  # fmt: skip
        features.append({"type": "Feature", "geometry": shape["geometry"], "properties": props})
    for w in q.warnings(tx, inc["exercise"], now_utc):
        features.extend(_warning_features(w))
    for r in q.reports(tx, inc["id"]):
        if r["lon"] is None:
            continue
        props = {"kind": "report", "id": r["posting_id"], "state": r["state"],
                 "district": r["district"], "created_at": r["created_at"],
                 "photo_url": r["photo_url"] if r["state"] == "verified" else ""}  # fmt: skip
        point = {"type": "Point", "coordinates": [r["lon"], r["lat"]]}
        features.append({"type": "Feature", "geometry": point, "properties": props})
    features.extend(feature(s) for s in shelters(tx, inc["id"]))
    return {"type": "FeatureCollection", "features": features,
            "properties": {"incident": inc["id"], "as_of": figures["as_of"]}}  # fmt: skip


def _warning_features(w: Row) -> list[Row]:
    props = {"kind": "warning", "id": w["id"], "stage_id": w["stage_id"],
             "severity": w["severity"], "state": w["state"], "headline_ko": w["headline_ko"],
             "headline_en": w["headline_en"], "identifier": w["identifier"]}  # fmt: skip
    out = []
    for ring in w["area"]["polygons"]:
        geometry = {"type": "Polygon", "coordinates": [ring]}
        out.append({"type": "Feature", "geometry": geometry, "properties": props})
    return out
