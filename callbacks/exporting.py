"""Wiring for table downloads: one callback per table, from its page's query result to a file."""
from collections.abc import Callable

from dash import Input, Output, State, ctx, dcc, no_update

from layouts.common import FILTERS_STORE, LANGUAGE_STORE
from layouts.exports import export_ids
from reports.exports import csv_text, excel_bytes, file_name


def scope_of(filters: dict | None) -> tuple[str | None, str | None]:
    """(place code or None for national, as-of month) from the shared filters."""
    filters = filters or {}
    return filters.get("district") or filters.get("province") or None, filters.get("period")


def send_table(fmt: str, frame, columns, context):
    """dcc.Download data: an .xlsx with a notes sheet, or a CSV with a BOM, named by place and period."""
    name = file_name(context.place_file_name, context.period, context.topic, fmt)
    if fmt == "xlsx":
        return dcc.send_bytes(excel_bytes(frame, columns, context), name)
    return dcc.send_string(csv_text(frame, columns), name)


def register_export(app, table: str, build: Callable, states: list | None = None) -> None:
    """On a click of the table's Excel or CSV button: build(lang, scope, period, *state values)
    returns (frame, columns, context), sent in the clicked format."""
    xlsx_id, csv_id, download_id = export_ids(table)

    @app.callback(
        Output(download_id, "data"),
        Input(xlsx_id, "n_clicks"),
        Input(csv_id, "n_clicks"),
        State(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        *(states or []),
        prevent_initial_call=True,
    )
    def download(_xlsx, _csv, filters, lang, *values):
        scope, period = scope_of(filters)
        if not period or ctx.triggered_id not in (xlsx_id, csv_id):
            return no_update
        frame, columns, context = build(lang, scope, period, *values)
        return send_table("xlsx" if ctx.triggered_id == xlsx_id else "csv", frame, columns, context)
