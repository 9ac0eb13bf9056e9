"""Runs the interaction benchmark on one database and puts the results of several together."""
import os
import time
import timeit

from sqlalchemy import text

from dashboard.bench import naive
from dashboard.bench.replay import Replayer, interactions, load_recording, measure_interleaved

# The goals (issue 15): what a run is judged against.
GOALS = {"warm_p95_ms": 50, "cold_p95_ms": 300, "naive_ratio": 100, "history_ratio": 1.2, "change_bytes": 50_000}


def _app(database_url: str, cache_url: str = "simple"):
    from dashboard.app import create_app

    return create_app({"DATABASE_URL": database_url, "CACHE_URL": cache_url, "AUTH": "off",
                       "DEFAULT_LANGUAGE": "en"})


def dataset_size(engine) -> dict:
    with engine.connect() as conn:
        months = conn.execute(text(
            "SELECT MIN(period), MAX(period), COUNT(DISTINCT period) FROM observation "
            "WHERE substr(period, 5, 1) = '-' AND substr(period, 6, 1) <> 'Q'"
        )).one()
        try:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - not stamped
            revision = None
        return {"schema": revision, "observations": conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one(),
                "villages": conn.execute(text("SELECT COUNT(*) FROM admin_unit WHERE level = 'village'")).scalar_one(),
                "months": months[2], "first_month": months[0], "last_month": months[1]}


def run_database(database_url: str, cold: int, warm: int, with_naive: bool = True, only=None,
                 progress=print, doubled_url: str | None = None) -> dict | tuple[dict, dict]:
    """Every interaction on one database: cold and warm server time, bytes, and the naive ratio.

    doubled_url: the same database with twice the months; each action is then run on both in turn
    (measure_interleaved) and (base, doubled) come back."""
    from data_access.queries.catalogue import months_with_data

    app = _app(database_url)
    store = app.server.extensions["data_store"]
    with store.engine.connect() as conn:
        months = months_with_data(conn)
    replayers = [Replayer(app, load_recording())]
    if doubled_url:
        replayers.append(Replayer(_app(doubled_url), load_recording()))
    filters = {"shell-province.value": None, "shell-district.value": None, "shell-period.value": months[0]}
    results: list[dict] = [{} for _ in replayers]
    naive_cache: dict[tuple, float] = {}
    for interaction in interactions(months):
        if only and not any(word.lower() in interaction.name.lower() for word in only):
            continue
        started = time.perf_counter()
        measured = measure_interleaved(replayers, interaction, filters, cold, warm)
        result = measured[0]
        if with_naive:
            if interaction.indicators not in naive_cache:
                codes = naive.resolve(store.engine, interaction.indicators)
                naive_cache[interaction.indicators] = naive.naive_ms(store.engine, codes, months[0])
            result["naive_ms"] = naive_cache[interaction.indicators]
            result["naive_indicators"] = len(naive.resolve(store.engine, interaction.indicators))
            result["naive_ratio_cold"] = round(result["naive_ms"] / max(result["cold"]["p50"], 0.1), 1)
            result["naive_ratio_warm"] = round(result["naive_ms"] / max(result["warm"]["p50"], 0.1), 1)
        for index, one in enumerate(measured):
            one["is_change"] = interaction.is_change
            results[index][interaction.name] = one
        doubled_text = ""
        if len(measured) > 1:
            doubled_text = f"  2x history cold p95 {measured[1]['cold']['p95']:>7} warm p95 {measured[1]['warm']['p95']:>6}"
        progress(f"  {interaction.name:<32} cold p50/p95 {result['cold']['p50']:>7}/{result['cold']['p95']:>7} ms  "
                 f"warm {result['warm']['p50']:>6}/{result['warm']['p95']:>6} ms  "
                 f"rebuilt {result['rebuilt']['p50']:>6} ms  {result['bytes']:>8} B{doubled_text}  "
                 f"({time.perf_counter() - started:.0f} s)")
    runs = []
    for index, replayer in enumerate(replayers):
        engine = replayer.store.engine
        runs.append({"database": engine.dialect.name, "size": dataset_size(engine), "as_of": months[0],
                     "results": results[index]})
        engine.dispose()
    return (runs[0], runs[1]) if doubled_url else runs[0]


def history_ratios(base: dict, doubled: dict) -> dict:
    """p95 (the goal) and p50 on twice the months over the same as built, per interaction (cold and warm).

    With ten cold runs p95 is the slowest run: one run the machine interrupted moves it; the p50 says
    whether the action itself grew."""
    ratios = {}
    for name, result in base["results"].items():
        other = doubled["results"].get(name)
        if not other:
            continue
        ratios[name] = {kind: round(other[kind]["p95"] / max(result[kind]["p95"], 0.1), 2) for kind in ("cold", "warm")}
        ratios[name] |= {f"{kind}_p50": round(other[kind]["p50"] / max(result[kind]["p50"], 0.1), 2)
                         for kind in ("cold", "warm")}
    return ratios


def cpu_reference_ms() -> float:
    """The machine's speed for Python, to compare runs made on different hosts: the best of five
    `sum(range(10**6))`, in ms (about 13 ms on the quiet host of 2026-12-07 afternoon, 30 ms on the evening's)."""
    best = min(timeit.repeat("sum(range(10**6))", number=1, repeat=5))
    return round(best * 1000, 1)


def load_average() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
