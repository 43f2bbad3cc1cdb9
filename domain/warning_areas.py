"""Warning areas as sent: the whole city, chosen districts, a drawn polygon or a circle.

Districts become CAP geocodes (``SIG_CD``) *and* simplified polygons, so receivers that only
understand geometry still see the area. Coordinates stay (x=lon, y=lat) here; the swap to
CAP's "lat,lon" happens only in ``channels.cap.geo``.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from domain.errors import InvalidInputError
from domain.geo import DistrictLocator
from domain.warning_content import AreaSpec

SIMPLIFY_DEG = 0.001  # about 100 m: plenty for a warning area, keeps messages small
GEOCODE = "SIG_CD"
KINDS = ("city", "districts", "polygon", "circle")
MAX_POINTS = 500


def _rings(geom: BaseGeometry) -> list[list[list[float]]]:
    simple = geom.simplify(SIMPLIFY_DEG, preserve_topology=True)
    return [
        [[round(x, 6), round(y, 6)] for x, y in part.exterior.coords]
        for part in shapely.get_parts(simple)
        if isinstance(part, Polygon)
    ]


def _check_point(lon: float, lat: float) -> None:
    ok = math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
    if not ok:
        raise InvalidInputError(f"({lon}, {lat}) is not a longitude/latitude pair")


class WarningAreas:
    """Resolves an :class:`AreaSpec` into the self-contained area a message carries."""

    def __init__(self, locator: DistrictLocator) -> None:
        self.locator = locator

    def __call__(self, spec: AreaSpec) -> dict[str, Any]:
        if spec.kind not in KINDS:
            raise InvalidInputError(f"area kind must be one of {', '.join(KINDS)}")
        return getattr(self, f"_{spec.kind}")(spec)  # type: ignore[no-any-return]

    def _area(
        self,
        kind: str,
        desc: dict[str, str],
        polygons: list[Any],
        circles: list[Any],
        codes: list[str],
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "desc": desc,
            "polygons": polygons,
            "circles": circles,
            "geocodes": [[GEOCODE, c] for c in codes],
        }

    def _city(self, spec: AreaSpec) -> dict[str, Any]:
        codes = [d.code for d in self.locator.districts()]
        outline = shapely.union_all([self.locator.geometry(c) for c in codes])
        desc = {"ko": "서울특별시 전역", "en": "All of Seoul"}
        return self._area("city", spec.desc or desc, _rings(outline), [], codes)

    def _districts(self, spec: AreaSpec) -> dict[str, Any]:
        codes = sorted(set(spec.districts))
        if not codes:
            raise InvalidInputError("choose at least one district")
        found = [self.locator.district(c) for c in codes]
        unknown = [c for c, d in zip(codes, found, strict=True) if d is None]
        if unknown:
            raise InvalidInputError(f"unknown district codes: {', '.join(unknown)}")
        names_ko = ", ".join(d.name_ko for d in found if d)
        names_en = ", ".join(d.name_en for d in found if d)
        desc = {"ko": f"서울특별시 {names_ko}", "en": f"Seoul: {names_en}"}
        polygons = [ring for c in codes for ring in _rings(self.locator.geometry(c))]
        return self._area("districts", spec.desc or desc, polygons, [], codes)

    def _polygon(self, spec: AreaSpec) -> dict[str, Any]:
        points = [list(p) for p in spec.polygon]
        if not 3 <= len(points) <= MAX_POINTS:
            raise InvalidInputError(f"a polygon needs 3 to {MAX_POINTS} points")
        for lon, lat in points:
            _check_point(lon, lat)
        if points[0] != points[-1]:
            points.append(points[0])
        if len(points) < 4:
            raise InvalidInputError("a polygon needs 3 distinct points")
        codes = self._touching(Polygon(points))
        desc = {"ko": "지정 구역", "en": "Drawn area"}
        return self._area("polygon", spec.desc or desc, [points], [], codes)

    def _circle(self, spec: AreaSpec) -> dict[str, Any]:
        if spec.circle is None:
            raise InvalidInputError("a circle needs a centre and a radius")
        lon, lat, radius = spec.circle
        _check_point(lon, lat)
        if not 0 < radius <= 50:
            raise InvalidInputError("a circle radius must be more than 0 and at most 50 km")
        degrees = radius / 111.0
        codes = self._touching(shapely.Point(lon, lat).buffer(degrees))
        desc = {"ko": f"반경 {radius:g}km 구역", "en": f"Within {radius:g} km"}
        return self._area("circle", spec.desc or desc, [], [[lon, lat, radius]], codes)

    def _touching(self, geom: BaseGeometry) -> list[str]:
        return [
            d.code
            for d in self.locator.districts()
            if self.locator.geometry(d.code).intersects(geom)
        ]
