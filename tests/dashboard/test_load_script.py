"""scripts/load.py: a toy-size run proves the replay works (the real runs are in docs/benchmarks.md)."""
import importlib.util
import json
from pathlib import Path

import pytest

from conftest import LiveServer

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load.py"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("load_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(sqlite_demo_url):
    from dashboard.app import create_app

    with LiveServer(create_app({"DATABASE_URL": sqlite_demo_url, "DEFAULT_LANGUAGE": "en"})) as live:
        yield live


def test_the_recording_holds_every_page_in_both_languages_and_an_upload(load):
    recording = json.loads(load.RECORDING.read_text(encoding="utf-8"))
    for page in load.PAGES:
        assert len(recording[page]) == 2 and all(recording[page]), page
    assert recording["upload"] and recording["upload"][0]["state"]


def test_a_toy_run_replays_pages_and_callbacks_without_errors(load, server, tmp_path):
    out = tmp_path / "summary.json"
    code = load.main(["run", "--url", server.url, "--users", "3", "--duration", "4", "--think", "0.1",
                      "--max-requests", "60", "--out", str(out)])
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and summary["errors"] == 0, summary["error_samples"]
    assert summary["by_kind"]["page"]["requests"] >= 3
    assert summary["callbacks"]["requests"] >= 10
    assert summary["p95_ms"] >= summary["p50_ms"] > 0


def test_a_toy_run_with_an_upload_checks_the_file(load, server, tmp_path):
    upload = tmp_path / "indicators.csv"
    upload.write_text("indicator_code,admin_code,period,value\nCCT_PAID,0703001,2023-05,38\n", encoding="utf-8")
    out = tmp_path / "summary.json"
    load.main(["run", "--url", server.url, "--users", "1", "--duration", "3", "--upload", str(upload),
               "--out", str(out)])
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["errors"] == 0 and summary["by_kind"]["upload"]["requests"] >= 1


def test_filters_are_replaced_in_the_recorded_bodies(load):
    body = {"inputs": [{"id": "shell-province", "property": "value", "value": "01"},
                       [{"id": {"type": "x"}, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "app-filters", "property": "data", "value": {"province": "01"}}]}
    changed = load.with_filters(body, {"province": "07", "district": None, "period": "2024-05"})
    assert changed["inputs"][0]["value"] == "07"
    assert changed["state"][0]["value"] == {"province": "07", "district": None, "period": "2024-05"}
    assert body["inputs"][0]["value"] == "01", "the recording itself is left as it was"


@pytest.mark.parametrize("url", ["http://10.0.0.5:8050", "https://example.org"])
def test_only_loopback_addresses_are_load_tested(load, url):
    with pytest.raises(SystemExit, match="loopback"):
        load.loopback_url(url)


def test_make_upload_writes_a_valid_file_up_to_the_size(load, sqlite_demo_url, tmp_path):
    from dashboard.config import load_config
    from data_access.database import make_engine
    from data_access.importers import ImportOptions, import_bytes

    out = tmp_path / "upload.csv"
    summary = load.make_upload(sqlite_demo_url, out, 0.05)
    assert 0 < summary["bytes"] <= 0.05 * 1024 * 1024 and out.stat().st_size == summary["bytes"]
    engine = make_engine(sqlite_demo_url)
    report = import_bytes(engine, out.read_bytes(), out.name,
                          ImportOptions(dry_run=True, max_mb=float(load_config()["MAX_UPLOAD_MB"])))
    engine.dispose()
    assert not report.errors, report.errors[:3]
    assert report.rows_valid == summary["rows"] > 100
