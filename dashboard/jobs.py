"""The background-job manager Dash runs long callbacks on (the mission report): disk cache on one machine."""
import getpass
import logging
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def jobs_folder(settings: dict) -> Path:
    configured = settings.get("JOBS_DIR") or ""
    if configured:
        return Path(configured)
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "app"
    return Path(tempfile.gettempdir()) / f"convergence-jobs-{user}"


def background_manager(settings: dict):
    """DiskcacheManager on JOBS_DIR: every worker process on this machine shares job state there.

    Several machines need a shared broker instead: Dash's CeleryManager with Redis (CACHE_URL
    redis://...), which needs `celery` installed and a worker started; not wired here (README).
    """
    import diskcache
    from dash import DiskcacheManager

    folder = jobs_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    # Results live an hour: long enough to download, short enough not to pile up reports.
    return DiskcacheManager(diskcache.Cache(str(folder)), cache_by=None, expire=3600)
