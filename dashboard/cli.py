"""The command line: python -m dashboard <command> (serve, init-db, demo, bench, ...)."""
import argparse
import json
import sys
from pathlib import Path

from dashboard.config import DEFAULT_SQLITE_PATH, SETTINGS, load_config

COMMANDS: dict[str, tuple[str, callable, callable]] = {}


def command(name: str, help_text: str):
    """Register a sub-command: the decorated function adds arguments, `run` executes."""

    def decorate(add_arguments):
        def wrap(run):
            COMMANDS[name] = (help_text, add_arguments, run)
            return run

        return wrap

    return decorate


def _ensure_sqlite_folder(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: HOST setting, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: PORT setting, 8050)")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode with hot reload")
    parser.add_argument("--prod", action="store_true",
                        help="production server: gunicorn with WORKERS processes x THREADS threads (see docs/deploy.md)")


@command("serve", "serve the dashboard (creates the demo database first if the default SQLite file is missing)")(_serve_arguments)
def serve(args: argparse.Namespace) -> int:
    import logging

    # Error references in the log (dashboard/errors.py) need a handler with time and level.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    config = load_config()
    _ensure_sqlite_folder(config["DATABASE_URL"])
    if config["DATABASE_URL"] == f"sqlite:///{DEFAULT_SQLITE_PATH}" and not DEFAULT_SQLITE_PATH.exists():
        print(f"No database at {DEFAULT_SQLITE_PATH}: generating the demo dataset first ...", flush=True)
        _generate_demo(config["DATABASE_URL"], "demo", force=False,
                       carry_forward_months=config["CARRY_FORWARD_MONTHS"])
    from data_access.database import make_engine, sqlite_file

    file = sqlite_file(make_engine(config["DATABASE_URL"]))
    if file is not None and not file.exists():
        print(f"No database file at {file}: create it with `python -m dashboard init-db` (or `demo`). "
              "Serving anyway: /healthz answers 503 until it exists.", flush=True)
    if args.prod:
        from dashboard import production

        production.run(config, args.host, args.port)
        return 0
    from dashboard.app import create_app
    from dashboard.security import QuietRequestHandler

    app = create_app()
    _warm_static_files(app)
    app.run(host=args.host or config["HOST"], port=args.port or int(config["PORT"]), debug=args.debug,
            request_handler=QuietRequestHandler)
    return 0


def _warm_static_files(app) -> None:
    """Boundaries and the best compression of the page's big files now (dashboard/warm_up.py), not at the first visitor."""
    from dashboard import warm_up

    warm_up.start(app)


@command("init-db", "create the tables (idempotent) and load the reference data: projects, indicators, geography")(
    lambda parser: parser.add_argument("--target-districts", help="CSV of target districts to load instead of the bundled demo list")
)
def init_db_command(args: argparse.Namespace) -> int:
    from data_access.database import init_db, make_engine
    from data_access.reference import load_reference_data

    config = load_config()
    _ensure_sqlite_folder(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    init_db(engine)
    with engine.begin() as conn:
        load_reference_data(conn, args.target_districts or config["TARGET_DISTRICTS_CSV"] or None)
    print(f"Database ready: {engine.url.render_as_string(hide_password=True)}")
    return 0


@command("migrate", "apply pending schema migrations (alembic) to the configured database")(lambda parser: None)
def migrate_command(args: argparse.Namespace) -> int:
    from data_access.database import make_engine, migrate

    config = load_config()
    engine = make_engine(config["DATABASE_URL"])
    migrate(engine)
    print(f"Schema up to date: {engine.url.render_as_string(hide_password=True)}")
    return 0


def _generate_demo(database_url: str, scale: str, force: bool, seed: int | None = None,
                   stop_reporting: dict[str, str] | None = None, carry_forward_months: str | None = None) -> dict:
    from data_access.database import dataset_info, is_initialised, make_engine, sqlite_file
    from data_access.demo import DEMO_SEED, generate_demo

    from sqlalchemy import text

    engine = make_engine(database_url)
    file = sqlite_file(engine)
    if (file is None or file.exists()) and is_initialised(engine) and not force:
        info = dataset_info(engine)
        with engine.connect() as conn:
            imported = conn.execute(
                text("SELECT COUNT(*) FROM import_batch WHERE kind <> 'demo' AND status = 'applied'")
            ).scalar_one()
        if (info and info.get("is_demo") != "1") or imported:
            raise SystemExit(
                f"The database holds imported data ({imported} import batches); refusing to replace it. "
                "Use --force to do so anyway."
            )
    from data_access.stocks import DEFAULT_CARRY_FORWARD_MONTHS, parse_cap

    try:
        cap = parse_cap(carry_forward_months) if carry_forward_months is not None else DEFAULT_CARRY_FORWARD_MONTHS
    except ValueError as error:
        raise SystemExit(str(error)) from None
    summary = generate_demo(engine, scale=scale, seed=seed if seed is not None else DEMO_SEED,
                            stop_reporting=stop_reporting, carry_forward_months=cap)
    print(json.dumps(summary, indent=2, default=str))
    return summary


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=["test", "demo", "national"], default="demo",
                        help="test: tiny; demo: the 4 RRPM provinces (default); national: 148 districts, ~8,500 villages")
    parser.add_argument("--seed", type=int, help="random seed (default: the fixed demo seed)")
    parser.add_argument("--force", action="store_true", help="replace a database that holds imported data")
    parser.add_argument("--stop-reporting", action="append", default=[], metavar="DISTRICT:YYYY-MM",
                        help="make a district stop reporting from that month (repeatable), e.g. 0703:2025-09")


def _stop_reporting(values: list[str]) -> dict[str, str]:
    stops = {}
    for value in values:
        from data_access.periods import PeriodError, period_start

        district, _, month = value.partition(":")
        try:
            valid = len(district) == 4 and district.isdigit() and len(month) == 7 and bool(period_start(month))
        except PeriodError:
            valid = False
        if not valid:
            raise SystemExit(f"--stop-reporting {value!r}: expected DISTRICT:YYYY-MM, e.g. 0703:2025-09")
        stops[district] = month
    return stops


@command("demo", "(re)generate the deterministic demo dataset, clearly labelled as demo")(_demo_arguments)
def demo(args: argparse.Namespace) -> int:
    config = load_config()
    _ensure_sqlite_folder(config["DATABASE_URL"])
    _generate_demo(config["DATABASE_URL"], args.scale, args.force, args.seed,
                   _stop_reporting(args.stop_reporting), config["CARRY_FORWARD_MONTHS"])
    return 0


@command("rebuild-rollups", "rebuild the rollup tables with the configured CARRY_FORWARD_MONTHS")(lambda parser: None)
def rebuild_rollups_command(args: argparse.Namespace) -> int:
    from data_access.database import make_engine
    from data_access.rollup import rebuild_rollups
    from data_access.stocks import parse_cap
    from data_access.store import bump_data_version

    config = load_config()
    try:
        cap = parse_cap(config["CARRY_FORWARD_MONTHS"])
    except ValueError as error:
        raise SystemExit(str(error)) from None
    engine = make_engine(config["DATABASE_URL"])
    with engine.begin() as conn:
        written = rebuild_rollups(conn, carry_forward_months=cap)
        bump_data_version(conn)
    print(f"{written} rollup rows written, stocks carried at most {cap} months")
    return 0


@command("settings", "list every setting with its default and help text")(lambda parser: None)
def settings(args: argparse.Namespace) -> int:
    for setting in SETTINGS:
        print(f"{setting.name}={setting.default}\n    {setting.help}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    _load_plugin_commands()
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Convergence monitor for Lao PDR's nutrition convergence program (RRPM and partners).",
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name, (help_text, add_arguments, _run) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if add_arguments:
            add_arguments(sub_parser)
    return parser


def _load_plugin_commands() -> None:
    """Commands defined in other modules of this package (import, bench, ...) register themselves."""
    import importlib
    import pkgutil

    import dashboard

    for info in pkgutil.iter_modules(dashboard.__path__):
        if info.name.startswith("cli_"):
            importlib.import_module(f"dashboard.{info.name}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = args.command or "serve"
    if args.command is None:
        args = parser.parse_args(["serve", *(argv or [])])
    # What was asked for, as typed (reports such as `bench` quote their command).
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return COMMANDS[name][2](args) or 0


if __name__ == "__main__":
    sys.exit(main())
