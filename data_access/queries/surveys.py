"""When a survey round counts as known: the one rule every "latest survey as of" query applies.

A round counts from the day its estimates became known (survey_round.available_on: fieldwork
end or release), not from the first day of its period; a round without that date counts from
the end of its period (a "2022" round from 31 December 2022). Queries join
`survey_round` with KNOWN_JOIN and add known_condition() with known_params().
"""
import datetime as dt

from sqlalchemy import Connection, text

from data_access.periods import period_containing, period_end, period_start

KNOWN_JOIN = "LEFT JOIN survey_round sr ON sr.indicator_code = {alias}.indicator_code AND sr.period = {alias}.period"


def known_join(alias: str = "r") -> str:
    return " " + KNOWN_JOIN.format(alias=alias) + " "


def known_condition(alias: str = "r") -> str:
    """SQL: the row's round was known by :survey_known_by (needs known_join(alias))."""
    return (f"((sr.available_on IS NULL AND {alias}.period_start <= :survey_ended_start) "
            f"OR sr.available_on <= :survey_known_by)")


def last_period_ended_by(day: dt.date, period_type: str) -> dt.date:
    """First day of the latest period of the type that has ended by `day` (inclusive)."""
    current = period_containing(day, period_type)
    if period_end(current) <= day:
        return period_start(current)
    return period_start(period_containing(period_start(current) - dt.timedelta(days=1), period_type))


def known_params(as_of_end: dt.date, period_type: str = "year") -> dict:
    """Parameters for known_condition(): rounds known by the last day of the as-of month."""
    return {"survey_known_by": as_of_end, "survey_ended_start": last_period_ended_by(as_of_end, period_type)}


def is_known(period: str, available_on: dt.date | None, as_of_end: dt.date) -> bool:
    """The same rule on one round in Python (for tests and pure code)."""
    if available_on is not None:
        return available_on <= as_of_end
    return period_end(period) <= as_of_end


def survey_estimates(conn: Connection, indicator_code: str, admin_code: str, as_of_end: dt.date,
                     period_type: str = "year") -> list[dict]:
    """The unit's own survey estimates known by as_of_end, oldest first: [{period, value, std_error}]."""
    rows = conn.execute(
        text(
            "SELECT o.period, o.value, o.std_error FROM observation o" + known_join("o")
            + "WHERE o.indicator_code = :indicator AND o.admin_code = :code AND o.value IS NOT NULL "
            "AND o.period_start <= :survey_known_by AND " + known_condition("o") + " ORDER BY o.period_start"
        ),
        {"indicator": indicator_code, "code": admin_code} | known_params(as_of_end, period_type),
    ).mappings().all()
    return [dict(row) for row in rows]


def known_rows(conn: Connection, frame, indicator_code: str, as_of_end: dt.date):
    """The rows of a frame of one survey indicator's rounds (column "period") known by
    as_of_end, by the same rule as known_condition(); for the few queries that read rounds
    through a generic series query."""
    dates = {period: day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
             for period, day in conn.execute(
                 text("SELECT period, available_on FROM survey_round WHERE indicator_code = :indicator"),
                 {"indicator": indicator_code})}
    keep = [is_known(period, dates.get(period), as_of_end) for period in frame["period"]]
    return frame[keep].reset_index(drop=True) if len(frame) else frame
