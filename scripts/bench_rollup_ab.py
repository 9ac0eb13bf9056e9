"""Times this tree's rollup rebuild against another revision's, alternately on one database.

Usage: .venv/bin/python scripts/bench_rollup_ab.py sqlite:///var/national.sqlite [REVISION] [ROUNDS]
Each rebuild runs in a transaction that is rolled back, so the database is left as it was.
Alternating the two keeps a busy machine's load from favouring one of them.
"""
import subprocess
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data_access import rollup as current  # noqa: E402
from data_access.database import make_engine  # noqa: E402


def _revision_module(revision: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{revision}:data_access/rollup.py"], check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(f"rollup_{revision}")
    exec(compile(source, f"{revision}:data_access/rollup.py", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def main() -> None:
    url = sys.argv[1]
    revision = sys.argv[2] if len(sys.argv) > 2 else "main"
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    other = _revision_module(revision)
    engine = make_engine(url)
    for round_number in range(1, rounds + 1):
        for name, module in ((revision, other), ("this tree", current)):
            with engine.connect() as conn:
                transaction = conn.begin()
                started = time.perf_counter()
                rows = module.rebuild_rollups(conn)
                print(f"round {round_number}  {name:10} {time.perf_counter() - started:7.1f} s  rows={rows}", flush=True)
                transaction.rollback()


if __name__ == "__main__":
    main()
