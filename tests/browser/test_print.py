"""Printing a page as a person does (Ctrl+P to PDF): no navbar or filters, a header saying what it shows, no chart cut off."""
import subprocess

import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser

# A4 is 210 mm wide; the print stylesheet leaves 12 mm each side: 186 mm at 96 px per inch.
A4_CONTENT_PX = int(186 / 25.4 * 96)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=60000)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_printing_trends_gives_clean_a4_pages_with_every_chart_inside(page, lang, tmp_path):
    page.set_default_timeout(60000)
    page.goto(page.base_url + f"/trends?lang={lang}")
    page.wait_for_function("() => document.querySelectorAll('#trends-disbursement-graph .main-svg').length > 0")
    _settled(page)
    screen_width = page.evaluate("() => document.querySelector('#trends-compliance-graph .main-svg').clientWidth")
    assert screen_width > A4_CONTENT_PX  # on screen the chart is wider than A4: printing must redraw it

    # What the browser does when a person prints: print media at the paper's width, then "beforeprint".
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(1500)
    assert not page.locator("#shell-navbar").is_visible()
    assert not page.locator("#shell-filter-bar").is_visible()
    assert not page.locator(".export-buttons").first.is_visible()
    header = page.locator("#shell-print-header")
    assert header.is_visible()
    header_text = header.inner_text()
    assert ("Lao PDR" if lang == "en" else "ສປປ ລາວ") in header_text
    assert page.locator("#shell-period-value").inner_text() in header_text

    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
        const svg = gd.querySelector('.main-svg'); const r = svg.getBoundingClientRect();
        return {id: gd.parentElement.id, left: r.left, right: r.right, width: r.width}; })""")
    assert len(boxes) >= 9
    for box in boxes:
        assert box["left"] >= 0 and box["right"] <= A4_CONTENT_PX + 1, box

    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    path = tmp_path / f"trends-{lang}.pdf"
    path.write_bytes(pdf)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert pages >= 4  # sections start on new pages
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(path), str(tmp_path / "page")], check=True)
    screenshot(page, f"print-trends-{lang}")
    for png in sorted(tmp_path.glob("page-*.png")):
        png.replace(f"tests/screenshots/print-trends-{lang}-{png.stem}.png")
