"""Charts as image files made on the server: the page's figure with its title, place, period, source and demo label drawn in."""
import copy
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from i18n import t
from layouts.figures.print_map import flat_map, has_map

# kaleido draws with Chromium and finds fonts through fontconfig, not through the app's
# @font-face: "Noto Sans Lao" is the installed family (fonts-noto-core, VERIFIED.md).
IMAGE_FONT = "'Noto Sans Lao', 'Noto Sans', 'DejaVu Sans', sans-serif"
DEMO_COLOUR = "#b35900"
# One Chromium tab: a second one cost more CPU (its own copy of plotly.js) than it saved here.
TABS = 1
# kaleido 1.5 reloads its tab after every image, parsing plotly.js (4.8 MB) again: about a second
# of CPU per chart. Plotly.toImage draws each figure in an element of its own and removes it, so
# a tab can draw many; it is reloaded after this many images to bound its memory.
RELOAD_EVERY = 30
_server_lock = threading.Lock()
# The pid that started the server: a forked child (a background job) has no server thread.
_server_pid: int | None = None


def _reset_after_fork() -> None:
    # A lock held by another thread at fork time would stay locked forever in the child.
    global _server_lock
    # One Chromium tab: a second one cost more CPU (its own copy of plotly.js) than it saved here.
TABS = 1
# kaleido 1.5 reloads its tab after every image, parsing plotly.js (4.8 MB) again: about a second
# of CPU per chart. Plotly.toImage draws each figure in an element of its own and removes it, so
# a tab can draw many; it is reloaded after this many images to bound its memory.
RELOAD_EVERY = 30
_server_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_after_fork)


@dataclass(frozen=True)
class ImageContext:
    """What the image must say about itself, already in the reader's language."""

    title: str
    place: str
    period: str
    source: str
    is_demo: bool
    lang: str


def _reuse_tabs() -> None:
    """Patch kaleido (pinned 1.5.0, private API) to reload a tab every RELOAD_EVERY images, not after each."""
    from kaleido.kaleido import Kaleido

    if getattr(Kaleido, "_reload_every", None) == RELOAD_EVERY:
        return
    reload_and_return = Kaleido._return_kaleido_tab  # noqa: SLF001

    async def return_tab(self, tab) -> None:
        used = getattr(tab, "_images_drawn", 0) + 1
        if used >= RELOAD_EVERY:
            tab._images_drawn = 0
            await reload_and_return(self, tab)
            return
        tab._images_drawn = used
        await self.tabs_ready.put(tab)

    Kaleido._return_kaleido_tab = return_tab  # noqa: SLF001
    Kaleido._reload_every = RELOAD_EVERY


def _ensure_server() -> None:
    # One Chromium for the process: the first image costs ~2.7 s, later ones ~0.2 s (VERIFIED.md).
    global _server_pid
    if _server_pid == os.getpid():
        return
    import kaleido

    if _server_pid is not None:
        # Forked from a process that had a server: its thread did not survive the fork, but
        # kaleido's singleton still says "running" and would queue work for nobody.
        from kaleido import _sync_server

        instance = getattr(_sync_server.GlobalKaleidoServer, "_instance", None)
        if instance is not None:
            instance._initialized = False  # noqa: SLF001
    _reuse_tabs()
    # No MathJax: kaleido would fetch it from a CDN (nothing leaves the host; no chart uses LaTeX).
    kaleido.start_sync_server(n=TABS, mathjax=False, silence_warnings=True)
    _server_pid = os.getpid()


def framed_figure(figure: go.Figure | dict, context: ImageContext, height: int | None = None) -> go.Figure:
    """A copy of the figure with its context drawn into the image, never changing the page's figure.
    A map (MapLibre traces) is redrawn as plain shapes (layouts/figures/print_map.py)."""
    plain = figure.to_dict() if isinstance(figure, go.Figure) else figure
    framed = flat_map(plain) if has_map(plain) else go.Figure(copy.deepcopy(plain))
    layout = framed.layout
    height = height or layout.height or 420
    margin = layout.margin
    # A map has no margins of its own (0 is a margin, not a missing one); the title block needs
    # 110 px above the plot, the demo label 26 more.
    margin_top = margin.t if margin.t is not None else 40
    margin_bottom = margin.b if margin.b is not None else 40
    top = max(margin_top + 70, 110) + (26 if context.is_demo else 0)
    bottom = margin_bottom
    legend_below = layout.legend.y is not None and layout.legend.y < 0
    if legend_below:
        # Lao legend text is taller than Latin: anchor the legend's top under the tick labels.
        framed.update_layout(legend=dict(y=-0.2, yanchor="top"))
        bottom += 40
    framed.update_layout(
        height=height + top + bottom - margin_top - margin_bottom,
        font_family=IMAGE_FONT,
        margin=dict(t=top, b=bottom, l=margin.l, r=margin.r),
        title=dict(text=f"<b>{_escape(context.title)}</b>", x=0.01, xanchor="left", y=1, yanchor="top",
                   yref="container", pad=dict(t=18), font=dict(size=17),
                   subtitle=dict(text=f"{_escape(context.place)} · {_escape(context.period)} · "
                                 + _escape(t("export.image_source", context.lang, source=context.source)),
                                 font=dict(size=13))),
        paper_bgcolor="white",
    )
    if context.is_demo:
        framed.add_annotation(text="<b>" + _escape(t("shell.demo_badge", context.lang)) + "</b>",
                              xref="paper", yref="paper", x=0, y=1, yshift=top - 84, xanchor="left",
                              yanchor="top", showarrow=False, font=dict(size=12, color=DEMO_COLOUR),
                              bordercolor=DEMO_COLOUR, borderwidth=1, borderpad=3, bgcolor="#fff3cd")
    return framed


def figure_image(figure: go.Figure | dict, context: ImageContext, fmt: str = "png", width: int = 1000,
                 height: int | None = None, scale: float = 2) -> bytes:
    """PNG or SVG bytes of the figure with its context (fmt: "png" | "svg")."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format {fmt!r}: png or svg")
    framed = framed_figure(figure, context, height)
    with _server_lock:
        _ensure_server()
        with warnings.catch_warnings():
            # plotly warns that kaleido options are ignored when a server runs: that is the point.
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return framed.to_image(format=fmt, width=width, height=int(framed.layout.height),
                                   scale=scale if fmt == "png" else 1)


def figure_images(items: list[tuple[go.Figure | dict, ImageContext]], fmt: str = "png", width: int = 1000,
                  scale: float = 2) -> list[bytes]:
    """Several figures' images in one kaleido batch (the report's charts): one Chromium, TABS
    drawing at once, instead of one round trip per chart."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format {fmt!r}: png or svg")
    if not items:
        return []
    import kaleido

    framed = [framed_figure(figure, context) for figure, context in items]
    with tempfile.TemporaryDirectory(prefix="report-charts-") as folder:
        paths = [Path(folder) / f"chart-{index}.{fmt}" for index in range(len(framed))]
        specs = [{"fig": figure, "path": str(path),
                  "opts": {"format": fmt, "width": width, "height": int(figure.layout.height),
                           "scale": scale if fmt == "png" else 1}}
                 for figure, path in zip(framed, paths)]
        with _server_lock:
            _ensure_server()
            kaleido.write_fig_from_object_sync(specs, cancel_on_error=True)
        return [path.read_bytes() for path in paths]


def _escape(text: str) -> str:
    # Plotly titles are a small HTML subset: a place or file name must not open a tag.
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def warm_up() -> threading.Thread:
    """Start Chromium for kaleido and draw a first image in the background (seconds) while the caller reads data."""
    def start():
        with _server_lock:
            _ensure_server()
            # One tiny image: the tab parses plotly.js and loads the fonts now, not at the first chart.
            import kaleido

            try:
                kaleido.calc_fig_sync(go.Figure(layout=dict(title=dict(text="ເງື່ອນໄຂ"))),
                                      opts=dict(format="png", width=60, height=40))
            except Exception:  # a failed warm-up only costs the first chart the time it did not save
                pass

    thread = threading.Thread(target=start, daemon=True, name="kaleido-warm-up")
    thread.start()
    return thread
