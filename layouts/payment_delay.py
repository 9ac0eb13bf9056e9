"""The payment delay's two parts and its rule, worded once for every page that shows the figure."""
from dash import html

from i18n import format_number, format_period, t


def _days(value, lang: str) -> str:
    return format_number(value, lang, 0) if value is not None else t("common.no_data", lang)


def delay_parts(summary: dict, period: str, lang: str) -> list[str]:
    """Sentences for a queries.payments.payment_delay() dict: what the median is over, the open
    cycles (count, beneficiaries, longest and median wait) and the paid ones (median)."""
    month = format_period(period, lang)
    parts = []
    if summary.get("n_cycles"):
        parts.append(t("payments.headline_detail", lang, count=format_number(summary["n_cycles"], lang),
                       period=month))
    if summary.get("n_open"):
        people = summary.get("beneficiaries_waiting")
        parts.append(t("payments.open_part", lang, count=format_number(summary["n_open"], lang),
                       people=format_number(people, lang) if people is not None else t("common.no_data", lang),
                       longest=_days(summary.get("longest_open_days"), lang),
                       median=_days(summary.get("median_open_days"), lang)))
    else:
        parts.append(t("payments.no_open", lang))
    if summary.get("n_paid"):
        parts.append(t("payments.paid_part", lang, count=format_number(summary["n_paid"], lang), period=month,
                       median=_days(summary.get("median_paid_days"), lang)))
    else:
        parts.append(t("payments.no_paid", lang, period=month))
    if summary.get("n_inconsistent"):
        parts.append(t("payments.inconsistent", lang, count=format_number(summary["n_inconsistent"], lang)))
    return parts


def delay_rule(lang: str, element_id: str | None = None) -> html.Details:
    """The rule, folded under a one-line label so it sits beside the figure without crowding it."""
    props = {"id": element_id} if element_id else {}
    return html.Details([html.Summary(t("payments.rule_label", lang)), html.Div(t("payments.rule", lang))],
                        className="small text-muted payment-delay-rule", **props)
