"""`bench --interactions` runs end to end on the toy dataset (the real figures are in docs/benchmarks.md).

No timing is asserted: only that every interaction is replayed through the app, answers without
error, is measured cold and warm, and that the naive comparison, the copy with twice the months
and the report are produced.
"""
import json
import shutil

import pytest
from sqlalchemy import create_engine, text

from dashboard.bench import datasets, markdown
from dashboard.bench.replay import load_recording, triggered
from dashboard.cli import main


def _run(tmp_path, *extra) -> dict:
    out = tmp_path / "report.json"
    code = main(["bench", "--interactions", "--cold", "1", "--warm", "1", "--copies-dir", str(tmp_path),
                 "--out", str(out), *extra])
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _check_run(run: dict, history: dict) -> None:
    results = run["results"]
    assert {"Overview, national", "Map, indicator changed", "Phase II, one weight moved"} <= set(results)
    for name, result in results.items():
        assert result["callbacks"] >= 1, name
        assert result["bytes"] > 0, name
        assert result["cold"]["n"] == 1 and result["warm"]["n"] == 1, name
        assert result["cold"]["p50"] > 0 and result["warm"]["p95"] > 0, name
        assert result["naive_ms"] > 0, name
        assert name in history and history[name]["cold"] > 0, name
    # A change replays only the callbacks it triggers, not the whole page.
    assert results["Map, indicator changed"]["callbacks"] < results["Map, national"]["callbacks"]
    assert results["Phase II, one weight moved"]["callbacks"] < results["Phase II"]["callbacks"]
    # The Overview's map is patched when only the month changes (test_no_answer_carries_boundaries: never the
    # boundaries, which the browser fetches once by URL).
    assert results["Overview, period changed"]["bytes"] < results["Overview, national"]["bytes"]


def test_bench_interactions_on_sqlite(sqlite_demo_url, tmp_path):
    source = tmp_path / "toy.sqlite"
    shutil.copyfile(sqlite_demo_url.removeprefix("sqlite:///"), source)
    report = _run(tmp_path, "--sqlite-url", f"sqlite:///{source}", "--users", "0", "--scale", "test")
    assert [run["database"] for run in report["runs"]] == ["sqlite"]
    _check_run(report["runs"][0], report["history"]["sqlite"])
    doubled = report["doubled_runs"][0]["size"]
    assert doubled["months"] == 2 * report["runs"][0]["size"]["months"]
    assert doubled["first_month"] < report["runs"][0]["size"]["first_month"]
    section = markdown.section(report)
    assert "Overview, national" in section and "bench --interactions" in section
    assert 0 < report["cpu_reference_ms"] < 10_000
    assert f"best of 5) {report['cpu_reference_ms']} ms" in section


def test_bench_interactions_on_postgresql_with_concurrent_users(postgresql_demo_url, tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis on 127.0.0.1:6379 for the concurrency run")
    report = _run(tmp_path, "--sqlite-url", "none", "--pg-url", postgresql_demo_url, "--scale", "test",
                  "--only", "Overview", "--only", "Map", "--only", "Phase II",
                  "--users", "2", "--users-seconds", "4", "--redis-url", "redis://127.0.0.1:6379/14")
    try:
        _check_run(report["runs"][0], report["history"]["postgresql"])
        concurrency = report["concurrency"][0]
        assert concurrency["errors"] == 0, concurrency["error_samples"]
        assert concurrency["callback_requests"] > 0 and concurrency["callback_p95_ms"] > 0
    finally:
        datasets.drop_copy(datasets.doubled_url(postgresql_demo_url))


def test_a_change_fires_the_callbacks_that_read_it_and_those_they_feed():
    visit = load_recording()["/"][0]
    fired = [body["output"] for body in triggered(visit, {"shell-period.value": "2024-01"})]
    assert any(output == "app-filters.data" for output in fired)
    assert any(output.startswith("..overview-title") for output in fired)
    assert not any(output.startswith("..shell-district.options") for output in fired)  # province unchanged
    overview = next(body for body in triggered(visit, {"shell-period.value": "2024-01"})
                    if body["output"].startswith("..overview-title"))
    assert overview["changedPropIds"] == ["app-filters.data"]


def test_the_doubled_copy_holds_every_month_twice(sqlite_demo_url, tmp_path):
    source = tmp_path / "toy.sqlite"
    shutil.copyfile(sqlite_demo_url.removeprefix("sqlite:///"), source)
    url = f"sqlite:///{source}"
    doubled = datasets.ensure_doubled(url, tmp_path / "copies")
    count = "SELECT COUNT(*) FROM observation WHERE substr(period, 5, 1) = '-' AND substr(period, 6, 1) <> 'Q'"
    engines = create_engine(url), create_engine(doubled)
    with engines[0].connect() as before, engines[1].connect() as after:
        assert after.execute(text(count)).scalar_one() == 2 * before.execute(text(count)).scalar_one()
        assert after.execute(text("SELECT MIN(period) FROM observation_rollup WHERE period LIKE '20__-__'")).scalar_one() \
            < before.execute(text("SELECT MIN(period) FROM observation_rollup WHERE period LIKE '20__-__'")).scalar_one()
    assert datasets.ensure_doubled(url, tmp_path / "copies") == doubled  # reused, not doubled again
    for engine in engines:
        engine.dispose()


def test_no_answer_carries_boundaries_only_their_urls(sqlite_demo_url):
    """Every page's callbacks, as the browser posts them: the map figures name /geo/ URLs, never coordinates."""
    from dashboard.bench.replay import Replayer
    from dashboard.bench.runner import _app
    from data_access.queries.catalogue import months_with_data

    app = _app(sqlite_demo_url)
    with app.server.extensions["data_store"].engine.connect() as conn:
        month = months_with_data(conn)[0]
    replayer = Replayer(app, load_recording())
    filters = {"shell-province.value": None, "shell-district.value": None, "shell-period.value": month}
    urls = 0
    for page in ("/", "/map", "/phase2"):
        for body in replayer.recording[page][0]:
            from dashboard.bench.replay import set_values

            _elapsed, _size, payload = replayer._post(set_values(body, filters))
            text_ = json.dumps(payload or {})
            assert '"coordinates"' not in text_, (page, body["output"][:80])
            urls += text_.count('"/geo/layer-')
    assert urls >= 3  # the Overview's, the Map's and Phase II's maps
