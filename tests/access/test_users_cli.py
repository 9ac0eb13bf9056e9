"""`python -m dashboard users ...` and `import --as-user` on SQLite and PostgreSQL: passwords from stdin, never argv."""
import io

import pytest
from sqlalchemy import text

from access.accounts import find_account
from access.passwords import verify_password
from dashboard.cli import main
from data.importer_db import DATA_DIR, demo_copy, row_counts


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_engine(request, tmp_path, monkeypatch):
    with demo_copy(request.param, tmp_path) as engine:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        yield engine


def run(monkeypatch, capsys, *argv, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["users", "--lang", "en", *argv]) if argv[0] != "import" else main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_add_list_grant_passwd_disable_remove_and_audit(cli_engine, monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, "add", "Kham", "--role", "coordinator", "--province", "07,02",
                    "--name", "Kham Phoum", "--password-stdin", stdin="first password 1\n")
    assert code == 0 and "User “kham” added (province coordinator)" in out
    code, out = run(monkeypatch, capsys, "list")
    assert "kham" in out and "02,07" in out and "Kham Phoum" in out
    code, out = run(monkeypatch, capsys, "grant", "kham", "--province", "04")
    assert code == 0
    with cli_engine.connect() as conn:
        account, encoded = find_account(conn, "kham")
    assert account.provinces == frozenset({"04"}) and verify_password(encoded, "first password 1")
    assert run(monkeypatch, capsys, "passwd", "kham", "--password-stdin", stdin="second password 2\n")[0] == 0
    with cli_engine.connect() as conn:
        assert verify_password(find_account(conn, "kham")[1], "second password 2")
    assert run(monkeypatch, capsys, "disable", "kham")[0] == 0
    with cli_engine.connect() as conn:
        assert not find_account(conn, "kham")[0].active
    assert run(monkeypatch, capsys, "remove", "kham")[0] == 0
    with cli_engine.connect() as conn:
        assert find_account(conn, "kham") is None
    code, out = run(monkeypatch, capsys, "audit")
    for action in ("user_add", "user_grant", "user_passwd", "user_disable", "user_remove"):
        assert action in out
    assert "second password" not in out and "first password" not in out


@pytest.mark.parametrize("argv, stdin, message", [
    (("add", "xy", "--password-stdin"), "short\n", "at least 10 characters"),
    (("add", "x", "--password-stdin"), "long enough pw\n", "cannot be a user name"),
    (("add", "ok-name", "--password-stdin"), "\n", "No password given"),
    (("add", "bad name!", "--password-stdin"), "long enough pw\n", "cannot be a user name"),
    (("add", "coord", "--role", "coordinator", "--password-stdin"), "long enough pw\n", "at least one province"),
    (("add", "coord", "--role", "coordinator", "--province", "99", "--password-stdin"), "long enough pw\n",
     "Unknown province code: 99"),
    (("grant", "nobody", "--role", "admin"), "", "There is no user “nobody”"),
])
def test_refusals_are_sentences_and_change_nothing(cli_engine, monkeypatch, capsys, argv, stdin, message):
    code, out = run(monkeypatch, capsys, *argv, stdin=stdin)
    assert code == 1 and message in out
    with cli_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM user_account")).scalar_one() == 0


def test_the_last_admin_cannot_be_removed_or_demoted(cli_engine, monkeypatch, capsys):
    run(monkeypatch, capsys, "add", "ana", "--role", "admin", "--password-stdin", stdin="admin password\n")
    for argv in (("remove", "ana"), ("disable", "ana"), ("grant", "ana", "--role", "viewer")):
        code, out = run(monkeypatch, capsys, *argv)
        assert code == 1 and "last active administrator" in out


def test_the_help_never_suggests_a_password_on_the_command_line(capsys):
    with pytest.raises(SystemExit):
        main(["users", "add", "--help"])
    out = capsys.readouterr().out
    assert "--password-stdin" in out and "--password " not in out and "--password=" not in out


def test_import_as_a_coordinator_of_another_province_is_refused_whole(cli_engine, monkeypatch, capsys):
    run(monkeypatch, capsys, "add", "noy", "--role", "coordinator", "--province", "02", "--password-stdin",
        stdin="coordinator pw\n")
    before = row_counts(cli_engine)
    code, out = run(monkeypatch, capsys, "import", str(DATA_DIR / "indicators_good.csv"), "--as-user", "noy",
                    "--lang", "en")
    assert code == 1 and "outside your provinces (02)" in out and "0703001" in out
    assert row_counts(cli_engine) == before
    run(monkeypatch, capsys, "grant", "noy", "--province", "07")
    code, out = run(monkeypatch, capsys, "import", str(DATA_DIR / "indicators_good.csv"), "--as-user", "noy",
                    "--lang", "en")
    assert code == 0 and row_counts(cli_engine)["observation"] > before["observation"]
    with cli_engine.connect() as conn:
        actions = [tuple(row) for row in conn.execute(text("SELECT username, action FROM audit_log ORDER BY id"))]
    assert ("noy", "import_refused") in actions and ("noy", "import") in actions
