"""The Trends page's view in the address: `indicator=` (the card it opens on), `survey=`, `currency=`.

`/trends?scope=07&period=2022-11&indicator=CCT_COMPLY_ALL` opens on the compliance card (the
Overview's compliance card links there); a survey code also chooses that survey's estimate.
"""
import json

from dash import Input, Output, ctx, no_update

from layouts.shell import LOCATION
from layouts.trends import CURRENCIES, CURRENCY, FOCUS, FOCUS_CARDS, SURVEY_CHOICES, SURVEY_INDICATOR, URL_STATE
from layouts.url_state import URL_IN, parse_choice, query_of

TRENDS_KEYS = ["indicator", "survey", "currency"]


def trends_choices(query: dict) -> dict:
    """{"indicator", "survey", "currency"} a link asks for; None where it asks for nothing valid."""
    indicator = parse_choice(query, "indicator", FOCUS_CARDS)
    survey = indicator if indicator in SURVEY_CHOICES else parse_choice(query, "survey", SURVEY_CHOICES)
    return {"indicator": indicator, "survey": survey, "currency": parse_choice(query, "currency", CURRENCIES)}


def trends_params(focus: str | None, survey: str | None, currency: str | None) -> dict:
    return {"indicator": focus if focus in FOCUS_CARDS else None,
            "survey": survey if survey in SURVEY_CHOICES else None,
            "currency": currency if currency in CURRENCIES else None}


def register(app, store, config) -> None:
    @app.callback(
        Output(SURVEY_INDICATOR, "value"),
        Output(CURRENCY, "value"),
        Output(FOCUS, "data"),
        Input(LOCATION, "href"),
        Input(URL_IN, "data"),
    )
    def trends_from_link(href, popped):
        source = popped.get("href") if ctx.triggered_id == URL_IN and isinstance(popped, dict) else href
        chosen = trends_choices(query_of(source))
        return (chosen["survey"] or no_update, chosen["currency"] or no_update,
                chosen["indicator"] or no_update)

    @app.callback(
        Output(URL_STATE, "data"),
        Input(SURVEY_INDICATOR, "value"),
        Input(CURRENCY, "value"),
        Input(FOCUS, "data"),
    )
    def trends_address(survey, currency, focus):
        # Choosing another survey moves a survey focus with it; a focus on another card stays.
        if ctx.triggered_id == SURVEY_INDICATOR and (focus is None or focus in SURVEY_CHOICES):
            focus = survey if focus else None
        return {"params": trends_params(focus, survey, currency), "push": False, "keys": TRENDS_KEYS,
                "path": "/trends"}

    # Bring the card the link is about into view and mark it (CSS .view-focus), once its page is drawn.
    app.clientside_callback(
        """function(indicator) {
            const cards = %s;
            const card = indicator && cards[indicator] ? document.getElementById(cards[indicator]) : null;
            document.querySelectorAll('.view-focus').forEach(node => node.classList.remove('view-focus'));
            if (card) {
                card.classList.add('view-focus');
                window.setTimeout(() => card.scrollIntoView({block: 'start'}), 300);
            }
            return window.dash_clientside.no_update;
        }""" % json.dumps(FOCUS_CARDS),
        Input(FOCUS, "data"),
    )
