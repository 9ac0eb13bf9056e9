"""Review periods: a month, quarter or semester as months, as-of month and previous period; the review's
figures over a period are the Overview's and Targets' own functions over the same months (both backends)."""
import math

import pytest

from data_access.periods import PeriodError, filter_choices, period_window, previous_review_period, review_kind
from data_access.queries.catalogue import months_with_data
from data_access.queries.observations import indicator_series, scope_value
from data_access.queries.overview import headline_figures
from data_access.queries.payments import payment_delay
from data_access.queries.review import review_figures
from data_access.queries.targets import progress_table
from i18n import format_period


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------- pure: the period function


@pytest.mark.parametrize("code, kind, start, end, previous", [
    ("2022-S2", "semester", "2022-07", "2022-12", "2022-S1"),
    # A semester's previous one lies in the year before.
    ("2023-S1", "semester", "2023-01", "2023-06", "2022-S2"),
    ("2023-Q1", "quarter", "2023-01", "2023-03", "2022-Q4"),
    ("2022-Q3", "quarter", "2022-07", "2022-09", "2022-Q2"),
    ("2023-01", "month", "2023-01", "2023-01", "2022-12"),
])
def test_period_window_bounds_and_previous(code, kind, start, end, previous):
    window = period_window(code, ["2022-03", "2022-08", "2023-01"])
    assert (window.kind, window.start, window.end, window.previous) == (kind, start, end, previous)
    assert previous_review_period(code) == previous
    assert window.months[0] == start and window.months[-1] == end


def test_as_of_is_the_latest_month_with_data_inside_the_period():
    window = period_window("2022-S2", ["2022-06", "2022-09", "2022-11", "2023-01"])
    assert (window.as_of, window.as_of_rule, window.has_data) == ("2022-11", "latest_data", True)


def test_a_period_without_data_reads_its_last_month_and_says_so():
    window = period_window("2019-Q2", ["2019-07", "2019-08"])
    assert (window.as_of, window.as_of_rule, window.has_data) == ("2019-06", "period_end", False)


def test_a_month_is_its_own_as_of_month():
    window = period_window("2022-11", ["2022-10"])
    assert (window.as_of, window.as_of_rule, window.has_data) == ("2022-11", "month", False)


@pytest.mark.parametrize("bad", ["2022-S3", "2022-H2", "2022", "S2-2022", "", "2022-13"])
def test_a_value_that_is_no_review_period_is_refused(bad):
    with pytest.raises(PeriodError):
        review_kind(bad) if bad == "2022" else period_window(bad)


def test_filter_choices_put_a_semester_before_its_quarter_before_its_months():
    choices = filter_choices(["2022-10", "2022-11", "2022-12", "2022-09"])
    assert choices == ["2022-S2", "2022-Q4", "2022-12", "2022-11", "2022-10", "2022-Q3", "2022-09"]


def test_semesters_are_named_in_both_languages():
    assert format_period("2022-S2", "en") == "Jul–Dec 2022"
    assert format_period("2023-S1", "en") == "Jan–Jun 2023"
    assert format_period("2022-S2", "lo") == "ກໍລະກົດ–ທັນວາ 2022"


# ---------------------------------------------------------------- both backends: figures over a period


@pytest.mark.parametrize("scope", [None, "07"])
def test_review_figures_are_the_overview_and_targets_figures_for_the_same_months(demo_engine, scope):
    with demo_engine.connect() as conn:
        review = review_figures(conn, scope, "2022-S2")
        window = period_window("2022-S2", months_with_data(conn))
        previous = period_window("2022-S1", months_with_data(conn))
        assert review["window"]["as_of"] == window.as_of
        # The cards' numbers of the Overview's own headline_figures for the same months (not its reporting counts).
        overview_now = headline_figures(conn, scope, window.as_of, window.start)
        overview_then = headline_figures(conn, scope, previous.as_of, previous.start)
        assert set(review["headline_now"]) == {"registered", "compliance", "stunting", "convergence", "payment_delay"}
        assert review["headline_now"] == {key: overview_now[key] for key in review["headline_now"]}
        assert review["headline_then"] == {key: overview_then[key] for key in review["headline_then"]}
        # Stocks are those of the as-of month: the Overview's own card as of that month.
        month_card = headline_figures(conn, scope, window.as_of)
        assert review["changes"]["registered"]["current"] == month_card["registered"]["value"]
        assert review["changes"]["convergence"]["current"] == month_card["convergence"]["share"]
        # Compliance over the semester: the semester's summed numerators over its summed denominators.
        months = indicator_series(conn, "CCT_COMPLY_ALL", scope, window.start, window.end)
        assert not months.empty
        expected = 100.0 * months["numerator"].sum() / months["denominator"].sum()
        assert review["changes"]["compliance"]["current"] == pytest.approx(expected)
        assert review["changes"]["compliance"]["current"] != pytest.approx(months["value"].mean(), abs=1e-9)
        targets_now = progress_table(conn, scope, window.as_of).set_index("indicator_code")
        targets_then = progress_table(conn, scope, previous.as_of).set_index("indicator_code")
        sessions = indicator_series(conn, "SBCC_SESSIONS", scope, window.start, window.end)
    framework = review["framework"].set_index("indicator_code")
    assert list(framework.index) == list(targets_now.index)
    for code, row in framework.iterrows():
        assert row["status_now"] == targets_now.loc[code, "status"]
        assert row["status_then"] == targets_then.loc[code, "status"]
    # A stock's value now is the Targets page's latest actual as of the same month.
    assert framework.loc["CCT_REGISTERED", "value_now"] == targets_now.loc["CCT_REGISTERED", "actual"]
    # A count is summed over the period's months.
    assert framework.loc["SBCC_SESSIONS", "value_now"] == sessions["value"].sum()
    # The payment delay row is the headline's figure: one definition.
    assert framework.loc["CCT_PAY_DELAY", "value_now"] == review["changes"]["delay"]["current"]


def test_payment_delay_over_a_period_counts_the_cycles_paid_in_any_of_its_months(demo_engine):
    with demo_engine.connect() as conn:
        month = payment_delay(conn, None, "2022-11")
        semester = payment_delay(conn, None, "2022-11", "2022-07")
        # The same month alone is the Overview's figure.
        assert payment_delay(conn, None, "2022-11", "2022-11") == month
    assert semester["n_open"] == month["n_open"]
    assert semester["n_paid"] > month["n_paid"]


def test_a_semester_across_the_year_compares_with_the_last_six_months_of_the_year_before(demo_engine):
    with demo_engine.connect() as conn:
        review = review_figures(conn, None, "2023-S1")
        before = headline_figures(conn, None, "2022-12", "2022-07")
    assert review["previous_window"]["code"] == "2022-S2"
    assert review["previous_window"]["as_of"] == "2022-12"
    assert review["headline_then"] == {key: before[key] for key in review["headline_then"]}


def test_a_quarter_with_no_data_shows_every_routine_figure_missing(demo_engine):
    with demo_engine.connect() as conn:
        review = review_figures(conn, None, "2019-Q2")
    assert review["window"]["has_data"] is False and review["window"]["as_of"] == "2019-06"
    # (Convergence is left out: the Overview's target_village_share_all_projects reads 0 of N
    # villages reached for a month nobody reported; the review shows what the Overview shows.)
    for card in ("registered", "compliance", "delay"):
        assert _missing(review["changes"][card]["current"]), card
        assert review["changes"][card]["change"] is None
    framework = review["framework"]
    routine = framework[framework["rule"] != "survey"]
    assert routine["value_now"].isna().all() and routine["change"].isna().all()
    assert set(routine["status_now"]) <= {"no_data", "not_rated"}


def test_first_period_of_data_has_nothing_to_compare_with(demo_engine):
    with demo_engine.connect() as conn:
        first = min(months_with_data(conn))
        review = review_figures(conn, None, "2019-S2")
    assert first == "2019-07"
    assert review["window"]["has_data"] is True and review["previous_window"]["has_data"] is False
    framework = review["framework"]
    routine = framework[framework["rule"] != "survey"]
    assert routine["value_then"].isna().all()
    # Missing is missing, not zero: a value now with nothing before has no change.
    assert routine["change"].isna().all() and routine["verdict"].isna().all()
    assert routine["value_now"].notna().any()


def test_a_period_after_project_close_is_judged_against_the_target_date(demo_engine):
    # RRPM closed on 31 Aug 2024: its statuses are "met on time / met late / not met", as on Targets.
    with demo_engine.connect() as conn:
        review = review_figures(conn, None, "2025-S1")
        targets = progress_table(conn, None, review["window"]["as_of"]).set_index("indicator_code")
    framework = review["framework"].set_index("indicator_code")
    rrpm = framework[framework["project_code"] == "RRPM"]
    assert review["window"]["as_of"] == "2025-06"
    judged = {status for status in rrpm["status_now"]} & {"met_on_time", "met_late", "not_met"}
    assert judged, rrpm["status_now"].tolist()
    for code in rrpm.index:
        assert rrpm.loc[code, "status_now"] == targets.loc[code, "status"]
    # Survey rows: a period without a new round says so instead of claiming a change.
    stunting = framework.loc["STUNTING"]
    if stunting["period_now"] == stunting["period_then"]:
        assert stunting["verdict"] == "same_round"


def test_a_new_survey_round_is_judged_against_both_standard_errors(demo_engine):
    from data_access import significance

    semesters = [f"{year}-S{half}" for year in range(2020, 2026) for half in (1, 2)]
    found = []
    with demo_engine.connect() as conn:
        for semester in semesters:
            row = review_figures(conn, None, semester)["framework"].set_index("indicator_code").loc["STUNTING"]
            if row["period_now"] != row["period_then"] and not _missing(row["value_then"]):
                found.append((semester, row))
    assert found, "the demo has a new stunting round in some semester"
    for semester, row in found:
        expected = significance.change_verdict(row["value_now"], row["std_error_now"], row["value_then"],
                                               row["std_error_then"], "lower")
        assert row["verdict"] == expected, semester
        assert row["verdict"] in {"better", "worse", "no_change", "untested"}
