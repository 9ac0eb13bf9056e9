"""The production server: gunicorn with WORKERS processes of THREADS threads each, sized by the settings."""
import gunicorn.app.base
import gunicorn.http.wsgi

from dashboard.security import SERVER_NAME

# Checking a 19 MB, 714,000-row CSV took 40 s of CPU (2 s/MB) and 183 s of wall time on a
# machine shared with other work (docs/benchmarks.md); confirming reads it again and writes.
# A request that outlives the worker timeout is killed mid-import (its transaction rolls
# back), so allow 15 s/MB.
SECONDS_PER_UPLOAD_MB = 15
BASE_TIMEOUT = 60


def worker_timeout(settings: dict) -> int:
    """WORKER_TIMEOUT if set, else long enough for the largest upload MAX_UPLOAD_MB allows."""
    if str(settings.get("WORKER_TIMEOUT", "")).strip():
        return int(settings["WORKER_TIMEOUT"])
    return int(BASE_TIMEOUT + SECONDS_PER_UPLOAD_MB * float(settings["MAX_UPLOAD_MB"]))


def gunicorn_options(settings: dict, host: str | None = None, port: int | None = None) -> dict:
    """gunicorn's settings for this app (a dict so that tests can read what production runs)."""
    return {
        "bind": f"{host or settings['HOST']}:{port or int(settings['PORT'])}",
        "workers": int(settings["WORKERS"]),
        "threads": int(settings["THREADS"]),
        # gthread: a worker keeps serving other visitors while one thread waits on the database or an import.
        "worker_class": "gthread",
        "timeout": worker_timeout(settings),
        "graceful_timeout": 30,
        "keepalive": 5,
        # Each worker builds its own app (its own database pool): connections are never shared across fork.
        "preload_app": False,
        # Recycle workers now and then so that a slow leak never grows into an outage.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        # X-Forwarded-* headers are believed only from a reverse proxy on this host (docs/deploy.md).
        "forwarded_allow_ips": "127.0.0.1,::1",
        "proc_name": "convergence-monitor",
        # gunicorn's runtime control socket sits at one path per user: two instances on a machine
        # would fight over it, and systemd already restarts and stops the service.
        "control_socket_disable": True,
    }


class ProductionServer(gunicorn.app.base.BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dashboard.wsgi import server

        return server


def run(settings: dict, host: str | None = None, port: int | None = None) -> None:
    # gunicorn writes "Server: gunicorn" itself; say nothing about the software instead.
    gunicorn.http.wsgi.SERVER = SERVER_NAME
    ProductionServer(gunicorn_options(settings, host, port)).run()
