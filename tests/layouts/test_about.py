"""About page: what the tool is, credits for every boundary source, the demo notice, the font, the glossary."""
import builtins
import io
from pathlib import Path

import flask
import pytest

from i18n import t
from i18n.glossary import glossary
from layouts import about

REPO = Path(__file__).resolve().parents[2]


def _render(lang: str):
    app = flask.Flask(__name__)
    with app.test_request_context(f"/about?lang={lang}"):
        return about.layout()


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None:
        yield from _walk(children)


def _text(component) -> str:
    return " ".join(node for node in _walk(component) if isinstance(node, str))


def _by_id(tree, component_id):
    return next(node for node in _walk(tree) if getattr(node, "id", None) == component_id)


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_about_credits_every_boundary_source_and_the_font(lang):
    text = _text(_render(lang))
    for credit in ("geoBoundaries", "Runfola", "e0231866", "CC BY 4.0", "OCHA", "HDX", "cod-ab-lao",
                   "nipndri/mapjsfiles", "MIT", "DraKenDevOps/vaccine-register-ng12", "Noto Sans Lao",
                   "SIL Open Font License 1.1"):
        assert credit in text, f"{credit!r} missing from the About page ({lang})"
    assert t("shell.footer", lang) in text


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_about_explains_the_demo_label(lang):
    text = _text(_render(lang))
    assert t("about.demo_heading", lang) in text
    assert t("shell.demo_badge", lang) in text


def test_about_is_in_the_readers_language():
    lao, english = _render("lo"), _render("en")
    assert _by_id(lao, about.TITLE).children == "ກ່ຽວກັບລະບົບຕິດຕາມນີ້"
    assert _by_id(english, about.TITLE).children == "About this dashboard"


@pytest.mark.parametrize("lang, other", [("lo", "en"), ("en", "lo")])
def test_the_glossary_table_lists_every_term_in_both_languages_reader_first(lang, other):
    table = _by_id(_render(lang), about.GLOSSARY_TABLE)
    header, body = table.children
    assert [cell.children for cell in header.children.children] == [t(f"about.col_{lang}", lang),
                                                                     t(f"about.col_{other}", lang)]
    rows = body.children
    assert len(rows) == len(glossary())
    for row, term in zip(rows, glossary()):
        first, second = row.children
        assert (first.children, first.lang) == (getattr(term, lang), lang)
        assert (second.children, second.lang) == (getattr(term, other), other)


def test_citations_are_marked_as_english_on_the_lao_page():
    tree = _render("lo")
    citations = [node for node in _walk(tree) if getattr(node, "children", None) == about.GEOBOUNDARIES]
    assert citations and all(node.lang == "en" for node in citations)


def test_about_reads_nothing_outside_the_repository(monkeypatch):
    opened = []
    real_open = builtins.open
    real_io_open = io.open

    def recording_open(file, *args, **kwargs):
        opened.append(Path(file).resolve())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    glossary.cache_clear()
    try:
        _render("lo")
    finally:
        monkeypatch.setattr(io, "open", real_io_open)
        glossary.cache_clear()
    assert opened, "the glossary should have been read from i18n/glossary.csv"
    outside = [path for path in opened if REPO not in path.parents]
    assert not outside, f"the About page read files outside the repository: {outside}"


def test_about_page_is_registered_at_about_with_the_shared_title():
    assert about.PAGE["path"] == "/about"
    assert about.PAGE["title_key"] == "nav.about"
    assert about.PAGE["order"] == 90
