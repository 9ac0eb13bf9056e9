"""A value far outside its place's own history is a warning with the previous value; replaced values are listed."""
import pytest
from sqlalchemy import text

from data.importer_db import demo_copy, row_counts
from data_access.importers import ImportOptions, import_bytes
from data_access.importers import plausibility

HEADER = b"indicator_code,admin_code,period,value\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    with demo_copy(request.param, tmp_path_factory.mktemp(request.param)) as engine:
        yield engine


def _history(engine, indicator, admin, before):
    """The place's last 12 values before `before`, read with plain SQL (the rule recomputed independently)."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT period, value FROM observation WHERE indicator_code = :i AND admin_code = :a AND period < :p "
            "AND value IS NOT NULL ORDER BY period DESC LIMIT 12"), {"i": indicator, "a": admin, "p": before}).all()
    return [(period, float(value)) for period, value in rows]


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@pytest.mark.parametrize("factor, offset, flagged", [
    (None, 999, True),     # 18 -> 999: the case of the issue
    (5.5, 11, True),       # just over five times the median, and more than the floor above it
    (4.5, 0, False),       # under five times: a real increase can do that
    (0.1, 0, None),        # a tenth: flagged only when the drop exceeds the floor
    (1.0, 0, False),       # as usual
])
def test_a_value_far_outside_the_places_history_is_a_warning(engine, factor, offset, flagged):
    past = _history(engine, "CCT_REGISTERED", "0703001", "2024-01")
    assert len(past) == 12
    median = _median([value for _, value in past])
    value = offset if factor is None else round(median * factor + offset)
    if flagged is None:
        flagged = abs(value - median) > plausibility.FLOOR
    before = row_counts(engine)
    report = import_bytes(engine, HEADER + f"CCT_REGISTERED,0703001,2024-01,{value}\n".encode(), "jump.csv",
                          ImportOptions(dry_run=True))
    warnings = [p for p in report.problems if p.rule == "implausible_change"]
    assert bool(warnings) == flagged, (value, median)
    assert not report.errors and report.can_import
    if flagged:
        problem = warnings[0]
        assert (problem.row, problem.column, problem.value) == (2, "value", str(value))
        assert problem.params["previous"] == {"number": past[0][1]} and problem.params["previous_period"] == past[0][0]
        message = problem.message("en")
        assert f"previous report ({past[0][0]}) was {past[0][1]:g}" in message
        assert "ລາຍງານກ່ອນໜ້າ" in problem.message("lo")
    assert row_counts(engine) == before


def test_a_place_with_little_history_is_not_judged(engine):
    # 2020-03 is the demo's first month: nothing before it.
    report = import_bytes(engine, HEADER + b"CCT_PAID,0703001,2020-03,999\n", "first.csv", ImportOptions(dry_run=True))
    assert not [p for p in report.problems if p.rule == "implausible_change"]


def test_the_check_report_lists_the_values_that_will_be_replaced(engine, monkeypatch):
    monkeypatch.setattr(plausibility, "REPLACEMENTS_LISTED", 2)
    with engine.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT admin_code, value FROM observation WHERE indicator_code = 'CCT_REGISTERED' AND period = '2023-03' "
            "AND admin_code IN ('0703001', '0703002', '0703003')")).all())
    assert len(stored) == 3
    rows = b"".join(f"CCT_REGISTERED,{code},2023-03,{int(value) + 1}\n".encode() for code, value in sorted(stored.items()))
    new = b"CCT_REGISTERED,0703001,2026-06,5\n"
    report = import_bytes(engine, HEADER + rows + new, "replace.csv", ImportOptions(dry_run=True))
    assert report.summary["replacements_total"] == 3
    assert report.summary["replacements"] == [
        {"indicator": "CCT_REGISTERED", "place": code, "period": "2023-03", "old": [stored[code]],
         "new": [int(stored[code]) + 1]} for code in ("0703001", "0703002")]

    from layouts.importer import replacements_view

    for lang, words in (("en", "will replace: 3"), ("lo", "ຈະປ່ຽນແທນ: 3")):
        view = str(replacements_view(report.summary, report.status, lang))
        assert words in view and "0703002" in view and "0703003" not in view
    applied = import_bytes(engine, HEADER + rows + new, "replace.csv", ImportOptions())
    assert applied.status == "applied" and applied.rows_replaced == 3
    assert "replaced by this import: 3" in str(replacements_view(applied.summary, applied.status, "en"))
    from data_access.importers.history import rollback_batch

    with engine.begin() as conn:
        rollback_batch(conn, applied.batch_id)


def test_replaced_values_are_shown_in_the_readers_language():
    from layouts.importer import replacements_view

    summary = {"replacements_total": 2, "replacements": [
        {"indicator": "STUNTING", "place": "07", "period": "2023", "old": [42.1], "new": [1234.5]},
        {"indicator": "CCT_COMPLY_ALL", "place": "0703001", "period": "2023-05", "old": [3, 5], "new": [41, 45]}]}
    english, lao = (str(replacements_view(summary, "dry_run", lang)) for lang in ("en", "lo"))
    assert "42.1" in english and "1,234.5" in english and "41 / 45" in english
    assert "42,1" in lao and "1.234,5" in lao and "41 / 45" in lao
