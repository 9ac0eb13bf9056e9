"""Times this tree's convergence queries against another revision's, alternately on one database.

Usage: .venv/bin/python scripts/bench_reach_ab.py DATABASE_URL [REVISION] [ROUNDS] [AS_OF]
The village-reach query (behind the Overview's convergence share, the convergence map and
Phase II) was the largest part of an Overview request (issue 15). Alternating the two versions
keeps a busy machine's load from favouring one of them; each result is checked to be equal.
"""
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data_access.database import make_engine  # noqa: E402
from data_access.queries import convergence as current  # noqa: E402


def _revision_module(revision: str) -> types.ModuleType:
    path = "data_access/queries/convergence.py"
    source = subprocess.run(["git", "show", f"{revision}:{path}"], check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(f"convergence_{revision}")
    exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def main() -> None:
    url = sys.argv[1]
    revision = sys.argv[2] if len(sys.argv) > 2 else "main"
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    engine = make_engine(url)
    with engine.connect() as conn:
        as_of = sys.argv[4] if len(sys.argv) > 4 else conn.exec_driver_sql(
            "SELECT MAX(period) FROM observation_rollup WHERE level = 'national' AND period LIKE '____-__' "
            "AND substr(period, 6, 1) <> 'Q'").scalar_one()
    versions = {revision: _revision_module(revision), "this tree": current}
    queries = ("village_reach", "convergence_by_district", "target_village_share_all_projects")
    timings = {(name, query): [] for name in versions for query in queries}
    for _round in range(rounds):
        for query in queries:
            answers = {}
            for name, module in versions.items():
                with engine.connect() as conn:
                    started = time.perf_counter()
                    answers[name] = getattr(module, query)(conn, as_of)
                    timings[(name, query)].append((time.perf_counter() - started) * 1000)
            first, second = answers.values()
            same = first == second if isinstance(first, dict) else first.reset_index(drop=True).equals(
                second.reset_index(drop=True))
            if not same:
                raise SystemExit(f"{query}: the two versions disagree")
    print(f"{engine.dialect.name}, as of {as_of}, {rounds} rounds alternating, median ms (results equal):")
    for query in queries:
        old, new = (statistics.median(timings[(name, query)]) for name in versions)
        print(f"  {query:<36} {revision}: {old:8.0f}   this tree: {new:8.0f}   ({old / new:.1f}x)")


if __name__ == "__main__":
    main()
