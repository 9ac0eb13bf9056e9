"""The Overview cards against their target (a tone) and against the month before (an arrow and a value)."""
from dash import html

from i18n import format_number, format_period, t

# The Targets page's status (data_access.progress) decides the tone; a card without a target at
# the place has none, so colour never suggests a judgement nobody made.
TONES = {"met": "on-target", "met_on_time": "on-target", "on_track": "on-target", "at_risk": "at-risk",
         "met_late": "at-risk", "off_track": "off-target", "not_met": "off-target"}
CARD_INDICATORS = {"registered": "CCT_REGISTERED", "compliance": "CCT_COMPLY_ALL", "stunting": "STUNTING",
                   "delay": "CCT_PAY_DELAY"}

UNITS = {"registered": "count", "compliance": "points", "convergence": "points", "delay": "days"}


def card_statuses(progress) -> dict[str, str]:
    """Card -> progress_table status, for rows with a target at the place itself."""
    if progress is None or progress.empty:
        return {}
    own = progress[progress["target_level"] == "own"].set_index("indicator_code")["status"].to_dict()
    return {card: own[code] for card, code in CARD_INDICATORS.items() if code in own}


def tone_of(card: str, statuses: dict[str, str]) -> str | None:
    return TONES.get(statuses.get(card))


def status_label(card: str, statuses: dict[str, str], lang: str) -> html.Span | None:
    """The status word beside the colour, so the tone is never colour alone."""
    status = statuses.get(card)
    if status not in TONES:
        return None
    return html.Span(t(f"targets.status_{status}", lang), className=f"card-status tone-text-{TONES[status]}",
                     id={"type": "overview-card-status", "card": card})


def change_line(card: str, change: dict | None, previous_period: str, lang: str) -> html.Div | None:
    """"▲ 35 since Oct 2022"; "no figure for Oct 2022" when the month before has none."""
    since = format_period(previous_period, lang)
    if not change or change["current"] is None:
        return None
    if change["change"] is None:
        text = t("alerts.change_no_previous", lang, period=since)
        return html.Div(text, className="headline-detail card-change", id={"type": "overview-card-change", "card": card})
    amount = abs(change["change"])
    unit = UNITS[card]
    if unit == "points":
        value = t("alerts.change_points", lang, value=format_number(amount, lang, 1))
    elif unit == "days":
        value = t("alerts.change_days", lang, value=format_number(amount, lang))
    else:
        value = format_number(amount, lang)
    direction = "up" if change["change"] > 0 else "down" if change["change"] < 0 else "flat"
    arrow = {"up": "↑", "down": "↓", "flat": "→"}[direction]
    text = t(f"alerts.change_{direction}", lang, arrow=arrow, value=value, period=since)
    return html.Div(text, className=f"headline-detail card-change change-{change['verdict']}",
                    id={"type": "overview-card-change", "card": card})


def stunting_change_line(verdict: str | None, previous_period: str, lang: str) -> html.Div | None:
    """A survey estimate changes only with a new round, and then only beyond its uncertainty."""
    if verdict is None:
        return None
    key = {"same_round": "alerts.change_same_round", "no_change": "alerts.change_not_significant",
           "untested": "alerts.change_untested", "better": "alerts.change_survey_better",
           "worse": "alerts.change_survey_worse"}[verdict]
    return html.Div(t(key, lang, period=format_period(previous_period, lang)),
                    className=f"headline-detail card-change change-{verdict}",
                    id={"type": "overview-card-change", "card": "stunting"})
