"""The 'lo' locale for plotly.js (toolbar tooltips, notices, month names), built from the catalogs."""
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

from i18n import catalog

PREFIX = "modebar."


@lru_cache(maxsize=2)
def plotly_locale(lang: str) -> dict | None:
    """plotly.js locale {"dictionary": {english: text}, "format": {...}} for `lang`; None for English.

    plotly.js translates its toolbar by looking up its own English strings, so the
    dictionary maps the catalog's `en` (plotly's exact wording) to the `lang` text.
    """
    if lang == "en":
        return None
    dictionary = {texts["en"]: texts[lang] for key, texts in catalog().items() if key.startswith(PREFIX)}
    # plotly's weeks start on Sunday; CLDR numbers days from Monday (0) to Sunday (6).
    days, short_days = get_day_names("wide", locale=lang), get_day_names("abbreviated", locale=lang)
    order = (6, 0, 1, 2, 3, 4, 5)
    months, short_months = get_month_names("wide", locale=lang), get_month_names("abbreviated", locale=lang)
    return {
        "dictionary": dictionary,
        "format": {
            "days": [days[i] for i in order],
            "shortDays": [short_days[i] for i in order],
            "months": [months[i] for i in range(1, 13)],
            "shortMonths": [short_months[i] for i in range(1, 13)],
            "date": "%d/%m/%Y",
        },
    }
