"""Chart images made on the server: every report chart is drawn, non-blank, with its title and context in the image."""
import html
import io

import pytest
from PIL import Image

from i18n import t
from reports.images import ImageContext, figure_image, framed_figure
from reports.mission_data import collect
from reports.mission_pdf import chart_figures

AS_OF = "2022-11"


@pytest.fixture(scope="module")
def figures(request):
    from data_access.database import make_engine

    engine = make_engine(request.getfixturevalue("sqlite_demo_url"))

    def read(query, *args):
        with engine.connect() as conn:
            return query(conn, *args)

    made = {lang: chart_figures(collect(read, "07", AS_OF, lang), lang) for lang in ("en", "lo")}
    engine.dispose()
    return made


def _context(title: str, lang: str, is_demo: bool = True) -> ImageContext:
    return ImageContext(title=title, place="ຫົວພັນ" if lang == "lo" else "Houaphan", period="Nov 2022",
                        source="demo <file>&1", is_demo=is_demo, lang=lang)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_every_report_chart_is_drawn_with_its_title_place_source_and_demo_label(figures, lang):
    assert set(figures[lang]) >= {"stunting", "compliance", "registrations", "steps", "budget"}
    for name, (figure, title) in figures[lang].items():
        svg = figure_image(figure, _context(title, lang), "svg").decode("utf-8")
        assert svg.lstrip().startswith("<svg"), name
        plain = svg.replace("&amp;", "&")
        assert title in plain, name
        assert ("ຫົວພັນ" if lang == "lo" else "Houaphan") in plain
        assert t("shell.demo_badge", lang) in plain
        # the source is drawn as text, never parsed as markup
        assert "demo <file>&1" in html.unescape(svg) and "<file>" not in svg


def test_a_png_is_non_blank_and_has_dark_title_text_at_the_top(figures):
    figure, title = figures["lo"]["compliance"]
    image = Image.open(io.BytesIO(figure_image(figure, _context(title, "lo"), "png", width=900))).convert("L")
    assert image.size[0] == 900 * 2
    low, high = image.getextrema()
    assert low < 60 and high == 255
    title_band = image.crop((0, 0, image.size[0] // 2, int(image.size[1] * 0.07)))
    assert title_band.getextrema()[0] < 80


def test_framing_never_changes_the_pages_figure(figures):
    figure, title = figures["en"]["budget"]
    before = figure.to_json()
    framed = framed_figure(figure, _context(title, "en"))
    assert figure.to_json() == before
    assert framed.layout.title.text == f"<b>{title}</b>"
    assert framed.layout.height > (figure.layout.height or 0)


def test_real_data_has_no_demo_label(figures):
    figure, title = figures["en"]["steps"]
    svg = figure_image(figure, _context(title, "en", is_demo=False), "svg").decode("utf-8")
    assert t("shell.demo_badge", "en") not in svg


def test_unknown_format_is_refused(figures):
    figure, title = figures["en"]["steps"]
    with pytest.raises(ValueError):
        figure_image(figure, _context(title, "en"), "gif")
