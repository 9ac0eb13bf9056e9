"""The desktop navbar on one line from 1,200 px in both languages; the less-used pages under "More",
which opens by mouse or keyboard, marks the page you are on, and keeps the navbar's readable colours."""
import re

import pytest

from conftest import screenshot, watched_page
from test_access import accounts_server, sign_in  # noqa: F401 - a fixture and its sign-in
from contrast import contrast_ratio, parse_colour
from dashboard.pages import page_modules
from i18n import t
from layouts.navigation import NAV_GROUP_MORE, NAV_MORE

pytestmark = pytest.mark.browser

MORE_PAGES = [module for module in page_modules() if module.PAGE.get("nav_group") == NAV_GROUP_MORE]
# One row: the navbar's padding around one line of links (it was 136 px, three lines, at 1,400 px).
ONE_LINE_MAX_HEIGHT = 64

# Every visible thing on the navbar's top level, with its box: one line means one shared row.
ROW_BOXES = """() => {
    const bar = document.querySelector('#shell-navbar');
    const items = [...bar.querySelectorAll(
        '.navbar-brand, #shell-demo-badge, #shell-alert-badge-link, .navbar-nav > .nav-item > .nav-link, '
        + '.nav-more > .dropdown-toggle, #shell-lang-lo, #shell-lang-en, #shell-account .dropdown-toggle')];
    return items.filter(el => el.checkVisibility()).map(el => {
        const box = el.getBoundingClientRect();
        return {what: el.id || el.className, top: box.top, bottom: box.bottom, middle: (box.top + box.bottom) / 2,
                right: box.right};
    });
}"""


def _assert_one_line(page, width: int, lang: str) -> None:
    """One row of items, no taller than one line, and nothing past the screen's right edge."""
    height = page.locator("#shell-navbar").bounding_box()["height"]
    boxes = page.evaluate(ROW_BOXES)
    middles = [box["middle"] for box in boxes]
    assert height <= ONE_LINE_MAX_HEIGHT, f"the navbar is {height:.0f} px high at {width} px ({lang}): {boxes}"
    assert max(middles) - min(middles) <= 8, f"the navbar's items are not on one row: {boxes}"
    assert max(box["right"] for box in boxes) <= width, f"the navbar reaches past the screen: {boxes}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1200, 1400])
@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_navbar_is_one_line_high(browser, live_server, lang, width):
    with watched_page(browser, live_server) as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{page.base_url}/?lang={lang}")
        page.wait_for_selector("#nav-map", state="visible")
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        screenshot(page, f"navbar-{width}-{lang}")
        assert not page.locator("#shell-nav-toggler").is_visible(), "the navbar is folded at this width"
        _assert_one_line(page, width, lang)
        # Every page still has its way in: the main ones in the row, the others under "More".
        more = page.locator(f"#{NAV_MORE}")
        assert more.locator(".dropdown-toggle").inner_text().strip() == t("nav.more", lang)
        for module in MORE_PAGES:
            name = module.__name__.rsplit(".", 1)[-1]
            if module.PAGE.get("role") == "coordinator" and page.locator(f"#nav-{name}").count() == 0:
                continue
            assert more.locator(f"#nav-{name}").text_content() == t(module.PAGE["title_key"], lang)


def test_more_opens_by_keyboard_marks_its_page_and_keeps_its_colours(browser, live_server):
    with watched_page(browser, live_server) as page:
        page.goto(f"{page.base_url}/?lang=en")
        page.wait_for_selector("#nav-map", state="visible")
        page.wait_for_load_state("networkidle")
        toggle = page.locator(f"#{NAV_MORE} > .dropdown-toggle")
        assert "active" not in (toggle.get_attribute("class") or "")
        assert not page.locator("#nav-review").is_visible()

        # The keyboard alone: Tab to "More", Enter opens it, the arrow moves into it, Enter follows.
        page.focus("#nav-phase2")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('dropdown-toggle')")
        page.keyboard.press("Enter")
        page.locator("#nav-review").wait_for(state="visible")
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {id: el.id, outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                    ring: style.outlineColor, text: style.color,
                    background: getComputedStyle(el).backgroundColor,
                    menu: getComputedStyle(el.closest('.dropdown-menu')).backgroundColor};
        }""")
        screenshot(page, "navbar-more-open-en")
        first = "nav-" + MORE_PAGES[0].__name__.rsplit(".", 1)[-1]
        assert focused["id"] == first, focused
        assert focused["outline"] == "solid" and focused["width"] >= 2, focused
        own = parse_colour(focused["background"])
        behind = own if own[3] > 0 else parse_colour(focused["menu"])  # a transparent item shows the menu
        assert contrast_ratio(parse_colour(focused["ring"]), behind) >= 3.0, focused
        assert contrast_ratio(parse_colour(focused["text"]), behind) >= 4.5, focused
        menu_link = page.evaluate("() => getComputedStyle(document.querySelector('#nav-about')).color")
        assert contrast_ratio(parse_colour(menu_link), parse_colour(focused["menu"])) >= 4.5

        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(MORE_PAGES[0].PAGE["path"]) + r"(\?|$)"))
        page.locator("#nav-review").wait_for(state="hidden")
        # On a page of the menu, "More" is marked like the current page's link (underlined, bold).
        page.wait_for_function(f"() => document.querySelector('#{NAV_MORE} > .dropdown-toggle').classList.contains('active')")
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('#{NAV_MORE} > .dropdown-toggle'))"
                             ".textDecorationLine") == "underline"
        current = page.locator(f"#{first}")
        assert current.get_attribute("aria-current") == "page"
        assert page.locator(f"#{NAV_MORE} [aria-current]").count() == 1
        toggle.click()
        current.wait_for(state="visible")
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('#{first}')).textDecorationLine") == "underline"
        screenshot(page, "navbar-more-page-en")
        page.keyboard.press("Escape")

        page.locator("#nav-map").click()
        page.wait_for_url(re.compile(r"/map(\?|$)"))
        page.wait_for_function(f"() => !document.querySelector('#{NAV_MORE} > .dropdown-toggle').classList.contains('active')")
        assert page.locator(f"#{NAV_MORE} [aria-current]").count() == 0


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_navbar_is_one_line_for_a_signed_in_administrator(browser, accounts_server, lang):
    # The widest navbar: accounts on (AUTH=on, so the demo label too) and the administrator's menu.
    with watched_page(browser, accounts_server) as page:
        page.set_viewport_size({"width": 1200, "height": 900})
        sign_in(page, "ana", lang)
        page.wait_for_selector("#nav-map", state="visible")
        page.evaluate("document.fonts.ready.then(() => true)")
        screenshot(page, f"navbar-1200-admin-{lang}")
        assert page.locator("#shell-account").is_visible() and page.locator("#nav-importer").count() == 1
        _assert_one_line(page, 1200, lang)
        # Users and Sign out are in the person's menu, which the keyboard opens and walks.
        page.locator("#shell-account .dropdown-toggle").focus()
        page.keyboard.press("Enter")
        page.locator("#nav-admin").wait_for(state="visible")
        header = page.locator("#shell-account .dropdown-header")
        assert "Ana Phommachanh" in header.inner_text() and t("access.role.admin", lang) in header.inner_text()
        colours = header.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el.closest('.dropdown-menu')).backgroundColor]")
        assert contrast_ratio(*(parse_colour(colour) for colour in colours)) >= 4.5, colours
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.id") == "shell-logout"
        screenshot(page, f"navbar-1200-admin-menu-{lang}")
        page.keyboard.press("Enter")
        page.wait_for_selector("#login-form")
