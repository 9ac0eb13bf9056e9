"""Failures as sentences: a bilingual message with a reference id for the visitor, the trace in the log."""
import html
import logging
import uuid

import dash
import flask
from werkzeug.exceptions import HTTPException

from data_access.database import is_database_unavailable
from i18n import t
from layouts.common import current_language
from layouts.shell import ERROR_BANNER

log = logging.getLogger("dashboard.errors")


def reference_id() -> str:
    """Short enough to read out on the phone, long enough not to repeat in a server's life."""
    return uuid.uuid4().hex[:10]


def message_for(error: BaseException, lang: str) -> str:
    """The sentence for `error`, logged under a new reference (the trace only when it is a fault)."""
    if is_database_unavailable(error):
        log.warning("data unavailable: %s: %s", error.__class__.__name__, str(error).splitlines()[0][:300])
        return t("errors.data_unavailable", lang)
    reference = reference_id()
    where = flask.request.path if flask.has_request_context() else "-"
    log.error("unhandled error, reference %s, at %s", reference, where, exc_info=error)
    return t("errors.unexpected", lang, reference=reference)


def callback_error(error: Exception):
    """Dash's app-wide on_error: the shell's banner shows the sentence, the outputs stay as they were."""
    dash.set_props(ERROR_BANNER, {"children": message_for(error, current_language()), "is_open": True})
    return None  # Dash turns None into no_update for every output


def install(app: dash.Dash) -> None:
    """Answer an unhandled exception outside callbacks (layout, downloads, routes) with a sentence."""

    @app.server.errorhandler(Exception)
    def _sentence(error: Exception):
        if isinstance(error, HTTPException):
            return error
        lang = current_language()
        message = message_for(error, lang)
        status = 503 if is_database_unavailable(error) else 500
        if flask.request.accept_mimetypes.best == "application/json" or flask.request.is_json:
            return {"status": "error", "message": message}, status
        title = html.escape(t("errors.page_title", lang))
        body = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body><p>{html.escape(message)}</p></body></html>")
        return body, status, {"Content-Type": "text/html; charset=utf-8"}
