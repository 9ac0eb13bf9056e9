"""The page registry: each layouts/<page>.py that declares PAGE becomes a Dash page."""
import importlib
import pkgutil

import dash

import callbacks
import layouts

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
            role=spec.get("role"),
            layout=module.layout,
        )


def register_callbacks(app: dash.Dash, store, config: dict) -> None:
    """Call register(app, store, config) of callbacks/shell.py and every callbacks/<page>.py."""
    for info in pkgutil.iter_modules(callbacks.__path__):
        module = importlib.import_module(f"callbacks.{info.name}")
        if hasattr(module, "register"):
            module.register(app, store, config)
