"""The mission report's Phase II proposal: the /phase2 page's own proposal (same function, same panels), as HTML and sheets."""
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs

import pandas as pd

from data_access.phase2_choices import proposal_for
from data_access.phase2_proposal import phase1_comparison
from i18n import format_number, format_period, localized, t
from layouts.phase2 import COMPONENT_ORDER, ranking_grid, selection_from_query
from layouts.phase2_panels import SETTING_KEYS, budget_panel, costs_panel, district_names, is_demo, method_panel
from layouts.phase2_panels import phase1_panel, rate_sentence
from reports.exports import Column
from reports.static_html import render


def parse_selection(text: str | None) -> dict:
    """The page's address query ("w=50,25,25&n=12&x1=1&pick=0201,0207", a leading "?" allowed) -> the
    page's choices, read by the page's own parser (anything bad falls back to the page's default)."""
    raw = (text or "").strip().lstrip("?")
    query = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
    return selection_from_query(query)


def collect_phase2(read: Callable, as_of: str, selection: dict | None, dataset_is_demo: bool) -> dict:
    """The proposal as of the review month for `selection` (parse_selection; None: the page's defaults)."""
    choice = selection or selection_from_query({})
    proposal, inputs, settings = proposal_for(read, as_of, choice["weights"], choice["n"], choice["exclude"],
                                              choice["ticked"])
    demo = is_demo(proposal, {"is_demo": "1" if dataset_is_demo else "0"})
    return {"proposal": proposal, "inputs": inputs, "settings": settings, "demo": demo, "as_of": as_of}


def _status(row, lang: str) -> str:
    return t("report.phase2_continuing", lang) if bool(row["is_target"]) else t("report.phase2_new", lang)


def _weights_text(proposal: dict, lang: str) -> str:
    return ", ".join(f"{t(f'phase2.weightname_{name}', lang)} {format_number(weight, lang, 0)}"
                     for name, weight in proposal["weights"].items())


def _table(headers: list[str], rows: list[list[str]], numeric: set[int], css: str = "") -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr" + (' class="total"' if index == len(rows) - 1 and css == "with-total" else "") + ">"
                   + "".join(f'<td class="{"num" if column in numeric else ""}">{escape(str(cell))}</td>'
                             for column, cell in enumerate(row)) + "</tr>"
                   for index, row in enumerate(rows))
    return f'<table class="data phase2 {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _number(value, lang: str, decimals: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else format_number(value, lang, decimals)


def section(phase2: dict, lang: str) -> str:
    """Title, the page's cost and budget panels, the ranked selection with its totals, Phase I, the inputs."""
    proposal = phase2["proposal"]
    names = district_names(proposal["districts"], lang)
    selected = proposal["selected"]
    totals = proposal["totals"]
    parts = [f'<section class="break phase2"><h2>{escape(t("report.section_phase2", lang))}</h2>',
             f'<p class="muted">{escape(t("report.phase2_intro", lang, period=format_period(phase2["as_of"], lang), weights=_weights_text(proposal, lang)))}</p>']
    # costs_panel carries the page's demo badge; method_panel ends with the demo note.
    parts.append(render(costs_panel(proposal, lang, phase2["demo"])))
    parts.append(render(budget_panel(proposal, names, lang)))
    _columns, grid = ranking_grid(selected, [], lang, proposal["n"])
    texts = {row["district_code"]: row for row in grid}
    headers = [t("phase2.col_rank", lang), t("phase2.xl_code", lang), t("common.district", lang),
               t("phase2.col_score", lang), t("phase2.col_households", lang), t("phase2.xl_beneficiaries", lang),
               t("phase2.kpi_cost_lak", lang), t("phase2.kpi_cost_usd", lang), t("report.phase2_col_phase1", lang),
               t("report.phase2_col_robust", lang, n=proposal["n"])]
    rows = []
    for row in selected.to_dict("records"):
        text = texts[row["district_code"]]
        rows.append(["–" if text["rank"] is None else str(text["rank"]), row["district_code"], names[row["district_code"]],
                     text["score__text"], _number(row["eligible_households"], lang),
                     _number(row["beneficiaries"], lang), _number(row["cost_lak"], lang),
                     _number(row["cost_usd"], lang), _status(row, lang), text["robust__text"] or "–"])
    if rows:
        rows.append(["", "", t("report.phase2_total", lang, count=totals["n_districts"]), "",
                     _number(totals["eligible_households"], lang), _number(totals["beneficiaries"], lang),
                     _number(totals["cost_lak"], lang), _number(totals["cost_usd"], lang), "", ""])
    parts.append(f'<h3>{escape(t("report.phase2_ranked", lang))}</h3>')
    parts.append(_table(headers, rows, {0, 3, 4, 5, 6, 7, 9}, "with-total") if rows
                 else f'<p>{escape(t("common.no_data", lang))}</p>')
    parts.append(f'<h3>{escape(t("phase2.phase1_card", lang))}</h3>'
                 # the panel's last line explains the page's village-mix chart, which the report does not draw
                 + render(phase1_panel(phase1_comparison(proposal), names, lang)[:3]))
    parts.append(f'<h3>{escape(t("report.phase2_inputs", lang))}</h3>'
                 + render(method_panel(proposal, phase2["inputs"]["districts"], phase2["settings"]["settings"], lang,
                                       phase2["demo"])))
    parts.append("</section>")
    return "".join(parts)


def selection_sheet(phase2: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """The ranked selection, one row per district (codes as text), then the totals row."""
    proposal = phase2["proposal"]
    selected = proposal["selected"]
    totals = proposal["totals"]
    records = []
    for row in selected.to_dict("records"):
        records.append({"rank": None if pd.isna(row["rank"]) else int(row["rank"]), "code": row["district_code"],
                        "district": localized(row, lang), "province": localized(row, lang, "province_name"),
                        "score": row["score"], "eligible_households": row["eligible_households"],
                        "beneficiaries": row["beneficiaries"], "cost_lak": row["cost_lak"], "cost_usd": row["cost_usd"],
                        "phase1": _status(row, lang), "robust_share": row["robust_share"],
                        "depends_on": ", ".join(t(f"phase2.weightname_{name}", lang)
                                                for name in row["depends_on"] or ())})
    if records:
        records.append({"district": t("report.phase2_total", lang, count=totals["n_districts"]),
                        **{key: totals[key] for key in ("eligible_households", "beneficiaries", "cost_lak",
                                                        "cost_usd")}})
    frame = pd.DataFrame(records, columns=["rank", "code", "district", "province", "score", "eligible_households",
                                           "beneficiaries", "cost_lak", "cost_usd", "phase1", "robust_share",
                                           "depends_on"])
    return frame, [
        Column("rank", t("phase2.col_rank", lang), "integer"),
        Column("code", t("phase2.xl_code", lang), "code"),
        Column("district", t("common.district", lang)),
        Column("province", t("common.province", lang)),
        Column("score", t("phase2.col_score", lang), "number"),
        Column("eligible_households", t("phase2.col_households", lang), "integer"),
        Column("beneficiaries", t("phase2.xl_beneficiaries", lang), "integer"),
        Column("cost_lak", t("phase2.kpi_cost_lak", lang), "money"),
        Column("cost_usd", t("phase2.kpi_cost_usd", lang), "money"),
        Column("phase1", t("report.phase2_col_phase1", lang)),
        Column("robust_share", t("report.phase2_col_robust", lang, n=proposal["n"]), "percent"),
        Column("depends_on", t("phase2.xl_depends", lang)),
    ]


def parameters_sheet(phase2: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """Each input of the cost with its value, source and year; the rate, weights, N and the envelope's verdict."""
    proposal = phase2["proposal"]
    params = proposal["parameters"]
    by_key = phase2["settings"]["settings"].set_index("key")
    rows = []
    # the district inputs' sources, as the page's method panel lists them
    frame = phase2["inputs"]["districts"]
    for column in ("poverty", "population", "stunting"):
        known = frame[[f"{column}_source", f"{column}_period"]].dropna().drop_duplicates()
        for source, period in known.itertuples(index=False):
            rows.append({"setting": t(f"phase2.input_{column}", lang), "source": source, "year": period})
    for key in SETTING_KEYS:
        row = by_key.loc[key]
        rows.append({"setting": t(f"phase2.setting_{key}", lang), "value": None if pd.isna(row["value"]) else row["value"],
                     "source": row["source"], "year": None if pd.isna(row["year"]) else int(row["year"])})
    rows.append({"setting": t("phase2.xl_rate_used", lang), "value": params.lak_per_usd,
                 "source": rate_sentence(params, lang), "year": params.rate_period})
    for name in COMPONENT_ORDER:
        rows.append({"setting": t(f"phase2.weight_{name}", lang), "value": proposal["weights"].get(name)})
    rows.append({"setting": t("phase2.select_count", lang), "value": proposal["n"],
                 "source": t("phase2.mode_top", lang, n=proposal["n"]) if proposal["mode"] == "top"
                 else t("phase2.mode_hand", lang)})
    budget = proposal["budget"]
    if budget:
        rows.append({"setting": t("phase2.xl_budget_fit", lang), "value": budget["n_fit"]})
        if budget["marginal"]:
            rows.append({"setting": t("phase2.xl_budget_marginal", lang),
                         "value": None, "source": budget["marginal"]["district_code"]})
    if phase2["demo"]:
        rows.append({"setting": t("phase2.demo_inputs", lang), "source": t("phase2.demo_note", lang)})
    frame = pd.DataFrame(rows, columns=["setting", "value", "source", "year"])
    return frame, [Column("setting", t("phase2.field_setting", lang), width=36),
                   Column("value", t("phase2.field_value", lang), "number"),
                   Column("source", t("phase2.field_source", lang), "text", width=60),
                   Column("year", t("phase2.field_year", lang), "text")]
