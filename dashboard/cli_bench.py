"""`python -m dashboard bench`: times the queries pages run, on the configured database."""
import argparse
import json
import statistics
import time

from dashboard.cli import command
from dashboard.cli_bench_first_visit import add_bench_arguments as _first_visit_arguments
from dashboard.cli_bench_first_visit import run_from_bench as _first_visit
from dashboard.config import load_config


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median reported)")
    parser.add_argument("--rollup", action="store_true", help="also time a full rollup rebuild (rolled back)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--import", dest="import_", action="store_true",
                        help="instead: the import benchmark with its defaults (see bench-import --help)")
    from dashboard.cli_bench_interactions import add_arguments

    add_arguments(parser)
    _first_visit_arguments(parser)


def _time(engine, repeat: int, query, *args) -> dict:
    timings = []
    rows = None
    for _ in range(repeat):
        with engine.connect() as conn:
            started = time.perf_counter()
            result = query(conn, *args)
            timings.append((time.perf_counter() - started) * 1000)
        rows = len(result) if hasattr(result, "__len__") else None
    return {"median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1), "rows": rows}


@command("bench", "time the dashboard's queries on the configured database (use a --scale national demo)")(_arguments)
def bench(args: argparse.Namespace) -> int:
    if getattr(args, "import_", False):
        from dashboard import cli_bench_import

        options = argparse.ArgumentParser()
        cli_bench_import.arguments(options)
        return cli_bench_import.bench_import(options.parse_args(["--json"] if args.json else []))
    if args.interactions:
        from dashboard.cli_bench_interactions import run

        return run(args)
    if args.first_visit:
        return _first_visit(args)
    from sqlalchemy import text

    from data_access.database import make_engine
    from data_access.queries.catalogue import months_with_data
    from data_access.queries.convergence import convergence_by_district, village_reach
    from data_access.queries.observations import indicator_series, indicator_values
    from data_access.queries.overview import headline_figures
    from data_access.rollup import rebuild_rollups

    engine = make_engine(load_config()["DATABASE_URL"])
    with engine.connect() as conn:
        latest = months_with_data(conn)[0]
        size = {
            "observations": conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one(),
            "villages": conn.execute(text("SELECT COUNT(*) FROM admin_unit WHERE level = 'village'")).scalar_one(),
            "rollup_rows": conn.execute(text("SELECT COUNT(*) FROM observation_rollup")).scalar_one(),
        }
        district = conn.execute(text(
            "SELECT a.district_code FROM admin_unit a WHERE a.level = 'village' GROUP BY a.district_code "
            "ORDER BY COUNT(*) DESC LIMIT 1")).scalar_one()
    province = district[:2]
    cases = {
        "province map, one month (ratio)": (indicator_values, "HANSA_ANC4", "province", latest, latest),
        "district map, one province": (indicator_values, "HANSA_ANC4", "district", latest, latest, province),
        "village map, one district (raw rows)": (indicator_values, "HANSA_ANC4", "village", latest, latest, district),
        "national trend since 2019": (indicator_series, "HANSA_ANC4", None, "2019-07", latest),
        "province trend since 2019": (indicator_series, "HANSA_ANC4", province, "2019-07", latest),
        "convergence, villages of one province": (village_reach, latest, province),
        "convergence by district, national": (convergence_by_district, latest, None),
        "overview headline figures, national": (headline_figures, None, latest),
    }
    results = {name: _time(engine, args.repeat, case[0], *case[1:]) for name, case in cases.items()}
    if args.rollup:
        with engine.connect() as conn:
            transaction = conn.begin()
            started = time.perf_counter()
            written = rebuild_rollups(conn)
            results["full rollup rebuild"] = {"median_ms": round((time.perf_counter() - started) * 1000, 1),
                                              "max_ms": None, "rows": written}
            transaction.rollback()
    report = {"database": engine.dialect.name, "size": size, "as_of": latest, "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{engine.dialect.name}: {size}, as of {latest}")
        for name, result in results.items():
            print(f"  {name:<45} {result['median_ms']:>9} ms median   rows={result['rows']}")
    return 0
