"""Forged import-confirm and rollback POSTs (the exact JSON a browser sends) write nothing.

Refused: without a session (401), with a viewer's session (403), with a coordinator's session for
a rollback (the callback's own check), and any confirm of a file this session has not checked.
"""
import pytest
from sqlalchemy import text

from access_fixtures import accounts_app  # noqa: F401  (fixture)
from dash_requests import data_url, payload, post, sign_in
from data.importer_db import DATA_DIR, row_counts

PASSWORD = "correct horse battery"
GOOD_FILE = DATA_DIR / "indicators_good.csv"  # every row in Houaphan (07)


def _client(app, who):
    client = app.server.test_client()
    if who:
        assert sign_in(client, who, PASSWORD).status_code == 302
    return client


def _file_values(path=GOOD_FILE):
    return {"importer-upload.contents": data_url(path), "importer-upload.filename": path.name,
            "importer-kind.value": "auto", "importer-code-field.value": None, "importer-name-field.value": None,
            "app-language.data": "en"}


def confirm_body(app, path=GOOD_FILE):
    # Any non-empty report store used to pass; a forger can send whatever they like in it.
    stored = {"status": "dry_run", "rows_valid": 8, "file_name": path.name, "problems": []}
    return payload(app, "importer-report-store.data",
                   {**_file_values(path), "importer-confirm.n_clicks": 1, "importer-report-store.data": stored,
                    "importer-accept-valid.value": True, "importer-history-version.data": 0},
                   "importer-confirm.n_clicks", input_id="importer-confirm")


def check_body(app, path=GOOD_FILE):
    return payload(app, "importer-report-store.data", {**_file_values(path), "importer-upload-ready.data": 1},
                   "importer-upload-ready.data", input_id="importer-upload-ready")


def rollback_body(app, batch: int):
    return payload(app, "importer-result.children",
                   {"importer-rollback-dialog.submit_n_clicks": 1, "importer-rollback-target.data": batch,
                    "importer-history-version.data": 0, "app-language.data": "en"},
                   "importer-rollback-dialog.submit_n_clicks", input_id="importer-rollback-dialog")


def _latest_batch(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT MAX(id) FROM import_batch WHERE status = 'applied'")).scalar_one()


def _audit_actions(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT username, action FROM audit_log ORDER BY id"))]


@pytest.mark.parametrize("who, status", [(None, 401), ("vic", 403)])
def test_a_forged_confirm_without_rights_is_refused_and_writes_nothing(accounts_app, who, status):
    app, engine = accounts_app
    before = row_counts(engine)
    response = post(_client(app, who), confirm_body(app))
    assert response.status_code == status
    assert row_counts(engine) == before


@pytest.mark.parametrize("who", ["kham", "ana"])
def test_a_confirm_of_a_file_this_session_never_checked_is_refused(accounts_app, who):
    app, engine = accounts_app
    before = row_counts(engine)
    client = _client(app, who)
    response = post(client, confirm_body(app))
    assert response.status_code == 200
    assert "Check the file first" in str(response.get_json()["response"])
    assert row_counts(engine) == before
    # Another person's check does not count for this session either.
    checker = _client(app, "ana" if who == "kham" else "kham")
    assert post(checker, check_body(app)).status_code == 200
    post(client, confirm_body(app))
    assert row_counts(engine) == before


def test_a_coordinator_of_another_province_is_refused_whole_even_after_a_check(accounts_app):
    app, engine = accounts_app
    before = row_counts(engine)
    client = _client(app, "noy")
    post(client, check_body(app))  # refused at the check: nothing is remembered as checked
    assert "Check the file first" in str(post(client, confirm_body(app)).get_json()["response"])
    assert row_counts(engine) == before


def test_the_confirm_applies_the_province_rule_again(accounts_app):
    # Checked while kham coordinated Houaphan; moved to Phongsaly before confirming: refused whole.
    from access.accounts import grant

    app, engine = accounts_app
    before = row_counts(engine)
    client = _client(app, "kham")
    assert post(client, check_body(app)).get_json()["response"]["importer-report-store"]["data"]["rows_valid"] == 8
    with engine.begin() as conn:
        grant(conn, "kham", provinces=["02"])
    response = post(client, confirm_body(app))
    assert "outside your provinces (02)" in str(response.get_json()["response"])
    assert row_counts(engine) == before
    assert ("kham", "import_refused") in _audit_actions(engine)


def test_checked_then_confirmed_imports_and_is_audited(accounts_app):
    # The same requests succeed for the right person: the refusals above are not a broken request.
    app, engine = accounts_app
    before = row_counts(engine)
    client = _client(app, "kham")
    assert post(client, check_body(app)).status_code == 200
    response = post(client, confirm_body(app)).get_json()["response"]
    assert response["importer-report-store"]["data"]["status"] == "applied"
    assert row_counts(engine)["observation"] > before["observation"]
    assert ("kham", "import") in _audit_actions(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT imported_by FROM import_batch ORDER BY id DESC")).first()[0] == "kham"
    # A second confirm of the same check is refused: the check was used up.
    again = post(client, confirm_body(app)).get_json()["response"]
    assert "Check the file first" in str(again)


@pytest.mark.parametrize("who, status", [(None, 401), ("vic", 403), ("kham", 200)])
def test_a_forged_rollback_without_admin_rights_changes_nothing(accounts_app, who, status):
    app, engine = accounts_app
    batch = _latest_batch(engine)
    before = row_counts(engine)
    response = post(_client(app, who), rollback_body(app, batch))
    assert response.status_code == status
    if status == 200:
        assert "Only administrators" in str(response.get_json()["response"])
    assert row_counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM import_batch WHERE id = :b"), {"b": batch}).scalar_one() == "applied"


def test_an_admin_rollback_works_and_is_audited(accounts_app):
    app, engine = accounts_app
    client = _client(app, "kham")
    post(client, check_body(app))
    post(client, confirm_body(app))
    batch = _latest_batch(engine)
    response = post(_client(app, "ana"), rollback_body(app, batch))
    assert "was rolled back" in str(response.get_json()["response"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM import_batch WHERE id = :b"), {"b": batch}).scalar_one() == "rolled_back"
    assert ("ana", "rollback") in _audit_actions(engine)


def test_a_national_targets_file_is_refused_for_a_coordinator(accounts_app):
    app, engine = accounts_app
    before = row_counts(engine)
    client = _client(app, "kham")
    response = post(client, check_body(app, DATA_DIR / "targets_good.csv")).get_json()["response"]
    assert "outside your provinces (07)" in str(response) and "00" in str(response)
    assert row_counts(engine) == before


def test_a_refused_confirm_can_be_confirmed_again_accepting_the_valid_rows(accounts_app):
    app, engine = accounts_app
    bad = DATA_DIR / "bad_numerator_gt_denominator.csv"
    client = _client(app, "ana")
    before = row_counts(engine)
    assert post(client, check_body(app, bad)).status_code == 200
    strict = confirm_body(app, bad)
    for entry in strict["state"]:
        if entry["id"] == "importer-accept-valid":
            entry["value"] = False
    assert post(client, strict).get_json()["response"]["importer-report-store"]["data"]["status"] == "rejected"
    assert row_counts(engine) == before
    accepted = post(client, confirm_body(app, bad)).get_json()["response"]
    assert accepted["importer-report-store"]["data"]["status"] == "applied"
