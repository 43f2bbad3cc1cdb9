"""The one lat/lon <-> x/y swap, both ways, and the CAP geometry rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.cap import GeoError, from_cap_circle, from_cap_polygon, to_cap_circle, to_cap_polygon

SEOUL_CITY_HALL = (126.978, 37.5665)  # (x=lon, y=lat)


def test_polygon_written_lat_first_and_closed() -> None:
    text = to_cap_polygon([(126.97, 37.56), (126.99, 37.56), (126.99, 37.58)])
    assert text == "37.56,126.97 37.56,126.99 37.58,126.99 37.56,126.97"


def test_polygon_read_back_as_lon_lat() -> None:
    ring = from_cap_polygon("37.56,126.97 37.56,126.99 37.58,126.99 37.56,126.97")
    assert ring[0] == (126.97, 37.56)
    assert ring[2] == (126.99, 37.58)


def test_already_closed_ring_is_not_closed_twice() -> None:
    ring = [(126.97, 37.56), (126.99, 37.56), (126.99, 37.58), (126.97, 37.56)]
    assert len(to_cap_polygon(ring).split()) == 4


def test_coordinates_rounded_to_six_decimals_without_trailing_zeros() -> None:
    text = to_cap_polygon([(126.123456789, 37.5), (127.0, 37.5), (127.0, 38.0)])
    assert text.split()[0] == "37.5,126.123457"
    assert text.split()[1] == "37.5,127"


def test_whitespace_and_newlines_between_pairs_are_accepted() -> None:
    ring = from_cap_polygon("\n  1,2   3,4\n5,6\t1,2 \n")
    assert ring == [(2.0, 1.0), (4.0, 3.0), (6.0, 5.0), (2.0, 1.0)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1,2 3,4 5,6 7,8", "not closed"),
        ("1,2 3,4 1,2", "at least 4"),
        ("91,2 3,4 5,6 91,2", "latitude"),
        ("1,181 3,4 5,6 1,181", "longitude"),
        ("1;2 3,4 5,6 1;2", "lat,lon"),
        ("a,2 3,4 5,6 a,2", "not numeric"),
    ],
)
def test_broken_polygons_refused(text: str, problem: str) -> None:
    with pytest.raises(GeoError, match=problem):
        from_cap_polygon(text)


def test_too_few_points_refused_when_writing() -> None:
    with pytest.raises(GeoError, match="at least 4"):
        to_cap_polygon([(126.97, 37.56), (126.99, 37.56)])


def test_swapped_input_is_caught_by_range_check() -> None:
    # someone passing (lat, lon) for a point far from the equator: lat=126 is impossible
    with pytest.raises(GeoError, match="latitude"):
        to_cap_polygon([(37.56, 126.97), (37.56, 126.99), (37.58, 126.99)])


def test_circle_both_ways() -> None:
    text = to_cap_circle(*SEOUL_CITY_HALL, 5.0)
    assert text == "37.5665,126.978 5"
    assert from_cap_circle(text) == (126.978, 37.5665, 5.0)
    assert from_cap_circle("-35.3888,147.0598 25.0") == (147.0598, -35.3888, 25.0)


@pytest.mark.parametrize("text", ["37.5,126.9", "37.5,126.9 -1", "37.5,126.9 x", "95,1 2"])
def test_broken_circles_refused(text: str) -> None:
    with pytest.raises(GeoError):
        from_cap_circle(text)


def test_negative_radius_refused_when_writing() -> None:
    with pytest.raises(GeoError, match="negative"):
        to_cap_circle(126.9, 37.5, -1.0)


coord = st.tuples(
    st.floats(min_value=-180, max_value=180).map(lambda v: round(v, 6)),
    st.floats(min_value=-90, max_value=90).map(lambda v: round(v, 6)),
)


@given(st.lists(coord, min_size=3, max_size=30, unique=True))
def test_round_trip_property(points: list[tuple[float, float]]) -> None:
    ring = from_cap_polygon(to_cap_polygon(points))
    assert ring[:-1] == points
    assert ring[-1] == points[0]
