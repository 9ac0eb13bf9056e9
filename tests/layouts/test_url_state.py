"""The address of a view: parsed into checked values (missing, unknown, hostile -> ignored), written back canonically."""
from urllib.parse import parse_qs

import pytest

from callbacks.map_url import drill_from_link, map_params
from callbacks.trends_url import trends_choices, trends_params
from callbacks.url_sync import filters_from_link
from layouts.overview import card_links
from layouts.url_state import link, parse_choice, parse_language, parse_scope, query_of, serialise

PROVINCES = ["01", "07", "09"]
DISTRICTS = ["0701", "0703", "0901"]
PERIODS = ["2022-11", "2022-10", "2022-S2"]   # another lane adds semesters: a period is an opaque option value


def _districts_of(province):
    return [code for code in DISTRICTS if code.startswith(province)]


@pytest.mark.parametrize("href, expected", [
    (None, {}),
    ("", {}),
    ("/map", {}),
    ("/map?scope=07&period=2022-11", {"scope": "07", "period": "2022-11"}),
    ("http://127.0.0.1:8050/map?scope=07&scope=09#map-quality", {"scope": "07"}),   # the first value counts
    ("?lang=lo", {"lang": "lo"}),
    ("/map?scope=" + "7" * 500, {}),                                                  # too long to be a code
    ("/map?%ZZ=1&scope=07", {"%ZZ": "1", "scope": "07"}),                          # kept, and ignored by every parser
    (12, {}),
])
def test_query_of(href, expected):
    assert query_of(href) == expected


@pytest.mark.parametrize("query, expected", [
    ({}, None),                                                  # missing: keep the current filter
    ({"scope": "00"}, {"province": None, "district": None}),     # the country, said explicitly
    ({"scope": "07"}, {"province": "07", "district": None}),
    ({"scope": "0703"}, {"province": "07", "district": "0703"}),
    ({"scope": " 07 "}, {"province": "07", "district": None}),
    ({"province": "07", "district": "0703"}, {"province": "07", "district": "0703"}),   # the alerts' links
    ({"province": "07"}, {"province": "07", "district": None}),
    ({"scope": "99"}, None),                                     # unknown province
    ({"scope": "0799"}, None),                                   # unknown district
    ({"scope": "070"}, None),
    ({"scope": "07a"}, None),
    ({"scope": "٠٧"}, None),                                     # Arabic-Indic digits are digits to Python, not codes
    ({"scope": "<script>alert(1)</script>"}, None),
    ({"scope": "07' OR 1=1 --"}, None),
    ({"scope": ""}, None),
])
def test_parse_scope(query, expected):
    assert parse_scope(query, PROVINCES, DISTRICTS) == expected


@pytest.mark.parametrize("value, expected", [
    ("2022-11", "2022-11"), ("2022-S2", "2022-S2"), ("2022-13", None), ("2099-01", None), ("", None),
    ("<img src=x onerror=alert(1)>", None), (None, None),
])
def test_parse_period_only_takes_offered_values(value, expected):
    query = {} if value is None else {"period": value}
    assert parse_choice(query, "period", PERIODS) == expected


@pytest.mark.parametrize("value, expected", [("lo", "lo"), ("en", "en"), ("fr", None), ('"><b>', None), (None, None)])
def test_parse_language(value, expected):
    assert parse_language({} if value is None else {"lang": value}) == expected


def test_serialise_is_canonical_and_round_trips():
    query = serialise({"province": "07", "district": "0703", "period": "2022-11"},
                      {"indicator": "CCT_COMPLY_ALL", "drill": None, "view": ""}, "lo")
    assert query == "scope=0703&period=2022-11&indicator=CCT_COMPLY_ALL&lang=lo"
    back = query_of(query)
    assert parse_scope(back, PROVINCES, DISTRICTS) == {"province": "07", "district": "0703"}
    assert parse_choice(back, "period", PERIODS) == "2022-11"


def test_serialise_national_says_so_and_escapes_values():
    assert serialise({"province": None, "district": None, "period": None}, None, None) == "scope=00"
    assert serialise({"period": "2022-S2"}, {"x": "a&b=<c>"}, "xx") == "scope=00&period=2022-S2&x=a%26b%3D%3Cc%3E"
    # A page parameter cannot replace the shared ones.
    assert serialise({"province": "07", "period": "2022-11"}, {"scope": "09", "lang": "fr"}, "en") == \
        "scope=07&period=2022-11&lang=en"


def test_link_carries_place_period_and_choices():
    assert link("/trends", "07", "2022-11", indicator="STUNTING") == "/trends?scope=07&period=2022-11&indicator=STUNTING"
    assert link("/map", None, "2022-11", "lo", "map-quality", drill="0703") == \
        "/map?scope=00&period=2022-11&drill=0703&lang=lo#map-quality"


def test_overview_cards_link_to_their_trend_and_the_convergence_map():
    links = card_links("0703", "2022-11")
    assert set(links) == {"registered", "compliance", "stunting", "convergence", "delay"}
    compliance = parse_qs(links["compliance"].split("?", 1)[1])
    assert links["compliance"].startswith("/trends?")
    assert compliance == {"scope": ["0703"], "period": ["2022-11"], "indicator": ["CCT_COMPLY_ALL"]}
    assert "indicator=STUNTING" in links["stunting"] and "indicator=CCT_PAY_DELAY" in links["delay"]
    assert links["convergence"] == "/map?scope=0703&period=2022-11&view=convergence"


# ------------------------------------------------------------------ the shared filters a link changes

CURRENT = {"province": "", "district": "", "period": "2022-10"}
PROVINCE_VALUES = [""] + PROVINCES


@pytest.mark.parametrize("query, expected", [
    ({}, {}),
    ({"lang": "lo"}, {}),
    ({"scope": "07", "period": "2022-11"}, {"province": "07", "district": "", "period": "2022-11"}),
    ({"scope": "0703"}, {"province": "07", "district": "0703"}),
    ({"scope": "00", "period": "2022-10"}, {}),                        # already so: nothing to change
    ({"scope": "99", "period": "2022-13"}, {}),
    ({"scope": "<script>", "period": "<script>"}, {}),
    ({"province": "09", "district": "0901"}, {"province": "09", "district": "0901"}),
])
def test_filters_from_link(query, expected):
    assert filters_from_link(query, CURRENT, PROVINCE_VALUES, PERIODS, _districts_of) == expected


def test_filters_from_link_keeps_a_province_when_only_the_district_changes():
    current = {"province": "07", "district": "0701", "period": "2022-11"}
    assert filters_from_link({"scope": "0703"}, current, PROVINCE_VALUES, PERIODS, _districts_of) == {"district": "0703"}
    assert filters_from_link({"scope": "07"}, current, PROVINCE_VALUES, PERIODS, _districts_of) == {"district": ""}


def test_a_coordinator_link_cannot_reach_other_provinces_or_the_country():
    # A coordinator who sees only province 07 gets no "" (country) option and no other province.
    assert filters_from_link({"scope": "09"}, {"province": "07"}, ["07"], PERIODS, _districts_of) == {}
    assert filters_from_link({"scope": "00"}, {"province": "07"}, ["07"], PERIODS, _districts_of) == {}
    assert filters_from_link({"scope": "0901"}, {"province": "07"}, ["07"], PERIODS, _districts_of) == {}


# ------------------------------------------------------------------ the map's part


@pytest.mark.parametrize("query, filters, expected", [
    ({}, {"province": "07"}, {"province": "07", "district": None, "seen": ["07", None]}),
    ({"scope": "07"}, {}, {"province": "07", "district": None, "seen": ["07", None]}),
    ({"scope": "07", "drill": "0703"}, {}, {"province": "07", "district": "0703", "seen": ["07", None]}),
    ({"scope": "00", "drill": "07"}, {"province": "09"}, {"province": "07", "district": None, "seen": [None, None]}),
    ({"scope": "07", "drill": "00"}, {}, {"province": None, "district": None, "seen": ["07", None]}),
    ({"scope": "07", "drill": "9999"}, {}, {"province": "07", "district": None, "seen": ["07", None]}),
    ({"scope": "07", "drill": "<svg onload=alert(1)>"}, {}, {"province": "07", "district": None, "seen": ["07", None]}),
    ({"scope": "99", "drill": "0703"}, {}, {"province": "07", "district": "0703", "seen": [None, None]}),
])
def test_drill_from_link(query, filters, expected):
    assert drill_from_link(query, filters, PROVINCES, DISTRICTS) == expected


def test_map_params_name_the_drill_only_away_from_the_filter():
    at_filter = {"province": "07", "district": None, "seen": ["07", None]}
    assert map_params(at_filter, "CCT_COMPLY_ALL", "indicator") == \
        {"indicator": "CCT_COMPLY_ALL", "view": "indicator", "drill": None}
    below = {"province": "07", "district": "0703", "seen": ["07", None]}
    assert map_params(below, "X", "convergence")["drill"] == "0703"
    above = {"province": None, "district": None, "seen": ["07", None]}
    assert map_params(above, "X", "bogus") == {"indicator": "X", "view": None, "drill": "00"}
    assert map_params(None, None, None) == {"indicator": None, "view": None, "drill": None}


# ------------------------------------------------------------------ the Trends page's part


@pytest.mark.parametrize("query, expected", [
    ({}, {"indicator": None, "survey": None, "currency": None}),
    ({"indicator": "WASTING"}, {"indicator": "WASTING", "survey": "WASTING", "currency": None}),
    ({"indicator": "CCT_COMPLY_ALL", "survey": "UNDERWEIGHT", "currency": "LAK"},
     {"indicator": "CCT_COMPLY_ALL", "survey": "UNDERWEIGHT", "currency": "LAK"}),
    ({"indicator": "DROP TABLE", "survey": "<b>", "currency": "EUR"}, {"indicator": None, "survey": None, "currency": None}),
])
def test_trends_choices(query, expected):
    assert trends_choices(query) == expected


def test_trends_params_drop_unknown_values():
    assert trends_params("CCT_PAY_DELAY", "STUNTING", "USD") == \
        {"indicator": "CCT_PAY_DELAY", "survey": "STUNTING", "currency": "USD"}
    assert trends_params("nope", "nope", "nope") == {"indicator": None, "survey": None, "currency": None}
