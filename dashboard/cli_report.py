"""`python -m dashboard report`: the mission report (PDF and matching Excel) from the command line."""
import argparse
import re
import sys
import time
from pathlib import Path

from dashboard.cli import command
from dashboard.config import load_config


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", required=True, help="review month, YYYY-MM (e.g. 2022-11)")
    parser.add_argument("--scope", default="", help="province (07) or district (0706) code; empty or 00: the country")
    parser.add_argument("--lang", choices=["lo", "en"], default="lo", help="language of the report (default lo)")
    parser.add_argument("--out", required=True, help="PDF file to write (the Excel goes next to it, .xlsx)")
    parser.add_argument("--xlsx", help="Excel file to write (default: --out with .xlsx)")
    parser.add_argument("--phase2", default="", metavar="QUERY",
                        help='the Phase II selection as in the /phase2 page\'s address, e.g. "w=50,25,25&n=12&pick=0201,0207" '
                             "(default: the page's default weights and top N)")


@command("report", "make the mission report for a scope and review month: a PDF and a matching Excel workbook")(_arguments)
def report(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.as_of):
        print(f"--as-of {args.as_of!r}: give a month as YYYY-MM, e.g. 2022-11", file=sys.stderr)
        return 2
    scope = (args.scope or "").strip()
    if scope in ("", "00"):
        scope = None
    elif not re.fullmatch(r"\d{2}|\d{4}", scope):
        print(f"--scope {args.scope!r}: a province (2 digits) or district (4 digits) code", file=sys.stderr)
        return 2
    from data_access.database import make_engine
    from data_access.queries.catalogue import admin_unit
    from reports.mission import make_report
    from reports.mission_phase2 import parse_selection

    engine = make_engine(load_config()["DATABASE_URL"])

    def read(query, *query_args):
        with engine.connect() as conn:
            return query(conn, *query_args)

    if scope and not read(admin_unit, scope):
        print(f"--scope {scope}: no province or district has this code", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = make_report(read, scope, args.as_of, args.lang,
                         phase2=parse_selection(args.phase2) if args.phase2 else None)
    out = Path(args.out)
    xlsx = Path(args.xlsx) if args.xlsx else out.with_suffix(".xlsx")
    out.write_bytes(result.pdf)
    xlsx.write_bytes(result.xlsx)
    print(f"Wrote {out} ({len(result.pdf) // 1024} kB) and {xlsx} ({len(result.xlsx) // 1024} kB) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0
