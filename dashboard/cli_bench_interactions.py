"""`python -m dashboard bench --interactions`: every user action replayed through the real app (issue 15).

For SQLite (--sqlite-url) and PostgreSQL (--pg-url or BENCH_PG_URL): cold and warm p50/p95 server
time summed over the callbacks an action triggers, response bytes, the naive approach side by side,
the same on a copy with twice the months, and 20 visitors at once on `serve --prod` with Redis.
`--write-docs` puts the tables into docs/benchmarks.md.
"""
import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys

from dashboard.config import REPO_ROOT

DEFAULT_SQLITE = f"sqlite:///{REPO_ROOT / 'var' / 'national.sqlite'}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("interactions (issue 15)")
    group.add_argument("--interactions", action="store_true",
                       help="replay each user action's callbacks through the app (cold, warm, bytes, naive, 2x history, 20 users)")
    group.add_argument("--sqlite-url", default=os.environ.get("BENCH_SQLITE_URL", DEFAULT_SQLITE),
                       help="SQLite database (built with the national demo when missing); 'none' to skip")
    group.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", ""),
                       help="PostgreSQL database (built with the national demo when missing or empty); empty: skipped")
    group.add_argument("--scale", default="national", help="demo scale to build a missing database with")
    group.add_argument("--cold", type=int, default=10, help="cold runs per interaction (query cache emptied first)")
    group.add_argument("--warm", type=int, default=20, help="warm runs per interaction")
    group.add_argument("--only", action="append", help="only the interactions whose name contains this (repeatable)")
    group.add_argument("--no-naive", action="store_true", help="skip the naive comparison")
    group.add_argument("--no-history", action="store_true", help="skip the run on twice the months")
    group.add_argument("--users", type=int, default=20, help="visitors in the concurrency run (0: skip it)")
    group.add_argument("--users-seconds", type=float, default=60, help="length of the concurrency run")
    group.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                       help="Redis database the concurrency run's server caches in (emptied first)")
    group.add_argument("--copies-dir", default=str(REPO_ROOT / "var"),
                       help="folder for the SQLite copy with twice the months (never next to a shared file)")
    group.add_argument("--write-docs", action="store_true", help="write the results into docs/benchmarks.md")
    group.add_argument("--out", help="also write the whole report as JSON here")


def run(args: argparse.Namespace) -> int:
    from dashboard.bench import datasets, markdown
    from dashboard.bench.runner import cpu_reference_ms, history_ratios, load_average, run_database

    urls = [url for url in (args.sqlite_url, args.pg_url) if url and url != "none"]
    report = {"when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
              "load_before": load_average(), "cpu_reference_ms": cpu_reference_ms(),
              "cold": args.cold, "warm": args.warm,
              "command": " ".join(["python -m dashboard"] + [shlex.quote(a) for a in getattr(args, "argv", sys.argv[1:])]),
              "runs": [], "history": {}, "concurrency": [], "notes": []}
    for url in urls:
        datasets.ensure_dataset(url, args.scale)
        if args.no_history:
            print(f"{url.split('://')[0]}: as built", flush=True)
            report["runs"].append(run_database(url, args.cold, args.warm, not args.no_naive, args.only))
            continue
        doubled_url = datasets.ensure_doubled(url, args.copies_dir, args.scale)
        print(f"{url.split('://')[0]}: as built, and twice the months ({doubled_url.split('/')[-1]}) run by run in turn",
              flush=True)
        base, doubled = run_database(url, args.cold, args.warm, not args.no_naive, args.only, doubled_url=doubled_url)
        report["runs"].append(base)
        report["history"][base["database"]] = history_ratios(base, doubled)
        report.setdefault("doubled_runs", []).append(doubled)
    if args.users and args.pg_url:
        from dashboard.bench import concurrency

        print(f"{args.users} visitors on serve --prod (PostgreSQL + Redis) for {args.users_seconds:.0f} s", flush=True)
        result = concurrency.run(args.pg_url, args.redis_url, args.users, args.users_seconds,
                                 log_path=REPO_ROOT / "var" / "bench-serve.log")
        result["database"] = "PostgreSQL"
        report["concurrency"].append(result)
        print(json.dumps(result), flush=True)
    elif args.users:
        report["notes"].append("The concurrency run needs PostgreSQL (--pg-url): skipped.")
    report["load_after"] = load_average()
    first_visit = _first_visit_hook()
    if first_visit:
        report["notes"].append(first_visit)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1)
    if args.write_docs:
        markdown.write(REPO_ROOT / "docs" / "benchmarks.md", report)
    print(markdown.section(report))
    return 0


def _first_visit_hook() -> str | None:
    """The first-visit benchmark (bytes and time in Chromium) lives in its own module when present."""
    import importlib

    try:
        module = importlib.import_module("dashboard.bench.first_visit")
    except ImportError:
        return None
    summary = getattr(module, "markdown_summary", None)
    return summary() if callable(summary) else None
