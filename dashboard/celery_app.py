"""The Celery worker's app: `celery -A dashboard.celery_app worker` (or `python -m dashboard worker`).

Building the dashboard here registers its background callbacks (the mission report) as Celery
tasks under the names the web workers send, since both build the same app from the same code.
The worker reads the same settings as the web workers (DATABASE_URL, CELERY_BROKER_URL, ...).
"""
from dashboard.app import create_app
from dashboard.config import load_config
from dashboard.jobs import celery_app as _celery_app

settings = load_config()
if not settings["CELERY_BROKER_URL"]:
    raise RuntimeError("CELERY_BROKER_URL is not set: without it the report runs beside the web workers "
                       "and needs no Celery worker (see docs/deploy.md)")
dash_app = create_app(settings)
app = _celery_app(settings)
