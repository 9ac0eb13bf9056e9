"""Which language a visitor gets: ?lang= first, then the remembered cookie, then DEFAULT_LANGUAGE."""
import dash
import pytest

from dashboard.app import create_app
from i18n import catalog, t
from i18n.check import catalog_leaks, has_lao_script
from layouts.common import LANGUAGE_COOKIE


@pytest.fixture
def make_client(tmp_path):
    """A test client on an empty database (language choice needs no data), per DEFAULT_LANGUAGE.

    Accounts off: these tests read pages as an anonymous visitor (the sign-in page has its own tests).
    """
    from data_access.database import init_db, make_engine

    url = f"sqlite:///{tmp_path / 'lang.sqlite'}"
    init_db(make_engine(url))  # the app never creates a database file itself

    def make(default_language: str):
        app = create_app({"DATABASE_URL": url, "DEFAULT_LANGUAGE": default_language, "AUTH": "off"})
        return app, app.server.test_client()
    return make


def _layout(client) -> dict:
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    return response.get_json()


def _shell_language(client) -> str:
    return _layout(client)["props"]["lang"]


def _language_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == LANGUAGE_COOKIE:
            return rest.split(";", 1)[0]
    return None


@pytest.mark.parametrize("default", ["lo", "en"])
def test_a_first_visit_gets_the_default_language_and_no_cookie(make_client, default):
    _, client = make_client(default)
    response = client.get("/")
    assert response.status_code == 200
    assert _language_cookie(response) is None
    assert _shell_language(client) == default
    assert t("nav.overview", default) in str(_layout(client))


def test_an_unknown_default_language_falls_back_to_lao(make_client):
    _, client = make_client("fr")
    client.get("/")
    assert _shell_language(client) == "lo"


@pytest.mark.parametrize("default, chosen", [("en", "lo"), ("lo", "en")])
def test_the_lang_parameter_selects_the_language_and_is_remembered(make_client, default, chosen):
    _, client = make_client(default)
    response = client.get(f"/?lang={chosen}")
    assert _language_cookie(response) == chosen
    assert _shell_language(client) == chosen
    # A later visit without the parameter keeps the choice (the cookie), whatever the default.
    client.get("/")
    assert _shell_language(client) == chosen


def test_a_shared_link_in_lao_opens_in_lao_even_for_an_english_visitor(make_client):
    _, client = make_client("en")
    client.set_cookie(LANGUAGE_COOKIE, "en")
    response = client.get("/about?lang=lo")
    assert _language_cookie(response) == "lo"
    assert _shell_language(client) == "lo"


def test_the_remembered_choice_beats_the_default(make_client):
    _, client = make_client("lo")
    client.set_cookie(LANGUAGE_COOKIE, "en")
    assert _shell_language(client) == "en"


def test_an_unknown_lang_parameter_changes_nothing(make_client):
    _, client = make_client("lo")
    response = client.get("/?lang=fr")
    assert _language_cookie(response) is None
    assert _shell_language(client) == "lo"


def _strings(component, shown_lang: str) -> list[str]:
    """Texts a component tree shows (children, titles, placeholders, option labels), other-language parts left out."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, (int, float)) or component is None:
        return []
    if isinstance(component, (list, tuple)):
        return [text for child in component for text in _strings(child, shown_lang)]
    if getattr(component, "lang", None) not in (None, shown_lang):
        return []
    found = []
    for prop in ("title", "placeholder"):
        value = getattr(component, prop, None)
        if isinstance(value, str):
            found.append(value)
    for option in getattr(component, "options", None) or []:
        if isinstance(option, dict) and isinstance(option.get("label"), str):
            found.append(option["label"])
    found.extend(_strings(getattr(component, "children", None), shown_lang))
    return found


def test_every_page_layout_follows_the_lang_parameter(make_client):
    app, _ = make_client("en")
    pages = list(dash.page_registry.values())
    assert any(page["path"] == "/about" for page in pages)
    messages = catalog()
    failures = []
    for page in pages:
        rendered = {}
        for lang in ("lo", "en"):
            with app.server.test_request_context(f"{page['path']}?lang={lang}"):
                rendered[lang] = _strings(page["layout"](), lang)
            leaks = catalog_leaks(rendered[lang], messages, lang)
            if leaks:
                failures.append(f"{page['path']} ?lang={lang} shows the other language: {leaks}")
        lao_text = " ".join(rendered["lo"])
        if any(char.isalpha() for char in " ".join(rendered["en"])) and not has_lao_script(lao_text):
            failures.append(f"{page['path']} ?lang=lo has no Lao text at all: {lao_text[:200]!r}")
    assert not failures, "\n".join(failures)
