"""`python -m dashboard worker`: a Celery worker for background jobs when CELERY_BROKER_URL is set."""
import argparse
import sys

from dashboard.cli import command
from dashboard.config import load_config


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=1,
                        help="jobs this worker runs at once (default 1: a report uses both cores of a small machine)")
    parser.add_argument("--loglevel", default="info", help="Celery log level (default info)")


@command("worker", "run a Celery worker for background jobs (the mission report); needs CELERY_BROKER_URL")(_arguments)
def worker(args: argparse.Namespace) -> int:
    if not load_config()["CELERY_BROKER_URL"]:
        print("CELERY_BROKER_URL is not set: background jobs run beside the web workers (diskcache) and need "
              "no worker. Set it to a Redis URL, e.g. redis://127.0.0.1:6379/1, for the web workers and here.",
              file=sys.stderr)
        return 2
    from dashboard.celery_app import app

    # Prefork children are forked from this process: the dashboard is built once, here.
    app.worker_main(["worker", f"--loglevel={args.loglevel}", f"--concurrency={args.concurrency}",
                     "--pool=prefork", "--without-gossip", "--without-mingle"])
    return 0
