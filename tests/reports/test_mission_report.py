"""The mission report on both databases: its text carries the pages' numbers, its workbook keeps codes as text."""
import io

import pytest
from openpyxl import load_workbook

from data_access.queries.overview import headline_figures
from data_access.queries.targets import progress_table
from i18n import format_number, localized, t
from layouts.targets import grid_rows
from pdf_text import pdf_text, squeezed
from reports.mission import make_report
from reports.mission_data import previous_period

AS_OF = "2022-11"


def _reader(engine):
    def read(query, *args):
        with engine.connect() as conn:
            return query(conn, *args)
    return read


@pytest.fixture(scope="module")
def reports(request):
    """Houaphan's report in both languages on SQLite (built once: each takes seconds)."""
    from data_access.database import make_engine

    engine = make_engine(request.getfixturevalue("sqlite_demo_url"))
    steps = []
    made = {lang: make_report(_reader(engine), "07", AS_OF, lang, lambda step, pct: steps.append((step, pct)))
            for lang in ("en", "lo")}
    yield made, steps, engine
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_report_text_has_every_framework_indicator_and_its_grid_values(reports, lang):
    made, _steps, engine = reports
    text = squeezed(pdf_text(made[lang].pdf))
    frame = _reader(engine)(progress_table, "07", AS_OF, None)
    rows = grid_rows(frame, localized({"name_en": "Houaphan", "name_lo": "ຫົວພັນ"}, lang), lang)
    assert rows
    for row in rows:
        assert squeezed(row["indicator"]) in text, row["indicator"]
        assert squeezed(row["status"]) in text, row["status"]
        if row["actual_text"] != t("common.no_data", lang):
            assert squeezed(row["actual_text"]) in text, (row["indicator"], row["actual_text"])
    assert squeezed(t("report.title", lang)) in text
    assert squeezed(t("shell.demo_badge", lang)) in text


def test_lao_report_is_lao_text_not_mojibake(reports):
    made, _steps, _engine = reports
    text = pdf_text(made["lo"].pdf)
    assert "ຫົວພັນ" in text and "ເງື່ອນໄຂ" in text
    assert "à»" not in text  # UTF-8 Lao read as Latin-1


def test_headline_changes_compare_with_the_previous_semester(reports):
    made, _steps, engine = reports
    read = _reader(engine)
    now = read(headline_figures, "07", AS_OF)["registered"]["value"]
    before = read(headline_figures, "07", previous_period(AS_OF))["registered"]["value"]
    assert previous_period(AS_OF) == "2022-05"
    text = squeezed(pdf_text(made["en"].pdf))
    sign = "+" if now > before else ("−" if now < before else "±")
    assert squeezed(f"{format_number(before, 'en')}{format_number(now, 'en')}{sign}{format_number(abs(now - before), 'en')}") in text


def test_progress_is_reported_in_order_and_ends_done(reports):
    _made, steps, _engine = reports
    percents = [pct for _step, pct in steps[: len(steps) // 2]]
    assert percents == sorted(percents) and steps[len(steps) // 2 - 1] == ("done", 100)


def test_workbook_has_a_filled_cover_and_codes_as_text(reports):
    made, _steps, _engine = reports
    workbook = load_workbook(io.BytesIO(made["lo"].xlsx))
    cover = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)}
    assert cover[t("export.note_place", "lo")] == "ຫົວພັນ"
    assert cover[t("export.note_demo", "lo")] and cover[t("export.note_source", "lo")]
    assert cover[t("export.note_completeness", "lo")] and cover[t("export.note_exported", "lo")]
    waiting = workbook[t("trends.backlog_card", "lo")[:31]]
    cells = [row[0] for row in waiting.iter_rows(min_row=2)]
    assert cells and all(cell.data_type == "s" and cell.value.startswith("07") and cell.number_format == "@"
                         for cell in cells)
    assert made["lo"].pdf_name == "Houaphan_2022-11_mission-report-lo.pdf"
    assert made["lo"].xlsx_name.endswith(".xlsx")


def test_report_runs_on_both_backends_for_a_district_and_the_country(demo_engine):
    read = _reader(demo_engine)
    for scope in ("0707", None):
        result = make_report(read, scope, AS_OF, "en")
        assert result.pdf.startswith(b"%PDF") and len(result.pdf) > 20_000
        text = pdf_text(result.pdf)
        assert ("Sopbao" if scope else "Lao PDR") in text


def test_cli_writes_the_pdf_and_the_workbook(sqlite_demo_url, tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    out = tmp_path / "report.pdf"
    assert main(["report", "--as-of", AS_OF, "--scope", "07", "--lang", "lo", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert load_workbook(tmp_path / "report.xlsx").worksheets[0].title == t("export.notes_sheet", "lo")
    assert main(["report", "--as-of", "2022-13", "--out", str(out)]) == 2
    assert main(["report", "--as-of", AS_OF, "--scope", "99", "--out", str(out)]) == 2
    assert "no province or district" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_alerts_section_has_the_overviews_alerts_with_their_numbers(reports, lang):
    """The Overview's own alerts (alerts_for, the function its callback calls) for the scope and
    month: each sentence, carrying its figures, and its severity are in the PDF, most serious first."""
    from data_access.queries.alerts import alerts_for

    made, _steps, engine = reports
    alerts = _reader(engine)(alerts_for, "07", AS_OF, lang)
    assert not alerts.empty, "the demo should raise alerts in Houaphan for Nov 2022"
    text = squeezed(pdf_text(made[lang].pdf))
    assert squeezed(t("alerts.title", lang)) in text
    positions = []
    for alert in alerts.to_dict("records"):
        sentence = squeezed(alert["sentence"])
        assert sentence in text, alert["sentence"]
        assert squeezed(t(f"alerts.severity_{alert['severity']}", lang) + alert["sentence"]) in text
        positions.append(text.index(sentence))
    assert positions == sorted(positions)
    # the section comes before the headline figures, as on the Overview
    assert positions[0] < text.index(squeezed(t("report.section_headline", lang)))


def test_workbook_alerts_sheet_lists_the_same_alerts_with_codes_as_text(reports):
    from data_access.queries.alerts import alerts_for

    made, _steps, engine = reports
    alerts = _reader(engine)(alerts_for, "07", AS_OF, "lo")
    sheet = load_workbook(io.BytesIO(made["lo"].xlsx))[t("mission.sheet_alerts", "lo")]
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[1].value for row in rows] == list(alerts["sentence"])
    assert [row[0].value for row in rows] == [t(f"alerts.severity_{s}", "lo") for s in alerts["severity"]]
    assert all(row[2].data_type == "s" and row[2].value.startswith("07") for row in rows)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_key_map_is_in_the_report_beside_the_trends(reports, lang, tmp_path):
    import shutil
    import subprocess

    made, _steps, _engine = reports
    text = squeezed(pdf_text(made[lang].pdf))
    assert squeezed(t("report.section_charts", lang)) in text and squeezed(t("mission.map_note", lang)) in text
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages (poppler-utils) is missing")
    listing = subprocess.run(["pdfimages", "-list", "-", ], input=made[lang].pdf, capture_output=True).stdout
    if not listing:  # older poppler reads only files
        path = tmp_path / "report.pdf"
        path.write_bytes(made[lang].pdf)
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True).stdout
    images = [line for line in listing.decode().splitlines()[2:] if " image " in line]
    # the map, stunting, compliance, registrations, payment steps and budget charts (no alpha masks: RGB)
    assert len(images) >= 6, listing.decode()
