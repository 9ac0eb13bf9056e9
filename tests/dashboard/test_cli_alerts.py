"""`python -m dashboard alerts`: the Overview's alerts as text or CSV; bad input is a sentence."""
import csv
import io

import pytest

from dashboard.cli import main
from data_access.database import make_engine
from data_access.queries.alerts import alerts_for
from i18n import t


@pytest.fixture
def demo_db(sqlite_demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    return sqlite_demo_url


def _expected(url, scope, as_of, lang):
    engine = make_engine(url)
    with engine.connect() as conn:
        frame = alerts_for(conn, scope, as_of, lang)
    engine.dispose()
    return frame


@pytest.mark.parametrize("scope, lang", [("07", "en"), ("00", "lo")])
def test_text_lists_the_same_alerts_as_the_overview(demo_db, capsys, scope, lang):
    assert main(["alerts", "--scope", scope, "--as-of", "2022-11", "--lang", lang]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = _expected(demo_db, None if scope == "00" else scope, "2022-11", lang)
    assert not expected.empty
    assert len(out) == 1 + 2 * len(expected)
    assert out[1::2] == [f"[{t('alerts.severity_' + severity, lang)}] {sentence}"
                         for severity, sentence in zip(expected["severity"], expected["sentence"])]
    assert [line.strip() for line in out[2::2]] == list(expected["link"])
    if scope == "07":
        assert out[0] == f"Houaphan, as of November 2022: {len(expected)} alerts"


def test_csv_has_one_row_per_alert(demo_db, capsys):
    assert main(["alerts", "--scope", "07", "--as-of", "2022-11", "--format", "csv", "--lang", "en"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = _expected(demo_db, "07", "2022-11", "en")
    assert [row["rule"] for row in rows] == list(expected["rule"])
    assert [float(row["value"]) for row in rows] == pytest.approx(list(expected["value"]), rel=1e-5)
    assert {row["scope"] for row in rows if row["rule"] == "payment_wait"} == {"07"}


@pytest.mark.parametrize("arguments, message", [
    (["--scope", "99"], "--scope 99: no such place"),
    (["--scope", "07'; DROP TABLE alert_rule; --"], "no such place"),
    (["--scope", "0701001"], "no such place"),  # a village is not a scope alerts are counted for
    (["--as-of", "2022-13"], "--as-of 2022-13: give a month as YYYY-MM"),
    (["--as-of", "Nov 2022"], "give a month as YYYY-MM"),
])
def test_bad_input_is_a_sentence(demo_db, capsys, arguments, message):
    assert main(["alerts", "--lang", "en", *arguments]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.out == ""
