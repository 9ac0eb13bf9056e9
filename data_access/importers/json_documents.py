"""Reading JSON documents (DHIS2 dataValueSets, GeoJSON) without trusting their size, depth or encoding."""
import json

from data_access.importers.report import quantity
from geo.layer_safety import MAX_JSON_DEPTH, json_depth


class JsonProblem(ValueError):
    """rule + params of a JSON text that cannot be used (for report.add)."""

    def __init__(self, rule: str, **params):
        super().__init__(rule)
        self.rule = rule
        self.params = params


def load_json(data: bytes):
    """The parsed document, or JsonProblem: not UTF-8, nested deeper than MAX_JSON_DEPTH, or not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JsonProblem("not_utf8", position=error.start) from None
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise JsonProblem("nested_too_deep", depth=quantity(depth), limit=MAX_JSON_DEPTH)
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonProblem("nested_too_deep", depth=quantity(depth), limit=MAX_JSON_DEPTH) from None
    except ValueError as error:
        raise JsonProblem("invalid_json", line=getattr(error, "lineno", "?"), position=getattr(error, "colno", "?")) from None
