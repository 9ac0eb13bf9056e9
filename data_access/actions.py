"""A mission's agreed actions: the register, its history, and writes that record every change.

Queries take a connection and never commit; writes own one transaction each (the action, its
history rows and the data-version bump together, so cached alerts follow at once). Who may write
what is decided by the caller (access.roles.action_fields_for); the writes here enforce the
fields they are allowed to touch and the values they may hold.
"""
import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine, inspect, text

from data_access.periods import as_date
from data_access.schema import ACTION_STATUSES
from data_access.store import bump_data_version

OPEN, IN_PROGRESS, DONE, DROPPED = ACTION_STATUSES
CLOSED_STATUSES = frozenset({DONE, DROPPED})
# What a person may set; created_* / updated_* are the server's, is_demo the generator's.
EDITABLE_FIELDS = ("mission", "mission_date", "text_en", "text_lo", "responsible_unit", "due_date", "status",
                   "evidence", "indicator_code", "admin_code")
REQUIRED_FIELDS = ("mission", "mission_date", "text_en", "text_lo", "responsible_unit", "due_date")
DATE_FIELDS = ("mission_date", "due_date")
MAX_LENGTHS = {"mission": 120, "responsible_unit": 200, "text_en": 2000, "text_lo": 2000, "evidence": 4000}
ACTION_COLUMNS = ["id", "mission", "mission_date", "text_en", "text_lo", "responsible_unit", "due_date", "status",
                  "evidence", "indicator_code", "indicator_name_en", "indicator_name_lo", "indicator_unit",
                  "admin_code", "admin_name_en", "admin_name_lo", "is_demo", "created_by", "created_at",
                  "updated_by", "updated_at"]
HISTORY_COLUMNS = ["action_id", "changed_at", "changed_by", "field", "old_value", "new_value"]
CREATED = "created"  # the history row of an action's creation (new_value: its status)


class ActionError(ValueError):
    """A change that cannot be saved: `code` names the sentence (actions.error_<code>), `field` the field."""

    def __init__(self, code: str, field: str | None = None, value=None):
        super().__init__(f"{code}" + (f" ({field}={value!r})" if field else ""))
        self.code, self.field, self.value = code, field, value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def has_actions_table(conn: Connection) -> bool:
    """False on a database built before migration 0009: pages and alerts then show no actions."""
    return inspect(conn).has_table("agreed_action")


# ------------------------------------------------------------------ reading

_SELECT = """
    SELECT a.id, a.mission, a.mission_date, a.text_en, a.text_lo, a.responsible_unit, a.due_date, a.status,
           a.evidence, a.indicator_code, i.name_en AS indicator_name_en, i.name_lo AS indicator_name_lo,
           i.unit AS indicator_unit, a.admin_code, u.name_en AS admin_name_en, u.name_lo AS admin_name_lo,
           a.is_demo, a.created_by, a.created_at, a.updated_by, a.updated_at
    FROM agreed_action a
    LEFT JOIN indicator i ON i.code = a.indicator_code
    LEFT JOIN admin_unit u ON u.code = a.admin_code
"""


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns).astype(object)
    for column in DATE_FIELDS:
        if column in frame:
            frame[column] = frame[column].map(as_date)
    for column in ("created_at", "updated_at", "changed_at"):
        if column in frame:
            # SQLite hands a text() query's timestamps back as text.
            frame[column] = frame[column].map(
                lambda value: dt.datetime.fromisoformat(value) if isinstance(value, str) else value)
    if "is_demo" in frame:
        frame["is_demo"] = frame["is_demo"].map(bool)
    return frame.where(frame.notna(), None)


def scope_condition(scope_code: str | None) -> tuple[str, dict]:
    """SQL (on alias a) for the actions that concern a place: the whole country sees every action; a
    province or district sees those scoped inside it and those of the province it lies in."""
    if not scope_code or scope_code == "00":
        return "", {}
    return (" AND a.admin_code IS NOT NULL AND (a.admin_code LIKE :scope_prefix"
            " OR (LENGTH(a.admin_code) >= 2 AND a.admin_code <> '00' AND :scope LIKE a.admin_code || '%'))",
            {"scope_prefix": scope_code + "%", "scope": scope_code})


def list_actions(conn: Connection, scope_code: str | None = None, mission: str | None = None,
                 status: str | None = None, responsible_unit: str | None = None) -> pd.DataFrame:
    """The register, filtered (None = any), ordered by mission date, due date, id. Columns: ACTION_COLUMNS."""
    if not has_actions_table(conn):
        return pd.DataFrame(columns=ACTION_COLUMNS)
    where, params = scope_condition(scope_code)
    for column, value in (("mission", mission), ("status", status), ("responsible_unit", responsible_unit)):
        if value:
            where += f" AND a.{column} = :{column}"
            params[column] = value
    result = conn.execute(text(_SELECT + " WHERE 1 = 1" + where + " ORDER BY a.mission_date, a.due_date, a.id"),
                          params)
    return _frame(result.fetchall(), ACTION_COLUMNS)


def action(conn: Connection, action_id: int) -> dict | None:
    """One action as a dict (ACTION_COLUMNS), or None."""
    if not has_actions_table(conn):
        return None
    result = conn.execute(text(_SELECT + " WHERE a.id = :id"), {"id": int(action_id)})
    frame = _frame(result.fetchall(), ACTION_COLUMNS)
    return frame.iloc[0].to_dict() if not frame.empty else None


def action_history(conn: Connection, action_id: int | None = None) -> pd.DataFrame:
    """Changes of one action (or all), newest first. Columns: HISTORY_COLUMNS."""
    if not has_actions_table(conn):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    sql = ("SELECT action_id, changed_at, changed_by, field, old_value, new_value FROM agreed_action_history"
           + (" WHERE action_id = :id" if action_id is not None else "") + " ORDER BY changed_at DESC, id DESC")
    result = conn.execute(text(sql), {"id": int(action_id)} if action_id is not None else {})
    return _frame(result.fetchall(), HISTORY_COLUMNS)


def filter_options(conn: Connection) -> dict[str, list[str]]:
    """The missions (newest first) and responsible units the register holds, for the page's filters."""
    if not has_actions_table(conn):
        return {"missions": [], "units": []}
    missions = [row[0] for row in conn.execute(text(
        "SELECT mission, MAX(mission_date) AS d FROM agreed_action GROUP BY mission ORDER BY d DESC, mission"))]
    units = [row[0] for row in conn.execute(text(
        "SELECT DISTINCT responsible_unit FROM agreed_action ORDER BY responsible_unit"))]
    return {"missions": missions, "units": units}


def actions_as_of(conn: Connection, scope_code: str | None, day: dt.date) -> pd.DataFrame:
    """The actions agreed by `day` for a place, each with status_then: its status at the end of that day.

    The status then is read back from the history (the old value of the first status change made
    after the day), so a view "as of November 2022" does not count as done an action closed in 2023.
    Columns: ACTION_COLUMNS + status_then.
    """
    frame = list_actions(conn, scope_code)
    if frame.empty:
        return frame.assign(status_then=pd.Series(dtype=object))
    frame = frame[frame["mission_date"].map(lambda d: d is not None and d <= day)].copy()
    later = conn.execute(text(
        "SELECT action_id, old_value FROM agreed_action_history WHERE field = 'status' AND changed_at > :after "
        "ORDER BY changed_at, id"), {"after": dt.datetime.combine(day, dt.time.max)}).fetchall()
    first_later: dict[int, str] = {}
    for action_id, old_value in later:
        first_later.setdefault(int(action_id), old_value)
    frame["status_then"] = [first_later.get(int(i), status) for i, status in zip(frame["id"], frame["status"])]
    return frame.reset_index(drop=True)


# ------------------------------------------------------------------ checking


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    cleaned = str(value).strip()
    return cleaned or None


def _known(conn: Connection, table: str, code: str) -> bool:
    return conn.execute(text(f"SELECT 1 FROM {table} WHERE code = :code"), {"code": code}).first() is not None


def checked_fields(conn: Connection, fields: dict, creating: bool) -> dict:
    """Normalised values of `fields` (EDITABLE_FIELDS only), or ActionError naming the first broken rule."""
    clean: dict = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ActionError("unknown_field", name, value)
        if name in DATE_FIELDS:
            try:
                clean[name] = as_date(value) if _text(value) is not None or isinstance(value, dt.date) else None
            except ValueError:
                raise ActionError("invalid_date", name, value) from None
        else:
            clean[name] = _text(value)
        if name in MAX_LENGTHS and clean[name] is not None and len(clean[name]) > MAX_LENGTHS[name]:
            raise ActionError("too_long", name, value)
    for name in REQUIRED_FIELDS:
        if (name in clean or creating) and clean.get(name) is None:
            raise ActionError("missing", name)
    if "status" in clean or creating:
        clean["status"] = clean.get("status") or OPEN
        if clean["status"] not in ACTION_STATUSES:
            raise ActionError("invalid_status", "status", clean["status"])
    if clean.get("indicator_code") and not _known(conn, "indicator", clean["indicator_code"]):
        raise ActionError("unknown_indicator", "indicator_code", clean["indicator_code"])
    if clean.get("admin_code") and not _known(conn, "admin_unit", clean["admin_code"]):
        raise ActionError("unknown_place", "admin_code", clean["admin_code"])
    return clean


def _as_text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# ------------------------------------------------------------------ writing


def insert_action(conn: Connection, fields: dict, by: str | None, at: dt.datetime | None = None,
                  is_demo: bool = False) -> int:
    """Insert one checked action and its "created" history row inside the caller's transaction."""
    clean = checked_fields(conn, fields, creating=True)
    moment = at or _now()
    row = {name: clean.get(name) for name in EDITABLE_FIELDS} | {
        "is_demo": is_demo, "created_by": by, "created_at": moment, "updated_by": by, "updated_at": moment}
    columns = ", ".join(row)
    new_id = conn.execute(text(f"INSERT INTO agreed_action ({columns}) VALUES ({', '.join(':' + c for c in row)}) "
                               "RETURNING id"), row).scalar_one()
    _history(conn, new_id, by, moment, [(CREATED, None, clean["status"])])
    return int(new_id)


def apply_changes(conn: Connection, action_id: int, changes: dict, by: str | None,
                  allowed: Iterable[str] | None = None, at: dt.datetime | None = None) -> list[str]:
    """Write the fields that differ, one history row each, inside the caller's transaction.

    allowed: the fields this person may change (None: all EDITABLE_FIELDS); a change to any other
    field is refused whole. Returns the fields changed (empty: nothing differed, nothing written).
    """
    current = conn.execute(text(f"SELECT {', '.join(EDITABLE_FIELDS)} FROM agreed_action WHERE id = :id"),
                           {"id": int(action_id)}).mappings().first()
    if current is None:
        raise ActionError("unknown_action", "id", action_id)
    clean = checked_fields(conn, changes, creating=False)
    permitted = set(EDITABLE_FIELDS if allowed is None else allowed)
    changed = []
    for name, value in sorted(clean.items(), key=lambda item: EDITABLE_FIELDS.index(item[0])):
        old = as_date(current[name]) if name in DATE_FIELDS else current[name]
        if old == value:
            continue
        if name not in permitted:
            raise ActionError("not_allowed", name, value)
        changed.append((name, _as_text(old), _as_text(value)))
    if not changed:
        return []
    moment = at or _now()
    assignments = ", ".join(f"{name} = :{name}" for name, _old, _new in changed)
    conn.execute(text(f"UPDATE agreed_action SET {assignments}, updated_by = :by, updated_at = :at WHERE id = :id"),
                 {name: clean[name] for name, _old, _new in changed} | {"by": by, "at": moment, "id": int(action_id)})
    _history(conn, int(action_id), by, moment, changed)
    return [name for name, _old, _new in changed]


def _history(conn: Connection, action_id: int, by: str | None, at: dt.datetime, changes: list[tuple]) -> None:
    conn.execute(text("INSERT INTO agreed_action_history (action_id, changed_by, changed_at, field, old_value, "
                      "new_value) VALUES (:action_id, :by, :at, :field, :old, :new)"),
                 [{"action_id": action_id, "by": by, "at": at, "field": field, "old": old, "new": new}
                  for field, old, new in changes])


def create_action(engine: Engine, fields: dict, by: str | None) -> int:
    """One new action (checked), its history row and a data-version bump, in one transaction."""
    with engine.begin() as conn:
        new_id = insert_action(conn, fields, by)
        bump_data_version(conn)
    return new_id


def update_action(engine: Engine, action_id: int, changes: dict, by: str | None,
                  allowed: Iterable[str] | None = None) -> list[str]:
    """Save the changes (all or none) with one history row per changed field; returns the fields changed."""
    with engine.begin() as conn:
        changed = apply_changes(conn, action_id, changes, by, allowed)
        if changed:
            bump_data_version(conn)
    return changed
