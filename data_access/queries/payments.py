"""CCT payment cycles: the pipeline from compliance verification to the beneficiary's wallet."""
import datetime as dt
import statistics

import pandas as pd
from sqlalchemy import Connection, text

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
    frame = pd.DataFrame(result.fetchall(), columns=CYCLE_COLUMNS)
    for column in ("verified_on", "approved_on", "funds_sent_on", "paid_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame["days_to_approval"] = (frame["approved_on"] - frame["verified_on"]).dt.days
    frame["days_approval_to_funds"] = (frame["funds_sent_on"] - frame["approved_on"]).dt.days
    frame["days_funds_to_paid"] = (frame["paid_on"] - frame["funds_sent_on"]).dt.days
    frame["days_verified_to_paid"] = (frame["paid_on"] - frame["verified_on"]).dt.days
    return frame


def median_payment_delay(cycles: pd.DataFrame, paid_from: dt.date, paid_to: dt.date) -> float | None:
    """Median days from verification to payment over cycles paid in [paid_from, paid_to].

    Each cycle counts once (a district's cycle is one approval decision); None when no cycle
    was paid in the window.
    """
    if cycles.empty:
        return None
    paid = cycles[(cycles["paid_on"] >= pd.Timestamp(paid_from)) & (cycles["paid_on"] <= pd.Timestamp(paid_to))]
    delays = paid["days_verified_to_paid"].dropna().tolist()
    return float(statistics.median(delays)) if delays else None
