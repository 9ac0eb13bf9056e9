"""About page: what the dashboard is, where figures and boundaries come from, the font, the glossary."""
import dash_bootstrap_components as dbc
from dash import html

from i18n import t
from i18n.glossary import glossary
from layouts.common import current_language

PAGE = {"path": "/about", "title_key": "nav.about", "order": 90, "show_in_nav": True, "filters": (),
        "nav_group": "more"}

TITLE = "about-title"
CREDITS = "about-credits"
GLOSSARY_TABLE = "about-glossary"

# Titles, citations and licence names are proper names: the same in both languages, marked
# lang="en" so that screen readers (and the language test) know they are English on a Lao page.
GEOBOUNDARIES = ("geoBoundaries gbOpen, Lao PDR ADM2, simplified release. Runfola, D. et al. (2020), "
                 "geoBoundaries: A global database of political administrative boundaries, "
                 "PLoS ONE 15(4): e0231866")
GEOBOUNDARIES_URL = "https://doi.org/10.1371/journal.pone.0231866"
HDX_CODAB = ("OCHA Humanitarian Data Exchange (HDX), Common Operational Dataset: "
             "Lao PDR administrative boundaries (cod-ab-lao, 2019 edition)")
HDX_REPOSITORY = "nipndri/mapjsfiles"
HDX_ORIGINAL = "OCHA / HDX"
CODE_TABLES_REPOSITORY = "DraKenDevOps/vaccine-register-ng12 (2025)"
FONT_NAME = "Noto Sans Lao"
FONT_LICENCE = "SIL Open Font License 1.1"
SOFTWARE = "Dash, Plotly (MIT)"
STYLES = "Bootstrap (MIT)"


def _neutral(text: str, tag=html.Span):
    return tag(text, lang="en")


def _credits(lang: str) -> html.Ul:
    items = [
        [html.Strong(t("about.credit_districts", lang)), ": ",
         html.A(_neutral(GEOBOUNDARIES, html.Cite), href=GEOBOUNDARIES_URL, target="_blank", rel="noopener"),
         ". ", t("about.licence", lang, licence="CC BY 4.0"), "."],
        [html.Strong(t("about.credit_provinces", lang)), ": ", _neutral(HDX_CODAB, html.Cite), ", ",
         t("about.credit_provinces_how", lang, repository=HDX_REPOSITORY, original=HDX_ORIGINAL), ". ",
         t("about.licence", lang, licence=f"MIT ({HDX_REPOSITORY})"), "."],
        [html.Strong(t("about.credit_codes", lang)), ": ",
         t("about.credit_codes_how", lang, repository=CODE_TABLES_REPOSITORY), "."],
    ]
    return html.Ul([html.Li(item, className="mb-2") for item in items], id=CREDITS)


def glossary_table(lang: str) -> dbc.Table:
    """The glossary in both languages, the reader's language first."""
    other = "en" if lang == "lo" else "lo"
    header = html.Thead(html.Tr([html.Th(t(f"about.col_{lang}", lang)), html.Th(t(f"about.col_{other}", lang))]))
    rows = [
        html.Tr([html.Td(getattr(term, lang), lang=lang), html.Td(getattr(term, other), lang=other)])
        for term in glossary()
    ]
    return dbc.Table([header, html.Tbody(rows)], id=GLOSSARY_TABLE, size="sm", striped=True, bordered=False,
                     className="about-glossary bg-white")


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    section = "mt-4 mb-2 h5"
    return html.Div(
        [
            html.H1(t("about.title", lang), className="page-title", id=TITLE),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("about.what_heading", lang), className=section),
                            html.P(t("about.what_body", lang)),
                            html.P(t("about.what_use", lang, no_report=t("common.no_report", lang))),
                            html.H2(t("about.data_heading", lang), className=section),
                            html.P(t("about.data_body", lang)),
                            html.H2(t("about.demo_heading", lang), className=section),
                            dbc.Alert(t("about.demo_body", lang, label=t("shell.demo_badge", lang)), color="warning"),
                            html.H2(t("about.boundaries_heading", lang), className=section),
                            _credits(lang),
                            html.P(t("about.crosswalk", lang)),
                            html.P(t("shell.footer", lang), className="text-muted"),
                            html.H2(t("about.font_heading", lang), className=section),
                            html.P(_with_english_name(t("about.font_body", lang, font=FONT_NAME, licence="\x00"), FONT_LICENCE)),
                            html.P(t("about.software_body", lang, software=SOFTWARE, styles=STYLES)),
                        ],
                        lg=7,
                    ),
                    dbc.Col(
                        [
                            html.H2(t("about.glossary_heading", lang), className=section),
                            html.P(t("about.glossary_intro", lang), className="small text-muted"),
                            glossary_table(lang),
                        ],
                        lg=5,
                    ),
                ]
            ),
        ]
    )


def _with_english_name(sentence: str, name: str) -> list:
    """The sentence with `name` (a proper name that stays in English, such as a licence) marked lang="en",
    so readers' tools and the language checks know it is English on purpose. "\x00" marks its place."""
    before, _, after = sentence.partition("\x00")
    return [before, html.Span(name, lang="en"), after]
