"""Import of the real alerts in shared/data/cap: valid, edge and invalid files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from channels.cap import CapAlert, CapImportError, cap_schema, parse_cap, render_alert
from channels.cap.geo import DECIMALS
from tests.shared_data import shared

VALID = [
    "au-bom_thunderstorm_2019.xml",
    "au-nsw-rfs_bushfire_2011.xml",
    "ca-envcanada_snowfall_2013_xmldsig-signed.xml",
    "ca-envcanada_thunderstorm_2012_en-fr.xml",
    "ca-naad_weather_2019_en-fr.xml",
    "is-imo_wind_2021_is-en.xml",
    "mx-smn_tropical-cyclone_2018_es.xml",
    "oasis-spec_amber-alert_KAR0-0306112239-SW.xml",
    "oasis-spec_homeland-security_43b080713727.xml",
    "oasis-spec_severe-thunderstorm_KSTO1055887203.xml",
    "ph-pagasa_tropical-cyclone_2014.xml",
    "tw-wra_reservoir-release_2014_zh-tw.xml",
    "us-noaa-wcatwc_tsunami-warning_2011.xml",
    "us-nws_hurricane-warning_2020-multipolygon.xml",
    "us-usgs_earthquake_2012_iso-8859-1.xml",
]


def _read(*parts: str) -> bytes:
    return shared("cap", *parts).read_bytes()


def _rounded(alert: CapAlert) -> CapAlert:
    """The alert as our renderer writes it: coordinates at DECIMALS places."""

    def ring(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        return tuple((round(x, DECIMALS), round(y, DECIMALS)) for x, y in points)

    infos = tuple(
        replace(
            info,
            areas=tuple(
                replace(area, polygons=tuple(ring(p) for p in area.polygons)) for area in info.areas
            ),
        )
        for info in alert.infos
    )
    return replace(alert, infos=infos)


def test_every_valid_file_is_listed() -> None:
    names = sorted(p.name for p in Path(shared("cap", "valid")).glob("*.xml"))
    assert names == sorted(VALID)


@pytest.mark.parametrize("name", VALID)
def test_valid_file_imports(name: str) -> None:
    result = parse_cap(_read("valid", name))
    assert len(result) == 1
    assert result[0].identifier
    assert result[0].sent.utcoffset() is not None


@pytest.mark.parametrize("name", VALID)
def test_valid_file_survives_render_and_reimport(name: str) -> None:
    original = parse_cap(_read("valid", name))[0]
    data = render_alert(original)
    assert cap_schema().validate(etree.fromstring(data))
    assert parse_cap(data)[0] == _rounded(original)


def test_usgs_iso_8859_1_text_is_decoded() -> None:
    alert = parse_cap(_read("valid", "us-usgs_earthquake_2012_iso-8859-1.xml"))[0]
    assert alert.infos[0].areas[0].circles == ((-88.783, 12.747, 0.0),)


def test_taiwan_cjk_text() -> None:
    info = parse_cap(_read("valid", "tw-wra_reservoir-release_2014_zh-tw.xml"))[0].infos[0]
    assert info.language == "zh-tw"
    assert info.event == "水庫洩洪"
    assert info.category == ("Infra",)


def test_nws_two_polygons_in_one_area_and_references() -> None:
    alert = parse_cap(_read("valid", "us-nws_hurricane-warning_2020-multipolygon.xml"))[0]
    assert alert.msg_type == "Update"
    assert len(alert.references) >= 1
    polygons = alert.infos[0].areas[0].polygons
    assert len(polygons) == 2
    lon, lat = polygons[0][0]
    assert (lon, lat) == (-92.619, 30.094)  # CAP wrote "30.094,-92.619"


def test_signed_envcanada_imports_with_both_languages() -> None:
    alert = parse_cap(_read("valid", "ca-envcanada_snowfall_2013_xmldsig-signed.xml"))[0]
    assert [i.language for i in alert.infos] == ["en-CA", "fr-CA"]
    assert len(alert.infos[0].areas[0].geocodes) > 1


def test_no_info_block_cancel_imports() -> None:
    alert = parse_cap(_read("edge", "athoc_no-info-block_2016.xml"))[0]
    assert alert.msg_type == "Cancel"
    assert alert.infos == ()
    assert alert.references[0][0] == "AtHoc"


def test_profile_errors_import_with_warnings() -> None:
    result = parse_cap(_read("edge", "ca-envcanada_schema-valid-but-profile-errors.xml"))
    assert len(result) == 1
    joined = " | ".join(result.warnings)
    assert "empty <references>" in joined and "Update" in joined
    assert "empty <restriction>" in joined
    assert "empty <addresses>" in joined


def test_wrapped_alerts_each_imported() -> None:
    result = parse_cap(_read("edge", "se-smhi_multiple-alerts-wrapped-in-alerts-root.xml"))
    assert len(result) == 17
    assert len({a.identifier for a in result}) == 17
    assert all(a.sender == "noreplyvarning@smhi.se" for a in result)


@pytest.mark.parametrize(
    ("name", "stage", "words"),
    [
        ("missing-scope.xml", "schema", ["line 9", "cap:info", "cap:scope"]),
        (
            "se-krisinformation_2018_element-order-error.xml",
            "schema",
            ["line 17", "cap:senderName"],
        ),
        ("wrong-namespace.xml", "schema", ["urn:oasis:names:tc:emergency:alerts:1.2", "line 2"]),
        ("xxe-attack_do-not-resolve-entities.xml", "xml", ["DOCTYPE"]),
    ],
)
def test_invalid_file_refused(name: str, stage: str, words: list[str]) -> None:
    with pytest.raises(CapImportError) as caught:
        parse_cap(_read("invalid", name))
    assert caught.value.stage == stage
    for word in words:
        assert word in caught.value.message


def test_shared_xxe_file_reads_nothing() -> None:
    with pytest.raises(CapImportError) as caught:
        parse_cap(_read("invalid", "xxe-attack_do-not-resolve-entities.xml"))
    text = str(caught.value)
    assert "root:" not in text
    assert "/bin/" not in text


def test_shipped_xsd_is_the_verbatim_oasis_copy() -> None:
    from channels.cap.validate import XSD_PATH

    assert XSD_PATH.read_bytes() == shared("cap", "CAP-v1.2.xsd").read_bytes()
