"""The view in the address bar: parse a page's query string into checked values, and write it back.

Pure: callers pass the values that exist (provinces, districts, periods, indicator codes) so that an
unknown code, a bad month or a script in a link is dropped for the default, never shown or raised.
"""
from urllib.parse import parse_qs, urlencode, urlsplit

# Shell components (layouts/shell.py places them; ids here so that page callbacks need not import the shell).
URL_IN = "shell-url-in"          # {"href", "at"}: written by assets/js/url_state.js when Back/Forward stays on a page
URL_OUT = "shell-url-out"        # {"query", "push"}: the address the view should have (callbacks/url_sync.py)
URL_DISTRICT = "shell-url-district"  # the district a link asks for, applied once the province's districts are loaded
URL_PART = "url-part"            # pattern id {"type": URL_PART, "page": <page>}: a page's own choices, {"params", "push"}

NATIONAL = "00"
LANGUAGES = ("lo", "en")
# Longer values are not codes of anything: refuse them before looking further.
MAX_VALUE = 40
# Shared parameters first, in this order, then the page's own ones, then lang: links read the same way.
SHARED_ORDER = ("scope", "period")


def query_of(href: str | None) -> dict[str, str]:
    """The first value of each parameter of an address ("/map?scope=07" or "?scope=07"); junk is dropped."""
    if not href or not isinstance(href, str):
        return {}
    query = urlsplit(href).query if ("?" in href or "://" in href) else href
    try:
        parsed = parse_qs(query, keep_blank_values=False, max_num_fields=50)
    except ValueError:
        return {}
    return {key: values[0] for key, values in parsed.items()
            if len(key) <= MAX_VALUE and values and len(values[0]) <= MAX_VALUE}


def _code(value) -> str | None:
    value = str(value or "").strip()
    return value if value.isascii() and value.isdigit() and len(value) in (2, 4) else None


def parse_scope(query: dict, provinces, districts) -> dict | None:
    """{"province", "district"} the link asks for (None = the country), or None when it asks for
    nothing valid. `scope=07` / `scope=0703` / `scope=00`; `province=`/`district=` (older links,
    saved or sent before scope=) are read too. Unknown codes are ignored."""
    provinces = set(() if provinces is None else provinces)
    districts = set(() if districts is None else districts)
    scope = scope_asked(query)
    if scope is None:
        return None
    if scope == NATIONAL:
        return {"province": None, "district": None}
    code = _code(scope)
    if code is None:
        return None
    if len(code) == 2:
        return {"province": code, "district": None} if code in provinces else None
    if code in districts and code[:2] in provinces:
        return {"province": code[:2], "district": code}
    return None


def scope_asked(query: dict) -> str | None:
    """The raw place a link names (scope=, else the older district= / province=), unchecked."""
    scope = query.get("scope")
    if scope is None and ("province" in query or "district" in query):
        scope = query.get("district") or query.get("province")
    return None if scope is None else str(scope).strip()


def parse_choice(query: dict, name: str, allowed) -> str | None:
    """A parameter whose value must be one of `allowed` (a period, an indicator code, a view), else None."""
    value = query.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value if value in set(allowed) else None


def parse_language(query: dict) -> str | None:
    return parse_choice(query, "lang", LANGUAGES)


def scope_code(filters: dict | None) -> str:
    """The shared filter as one code: the district, else the province, else "00"."""
    filters = filters or {}
    return filters.get("district") or filters.get("province") or NATIONAL


def serialise(filters: dict | None, page_params: dict | None = None, lang: str | None = None) -> str:
    """The canonical query string (without "?") of a view: scope, period, the page's own choices, lang.

    A national view says scope=00, so a link opened in a tab where another province was chosen
    still opens the country. Page parameters that are None or "" are left out."""
    filters = filters or {}
    query = {"scope": scope_code(filters)}
    # The value chosen (a month, "2022-Q4" or "2022-S2"), not the as-of month it stands for.
    period = filters.get("review_period") or filters.get("period")
    if period:
        query["period"] = period
    for key, value in (page_params or {}).items():
        if value not in (None, "") and key not in query and key != "lang":
            query[key] = value
    if lang in LANGUAGES:
        query["lang"] = lang
    return urlencode(query)


def link(path: str, scope: str | None, period: str | None, lang: str | None = None, anchor: str | None = None,
         **params) -> str:
    """An address inside the dashboard carrying a whole view: "/trends?scope=07&period=2022-11&indicator=STUNTING"."""
    code = scope or NATIONAL
    filters = {"province": code[:2] if code != NATIONAL else None, "district": code if len(code) == 4 else None,
               "period": period}
    return f"{path}?{serialise(filters, params, lang)}" + (f"#{anchor}" if anchor else "")
