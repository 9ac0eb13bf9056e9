"""Load test: replay real page loads and callback POSTs of every page against a local dashboard.

    record: open every page in headless Chromium (both languages) and save the exact
            /_dash-update-component bodies the browser sent, per page (scripts/load_recording.json).
    run:    USERS simulated visitors for DURATION seconds: each loads a random page (HTML, layout,
            dependencies) and replays that page's callback POSTs with random province / district /
            month filters taken from the served layout; prints requests, p50/p95 and errors as JSON.

Loopback only: the URL must be http://127.0.0.1 or localhost. Bounded: --duration (at most 600 s)
and --max-requests. See docs/benchmarks.md for the commands and figures.
"""
import argparse
import asyncio
import base64
import copy
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

RECORDING = Path(__file__).with_name("load_recording.json")
PAGES = ("/", "/map", "/targets", "/review", "/trends", "/districts", "/phase2", "/actions", "/import")
FILTER_IDS = {"shell-province": "province", "shell-district": "district", "shell-period": "period"}
MAX_DURATION = 600


def loopback_url(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {host}: loopback addresses only")
    return url.rstrip("/")


# ---------------------------------------------------------------- record


def record(url: str, out: Path, chromium: str) -> dict:
    """Visit every page as a person would (in each language) and keep what the browser posts.

    The recording is {page: [[bodies of one visit], ...], "upload": [bodies of one file check]}.
    """
    import tempfile

    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    recording: dict[str, list] = {}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path=chromium, args=flags, headless=True)
        for lang in ("en", "lo"):
            for path in PAGES:
                recording.setdefault(path, []).append(_visit(browser, f"{url}{path}?lang={lang}"))
        sample = Path(folder) / "sample.csv"
        sample.write_text("indicator_code,admin_code,period,value\nCCT_PAID,0703001,2023-05,38\n", encoding="utf-8")
        bodies = _visit(browser, f"{url}/import?lang=en",
                        lambda page: page.set_input_files("#importer-upload input[type=file]", str(sample)))
        recording["upload"] = [body for body in bodies if body.get("output", "").startswith("..importer-report-store.")]
        browser.close()
    out.write_text(json.dumps(recording, ensure_ascii=False, indent=1), encoding="utf-8")
    return {page: [len(visit) for visit in visits] for page, visits in recording.items() if page != "upload"} | {
        "upload": len(recording["upload"])}


def _visit(browser, url: str, then=None) -> list:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    bodies = []
    page.on("request", lambda request: bodies.append(request.post_data_json)
            if request.method == "POST" and "/_dash-update-component" in request.url else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    if then:
        bodies.clear()
        then(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)
    context.close()
    return bodies


# ---------------------------------------------------------------- run


def _find(tree, component_id: str):
    """The props of the component with this id in a /_dash-layout JSON tree."""
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == component_id:
            return props
        for value in props.values():
            found = _find(value, component_id)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for item in tree:
            found = _find(item, component_id)
            if found is not None:
                return found
    return None


def filter_choices(layout: dict) -> dict:
    """Provinces and months the served layout offers (so filters match the database under test)."""
    provinces = [option["value"] for option in (_find(layout, "shell-province") or {}).get("options", [])]
    # Only months: the filter also offers quarters and semesters, but the shared store a browser sends
    # always holds the as-of month (callbacks/shell.py share_filters turns "2022-S2" into one).
    months = [option["value"] for option in (_find(layout, "shell-period") or {}).get("options", [])
              if re.fullmatch(r"\d{4}-\d{2}", str(option["value"]))]
    return {"provinces": provinces or [""], "months": months[:24] or [None]}


def with_filters(body: dict, filters: dict) -> dict:
    """The recorded body with its province / district / month replaced by `filters`."""
    body = copy.deepcopy(body)
    for group in ("inputs", "state"):
        for item in body.get(group, []):
            for entry in item if isinstance(item, list) else [item]:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    continue
                if entry.get("id") in FILTER_IDS and entry.get("property") == "value":
                    entry["value"] = filters[FILTER_IDS[entry["id"]]] or ""
                elif entry.get("id") == "app-filters" and entry.get("property") == "data":
                    entry["value"] = {key: filters[key] for key in ("province", "district", "period")}
    return body


class Stats:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.unfinished_uploads = 0

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        if error:
            self.errors.append(f"{kind}: {error}")

    def summary(self, elapsed: float) -> dict:
        def figures(values):
            ordered = sorted(values)
            return {"requests": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 1),
                    "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
                    "max_ms": round(ordered[-1] * 1000, 1)}

        everything = [value for values in self.latencies.values() for value in values]
        callbacks = [value for kind, values in self.latencies.items() if kind.startswith("callback") for value in values]
        result = {"elapsed_s": round(elapsed, 1), **(figures(everything) if everything else {"requests": 0}),
                  "requests_per_s": round(len(everything) / elapsed, 1) if elapsed else 0,
                  "errors": len(self.errors), "error_samples": self.errors[:10],
                  "uploads_unfinished": self.unfinished_uploads}
        if callbacks:
            result["callbacks"] = figures(callbacks)
        result["by_kind"] = {kind: figures(values) for kind, values in sorted(self.latencies.items())}
        return result


def _short(output: str) -> str:
    """A callback's name for the summary: its first output id ("..a.b...c.d.." -> "a")."""
    return output.strip(".").split(".", 1)[0][:40]


def _callback_error(response) -> str | None:
    if response.status_code not in (200, 204):
        return f"HTTP {response.status_code}"
    if response.status_code == 200:
        banner = response.json().get("sideUpdate", {}).get("shell-error", {})
        if banner.get("is_open"):
            return f"error banner: {banner.get('children')}"
    return None


async def _timed(stats: Stats, kind: str, send, check=None):
    started = time.perf_counter()
    try:
        response = await send()
        error = check(response) if check else (None if response.status_code < 400 else f"HTTP {response.status_code}")
    except Exception as failure:  # noqa: BLE001 - a failed request is a measured error, not a crash
        stats.add(kind, time.perf_counter() - started, f"{failure.__class__.__name__}: {failure}")
        return None
    stats.add(kind, time.perf_counter() - started, error)
    return response


async def login(client, args) -> None:
    """Optional: post the login form (with its CSRF token when it has one) before visiting pages."""
    if not args.login_user:
        return
    form_page = await client.get(args.login_path)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form_page.text)
    data = {args.user_field: args.login_user, args.password_field: args.login_password}
    if token:
        data["csrf_token"] = token.group(1)
    response = await client.post(args.login_path, data=data, follow_redirects=False)
    if response.status_code >= 400:
        raise SystemExit(f"login failed: HTTP {response.status_code}")


async def visitor(number: int, args, recording: dict, stats: Stats, stop_at: float, budget: list) -> None:
    import httpx

    rng = random.Random(args.seed + number)
    async with httpx.AsyncClient(base_url=args.url, timeout=args.request_timeout,
                                 headers={"Origin": args.url.rstrip("/")}) as client:
        await login(client, args)
        choices = None
        while time.monotonic() < stop_at and budget[0] > 0:
            path = rng.choice([page for page in PAGES if recording.get(page)])
            await _timed(stats, "page", lambda: client.get(path))
            layout = await _timed(stats, "layout", lambda: client.get("/_dash-layout"))
            await _timed(stats, "dependencies", lambda: client.get("/_dash-dependencies"))
            if layout is None or layout.status_code != 200:
                continue
            choices = choices or filter_choices(layout.json())
            province = rng.choice(choices["provinces"])
            filters = {"province": province or None, "district": None, "period": rng.choice(choices["months"])}
            for body in rng.choice(recording[path]):
                if time.monotonic() >= stop_at or budget[0] <= 0:
                    return
                budget[0] -= 1
                payload = with_filters(body, filters)
                await _timed(stats, "callback " + _short(body.get("output", "")),
                             lambda: client.post("/_dash-update-component", json=payload), _callback_error)
            await asyncio.sleep(rng.uniform(0, args.think))


def upload_body(recording: dict, file_path: Path) -> dict:
    """The import page's check POST, as recorded, carrying `file_path` (base64 data URL) instead."""
    for body in recording.get("upload", []):
        if body.get("state"):
            body = copy.deepcopy(body)
            contents = "data:text/csv;base64," + base64.b64encode(file_path.read_bytes()).decode("ascii")
            for entry in body["state"]:
                if entry["id"] == "importer-upload" and entry["property"] == "contents":
                    entry["value"] = contents
                if entry["id"] == "importer-upload" and entry["property"] == "filename":
                    entry["value"] = file_path.name
            body["inputs"][0]["value"] = int(time.time() * 1000)
            return body
    raise SystemExit("the recording has no import check request: run `record` again")


async def uploader(args, recording: dict, stats: Stats, stop_at: float) -> None:
    """One person checking a file at the size limit, again and again, while the others browse.

    A check still running when the time is up is abandoned (counted in `uploads_unfinished`),
    so that the run stays bounded.
    """
    import httpx

    body = upload_body(recording, Path(args.upload))
    async with httpx.AsyncClient(base_url=args.url, timeout=max(args.request_timeout, 600),
                                 headers={"Origin": args.url.rstrip("/")}) as client:
        await login(client, args)
        while time.monotonic() < stop_at:
            send = _timed(stats, "upload", lambda: client.post("/_dash-update-component", json=body), _callback_error)
            try:
                if await asyncio.wait_for(send, timeout=stop_at - time.monotonic()) is None:
                    return
            except asyncio.TimeoutError:
                stats.unfinished_uploads += 1
                return


async def run(args) -> dict:
    recording = json.loads(Path(args.recording).read_text(encoding="utf-8"))
    stats = Stats()
    duration = min(args.duration, MAX_DURATION)
    started = time.monotonic()
    stop_at = started + duration
    budget = [args.max_requests]
    tasks = [visitor(number, args, recording, stats, stop_at, budget) for number in range(args.users)]
    if args.upload:
        tasks.append(uploader(args, recording, stats, stop_at))
    await asyncio.gather(*tasks)
    summary = stats.summary(time.monotonic() - started)
    summary.update(users=args.users, duration_s=duration, url=args.url, upload=bool(args.upload))
    return summary


def make_upload(database_url: str, out: Path, megabytes: float, indicator: str = "CCT_PAID") -> dict:
    """A valid indicator CSV of up to `megabytes`: village-month counts 2019-2025 for the database's villages."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        villages = [row[0] for row in conn.execute(text("SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code"))]
    engine.dispose()
    rng = random.Random(7)
    limit = int(megabytes * 1024 * 1024) - 4096
    rows, size = 0, 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        size += handle.write("indicator_code,admin_code,period,value\n")
        for year in range(2019, 2026):  # the demo's months: no period in the future
            for month in range(1, 13):
                for village in villages:
                    line = f"{indicator},{village},{year}-{month:02d},{rng.randint(0, 60)}\n"
                    if size + len(line) > limit:
                        return {"file": str(out), "rows": rows, "bytes": size}
                    size += handle.write(line)
                    rows += 1
    return {"file": str(out), "rows": rows, "bytes": size}


def _run_in_own_loop(coroutine):
    """asyncio.run, also when the calling thread already runs an event loop (a test process
    that drives Playwright's sync API has one): the load then runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/load.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the callback POSTs of every page in headless Chromium")
    rec.add_argument("--url", default="http://127.0.0.1:8050")
    rec.add_argument("--out", type=Path, default=RECORDING)
    rec.add_argument("--chromium", default="/usr/bin/chromium")
    upload = sub.add_parser("make-upload", help="write a valid indicator CSV at the size limit for --upload")
    upload.add_argument("--database-url", required=True, help="the database under test (its villages are used)")
    upload.add_argument("--out", type=Path, required=True)
    upload.add_argument("--mb", type=float, default=20, help="size in MB (default: 20, the MAX_UPLOAD_MB default)")
    go = sub.add_parser("run", help="replay the recording with USERS visitors for DURATION seconds")
    go.add_argument("--url", default="http://127.0.0.1:8050")
    go.add_argument("--users", type=int, default=50)
    go.add_argument("--duration", type=float, default=60, help=f"seconds (at most {MAX_DURATION})")
    go.add_argument("--max-requests", type=int, default=1_000_000, help="stop after this many callback POSTs")
    go.add_argument("--think", type=float, default=1.0, help="each visitor pauses up to this many seconds between pages")
    go.add_argument("--request-timeout", type=float, default=60)
    go.add_argument("--recording", type=Path, default=RECORDING)
    go.add_argument("--upload", help="a file one extra user keeps checking on the import page during the run")
    go.add_argument("--seed", type=int, default=1)
    go.add_argument("--login-path", default="/login", help="login form (when accounts are on)")
    go.add_argument("--login-user", help="log every visitor in as this user first (omit when AUTH is off)")
    go.add_argument("--login-password", default="")
    go.add_argument("--user-field", default="username")
    go.add_argument("--password-field", default="password")
    go.add_argument("--out", type=Path, help="also write the summary JSON here")
    args = parser.parse_args(argv)
    if args.command == "make-upload":
        print(json.dumps(make_upload(args.database_url, args.out, args.mb)))
        return 0
    args.url = loopback_url(args.url)
    if args.command == "record":
        print(json.dumps(record(args.url, args.out, args.chromium)))
        return 0
    summary = _run_in_own_loop(run(args))
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if summary["errors"] == 0 and summary["requests"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
