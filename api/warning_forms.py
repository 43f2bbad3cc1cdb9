"""The desk's warning forms: what the draft form posts, and areas from form fields.

Areas come as whole city, district checkboxes (SIG_CD), a GeoJSON polygon (geometry, Feature
or FeatureCollection; its outer ring) or a circle typed as ``lat,lon,radius km``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from domain.errors import InvalidInputError
from domain.warning_content import LANGS, TEXT_FIELDS, AreaSpec


class DraftForm(BaseModel):
    """The draft form as posted (``render`` re-renders the texts instead of saving)."""

    key: str = Field(default="", max_length=64)
    playbook_id: str = Field(default="heavy_rain", max_length=64)
    stage_id: str = Field(default="", max_length=64)
    status: str = Field(default="Actual", pattern="^(Actual|Exercise|Test)$")
    area_kind: str = Field(default="city", pattern="^(city|districts|polygon|circle)$")
    districts: list[str] = Field(default=[], max_length=25)
    polygon: str = Field(default="", max_length=100_000)
    circle: str = Field(default="", max_length=100)
    texts: dict[str, str] = Field(default={})

    def text(self, lang: str, name: str) -> str:
        return self.texts.get(f"{lang}_{name}", "")


def _polygon(raw: str) -> tuple[tuple[float, float], ...]:
    """The outer ring of a GeoJSON Polygon (geometry, Feature or FeatureCollection)."""
    try:
        doc = json.loads(raw)
        while doc.get("type") in ("FeatureCollection", "Feature"):
            doc = doc["features"][0] if doc["type"] == "FeatureCollection" else doc["geometry"]
        if doc.get("type") != "Polygon":
            raise ValueError("not a Polygon")
        return tuple((float(p[0]), float(p[1])) for p in doc["coordinates"][0])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError(f"the polygon must be GeoJSON Polygon coordinates: {exc}") from None


def _circle(raw: str) -> tuple[float, float, float]:
    try:
        lat, lon, radius = (float(x) for x in raw.replace(" ", "").split(","))
    except ValueError:
        raise ValueError("the circle is 'lat,lon,radius km', e.g. 37.5665,126.978,3") from None
    return lon, lat, radius


def area_of(form: DraftForm) -> AreaSpec:
    kind = form.area_kind
    if kind == "districts":
        return AreaSpec(kind, districts=tuple(form.districts))
    if kind == "polygon":
        return AreaSpec(kind, polygon=_polygon(form.polygon))
    if kind == "circle":
        return AreaSpec(kind, circle=_circle(form.circle))
    return AreaSpec("city")


def spec_of(area: dict[str, Any]) -> AreaSpec:
    """The spec a stored (resolved) area was made from, for editing a draft."""
    kind = str(area.get("kind", "city"))
    if kind == "districts":
        return AreaSpec(kind, districts=tuple(str(code) for _, code in area["geocodes"]))
    if kind == "polygon":
        return AreaSpec(kind, polygon=tuple((float(x), float(y)) for x, y in area["polygons"][0]))
    if kind == "circle":
        lon, lat, radius = area["circles"][0]
        return AreaSpec(kind, circle=(float(lon), float(lat), float(radius)))
    return AreaSpec("city")


def posted(raw: Any) -> DraftForm:
    """The draft form from posted form data (districts repeat; texts are ``<lang>_<field>``)."""
    data: dict[str, Any] = {k: raw.get(k) for k in DraftForm.model_fields if k in raw}
    data["districts"] = [str(v) for v in raw.getlist("districts")]
    data["texts"] = {
        f"{lang}_{n}": str(raw.get(f"{lang}_{n}", "")) for lang in LANGS for n in TEXT_FIELDS
    }
    try:
        return DraftForm.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InvalidInputError(f"{where}: {first['msg']}") from None


def texts_of(form: DraftForm) -> dict[str, dict[str, str]]:
    return {lang: {n: form.text(lang, n) for n in TEXT_FIELDS} for lang in LANGS}
