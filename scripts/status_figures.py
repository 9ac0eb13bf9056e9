"""Print the Targets statuses and the Overview stunting card for a place and months, as the
pages show them (English), from a database: the before/after check of issue 11 items 3-7.

    python scripts/status_figures.py [--database sqlite:///var/convergence.sqlite] [--scope 07]
        [--targets 2022-11 2025-12] [--stunting 2022-03 2022-11 2025-12]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access.database import make_engine  # noqa: E402
from data_access.queries.overview import headline_figures  # noqa: E402
from data_access.queries.targets import progress_table  # noqa: E402
from layouts.figures.targets import status_label  # noqa: E402
from layouts.overview import stunting_card  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:///var/convergence.sqlite")
    parser.add_argument("--scope", default=None, help="province or district code (default: national)")
    parser.add_argument("--targets", nargs="*", default=["2022-11", "2025-12"])
    parser.add_argument("--stunting", nargs="*", default=["2022-03", "2022-11", "2025-12"])
    args = parser.parse_args()
    engine = make_engine(args.database)
    with engine.connect() as conn:
        for period in args.targets:
            print(f"Targets, {args.scope or 'national'}, as of {period}:")
            for row in progress_table(conn, args.scope, period).to_dict("records"):
                print(f"  {row['indicator_code']:20} {status_label(row, 'en')}")
        for period in args.stunting:
            value, details, tone = stunting_card(headline_figures(conn, args.scope, period)["stunting"], "en")
            print(f"Overview stunting card, {args.scope or 'national'}, as of {period}: {value} | "
                  + " | ".join(details) + f" | colour: {tone or 'none'}")


if __name__ == "__main__":
    main()
