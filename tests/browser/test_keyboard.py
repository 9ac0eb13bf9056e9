"""The keyboard alone: the first Tab reaches "Skip to content", Enter moves focus past the navbar, the ring shows."""
import pytest

from conftest import screenshot
from contrast import contrast_ratio, parse_colour
from i18n import t
from layouts.navigation import MAIN, SKIP_LINK

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {id: el.id, tag: el.tagName, text: el.innerText, outlineStyle: style.outlineStyle,
            outlineWidth: parseFloat(style.outlineWidth), outlineColor: style.outlineColor,
            visible: box.width > 1 && box.height > 1 && box.top >= 0 && box.left >= 0,
            inMain: !!el.closest('#main-content')};
}"""


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_tab_reaches_the_skip_link_first_and_enter_moves_to_the_content(page, lang):
    page.goto(f"{page.base_url}/about?lang={lang}")
    page.wait_for_selector("#_pages_content > *")
    page.wait_for_load_state("networkidle")
    # Hidden until focused (Bootstrap's visually-hidden-focusable: a 1 px clipped box).
    assert page.evaluate(f"() => document.getElementById('{SKIP_LINK}').getBoundingClientRect().width") <= 1

    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == SKIP_LINK, f"the first Tab stop is {focused}"
    assert focused["text"] == t("a11y.skip_to_content", lang)
    assert focused["visible"], "a focused skip link must show on the screen"
    # The ring: a solid outline at least 2 px wide (Bootstrap's default draws none).
    assert focused["outlineStyle"] == "solid" and focused["outlineWidth"] >= 2, focused
    screenshot(page, f"keyboard-skip-link-{lang}")

    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === '{MAIN}'")
    assert "#" not in page.url, "the skip link must not put a fragment into the address"
    # The next Tab lands inside the page's content, not back in the navbar.
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after["inMain"], f"after skipping, Tab went to {after}"
    assert after["outlineStyle"] == "solid" and after["outlineWidth"] >= 2, after


def test_navbar_links_show_a_focus_ring_on_the_navbar(page):
    page.goto(f"{page.base_url}/?lang=en")
    page.wait_for_selector("#nav-map")
    page.wait_for_load_state("networkidle")
    page.focus("#nav-map")
    # focus() from a script is not :focus-visible; a Tab away and back is what a person does.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == "nav-map"
    assert focused["outlineStyle"] == "solid" and focused["outlineWidth"] >= 2, focused
    # On the blue navbar the ring is the light one (30-phone.css --a11y-focus-on-nav).
    assert focused["outlineColor"] == "rgb(255, 211, 78)", focused


def test_inactive_navbar_links_are_readable_against_the_navbar(page):
    page.goto(f"{page.base_url}/?lang=en")
    page.wait_for_selector("#nav-map")
    colours = page.evaluate("""() => ({
        link: getComputedStyle(document.querySelector('#nav-map')).color,
        active: getComputedStyle(document.querySelector('#nav-overview')).color,
        activeClass: document.querySelector('#nav-overview').className,
        background: getComputedStyle(document.querySelector('#shell-navbar')).backgroundColor,
    })""")
    background = parse_colour(colours["background"])
    assert contrast_ratio(parse_colour(colours["link"]), background) >= 4.5, colours
    assert contrast_ratio(parse_colour(colours["active"]), background) >= 4.5, colours
    assert "active" in colours["activeClass"]
