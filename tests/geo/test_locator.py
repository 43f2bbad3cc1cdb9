"""Points and X place boxes → one of Seoul's 25 districts, on the shipped JUSO 2015 polygons."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point, Polygon

from channels.reference_data import load_district_locator
from domain.geo import District, DistrictLocator, Location

# One point well inside each district: the gu offices (Jung-gu: Seoul City Hall).
INSIDE = {
    "11110": ("Jongno-gu", 126.9790, 37.5735),
    "11140": ("Jung-gu", 126.9780, 37.5665),
    "11170": ("Yongsan-gu", 126.9905, 37.5324),
    "11200": ("Seongdong-gu", 127.0369, 37.5634),
    "11215": ("Gwangjin-gu", 127.0822, 37.5385),
    "11230": ("Dongdaemun-gu", 127.0398, 37.5744),
    "11260": ("Jungnang-gu", 127.0927, 37.6063),
    "11290": ("Seongbuk-gu", 127.0167, 37.5894),
    "11305": ("Gangbuk-gu", 127.0255, 37.6397),
    "11320": ("Dobong-gu", 127.0471, 37.6688),
    "11350": ("Nowon-gu", 127.0565, 37.6542),
    "11380": ("Eunpyeong-gu", 126.9290, 37.6027),
    "11410": ("Seodaemun-gu", 126.9368, 37.5791),
    "11440": ("Mapo-gu", 126.9016, 37.5663),
    "11470": ("Yangcheon-gu", 126.8665, 37.5170),
    "11500": ("Gangseo-gu", 126.8495, 37.5509),
    "11530": ("Guro-gu", 126.8875, 37.4954),
    "11545": ("Geumcheon-gu", 126.8955, 37.4569),
    "11560": ("Yeongdeungpo-gu", 126.8962, 37.5264),
    "11590": ("Dongjak-gu", 126.9393, 37.5124),
    "11620": ("Gwanak-gu", 126.9515, 37.4784),
    "11650": ("Seocho-gu", 127.0324, 37.4837),
    "11680": ("Gangnam-gu", 127.0473, 37.5172),
    "11710": ("Songpa-gu", 127.1059, 37.5145),
    "11740": ("Gangdong-gu", 127.1238, 37.5301),
}
OUTSIDE = {
    "Incheon city hall": (126.7052, 37.4563),
    "Suwon": (127.0286, 37.2636),
    "Busan": (129.0756, 35.1796),
    "Yellow Sea": (125.5, 37.0),
    "null island": (0.0, 0.0),
    "Gwacheon": (126.9876, 37.4292),
    "Guri": (127.1395, 37.5943),
}
SEOUL_PLACE_BBOX = (126.764, 37.413, 127.184, 37.715)  # X's city-wide "Seoul" place


@pytest.fixture(scope="module")
def locator() -> DistrictLocator:
    return load_district_locator()


def test_there_are_the_25_districts_with_official_codes(locator: DistrictLocator) -> None:
    districts = locator.districts()
    assert [d.code for d in districts] == sorted(INSIDE)
    assert {d.code: d.name_en for d in districts} == {c: v[0] for c, v in INSIDE.items()}
    assert locator.district("11680") == District("11680", "강남구", "Gangnam-gu")
    assert locator.district("11010") is None


@pytest.mark.parametrize("code", sorted(INSIDE))
def test_a_point_inside_each_district(locator: DistrictLocator, code: str) -> None:
    name, lon, lat = INSIDE[code]
    district = locator.locate_point(lon, lat)
    assert district is not None
    assert (district.code, district.name_en) == (code, name)
    location = locator.explain_point(lon, lat)
    assert (location.district, location.method, location.confidence) == (district, "point", 1.0)
    assert location.in_seoul


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_points_outside_seoul_are_none(locator: DistrictLocator, name: str) -> None:
    lon, lat = OUTSIDE[name]
    assert locator.locate_point(lon, lat) is None
    location = locator.explain_point(lon, lat)
    assert location.method == "unknown"
    assert "outside Seoul" in location.reason


@pytest.mark.parametrize("lon,lat", [(float("nan"), 37.5), (127.0, float("inf")), (200.0, 37.5)])
def test_invalid_coordinates_are_none(locator: DistrictLocator, lon: float, lat: float) -> None:
    assert locator.locate_point(lon, lat) is None
    assert "invalid" in locator.explain_point(lon, lat).reason


def test_landmarks_from_the_data_readme(locator: DistrictLocator) -> None:
    def name(lon: float, lat: float) -> str | None:
        district = locator.locate_point(lon, lat)
        return district.name_en if district else None

    assert name(127.0590, 37.5119) == "Gangnam-gu"  # COEX
    assert name(127.1025, 37.5126) == "Songpa-gu"  # Lotte World Tower
    assert name(126.7960, 37.5587) == "Gangseo-gu"  # Gimpo Airport
    assert name(126.9882, 37.5512) == "Yongsan-gu"  # N Seoul Tower


def test_boundary_points_are_deterministic(locator: DistrictLocator) -> None:
    jung, jongno = locator.geometry("11140"), locator.geometry("11110")
    border = jung.boundary.intersection(jongno.boundary)
    point = border.interpolate(0.5, normalized=True)
    assert isinstance(point, Point)
    results = {locator.locate_point(point.x, point.y) for _ in range(5)}
    assert results == {locator.district("11110")}  # on a shared border the lowest code wins


def test_sliver_gaps_between_districts_snap_to_the_nearest(locator: DistrictLocator) -> None:
    geometries = [locator.geometry(d.code) for d in locator.districts()]
    union = shapely.union_all(geometries)
    assert isinstance(union, Polygon)
    gaps = sorted((Polygon(ring) for ring in union.interiors), key=lambda p: -p.area)
    assert gaps  # JUSO polygons leave sub-metre gaps between neighbours
    point = gaps[0].representative_point()
    assert not any(g.covers(point) for g in geometries)
    assert locator.locate_point(point.x, point.y) is not None


def test_bbox_inside_one_district(locator: DistrictLocator) -> None:
    location = locator.locate_bbox(127.045, 37.505, 127.060, 37.515)  # around COEX
    assert location is not None
    assert location.district == locator.district("11680")
    assert (location.method, location.confidence) == ("bbox", 1.0)
    assert "Gangnam-gu" in location.reason


def test_bbox_mostly_in_one_district_meets_the_threshold(locator: DistrictLocator) -> None:
    box = (126.975, 37.560, 126.990, 37.570)  # central Jung-gu, a corner in Jongno-gu
    share = locator.explain_bbox(*box, threshold=0.0).confidence
    assert 0.5 < share < 1.0
    location = locator.locate_bbox(*box)  # default threshold 0.8
    assert location is not None and location.district == locator.district("11140")
    assert locator.locate_bbox(*box, threshold=share - 0.01) is not None
    assert locator.locate_bbox(*box, threshold=share + 0.01) is None


def test_bbox_spanning_districts_is_none(locator: DistrictLocator) -> None:
    box = (126.96, 37.55, 127.00, 37.58)
    assert locator.locate_bbox(*box) is None
    location = locator.explain_bbox(*box)
    assert location.district is None and location.method == "unknown"
    assert location.reason.startswith("place box spans") and "Jung-gu" in location.reason
    assert location.in_seoul


def test_city_wide_seoul_bbox_is_no_district_but_in_seoul(locator: DistrictLocator) -> None:
    assert locator.locate_bbox(*SEOUL_PLACE_BBOX) is None
    location = locator.explain_bbox(*SEOUL_PLACE_BBOX)
    assert location.in_seoul and "Seoul as a whole" in location.reason


@pytest.mark.parametrize(
    "box",
    [(128.9, 35.0, 129.2, 35.3), (127.0, 37.5, 126.9, 37.6), (0.0, 0.0, 0.0, 0.0), (1, 2, 3, 400)],
)
def test_bbox_outside_inverted_or_invalid(
    locator: DistrictLocator, box: tuple[float, float, float, float]
) -> None:
    assert locator.locate_bbox(*box) is None
    location = locator.explain_bbox(*box)
    assert location.method == "unknown" and location.reason and not location.in_seoul


def test_zero_area_bbox_is_a_point(locator: DistrictLocator) -> None:
    lon, lat = 126.9780, 37.5665
    location = locator.locate_bbox(lon, lat, lon, lat)
    assert location is not None and location.district == locator.district("11140")


def test_kostat_style_properties_are_mapped() -> None:
    square = [[[127.0, 37.5], [127.1, 37.5], [127.1, 37.6], [127.0, 37.6], [127.0, 37.5]]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "11230", "name": "강남구", "name_eng": "Gangnam-gu"},
                "geometry": {"type": "Polygon", "coordinates": square},
            }
        ],
    }
    locator = DistrictLocator.from_geojson(collection)
    assert locator.locate_point(127.05, 37.55) == District("11230", "강남구", "Gangnam-gu")
    with pytest.raises(ValueError, match="FeatureCollection"):
        DistrictLocator.from_geojson({"type": "Feature"})
    with pytest.raises(KeyError):
        locator.geometry("99999")


def test_location_unknown_helper() -> None:
    assert Location.unknown("why") == Location(None, "unknown", 0.0, "why", False)


def test_every_district_geometry_is_valid(locator: DistrictLocator) -> None:
    for district in locator.districts():
        geometry = locator.geometry(district.code)
        assert geometry.is_valid and geometry.area > 0
