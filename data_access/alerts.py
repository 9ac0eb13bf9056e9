"""Alerts: which figures need attention first, by rules whose thresholds an admin can change.

Every alert is read off a number some page already shows, computed by that page's one
definition: the payment wait and beneficiaries waiting from data_access.payment_delay (the
Overview card, the Trends pipeline), a district's last report from the rollup (the district
comparison's staleness rule, analytics.report_status), compliance, status and projection from
queries.targets.progress_table (the Targets page). Nothing here computes a figure again.

Graded rules compare one number with up to three thresholds (warning, serious, critical);
the highest threshold passed gives the severity. Status rules (an indicator off track, a
projection that misses the end target even at its upper bound) have no number to grade and
a fixed severity. The defaults live here; the alert_rule table overrides them per rule (an
admin edits it), and a database without that table uses these defaults.
"""
import datetime as dt
import math
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd

from data_access import progress
from data_access.analytics import periods_between, report_status
from i18n import format_day, format_number, format_period, format_value, t

WARNING, SERIOUS, CRITICAL = "warning", "serious", "critical"
SEVERITIES = (CRITICAL, SERIOUS, WARNING)
SEVERITY_RANK = {CRITICAL: 3, SERIOUS: 2, WARNING: 1}

PAYMENT_WAIT = "payment_wait"
BENEFICIARIES_WAITING = "beneficiaries_waiting"
DISTRICT_SILENT = "district_silent"
COMPLIANCE_GAP = "compliance_gap"
OFF_TRACK = "off_track"
PROJECTION_SHORT = "projection_short"
ACTION_OVERDUE = "action_overdue"
ACTION_DUE_SOON = "action_due_soon"
COMPLIANCE_INDICATOR = "CCT_COMPLY_ALL"
# Agreed actions that no longer need doing are never overdue (data_access.actions.CLOSED_STATUSES).
CLOSED_ACTION_STATUSES = frozenset({"done", "dropped"})

ALERT_COLUMNS = ["severity", "rule", "scope_code", "value", "size", "sentence", "link", "indicator_code",
                 "params"]


@dataclass(frozen=True)
class Rule:
    """One alert rule. inclusive: a number equal to a threshold passes it ("has not reported for
    3 months" fires at 3); otherwise it must exceed it ("waiting longer than 30 days" fires at 31)."""

    code: str
    warning: float | None = None
    serious: float | None = None
    critical: float | None = None
    enabled: bool = True
    inclusive: bool = False
    fixed_severity: str | None = None  # status rules: no number to grade
    # "within" rules fire when their number is at most the warning threshold ("due within 30 days");
    # they have no serious or critical level.
    within: bool = False

    @property
    def graded(self) -> bool:
        return self.fixed_severity is None

    def thresholds(self) -> dict[str, float]:
        return {name: value for name, value in
                ((WARNING, self.warning), (SERIOUS, self.serious), (CRITICAL, self.critical))
                if value is not None and not (isinstance(value, float) and math.isnan(value))}


DEFAULT_RULES: dict[str, Rule] = {
    rule.code: rule for rule in (
        # The program's target is payment within 30 days of verification.
        Rule(PAYMENT_WAIT, 30, 60, 90),
        Rule(BENEFICIARIES_WAITING, 500, 1000, 5000),
        # The district comparison calls a district stale after 3 months without a report.
        Rule(DISTRICT_SILENT, 3, 6, 12, inclusive=True),
        Rule(COMPLIANCE_GAP, 10, 20),
        Rule(OFF_TRACK, fixed_severity=SERIOUS),
        Rule(PROJECTION_SHORT, fixed_severity=WARNING),
        # Overdue by at least a day is a warning; a month, serious; a quarter, critical.
        Rule(ACTION_OVERDUE, 0, 30, 90),
        Rule(ACTION_DUE_SOON, 30, within=True),
    )
}
RULE_ORDER = list(DEFAULT_RULES)


def merge_rules(rows: list[dict] | None) -> dict[str, Rule]:
    """The defaults overridden by alert_rule rows (code, warning, serious, critical, enabled).

    A row for an unknown code is ignored (a rule removed from the code has nothing to run);
    a rule without a row keeps its defaults.
    """
    rules = dict(DEFAULT_RULES)
    for row in rows or []:
        default = rules.get(row["code"])
        if default is None:
            continue
        changes = {"enabled": bool(row["enabled"])}
        if default.within:
            changes |= {WARNING: _number(row.get(WARNING))}
        elif default.graded:
            changes |= {name: _number(row.get(name)) for name in (WARNING, SERIOUS, CRITICAL)}
        rules[row["code"]] = replace(default, **changes)
    return rules


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def grade(value, rule: Rule) -> str | None:
    """The severity a number earns under a graded rule, or None when it passes no threshold."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not rule.enabled:
        return None
    earned = None
    for name, threshold in rule.thresholds().items():
        if value > threshold or (rule.inclusive and value == threshold):
            if earned is None or SEVERITY_RANK[name] > SEVERITY_RANK[earned]:
                earned = name
    return earned


def link(page: str, scope_code: str | None, as_of: str, anchor: str | None = None, **extra) -> str:
    """The page and view that explains an alert: "/trends?scope=07&period=2022-11#trends-delay-parts".

    The address the app writes for a view (layouts/url_state.py link; README "Share a view"): scope
    first (00 for the country, said explicitly so that a link opened where a province is chosen still
    opens the country), then period, then the page's own parameters. Written here because data_access
    may not import layouts; tests/data_access/test_alerts.py holds the two writers to the same address.
    """
    query = {"scope": scope_code or "00", "period": as_of}
    query |= {key: value for key, value in extra.items() if value not in (None, "") and key not in query}
    return page + "?" + urlencode(query) + (f"#{anchor}" if anchor else "")


def _alert(rule: str, severity: str, scope_code: str, value: float, size: float, target: str,
           params: dict, indicator_code: str | None = None) -> dict:
    return {"severity": severity, "rule": rule, "scope_code": scope_code, "value": float(value),
            "size": float(size), "link": target, "indicator_code": indicator_code, "params": params}


# ------------------------------------------------------------------ the rules


def payment_alerts(delay: dict, scope_code: str, as_of: str, rules: dict[str, Rule]) -> list[dict]:
    """From queries.payments.payment_delay(): the longest wait of a cycle verified and still unpaid,
    and how many beneficiaries those open cycles hold."""
    alerts = []
    target = link("/trends", scope_code, as_of, "trends-delay-parts")
    longest = delay.get("longest_open_days")
    rule = rules[PAYMENT_WAIT]
    severity = grade(longest, rule)
    if severity:
        alerts.append(_alert(PAYMENT_WAIT, severity, scope_code, longest, longest / _base(rule), target,
                             {"days": longest, "n_open": delay.get("n_open") or 0,
                              "threshold": rule.thresholds()[severity]}))
    waiting = delay.get("beneficiaries_waiting")
    rule = rules[BENEFICIARIES_WAITING]
    severity = grade(waiting, rule)
    if severity:
        alerts.append(_alert(BENEFICIARIES_WAITING, severity, scope_code, waiting, waiting / _base(rule), target,
                             {"people": waiting, "n_open": delay.get("n_open") or 0,
                              "threshold": rule.thresholds()[severity]}))
    return alerts


def silent_district_alerts(last_reports: pd.DataFrame, as_of: str, rules: dict[str, Rule]) -> list[dict]:
    """Districts whose latest routine monthly report is months before as_of.

    last_reports: district_code, name_en, name_lo, last_period (the latest month with a report
    by the end of as_of). A district that never reported is not here: the program may not run there.
    Months silent = months from the last report to as_of (0 when it reported in as_of), the
    count analytics.report_status uses for "stale".
    """
    rule = rules[DISTRICT_SILENT]
    alerts = []
    for row in last_reports.itertuples():
        if not isinstance(row.last_period, str) or report_status(row.last_period, as_of, "month", 1) == "never":
            continue
        months = periods_between(row.last_period, as_of)
        severity = grade(months, rule)
        if severity:
            alerts.append(_alert(DISTRICT_SILENT, severity, row.district_code, months, months / _base(rule),
                                 link("/map", row.district_code, as_of, "map-quality"),
                                 {"months": months, "last_period": row.last_period, "name_en": row.name_en,
                                  "name_lo": row.name_lo}))
    return alerts


def progress_alerts(table: pd.DataFrame, scope_code: str, as_of: str, rules: dict[str, Rule]) -> list[dict]:
    """From queries.targets.progress_table(): compliance below its target by more than the
    threshold (the as-of year's target, else the end-of-project one), indicators off track or
    not met by their date, and projections short of the end target even at their upper bound.
    Only rows with targets at the scope itself are judged (no target is borrowed from above)."""
    alerts = []
    own = table[table["target_level"] == "own"] if not table.empty else table
    for row in own.to_dict("records"):
        code = row["indicator_code"]
        names = {"name_en": row["name_en"], "name_lo": row["name_lo"], "unit": row["unit"]}
        target_link = link("/targets", scope_code, as_of, "targets-progress", indicator=code)
        if code == COMPLIANCE_INDICATOR:
            alerts += _compliance_gap(row, names, scope_code, as_of, rules[COMPLIANCE_GAP])
        if row["status"] in (progress.OFF_TRACK, progress.NOT_MET) and rules[OFF_TRACK].enabled:
            target = _first(row.get("year_target") if row.get("flow") else None, row.get("eop_target"))
            actual = _first(row.get("deadline_value") if row["status"] == progress.NOT_MET else None, row["actual"])
            if actual is not None and target:
                alerts.append(_alert(OFF_TRACK, rules[OFF_TRACK].fixed_severity, scope_code, actual,
                                     abs(target - actual) / abs(target), target_link,
                                     names | {"actual": actual, "target": target, "status": row["status"]}, code))
        if row.get("reason") == "projection_short" and rules[PROJECTION_SHORT].enabled:
            high, target = _first(row.get("projection_high")), _first(row.get("eop_target"))
            if high is not None and target:
                alerts.append(_alert(PROJECTION_SHORT, rules[PROJECTION_SHORT].fixed_severity, scope_code,
                                     abs(target - high), abs(target - high) / abs(target), target_link,
                                     names | {"high": high, "target": target, "short": abs(target - high)}, code))
    return alerts


def _compliance_gap(row: dict, names: dict, scope_code: str, as_of: str, rule: Rule) -> list[dict]:
    target, actual = _first(row.get("year_target"), row.get("eop_target")), _first(row["actual"])
    if target is None or actual is None:
        return []
    gap = target - actual
    severity = grade(gap, rule)
    if not severity:
        return []
    return [_alert(COMPLIANCE_GAP, severity, scope_code, gap, gap / _base(rule),
                   link("/trends", scope_code, as_of, "trends-compliance-graph"),
                   names | {"actual": actual, "target": target, "points": gap,
                            "threshold": rule.thresholds()[severity]}, row["indicator_code"])]


def _first(*values) -> float | None:
    for value in values:
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            return float(value)
    return None


def _base(rule: Rule) -> float:
    """The lowest threshold: the size of an alert is its number in multiples of it."""
    thresholds = [value for value in rule.thresholds().values() if value]
    return min(thresholds) if thresholds else 1.0


def action_due_state(status: str | None, due_date, day) -> tuple[str, int] | None:
    """("overdue", days past due) for an open or in-progress action whose due date is before `day`,
    ("due", days left, 0 = due that day) for one due on or after it; None for a closed action.
    An action due today is not overdue: it still has the day."""
    if status in CLOSED_ACTION_STATUSES or due_date is None:
        return None
    days = (day - due_date).days
    return ("overdue", days) if days > 0 else ("due", -days)


def action_alerts(actions: pd.DataFrame, scope_code: str, as_of: str, day, rules: dict[str, Rule]) -> list[dict]:
    """From queries: the actions agreed by `day` (data_access.actions.actions_as_of: due_date,
    status_then, text_en, text_lo). One alert for those overdue (graded by the longest overdue),
    one for those due within the due-soon window (a warning), each linking to /actions so filtered."""
    overdue, soon = [], []
    soon_rule = rules[ACTION_DUE_SOON]
    window = soon_rule.warning if soon_rule.enabled else None
    for row in actions.to_dict("records"):
        state = action_due_state(row.get("status_then"), row.get("due_date"), day)
        if state and state[0] == "overdue":
            overdue.append((state[1], row))
        elif state and window is not None and state[1] <= window:
            soon.append((state[1], row))
    alerts = []
    rule = rules[ACTION_OVERDUE]
    if overdue:
        days, worst = max(overdue, key=lambda item: (item[0], -int(item[1].get("id") or 0)))
        severity = grade(days, rule)
        if severity:
            alerts.append(_alert(ACTION_OVERDUE, severity, scope_code, days, days / _base(rule),
                                 link("/actions", scope_code, as_of, view="overdue"),
                                 {"n": len(overdue), "days": days, "due": worst["due_date"].isoformat(),
                                  "text_en": worst.get("text_en"), "text_lo": worst.get("text_lo")}))
    if soon:
        days, first = min(soon, key=lambda item: (item[0], int(item[1].get("id") or 0)))
        alerts.append(_alert(ACTION_DUE_SOON, WARNING, scope_code, len(soon), len(soon) / max(len(actions), 1),
                             link("/actions", scope_code, as_of, view="due_soon"),
                             {"n": len(soon), "days": days, "window": window, "due": first["due_date"].isoformat(),
                              "text_en": first.get("text_en"), "text_lo": first.get("text_lo")}))
    return alerts


# ------------------------------------------------------------------ ranking and sentences


def rank(alerts: list[dict], lang: str = "en") -> pd.DataFrame:
    """Alerts ranked by severity (critical first), then size (how far past its threshold), with
    their sentence in `lang`. Columns: ALERT_COLUMNS."""
    frame = pd.DataFrame(alerts, columns=[c for c in ALERT_COLUMNS if c != "sentence"])
    if frame.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    frame["sentence"] = [sentence(alert, lang) for alert in frame.to_dict("records")]
    frame["_rank"] = frame["severity"].map(SEVERITY_RANK)
    frame["_order"] = frame["rule"].map(RULE_ORDER.index)
    frame = frame.sort_values(["_rank", "size", "_order", "scope_code"], ascending=[False, False, True, True])
    return frame.drop(columns=["_rank", "_order"]).reset_index(drop=True)[ALERT_COLUMNS]


def sentence(alert: dict, lang: str) -> str:
    """One sentence with the alert's number formatted for the reader."""
    p, rule = alert["params"], alert["rule"]
    name = p.get("name_lo" if lang == "lo" else "name_en")
    if rule == PAYMENT_WAIT:
        return t("alerts.sentence_payment_wait", lang, n_open=format_number(p["n_open"], lang),
                 days=format_value(p["days"], "days", lang), threshold=format_value(p["threshold"], "days", lang))
    if rule == BENEFICIARIES_WAITING:
        return t("alerts.sentence_beneficiaries_waiting", lang, people=format_number(p["people"], lang),
                 n_open=format_number(p["n_open"], lang))
    if rule == DISTRICT_SILENT:
        return t("alerts.sentence_district_silent", lang, district=name, months=format_number(p["months"], lang),
                 period=format_period(p["last_period"], lang))
    if rule == COMPLIANCE_GAP:
        return t("alerts.sentence_compliance_gap", lang, actual=format_value(p["actual"], "percent", lang),
                 target=format_value(p["target"], "percent", lang), points=format_number(p["points"], lang, 1))
    if rule == OFF_TRACK:
        key = "alerts.sentence_not_met" if p["status"] == progress.NOT_MET else "alerts.sentence_off_track"
        return t(key, lang, indicator=name, actual=format_value(p["actual"], p["unit"], lang),
                 target=format_value(p["target"], p["unit"], lang))
    if rule == PROJECTION_SHORT:
        return t("alerts.sentence_projection_short", lang, indicator=name,
                 high=format_value(p["high"], p["unit"], lang), target=format_value(p["target"], p["unit"], lang),
                 short=format_value(p["short"], p["unit"], lang))
    if rule in (ACTION_OVERDUE, ACTION_DUE_SOON):
        action = p.get("text_lo" if lang == "lo" else "text_en") or p.get("text_en") or ""
        due = format_day(dt.date.fromisoformat(p["due"]), lang)
        return t(f"alerts.sentence_{rule}", lang, n=format_number(p["n"], lang), due=due, action=_short(action),
                 days=format_value(p["days"], "days", lang), window=format_value(p.get("window") or 0, "days", lang))
    raise ValueError(f"no sentence for rule {rule!r}")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

