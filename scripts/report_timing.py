"""Time the mission report (docs/benchmarks.md): wall time per step, and CPU seconds of this process and
of the Chromium that draws the charts, so that a figure taken on a busy machine still says what it costs.

    DATABASE_URL=sqlite:////tmp/national.sqlite .venv/bin/python scripts/report_timing.py --as-of 2022-11 --lang lo
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2022-11")
    parser.add_argument("--scope", default="")
    parser.add_argument("--lang", default="lo")
    args = parser.parse_args()
    import psutil

    from dashboard.config import load_config
    from data_access.database import make_engine
    from reports.mission import make_report

    engine = make_engine(load_config()["DATABASE_URL"])

    def read(query, *query_args):
        with engine.connect() as conn:
            return query(conn, *query_args)

    me = psutil.Process()
    chromium: dict[int, float] = {}

    def child_cpu() -> float:
        # Chromium's processes come and go: keep the last reading of each.
        for child in me.children(recursive=True):
            try:
                times = child.cpu_times()
                chromium[child.pid] = times.user + times.system
            except psutil.Error:
                pass
        return sum(chromium.values())

    started, cpu_started = time.perf_counter(), time.process_time()

    def progress(step: str, percent: int) -> None:
        print(f"{time.perf_counter() - started:7.2f} s  {step:<13} {percent:3d} %", flush=True)
        child_cpu()

    load = os.getloadavg()[0]
    report = make_report(read, args.scope or None, args.as_of, args.lang, progress)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    charts = child_cpu()
    print(f"wall {wall:.1f} s; CPU: report process {cpu:.1f} s (all threads), Chromium {charts:.1f} s; "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"PDF {len(report.pdf) // 1024} kB, Excel {len(report.xlsx) // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
