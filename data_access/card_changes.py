"""What the Overview cards say about the month before: the change in each headline figure.

Both months come from queries.overview.headline_figures, so the change is the difference of two
figures the page shows, never a figure computed another way. A survey estimate only changes when
a new round becomes known; a new round's change is judged by data_access.significance, so a
difference within the two rounds' uncertainty reads "no significant change".
"""
import math

from data_access import significance

# Stunting: a lower share is better (the indicator catalogue's direction for STUNTING).
STUNTING_DIRECTION = "lower"
CARD_DIRECTIONS = {"registered": "higher", "compliance": "higher", "convergence": "higher", "delay": "lower"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _card_values(figures: dict) -> dict:
    return {
        "registered": figures["registered"].get("value"),
        "compliance": figures["compliance"].get("value"),
        "convergence": figures["convergence"].get("share"),
        "delay": figures["payment_delay"].get("delay_days"),
    }


def compare(current: dict, previous: dict | None) -> dict:
    """Per card: {"current", "previous", "change" (current - previous, None when either is
    missing), "verdict" ("better" / "worse" / "same" by the card's direction)}; and "stunting":
    {"verdict": "same_round" (no round became known since), "better" / "worse" / "no_change" /
    "untested" (significance of the new round against the previous one), or None (no estimate)}.
    """
    now = _card_values(current)
    before = _card_values(previous) if previous else dict.fromkeys(now)
    changes = {}
    for card, value in now.items():
        earlier = before[card]
        if _missing(value) or _missing(earlier):
            changes[card] = {"current": value, "previous": earlier, "change": None, "verdict": None}
            continue
        change = float(value) - float(earlier)
        sign = 1 if CARD_DIRECTIONS[card] == "higher" else -1
        verdict = "same" if change == 0 else ("better" if sign * change > 0 else "worse")
        changes[card] = {"current": value, "previous": earlier, "change": change, "verdict": verdict}
    changes["stunting"] = {"verdict": _stunting_verdict(current["stunting"], (previous or {}).get("stunting"))}
    return changes


def _stunting_verdict(now: dict, before: dict | None) -> str | None:
    latest = now.get("latest") if now else None
    earlier = before.get("latest") if before else None
    if not latest:
        return None
    if not earlier or (earlier["period"] == latest["period"] and now.get("level_code") == before.get("level_code")):
        return "same_round" if earlier else None
    return significance.change_verdict(latest["value"], latest["std_error"], earlier["value"], earlier["std_error"],
                                       STUNTING_DIRECTION)
