"""One export control for every table: an Excel and a CSV button and the download they feed."""
from dash import dcc, html

from i18n import t


# A chart with PNG / SVG buttons loses the camera button, which saved a bare "plot-image.png".
IMAGE_GRAPH_CONFIG = {"modeBarButtonsToRemove": ["toImage"]}


def export_ids(table: str) -> tuple[str, str, str]:
    """(Excel button, CSV button, dcc.Download) ids of a table; `table` starts with the page's prefix."""
    return f"{table}-export-xlsx", f"{table}-export-csv", f"{table}-export-download"


def _button_pair(ids: tuple[str, str, str], formats: tuple[str, str], kind: str, label_key: str,
                 lang: str) -> html.Div:
    """Two download buttons and their dcc.Download, as a small group hidden when printing."""
    first_id, second_id, download_id = ids
    buttons = [html.Button(t(f"export.{name}", lang), id=button_id, type="button", n_clicks=0,
                           className="btn btn-outline-secondary btn-sm py-0", title=t(f"export.{name}_title", lang))
               for button_id, name in zip((first_id, second_id), formats)]
    return html.Div(buttons + [dcc.Download(id=download_id)],
                    className=f"btn-group {kind} no-print", role="group", **{"aria-label": t(label_key, lang)})


def export_buttons(table: str, lang: str) -> html.Div:
    """A small Excel / CSV button pair (hidden when printing) that downloads the table as shown."""
    return _button_pair(export_ids(table), ("excel", "csv"), "export-buttons", "export.buttons_label", lang)


def image_ids(graph: str) -> tuple[str, str, str]:
    """(PNG button, SVG button, dcc.Download) ids for a graph's image download."""
    return f"{graph}-image-png", f"{graph}-image-svg", f"{graph}-image-download"


def image_buttons(graph: str, lang: str) -> html.Div:
    """PNG / SVG buttons that download the graph as shown, with its title, place, period, source and demo label."""
    return _button_pair(image_ids(graph), ("png", "svg"), "image-buttons", "export.image_label", lang)
