"""Passwords, roles and the province rule as pure functions: table-driven at the edges."""
import pytest

from access import guard
from access.passwords import WeakPassword, hash_password, needs_rehash, verify_password
from access.roles import ADMIN, COORDINATOR, VIEWER, Account, can_import, can_manage_users, can_rollback, \
    foreign_codes, may_open, visible_provinces

VIEWER_ACCOUNT = Account(1, "vic", "Vic", VIEWER)
COORD_07 = Account(2, "kham", "Kham", COORDINATOR, frozenset({"07"}))
COORD_02_04 = Account(3, "noy", "Noy", COORDINATOR, frozenset({"02", "04"}))
ADMIN_ACCOUNT = Account(4, "ana", "Ana", ADMIN)
DISABLED_ADMIN = Account(5, "old", "Old", ADMIN, active=False)


# ---------------------------------------------------------------- passwords


def test_a_hash_verifies_its_password_and_no_other():
    encoded = hash_password("correct horse battery")
    assert encoded.startswith("$argon2id$")
    assert "correct horse battery" not in encoded
    assert verify_password(encoded, "correct horse battery")
    assert not verify_password(encoded, "correct horse batterY")
    assert not verify_password(encoded, "")


def test_two_hashes_of_one_password_differ_by_their_salt():
    assert hash_password("same password here") != hash_password("same password here")


@pytest.mark.parametrize("encoded", [None, "", "plain-text-password", "$argon2id$v=19$broken", "$2b$12$bcrypthash"])
def test_a_missing_or_malformed_hash_never_verifies(encoded):
    assert not verify_password(encoded, "plain-text-password")


@pytest.mark.parametrize("password, key", [("", "access.password_too_short"), ("123456789", "access.password_too_short"),
                                           ("x" * 1025, "access.password_too_long")])
def test_weak_passwords_are_refused_before_hashing(password, key):
    with pytest.raises(WeakPassword) as refused:
        hash_password(password)
    assert refused.value.key == key


def test_an_enormous_password_is_refused_without_hashing():
    assert not verify_password(hash_password("0123456789"), "0" * 1_000_000)


def test_lao_passwords_work():
    encoded = hash_password("ລະຫັດຜ່ານລາວຍາວໆ")
    assert verify_password(encoded, "ລະຫັດຜ່ານລາວຍາວໆ")


def test_a_hash_with_weaker_parameters_asks_to_be_renewed():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("0123456789")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("0123456789"))


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("account, imports, rolls_back, manages", [
    (None, False, False, False),
    (VIEWER_ACCOUNT, False, False, False),
    (COORD_07, True, False, False),
    (ADMIN_ACCOUNT, True, True, True),
    (DISABLED_ADMIN, False, False, False),
])
def test_what_each_role_may_do(account, imports, rolls_back, manages):
    assert (can_import(account), can_rollback(account), can_manage_users(account)) == (imports, rolls_back, manages)


@pytest.mark.parametrize("account, codes, outside", [
    (COORD_07, ["0703001", "0703", "07"], []),
    (COORD_07, ["0703001", "0201001"], ["0201001"]),
    (COORD_07, ["00"], ["00"]),                        # national rows belong to no province
    (COORD_02_04, ["0201", "0405002", "02"], []),
    (COORD_02_04, ["0707003", "0201"], ["0707003"]),
    (COORD_07, [], []),
    (ADMIN_ACCOUNT, ["00", "0201", "0707003"], []),
    (VIEWER_ACCOUNT, ["0703"], ["0703"]),
    (COORD_07, ["07"] * 10_000 + ["17"], ["17"]),      # a huge file: each foreign code once
])
def test_the_province_rule(account, codes, outside):
    assert foreign_codes(account, codes) == outside


@pytest.mark.parametrize("account, only_theirs, visible", [
    (COORD_02_04, True, frozenset({"02", "04"})),
    (COORD_02_04, False, None),
    (VIEWER_ACCOUNT, True, None),
    (ADMIN_ACCOUNT, True, None),
    (None, True, None),
])
def test_who_sees_only_their_provinces(account, only_theirs, visible):
    assert visible_provinces(account, only_theirs) == visible


@pytest.mark.parametrize("page_role, account, auth_on, opens", [
    (None, None, True, False),
    (None, VIEWER_ACCOUNT, True, True),
    (COORDINATOR, VIEWER_ACCOUNT, True, False),
    (COORDINATOR, COORD_07, True, True),
    (COORDINATOR, ADMIN_ACCOUNT, True, True),
    (ADMIN, COORD_07, True, False),
    (ADMIN, ADMIN_ACCOUNT, True, True),
    (ADMIN, DISABLED_ADMIN, True, False),
    (COORDINATOR, None, False, True),   # accounts off (demo): the import page opens
    (ADMIN, None, False, False),        # ... but there are no users to manage
])
def test_which_pages_open(page_role, account, auth_on, opens):
    assert may_open(page_role, account, auth_on) is opens


def test_a_changed_session_version_changes_the_session_id():
    assert COORD_07.get_id() == "2:1"
    assert Account(2, "kham", "Kham", COORDINATOR, frozenset({"07"}), session_version=2).get_id() == "2:2"


# ---------------------------------------------------------------- reading Dash requests


def _payload(output: str, inputs=(), state=()):
    return {"output": output, "outputs": [], "inputs": list(inputs), "state": list(state)}


@pytest.mark.parametrize("payload, role", [
    (_payload("map-figure.figure", [{"id": "app-filters", "property": "data", "value": {}}]), None),
    (_payload("..importer-report-store.data@abc...importer-report.children@def.."), COORDINATOR),
    (_payload("importer-history.children"), COORDINATOR),
    (_payload("..admin-message.children...admin-version.data.."), ADMIN),
    (_payload("x.children", [[{"id": {"type": "importer-rollback", "batch": 3}, "property": "n_clicks", "value": 1}]]),
     COORDINATOR),
    (_payload("..importer-result.children...admin-users.children.."), ADMIN),
    ({}, None),
    ({"output": 42, "inputs": "nonsense", "state": [None, 7]}, None),
])
def test_the_role_a_callback_needs_comes_from_its_ids(payload, role):
    assert guard.required_role(payload) == role


@pytest.mark.parametrize("inputs, places", [
    ([{"id": "shell-province", "property": "value", "value": "02"}], ["02"]),
    ([{"id": "shell-province", "property": "value", "value": ""}], [""]),
    ([{"id": "app-filters", "property": "data", "value": {"province": "07", "district": "0703"}}], ["0703"]),
    ([{"id": "app-filters", "property": "data", "value": {"province": None, "district": None}}], [""]),
    ([{"id": "map-level", "property": "value", "value": "07"}], []),
    ([{"id": "shell-province", "property": "value", "value": "07"},
      {"id": "shell-district", "property": "value", "value": None}], ["07"]),
    ([{"id": "shell-district", "property": "value", "value": "0201"}], ["0201"]),
])
def test_filtered_places(inputs, places):
    assert guard.filtered_places({"inputs": inputs}) == places


def test_places_outside_provinces():
    assert guard.outside(["02", "0405", "", "0703"], frozenset({"02", "04"})) == ["", "0703"]


@pytest.mark.parametrize("origin, referer, same", [
    ("http://127.0.0.1:8050", None, True),
    ("http://evil.example", None, False),
    ("http://127.0.0.1:8051", None, False),
    ("https://127.0.0.1:8050", None, False),
    (None, "http://127.0.0.1:8050/import", True),
    (None, "http://evil.example/127.0.0.1:8050", False),
    ("null", None, False),
    (None, None, False),
])
def test_same_origin(origin, referer, same):
    assert guard.same_origin(origin, referer, "http://127.0.0.1:8050/") is same
