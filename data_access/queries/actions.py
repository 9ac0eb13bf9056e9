"""The agreed-actions register as the /actions page, its export and the mission report show it.

Each action carries where it stands on the day alerts judge the as-of month (the same rule and
due-soon window as data_access.alerts), and its linked indicator's latest value at its place up
to that month, read with queries.observations.indicator_series (the Targets page's series):
nothing here computes a ratio.
"""
import pandas as pd
from sqlalchemy import Connection

from data_access import alerts
from data_access.actions import ACTION_COLUMNS, actions_as_of, list_actions
from data_access.queries.alerts import action_day, alert_rules
from data_access.queries.observations import indicator_series
from data_access.queries.targets import FIRST_PERIOD

VIEWS = ("all", "overdue", "due_soon")
REGISTER_COLUMNS = ACTION_COLUMNS + ["status_then", "due_state", "due_days", "due_soon", "latest_value",
                                     "latest_period"]


def latest_value(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> tuple:
    """(value, period) of the indicator's last reported period up to as_of at the place; (None, None) if none."""
    try:
        series = indicator_series(conn, indicator_code, scope_code if scope_code != "00" else None, FIRST_PERIOD,
                                  as_of)
    except KeyError:
        return None, None
    reported = series[series["value"].notna()]
    if reported.empty:
        return None, None
    last = reported.iloc[-1]
    return float(last["value"]), str(last["period"])


def action_register(conn: Connection, scope_code: str | None, as_of: str, mission: str | None = None,
                    status: str | None = None, responsible_unit: str | None = None,
                    view: str | None = None) -> pd.DataFrame:
    """The register filtered by mission, current status and responsible unit, and by view: "overdue"
    or "due_soon" keep the actions the alerts count as of `as_of` (by their status then); "all" or
    None keep every action (also those agreed after as_of). Columns: REGISTER_COLUMNS.

    due_state "overdue" (due_days: days past due) or "due" (due_days: days left), None when the
    action was closed then or not yet agreed; due_soon: due within the due-soon rule's window.
    """
    day = action_day(as_of)
    frame = list_actions(conn, scope_code, mission, status, responsible_unit)
    if frame.empty:
        return pd.DataFrame(columns=REGISTER_COLUMNS)
    then = actions_as_of(conn, scope_code, day).set_index("id")["status_then"]
    rule = alert_rules(conn)[alerts.ACTION_DUE_SOON]
    window = rule.warning if rule.enabled else None
    records = []
    cache: dict[tuple, tuple] = {}
    for row in frame.to_dict("records"):
        status_then = then.get(row["id"])
        state = alerts.action_due_state(status_then, row["due_date"], day) if status_then else None
        key = (row["indicator_code"], row["admin_code"])
        if row["indicator_code"] and key not in cache:
            cache[key] = latest_value(conn, row["indicator_code"], row["admin_code"], as_of)
        value, period = cache.get(key, (None, None))
        records.append(row | {
            "status_then": status_then, "due_state": state[0] if state else None,
            "due_days": state[1] if state else None,
            "due_soon": bool(state and state[0] == "due" and window is not None and state[1] <= window),
            "latest_value": value, "latest_period": period})
    register = pd.DataFrame(records, columns=REGISTER_COLUMNS).astype(object)
    if view == "overdue":
        register = register[register["due_state"] == "overdue"]
    elif view == "due_soon":
        register = register[register["due_soon"] == True]  # noqa: E712 (object column)
    return register.where(register.notna(), None).reset_index(drop=True)
