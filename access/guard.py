"""What a Dash request asks for, read from its JSON: which ids it touches and which provinces it filters on."""
from collections.abc import Iterable
from urllib.parse import urlsplit

from access.roles import ADMIN, COORDINATOR

# Ids are page-prefixed (tests/dashboard/test_app.py checks it), so the prefix names the page whose
# rights a callback needs. A forged request naming an importer output needs import rights even if
# it never loaded the page.
ID_PREFIX_ROLES = (("importer-", COORDINATOR), ("admin-", ADMIN))
PROVINCE_IDS = ("shell-province",)
DISTRICT_IDS = ("shell-district",)
FILTERS_ID = "app-filters"


def _id_strings(component_id) -> list[str]:
    if isinstance(component_id, dict):
        return [str(value) for value in component_id.values() if isinstance(value, str)]
    return [str(component_id)] if component_id is not None else []


def _entries(value) -> Iterable[dict]:
    # Dash nests lists for multi-outputs and pattern-matching (ALL) inputs.
    if isinstance(value, dict):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _entries(item)


def touched_ids(payload: dict) -> set[str]:
    """Every component id (and id part) among the request's outputs, inputs and state."""
    ids: set[str] = set()
    for key in ("outputs", "inputs", "state"):
        for entry in _entries(payload.get(key)):
            ids.update(_id_strings(entry.get("id")))
    output = payload.get("output")
    if isinstance(output, str):
        # "..a.children...b.data.." or "a.children": ids are what precedes each last dot.
        for part in output.strip(".").split("..."):
            ids.add(part.rsplit(".", 1)[0])
    return ids


def required_role(payload: dict) -> str | None:
    """The strongest role any touched id needs (None: any signed-in account)."""
    needed = None
    for component_id in touched_ids(payload):
        for prefix, role in ID_PREFIX_ROLES:
            if component_id.startswith(prefix):
                if role == ADMIN:
                    return ADMIN
                needed = role
    return needed


def filtered_places(payload: dict) -> list[str]:
    """Province and district codes the request filters on ("" for "all of them")."""
    places = []
    for key in ("inputs", "state"):
        for entry in _entries(payload.get(key)):
            component_id, value = entry.get("id"), entry.get("value")
            if component_id in PROVINCE_IDS:
                places.append("" if value in (None, "") else str(value))
            elif component_id in DISTRICT_IDS and value not in (None, ""):
                # No district chosen means all districts of the chosen province, not the country.
                places.append(str(value))
            elif component_id == FILTERS_ID and isinstance(value, dict):
                if not value.get("district"):
                    places.append(str(value.get("province") or ""))
                else:
                    places.append(str(value["district"]))
    return places


def outside(places: list[str], provinces: frozenset[str]) -> list[str]:
    """The places not inside the given provinces ("" = the whole country is outside any province set)."""
    return [place for place in places if place == "" or place[:2] not in provinces]


def same_origin(origin: str | None, referer: str | None, host_url: str) -> bool:
    """True when Origin (or, without it, Referer) names this server; False when neither is sent.

    Browsers send Origin on every fetch POST, which is how Dash calls callbacks.
    """
    expected = urlsplit(host_url)
    for header in (origin, referer):
        if header:
            seen = urlsplit(header)
            return (seen.scheme, seen.netloc) == (expected.scheme, expected.netloc)
    return False
