"""One export control for every table: an Excel and a CSV button and the download they feed."""
from dash import dcc, html

from i18n import t


def export_ids(table: str) -> tuple[str, str, str]:
    """(Excel button, CSV button, dcc.Download) ids of a table; `table` starts with the page's prefix."""
    return f"{table}-export-xlsx", f"{table}-export-csv", f"{table}-export-download"


def export_buttons(table: str, lang: str) -> html.Div:
    """A small Excel / CSV button pair (hidden when printing) that downloads the table as shown."""
    xlsx_id, csv_id, download_id = export_ids(table)
    return html.Div(
        [
            html.Button(t("export.excel", lang), id=xlsx_id, type="button", n_clicks=0,
                        className="btn btn-outline-secondary btn-sm py-0", title=t("export.excel_title", lang)),
            html.Button(t("export.csv", lang), id=csv_id, type="button", n_clicks=0,
                        className="btn btn-outline-secondary btn-sm py-0", title=t("export.csv_title", lang)),
            dcc.Download(id=download_id),
        ],
        className="btn-group export-buttons no-print", role="group", **{"aria-label": t("export.buttons_label", lang)},
    )


def image_ids(graph: str) -> tuple[str, str, str]:
    """(PNG button, SVG button, dcc.Download) ids for a graph's image download."""
    return f"{graph}-image-png", f"{graph}-image-svg", f"{graph}-image-download"


def image_buttons(graph: str, lang: str) -> html.Div:
    """PNG / SVG buttons that download the graph as shown, with its title, place, period, source and demo label."""
    png_id, svg_id, download_id = image_ids(graph)
    return html.Div(
        [
            html.Button(t("export.png", lang), id=png_id, type="button", n_clicks=0,
                        className="btn btn-outline-secondary btn-sm py-0", title=t("export.png_title", lang)),
            html.Button(t("export.svg", lang), id=svg_id, type="button", n_clicks=0,
                        className="btn btn-outline-secondary btn-sm py-0", title=t("export.svg_title", lang)),
            dcc.Download(id=download_id),
        ],
        className="btn-group image-buttons no-print", role="group", **{"aria-label": t("export.image_label", lang)},
    )
