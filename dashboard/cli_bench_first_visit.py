"""`python -m dashboard bench --first-visit`: bytes a browser downloads and time until every graph is drawn.

Opens each page in headless Chromium (Playwright, Debian's /usr/bin/chromium) against the app served
in this process: a first visit in a fresh browser profile (empty cache), then a repeat visit in the
same profile (what a person opening the dashboard again sees). Bytes are Chromium's own count of what
came over the wire (CDP `Network.loadingFinished.encodedDataLength`: compressed bodies plus headers;
a file the cache answered counts 0, a 304 only its headers). "Drawn" means: the page's content is
rendered, no Dash callback is pending or in flight, every visible graph has been drawn by plotly.js
and every map has loaded its style and sources, and that stayed so for 300 ms.
`--throttle` emulates a poor link through CDP (1 Mbit/s both ways, 300 ms latency).
"""
import argparse
import json
import statistics
import threading
import time

from dashboard.cli import command

PAGES = ("/", "/map", "/targets", "/review", "/trends", "/districts", "/phase2", "/actions", "/import")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"]
# A poor rural link: 1 Mbit/s each way, 300 ms round trip (CDP takes bytes per second).
POOR_LINK = {"offline": False, "latency": 300, "downloadThroughput": 1_000_000 / 8, "uploadThroughput": 1_000_000 / 8}
QUIET_MS = 300

# Runs in the page: false until everything is drawn, then the time since navigation started (ms).
DRAWN = """() => {
    const content = document.querySelector('#_pages_content');
    if (!content || !content.children.length || document.querySelector('[data-dash-is-loading="true"], [data-ag-grid-loading], .dash-spinner')) return false;
    for (const graph of document.querySelectorAll('.dash-graph')) {
        if (graph.offsetParent === null) continue;  // hidden: a closed tab or details
        const gd = graph.querySelector('.js-plotly-plot');
        if (!gd || !gd._fullLayout || gd.hasAttribute('data-maplibre-loading')) return false;
        for (const id of ((gd._fullLayout._subplots || {}).map || [])) {
            const subplot = gd._fullLayout[id] && gd._fullLayout[id]._subplot;
            if (!subplot || !subplot.map || !subplot.map.loaded()) return false;
        }
    }
    return performance.now();
}"""


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths (default: every page with data)")
    parser.add_argument("--runs", type=int, default=3, help="visits per page (median reported)")
    parser.add_argument("--throttle", action="store_true", help="also measure on a 1 Mbit/s, 300 ms link")
    parser.add_argument("--lang", default="en", choices=("en", "lo"))
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds a visit may take before it counts as failed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `bench --first-visit` takes (prefixed: bench has options of its own)."""
    parser.add_argument("--first-visit", action="store_true",
                        help="measure first and repeat visits of each page in headless Chromium instead")
    parser.add_argument("--first-visit-pages", default=",".join(PAGES), help="with --first-visit: pages to open")
    parser.add_argument("--first-visit-runs", type=int, default=3, help="with --first-visit: visits per page")
    parser.add_argument("--throttle", action="store_true", help="with --first-visit: also on a 1 Mbit/s, 300 ms link")


@command("bench-first-visit", "bytes and time of a first and a repeat visit of each page in headless Chromium")(_arguments)
def bench_first_visit(args: argparse.Namespace) -> int:
    from dashboard.app import create_app
    from dashboard.config import load_config

    from dashboard import http_cache, warm_up

    settings = load_config()
    app = create_app({"DATABASE_URL": settings["DATABASE_URL"]})
    # What `serve` does as it starts (boundaries, static files at their best compression), done before
    # the first visit is timed, as a server that has been up for a minute has.
    warm_up.run(app)
    http_cache.wait_for_best()
    pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    with _serve(app) as base_url:
        links = {"fast": None, **({"1 Mbit/s, 300 ms": POOR_LINK} if args.throttle else {})}
        results = []
        for link, conditions in links.items():
            runs = 1 if conditions else args.runs
            results += measure(base_url, pages, lang=args.lang, runs=runs, conditions=conditions,
                               chromium=args.chromium, timeout=args.timeout, link=link)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    return 1 if any(row.get("error") for row in results) else 0


def measure(base_url: str, pages: list[str], *, lang: str = "en", runs: int = 3, conditions: dict | None = None,
            chromium: str = CHROMIUM, timeout: float = 90.0, link: str = "fast") -> list[dict]:
    """Median first- and repeat-visit bytes and drawn time per page (a warm-up visit first fills the server cache)."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            for path in pages:
                url = f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}"
                _visit_twice(browser, url, None, timeout)  # the server's query cache, not the browser's, is warmed
                visits = [_visit_twice(browser, url, conditions, timeout) for _ in range(runs)]
                results.append(_summary(path, link, visits))
        finally:
            browser.close()
    return results


def _visit_twice(browser, url: str, conditions: dict | None, timeout: float) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        first = visit(context, url, conditions, timeout)
        repeat = visit(context, url, conditions, timeout)
    finally:
        context.close()
    return {"first": first, "repeat": repeat}


def visit(context, url: str, conditions: dict | None = None, timeout: float = 90.0) -> dict:
    """Open `url` in a new tab of `context`; bytes over the wire, requests, and ms until everything is drawn."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if conditions:
        cdp.send("Network.emulateNetworkConditions", conditions)
    wire = {"bytes": 0, "requests": 0, "from_cache": 0, "not_modified": 0, "in_flight": set(), "last_change": 0.0}
    errors: list[str] = []

    def started(event):
        if not event["request"]["url"].startswith("http"):
            return  # MapLibre's blob: workers and data: images never cross the wire (nor "finish")
        wire["requests"] += 1
        wire["in_flight"].add(event["requestId"])
        wire["last_change"] = time.monotonic()

    def finished(event):
        if event["requestId"] not in wire["in_flight"]:
            return
        wire["bytes"] += int(event.get("encodedDataLength") or 0)
        wire["in_flight"].discard(event["requestId"])
        wire["last_change"] = time.monotonic()

    def failed(event):
        if event["requestId"] not in wire["in_flight"]:
            return
        wire["in_flight"].discard(event["requestId"])
        errors.append(f"request failed: {event.get('errorText')}")

    def response(event):
        if event["response"].get("fromDiskCache"):
            wire["from_cache"] += 1

    def raw_response(event):
        # Chromium reports a revalidated file with the cached copy's status (200); the raw status is here.
        if event.get("statusCode") == 304:
            wire["not_modified"] += 1

    cdp.on("Network.requestWillBeSent", started)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    cdp.on("Network.responseReceived", response)
    cdp.on("Network.responseReceivedExtraInfo", raw_response)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        drawn_ms = _wait_until_drawn(page, wire, timeout)
    finally:
        page.close()
    return {"bytes": wire["bytes"], "requests": wire["requests"], "from_cache": wire["from_cache"],
            "not_modified": wire["not_modified"], "drawn_ms": drawn_ms, "errors": errors}


def _wait_until_drawn(page, wire: dict, timeout: float) -> float | None:
    """The page's time of the first moment after which nothing changed for QUIET_MS (None: timed out)."""
    deadline = time.monotonic() + timeout
    drawn_at = None
    while time.monotonic() < deadline:
        now = page.evaluate(DRAWN)
        quiet = not wire["in_flight"]
        if now and quiet:
            drawn_at = drawn_at or (now, time.monotonic())
            if (time.monotonic() - max(drawn_at[1], wire["last_change"])) * 1000 >= QUIET_MS:
                return round(drawn_at[0])
        else:
            drawn_at = None
        page.wait_for_timeout(50)
    return None


def _summary(path: str, link: str, visits: list[dict]) -> dict:
    row = {"page": path, "link": link, "runs": len(visits)}
    for kind in ("first", "repeat"):
        done = [visit[kind] for visit in visits]
        times = [visit["drawn_ms"] for visit in done]
        row[f"{kind}_bytes"] = round(statistics.median(visit["bytes"] for visit in done))
        row[f"{kind}_requests"] = round(statistics.median(visit["requests"] for visit in done))
        row[f"{kind}_drawn_ms"] = None if None in times else round(statistics.median(times))
        row[f"{kind}_304"] = round(statistics.median(visit["not_modified"] for visit in done))
        row[f"{kind}_from_cache"] = round(statistics.median(visit["from_cache"] for visit in done))
        errors = sorted({error for visit in done for error in visit["errors"]})
        if errors or None in times:
            row["error"] = "; ".join(errors) or "not drawn before the timeout"
    return row


def table(results: list[dict]) -> str:
    lines = ["| page | link | first visit kB | drawn s | repeat visit kB | drawn s | repeat: 304 / from cache |",
             "|---|---|---|---|---|---|---|"]
    for row in results:
        seconds = lambda ms: "—" if ms is None else f"{ms / 1000:.2f}"  # noqa: E731
        lines.append(f"| `{row['page']}` | {row['link']} | {row['first_bytes'] / 1000:,.0f} | {seconds(row['first_drawn_ms'])} "
                     f"| {row['repeat_bytes'] / 1000:,.1f} | {seconds(row['repeat_drawn_ms'])} "
                     f"| {row['repeat_304']} / {row['repeat_from_cache']} |")
        if row.get("error"):
            lines.append(f"|  | error: {row['error'][:200]} | | | | | |")
    return "\n".join(lines)


class _serve:
    """The app on a free local port in a thread of this process, for the time of the measurement."""

    def __init__(self, app):
        self.app = app

    def __enter__(self) -> str:
        import socket

        from werkzeug.serving import make_server

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.server = make_server("127.0.0.1", port, self.app.server, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()


def run_from_bench(args: argparse.Namespace) -> int:
    """`bench --first-visit` (the hook in dashboard/cli_bench.py): this command with bench's options."""
    return bench_first_visit(argparse.Namespace(
        pages=args.first_visit_pages, runs=args.first_visit_runs, throttle=args.throttle, lang="en",
        chromium=CHROMIUM, timeout=90.0, json=getattr(args, "json", False)))
