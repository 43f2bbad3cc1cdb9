"""Where a posting was made, as a small inline SVG map of Seoul's 25 districts with the point
marked: no JavaScript, no map tiles (the desk works with JavaScript off and offline). The
district outlines are the LIFELINE map's simplified polygons; their paths are made once."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from api.lifeline_geo import district_shapes

WIDTH = 260.0
Frame = tuple[float, float, float, float, float]  # west, north, px/degree lon, lat; height


@cache
def _frame() -> Frame:
    lons: list[float] = []
    lats: list[float] = []
    for shape in district_shapes().values():
        for lon, lat in _points(shape["geometry"]):
            lons.append(lon)
            lats.append(lat)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    per_lon = WIDTH / (east - west)
    # a degree of longitude is cos(latitude) times as long as a degree of latitude
    per_lat = per_lon / math.cos(math.radians((north + south) / 2))
    return west, north, per_lon, per_lat, (north - south) * per_lat


def _xy(lon: float, lat: float) -> tuple[float, float]:
    west, north, per_lon, per_lat, _height = _frame()
    return (lon - west) * per_lon, (north - lat) * per_lat


def _points(geometry: dict[str, Any]) -> Iterable[Sequence[float]]:
    for ring in _rings(geometry):
        yield from ring


def _rings(geometry: dict[str, Any]) -> list[list[Sequence[float]]]:
    coords = geometry["coordinates"]
    polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
    return [ring for polygon in polygons for ring in polygon]


@cache
def _paths() -> tuple[tuple[str, str, str], ...]:
    """(district code, Korean name, SVG path) for every district."""
    out = []
    for code, shape in district_shapes().items():
        parts = []
        for ring in _rings(shape["geometry"]):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_xy(p[0], p[1]) for p in ring))
            parts.append(f"M{pts}Z")
        out.append((code, str(shape["name_ko"]), "".join(parts)))
    return tuple(out)


def case_map(lat: float | None, lon: float | None, district: str | None) -> dict[str, Any]:
    """What the case page draws: the districts (the posting's own highlighted) and the point
    (None when the posting has no coordinates or they are outside the map)."""
    height = _frame()[4]
    point = None
    if lat is not None and lon is not None:
        x, y = _xy(lon, lat)
        if 0 <= x <= WIDTH and 0 <= y <= height:
            point = {"x": round(x, 1), "y": round(y, 1)}
    districts = [
        {"code": code, "name": name, "d": d, "mine": code == district} for code, name, d in _paths()
    ]
    return {"width": WIDTH, "height": round(height, 1), "districts": districts, "point": point}
