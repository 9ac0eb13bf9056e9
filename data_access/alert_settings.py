"""Saving the alert thresholds an admin sets: checked whole, written in one transaction.

The caller decides who may save (callbacks/alert_rules.py can_edit_alert_rules); this module
decides what may be saved. A rule's thresholds must be numbers of at least 0, rising from
warning to serious to critical where more than one is given, and at least one must be given
while the rule is on. Status rules (off track, projection short) take no numbers, only on/off.
"""
import datetime as dt
import math

from sqlalchemy import Engine, text

from data_access.alerts import DEFAULT_RULES, SERIOUS, WARNING, CRITICAL
from data_access.store import bump_data_version

LEVELS = (WARNING, SERIOUS, CRITICAL)


class RuleError(ValueError):
    """A change that cannot be saved; `code` names the sentence, `rule` the rule, `level` the field."""

    def __init__(self, code: str, rule: str, level: str | None = None):
        super().__init__(f"{rule}: {code}" + (f" ({level})" if level else ""))
        self.code, self.rule, self.level = code, rule, level


def _number(value, rule: str, level: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise RuleError("not_a_number", rule, level) from None
    if math.isnan(number) or math.isinf(number):
        raise RuleError("not_a_number", rule, level)
    if number < 0:
        raise RuleError("negative", rule, level)
    return number


def checked(changes: dict[str, dict]) -> list[dict]:
    """Rows to write from {rule code: {"warning", "serious", "critical", "enabled"}}; RuleError otherwise."""
    rows = []
    for code, change in changes.items():
        rule = DEFAULT_RULES.get(code)
        if rule is None:
            raise RuleError("unknown_rule", code)
        enabled = bool(change.get("enabled", True))
        numbers = {level: None for level in LEVELS}
        if rule.graded:
            numbers = {level: _number(change.get(level), code, level) for level in LEVELS}
            given = [numbers[level] for level in LEVELS if numbers[level] is not None]
            if enabled and not given:
                raise RuleError("no_threshold", code)
            if any(later <= earlier for earlier, later in zip(given, given[1:])):
                raise RuleError("not_rising", code)
        rows.append({"code": code, "enabled": enabled, **numbers})
    return rows


def save_alert_rules(engine: Engine, changes: dict[str, dict]) -> int:
    """Check every change, then write them all (or none) and bump the data version so that every
    page's cached alerts follow at once. Returns the number of rules written."""
    rows = checked(changes)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:
        for row in rows:
            updated = conn.execute(text(
                "UPDATE alert_rule SET warning = :warning, serious = :serious, critical = :critical, "
                "enabled = :enabled, updated_at = :now WHERE code = :code"), row | {"now": now}).rowcount
            if not updated:
                conn.execute(text(
                    "INSERT INTO alert_rule (code, warning, serious, critical, enabled, updated_at) "
                    "VALUES (:code, :warning, :serious, :critical, :enabled, :now)"), row | {"now": now})
        bump_data_version(conn)
    return len(rows)
