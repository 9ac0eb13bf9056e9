"""WSGI entry for production servers (e.g. `gunicorn dashboard.wsgi:server`)."""
import threading

from dashboard import http_cache
from dashboard.app import create_app

app = create_app()
server = app.server
# The best compression of plotly.js and the component libraries starts with the worker (kept on disk
# after the first time), so that the first visitor already gets the smallest files.
threading.Thread(target=http_cache.warm_up, args=(app,), name="static-warm-up", daemon=True).start()
