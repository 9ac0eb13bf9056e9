"""The server's memory of which files this session has checked: a confirm without a check is refused.

The dry run remembers a fingerprint of exactly what was checked (the file's and the mapping's
checksums and the options), in the signed session cookie of the person who ran it. The confirm
recomputes the fingerprint from what it receives and refuses unless this session checked that
very content; it then re-runs the whole validation itself (the importer always does), so the
report store the browser sends back is never trusted for anything.
"""
import hashlib
import json

import flask

SESSION_KEY = "import_checks"
REMEMBERED = 5


def fingerprint(data: bytes, file_name: str | None, mapping: bytes | None, kind, code_field, name_field) -> str:
    parts = {
        "file": hashlib.sha256(data or b"").hexdigest(), "name": file_name or "",
        "mapping": hashlib.sha256(mapping).hexdigest() if mapping is not None else None,
        "kind": kind or "auto", "code_field": (code_field or "").strip(), "name_field": (name_field or "").strip(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def remember_check(print_: str) -> None:
    checks = [value for value in flask.session.get(SESSION_KEY, []) if value != print_]
    flask.session[SESSION_KEY] = (checks + [print_])[-REMEMBERED:]


def was_checked(print_: str) -> bool:
    return print_ in flask.session.get(SESSION_KEY, [])


def forget_check(print_: str) -> None:
    flask.session[SESSION_KEY] = [value for value in flask.session.get(SESSION_KEY, []) if value != print_]
