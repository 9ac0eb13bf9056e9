"""`python -m dashboard bench-import` (also `bench --import`): a million-row import on copies of the national datasets.

For each backend: copy the national database (SQLite: a file copy; PostgreSQL: CREATE
DATABASE ... TEMPLATE), import a generated file of ROWS village-month rows of one
indicator in a child process (wall time and peak RSS of that process alone), then import
one month for every village (a ratio and a stock) and time the rollup rebuild it runs.
The originals are only read; the copies are removed afterwards unless --keep.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dashboard.cli import command

DEFAULT_SQLITE = "/work/var/national.sqlite"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/cm_bench"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the big file (default 1,000,000)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sqlite-source", default=DEFAULT_SQLITE, help="national SQLite file (copied, never written)")
    parser.add_argument("--pg-source", default=DEFAULT_PG, help="national PostgreSQL database (used as a template)")
    parser.add_argument("--indicator", default="HANSA_ANC4", help="indicator of the big file (a village ratio)")
    parser.add_argument("--month-indicators", default="HANSA_ANC4,CCT_REGISTERED",
                        help="indicators of the one-month file (every village)")
    parser.add_argument("--workdir", help="where files and SQLite copies go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the copies and files")
    parser.add_argument("--json", action="store_true", help="print JSON")


@command("bench-import", "time a million-row import and a one-month import on copies of the national datasets")(arguments)
def bench_import(args: argparse.Namespace) -> int:
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"file: {result['file']['rows']:,} rows, {result['file']['bytes'] / 1e6:.1f} MB; "
              f"load average {result['load_average']}")
        for backend, figures in result["backends"].items():
            big, month = figures["import"], figures["month"]
            print(f"  {backend:<10} {big['rows_total']:>9,} rows: {big['seconds']:>6.1f} s, peak RSS {big['peak_rss_mb']:,.0f} MB, "
                  f"CPU {big['cpu_seconds']:.1f} s, {big['status']} (inserted {big['rows_inserted']:,}, replaced {big['rows_replaced']:,}); "
                  f"one month ({month['rows_total']:,} rows): {month['seconds']:.1f} s, rollup {month['rollup_seconds']:.2f} s")
    return 0 if all(f["import"]["status"] == "applied" for f in result["backends"].values()) else 1


def run(args: argparse.Namespace) -> dict:
    from data_access.database import make_engine
    from dashboard import bench_import_file

    folder = Path(args.workdir or tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    source = make_engine(f"sqlite:///{args.sqlite_source}") if "sqlite" in backends else make_engine(args.pg_source)
    with source.connect() as conn:
        month = _next_month(bench_import_file.latest_month(conn, args.indicator))
        big = bench_import_file.write_csv(conn, folder / f"import_{args.rows}.csv", args.rows, args.indicator)
        one_month = bench_import_file.write_month_csv(conn, folder / f"month_{month}.csv", month,
                                                      args.month_indicators.split(","))
    source.dispose()
    result = {"file": big, "month_file": one_month, "load_average": os.getloadavg()[0], "backends": {}}
    try:
        for backend in backends:
            url, cleanup = _copy(backend, args, folder)
            try:
                result["backends"][backend] = {"import": _child(url, big["file"]), "month": _child(url, one_month["file"])}
            finally:
                if not args.keep:
                    cleanup()
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def _next_month(period: str) -> str:
    from data_access.periods import add_months

    return add_months(period, 1)


def _copy(backend: str, args: argparse.Namespace, folder: Path):
    if backend == "sqlite":
        path = folder / "copy.sqlite"
        shutil.copyfile(args.sqlite_source, path)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    if backend != "postgresql":
        raise SystemExit(f"unknown backend {backend!r}")
    from sqlalchemy import create_engine, text

    base, template = args.pg_source.rsplit("/", 1)
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    for attempt in range(10):  # CREATE DATABASE ... TEMPLATE waits for nobody else to be connected to it
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            break
        except Exception:
            if attempt == 9:
                raise
            time.sleep(3)

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def _child(url: str, file: str) -> dict:
    """One import in a fresh process, so that its peak RSS is its own."""
    output = subprocess.run([sys.executable, "-m", "dashboard.cli_bench_import", url, file],
                            check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    # Each result as soon as it is known: a long run interrupted later still leaves its figures.
    print(f"{url.rsplit('/', 1)[-1]} {Path(file).name}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    return figures


def measure(url: str, file: str) -> dict:
    """Import `file` (no size limit) and report time, peak RSS and how long the rollup rebuild took."""
    import data_access.importers as importers
    from data_access.database import make_engine

    timings = []
    rebuild = importers.rebuild_rollups

    def timed_rebuild(*args, **kwargs):
        started = time.perf_counter()
        try:
            return rebuild(*args, **kwargs)
        finally:
            timings.append(time.perf_counter() - started)

    importers.rebuild_rollups = timed_rebuild
    engine = make_engine(url)
    started = time.perf_counter()
    report = importers.import_path(engine, file, importers.ImportOptions(max_mb=10_000, imported_by="bench"))
    seconds = time.perf_counter() - started
    engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time of this process: on a shared machine it says more than the wall time (PostgreSQL's own
    # work is in the server's process and not in it).
    return {"seconds": round(seconds, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "rollup_seconds": round(sum(timings), 2), "status": report.status, "rows_total": report.rows_total,
            "rows_inserted": report.rows_inserted, "rows_replaced": report.rows_replaced,
            "errors": len(report.errors), "warnings": len(report.warnings)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
