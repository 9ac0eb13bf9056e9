"""Accounts in the database: create, find, list, change role, provinces, password; take a connection, never commit."""
import datetime as dt
import re

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from access.passwords import hash_password
from access.roles import ADMIN, COORDINATOR, ROLES, Account
from data_access.schema import AdminUnit, UserAccount, UserProvince

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(ValueError):
    """A refused account change; key and params name a catalog message."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _check_username(username: str) -> str:
    username = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError("access.bad_username", username=username)
    return username


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("access.bad_role", role=role, roles=", ".join(ROLES))
    return role


def _check_provinces(conn: Connection, provinces) -> list[str]:
    codes = sorted({str(code).strip().zfill(2) for code in provinces or [] if str(code).strip()})
    known = set(conn.execute(select(AdminUnit.code).where(AdminUnit.level == "province")).scalars())
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise AccountError("access.unknown_province", codes=", ".join(unknown))
    return codes


def create_account(conn: Connection, username: str, password: str, role: str, display_name: str | None = None,
                   provinces=()) -> int:
    """A new active account; a coordinator must be given at least one province."""
    username = _check_username(username)
    role = _check_role(role)
    codes = _check_provinces(conn, provinces)
    if role == COORDINATOR and not codes:
        raise AccountError("access.coordinator_needs_province")
    if conn.execute(select(UserAccount.id).where(UserAccount.username == username)).first():
        raise AccountError("access.username_taken", username=username)
    new_id = conn.execute(insert(UserAccount).values(
        username=username, display_name=(display_name or "").strip() or username, role=role,
        password_hash=hash_password(password), active=True, session_version=1,
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    ).returning(UserAccount.id)).scalar_one()
    _replace_provinces(conn, new_id, codes if role == COORDINATOR else [])
    return new_id


def _replace_provinces(conn: Connection, user_id: int, codes: list[str]) -> None:
    conn.execute(delete(UserProvince).where(UserProvince.user_id == user_id))
    if codes:
        conn.execute(insert(UserProvince), [{"user_id": user_id, "province_code": code} for code in codes])


def _account_row(conn: Connection, username: str):
    row = conn.execute(select(UserAccount.__table__).where(UserAccount.username == normalise_username(username))).first()
    if row is None:
        raise AccountError("access.no_such_user", username=normalise_username(username))
    return row


def _provinces_of(conn: Connection, user_id: int) -> frozenset[str]:
    return frozenset(conn.execute(select(UserProvince.province_code).where(UserProvince.user_id == user_id)).scalars())


def _as_account(conn: Connection, row) -> Account:
    return Account(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                   provinces=_provinces_of(conn, row.id), active=bool(row.active),
                   session_version=row.session_version)


def find_account(conn: Connection, username: str) -> tuple[Account, str] | None:
    """(account, password hash) for a user name, or None."""
    row = conn.execute(select(UserAccount.__table__).where(UserAccount.username == normalise_username(username))).first()
    if row is None:
        return None
    return _as_account(conn, row), row.password_hash


def load_account(conn: Connection, session_id: str) -> Account | None:
    """The active account a session id "<id>:<version>" names, or None (unknown, disabled, outdated)."""
    try:
        user_id, version = (int(part) for part in str(session_id).split(":", 1))
    except ValueError:
        return None
    row = conn.execute(select(UserAccount.__table__).where(UserAccount.id == user_id)).first()
    if row is None or not row.active or row.session_version != version:
        return None
    return _as_account(conn, row)


def list_accounts(conn: Connection) -> pd.DataFrame:
    """username, display_name, role, provinces (comma-separated codes), active, created_at; by name."""
    rows = conn.execute(select(UserAccount.id, UserAccount.username, UserAccount.display_name, UserAccount.role,
                               UserAccount.active, UserAccount.created_at).order_by(UserAccount.username)).all()
    provinces: dict[int, list[str]] = {}
    for user_id, code in conn.execute(select(UserProvince.user_id, UserProvince.province_code)
                                      .order_by(UserProvince.province_code)):
        provinces.setdefault(user_id, []).append(code)
    return pd.DataFrame(
        [{"username": r.username, "display_name": r.display_name, "role": r.role,
          "provinces": ",".join(provinces.get(r.id, [])), "active": bool(r.active), "created_at": r.created_at}
         for r in rows],
        columns=["username", "display_name", "role", "provinces", "active", "created_at"])


def count_admins(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(UserAccount)
                        .where(UserAccount.role == ADMIN, UserAccount.active.is_(True))).scalar_one()


def _refuse_last_admin(conn: Connection, row) -> None:
    if row.role == ADMIN and row.active and count_admins(conn) <= 1:
        raise AccountError("access.last_admin", username=row.username)


def set_password(conn: Connection, username: str, password: str) -> None:
    row = _account_row(conn, username)
    conn.execute(update(UserAccount).where(UserAccount.id == row.id).values(
        password_hash=hash_password(password), session_version=row.session_version + 1))


def rehash_password(conn: Connection, user_id: int, password: str) -> None:
    """Store a fresh hash after a sign-in with outdated parameters (sessions stay valid)."""
    conn.execute(update(UserAccount).where(UserAccount.id == user_id).values(password_hash=hash_password(password)))


def grant(conn: Connection, username: str, role: str | None = None, provinces=None) -> Account:
    """Change role and/or provinces; a coordinator keeps at least one province; the last admin stays admin."""
    row = _account_row(conn, username)
    new_role = _check_role(role) if role else row.role
    codes = _check_provinces(conn, provinces) if provinces is not None else sorted(_provinces_of(conn, row.id))
    if new_role == COORDINATOR and not codes:
        raise AccountError("access.coordinator_needs_province")
    if new_role != ADMIN:
        _refuse_last_admin(conn, row)
    conn.execute(update(UserAccount).where(UserAccount.id == row.id).values(
        role=new_role, session_version=row.session_version + (new_role != row.role)))
    _replace_provinces(conn, row.id, codes if new_role == COORDINATOR else [])
    return _as_account(conn, _account_row(conn, username))


def set_active(conn: Connection, username: str, active: bool) -> None:
    row = _account_row(conn, username)
    if not active:
        _refuse_last_admin(conn, row)
    conn.execute(update(UserAccount).where(UserAccount.id == row.id).values(
        active=active, session_version=row.session_version + 1))


def remove_account(conn: Connection, username: str) -> None:
    row = _account_row(conn, username)
    _refuse_last_admin(conn, row)
    conn.execute(delete(UserProvince).where(UserProvince.user_id == row.id))
    conn.execute(delete(UserAccount).where(UserAccount.id == row.id))
