"""The mission report's "Agreed actions and their status": the register as of the review day, in the PDF
(read back with pdftotext) and in the workbook, in English and Lao."""
import io

import pytest
from openpyxl import load_workbook

from i18n import t
from pdf_text import pdf_text, squeezed
from reports.mission import make_report
from reports.mission_actions import collect_actions, counts, section
from reports.mission_pdf import pdf_bytes

AS_OF = "2022-11"


def _reader(engine):
    def read(query, *args):
        with engine.connect() as conn:
            return query(conn, *args)
    return read


@pytest.fixture(scope="module")
def engine(request):
    from data_access.database import make_engine

    engine = make_engine(request.getfixturevalue("sqlite_demo_url"))
    yield engine
    engine.dispose()


def test_the_whole_report_has_the_section_with_each_actions_status_then(engine):
    report = make_report(_reader(engine), None, AS_OF, "en")
    text = pdf_text(report.pdf)
    assert "Agreed actions and their status" in text
    # As of 30 Nov 2022 (the PMT survey was done only in Feb 2023): 7 actions, 2 overdue.
    assert "7 actions: 5 open, 2 in progress, 0 done, 0 dropped; 2 overdue." in " ".join(text.split())
    folded = squeezed(text)
    assert squeezed("Overdue by 61 days") in folded and squeezed("Due in 15 days") in folded
    assert squeezed("CCT payments follow the annual plan") in folded
    workbook = load_workbook(io.BytesIO(report.xlsx))
    sheet = workbook[t("actions.report_section", "en")[:31]]
    headers = [cell.value for cell in sheet[1]]
    statuses = [row[headers.index("Status")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(statuses) == ["In progress"] * 2 + ["Open"] * 5
    places = [row[headers.index("Place code")] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in places if cell.value} == {"02", "04", "07", "09"}
    assert all(cell.number_format == "@" for cell in places if cell.value)


def test_the_lao_section_reads_back_from_its_pdf(engine):
    actions = collect_actions(_reader(engine), "07", AS_OF)
    assert counts(actions["register"])["total"] == 1
    html = ('<!DOCTYPE html><html lang="lo"><head><meta charset="utf-8"><style>@font-face{font-family:"Noto Sans Lao";'
            'src:url("assets/fonts/NotoSansLao-Regular.ttf")} body{font-family:"Noto Sans Lao"}</style></head><body>'
            + section(actions, "lo") + "</body></html>")
    text = pdf_text(pdf_bytes(html))
    assert squeezed(t("actions.report_section", "lo")) in squeezed(text)
    assert squeezed("ແກ້ໄຂຂໍ້ບົກຜ່ອງ") in squeezed(text)
    assert squeezed(t("actions.status_open", "lo")) in squeezed(text)


def test_a_place_without_actions_says_so(engine):
    actions = collect_actions(_reader(engine), "0707", "2022-04")
    assert actions["register"].empty
    assert t("actions.report_none", "en") in section(actions, "en")
