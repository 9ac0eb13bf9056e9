"""`python -m dashboard bench-import` at toy size: it copies the source, imports both files, reports, and cleans up."""
import argparse
import json
from pathlib import Path

import pytest

from conftest import PG_ADMIN_URL, require_postgres
from data.importer_db import _postgres_template, sqlite_template_path
from dashboard import cli_bench_import


def _args(**values) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli_bench_import.arguments(parser)
    args = parser.parse_args([])
    for name, value in values.items():
        setattr(args, name, value)
    return args


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_import_benchmark_runs_at_toy_size_and_leaves_the_source_alone(backend, tmp_path, capsys):
    source = Path(sqlite_template_path())
    before = source.stat().st_mtime_ns, source.stat().st_size
    values = {"rows": 600, "backends": backend, "sqlite_source": str(source), "workdir": str(tmp_path), "json": True}
    if backend == "postgresql":
        require_postgres()
        values["pg_source"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + _postgres_template()
    assert cli_bench_import.bench_import(_args(**values)) == 0
    result = json.loads(capsys.readouterr().out)
    figures = result["backends"][backend]
    assert result["file"]["rows"] == 600
    assert figures["import"]["status"] == "applied" and figures["import"]["rows_total"] == 600
    assert figures["import"]["rows_inserted"] + figures["import"]["rows_replaced"] > 0
    assert figures["month"]["status"] == "applied" and figures["month"]["rollup_seconds"] >= 0
    assert figures["import"]["peak_rss_mb"] > 0
    assert (source.stat().st_mtime_ns, source.stat().st_size) == before
    assert not (tmp_path / "copy.sqlite").exists()


def test_bench_has_an_import_switch():
    from dashboard.cli import build_parser

    args = build_parser().parse_args(["bench", "--import"])
    assert args.import_ is True
