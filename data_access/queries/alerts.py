"""Alerts for a place as of a month, and the rules in force (data_access.alerts holds the rules)."""
import pandas as pd
from sqlalchemy import Connection, inspect, text

import datetime as dt

from data_access.frames import rows_frame
from data_access import alerts
from data_access.actions import actions_as_of, has_actions_table
from data_access.payment_delay import INDICATOR as PAYMENT_DELAY
from data_access.periods import month_code, period_end, period_start
from data_access.queries.payments import payment_delay
from data_access.queries.quality import last_reports
from data_access.store import read_through
from data_access.queries.targets import progress_table

RULE_COLUMNS = ["code", "warning", "serious", "critical", "enabled", "inclusive", "fixed_severity", "within"]


def alert_rules(conn: Connection) -> dict[str, alerts.Rule]:
    """The rules in force: the code's defaults, overridden by the alert_rule table where it has a
    row (a database built before the table existed uses the defaults)."""
    if not inspect(conn).has_table("alert_rule"):
        return dict(alerts.DEFAULT_RULES)
    rows = conn.execute(text("SELECT code, warning, serious, critical, enabled FROM alert_rule")).mappings().all()
    return alerts.merge_rules([dict(row) for row in rows])


def rules_in_force(conn: Connection) -> pd.DataFrame:
    """One row per rule, in the order alerts are described: RULE_COLUMNS."""
    rules = alert_rules(conn)
    frame = pd.DataFrame([{column: getattr(rules[code], column) for column in RULE_COLUMNS}
                          for code in alerts.RULE_ORDER], columns=RULE_COLUMNS).astype(object)
    return frame.where(frame.notna(), None)


def last_district_reports(conn: Connection, scope_code: str | None, as_of: str) -> pd.DataFrame:
    """Each district's latest month with a routine monthly report by the end of as_of.

    A report is a district rollup row with n_units > 0 (a unit reported in that month: a stock
    carried forward from earlier is not a report), the rule the district comparison's staleness
    uses (queries.quality.last_reports), over every monthly indicator but surveys. The payment
    delay is left out: it is derived from payment cycles, not reported.
    Columns: district_code, name_en, name_lo, last_period; districts that never reported are absent.
    """
    codes = [code for (code,) in conn.execute(text(
        "SELECT code FROM indicator WHERE period_type = 'month' AND aggregation <> 'survey' AND code <> :delay "
        "ORDER BY code"), {"delay": PAYMENT_DELAY})]
    prefix = scope_code + "%" if scope_code and scope_code != "00" else "%"
    districts = [code for (code,) in conn.execute(text(
        "SELECT code FROM admin_unit WHERE level = 'district' AND code LIKE :prefix ORDER BY code"), {"prefix": prefix})]
    # Most districts reported in the month itself: one index range finds them; only the others are
    # looked for backwards, month by month (last_reports), which cost 30 ms a page on PostgreSQL for all.
    params = {"start": period_start(as_of), "prefix": prefix} | {f"i{n}": code for n, code in enumerate(codes)}
    in_list = ", ".join(f":i{n}" for n in range(len(codes))) or "NULL"
    reporting = {code for (code,) in conn.execute(text(
        f"SELECT DISTINCT r.admin_code FROM observation_rollup r WHERE r.indicator_code IN ({in_list}) "
        "AND r.level = 'district' AND r.period_start = :start AND r.n_units > 0 AND r.admin_code LIKE :prefix"),
        params)}
    silent = [code for code in districts if code not in reporting]
    reports = last_reports(conn, silent, codes, period_end(as_of))
    latest = pd.concat([
        pd.DataFrame({"district_code": sorted(reporting), "last_period": month_code(period_start(as_of))}),
        reports.groupby("district_code", as_index=False)["last_period"].max(),
    ], ignore_index=True)
    names = rows_frame(conn.execute(text(
        "SELECT code AS district_code, name_en, name_lo FROM admin_unit WHERE level = 'district'")).fetchall(),
        ["district_code", "name_en", "name_lo"])
    frame = names.merge(latest, on="district_code", how="inner").sort_values("district_code")
    return frame[["district_code", "name_en", "name_lo", "last_period"]].reset_index(drop=True)


def alerts_for(conn: Connection, scope_code: str | None, as_of: str, lang: str = "en") -> pd.DataFrame:
    """The alerts for a place (None or "00" national, a province, a district) as of a month,
    ranked by severity then size, each with its sentence in `lang` and a link to the view that
    explains it. Columns: data_access.alerts.ALERT_COLUMNS.

    The numbers are those the pages show: queries.payments.payment_delay (Overview card, Trends
    pipeline), queries.targets.progress_table (Targets), last_district_reports (district staleness).
    """
    scope = scope_code or "00"
    rules = alert_rules(conn)
    # The same reads as the Overview cards' and the Targets page's, from the same cache when a page asks.
    found = alerts.payment_alerts(read_through(conn, payment_delay, scope_code, as_of), scope, as_of, rules)
    if rules[alerts.DISTRICT_SILENT].enabled:
        found += alerts.silent_district_alerts(last_district_reports(conn, scope_code, as_of), as_of, rules)
    found += alerts.progress_alerts(read_through(conn, progress_table, scope_code, as_of), scope, as_of, rules)
    if has_actions_table(conn):
        day = action_day(as_of)
        found += alerts.action_alerts(actions_as_of(conn, scope_code, day), scope, as_of, day, rules)
    return alerts.rank(found, lang)


def action_day(as_of: str, today: dt.date | None = None) -> dt.date:
    """The day agreed actions are judged on for an as-of month: its last day, or today while it runs
    (an action due later this month is not overdue yet)."""
    return min(period_end(as_of), today or dt.date.today())
