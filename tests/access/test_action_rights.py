"""Who may change an agreed action, checked in the server: admins everything, a province's coordinator
the status and evidence of its actions, nobody else; forged save and import POSTs write nothing."""
import base64
import io

import flask
import pytest
from openpyxl import Workbook
from sqlalchemy import text

from access.roles import COORDINATOR_ACTION_FIELDS, Account, action_fields_for
from access_fixtures import accounts_app  # noqa: F401  (fixture)
from callbacks.actions import editable_fields, may_import
from dash_requests import payload, post, sign_in
from data_access.importers.actions import COLUMNS, header

PASSWORD = "correct horse battery"
ADMIN = Account(1, "ana", "Ana", "admin")
KHAM = Account(3, "kham", "Kham", "coordinator", frozenset({"07"}))
VIEWER = Account(4, "vic", "Vic", "viewer")


@pytest.mark.parametrize("account, code, expected", [
    (ADMIN, None, None), (ADMIN, "02", None),
    (KHAM, "07", COORDINATOR_ACTION_FIELDS), (KHAM, "0703", COORDINATOR_ACTION_FIELDS),
    (KHAM, "02", frozenset()), (KHAM, None, frozenset()), (KHAM, "00", frozenset()),
    (VIEWER, "07", frozenset()), (None, "07", frozenset()),
    (Account(5, "old", "Old", "admin", active=False), "07", frozenset()),
])
def test_fields_each_role_may_change(account, code, expected):
    assert action_fields_for(account, code) == expected


def test_outside_a_request_nothing_may_be_changed():
    assert editable_fields("07") == frozenset() and may_import() is False


@pytest.mark.parametrize("address, headers, expected", [
    ("127.0.0.1", {}, None), ("::1", {}, None), ("10.0.0.5", {}, frozenset()),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, frozenset()),
])
def test_with_accounts_off_only_local_unrelayed_requests_change_actions(address, headers, expected):
    app = flask.Flask(__name__)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}, headers=headers):
        flask.g.auth_on = False
        assert editable_fields("07") == expected
        assert may_import() is (expected is None)


def test_with_accounts_on_being_local_is_not_enough():
    app = flask.Flask(__name__)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        flask.g.auth_on = True
        flask.g.account = KHAM
        assert editable_fields("07") == COORDINATOR_ACTION_FIELDS and editable_fields("02") == frozenset()
        assert may_import() is False


# ------------------------------------------------------------------ forged requests


def _state(engine) -> list[tuple]:
    with engine.connect() as conn:
        actions = [tuple(row) for row in conn.execute(text(
            "SELECT id, status, evidence, due_date FROM agreed_action ORDER BY id"))]
        history = conn.execute(text("SELECT COUNT(*) FROM agreed_action_history")).scalar_one()
    return actions + [("history", history)]


def _action_of(engine, where: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT MIN(id) FROM agreed_action WHERE {where}")).scalar_one()


def _save_body(app, action_id: int, status: str = "done", evidence: str = "forged", due: str | None = None):
    return payload(app, "actions-message.children",
                   {"actions-save.n_clicks": 1, "actions-pick.value": action_id, "actions-edit-status.value": status,
                    "actions-edit-evidence.value": evidence, "actions-edit-due.value": due,
                    "actions-version.data": 0, "app-language.data": "en"},
                   "actions-save.n_clicks", input_id="actions-save")


def _import_body(app):
    workbook = Workbook()
    workbook.active.title = "data"
    workbook.active.append([header(name, "en") for name in COLUMNS])
    workbook.active.append([None, "Forged mission", "2022-11-18", "Forged", "ປອມ", "Nobody", "2023-01-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    contents = "data:application/octet-stream;base64," + base64.b64encode(buffer.getvalue()).decode()
    return payload(app, "actions-import-message.children",
                   {"actions-upload.contents": contents, "actions-upload.filename": "forged.xlsx",
                    "actions-version.data": 0, "app-language.data": "en"},
                   "actions-upload.contents", input_id="actions-upload")


def _client(app, who):
    client = app.server.test_client()
    if who:
        assert sign_in(client, who, PASSWORD).status_code == 302
    return client


def _text(response) -> str:
    return str(response.get_json()["response"]) if response.status_code == 200 else ""


def test_forged_saves_and_imports_write_nothing_and_the_right_person_writes(accounts_app):
    app, engine = accounts_app
    houaphan = _action_of(engine, "admin_code = '07'")
    phongsaly = _action_of(engine, "admin_code = '02'")
    national = _action_of(engine, "admin_code IS NULL")
    before = _state(engine)
    # No session: the gate refuses before any callback runs.
    assert post(_client(app, None), _save_body(app, houaphan)).status_code == 401
    # A viewer, and a coordinator on another province's or a national action: the callback refuses.
    assert "You may not change this action" in _text(post(_client(app, "vic"), _save_body(app, houaphan)))
    kham = _client(app, "kham")
    for action_id in (phongsaly, national):
        assert "You may not change this action" in _text(post(kham, _save_body(app, action_id)))
    # Houaphan's coordinator moving the due date of a Houaphan action: refused whole (status and evidence too).
    assert "You may not change this action" in _text(post(kham, _save_body(app, houaphan, due="2030-01-31")))
    # Nobody but an admin imports.
    for who in ("vic", "kham"):
        assert "Only an administrator" in _text(post(_client(app, who), _import_body(app)))
    assert _state(engine) == before

    # The same request from Houaphan's coordinator saves, with its history row.
    assert "Saved" in _text(post(kham, _save_body(app, houaphan, "in_progress", "Verification plan sent")))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT field, old_value, new_value, changed_by FROM agreed_action_history "
                                 "WHERE action_id = :id AND changed_by = 'kham' ORDER BY field"),
                            {"id": houaphan}).fetchall()
    assert [tuple(row) for row in rows] == [("evidence", None, "Verification plan sent", "kham"),
                                           ("status", "open", "in_progress", "kham")]
    # An admin moves the due date.
    assert "Saved: Due date" in _text(post(_client(app, "ana"), _save_body(
        app, houaphan, "in_progress", "Verification plan sent", due="2023-01-31")))
    # And an admin imports.
    assert "1 actions added" in _text(post(_client(app, "ana"), _import_body(app)))
