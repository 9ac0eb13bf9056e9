"""The shell for phones and keyboards: skip link first, a named menu button, page titles, filters per page."""
import json
import re
from pathlib import Path

import pytest

import callbacks
from dashboard.app import create_app
from dashboard.pages import page_modules, page_title
from i18n import t
from layouts.navigation import FILTERS, MAIN, NAV_COLLAPSE, NAV_GROUP_MORE, NAV_MORE, NAV_TOGGLER, SKIP_LINK

PAGE_MODULES = page_modules()
CALLBACKS_DIR = Path(callbacks.__file__).parent


@pytest.fixture
def client(sqlite_demo_url):
    return create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"}).server.test_client()


def _layout(client, path: str, lang: str) -> dict:
    client.get(f"{path}?lang={lang}")
    return client.get("/_dash-layout").get_json()


def _find(node, wanted_id):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == wanted_id:
            return node
        for value in node.get("props", {}).values():
            found = _find(value, wanted_id)
            if found:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find(item, wanted_id)
            if found:
                return found
    return None


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_skip_link_comes_first_and_points_at_the_content(client, lang):
    layout = _layout(client, "/", lang)
    first = layout["props"]["children"][0]
    assert first["props"]["id"] == SKIP_LINK
    assert first["props"]["children"] == t("a11y.skip_to_content", lang)
    assert first["props"]["href"] == f"#{MAIN}"
    main = _find(layout, MAIN)
    assert main["type"] == "Main" and main["props"]["tabIndex"] == "-1"


def test_the_menu_button_is_named_and_controls_the_menu(client):
    button = _find(_layout(client, "/", "lo"), NAV_TOGGLER)
    assert button["props"]["aria-label"] == t("a11y.menu", "lo")
    assert button["props"]["aria-expanded"] == "false"
    assert _find(_layout(client, "/", "lo"), button["props"]["aria-controls"])["type"] == "Collapse"


@pytest.mark.parametrize("lang", ["en", "lo"])
@pytest.mark.parametrize("module", PAGE_MODULES, ids=[m.__name__ for m in PAGE_MODULES])
def test_the_first_page_load_is_titled_in_the_readers_language(client, module, lang):
    html_page = client.get(f"{module.PAGE['path']}?lang={lang}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html_page, re.S).group(1)
    assert title == page_title(module.PAGE["title_key"], lang)


def test_about_is_in_the_navbar(client):
    assert json.dumps(_layout(client, "/", "en")).count('"nav-about"') == 1


def _ids_under(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("props", {}).get("id"), str):
            found.append(node["props"]["id"])
        for value in node.get("props", {}).values():
            found += _ids_under(value)
    elif isinstance(node, list):
        for item in node:
            found += _ids_under(item)
    return found


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_less_used_pages_are_under_more_as_the_registry_says(client, lang):
    layout = _layout(client, "/", lang)
    more = _find(layout, NAV_MORE)
    assert more["type"] == "DropdownMenu" and more["props"]["label"] == t("nav.more", lang)
    under_more = {item for item in _ids_under(more) if item.startswith("nav-")}
    nav = _ids_under(_find(layout, NAV_COLLAPSE))
    for module in PAGE_MODULES:
        spec, link = module.PAGE, "nav-" + module.__name__.rsplit(".", 1)[-1]
        if not spec.get("show_in_nav", True) or spec.get("role") == "admin":
            continue
        assert nav.count(link) == 1, f"{link} should be in the navbar once"
        assert (link in under_more) == (spec.get("nav_group") == NAV_GROUP_MORE), link
        item = _find(more if link in under_more else layout, link)
        assert item["props"]["children"] == t(spec["title_key"], lang) and item["props"]["href"] == spec["path"]
    # The main pages stay in the row: what a mission and leadership open first.
    assert {"nav-overview", "nav-map", "nav-targets", "nav-trends"}.isdisjoint(under_more)


@pytest.mark.parametrize("module", PAGE_MODULES, ids=[m.__name__ for m in PAGE_MODULES])
def test_a_page_shows_the_filter_bar_only_if_its_callbacks_read_the_filters(module):
    # The shared filters are read through FILTERS_STORE: a page whose callbacks never read it
    # must not offer filters that change nothing, and one that reads it must keep them.
    name = module.__name__.rsplit(".", 1)[-1]
    source = CALLBACKS_DIR / f"{name}.py"
    reads_filters = source.exists() and "FILTERS_STORE" in source.read_text(encoding="utf-8")
    declared = tuple(module.PAGE.get("filters", FILTERS))
    assert set(declared) <= set(FILTERS)
    assert bool(declared) == reads_filters, f"{name}: PAGE filters {declared}, callbacks read the filters: {reads_filters}"


def test_filters_by_path_in_the_layout_follow_the_page_declarations(client):
    store = _find(_layout(client, "/", "en"), "shell-page-filters")
    expected = {module.PAGE["path"]: list(module.PAGE.get("filters", FILTERS)) for module in PAGE_MODULES}
    assert store["props"]["data"] == expected
    assert store["props"]["data"]["/phase2"] == ["period"]
    assert store["props"]["data"]["/import"] == []


@pytest.mark.parametrize("name, expected", [("Ana Phommachanh", "AP"), ("kham", "K"), ("ແສງ ສີສະຫວັດ", "ແສສ"), ("", "?")])
def test_the_account_menu_shows_initials_below_1400_px(name, expected):
    from layouts.shell import initials

    assert initials(name) == expected
