"""Every setting in one declared table: name, default, help. Environment overrides defaults."""
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "convergence.sqlite"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}",
            "SQLAlchemy URL of the database. Default: the embedded SQLite file var/convergence.sqlite "
            "(created with demo data by `make run`). PostgreSQL: postgresql://user@host/db."),
    Setting("CACHE_URL", "simple",
            "Query cache: `simple` (in-process), `null` (off) or a redis:// URL shared by workers."),
    Setting("CACHE_TIMEOUT", "3600", "Seconds a cached query result lives; imports clear the cache anyway."),
    Setting("SECRET_KEY", "dev-only-change-me", "Flask secret key (signs cookies). Set it in production."),
    Setting("DEFAULT_LANGUAGE", "lo", "Language for a visitor with no choice remembered yet: `lo` or `en`."),
    Setting("MAP_STYLE", "white-bg",
            "Map background. `white-bg` draws only our own boundaries and works offline; an online "
            "style (e.g. `carto-positron`) needs internet."),
    Setting("MAX_UPLOAD_MB", "20", "Largest file accepted by the importer, in megabytes."),
    Setting("TARGET_DISTRICTS_CSV", "",
            "CSV of program target districts (project_code,district_code,phase) replacing the bundled demo list."),
    Setting("CARRY_FORWARD_MONTHS", "12",
            "Months a village's last report of a stock (registered to date, ODF villages, home gardens, "
            "active beneficiaries) is carried into later months when it misses reports; older is missing. "
            "Applied when the rollup is built (`demo`, `rebuild-rollups`); imports keep the cap the database "
            "was built with. Flows are never carried."),
    Setting("PHASE2_SETTINGS_EDITABLE", "",
            "`true` lets any visitor edit the Phase II program settings; otherwise only requests made on "
            "the server itself (not through a proxy) may, until admin roles decide."),
    Setting("JOBS_DIR", "",
            "Folder for background jobs (the mission report) shared by the workers of one machine; "
            "empty: a folder in the system temp directory."),
    Setting("CELERY_BROKER_URL", "",
            "Redis URL (redis://127.0.0.1:6379/1) for background jobs shared by several workers or machines: "
            "the mission report then runs on Celery workers (`python -m dashboard worker`). Empty: jobs run "
            "beside the web worker, state in JOBS_DIR (one machine)."),
    Setting("CELERY_QUEUE", "convergence",
            "Queue the web workers send background jobs to and `worker` takes them from: two dashboards "
            "sharing one Redis need different names."),
    Setting("AUTH", "auto",
            "Accounts and sign-in: `on` or `off`. By default (`auto`) they are off only on the bundled demo "
            "database (with a banner saying so) and on for any other database; `on` turns them on for the demo too."),
    Setting("COORDINATORS_SEE_ONLY_THEIR_PROVINCES", "off",
            "`on`: a province coordinator's province filter offers only their provinces (the server refuses "
            "others); `off`: coordinators see every province but import only in theirs."),
    Setting("HTTPS", "off",
            "`on` when people reach the dashboard over https (a reverse proxy terminating TLS): session cookies "
            "get the Secure flag."),
    Setting("LOGIN_RATE_LIMIT", "10 per minute;100 per day",
            "Failed sign-ins allowed per address and per user name (flask-limiter syntax); counted in memory, "
            "or in Redis when CACHE_URL is a redis:// URL (shared by workers)."),
    Setting("SESSION_HOURS", "12", "Hours a sign-in lasts."),
    Setting("HOST", "127.0.0.1",
            "Address `serve` listens on. 127.0.0.1: only this machine (behind a reverse proxy); 0.0.0.0: every "
            "network interface, so anyone who can reach the machine can open the dashboard."),
    Setting("PORT", "8050", "Port `serve` listens on."),
    Setting("WORKERS", "2", "Processes of the production server (`serve --prod`); 2 did as well as 4 on 2 cores."),
    Setting("THREADS", "4", "Threads per production worker: requests a worker serves at once while others wait on the database."),
    Setting("WORKER_TIMEOUT", "",
            "Seconds a production request may run before its worker is restarted. Empty: 60 + 15 per MB of "
            "MAX_UPLOAD_MB (360 s for 20 MB), so that the largest allowed import finishes."),
)


def load_config(overrides: dict | None = None) -> dict[str, str]:
    """Defaults, then environment variables, then the given mapping (tests)."""
    config = {setting.name: setting.default for setting in SETTINGS}
    for setting in SETTINGS:
        if setting.name in os.environ:
            config[setting.name] = os.environ[setting.name]
    for key, value in (overrides or {}).items():
        config[key] = value
    return config
