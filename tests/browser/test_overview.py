"""Overview in headless Chromium: load, change the province filter, see the cards change."""
import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def _wait_for_map(page, graph_id: str) -> None:
    page.wait_for_function(
        f"""() => {{
            const gd = document.querySelector('#{graph_id} .js-plotly-plot');
            return gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
                   && gd._fullLayout.map._subplot.map.loaded();
        }}""",
        timeout=20000,
    )


def _card_values(page) -> dict[str, str]:
    cards = {}
    for card in ("registered", "compliance", "stunting", "convergence", "delay"):
        locator = page.locator(f'[id*="overview-card-value"][id*="{card}"]')
        cards[card] = locator.inner_text()
    return cards


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=option).click()


def test_overview_cards_follow_the_province_filter(page):
    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _wait_for_map(page, "overview-map")
    national = _card_values(page)
    assert "Lao PDR" in page.locator("#overview-title").inner_text()
    assert page.locator("#shell-demo-badge").is_visible()
    for value in national.values():
        assert value.strip()
    # The payment delay says what it counts: cycles still waiting and cycles paid, and how.
    delay_card = page.locator(".headline-card", has=page.locator('[id*="overview-card-value"][id*="delay"]'))
    assert "Still waiting:" in delay_card.inner_text() and "Paid in " in delay_card.inner_text()
    assert delay_card.locator("#overview-delay-rule summary").inner_text() == "How the payment delay is counted"
    screenshot(page, "overview-national-en")

    _choose(page, "shell-province", "Houaphan")
    page.wait_for_function("() => document.querySelector('#overview-title').innerText.includes('Houaphan')")
    page.wait_for_function(
        "(before) => { const el = document.querySelector('[id*=\"overview-card-value\"][id*=\"registered\"]');"
        " return el && el.innerText !== before; }",
        arg=national["registered"],
    )
    _wait_for_map(page, "overview-map")
    province = _card_values(page)
    assert province["registered"] != national["registered"]
    # Houaphan's registrations are a part of the national total.
    as_number = lambda text: int(text.replace(",", ""))  # noqa: E731
    assert 0 < as_number(province["registered"]) < as_number(national["registered"])
    screenshot(page, "overview-houaphan-en")


def test_overview_in_lao(page):
    page.goto(page.base_url + "/?lang=lo")
    page.wait_for_selector('[id*="overview-card-value"]')
    _wait_for_map(page, "overview-map")
    assert "ພາບລວມ" in page.locator("#shell-navbar").inner_text()
    assert "ສປປ ລາວ" in page.locator("#overview-title").inner_text()
    screenshot(page, "overview-national-lo")


def test_stunting_card_names_its_baseline_and_colours_only_a_significant_change(page, sqlite_demo_url):
    from sqlalchemy import create_engine

    from data_access.queries.catalogue import months_with_data
    from data_access.queries.overview import survey_latest_and_baseline
    from layouts.overview import stunting_card

    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        as_of = months_with_data(conn)[0]
        expected = survey_latest_and_baseline(conn, "STUNTING", "07", as_of)
    engine.dispose()
    value, details, tone = stunting_card(expected, "en")
    assert expected["baseline"]["source"] == "framework"

    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-province", "Houaphan")
    page.wait_for_function("() => document.querySelector('#overview-title').innerText.includes('Houaphan')")
    stunting = page.locator('[id*="overview-card-value"][id*="stunting"]')
    page.wait_for_function(
        "(value) => { const el = document.querySelector('[id*=\"overview-card-value\"][id*=\"stunting\"]');"
        " return el && el.innerText === value; }", arg=value)
    card = page.locator(".headline-card").filter(has=stunting)
    text = card.inner_text()
    for detail in details:
        assert detail in text
    assert f"({expected['baseline']['year']}, results framework)" in text
    classes = stunting.get_attribute("class")
    assert (f"status-{tone}" in classes) if tone else ("status-better" not in classes and "status-worse" not in classes)
    _wait_for_map(page, "overview-map")
    screenshot(page, "overview-houaphan-stunting-en")
