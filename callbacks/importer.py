"""Import page callbacks: dry run on upload, confirm, batch history and rollback, template and report downloads."""
import base64
import binascii

import dash
from dash import ALL, Input, Output, State, ctx, dcc

from access import acting_account, can_import, can_rollback, client_address
from access.audit import record
from access.import_checks import fingerprint, forget_check, remember_check, was_checked
from access.import_scope import check_import_scope
from data_access.importers import ImportOptions, import_bytes
from data_access.importers.history import RollbackRefused, batch_record, list_batches, rollback_batch
from data_access.importers.report import ImportReport
from data_access.importers.templates import build_template, template_file_name, template_projects
from i18n import t
from reports.exports import csv_text, slug
from reports.tables import problems_table
from layouts.common import LANGUAGE_STORE
from layouts.importer import (
    ACCEPT_VALID,
    CHECK,
    CODE_FIELD,
    CONFIRM,
    HISTORY,
    HISTORY_VERSION,
    KIND,
    LIMITS,
    MAPPING_UPLOAD,
    NAME_FIELD,
    REPORT,
    REPORT_CSV,
    REPORT_DOWNLOAD,
    REPORT_STORE,
    RESULT,
    ROLLBACK_BUTTON,
    ROLLBACK_DIALOG,
    ROLLBACK_TARGET,
    SHOW_REPORT_BUTTON,
    SIZE_MESSAGE,
    TEMPLATE_BUTTON,
    TEMPLATE_DOWNLOAD,
    TEMPLATES,
    UPLOAD,
    UPLOAD_READY,
    history_view,
    message_view,
    report_view,
    template_buttons,
)

# Runs in the browser: a file over the limit is never sent to the server (the request would be
# refused before any callback could explain why), and the person is told at once.
_CHECK_SIZE = """
function(contents, mappingContents, clicks, kind, codeField, nameField, limits) {
    const noUpdate = window.dash_clientside.no_update;
    if (!contents) { return [noUpdate, ""]; }
    function bytes(dataUrl) {
        if (!dataUrl) { return 0; }
        const comma = dataUrl.indexOf(",");
        const body = dataUrl.length - comma - 1;
        const padding = dataUrl.endsWith("==") ? 2 : (dataUrl.endsWith("=") ? 1 : 0);
        return Math.floor(body * 3 / 4) - padding;
    }
    const size = Math.max(bytes(contents), bytes(mappingContents));
    if (size > limits.max_bytes) {
        return [noUpdate, limits.message.replace("{size_mb}", (size / 1048576).toFixed(1))];
    }
    return [Date.now(), ""];
}
"""


def _decode(contents: str | None) -> bytes | None:
    if not contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1] if "," in contents else contents, validate=False)
    except (binascii.Error, ValueError):
        return None


def _options(config: dict, kind, mapping_contents, mapping_name, code_field, name_field, accept, dry_run) -> ImportOptions:
    return ImportOptions(
        kind=None if kind in (None, "", "auto") else kind,
        dry_run=dry_run,
        accept_valid_rows=bool(accept),
        mapping_name=mapping_name if mapping_contents else None,
        mapping_data=_decode(mapping_contents),
        code_field=(code_field or "").strip() or None,
        name_field=(name_field or "").strip() or None,
        imported_by="web",
        max_mb=float(config.get("MAX_UPLOAD_MB", 20)),
    )


def _render(report: ImportReport, lang: str):
    return report_view(report.to_dict(), report.headline(lang), report.problem_rows(lang), lang)


def register(app, store, config) -> None:
    app.clientside_callback(
        _CHECK_SIZE,
        Output(UPLOAD_READY, "data"),
        Output(SIZE_MESSAGE, "children"),
        Input(UPLOAD, "contents"),
        Input(MAPPING_UPLOAD, "contents"),
        Input(CHECK, "n_clicks"),
        Input(KIND, "value"),
        Input(CODE_FIELD, "value"),
        Input(NAME_FIELD, "value"),
        State(LIMITS, "data"),
    )

    @app.callback(
        Output(REPORT_STORE, "data"),
        Output(REPORT, "children"),
        Output(RESULT, "children"),
        Input(UPLOAD_READY, "data"),
        State(UPLOAD, "contents"),
        State(UPLOAD, "filename"),
        State(MAPPING_UPLOAD, "contents"),
        State(MAPPING_UPLOAD, "filename"),
        State(KIND, "value"),
        State(CODE_FIELD, "value"),
        State(NAME_FIELD, "value"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def dry_run(ready, contents, file_name, mapping_contents, mapping_name, kind, code_field, name_field, lang):
        data = _decode(contents)
        if not ready or data is None:
            return dash.no_update, dash.no_update, dash.no_update
        account = acting_account()
        if not can_import(account):
            return None, dash.no_update, message_view(t("access.refused_coordinator", lang), "danger")
        options = _options(config, kind, mapping_contents, mapping_name, code_field, name_field, False, True)
        report = import_bytes(store.engine, data, file_name or "upload", options)
        refusal = check_import_scope(store.engine, account, data, file_name or "upload", options)
        if refusal is not None:
            return None, _render(report, lang), message_view(refusal.message(lang), "danger")
        remember_check(fingerprint(data, file_name, options.mapping_data, kind, code_field, name_field))
        return report.to_dict(), _render(report, lang), ""

    @app.callback(
        Output(CONFIRM, "disabled"),
        Output(CONFIRM, "children"),
        Input(REPORT_STORE, "data"),
        Input(ACCEPT_VALID, "value"),
        State(LANGUAGE_STORE, "data"),
    )
    def confirm_button(stored, accept, lang):
        if not stored:
            return True, t("importer.confirm", lang)
        report = ImportReport.from_dict(stored)
        report.accept_valid_rows = bool(accept)
        if not report.can_import:
            return True, t("importer.confirm", lang)
        return False, t("importer.confirm_rows", lang, rows=report.rows_valid)

    @app.callback(
        Output(REPORT_STORE, "data", allow_duplicate=True),
        Output(REPORT, "children", allow_duplicate=True),
        Output(HISTORY_VERSION, "data"),
        Input(CONFIRM, "n_clicks"),
        State(REPORT_STORE, "data"),
        State(UPLOAD, "contents"),
        State(UPLOAD, "filename"),
        State(MAPPING_UPLOAD, "contents"),
        State(MAPPING_UPLOAD, "filename"),
        State(KIND, "value"),
        State(CODE_FIELD, "value"),
        State(NAME_FIELD, "value"),
        State(ACCEPT_VALID, "value"),
        State(HISTORY_VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def confirm(clicks, stored, contents, file_name, mapping_contents, mapping_name, kind, code_field, name_field,
                accept, version, lang):
        data = _decode(contents)
        if not clicks or not stored or data is None:
            return dash.no_update, dash.no_update, dash.no_update
        account = acting_account()
        if not can_import(account):
            return None, message_view(t("access.refused_coordinator", lang), "danger"), dash.no_update
        options = _options(config, kind, mapping_contents, mapping_name, code_field, name_field, accept, False)
        options.imported_by = account.username
        checked = fingerprint(data, file_name, options.mapping_data, kind, code_field, name_field)
        if not was_checked(checked):
            return None, message_view(t("access.check_first", lang), "danger"), dash.no_update
        refusal = check_import_scope(store.engine, account, data, file_name or "upload", options)
        if refusal is not None:
            with store.engine.begin() as conn:
                record(conn, "import_refused", account.username, client_address(), file=file_name,
                       outside=refusal.codes[:20])
            return None, message_view(refusal.message(lang), "danger"), dash.no_update
        report = import_bytes(store.engine, data, file_name or "upload", options)
        if report.status in ("applied", "unchanged"):
            forget_check(checked)  # used up; a refused import may be confirmed again (e.g. accepting valid rows)
        with store.engine.begin() as conn:
            record(conn, "import", account.username, client_address(), file=file_name, status=report.status,
                   batch=report.batch_id, rows=report.rows_inserted + report.rows_replaced)
        return report.to_dict(), _render(report, lang), (version or 0) + 1

    @app.callback(
        Output(HISTORY, "children"),
        Output(TEMPLATES, "children"),
        Input(HISTORY_VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
    )
    def history(_version, lang):
        batches = store.read(list_batches).to_dict("records")
        return history_view(batches, lang), template_buttons(store.read(template_projects), lang)

    @app.callback(
        Output(ROLLBACK_TARGET, "data"),
        Output(ROLLBACK_DIALOG, "displayed"),
        Output(ROLLBACK_DIALOG, "message"),
        Input({"type": ROLLBACK_BUTTON, "batch": ALL}, "n_clicks"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def ask_rollback(clicks, lang):
        # Buttons appear with n_clicks None whenever the history is redrawn: only a real click counts.
        if not ctx.triggered_id or not any(clicks or []) or not ctx.triggered[0]["value"]:
            return dash.no_update, dash.no_update, dash.no_update
        batch = ctx.triggered_id["batch"]
        return batch, True, t("importer.rollback.confirm", lang, batch=batch)

    @app.callback(
        Output(RESULT, "children", allow_duplicate=True),
        Output(HISTORY_VERSION, "data", allow_duplicate=True),
        Input(ROLLBACK_DIALOG, "submit_n_clicks"),
        State(ROLLBACK_TARGET, "data"),
        State(HISTORY_VERSION, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def do_rollback(submitted, batch, version, lang):
        if not submitted or batch is None:
            return dash.no_update, dash.no_update
        account = acting_account()
        if not can_rollback(account):
            return message_view(t("access.refused_rollback", lang), "danger"), dash.no_update
        try:
            with store.engine.begin() as conn:
                done = rollback_batch(conn, int(batch))
                record(conn, "rollback", account.username, client_address(), batch=done["batch"],
                       file=done["file_name"])
        except RollbackRefused as refused:
            return message_view(t(f"importer.rollback.{refused.key}", lang, **refused.params), "danger"), dash.no_update
        return (message_view(t("importer.rollback.done", lang, batch=done["batch"], file=done["file_name"]), "success"),
                (version or 0) + 1)

    @app.callback(
        Output(REPORT, "children", allow_duplicate=True),
        Output(REPORT_STORE, "data", allow_duplicate=True),
        Input({"type": SHOW_REPORT_BUTTON, "batch": ALL}, "n_clicks"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def show_batch_report(clicks, lang):
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:
            return dash.no_update, dash.no_update
        record = store.read(batch_record, int(ctx.triggered_id["batch"]))
        if record is None or record["report"] is None:
            return message_view(t("importer.no_stored_report", lang), "secondary"), dash.no_update
        report = ImportReport.from_dict(record["report"])
        # The stored report describes the batch as imported; say so even if it was rolled back since.
        report.status = "applied"
        body = _render(report, lang)
        if record["status"] == "rolled_back":
            body = [message_view(t("importer.batch_status.rolled_back", lang), "secondary"), body]
        return body, None

    @app.callback(
        Output(TEMPLATE_DOWNLOAD, "data"),
        Input({"type": TEMPLATE_BUTTON, "project": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def download_template(clicks):
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:
            return dash.no_update
        project = ctx.triggered_id["project"]
        return dcc.send_bytes(store.read(build_template, project), template_file_name(project))

    @app.callback(
        Output(REPORT_DOWNLOAD, "data"),
        Input(REPORT_CSV, "n_clicks"),
        State(REPORT_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        prevent_initial_call=True,
    )
    def download_report(clicks, stored, lang):
        if not clicks or not stored:
            return dash.no_update
        report = ImportReport.from_dict(stored)
        # The shared CSV writer: translated headers, a BOM so spreadsheets read Lao, formula-safe.
        frame, columns = problems_table(report.problem_rows(lang), lang)
        return dcc.send_string(csv_text(frame, columns), f"import-report-{slug(report.file_name) or 'file'}.csv")
