"""The page registry: each layouts/<page>.py that declares PAGE becomes a Dash page."""
import importlib
import pkgutil

import dash

import callbacks
import layouts
from i18n import t
from layouts.common import current_language
from layouts.navigation import FILTERS

SKIP = {"common", "shell"}


def page_modules() -> list:
    """Layout modules declaring PAGE = {"path", "title_key", "order"}, in menu order."""
    modules = []
    for info in pkgutil.iter_modules(layouts.__path__):
        if info.ispkg or info.name in SKIP:
            continue
        module = importlib.import_module(f"layouts.{info.name}")
        if hasattr(module, "PAGE"):
            modules.append(module)
    return sorted(modules, key=lambda module: module.PAGE.get("order", 100))


def register_pages() -> None:
    for module in page_modules():
        spec = module.PAGE
        dash.register_page(
            module.__name__,
            path=spec["path"],
            name=spec["title_key"],
            title_key=spec["title_key"],
            order=spec.get("order", 100),
            show_in_nav=spec.get("show_in_nav", True),
            # "more": listed under the navbar's "More" menu (less-used pages), so the bar stays one line.
            nav_group=spec.get("nav_group"),
            role=spec.get("role"),
            # The shared filters the page reads (default: all); the filter bar shows only these.
            filters=tuple(spec.get("filters", FILTERS)),
            title=page_title_function(spec["title_key"]),
            layout=module.layout,
        )


def page_title(title_key: str, lang: str) -> str:
    """The browser tab's title: the page, then the dashboard, in the visitor's language."""
    return f"{t(title_key, lang)} · {t('shell.brand_short', lang)}"


def page_title_function(title_key: str):
    # Dash calls it at each page change, inside the request, so the language is the visitor's.
    return lambda **_path_variables: page_title(title_key, current_language())


def title_for_path(path: str, lang: str) -> str | None:
    """The title of the registered page at `path` (the first page load, before Dash routes)."""
    for page in dash.page_registry.values():
        if page["path"] == path:
            return page_title(page["title_key"], lang)
    return None


def register_callbacks(app: dash.Dash, store, config: dict) -> None:
    """Call register(app, store, config) of callbacks/shell.py and every callbacks/<page>.py."""
    for info in pkgutil.iter_modules(callbacks.__path__):
        module = importlib.import_module(f"callbacks.{info.name}")
        if hasattr(module, "register"):
            module.register(app, store, config)
