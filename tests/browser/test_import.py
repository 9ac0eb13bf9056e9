"""Import page in a browser: upload, read the report, import the valid rows, roll back; Lao; limits; templates."""
import io
import sqlite3

import openpyxl
import pytest

from conftest import LiveServer, screenshot, watched_page
from data.importer_db import DATA_DIR, sqlite_template_path
from data.make_hostile import HOSTILE

pytestmark = pytest.mark.browser

UPLOAD_INPUT = "#importer-upload input[type=file]"
MAX_UPLOAD_MB = "0.05"


@pytest.fixture
def import_server(tmp_path):
    """The dashboard on a private copy of the test-scale demo: these tests import and roll back."""
    from dashboard.app import create_app

    path = tmp_path / "import.sqlite"
    source, target = sqlite3.connect(sqlite_template_path()), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "CACHE_URL": "simple", "DEFAULT_LANGUAGE": "en",
                      "MAX_UPLOAD_MB": MAX_UPLOAD_MB})
    with LiveServer(app) as server:
        yield server


@pytest.fixture(autouse=True)
def no_history_check(monkeypatch):
    """The corpus pays 38 beneficiaries in villages where the test-scale demo pays a handful a month: the
    plausibility warning (tests/data_access/test_plausibility.py) would join every problem list these tests read.
    The server runs in this process, so the setting reaches it."""
    from data_access.importers import plausibility

    monkeypatch.setattr(plausibility, "MIN_REPORTS", 10 ** 9)


@pytest.fixture
def import_page(browser, import_server):
    with watched_page(browser, import_server) as page:
        yield page


def open_import_page(page, lang: str) -> None:
    page.goto(f"{page.base_url}/import?lang={lang}")
    page.wait_for_selector("#importer-batches")
    page.wait_for_load_state("networkidle")


def headline(page) -> str:
    return page.locator("#importer-headline").inner_text()


def test_upload_a_bad_file_import_its_valid_rows_then_roll_back(import_page):
    page = import_page
    open_import_page(page, "en")
    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "bad_numerator_gt_denominator.csv"))
    page.wait_for_selector("#importer-problems")
    assert "rows with errors: 1 (errors: 1); valid rows: 2 of 3" in headline(page)
    problem = page.locator("#importer-problems tbody tr")
    assert problem.count() == 1
    assert problem.get_attribute("data-rule") == "numerator_exceeds_denominator"
    cells = problem.locator("td").all_inner_texts()
    assert cells[:3] == ["3", "numerator", "50"]
    assert "larger than the denominator 45" in cells[3]
    assert page.locator("#importer-confirm").is_disabled()
    screenshot(page, "import-dry-run-report-en")

    page.locator("#importer-accept-valid").check()
    page.wait_for_function("!document.querySelector('#importer-confirm').disabled")
    assert page.locator("#importer-confirm").inner_text() == "Import 2 rows"
    page.locator("#importer-confirm").click()
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('imported as batch')")
    assert "imported as batch 2, without the rows with errors (1). Rows added: 1, replaced: 1" in headline(page)
    page.wait_for_selector("#importer-batches tr[data-batch='2']")
    batch_row = page.locator("#importer-batches tr[data-batch='2']")
    assert "bad_numerator_gt_denominator.csv" in batch_row.inner_text() and "imported" in batch_row.inner_text()
    screenshot(page, "import-applied-en")

    page.once("dialog", lambda dialog: dialog.accept())
    batch_row.get_by_role("button", name="Roll back").click()
    page.wait_for_selector("#importer-message")
    assert "Batch 2 (bad_numerator_gt_denominator.csv) was rolled back" in page.locator("#importer-message").inner_text()
    page.wait_for_function(
        "document.querySelector(\"#importer-batches tr[data-batch='2']\").innerText.includes('rolled back')")
    assert batch_row.get_by_role("button", name="Roll back").count() == 0
    screenshot(page, "import-rolled-back-en")


def test_the_page_and_its_report_in_lao(import_page):
    page = import_page
    open_import_page(page, "lo")
    assert page.locator("#importer-title").inner_text() == "ນຳເຂົ້າຂໍ້ມູນ"
    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "bad_period_type.csv"))
    page.wait_for_selector("#importer-problems")
    assert "ແຖວທີ່ມີຂໍ້ຜິດພາດ: 4 (ຂໍ້ຜິດພາດ: 4)" in headline(page)
    first = page.locator("#importer-problems tbody tr").first.locator("td").all_inner_texts()
    assert first[:3] == ["3", "period", "2023-Q2"] and "ໄຕມາດ" in first[3]
    screenshot(page, "import-dry-run-report-lo")

    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "indicators_lao.csv"))
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('indicators_lao.csv')")
    assert "ແຖວທີ່ຖືກຕ້ອງ: 4 ຈາກ 4" in headline(page)
    page.wait_for_function("!document.querySelector('#importer-confirm').disabled")
    page.locator("#importer-confirm").click()
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('ເປັນຊຸດ')")
    assert "ນຳເຂົ້າ indicators_lao.csv ເປັນຊຸດ 2 ແລ້ວ" in headline(page)
    page.wait_for_selector("#importer-batches tr[data-batch='2']")
    screenshot(page, "import-applied-lo")


def test_a_village_layer_report_shows_its_data_quality(import_page):
    page = import_page
    open_import_page(page, "en")
    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "bad_villages.geojson"))
    page.wait_for_selector("#importer-problems")
    facts = page.locator("#importer-report-body dl").inner_text()
    assert "Villages outside their district\n2" in facts and "Codes matching no district\n1" in facts
    rules = [row.get_attribute("data-rule") for row in page.locator("#importer-problems tbody tr").all()]
    assert rules == ["village_outside_district", "village_outside_district", "unknown_district",
                     "invalid_village_code"]
    page.locator("#importer-accept-valid").check()
    page.wait_for_function("!document.querySelector('#importer-confirm').disabled")
    page.locator("#importer-confirm").click()
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('imported as batch')")
    # The stored report comes back from the history, data-quality findings included.
    page.locator("#importer-upload input[type=file]").set_input_files(str(DATA_DIR / "indicators_good.csv"))
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('indicators_good.csv')")
    page.locator("#importer-batches tr[data-batch='2']").get_by_role("button", name="Report").click()
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('bad_villages.geojson')")
    assert page.locator("#importer-problems tbody tr").count() == 4
    screenshot(page, "import-village-quality-en")


def test_a_file_over_the_limit_is_refused_in_the_browser(import_page, tmp_path):
    page = import_page
    big = tmp_path / "big.csv"
    lines = ["indicator_code,admin_code,period,value"] + ["CCT_PAID,0703001,2023-05,1"] * 2500
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sent = []
    page.on("request", lambda request: sent.append(len(request.post_data or ""))
            if "_dash-update-component" in request.url else None)
    open_import_page(page, "en")
    page.set_input_files(UPLOAD_INPUT, str(big))
    page.wait_for_function("document.querySelector('#importer-size-message').innerText.length > 0")
    message = page.locator("#importer-size-message").inner_text()
    assert message.startswith("The file is 0.1 MB; the largest accepted is 0.05 MB.")
    page.wait_for_timeout(300)
    assert max(sent, default=0) < 10_000, "the oversized file was sent to the server"
    assert page.locator("#importer-headline").count() == 0
    screenshot(page, "import-too-large-en")


def test_download_a_project_template(import_page):
    page = import_page
    open_import_page(page, "en")
    page.wait_for_selector("#importer-templates button")
    with page.expect_download() as download:
        page.locator("#importer-templates button", has_text="SUWASH").click()
    assert download.value.suggested_filename == "import-template-suwash.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames[0] == "data"
    codes = [row[0].value for row in book["indicators - ຕົວຊີ້ວັດ"].iter_rows(min_row=2)]
    assert codes and all(code.startswith("SUWASH_") for code in codes)


def test_a_hostile_upload_gets_its_sentence_and_a_replacing_file_lists_what_it_replaces(import_page):
    page = import_page
    open_import_page(page, "en")
    # A GDAL VRT saved as .geojson would list /etc/passwd: it is refused before anything opens it.
    page.set_input_files(UPLOAD_INPUT, str(HOSTILE / "vrt_as_geojson.geojson"))
    page.wait_for_selector("#importer-problems")
    row = page.locator("#importer-problems tbody tr")
    assert row.count() == 1 and row.get_attribute("data-rule") == "refers_to_other_files"
    assert "vrt_as_geojson.geojson points to other files" in row.inner_text()
    body = page.locator("#importer-report-body").inner_text()
    assert "root:" not in body and "/tmp" not in body and "GDAL" not in body
    assert page.locator("#importer-confirm").is_disabled()
    screenshot(page, "import-hostile-vrt-en")

    page.set_input_files(UPLOAD_INPUT, str(HOSTILE / "unclosed_quote.csv"))
    page.wait_for_function("document.querySelector('#importer-headline').innerText.includes('unclosed_quote.csv')")
    assert "A quotation mark opened in row 3" in page.locator("#importer-problems").inner_text()

    # indicators_good.csv replaces demo values: the check lists them, old -> new, before anything is written.
    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "indicators_good.csv"))
    page.wait_for_selector("#importer-replacements")
    listing = page.locator("#importer-replacements").inner_text()
    assert "Values already stored that this file will replace:" in listing
    assert "CCT_PAID" in listing and "0703001" in listing and "38" in listing
    screenshot(page, "import-replacements-en")

    open_import_page(page, "lo")
    page.set_input_files(UPLOAD_INPUT, str(HOSTILE / "utm_without_crs.geojson"))
    page.wait_for_selector("#importer-problems")
    assert "ພິກັດເບິ່ງຄືເປັນແມັດ" in page.locator("#importer-problems").inner_text()
    page.set_input_files(UPLOAD_INPUT, str(DATA_DIR / "indicators_good.csv"))
    page.wait_for_selector("#importer-replacements")
    assert "ຄ່າທີ່ບັນທຶກໄວ້ແລ້ວ ທີ່ໄຟລ໌ນີ້ຈະປ່ຽນແທນ: 6" in page.locator("#importer-replacements").inner_text()
    screenshot(page, "import-replacements-lo")
