"""`python -m dashboard import | batches | rollback | template` on a copy of the demo database."""
import csv
import io

import openpyxl
import pytest

from dashboard.cli import build_parser, main
from data.importer_db import DATA_DIR, demo_copy, row_counts


@pytest.fixture
def engine(tmp_path, monkeypatch):
    with demo_copy("sqlite", tmp_path) as engine:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        yield engine


def test_the_commands_are_registered_with_help():
    parser = build_parser()
    text = parser.format_help()
    for name in ("import", "batches", "rollback", "template"):
        assert name in text
    help_text = parser._subparsers._group_actions[0].choices["import"].format_help()
    for option in ("--dry-run", "--kind", "--accept-valid-rows", "--mapping", "--code-field", "--name-field"):
        assert option in help_text


def test_a_dry_run_of_a_bad_file_lists_every_problem_and_exits_1(engine, capsys):
    before = row_counts(engine)
    code = main(["import", str(DATA_DIR / "bad_out_of_range.csv"), "--dry-run", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1
    assert "rows with errors: 4 (errors: 4)" in out
    assert "bad_out_of_range.csv, row 4, column numerator: 800 is outside the range" in out
    assert out.count("(out_of_range)") == 4
    assert row_counts(engine) == before


def test_import_in_lao(engine, capsys):
    assert main(["import", str(DATA_DIR / "bad_duplicate_key.csv"), "--lang", "lo"]) == 1
    out = capsys.readouterr().out
    assert "ແຖວ 4" in out and "ບໍ່ໄດ້ນຳເຂົ້າ" in out


def test_import_batches_and_rollback(engine, capsys):
    assert main(["import", str(DATA_DIR / "indicators_good.csv"), "--lang", "en"]) == 0
    assert "imported as batch 2" in capsys.readouterr().out
    assert main(["import", str(DATA_DIR / "indicators_good.csv"), "--lang", "en"]) == 0
    assert "already imported as batch 2" in capsys.readouterr().out
    assert main(["batches", "--lang", "en"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].split()[:1] == ["2"] and "indicators_good.csv" in listing[1] and "applied" in listing[1]
    assert "demo" in listing[2]
    assert main(["rollback", "2", "--lang", "en"]) == 0
    assert "Batch 2 (indicators_good.csv) was rolled back" in capsys.readouterr().out
    assert main(["rollback", "2", "--lang", "en"]) == 1
    assert "already rolled back" in capsys.readouterr().out
    assert main(["rollback", "1", "--lang", "en"]) == 1


def test_accept_valid_rows_and_a_report_file(engine, tmp_path, capsys):
    report_path = tmp_path / "problems.csv"
    code = main(["import", str(DATA_DIR / "bad_numerator_gt_denominator.csv"), "--accept-valid-rows",
                 "--report", str(report_path), "--lang", "en"])
    assert code == 0
    assert "without the rows with errors (1)" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(report_path.read_text(encoding="utf-8-sig"))))
    assert [(r["row"], r["column"], r["rule"]) for r in rows] == [("3", "numerator", "numerator_exceeds_denominator")]


def test_dhis2_with_a_mapping_and_a_layer_with_named_fields(engine, capsys):
    assert main(["import", str(DATA_DIR / "dhis2_export.json"), "--mapping", str(DATA_DIR / "dhis2_mapping.csv"),
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "MalariaCase" in out and "(dhis2_unmapped_data_element)" in out
    assert main(["import", str(DATA_DIR / "villages_0707.gpkg"), "--kind", "villages", "--code-field",
                 "ban_id_2023", "--name-field", "ຊື່ບ້ານ", "--lang", "en"]) == 0
    assert "replaced: 6" in capsys.readouterr().out


def test_a_shapefile_folder(engine, capsys):
    assert main(["import", str(DATA_DIR / "villages_utm48"), "--lang", "en"]) == 0
    assert "Rows added: 3, replaced: 6" in capsys.readouterr().out


def test_files_over_the_configured_limit(engine, monkeypatch, capsys):
    monkeypatch.setenv("MAX_UPLOAD_MB", "0.0001")
    assert main(["import", str(DATA_DIR / "indicators_good.csv"), "--lang", "en"]) == 1
    assert "the largest accepted is 0.0001 MB" in capsys.readouterr().out


def test_template(engine, tmp_path, capsys):
    out = tmp_path / "hansa.xlsx"
    assert main(["template", "hansa", str(out), "--lang", "en"]) == 0
    assert "HANSA" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    codes = [row[0].value for row in book["indicators - ຕົວຊີ້ວັດ"].iter_rows(min_row=2)]
    assert codes and all(code.startswith("HANSA_") for code in codes)
    assert main(["template", "NOPE", str(tmp_path / "x.xlsx"), "--lang", "en"]) == 2
    assert "Unknown project" in capsys.readouterr().out


def test_a_missing_file(engine, capsys):
    assert main(["import", "nowhere.csv", "--lang", "en"]) == 2
    assert "No such file or folder: nowhere.csv" in capsys.readouterr().out


def test_the_check_lists_replaced_values_and_implausible_jumps(engine, capsys, tmp_path):
    path = tmp_path / "jump.csv"
    path.write_text("indicator_code,admin_code,period,value\nCCT_REGISTERED,0703001,2023-03,999\n")
    before = row_counts(engine)
    assert main(["import", str(path), "--dry-run", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "(implausible_change)" in out and "999 is far from this place's own history" in out
    assert "Values already stored that this file will replace: 1" in out
    assert "CCT_REGISTERED  0703001  2023-03:" in out and "-> 999" in out
    assert row_counts(engine) == before


def test_hostile_files_on_the_command_line_get_a_sentence(engine, capsys, tmp_path):
    from data import make_hostile

    before = row_counts(engine)
    assert main(["import", str(make_hostile.HOSTILE / "vrt_as_geojson.geojson"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "points to other files" in out and "root:" not in out and "/tmp" not in out
    huge = tmp_path / "mapping.csv"
    with huge.open("wb") as handle:
        handle.truncate(1024 ** 3)
    assert main(["import", str(DATA_DIR / "dhis2_export.csv"), "--mapping", str(huge), "--lang", "en"]) == 1
    assert "the largest accepted is 20 MB" in capsys.readouterr().out
    assert row_counts(engine) == before
