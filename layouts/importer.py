"""Import page: upload a file, read the dry-run report, confirm; batch history with rollback; templates."""
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from i18n import format_day, format_number, t
from layouts.common import current_language

PAGE = {"path": "/import", "title_key": "nav.importer", "order": 70, "role": "coordinator", "filters": (),
        "nav_group": "more"}

TITLE = "importer-title"
KIND = "importer-kind"
UPLOAD = "importer-upload"
MAPPING_UPLOAD = "importer-mapping-upload"
CODE_FIELD = "importer-code-field"
NAME_FIELD = "importer-name-field"
ACCEPT_VALID = "importer-accept-valid"
CHECK = "importer-check"
LIMITS = "importer-limits"
UPLOAD_READY = "importer-upload-ready"
SIZE_MESSAGE = "importer-size-message"
REPORT_STORE = "importer-report-store"
REPORT = "importer-report"
CONFIRM = "importer-confirm"
RESULT = "importer-result"
REPORT_CSV = "importer-report-csv"
REPORT_DOWNLOAD = "importer-report-download"
HISTORY = "importer-history"
HISTORY_VERSION = "importer-history-version"
ROLLBACK_BUTTON = "importer-rollback"
SHOW_REPORT_BUTTON = "importer-show-report"
ROLLBACK_DIALOG = "importer-rollback-dialog"
ROLLBACK_TARGET = "importer-rollback-target"
TEMPLATES = "importer-templates"
TEMPLATE_BUTTON = "importer-template"
TEMPLATE_DOWNLOAD = "importer-template-download"
REPLACEMENTS = "importer-replacements"

KIND_CHOICES = ("auto", "indicators", "dhis2", "villages", "targets")
SHOWN_PROBLEMS = 300
DEFAULT_MAX_MB = 20.0
ACCEPTED_FILES = ".csv,.txt,.tsv,.xlsx,.xlsm,.json,.zip,.gpkg,.geojson"


def _max_upload_mb() -> float:
    if flask.has_app_context():
        settings = flask.current_app.config.get("SETTINGS") or {}
        try:
            return float(settings.get("MAX_UPLOAD_MB", DEFAULT_MAX_MB))
        except (TypeError, ValueError):
            return DEFAULT_MAX_MB
    return DEFAULT_MAX_MB


def _upload_box(component_id: str, prompt: str, lang: str) -> dcc.Upload:
    return dcc.Upload(
        id=component_id,
        children=html.Div([html.Span(prompt), html.Br(), html.Small(t("importer.upload_hint", lang),
                                                                     className="text-muted")]),
        className="importer-upload",
        style={"border": "2px dashed #8aa4c8", "borderRadius": "6px", "padding": "18px", "textAlign": "center",
               "cursor": "pointer", "background": "#f7f9fc"},
        accept=ACCEPTED_FILES,
        multiple=False,
    )


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = current_language(lang)
    max_mb = _max_upload_mb()
    limits = {"max_bytes": int(max_mb * 1024 * 1024),
              "message": t("importer.rule.file_too_large", lang, value="", size_mb="{size_mb}",
                           max_mb=f"{max_mb:g}")}
    upload_card = dbc.Card(
        [
            dbc.CardHeader(t("importer.upload_title", lang)),
            dbc.CardBody(
                [
                    html.P(t("importer.intro", lang, max_mb=f"{max_mb:g}"), className="small"),
                    _upload_box(UPLOAD, t("importer.upload_prompt", lang), lang),
                    dbc.Row(
                        [dbc.Label(t("importer.kind_label", lang), html_for=KIND, width="auto"),
                         dbc.Col(dbc.Select(id=KIND, value="auto", options=[
                             {"label": t(f"importer.kind.{kind}", lang), "value": kind} for kind in KIND_CHOICES]))],
                        className="g-2 my-2 align-items-center",
                    ),
                    html.Details(
                        [
                            html.Summary(t("importer.options", lang)),
                            dbc.Row(
                                [
                                    dbc.Col([html.Div(t("importer.mapping_label", lang), className="form-label"),
                                             _upload_box(MAPPING_UPLOAD, t("importer.mapping_prompt", lang), lang)],
                                            md=6),
                                    dbc.Col([dbc.Label(t("importer.code_field_label", lang), html_for=CODE_FIELD),
                                             dbc.Input(id=CODE_FIELD, type="text", debounce=True),
                                             dbc.Label(t("importer.name_field_label", lang), html_for=NAME_FIELD,
                                                       className="mt-2"),
                                             dbc.Input(id=NAME_FIELD, type="text", debounce=True),
                                             html.Small(t("importer.fields_hint", lang), className="text-muted")],
                                            md=6),
                                ],
                                className="g-2 mt-1",
                            ),
                        ],
                        className="mb-2",
                    ),
                    dbc.Checkbox(id=ACCEPT_VALID, value=False, label=t("importer.accept_valid", lang)),
                    html.Div(
                        [
                            dbc.Button(t("importer.check_again", lang), id=CHECK, color="secondary", outline=True,
                                       className="me-2"),
                            dbc.Button(t("importer.confirm", lang), id=CONFIRM, color="primary", disabled=True),
                        ],
                        className="mt-2",
                    ),
                    html.Div(id=SIZE_MESSAGE, className="text-danger mt-2", role="alert"),
                ]
            ),
        ],
        className="mb-3",
    )
    report_card = dbc.Card(
        [
            dbc.CardHeader(
                [html.Span(t("importer.report_title", lang)),
                 dbc.Button(t("importer.report_csv", lang), id=REPORT_CSV, size="sm", color="link",
                            className="float-end p-0")]
            ),
            dbc.CardBody([html.Div(id=RESULT), dcc.Loading(html.Div(
                html.P(t("importer.no_report_yet", lang), className="text-muted"), id=REPORT), type="dot")]),
        ],
        className="mb-3",
    )
    history_card = dbc.Card(
        [dbc.CardHeader(t("importer.history_title", lang)), dbc.CardBody(html.Div(id=HISTORY))],
        className="mb-3",
    )
    templates_card = dbc.Card(
        [
            dbc.CardHeader(t("importer.templates_title", lang)),
            dbc.CardBody([html.P(t("importer.templates_intro", lang), className="small"), html.Div(id=TEMPLATES)]),
        ],
        className="mb-3",
    )
    return html.Div(
        [
            html.H1(t("importer.title", lang), className="page-title", id=TITLE),
            dcc.Store(id=LIMITS, data=limits),
            dcc.Store(id=UPLOAD_READY),
            dcc.Store(id=REPORT_STORE),
            dcc.Store(id=HISTORY_VERSION, data=0),
            dcc.Store(id=ROLLBACK_TARGET),
            dcc.Download(id=REPORT_DOWNLOAD),
            dcc.Download(id=TEMPLATE_DOWNLOAD),
            dcc.ConfirmDialog(id=ROLLBACK_DIALOG),
            dbc.Row([dbc.Col([upload_card, templates_card], lg=5), dbc.Col([report_card, history_card], lg=7)]),
        ]
    )


def report_view(report: dict, headline: str, problems: list[dict], lang: str) -> html.Div:
    """The dry-run or import report: headline, facts, then every problem (row, column, value, rule).

    report: ImportReport.to_dict(); problems: ImportReport.problem_rows(lang) (message translated).
    """
    has_errors = any(p["severity"] == "error" for p in problems)
    color = {"applied": "success", "unchanged": "info", "rejected": "danger"}.get(
        report["status"], "warning" if has_errors else "success")
    facts = [
        (t("importer.fact.file", lang), report["file_name"]),
        (t("importer.fact.kind", lang), t(f"importer.kind.{report['kind']}", lang) if report.get("kind") else ""),
        (t("importer.fact.rows", lang), format_number(report["rows_total"], lang)),
        (t("importer.fact.valid", lang), format_number(report["rows_valid"], lang)),
    ]
    if report.get("sheet"):
        facts.append((t("importer.fact.sheet", lang), report["sheet"]))
    summary = report.get("summary") or {}
    if summary.get("crs"):
        facts += [(t("importer.fact.crs", lang), summary["crs"]),
                  (t("importer.fact.code_field", lang), summary.get("code_field", "")),
                  (t("importer.fact.name_fields", lang),
                   " / ".join(name for name in (summary.get("name_lo_field"), summary.get("name_en_field")) if name)),
                  (t("importer.fact.outside", lang), format_number(summary.get("villages_outside_district", 0), lang)),
                  (t("importer.fact.unmatched", lang), format_number(summary.get("codes_unmatched", 0), lang))]
    if report.get("batch_id"):
        facts.append((t("importer.fact.batch", lang), str(report["batch_id"])))
    children = [
        dbc.Alert(headline, color=color, className="mb-2", id="importer-headline"),
        html.Dl([item for label, value in facts for item in (html.Dt(label, className="col-sm-5"),
                                                               html.Dd(value, className="col-sm-7 mb-1"))],
                className="row small mb-2"),
    ]
    replacements = replacements_view(summary, report["status"], lang)
    if replacements is not None:
        children.append(replacements)
    if problems:
        children.append(problem_table(problems[:SHOWN_PROBLEMS], report["file_name"], lang))
        if len(problems) > SHOWN_PROBLEMS:
            children.append(html.P(t("importer.more_problems", lang, shown=format_number(SHOWN_PROBLEMS, lang),
                                     total=format_number(len(problems), lang)), className="small text-muted"))
    elif report["status"] in ("dry_run", "applied"):
        children.append(html.P(t("importer.no_problems", lang), className="text-success"))
    return html.Div(children, id="importer-report-body")


def _figures(values: list, lang: str) -> str:
    """[41, 45] -> "41 / 45"; each number with the decimals it has, in the reader's language."""
    def one(value) -> str:
        if value is None:
            return format_number(None, lang)
        value = float(value)
        return format_number(value, lang, 0 if value.is_integer() else min(len(f"{value:.6g}".partition(".")[2]), 3))

    return " / ".join(one(value) for value in values)


def replacements_view(summary: dict, status: str, lang: str) -> html.Div | None:
    """Stored values the file changes, old -> new (the first few; the count says how many in all)."""
    total = summary.get("replacements_total") or 0
    if not total:
        return None
    title_key = "importer.replacements.done" if status == "applied" else "importer.replacements.coming"
    items = summary.get("replacements") or []
    if any("field" in item for item in items):  # a village layer: names and locations
        names = ("field", "place", "old", "new")
        rows = [html.Tr([html.Td(t(f"importer.replacements.field.{item['field']}", lang)), html.Td(item["place"]),
                         html.Td(html.Code(item["old"])), html.Td(html.Code(item["new"]))]) for item in items]
    else:
        names = ("indicator", "place", "period", "old", "new")
        rows = [html.Tr([html.Td(item["indicator"]), html.Td(item["place"]), html.Td(item["period"]),
                         html.Td(html.Code(_figures(item["old"], lang))), html.Td(html.Code(_figures(item["new"], lang)))])
                for item in items]
    headers = [t(f"importer.replacements.{name}", lang) for name in names]
    children = [html.H3(t(title_key, lang, count=format_number(total, lang)), className="h6 mt-2"),
                dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(rows)],
                          bordered=False, size="sm", responsive=True, className="small")]
    if total > len(rows):
        children.append(html.P(t("importer.replacements.more", lang, shown=format_number(len(rows), lang),
                                 total=format_number(total, lang)), className="small text-muted"))
    return html.Div(children, id=REPLACEMENTS)


def problem_table(problems: list[dict], main_file: str, lang: str) -> dbc.Table:
    several_files = any(p["file"] != main_file for p in problems)
    headers = ([t("importer.column.file", lang)] if several_files else []) + [
        t("importer.column.row", lang), t("importer.column.column", lang), t("importer.column.value", lang),
        t("importer.column.problem", lang)]
    body = []
    for problem in problems:
        badge = dbc.Badge(t(f"importer.severity.{problem['severity']}", lang),
                          color="danger" if problem["severity"] == "error" else "warning",
                          text_color=None if problem["severity"] == "error" else "dark", className="me-1")
        cells = ([html.Td(problem["file"])] if several_files else []) + [
            html.Td(t("importer.whole_file", lang) if problem["row"] is None else str(problem["row"])),
            html.Td(problem["column"]),
            html.Td(html.Code(problem["value"]) if problem["value"] else "", style={"whiteSpace": "nowrap"}),
            html.Td([badge, problem["message"], html.Small(f" ({problem['rule']})", className="text-muted")]),
        ]
        body.append(html.Tr(cells, className="importer-problem", **{"data-rule": problem["rule"]}))
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)],
                     bordered=False, striped=True, size="sm", responsive=True, id="importer-problems")


def message_view(text: str, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, dismissable=True, className="mb-2", id="importer-message")


def history_view(batches: list[dict], lang: str) -> html.Div:
    """batches: history.list_batches() rows (id, kind, file_name, imported_at, imported_by, rows_*, status)."""
    if not batches:
        return html.P(t("importer.no_batches", lang), className="text-muted")
    headers = [t("importer.history.batch", lang), t("importer.history.when", lang), t("importer.history.kind", lang),
               t("importer.history.file", lang), t("importer.history.rows", lang), t("importer.history.status", lang),
               ""]
    body = []
    for batch in batches:
        when = batch["imported_at"]
        when_text = f"{format_day(when.date(), lang)} {when:%H:%M} UTC" if hasattr(when, "date") else str(when)
        rows = t("importer.history.rows_detail", lang, inserted=format_number(batch["rows_inserted"], lang),
                 replaced=format_number(batch["rows_replaced"], lang),
                 rejected=format_number(batch["rows_rejected"], lang))
        actions = []
        if batch["kind"] != "demo":
            actions.append(dbc.Button(t("importer.history.show_report", lang), size="sm", color="link",
                                      id={"type": SHOW_REPORT_BUTTON, "batch": int(batch["id"])}))
        if batch["status"] == "applied" and batch["kind"] != "demo":
            actions.append(dbc.Button(t("importer.history.rollback", lang), size="sm", color="danger", outline=True,
                                      id={"type": ROLLBACK_BUTTON, "batch": int(batch["id"])}))
        body.append(html.Tr([
            html.Td(str(batch["id"])), html.Td(when_text), html.Td(t(f"importer.kind.{batch['kind']}", lang)),
            html.Td(batch["file_name"], style={"wordBreak": "break-all"}), html.Td(rows, className="small"),
            html.Td(t(f"importer.batch_status.{batch['status']}", lang)), html.Td(actions),
        ], className="importer-batch", **{"data-batch": str(batch["id"])}))
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)], size="sm",
                     responsive=True, id="importer-batches")


def template_buttons(projects: list[dict], lang: str) -> html.Div:
    """projects: templates.template_projects() rows (code, name_en, name_lo)."""
    name = "name_lo" if lang == "lo" else "name_en"
    return html.Div([
        dbc.Button([html.Strong(project["code"]), " ", html.Span(project[name] or project["name_en"])],
                   id={"type": TEMPLATE_BUTTON, "project": project["code"]}, color="light", size="sm",
                   className="me-2 mb-2 text-start")
        for project in projects
    ])
