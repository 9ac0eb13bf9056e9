"""Agreed actions on both backends: created, changed and imported with a history row for every change;
a coordinator's write limited to status and evidence; an import with any bad cell writes nothing and
names the file, row and column; an export imports back onto the same actions."""
import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from access.roles import COORDINATOR_ACTION_FIELDS
from data_access.actions import (
    ActionError, action, action_history, actions_as_of, create_action, filter_options, list_actions, update_action,
)
from data_access.importers.actions import COLUMNS, header, import_actions
from data_access.queries.actions import action_register
from data_access.reference import load_reference_data
from reports.actions_excel import register_table, template_workbook
from reports.exports import ExportContext, excel_bytes

NOV = "2022-11 supervision mission"
BASE = {"mission": NOV, "mission_date": dt.date(2022, 11, 18), "text_en": "CCT payments follow the annual plan.",
        "text_lo": "ການຈ່າຍເງິນ CCT ໃຫ້ເປັນໄປຕາມແຜນປະຈຳປີ.", "responsible_unit": "DRDC and MoF",
        "due_date": dt.date(2023, 3, 31)}


@pytest.fixture
def engine(empty_engine):
    with empty_engine.begin() as conn:
        load_reference_data(conn)
    return empty_engine


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _history(engine, action_id: int) -> list[tuple]:
    with engine.connect() as conn:
        frame = action_history(conn, action_id)
    return [(row["field"], row["old_value"], row["new_value"], row["changed_by"]) for row in frame.to_dict("records")]


def test_a_new_action_is_open_and_its_creation_is_in_the_history(engine):
    new_id = create_action(engine, BASE | {"admin_code": "07", "indicator_code": "CCT_PAY_DELAY"}, "ana")
    with engine.connect() as conn:
        row = action(conn, new_id)
    assert row["status"] == "open" and row["admin_name_en"] == "Houaphan" and row["created_by"] == "ana"
    assert row["due_date"] == dt.date(2023, 3, 31) and row["indicator_unit"] == "days"
    assert _history(engine, new_id) == [("created", None, "open", "ana")]


def test_every_change_is_recorded_with_who_old_and_new(engine):
    new_id = create_action(engine, BASE, "ana")
    assert update_action(engine, new_id, {"status": "in_progress", "evidence": "Plan sent to MoF"}, "kham") == [
        "status", "evidence"]
    assert update_action(engine, new_id, {"status": "done", "evidence": "Plan sent to MoF"}, "ana") == ["status"]
    history = _history(engine, new_id)
    assert history[:3] == [("status", "in_progress", "done", "ana"), ("evidence", None, "Plan sent to MoF", "kham"),
                           ("status", "open", "in_progress", "kham")] or history[:3] == [
        ("status", "in_progress", "done", "ana"), ("status", "open", "in_progress", "kham"),
        ("evidence", None, "Plan sent to MoF", "kham")]
    assert history[-1][0] == "created"
    with engine.connect() as conn:
        assert action(conn, new_id)["updated_by"] == "ana"


def test_saving_the_same_values_writes_no_history(engine):
    new_id = create_action(engine, BASE, "ana")
    assert update_action(engine, new_id, {"status": "open", "evidence": ""}, "ana") == []
    assert len(_history(engine, new_id)) == 1


def test_a_coordinators_change_outside_status_and_evidence_is_refused_whole(engine):
    new_id = create_action(engine, BASE | {"admin_code": "07"}, "ana")
    with pytest.raises(ActionError) as refused:
        update_action(engine, new_id, {"status": "done", "due_date": "2024-01-31"}, "kham",
                      allowed=COORDINATOR_ACTION_FIELDS)
    assert refused.value.code == "not_allowed" and refused.value.field == "due_date"
    with engine.connect() as conn:
        assert action(conn, new_id)["status"] == "open"
    assert len(_history(engine, new_id)) == 1


@pytest.mark.parametrize("change, code", [
    ({"status": "finished"}, "invalid_status"), ({"due_date": "31 March"}, "invalid_date"),
    ({"indicator_code": "NOPE"}, "unknown_indicator"), ({"admin_code": "99"}, "unknown_place"),
    ({"text_en": ""}, "missing"), ({"evidence": "x" * 4001}, "too_long"),
])
def test_bad_values_are_refused_and_nothing_is_written(engine, change, code):
    new_id = create_action(engine, BASE, "ana")
    with pytest.raises(ActionError) as refused:
        update_action(engine, new_id, change, "ana")
    assert refused.value.code == code
    assert len(_history(engine, new_id)) == 1


def test_status_as_of_a_day_is_read_back_from_the_history(engine):
    new_id = create_action(engine, BASE, "ana")
    update_action(engine, new_id, {"status": "done"}, "ana")
    with engine.begin() as conn:
        # As if the action had been closed in Feb 2023.
        conn.execute(text("UPDATE agreed_action_history SET changed_at = :at WHERE field = 'status'"),
                     {"at": dt.datetime(2023, 2, 20, 10)})
    with engine.connect() as conn:
        assert actions_as_of(conn, None, dt.date(2022, 11, 30))["status_then"].tolist() == ["open"]
        assert actions_as_of(conn, None, dt.date(2023, 2, 19))["status_then"].tolist() == ["open"]
        # Status at the end of the day: closed at 10:00 on 20 Feb counts as done that day.
        assert actions_as_of(conn, None, dt.date(2023, 2, 20))["status_then"].tolist() == ["done"]
        # Agreed on 18 Nov 2022: not in a view of October.
        assert actions_as_of(conn, None, dt.date(2022, 10, 31)).empty


def test_a_place_sees_its_own_actions_and_its_provinces(engine):
    for code in ("07", "0703", "02", None):
        create_action(engine, BASE | {"text_en": f"Action for {code}", "admin_code": code}, "ana")
    with engine.connect() as conn:
        def texts(scope):
            return sorted(list_actions(conn, scope)["admin_code"].fillna("-"))
        assert texts(None) == ["-", "02", "07", "0703"]
        assert texts("07") == ["07", "0703"]
        assert texts("0703") == ["07", "0703"]
        assert texts("0706") == ["07"]
        assert filter_options(conn) == {"missions": [NOV], "units": ["DRDC and MoF"]}


# ------------------------------------------------------------------ Excel


def _workbook(rows: list[dict], lang: str = "en") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append([header(name, lang) for name in COLUMNS])
    for row in rows:
        sheet.append([row.get(name) for name in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [BASE | {"status": "In progress", "indicator_code": "CCT_PAY_DELAY"},
             BASE | {"text_en": "Align the central and local convergence plans.", "text_lo": "ປະສານແຜນງານ.",
                     "due_date": "2023-01-31", "admin_code": 702, "status": None}]


def test_an_aide_memoire_table_loads_in_one_step_and_again_changes_nothing(engine):
    result = import_actions(engine, _workbook(GOOD_ROWS), "aide-memoire.xlsx", "ana")
    assert result.ok and result.written and (result.created, result.updated) == (2, 0)
    with engine.connect() as conn:
        frame = list_actions(conn)
    assert frame["status"].tolist() == ["open", "in_progress"]  # ordered by due date
    assert frame["admin_code"].tolist() == ["0702", None]  # a code that lost its zero in Excel is read back
    again = import_actions(engine, _workbook(GOOD_ROWS), "aide-memoire.xlsx", "ana")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _count(engine, "agreed_action_history") == 2


def test_a_lao_headed_file_imports_too(engine):
    result = import_actions(engine, _workbook(GOOD_ROWS[:1], "lo"), "ບົດບັນທຶກ.xlsx", "ana")
    assert result.ok and result.created == 1


@pytest.mark.parametrize("bad, row, column, rule", [
    ({"due_date": "next spring"}, 3, "Due date", "invalid_date"),
    ({"status": "finished"}, 3, "Status", "invalid_status"),
    ({"indicator_code": "NOT_AN_INDICATOR"}, 3, "Indicator code", "unknown_indicator"),
    ({"admin_code": "99"}, 3, "Place code", "unknown_place"),
    ({"text_lo": None}, 3, "Action (Lao)", "missing_value"),
    ({"due_date": "=DATE(2023,1,31)"}, 3, "Due date", "formula"),
    ({"id": 999}, 3, "ID", "unknown_id"),
])
def test_a_bad_cell_names_file_row_and_column_and_nothing_is_written(engine, bad, row, column, rule):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1] | bad]
    result = import_actions(engine, _workbook(rows), "aide-memoire.xlsx", "ana")
    assert not result.ok and not result.written
    assert [(p.row, p.column, p.rule) for p in result.problems] == [(row, column, rule)]
    message = result.problems[0].message("en")
    assert message.startswith(f"aide-memoire.xlsx, row {row}, column “{column}”: ")
    assert "ແຖວ 3" in result.problems[0].message("lo")
    assert _count(engine, "agreed_action") == 0 and _count(engine, "agreed_action_history") == 0


def test_a_failure_while_writing_rolls_the_whole_file_back(engine, monkeypatch):
    from data_access.importers import actions as importer

    calls = {"n": 0}
    real = importer.insert_action

    def second_fails(conn, fields, by):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(conn, fields, by)

    monkeypatch.setattr(importer, "insert_action", second_fails)
    with pytest.raises(RuntimeError):
        import_actions(engine, _workbook(GOOD_ROWS), "aide-memoire.xlsx", "ana")
    assert _count(engine, "agreed_action") == 0 and _count(engine, "agreed_action_history") == 0


def test_the_same_action_twice_in_a_file_is_refused(engine):
    result = import_actions(engine, _workbook([GOOD_ROWS[0], GOOD_ROWS[0]]), "twice.xlsx", "ana")
    assert [(p.row, p.rule, p.params) for p in result.problems] == [(3, "duplicate_row", {"first_row": 2})]


def _with_external_link(data: bytes) -> bytes:
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(item, old.read(item.filename))
        new.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    return target.getvalue()


@pytest.mark.parametrize("make, name, rule", [
    (lambda data: _with_external_link(data), "linked.xlsx", "external_links"),
    (lambda data: data, "actions.csv", "not_xlsx"),
    (lambda data: b"not a zip at all", "broken.xlsx", "not_xlsx"),
    (lambda data: data + b"\0" * 1_100_000, "big.xlsx", "file_too_large"),
])
def test_unsafe_or_wrong_files_are_refused_before_reading(engine, make, name, rule):
    result = import_actions(engine, make(_workbook(GOOD_ROWS)), name, "ana", max_mb=1)
    assert [(p.rule, p.row) for p in result.problems] == [(rule, None)]
    assert result.problems[0].message("en").startswith(f"{name}: ")
    assert _count(engine, "agreed_action") == 0


def test_a_missing_column_is_named(engine):
    workbook = Workbook()
    workbook.active.append(["Mission", "Action (English)"])
    workbook.active.append(["x", "y"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_actions(engine, buffer.getvalue(), "short.xlsx", "ana")
    assert {p.column for p in result.problems} == {"Mission date", "Action (Lao)", "Responsible unit", "Due date"}


def test_an_edited_export_updates_the_same_actions_with_history(engine):
    import_actions(engine, _workbook(GOOD_ROWS), "aide-memoire.xlsx", "ana")
    with engine.connect() as conn:
        register = action_register(conn, None, "2023-02")
    frame, columns = register_table(register, "en")
    context = ExportContext(title="Agreed actions", place="Lao PDR", period="2023-02", lang="en", topic="actions")
    exported = excel_bytes(frame, columns, context)
    sheet_book = load_workbook(io.BytesIO(exported))
    sheet = sheet_book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert sheet_book.sheetnames[-1] == "Notes" or len(sheet_book.sheetnames) == 2
    # Codes are text cells: 0702 keeps its zero.
    place = sheet.cell(row=2, column=headers.index("Place code") + 1)
    assert place.value == "0702" and place.number_format == "@"
    overdue = sheet.cell(row=2, column=headers.index("Overdue / due") + 1).value
    assert overdue == "Overdue by 0 days".replace("0 days", f"{(dt.date(2023, 2, 28) - dt.date(2023, 1, 31)).days} days")
    sheet.cell(row=2, column=headers.index("Status") + 1, value="Done")
    sheet.cell(row=2, column=headers.index("Evidence note") + 1, value="Joint plan signed")
    buffer = io.BytesIO()
    sheet_book.save(buffer)
    result = import_actions(engine, buffer.getvalue(), "edited.xlsx", "noy")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    action_id = int(sheet.cell(row=2, column=1).value)
    assert [entry[:3] for entry in _history(engine, action_id)[:2]] in (
        [("status", "open", "done"), ("evidence", None, "Joint plan signed")],
        [("evidence", None, "Joint plan signed"), ("status", "open", "done")])


def test_the_template_has_the_importers_headers_and_a_help_sheet(engine):
    book = load_workbook(io.BytesIO(template_workbook("lo")))
    assert book.sheetnames[0] == "data"
    assert [cell.value for cell in book["data"][1]] == [header(name, "lo") for name in COLUMNS]
    assert book.worksheets[1].max_row == len(COLUMNS) + 1
    assert not pd.isna(book.worksheets[1].cell(row=2, column=3).value)


def test_migration_0009_adds_the_tables_and_the_two_rules_to_a_database_at_0008(empty_engine):
    from data_access.database import init_db, migration_head

    with empty_engine.begin() as conn:
        conn.execute(text("DROP TABLE agreed_action_history"))
        conn.execute(text("DROP TABLE agreed_action"))
        conn.execute(text("DELETE FROM alert_rule WHERE code IN ('action_overdue', 'action_due_soon')"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    init_db(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migration_head()
        assert list_actions(conn).empty
        codes = {row[0] for row in conn.execute(text("SELECT code FROM alert_rule"))}
    assert {"action_overdue", "action_due_soon"} <= codes
