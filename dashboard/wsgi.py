"""WSGI entry for production servers (e.g. `gunicorn dashboard.wsgi:server`)."""
from dashboard import warm_up
from dashboard.app import create_app

app = create_app()
server = app.server
# Boundaries simplified and static files compressed at their best as the worker starts (dashboard/warm_up.py),
# so that the first visitor does not wait for them.
warm_up.start(app)
