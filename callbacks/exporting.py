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


def register_image_download(app, store, graph: str, title_key: str, title_state: State | None = None,
                            place_state: State | None = None, place_of: Callable | None = None,
                            topic: str | None = None) -> None:
    """PNG / SVG of the graph as the page shows it now (its current figure), with its context drawn in.

    title_state: the card title as the page shows it (e.g. with its month), else t(title_key).
    place_of(value of place_state or None, filters) -> place code: where the place comes from when it
    is not the shared filters' (the Map page's drill-down; None means the whole country)."""
    import logging

    from i18n import format_period, t
    from layouts.exports import image_ids
    from reports.context import is_demo, place_name, place_names, source_lines
    from reports.images import ImageContext, figure_image

    png_id, svg_id, download_id = image_ids(graph)
    extra = [state for state in (title_state, place_state) if state is not None]

    @app.callback(
        Output(download_id, "data"),
        Input(png_id, "n_clicks"),
        Input(svg_id, "n_clicks"),
        State(graph, "figure"),
        State(FILTERS_STORE, "data"),
        State(LANGUAGE_STORE, "data"),
        *extra,
        prevent_initial_call=True,
    )
    def download_image(_png, _svg, figure, filters, lang, *values):
        scope, period = scope_of(filters)
        if not figure or ctx.triggered_id not in (png_id, svg_id):
            return no_update
        values = list(values)
        shown_title = values.pop(0) if title_state is not None else None
        if place_of is not None:
            scope = place_of(values.pop(0) if place_state is not None else None, filters)
        fmt = "png" if ctx.triggered_id == png_id else "svg"
        place = place_names(store.read, scope)
        sources = source_lines(store.read, lang)
        title = shown_title if isinstance(shown_title, str) and shown_title.strip() else t(title_key, lang)
        context = ImageContext(title=title, place=place_name(place, lang),
                               period=format_period(period, lang) if period else "–",
                               source=sources[0] if sources else "–", is_demo=is_demo(store.read), lang=lang)
        try:
            content = figure_image(figure, context, fmt)
        except Exception:
            logging.getLogger(__name__).exception("chart image %s failed", graph)
            return no_update
        name = file_name(place["name_en"], period, topic or graph.split("-", 1)[-1].replace("-graph", ""), fmt,
                         place["code"])
        return dcc.send_bytes(content, name)
