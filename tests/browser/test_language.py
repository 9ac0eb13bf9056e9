"""Every registered page in Lao, then switched to English: no untranslated text, choice remembered, bundled Lao font."""
import re

import pytest

from conftest import screenshot
from dashboard.pages import page_modules
from i18n import catalog, t
from i18n.check import catalog_leaks, has_lao_script, visible_message_keys

pytestmark = pytest.mark.browser

# Discovered, not listed: a page added tomorrow is checked tomorrow.
PAGE_MODULES = page_modules()
PAGES = [module.PAGE for module in PAGE_MODULES]
PAGE_NAMES = [module.__name__.rsplit(".", 1)[-1] for module in PAGE_MODULES]
LAO_FONT = "Noto Sans Lao"
# Dash's own English (dropdown search box, empty dropdown, loading, date picker): a Lao
# reader must not meet it; Dash lets every one of them be replaced (labels=, placeholder=).
LIBRARY_ENGLISH = ("Select...", "Search", "No options found", "Select All", "Deselect All", "Clear selection",
                   "Clear search", "Loading...", "Select Date",
                   # AG Grid (dash-ag-grid) overlays and pager; its localeText option translates them.
                   "No Rows To Show", "Page Size:")

SETTLED = """() => {
    const content = document.querySelector('#_pages_content');
    if (!content || content.childElementCount === 0) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    return [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd._fullLayout);
}"""

# What a reader sees, as two lists. "dom": every visible text node, tooltip and placeholder,
# and the text drawn inside charts. "figures": what chart legends and hover labels will show,
# line by line (hover labels name a place in both languages on purpose, so a figure line only
# counts when it is wholly a catalog text). Parts marked with another lang attribute (an
# English citation on the Lao About page) and the language switch (each language names
# itself) are left out.
VISIBLE_TEXTS = r"""(shown) => {
    const foreign = (el) => {
        const owner = el.closest('[lang]');
        return (owner && owner.getAttribute('lang') !== shown) || !!el.closest('#shell-lang-lo, #shell-lang-en');
    };
    const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
    const dom = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const owner = node.parentElement;
        const text = node.textContent.trim();
        if (text && owner && !['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(owner.tagName)
            && (owner.closest('svg') || visible(owner)) && !foreign(owner)) dom.push(text);
    }
    for (const el of document.querySelectorAll('[title], [placeholder]')) {
        if (visible(el) && !foreign(el)) {
            if (el.getAttribute('title')) dom.push(el.getAttribute('title'));
            if (el.getAttribute('placeholder')) dom.push(el.getAttribute('placeholder'));
        }
    }
    const strings = (value, out) => {
        if (typeof value === 'string') out.push(value);
        else if (Array.isArray(value) || ArrayBuffer.isView(value)) for (const item of value) strings(item, out);
        return out;
    };
    const figures = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        if (foreign(gd)) continue;
        for (const trace of gd.data || []) {
            strings([trace.name, trace.hovertemplate, trace.text, trace.hovertext, trace.customdata], figures);
        }
    }
    const lines = figures.flatMap(text => text.replace(/<br ?\/?>/g, '\n').replace(/<[^>]+>/g, '').split('\n'))
        .map(line => line.trim()).filter(line => line && !line.includes('%{'));
    return {dom, figures: lines};
}"""

FONT_STATE = """async () => {
    await document.fonts.ready;
    const faces = [];
    document.fonts.forEach(face => {
        if (face.family.replace(/["']/g, '') === 'Noto Sans Lao') faces.push({weight: face.weight, status: face.status});
    });
    return {check: document.fonts.check('16px "Noto Sans Lao"', 'ສະບາຍດີ'), faces,
            body: getComputedStyle(document.body).fontFamily};
}"""

FIGURE_FONTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(gd => gd._fullLayout && (gd.checkVisibility ? gd.checkVisibility() : gd.offsetParent !== null)).map(gd => ({
    graph: (gd.closest('[id]') || {}).id || '?',
    font: gd._fullLayout.font.family,
    hover: gd._fullLayout.hoverlabel.font.family,
    traces: (gd._fullData || []).map(trace => ((trace.hoverlabel || {}).font || {}).family || ''),
}))"""


def _settle(page) -> None:
    """Wait until the page and every callback it started are done, charts drawn, fonts loaded."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(SETTLED, timeout=30000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(SETTLED, timeout=30000)
    page.evaluate("document.fonts.ready.then(() => true)")


def _texts(page, lang: str) -> dict[str, list[str]]:
    return page.evaluate(VISIBLE_TEXTS, lang)


def _leaks(texts: dict[str, list[str]], lang: str) -> list[tuple[str, str]]:
    messages = catalog()
    found = catalog_leaks(texts["dom"], messages, lang) + catalog_leaks(texts["figures"], messages, lang, whole=True)
    return sorted(set(found))


def _shell_language(page) -> str:
    return page.evaluate("() => document.querySelector('#shell-navbar').closest('[lang]').getAttribute('lang')")


def _library_english(texts: dict[str, list[str]]) -> list[str]:
    lines = {line.strip() for text in texts["dom"] for line in text.splitlines()}
    return [text for text in LIBRARY_ENGLISH if text in lines]


def _navbar_links(page) -> list[str]:
    """The texts of the navbar's page links, those under the closed "More" menu included."""
    return page.evaluate("() => [...document.querySelectorAll('#shell-navbar .nav-link, #shell-navbar .dropdown-item')]"
                         ".map(el => el.textContent.trim())")


def _language_cookie(page) -> str | None:
    return {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}.get("lang")


def _raw_keys(texts: dict[str, list[str]]) -> list[str]:
    """Message keys on screen instead of text (a key missing from every catalog)."""
    namespaces = {key.split(".", 1)[0] for key in catalog()} | set(PAGE_NAMES) | {"nav"}
    return visible_message_keys(texts["dom"] + texts["figures"], namespaces)


def _leak_report(leaks) -> str:
    return "\n  " + "\n  ".join(f"{key}: {text!r}" for key, text in leaks)


def _assert_lao_font_in_use(page, font_responses: list[tuple[str, int]]) -> None:
    state = page.evaluate(FONT_STATE)
    assert state["body"].strip("'\" ").startswith(LAO_FONT), state["body"]
    assert state["check"] is True, "document.fonts.check says Noto Sans Lao is not ready for Lao text"
    assert any(face["status"] == "loaded" for face in state["faces"]), f"Noto Sans Lao faces: {state['faces']}"
    served = [url for url, status in font_responses
              if url.startswith(page.base_url + "/assets/fonts/NotoSansLao") and status in (200, 304)]
    assert served, f"the Lao font was not fetched from {page.base_url}/assets/fonts: {font_responses}"
    for figure in page.evaluate(FIGURE_FONTS):
        assert LAO_FONT in figure["font"], f"{figure['graph']}: layout font {figure['font']!r}"
        assert LAO_FONT in figure["hover"], f"{figure['graph']}: hover label font {figure['hover']!r}"
        assert all(LAO_FONT in family for family in figure["traces"]), f"{figure['graph']}: {figure['traces']}"


def _text_problems(texts: dict[str, list[str]], lang: str, where: str) -> list[str]:
    """Everything on the page that is not in the page's language, one message per kind."""
    problems = []
    raw_keys = _raw_keys(texts)
    if raw_keys:
        problems.append(f"{where} shows message keys that no catalog defines: {raw_keys}")
    library = _library_english(texts) if lang == "lo" else []
    if library:
        problems.append(f"{where} shows the English built into Dash / AG Grid: {library}")
    leaks = _leaks(texts, lang)
    if leaks:
        problems.append(f"{where} shows text of the other language:" + _leak_report(leaks))
    return problems


@pytest.mark.parametrize("spec", PAGES, ids=PAGE_NAMES)
def test_page_in_lao_then_switched_to_english(page, spec):
    # Problems are collected, not asserted one by one, so that both screenshots are always taken
    # and one run lists everything wrong with the page.
    name = PAGE_NAMES[PAGES.index(spec)]
    font_responses: list[tuple[str, int]] = []
    page.on("response", lambda response: font_responses.append((response.url, response.status))
            if "/fonts/" in response.url else None)

    page.goto(f"{page.base_url}{spec['path']}?lang=lo")
    _settle(page)
    screenshot(page, f"language-{name}-lo")
    assert _shell_language(page) == "lo"
    lao_texts = _texts(page, "lo")
    problems = _text_problems(lao_texts, "lo", f"{spec['path']}?lang=lo")
    # The page's link: in the row, or under "More" (closed, so not among the visible texts).
    if spec.get("show_in_nav", True) and t(spec["title_key"], "lo") not in _navbar_links(page):
        problems.append(f"{spec['path']}?lang=lo: the navbar lacks {t(spec['title_key'], 'lo')!r}")
    _assert_lao_font_in_use(page, font_responses)

    page.click("#shell-lang-en")
    page.wait_for_url(re.compile(r"[?&]lang=en"))
    _settle(page)
    screenshot(page, f"language-{name}-en")
    assert _shell_language(page) == "en"
    assert _language_cookie(page) == "en"
    english_texts = _texts(page, "en")
    problems += _text_problems(english_texts, "en", f"{spec['path']}?lang=en")
    navbar = page.locator("#shell-navbar").inner_text()
    if t("shell.brand_short", "en") not in navbar or t("shell.brand_short", "lo") in navbar:
        problems.append(f"{spec['path']}?lang=en: the navbar is not in English: {navbar!r}")
    if spec.get("show_in_nav", True) and t(spec["title_key"], "en") not in _navbar_links(page):
        problems.append(f"{spec['path']}?lang=en: the navbar lacks {t(spec['title_key'], 'en')!r}")
    still_lao = sorted({text for text in lao_texts["dom"] if has_lao_script(text)} & set(english_texts["dom"]))
    if still_lao:
        problems.append(f"{spec['path']}?lang=en still shows the Lao view's text: {still_lao[:10]}")
    assert not problems, "\n".join(problems)


def test_the_chosen_language_is_remembered_across_pages_and_reloads(page):
    # The live server's DEFAULT_LANGUAGE is English, so Lao on a page opened without ?lang=
    # can only come from the remembered choice.
    page.goto(f"{page.base_url}/?lang=en")
    _settle(page)
    page.click("#shell-lang-lo")
    page.wait_for_url(re.compile(r"[?&]lang=lo"))
    _settle(page)
    assert _shell_language(page) == "lo"
    assert _language_cookie(page) == "lo"

    in_nav = [(spec, name) for spec, name in zip(PAGES, PAGE_NAMES) if spec.get("show_in_nav", True) and spec["path"] != "/"]
    target, target_name = in_nav[0] if in_nav else (next(spec for spec in PAGES if spec["path"] == "/about"), "about")
    if in_nav:
        page.click(f"#nav-{target_name}")  # navigation inside the app, no page load
    else:
        page.click("footer a[href='/about']")
    page.wait_for_url(re.compile(re.escape(target["path"]) + r"$"))
    _settle(page)
    content = page.locator("#_pages_content").inner_text()
    assert has_lao_script(content), f"{target['path']} after navigating: {content[:200]!r}"

    page.goto(f"{page.base_url}{target['path']}")
    _settle(page)
    assert _shell_language(page) == "lo"
    assert has_lao_script(page.locator("#_pages_content").inner_text())
    screenshot(page, f"language-remembered-{target_name}-lo")

    page.reload()
    _settle(page)
    assert _shell_language(page) == "lo"
    assert t("shell.brand_short", "lo") in page.locator("#shell-navbar").inner_text()


def test_the_shell_dropdowns_speak_lao_when_opened(page):
    page.goto(f"{page.base_url}/?lang=lo")
    _settle(page)
    page.locator("#shell-province").click()
    page.get_by_role("option", name=t("common.all_provinces", "lo")).wait_for()
    texts = _texts(page, "lo")
    screenshot(page, "language-dropdown-open-lo")
    assert not _library_english(texts), f"the open province list shows Dash's English: {_library_english(texts)}"
