"""The mission report's Phase II section: the /phase2 page's own proposal and its total cost, in both languages."""
import io

import pytest
from openpyxl import load_workbook

from callbacks.phase2 import _proposal
from i18n import t
from layouts.phase2_panels import COST_LAK, COST_USD, costs_panel
from pdf_text import pdf_text, squeezed
from reports.mission import make_report
from reports.mission_phase2 import parse_selection
from reports.static_html import text_of

AS_OF = "2022-11"
# Two hand-picked districts and a third from another province; weights off the page's defaults.
CHOICE = "w=40,30,30&n=12&pick=0201,0207,0303"


class _Store:
    """The page's store as its callbacks see it: read(query, *args) on a connection."""

    def __init__(self, engine):
        self.engine = engine

    def read(self, query, *args):
        with self.engine.connect() as conn:
            return query(conn, *args)


def _page_figure(proposal: dict, element_id: str, lang: str) -> str:
    """The text the /phase2 page shows in one of its cost figures (the page's own panel)."""
    def find(node):
        if getattr(node, "id", None) == element_id:
            return node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else ([children] if children is not None else []):
            found = find(child)
            if found is not None:
                return found
        return None
    for node in costs_panel(proposal, lang, False):
        found = find(node)
        if found is not None:
            return " ".join(text_of(found))
    raise AssertionError(element_id)


@pytest.fixture(scope="module")
def made(request):
    from data_access.database import make_engine

    engine = make_engine(request.getfixturevalue("sqlite_demo_url"))
    store = _Store(engine)
    reports = {lang: make_report(store.read, "07", AS_OF, lang, phase2=parse_selection(CHOICE)) for lang in ("en", "lo")}
    yield reports, store
    engine.dispose()


def _page_proposal(store, query: str) -> dict:
    """What the /phase2 page computes for the address query: the page's parser, then its callback's _proposal."""
    choice = parse_selection(query)
    weights = choice["weights"]
    proposal, _inputs, _settings = _proposal(store, AS_OF, weights, choice["n"],
                                             ["exclude"] if choice["exclude"] else [], choice["ticked"])
    return proposal


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_section_has_its_title_and_the_pages_total_cost(made, lang):
    reports, store = made
    proposal = _page_proposal(store, CHOICE)
    assert list(proposal["selected"]["district_code"]) == ["0201", "0207", "0303"]
    text = squeezed(pdf_text(reports[lang].pdf))
    assert squeezed(t("report.section_phase2", lang)) in text
    lak, usd = _page_figure(proposal, COST_LAK, lang), _page_figure(proposal, COST_USD, lang)
    assert squeezed(lak) in text and squeezed(usd) in text, (lak, usd)
    for code in ("0201", "0207", "0303"):
        assert code in text
    assert squeezed(t("phase2.demo_inputs", lang)) in text


def test_other_weights_change_the_section_as_they_change_the_page(made):
    """Without a selection the section is the page's default top N: its cost differs from the hand pick's."""
    reports, store = made
    default = _page_proposal(store, "")
    assert default["mode"] == "top" and len(default["selected"]) == default["n"]
    hand = _page_proposal(store, CHOICE)
    assert default["totals"]["cost_lak"] != hand["totals"]["cost_lak"]
    text = squeezed(pdf_text(reports["en"].pdf))
    assert squeezed(_page_figure(hand, COST_LAK, "en")) in text
    assert squeezed(_page_figure(default, COST_LAK, "en")) not in text


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_workbook_phase2_sheet_keeps_codes_as_text(made, lang):
    reports, store = made
    workbook = load_workbook(io.BytesIO(reports[lang].xlsx))
    sheet = workbook[t("report.phase2_sheet", lang)]
    rows = list(sheet.iter_rows(min_row=2))
    codes = [row[1] for row in rows[:-1]]
    assert [cell.value for cell in codes] == ["0201", "0207", "0303"]
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in codes)
    proposal = _page_proposal(store, CHOICE)
    # the totals row carries the page's total cost (the number, not its text)
    assert rows[-1][7].value == proposal["totals"]["cost_lak"]
    assert workbook[t("report.phase2_parameters_sheet", lang)].max_row > 5


@pytest.mark.parametrize("query, expected", [
    ("", {"n": 12, "ticked": None, "exclude": True}),
    ("?w=50,25,25&n=20", {"n": 20, "ticked": None}),
    ("w=50,25,25&n=12&pick=0201,0207", {"ticked": ["0201", "0207"]}),
    ("pick=", {"ticked": []}),
    ("pick=02;DROP,0201,12345&n=abc&w=1,2", {"ticked": ["0201"], "n": 12, "weights": {"stunting": 50, "poverty": 25,
                                                                                     "coverage": 25}}),
    ("x1=0", {"exclude": False}),
])
def test_phase2_option_is_read_as_the_page_reads_its_address(query, expected):
    choice = parse_selection(query)
    for key, value in expected.items():
        assert choice[key] == value, (query, key)


def test_cli_takes_the_phase2_selection(sqlite_demo_url, tmp_path, monkeypatch):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    out = tmp_path / "report.pdf"
    assert main(["report", "--as-of", AS_OF, "--scope", "0707", "--lang", "en", "--out", str(out),
                 "--phase2", "w=50,25,25&n=12&pick=0201,0207"]) == 0
    sheet = load_workbook(tmp_path / "report.xlsx")[t("report.phase2_sheet", "en")]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)][:-1] == ["0201", "0207"]
