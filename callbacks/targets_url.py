"""The Targets page's view in the address: `indicator=` (the indicator its history chart shows)."""
from dash import Input, Output

from layouts.targets import HISTORY_INDICATOR, URL_STATE

TARGETS_KEYS = ["indicator"]


def register(app, store, config) -> None:
    @app.callback(Output(URL_STATE, "data"), Input(HISTORY_INDICATOR, "value"))
    def targets_address(indicator):
        return {"params": {"indicator": indicator if isinstance(indicator, str) else None}, "push": False,
                "keys": TARGETS_KEYS, "path": "/targets"}
