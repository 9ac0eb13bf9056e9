"""The background-job manager Dash runs long callbacks on (the mission report).

One machine: DiskcacheManager, job state in JOBS_DIR, each job a process forked beside the web
worker. Several workers or machines: CELERY_BROKER_URL (Redis) switches to Dash's CeleryManager;
jobs then run on Celery workers (`python -m dashboard worker`), which build the same app so that
the same callbacks are registered as the same tasks, and results and progress go through Redis.
"""
import getpass
import logging
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# Results live an hour: long enough to download, short enough not to pile up reports.
RESULT_SECONDS = 3600
_celery_apps: dict = {}


def jobs_folder(settings: dict) -> Path:
    configured = settings.get("JOBS_DIR") or ""
    if configured:
        return Path(configured)
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "app"
    return Path(tempfile.gettempdir()) / f"convergence-jobs-{user}"


def celery_app(settings: dict):
    """The process's Celery app for CELERY_BROKER_URL and CELERY_QUEUE (one each: the web app and the
    worker module share it). Redis is both the broker and the result store Dash reads progress from."""
    url = settings["CELERY_BROKER_URL"]
    queue = settings.get("CELERY_QUEUE") or "convergence"
    if (url, queue) not in _celery_apps:
        from celery import Celery

        app = Celery("convergence", broker=url, backend=url)
        app.conf.update(
            task_serializer="json", result_serializer="json", accept_content=["json"],
            result_expires=RESULT_SECONDS, broker_connection_retry_on_startup=True,
            # A report takes seconds of both cores: a worker takes one job at a time.
            worker_prefetch_multiplier=1, task_track_started=True,
            task_default_queue=queue,
        )
        _celery_apps[(url, queue)] = app
    return _celery_apps[(url, queue)]


def background_manager(settings: dict):
    """CeleryManager when CELERY_BROKER_URL is set, else DiskcacheManager on JOBS_DIR."""
    if settings.get("CELERY_BROKER_URL"):
        from dash import CeleryManager

        return CeleryManager(celery_app(settings), cache_by=None, expire=RESULT_SECONDS)
    import diskcache
    from dash import DiskcacheManager

    folder = jobs_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    return DiskcacheManager(diskcache.Cache(str(folder)), cache_by=None, expire=RESULT_SECONDS)
