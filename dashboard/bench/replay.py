"""Replay the callback requests one user action triggers, through the real app (Flask test client).

The bodies are the browser's own (scripts/load_recording.json, recorded in Chromium). A page load
replays every callback the page's visit posted; a change (indicator, period, weight, view) replays
the callbacks the Dash renderer fires for it: those with the changed property among their inputs,
then those fed by their outputs, with the stores' values (figure keys, ...) the page load answered.
"""
import copy
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.config import REPO_ROOT
from data_access.queries.trends import COMPLIANCE_INDICATORS as COMPLIANCE
from data_access.queries.trends import MANAGEMENT_RATE_INDICATORS as MANAGEMENT
from data_access.queries.trends import OPERATIONS_INDICATORS as OPERATIONS

RECORDING = REPO_ROOT / "scripts" / "load_recording.json"
HEADERS = {"Origin": "http://localhost", "Content-Type": "application/json"}


@dataclass(frozen=True)
class Interaction:
    name: str
    page: str
    # {"component-id.property": value} set by the action; empty: the page's first load.
    change: dict = field(default_factory=dict)
    # The indicators the action shows, which the naive approach reads whole (dashboard/bench/naive.py).
    indicators: tuple[str, ...] = ("CCT_COMPLY_ALL",)
    # Changes of indicator, period or weight must answer in <= 50 kB (issue 15).
    is_change: bool = False


def interactions(months: list[str]) -> list[Interaction]:
    """The actions measured; `months` newest first (the period change goes one month back)."""
    from dashboard.bench.naive import COMPARABLE, COVERAGE, FRAMEWORK, LINKED

    previous = months[1] if len(months) > 1 else months[0]
    overview = ("CCT_REGISTERED", "CCT_COMPLY_ALL", "STUNTING", COVERAGE)
    trends = ("STUNTING", "WASTING", "UNDERWEIGHT", *COMPLIANCE, *OPERATIONS, *MANAGEMENT)
    phase2 = ("STUNTING", "POVERTY_HEADCOUNT", COVERAGE)
    return [
        Interaction("Overview, national", "/", indicators=overview),
        Interaction("Overview, period changed", "/", {"shell-period.value": previous}, overview, True),
        Interaction("Map, national", "/map"),
        Interaction("Map, indicator changed", "/map", {"map-indicator.value": "HANSA_ANC4"}, ("HANSA_ANC4",), True),
        Interaction("Map, period changed", "/map", {"shell-period.value": previous}, is_change=True),
        Interaction("Map, convergence view", "/map", {"map-view.value": "convergence"}, (COVERAGE,)),
        Interaction("Targets", "/targets", indicators=(FRAMEWORK,)),
        # Review: the Overview's five figures and the framework for the month's quarter-or-month and the one before.
        Interaction("Review", "/review", indicators=(FRAMEWORK, *overview)),
        Interaction("Trends", "/trends", indicators=trends),
        Interaction("Compare districts", "/districts", indicators=(COMPARABLE,)),
        Interaction("Phase II", "/phase2", indicators=phase2),
        Interaction("Phase II, one weight moved", "/phase2", {"phase2-weight-stunting.value": 40}, phase2, True),
        Interaction("Agreed actions", "/actions", indicators=(LINKED,)),
    ]


def load_recording(path: Path = RECORDING) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _entries(body: dict, group: str):
    for item in body.get(group, []) or []:
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict):
                yield entry


def _key(entry: dict) -> str | None:
    return f"{entry['id']}.{entry['property']}" if isinstance(entry.get("id"), str) else None


def _outputs(body: dict) -> set[str]:
    outputs = body.get("outputs")
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return {f"{o['id']}.{o['property']}" for o in outputs if isinstance(o, dict) and isinstance(o.get("id"), str)}


def set_values(body: dict, values: dict) -> dict:
    """The body with every input/state named in `values` set to it (app-filters follows the shell filters)."""
    body = copy.deepcopy(body)
    filters = {"shell-province.value": "province", "shell-district.value": "district", "shell-period.value": "period"}
    for group in ("inputs", "state"):
        for entry in _entries(body, group):
            key = _key(entry)
            if key in values:
                entry["value"] = values[key]
            elif key == "app-filters.data":
                data = dict(entry.get("value") or {})
                for shell_key, name in filters.items():
                    if shell_key in values:
                        data[name] = values[shell_key] or None
                entry["value"] = data
    return body


def triggered(bodies: list[dict], change: dict) -> list[dict]:
    """The callbacks the renderer fires for `change`, in firing order, with changedPropIds set."""
    changed = set(change)
    if any(key.startswith("shell-") for key in change):
        changed.add("app-filters.data")
    fired, result = set(), []
    progress = True
    while progress:
        progress = False
        for index, body in enumerate(bodies):
            if index in fired or body.get("output", "").startswith(".._pages_content"):
                continue
            hits = [key for key in (_key(e) for e in _entries(body, "inputs")) if key in changed]
            if hits:
                fired.add(index)
                progress = True
                body = copy.deepcopy(body)
                body["changedPropIds"] = hits
                body.pop("parsedChangedPropsIds", None)
                result.append(body)
                changed |= _outputs(body)
    return result


class Replayer:
    """One app, one test client: time an interaction's callbacks cold and warm."""

    def __init__(self, app, recording: dict, lang_visit: int = 0):
        self.app = app
        self.client = app.server.test_client()
        self.recording = recording
        self.lang_visit = lang_visit
        self.store = app.server.extensions["data_store"]

    def clear_caches(self) -> None:
        self.store.cache.clear()

    def keep_answers(self, on: bool) -> None:
        """Answers kept whole (dashboard/response_cache.py) on or off; the query cache stays."""
        self.app.server.config["RESPONSE_CACHE"] = on

    def _post(self, body: dict) -> tuple[float, int, dict | None]:
        started = time.perf_counter()
        response = self.client.post("/_dash-update-component", data=json.dumps(body), headers=HEADERS)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{body.get('output', '')[:60]}: HTTP {response.status_code} {response.data[:300]!r}")
        payload = response.get_json() if response.status_code == 200 else None
        banner = ((payload or {}).get("sideUpdate") or {}).get("shell-error") or {}
        if banner.get("is_open"):
            raise RuntimeError(f"{body.get('output', '')[:60]}: error banner {banner.get('children')}")
        return elapsed, len(response.data), payload

    def bodies(self, interaction: Interaction, base: dict) -> list[dict]:
        """The requests of `interaction`, with `base` values (filters, stores answered by the page load)."""
        visit = self.recording[interaction.page][self.lang_visit]
        if not interaction.change:
            return [set_values(body, base) for body in visit]
        values = {**base, **interaction.change}
        return [set_values(body, values) for body in triggered(visit, interaction.change)]

    def page_state(self, interaction: Interaction, filters: dict) -> dict:
        """Load the page once and keep the stores it answered (what the browser holds before a change)."""
        state = dict(filters)
        for body in self.recording[interaction.page][self.lang_visit]:
            _elapsed, _size, payload = self._post(set_values(body, state))
            for component, props in ((payload or {}).get("response") or {}).items():
                for prop, value in props.items():
                    if prop == "data" and not (isinstance(value, dict) and "__dash_patch_update" in value):
                        state[f"{component}.{prop}"] = value
        return state

    def run_once(self, bodies: list[dict]) -> tuple[float, int]:
        total_ms, total_bytes = 0.0, 0
        for body in bodies:
            elapsed, size, _payload = self._post(body)
            total_ms += elapsed
            total_bytes += size
        return total_ms, total_bytes

    def measure(self, interaction: Interaction, filters: dict, cold: int, warm: int) -> dict:
        return measure_interleaved([self], interaction, filters, cold, warm)[0]


def measure_interleaved(replayers: list["Replayer"], interaction: Interaction, filters: dict, cold: int,
                        warm: int) -> list[dict]:
    """The interaction on each replayer's app, run after run in turn (A, B, A, B, ...), so that what the
    machine does meanwhile falls on both alike: the history comparison (the same database with twice the
    months) compares runs taken in the same seconds, not minutes apart."""
    bodies = []
    for replayer in replayers:
        base = replayer.page_state(interaction, filters) if interaction.change else dict(filters)
        bodies.append(replayer.bodies(interaction, base))
        # Once first, as a server's start does (dashboard/warm_up.py): the process's own first-use costs
        # (modules imported on first call, boundaries simplified once per process) are not "cold data".
        replayer.run_once(bodies[-1])
    cold_ms = [[] for _ in replayers]
    sizes = [[] for _ in replayers]
    for _ in range(cold):
        for index, replayer in enumerate(replayers):
            replayer.clear_caches()
            elapsed, size = replayer.run_once(bodies[index])
            cold_ms[index].append(elapsed)
            sizes[index].append(size)
    for index, replayer in enumerate(replayers):
        replayer.run_once(bodies[index])
    warm_ms = [[] for _ in replayers]
    for _ in range(warm):
        for index, replayer in enumerate(replayers):
            warm_ms[index].append(replayer.run_once(bodies[index])[0])
    # The answers rebuilt from the query cache: what a new place or month costs once its queries are read.
    rebuilt_ms = [[] for _ in replayers]
    for replayer in replayers:
        replayer.keep_answers(False)
    try:
        for _ in range(max(1, warm // 2)):
            for index, replayer in enumerate(replayers):
                rebuilt_ms[index].append(replayer.run_once(bodies[index])[0])
    finally:
        for replayer in replayers:
            replayer.keep_answers(True)
    return [{"callbacks": len(bodies[index]), "cold": percentiles(cold_ms[index]), "warm": percentiles(warm_ms[index]),
             "rebuilt": percentiles(rebuilt_ms[index]),
             "bytes": max(sizes[index]) if sizes[index] else replayer.run_once(bodies[index])[1]}
            for index, replayer in enumerate(replayers)]


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 1),
            "n": len(ordered)}
