"""Inputs the program office owns for the Phase II proposal: defaults, reading, validating and saving them."""
import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, select, text

from data_access.schema import ProgramSetting
from data_access.store import bump_data_version


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: float | None
    source: str
    year: int | None
    minimum: float | None
    maximum: float | None
    required: bool = True
    whole: bool = False


# The defaults the 0006 migration seeds. Transfer amount: the RRPM design (PAD2945, about
# LAK 100,000 / US$12 a month); the rest are placeholders the program office must confirm,
# so their source says demo.
SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("transfer_lak", 100_000, "RRPM CCT design (World Bank PAD2945): about LAK 100,000 a month", 2019,
                1, 10_000_000, whole=True),
    SettingSpec("take_up_pct", 85, "Assumption (demo): share of eligible households expected to enrol", 2023, 0, 100),
    SettingSpec("months", 12, "Transfers paid every month of the year", 2023, 1, 12, whole=True),
    SettingSpec("delivery_share_pct", 10, "Assumption (demo): U-Money fees, verification and SBCC as a share of transfers",
                2023, 0, 100),
    SettingSpec("budget_usd", 750_000, "Assumption (demo): Phase II transfer envelope per year", 2023, 0, 1e10,
                required=False),
    SettingSpec("lak_per_usd_override", None, "", None, 1, 1e6, required=False),
)
SPECS = {spec.key: spec for spec in SETTING_SPECS}


class SettingError(ValueError):
    """A rejected edit: `code` names the rule broken (a message key suffix), `key` the input."""

    def __init__(self, code: str, key: str, **details):
        super().__init__(f"{key}: {code}")
        self.code, self.key, self.details = code, key, details


def default_rows() -> list[dict]:
    return [{"key": spec.key, "value": spec.default, "source": spec.source or None, "year": spec.year}
            for spec in SETTING_SPECS]


def seed_program_settings(conn: Connection) -> int:
    """Insert the code's default for every setting the table does not hold yet; returns how many."""
    present = {key for (key,) in conn.execute(select(ProgramSetting.key))}
    missing = [row for row in default_rows() if row["key"] not in present]
    if missing:
        conn.execute(ProgramSetting.__table__.insert(), missing)
    return len(missing)


def program_settings(conn: Connection) -> pd.DataFrame:
    """Every setting: key, value, source, year, updated_at, updated_by, is_default.

    A setting missing from the table (a database older than migration 0006's seed) comes
    from the code's defaults with is_default True; a missing table gives the defaults too.
    """
    columns = ["key", "value", "source", "year", "updated_at", "updated_by", "is_default"]
    try:
        stored = {row.key: row for row in conn.execute(select(ProgramSetting))}
    except Exception:  # table not created yet: the page still works on defaults
        conn.rollback()
        stored = {}
    rows = []
    for spec in SETTING_SPECS:
        row = stored.get(spec.key)
        if row is None:
            rows.append({"key": spec.key, "value": spec.default, "source": spec.source or None, "year": spec.year,
                         "updated_at": None, "updated_by": None, "is_default": True})
        else:
            rows.append({"key": spec.key, "value": row.value, "source": row.source, "year": row.year,
                         "updated_at": row.updated_at, "updated_by": row.updated_by, "is_default": False})
    return pd.DataFrame(rows, columns=columns)


def _number(raw, key: str) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).replace(",", "").strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise SettingError("not_a_number", key, value=str(raw)[:40]) from None
    if math.isnan(value) or math.isinf(value):
        raise SettingError("not_a_number", key, value=str(raw)[:40])
    return value


def validate_settings(changes: dict[str, dict]) -> dict[str, dict]:
    """Check every edit before anything is written; returns the clean rows.

    changes: key -> {"value": number or text, "source": text, "year": number or text}.
    Raises SettingError on the first input that breaks a rule (unknown, missing, not a
    number, out of range, not whole, a year outside 1990-2100, a value with no source).
    """
    clean = {}
    for key, change in changes.items():
        spec = SPECS.get(key)
        if spec is None:
            raise SettingError("unknown", key)
        value = _number(change.get("value"), key)
        if value is None and spec.required:
            raise SettingError("required", key)
        if value is not None:
            if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
                raise SettingError("out_of_range", key, minimum=spec.minimum, maximum=spec.maximum)
            if spec.whole and value != int(value):
                raise SettingError("not_whole", key)
        year = _number(change.get("year"), key)
        if year is not None and (year != int(year) or not 1990 <= year <= 2100):
            raise SettingError("bad_year", key)
        source = (change.get("source") or "").strip()[:300] or None
        if value is not None and not source:
            raise SettingError("no_source", key)
        clean[key] = {"value": value, "source": source, "year": int(year) if year is not None else None}
    return clean


def save_program_settings(engine: Engine, changes: dict[str, dict], by: str | None = None,
                          now: dt.datetime | None = None) -> int:
    """Validate all edits, then write them in one transaction and bump the data version.

    The bump makes every cached page read the new inputs at once. Inputs sent unchanged are
    not rewritten. Returns the rows written; on SettingError nothing is written.
    """
    clean = validate_settings(changes)
    stamp = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:
        stored = {row.key: row for row in conn.execute(select(ProgramSetting))}
        # An input saved as it was keeps its "last changed" date: the form always sends them all.
        clean = {key: row for key, row in clean.items()
                 if key not in stored or (_same(stored[key].value, row["value"]) is False
                                          or (stored[key].source or None) != row["source"]
                                          or stored[key].year != row["year"])}
        for key, row in clean.items():
            updated = conn.execute(
                text("UPDATE program_setting SET value = :value, source = :source, year = :year, "
                     "updated_at = :at, updated_by = :by WHERE key = :key"),
                row | {"key": key, "at": stamp, "by": by}).rowcount
            if not updated:
                conn.execute(ProgramSetting.__table__.insert(), [row | {"key": key, "updated_at": stamp,
                                                                        "updated_by": by}])
        if clean:
            bump_data_version(conn)
    return len(clean)


def _same(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
