"""The payment delay's rule, worded once for every page that shows the figure (its parts: figures.payment_delay)."""
from dash import html

from i18n import t
from layouts.figures.payment_delay import delay_parts

__all__ = ["delay_parts", "delay_rule"]


def delay_rule(lang: str, element_id: str | None = None) -> html.Details:
    """The rule, folded under a one-line label so it sits beside the figure without crowding it."""
    props = {"id": element_id} if element_id else {}
    return html.Details([html.Summary(t("payments.rule_label", lang)), html.Div(t("payments.rule", lang))],
                        className="small text-muted payment-delay-rule", **props)
