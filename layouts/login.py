"""The sign-in page: plain HTML served by Flask, because a visitor without a session gets no Dash endpoint."""
from markupsafe import escape

from i18n import t

FORM = "login-form"
USERNAME = "login-username"
PASSWORD = "login-password"
SUBMIT = "login-submit"
MESSAGE = "login-message"
NO_ADMIN = "login-no-admin"
REFUSED = "login-refused"


def _language_links(lang: str, next_url: str) -> str:
    links = []
    for code, label in (("lo", "ລາວ"), ("en", "English")):
        style = "btn-primary" if code == lang else "btn-outline-primary"
        links.append(f'<a class="btn btn-sm {style} ms-1" lang="{code}" '
                     f'href="/login?lang={code}&amp;next={escape(next_url)}">{label}</a>')
    return "".join(links)


def _page(lang: str, title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/assets/css/00-bootstrap.min.css">
<link rel="stylesheet" href="/assets/css/10-app.css">
</head>
<body>
<main class="container py-5" style="max-width: 28rem">
{body}
</main>
</body>
</html>"""


def login_page(lang: str, csrf_token: str, next_url: str = "/", message: str | None = None,
               no_admin: bool = False, username: str = "") -> str:
    """The sign-in form; `message` is an already translated sentence (wrong password, too many tries)."""
    alert = f'<div class="alert alert-danger" role="alert" id="{MESSAGE}">{escape(message)}</div>' if message else ""
    hint = ""
    if no_admin:
        hint = (f'<div class="alert alert-warning" id="{NO_ADMIN}"><p class="mb-1">{escape(t("access.no_admin", lang))}</p>'
                f'<code>python -m dashboard users add NAME --role admin</code></div>')
    body = f"""
<div class="d-flex align-items-center mb-3">
  <h1 class="h4 mb-0">{escape(t("shell.brand_short", lang))}</h1>
  <div class="ms-auto">{_language_links(lang, next_url)}</div>
</div>
<div class="card"><div class="card-body">
<h2 class="h5 card-title">{escape(t("access.login_title", lang))}</h2>
{hint}{alert}
<form method="post" action="/login" id="{FORM}">
  <input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
  <input type="hidden" name="next" value="{escape(next_url)}">
  <input type="hidden" name="lang" value="{lang}">
  <div class="mb-3">
    <label class="form-label" for="{USERNAME}">{escape(t("access.username", lang))}</label>
    <input class="form-control" id="{USERNAME}" name="username" autocomplete="username" required
           maxlength="64" value="{escape(username)}" autofocus>
  </div>
  <div class="mb-3">
    <label class="form-label" for="{PASSWORD}">{escape(t("access.password", lang))}</label>
    <input class="form-control" id="{PASSWORD}" name="password" type="password" autocomplete="current-password"
           required maxlength="1024">
  </div>
  <button class="btn btn-primary" type="submit" id="{SUBMIT}">{escape(t("access.login_button", lang))}</button>
</form>
</div></div>
<p class="small text-muted mt-3">{escape(t("access.login_help", lang))}</p>"""
    return _page(lang, t("access.login_title", lang), body)


def refused_page(lang: str, message: str) -> str:
    """A page load the account may not make (403): a sentence and a way back."""
    body = (f'<div class="alert alert-warning" id="{REFUSED}" role="alert">{escape(message)}</div>'
            f'<a class="btn btn-primary" href="/">{escape(t("access.back_home", lang))}</a>')
    return _page(lang, t("access.refused_title", lang), body)
