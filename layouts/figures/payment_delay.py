"""The payment delay's two parts in words (pure: a summary dict and a language in, sentences out)."""
from i18n import format_number, format_period, t

# The open and paid parts of a queries.payments.payment_delay summary.
PAY_DELAY_PARTS = ("n_open", "beneficiaries_waiting", "longest_open_days", "median_open_days", "n_paid",
                   "median_paid_days")


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
