"""Seoul's 25 districts (gu): which district a point or an X place bounding box lies in.

Pure: the caller hands in an already parsed GeoJSON ``FeatureCollection`` (see
``channels.reference_data``). Coordinates are WGS84 longitude/latitude.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import shapely
from shapely.geometry import Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

Method = Literal["point", "bbox", "gazetteer", "unknown"]

# Neighbouring polygons in the JUSO 2015 data leave sliver gaps narrower than a metre; a point
# inside Seoul's outline but in such a gap goes to the nearest district within this distance.
GAP_TOLERANCE_DEG = 2e-5  # about 2 m

_CODE_KEYS = ("SIG_CD", "code", "sig_cd")
_KO_KEYS = ("SIG_KOR_NM", "name", "name_ko")
_EN_KEYS = ("SIG_ENG_NM", "name_eng", "name_en")


@dataclass(frozen=True, order=True)
class District:
    """One of Seoul's 25 autonomous districts; ``code`` is the 5-digit SIG_CD (e.g. 11110)."""

    code: str
    name_ko: str
    name_en: str


@dataclass(frozen=True)
class Location:
    """Where a posting is, how we know it, and why. ``district`` is None when unknown."""

    district: District | None
    method: Method
    confidence: float
    reason: str
    in_seoul: bool = False

    @classmethod
    def unknown(cls, reason: str, *, in_seoul: bool = False) -> Location:
        return cls(None, "unknown", 0.0, reason, in_seoul)


DistrictLocation: TypeAlias = Location


def _prop(props: Mapping[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            return str(value)
    raise ValueError(f"feature properties have none of {list(keys)}: {dict(props)}")


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """A valid, purely polygonal version of ``geom`` (the source has a self-touching ring)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts)
    return geom


def _valid_lon_lat(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


class DistrictLocator:
    """Point-in-polygon and bounding-box location against the 25 district polygons."""

    def __init__(self, shapes: Mapping[District, BaseGeometry]) -> None:
        if not shapes:
            raise ValueError("no district geometries")
        self._districts = sorted(shapes)  # by code: ties on shared borders go to the lowest
        self._geoms = [_polygonal(shapes[d]) for d in self._districts]
        for geom in self._geoms:
            shapely.prepare(geom)
        self._by_code = dict(zip((d.code for d in self._districts), self._geoms, strict=True))
        self._with_bounds = [
            (d, g, tuple(g.bounds)) for d, g in zip(self._districts, self._geoms, strict=True)
        ]
        union = shapely.union_all(self._geoms)
        self._outline = shapely.union_all([Polygon(p.exterior) for p in shapely.get_parts(union)])
        shapely.prepare(self._outline)

    @classmethod
    def from_geojson(cls, feature_collection: Mapping[str, Any]) -> DistrictLocator:
        """Build from a FeatureCollection with SIG_CD/SIG_KOR_NM/SIG_ENG_NM (or KOSTAT) names."""
        if feature_collection.get("type") != "FeatureCollection":
            raise ValueError("expected a GeoJSON FeatureCollection")
        shapes: dict[District, BaseGeometry] = {}
        for feature in feature_collection.get("features", []):
            props = feature.get("properties") or {}
            district = District(
                _prop(props, _CODE_KEYS), _prop(props, _KO_KEYS), _prop(props, _EN_KEYS)
            )
            if district in shapes:
                raise ValueError(f"duplicate district {district.code}")
            shapes[district] = shape(feature["geometry"])
        return cls(shapes)

    def districts(self) -> list[District]:
        """All districts, ordered by code."""
        return list(self._districts)

    def district(self, code: str) -> District | None:
        return next((d for d in self._districts if d.code == code), None)

    def geometry(self, code: str) -> BaseGeometry:
        """The (repaired) polygon of a district, e.g. for drawing it on a map."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown district code {code!r}") from None

    def contains_point(self, lon: float, lat: float) -> bool:
        """Whether the point lies within Seoul's outline (boundary included)."""
        return _valid_lon_lat(lon, lat) and bool(shapely.intersects_xy(self._outline, lon, lat))

    def locate_point(self, lon: float, lat: float) -> District | None:
        """The district containing the point; None outside Seoul. Border ties: lowest code."""
        if not self.contains_point(lon, lat):
            return None
        for district, geom, (west, south, east, north) in self._with_bounds:
            # the envelope test is exact (a point outside it cannot intersect) and cheap
            if (
                west <= lon <= east
                and south <= lat <= north
                and shapely.intersects_xy(geom, lon, lat)
            ):
                return district
        return self._nearest(Point(lon, lat))

    def _nearest(self, point: Point) -> District | None:
        best: tuple[float, District] | None = None
        for district, geom in zip(self._districts, self._geoms, strict=True):
            dist = float(geom.distance(point))
            if dist <= GAP_TOLERANCE_DEG and (best is None or dist < best[0]):
                best = (dist, district)
        return best[1] if best else None

    def explain_point(self, lon: float, lat: float) -> Location:
        """Like :meth:`locate_point`, with a method, a confidence and a reason."""
        if not _valid_lon_lat(lon, lat):
            return Location.unknown(f"invalid coordinates ({lon}, {lat})")
        district = self.locate_point(lon, lat)
        if district is None:
            return Location.unknown(f"point ({lon:.5f}, {lat:.5f}) is outside Seoul")
        reason = f"point ({lon:.5f}, {lat:.5f}) lies in {district.name_en}"
        return Location(district, "point", 1.0, reason, in_seoul=True)

    def explain_bbox(
        self, west: float, south: float, east: float, north: float, threshold: float = 0.8
    ) -> Location:
        """Which district holds at least ``threshold`` of the box; otherwise unknown, why."""
        if not (_valid_lon_lat(west, south) and _valid_lon_lat(east, north)):
            return Location.unknown("invalid bounding box coordinates")
        if west > east or south > north:
            return Location.unknown("bounding box is inverted or crosses the antimeridian")
        if west == east or south == north:
            return self._degenerate_bbox(west, south, east, north)
        area = (east - west) * (north - south)
        bbox = box(west, south, east, north)
        shares = [(float(g.intersection(bbox).area) / area, d) for d, g in self._pairs(bbox)]
        seoul_part = float(self._outline.intersection(bbox).area)
        # A city-wide "Seoul" place box: it holds all of Seoul, its corners are in Gyeonggi.
        city_wide = seoul_part >= 0.95 * float(self._outline.area) and seoul_part >= 0.3 * area
        best = max(shares, key=lambda s: (s[0], _neg(s[1].code)), default=None)
        if best is not None and best[0] >= threshold:
            reason = f"{best[0]:.0%} of the place box lies in {best[1].name_en}"
            return Location(best[1], "bbox", round(best[0], 3), reason, in_seoul=True)
        return self._bbox_unknown(shares, seoul_part / area, city_wide, threshold)

    def _pairs(self, bbox: BaseGeometry) -> list[tuple[District, BaseGeometry]]:
        return [
            (d, g) for d, g in zip(self._districts, self._geoms, strict=True) if g.intersects(bbox)
        ]

    def _degenerate_bbox(self, west: float, south: float, east: float, north: float) -> Location:
        corners = {self.locate_point(west, south), self.locate_point(east, north)}
        district = corners.pop() if len(corners) == 1 else None
        if district is None:
            in_seoul = self.contains_point(west, south) and self.contains_point(east, north)
            return Location.unknown(
                "zero-area place box not within one district", in_seoul=in_seoul
            )
        reason = f"zero-area place box lies in {district.name_en}"
        return Location(district, "bbox", 1.0, reason, in_seoul=True)

    @staticmethod
    def _bbox_unknown(
        shares: list[tuple[float, District]], seoul_share: float, city_wide: bool, threshold: float
    ) -> Location:
        if not shares:
            return Location.unknown("place box is outside Seoul")
        top = sorted(shares, key=lambda s: -s[0])[:3]
        parts = ", ".join(f"{d.name_en} {share:.0%}" for share, d in top)
        in_seoul = city_wide or seoul_share >= threshold
        where = "Seoul as a whole" if city_wide else f"{seoul_share:.0%} in Seoul"
        return Location.unknown(
            f"place box spans {len(shares)} districts ({where}; {parts})", in_seoul=in_seoul
        )

    def locate_bbox(
        self, west: float, south: float, east: float, north: float, threshold: float = 0.8
    ) -> Location | None:
        """The location if ≥ ``threshold`` of the box lies in one district, else None."""
        location = self.explain_bbox(west, south, east, north, threshold)
        return location if location.district is not None else None


def _neg(code: str) -> int:
    """Sort key so that, on equal shares, the lowest code wins (deterministic)."""
    return -int(code) if code.isdigit() else 0
