"""CCT payment cycles: the pipeline from compliance verification to the beneficiary's wallet."""
import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.payment_delay import CYCLE_SQL, days_waiting, delay_summary, summarise
from data_access.periods import period_end, period_start

CYCLE_COLUMNS = ["district_code", "province_code", "name_en", "name_lo", "cycle_no", "period",
                 "verified_on", "approved_on", "funds_sent_on", "paid_on", "beneficiaries", "amount_lak"]


def payment_cycles(conn: Connection, within: str | None = None) -> pd.DataFrame:
    """Every cycle (inside `within`, a code prefix) with its dates and the day counts between them.

    Extra columns: days_to_approval, days_approval_to_funds, days_funds_to_paid,
    days_verified_to_paid (None where a step has not happened yet). Cycles are few
    (one per district per month at most), so day arithmetic is done here, portably.
    """
    sql = """
        SELECT c.district_code, a.province_code, a.name_en, a.name_lo, c.cycle_no, c.period,
               c.verified_on, c.approved_on, c.funds_sent_on, c.paid_on, c.beneficiaries, c.amount_lak
        FROM payment_cycle c JOIN admin_unit a ON a.code = c.district_code
    """
    params = {}
    if within and within != "00":
        sql += " WHERE c.district_code LIKE :prefix"
        params["prefix"] = within + "%"
    result = conn.execute(text(sql + " ORDER BY c.district_code, c.cycle_no"), params)
    frame = rows_frame(result.fetchall(), CYCLE_COLUMNS)
    for column in ("verified_on", "approved_on", "funds_sent_on", "paid_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame["days_to_approval"] = (frame["approved_on"] - frame["verified_on"]).dt.days
    frame["days_approval_to_funds"] = (frame["funds_sent_on"] - frame["approved_on"]).dt.days
    frame["days_funds_to_paid"] = (frame["paid_on"] - frame["funds_sent_on"]).dt.days
    frame["days_verified_to_paid"] = (frame["paid_on"] - frame["verified_on"]).dt.days
    return frame


def payment_delay(conn: Connection, scope_code: str | None, as_of: str, first_month: str | None = None) -> dict:
    """The payment delay of a place (None = national) in the month as_of, with its two parts.

    One query reads the place's cycles that count for the month (verified by its end, and
    open then or paid during it); the rule is data_access.payment_delay. Returns
    {"delay_days" (the headline: median days waiting over open and paid cycles, None when
    no cycle counts), "n_cycles", "n_open", "beneficiaries_waiting", "longest_open_days",
    "median_open_days", "n_paid", "median_paid_days", "n_inconsistent", "as_of_date"}.
    first_month (a review period's first month): the same rule over the months first_month to
    as_of: the cycles paid in them and those still waiting at the end of as_of.
    """
    last = period_end(as_of)
    first = period_start(first_month) if first_month else None
    summary = summarise(days_waiting(_cycles_of_the_month(conn, scope_code, as_of, first_month), last, first))
    return summary | {"as_of_date": last}


def payment_delay_by_unit(conn: Connection, level: str, as_of: str, within: str | None = None) -> pd.DataFrame:
    """payment_delay for every district or province (inside `within`, a code prefix) in the month.

    Columns: admin_code, then data_access.payment_delay.SUMMARY_COLUMNS; places with no
    cycle to count are absent. One query, as payment_delay.
    """
    column = {"district": "district_code", "province": "province_code"}[level]
    cycles = _cycles_of_the_month(conn, within, as_of)
    summary = delay_summary(days_waiting(cycles, period_end(as_of)), by=[column])
    return summary.rename(columns={column: "admin_code"})


def _cycles_of_the_month(conn: Connection, scope_code: str | None, as_of: str,
                         first_month: str | None = None) -> pd.DataFrame:
    """The place's cycles that can count for the month (or the months from first_month): verified
    by its end, open then or paid during it."""
    sql = CYCLE_SQL + " AND c.verified_on <= :last AND (c.paid_on IS NULL OR c.paid_on >= :first)"
    params: dict = {"first": period_start(first_month or as_of), "last": period_end(as_of)}
    if scope_code and scope_code != "00":
        sql += " AND c.district_code LIKE :prefix"
        params["prefix"] = scope_code + "%"
    result = conn.execute(text(sql), params)
    return rows_frame(result.fetchall(), list(result.keys()))
