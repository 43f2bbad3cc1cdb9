"""Korean and English place names in postings → a district, or unknown with a reason."""

from __future__ import annotations

import time

import pytest

from channels.reference_data import load_gazetteer
from domain.gazetteer import Gazetteer, normalize
from domain.geo import Location


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def where(gazetteer: Gazetteer, text: str) -> str | None:
    district = gazetteer.locate_text(text).district
    return district.name_en if district else None


@pytest.mark.parametrize(
    "text,district",
    [
        ("강남역에서 물이 새요", "Gangnam-gu"),
        ("여의도에 쓰레기가 많아요", "Yeongdeungpo-gu"),
        ("홍대입구역 근처 불법주차", "Mapo-gu"),
        ("잠실에서 봤어요", "Songpa-gu"),
        ("명동 거리 노점", "Jung-gu"),
        ("광화문광장 집회", "Jongno-gu"),
        ("시청역 2번 출구 엘리베이터 고장", "Jung-gu"),
        ("서울시청 앞 소음", "Jung-gu"),
        ("경복궁 근처", "Jongno-gu"),
        ("N서울타워 가는 길", "Yongsan-gu"),
        ("롯데월드타워 앞 교통", "Songpa-gu"),
        ("코엑스 지하", "Gangnam-gu"),
        ("여의도공원 화장실", "Yeongdeungpo-gu"),
        ("올림픽공원에서 행사", "Songpa-gu"),
        ("동대문디자인플라자 조명", "Jung-gu"),
        ("광장시장 위생", "Jongno-gu"),
        ("건대입구 사거리 신호등", "Gwangjin-gu"),
        ("신림역 주변 가로등", "Gwanak-gu"),
        ("노원역 앞", "Nowon-gu"),
        ("수유역 근처", "Gangbuk-gu"),
        ("왕십리역에서", "Seongdong-gu"),
        ("종로3가에서 만나요", "Jongno-gu"),
        ("잠실야구장 주차", "Songpa-gu"),
        ("서울 강남구 역삼동", "Gangnam-gu"),
        ("서울강남구역삼동 123", "Gangnam-gu"),
        ("신사동 가로수길", "Gangnam-gu"),  # ambiguous 신사동 agrees with 가로수길
        ("청계천 광장시장 쪽", "Jongno-gu"),  # ambiguous 청계천 agrees with 광장시장
        ("한강 잠실한강공원", "Songpa-gu"),  # the river is not a district, never conflicts
    ],
)
def test_korean_with_particles(gazetteer: Gazetteer, text: str, district: str) -> None:
    location = gazetteer.locate_text(text)
    assert location.district is not None, location.reason
    assert location.district.name_en == district
    assert location.method == "gazetteer" and 0.5 < location.confidence <= 0.95
    assert location.reason and location.in_seoul


@pytest.mark.parametrize(
    "text,district",
    [
        ("Flooding at gangnam station", "Gangnam-gu"),
        ("Gangnam-gu", "Gangnam-gu"),
        ("GANGNAM", "Gangnam-gu"),
        ("gangnam gu office", "Gangnam-gu"),
        ("Gangnamgu", "Gangnam-gu"),
        ("Kangnam", "Gangnam-gu"),
        ("Chongno", "Jongno-gu"),
        ("Chŏngno-gu", "Jongno-gu"),
        ("Yongdungpo", "Yeongdeungpo-gu"),
        ("Yŏngdŭngp'o", "Yeongdeungpo-gu"),
        ("Songp'a district", "Songpa-gu"),
        ("Songpa", "Songpa-gu"),
        ("Map'o", "Mapo-gu"),
        ("Seoul City Hall", "Jung-gu"),
        ("Hongik Univ. Station exit 9", "Mapo-gu"),
        ("Myeong-dong street food", "Jung-gu"),
        ("Myeongdong", "Jung-gu"),
        ("Jamsil", "Songpa-gu"),
        ("Yeouido", "Yeongdeungpo-gu"),
        ("COEX mall", "Gangnam-gu"),
        ("DDP에서", "Jung-gu"),
        ("Gangnam's streets", "Gangnam-gu"),
        ("Jongno 3-ga station", "Jongno-gu"),
        ("Itaewon", "Yongsan-gu"),
    ],
)
def test_english_and_romanisation_variants(gazetteer: Gazetteer, text: str, district: str) -> None:
    assert where(gazetteer, text) == district


@pytest.mark.parametrize(
    "text,reason",
    [
        ("강남역이랑 여의도", "ambiguous: "),
        ("Gangnam and Mapo", "ambiguous: "),
        ("청계천 물고기", "ambiguous: 청계천"),
        ("신사동", "ambiguous: 신사동"),
        ("동대문", "ambiguous: 동대문"),
        ("신촌 세브란스", "ambiguous: 신촌"),
        ("서울역", "ambiguous: 서울역"),
        ("남산 산책", "ambiguous: 남산"),
        ("부산 강서구", "ambiguous: 부산 is outside Seoul"),
        ("신사동 마포구", "ambiguous: "),  # 신사동 is not in Mapo-gu
        ("시청에 민원 넣었어요", "ambiguous: 시청"),  # any city hall, or the addressee
    ],
)
def test_ambiguous_text_is_unknown_with_reason(
    gazetteer: Gazetteer, text: str, reason: str
) -> None:
    location = gazetteer.locate_text(text)
    assert (location.district, location.method, location.confidence) == (None, "unknown", 0.0)
    assert location.reason.startswith(reason), location.reason


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "empty text"),
        ("   \n\t", "empty text"),
        ("😀🎉🔥", "no known place name"),
        ("https://www.gangnam.go.kr/ https://t.co/abc", "no known place name"),
        ("@gangnamgu 안녕하세요", "no known place name"),
        ("강남스타일 노래", "no known place name"),
        ("Gangnam Style", "no known place name"),
        ("강동원 봤다", "no known place name"),  # an actor, not 강동
        ("중구난방이네요", "no known place name"),  # an idiom, not 중구
        ("한강 공원 쓰레기", "in Seoul but no district named (한강)"),
        ("Seoul is great", "in Seoul but no district named (서울)"),
        ("부산 해운대", "outside Seoul: 부산"),
        ("x" * 100_000, "no known place name"),
        ("가나다 " * 20_000, "no known place name"),
    ],
)
def test_nothing_to_locate(gazetteer: Gazetteer, text: str, reason: str) -> None:
    location = gazetteer.locate_text(text)
    assert location.district is None and location.method == "unknown"
    assert location.reason == reason or location.reason.startswith(reason)


def test_longer_names_win(gazetteer: Gazetteer) -> None:
    assert [e.name for e in gazetteer.find("강남역")] == ["강남역"]
    assert [e.name for e in gazetteer.find("서울대입구역에서")] == ["서울대입구역"]
    assert [e.name for e in gazetteer.find("동대문구청")] == ["동대문구"]
    assert [e.name for e in gazetteer.find("잠실한강공원")] == ["잠실한강공원"]


def test_a_name_inside_another_word_is_not_a_match(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("서강남") == []
    assert gazetteer.find("bigangnam") == []
    assert gazetteer.find("gangnamx jamsil2") == []


def test_a_place_far_into_a_long_text_is_found(gazetteer: Gazetteer) -> None:
    assert where(gazetteer, "가나다라 " * 20_000 + "잠실역 앞") == "Songpa-gu"


def test_normalize() -> None:
    assert normalize("  Gangnam-GU!! ") == "gangnam gu"
    assert normalize("Songp'a · Map’o") == "songpa mapo"
    assert normalize("Chŏngno") == "chongno"
    assert normalize("see https://x.com/a?b=1 now") == "see now"


def test_all_districts_are_in_the_gazetteer(gazetteer: Gazetteer) -> None:
    districts = gazetteer.districts()
    assert len(districts) == 25
    for district in districts:
        assert where(gazetteer, district.name_ko + "에서") == district.name_en
        assert where(gazetteer, district.name_en) == district.name_en


def test_the_data_is_rich_enough(gazetteer: Gazetteer) -> None:
    kinds = [e.kind for e in gazetteer.entries()]
    assert kinds.count("dong") >= 100
    assert kinds.count("station") >= 100
    assert kinds.count("landmark") >= 40


def test_conflicting_names_are_rejected() -> None:
    districts = [
        {"name": "강남구", "name_en": "Gangnam-gu", "aliases": [], "district_code": "11680",
         "kind": "district"},
        {"name": "송파구", "name_en": "Songpa-gu", "aliases": [], "district_code": "11710",
         "kind": "district"},
    ]  # fmt: skip
    clash = {"name": "잠실", "aliases": ["강남구"], "district_code": "11710", "kind": "area"}
    with pytest.raises(ValueError, match="means both"):
        Gazetteer.from_entries([*districts, clash])
    unknown = {"name": "x", "aliases": [], "district_code": "99999", "kind": "area"}
    with pytest.raises(ValueError, match="unknown district code"):
        Gazetteer.from_entries([*districts, unknown])


def test_ten_thousand_short_texts_are_fast(gazetteer: Gazetteer) -> None:
    texts = [f"{i}번째 민원: 강남역 2번 출구 근처 보도블록 파손 #{i}" for i in range(10_000)]
    start = time.perf_counter()
    results = [gazetteer.locate_text(t) for t in texts]
    elapsed = time.perf_counter() - start
    assert all(isinstance(r, Location) and r.district for r in results)
    assert elapsed < 5.0  # about 0.3 s here; loose so a slow CI machine does not flake
