"""Dash component trees as static HTML, so a report prints the page's own facts, sentences and tables."""
from html import escape

from dash.development.base_component import Component

# dash-bootstrap-components have no HTML tag of their own: what they stand for in print.
_DBC_TAGS = {"Table": "table", "Badge": "span", "Button": "span", "NavLink": "span"}
_DBC_CLASSES = {"Row": "row", "Col": "col", "Card": "card", "CardBody": "card-body", "CardHeader": "card-header",
                "Alert": "alert", "Badge": "badge", "Table": "table"}
_SKIP = {"Graph", "Download", "Store", "Loading", "Location", "Interval", "Tooltip"}
_VOID = {"br", "hr", "img"}


def _style(style: dict | None) -> str:
    if not style:
        return ""
    parts = []
    for key, value in style.items():
        css_key = "".join("-" + char.lower() if char.isupper() else char for char in key)
        parts.append(f"{css_key}: {value}")
    return "; ".join(parts)


def render(node) -> str:
    """HTML text of a component, a list of them, a string or a number (escaped)."""
    if node is None:
        return ""
    if isinstance(node, (list, tuple)):
        return "".join(render(child) for child in node)
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return escape(str(node))
    if isinstance(node, str):
        return escape(node)
    if not isinstance(node, Component):
        return escape(str(node))
    name = type(node).__name__
    if name in _SKIP:
        # dcc.Loading wraps real content; the others have nothing to print.
        return render(getattr(node, "children", None)) if name == "Loading" else ""
    namespace = getattr(node, "_namespace", "")
    if namespace == "dash_html_components":
        tag = name.lower()
        classes = getattr(node, "className", None) or ""
    else:
        tag = _DBC_TAGS.get(name, "div")
        classes = " ".join(part for part in (_DBC_CLASSES.get(name, ""), getattr(node, "className", None) or "") if part)
        color = getattr(node, "color", None)
        if name == "Alert" and color:
            classes += f" alert-{color}"
    attributes = ""
    if classes:
        attributes += f' class="{escape(classes)}"'
    style = _style(getattr(node, "style", None))
    if style:
        attributes += f' style="{escape(style)}"'
    if isinstance(getattr(node, "id", None), str):
        attributes += f' id="{escape(node.id)}"'
    if tag in _VOID:
        return f"<{tag}{attributes}>"
    return f"<{tag}{attributes}>{render(getattr(node, 'children', None))}</{tag}>"


def text_of(node) -> list[str]:
    """The visible strings of a component tree, in order (for tests and plain-text reuse)."""
    if node is None:
        return []
    if isinstance(node, (list, tuple)):
        return [text for child in node for text in text_of(child)]
    if isinstance(node, str):
        return [node] if node.strip() else []
    if isinstance(node, (int, float)):
        return [str(node)]
    if isinstance(node, Component):
        return text_of(getattr(node, "children", None))
    return [str(node)]
