"""THE single place where SMC's (x=lon, y=lat) meets CAP's "lat,lon" text.

CAP 1.2 (section 3.2.4) writes a polygon as space-separated "lat,lon" WGS 84 pairs, at least
four of them, the first equal to the last; a circle is "lat,lon radius" with the radius in km.
Everything else in SMC keeps x/y order (GeoJSON, shapely), so nothing outside this module may
swap coordinates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

DECIMALS = 6
"""Rounding of written coordinates: 1e-6 degree is about 0.1 m, far below any warning area."""

MIN_RING_POINTS = 4


class GeoError(ValueError):
    """A CAP polygon or circle that breaks the spec's geometry rules."""


def _fmt(value: float) -> str:
    text = f"{round(value, DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check_point(lon: float, lat: float) -> None:
    if not -90.0 <= lat <= 90.0:
        raise GeoError(f"latitude {lat} outside [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise GeoError(f"longitude {lon} outside [-180, 180]")


def _rounded(point: Sequence[float]) -> tuple[float, float]:
    if len(point) != 2:
        raise GeoError(f"a point needs exactly (x=lon, y=lat), got {tuple(point)!r}")
    lon, lat = round(float(point[0]), DECIMALS), round(float(point[1]), DECIMALS)
    _check_point(lon, lat)
    return lon, lat


def check_ring(ring: Sequence[tuple[float, float]]) -> None:
    """Raise GeoError unless ``ring`` is a closed (x, y) ring of at least four valid points."""
    if len(ring) < MIN_RING_POINTS:
        raise GeoError(f"polygon has {len(ring)} points, CAP needs at least {MIN_RING_POINTS}")
    if ring[0] != ring[-1]:
        raise GeoError(f"polygon is not closed: first point {ring[0]} != last point {ring[-1]}")
    for lon, lat in ring:
        _check_point(lon, lat)


def to_cap_polygon(points_xy: Iterable[Sequence[float]]) -> str:
    """(x=lon, y=lat) points -> CAP "lat,lon lat,lon ..." text, closing the ring if needed."""
    ring = [_rounded(p) for p in points_xy]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    check_ring(ring)
    return " ".join(f"{_fmt(lat)},{_fmt(lon)}" for lon, lat in ring)


def _parse_pair(text: str) -> tuple[float, float]:
    """CAP "lat,lon" -> (x=lon, y=lat)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise GeoError(f"coordinate pair {text!r} is not 'lat,lon'")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError as exc:
        raise GeoError(f"coordinate pair {text!r} is not numeric") from exc
    _check_point(lon, lat)
    return lon, lat


def from_cap_polygon(text: str) -> list[tuple[float, float]]:
    """CAP polygon text -> list of (x=lon, y=lat); raises GeoError on a broken ring."""
    ring = [_parse_pair(pair) for pair in text.split()]
    check_ring(ring)
    return ring


def to_cap_circle(lon: float, lat: float, radius_km: float) -> str:
    """(x=lon, y=lat, radius in km) -> CAP "lat,lon radius"."""
    x, y = _rounded((lon, lat))
    if radius_km < 0:
        raise GeoError(f"circle radius {radius_km} km is negative")
    return f"{_fmt(y)},{_fmt(x)} {_fmt(radius_km)}"


def from_cap_circle(text: str) -> tuple[float, float, float]:
    """CAP "lat,lon radius" -> (x=lon, y=lat, radius_km)."""
    parts = text.split()
    if len(parts) != 2:
        raise GeoError(f"circle {text!r} is not 'lat,lon radius'")
    lon, lat = _parse_pair(parts[0])
    try:
        radius = float(parts[1])
    except ValueError as exc:
        raise GeoError(f"circle radius {parts[1]!r} is not numeric") from exc
    if radius < 0:
        raise GeoError(f"circle radius {radius} km is negative")
    return lon, lat, radius
