"""Phase II proposal panels: the selection's households and cost, the budget envelope, robustness, Phase I, inputs."""
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from i18n import format_number, format_period, localized, t

COST_LAK = "phase2-cost-lak"
COST_USD = "phase2-cost-usd"
HOUSEHOLDS = "phase2-households"
BENEFICIARIES = "phase2-beneficiaries"
VILLAGES = "phase2-villages"
N_SELECTED = "phase2-n-selected"
DEMO_BADGE = "phase2-demo-badge"
# The settings the form edits, in the order shown (keys of data_access.program_settings).
SETTING_KEYS = ("transfer_lak", "take_up_pct", "months", "delivery_share_pct", "budget_usd", "lak_per_usd_override")


def _money(value, lang: str, unit: str) -> str:
    return format_number(value, lang, 0) + " " + t(f"unit.{unit}", lang)


def _kpi(label: str, value: str, element_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Div(label, className="small text-muted"),
                             html.Div(value, id=element_id, className="fs-5 fw-semibold")]), xs=6, md=4,
                   className="mb-2")


def is_demo(proposal: dict, dataset: dict | None) -> bool:
    """Demo when the dataset is the demo or any input's source says demo."""
    districts = proposal["districts"]
    sources = pd.concat([districts[column] for column in ("stunting_source", "poverty_source", "population_source")
                         if column in districts]).dropna()
    return (dataset or {}).get("is_demo") == "1" or bool(sources.str.contains("demo", case=False).any())


def costs_panel(proposal: dict, lang: str, demo: bool) -> list:
    """Districts, villages, eligible households, expected beneficiaries and the yearly cost of the selection."""
    totals, params = proposal["totals"], proposal["parameters"]
    villages = format_number(totals["villages"], lang, 0)
    if totals["districts_without_villages"]:
        villages += " " + t("phase2.villages_unknown", lang, count=totals["districts_without_villages"])
    usd = _money(totals["cost_usd"], lang, "USD") if totals["cost_usd"] is not None else t("phase2.no_rate", lang)
    header = []
    if demo:
        header.append(dbc.Badge(t("phase2.demo_inputs", lang), color="warning", text_color="dark", id=DEMO_BADGE,
                                className="mb-2"))
    mode = t("phase2.mode_top", lang, n=proposal["n"]) if proposal["mode"] == "top" else t("phase2.mode_hand", lang)
    return header + [
        html.Div(mode, className="small text-muted mb-1"),
        dbc.Row([
            _kpi(t("phase2.kpi_districts", lang), format_number(totals["n_districts"], lang, 0), N_SELECTED),
            _kpi(t("phase2.kpi_villages", lang), villages, VILLAGES),
            _kpi(t("phase2.kpi_households", lang), format_number(totals["eligible_households"], lang, 0), HOUSEHOLDS),
            _kpi(t("phase2.kpi_beneficiaries", lang, take_up=format_number(params.take_up_pct, lang, 0)),
                 format_number(totals["beneficiaries"], lang, 0), BENEFICIARIES),
            _kpi(t("phase2.kpi_cost_lak", lang), _money(totals["cost_lak"], lang, "LAK"), COST_LAK),
            _kpi(t("phase2.kpi_cost_usd", lang), usd, COST_USD),
        ], className="g-2"),
        html.Div(rate_sentence(params, lang), className="small text-muted"),
    ]


def rate_sentence(params, lang: str) -> str:
    if params.rate_source == "override":
        return t("phase2.rate_override", lang, rate=format_number(params.lak_per_usd, lang, 2))
    if params.rate_source == "table":
        return t("phase2.rate_table", lang, rate=format_number(params.lak_per_usd, lang, 2),
                 period=format_period(params.rate_period, lang))
    return t("phase2.no_rate", lang)


def budget_panel(proposal: dict, names: dict[str, str], lang: str) -> html.Div:
    """How many ranked districts the envelope pays for, the first that falls outside, and the selection's share."""
    budget, totals = proposal["budget"], proposal["totals"]
    if budget is None:
        return html.Div(t("phase2.budget_none", lang), className="small text-muted", id="phase2-budget-text")
    lines = [t("phase2.budget_fit", lang, budget=_money(budget["budget_usd"], lang, "USD"), n_fit=budget["n_fit"],
               cost=_money(budget["cost_fit"], lang, "USD"))]
    marginal = budget["marginal"]
    if marginal:
        lines.append(t("phase2.budget_marginal", lang, district=names.get(marginal["district_code"], ""),
                       cost=_money(marginal["cost_usd"], lang, "USD"), total=_money(marginal["total_with"], lang, "USD"),
                       over=_money(marginal["over"], lang, "USD")))
    else:
        lines.append(t("phase2.budget_all_fit", lang))
    if totals["cost_usd"] is not None and budget["budget_usd"] > 0:
        share = 100 * totals["cost_usd"] / budget["budget_usd"]
        key = "phase2.budget_selection_over" if share > 100 else "phase2.budget_selection_within"
        lines.append(t(key, lang, share=format_number(share, lang, 0)))
    return html.Div([html.P(line, className="mb-1") for line in lines], className="small", id="phase2-budget-text")


def robustness_panel(proposal: dict, names: dict[str, str], lang: str) -> list:
    """The grid in words, then each selected district's share and the weights its place depends on."""
    selected = proposal["selected"]
    items = [html.P(t("phase2.robust_method", lang, n=proposal["n"]))]
    if selected.empty or selected["robust_share"].isna().all():
        return items + [html.P(t("phase2.robust_none", lang))]
    rows = []
    for row in selected.itertuples():
        share = row.robust_share
        text = (t("phase2.robust_line", lang, district=names.get(row.district_code, ""),
                  share=format_number(share, lang, 0), n=proposal["n"])
                if not pd.isna(share) else names.get(row.district_code, "") + ": " + t("phase2.robust_not_ranked", lang))
        marks = []
        if row.depends_on:
            marks.append(html.Span(" ⚑ " + t("phase2.depends_on", lang, weights=", ".join(
                t(f"phase2.weightname_{name}", lang) for name in row.depends_on)), className="text-danger"))
        rows.append(html.Li([text, *marks]))
    return items + [html.Ul(rows, className="mb-0", id="phase2-robust-list")]


def phase1_panel(comparison: dict, names: dict[str, str], lang: str) -> list:
    """Continuing, new and leaving districts, each as a count and the names."""
    items = []
    for key in ("continuing", "new", "leaving"):
        codes = comparison[key]
        listed = ", ".join(names.get(code, code) for code in codes) or "—"
        items.append(html.P([html.Strong(t(f"phase2.phase1_{key}", lang, count=len(codes))), " ", listed],
                            className="mb-1", id=f"phase2-phase1-{key}"))
    items.append(html.P(t("phase2.mix_explain", lang), className="text-muted mb-1"))
    return items


def method_panel(proposal: dict, inputs_frame: pd.DataFrame, settings: pd.DataFrame, lang: str, demo: bool) -> list:
    """The method and every input with its source and year, in the reader's language."""
    params = proposal["parameters"]
    items = [html.P(t("phase2.method_households", lang)), html.P(t("phase2.method_cost", lang)),
             html.P(t("phase2.method_not_scored", lang))]
    sources = []
    for column, key in (("poverty", "poverty"), ("population", "population"), ("stunting", "stunting")):
        source_column, period_column = f"{column}_source", f"{column}_period"
        known = inputs_frame[[source_column, period_column]].dropna().drop_duplicates()
        for row in known.itertuples(index=False):
            sources.append(html.Li([t(f"phase2.input_{key}", lang) + ": ", source_text(row[0]), f" ({row[1]})"]))
    by_key = settings.set_index("key")
    for key in SETTING_KEYS:
        row = by_key.loc[key]
        if pd.isna(row["value"]):
            continue
        sources.append(html.Li([t(f"phase2.setting_{key}", lang) + ": "
                                + format_number(row["value"], lang, 2 if key.startswith("lak") else 0) + " — ",
                                t("common.no_data", lang) if _blank(row["source"]) else source_text(row["source"]),
                                f" ({int(row['year'])})" if not pd.isna(row["year"]) else ""]))
    sources.append(html.Li(rate_sentence(params, lang)))
    items += [html.P(t("phase2.method_inputs", lang), className="fw-semibold mb-1"), html.Ul(sources)]
    if demo:
        items.append(html.P(t("phase2.demo_note", lang), className="text-danger mb-0"))
    return items


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def source_text(text) -> html.Span:
    """A source citation as the program office wrote it, marked with its own language (it is data,
    often an English document title), so that readers and screen readers know what they read."""
    text = str(text)
    return html.Span(text, lang="lo" if any("\u0e80" <= char <= "\u0eff" for char in text) else "en")


def settings_card(lang: str, table_id: str, field_type: str, save_id: str, message_id: str) -> dbc.Card:
    """The program office's inputs: the current values with source and year, and a form to edit them."""
    rows = []
    for key in SETTING_KEYS:
        def field(name: str, width: int, kind: str = "text"):
            return dbc.Col(dbc.Input(id={"type": field_type, "key": key, "field": name}, type=kind, size="sm",
                                     placeholder=t(f"phase2.field_{name}", lang), name=f"{key}-{name}"), md=width)
        rows.append(dbc.Row([dbc.Col(html.Label(t(f"phase2.setting_{key}", lang), className="small"), md=3),
                             field("value", 2), field("source", 5), field("year", 2)], className="g-1 mb-1"))
    return dbc.Card([
        dbc.CardHeader(t("phase2.settings_card", lang), className="fw-semibold"),
        dbc.CardBody([
            html.P(t("phase2.settings_intro", lang), className="small text-muted"),
            html.Div(id=table_id, className="small mb-2"),
            dbc.Row([dbc.Col(html.Span(t("phase2.field_setting", lang), className="small fw-semibold"), md=3),
                     dbc.Col(html.Span(t("phase2.field_value", lang), className="small fw-semibold"), md=2),
                     dbc.Col(html.Span(t("phase2.field_source", lang), className="small fw-semibold"), md=5),
                     dbc.Col(html.Span(t("phase2.field_year", lang), className="small fw-semibold"), md=2)],
                    className="g-1"),
            *rows,
            dbc.Button(t("phase2.settings_save", lang), id=save_id, size="sm", color="primary", className="mt-2"),
            html.Div(id=message_id, className="small mt-2"),
        ]),
    ], className="mb-3")


def settings_table(settings: pd.DataFrame, lang: str) -> dbc.Table:
    """Each input with its value, source, year and who last changed it."""
    head = html.Thead(html.Tr([html.Th(t(f"phase2.field_{name}", lang)) for name in
                               ("setting", "value", "source", "year", "updated")]))
    body = []
    by_key = settings.set_index("key")
    for key in SETTING_KEYS:
        row = by_key.loc[key]
        updated = "" if pd.isna(row["updated_at"]) or row["updated_at"] is None else str(row["updated_at"])[:16]
        body.append(html.Tr([html.Td(t(f"phase2.setting_{key}", lang)),
                             html.Td(format_number(row["value"], lang, 2 if key.startswith("lak") else 0)
                                     if not pd.isna(row["value"]) else t("phase2.not_set", lang)),
                             html.Td("" if _blank(row["source"]) else source_text(row["source"])),
                             html.Td("" if pd.isna(row["year"]) else str(int(row["year"]))),
                             html.Td(updated)]))
    return dbc.Table([head, html.Tbody(body)], size="sm", bordered=True, className="mb-0")


def district_names(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    return {row.district_code: localized(row, lang) for row in frame.itertuples()}
