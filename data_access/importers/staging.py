"""Valid observation rows on their way into the database: a temporary staging table, checked and merged in SQL.

A million-row file is never held as Python objects: each row is validated as it is read
(data_access.importers.indicators) and goes into import_staging in chunks, by COPY on
PostgreSQL and executemany on SQLite. The rules that compare rows with each other or with
the database (a key given twice, a release date given two ways, a place and a place inside
it, values replaced) then run on the staging table, and the merge into observation (with
the history that makes the batch undoable) is a few INSERT ... SELECT / UPDATE ... FROM
statements, in the import's transaction. The temporary table lives only in it.
"""
import datetime as dt

from sqlalchemy import Connection, text

from data_access.importers import indicators, survey_rounds
from data_access.importers.report import ImportReport

TABLE = "import_staging"
# The staged rows that have a stored observation under their key (see Staging.match).
MATCH = "import_match"
CHUNK = 20_000
SQLITE_CACHE_KB = 256 * 1024
# PostgreSQL, for the import's transaction only (SET LOCAL): sorts and hashes of a million staged rows
# in memory instead of spilling to disk at the default 4 MB; no JIT, which spent half a second compiling
# each big statement that runs once; no Memoize: every staged key is unique, but from per-column
# statistics the planner expects repeats and probed observation's key a million times (4 s) instead
# of merging the two sorted indexes (under 1 s).
PG_SETTINGS = {"work_mem": "128MB", "maintenance_work_mem": "256MB", "jit": "off", "enable_memoize": "off"}
_COLUMNS = ("row_no", "label", "indicator_code", "admin_code", "period", "period_start", "value", "numerator",
            "denominator", "std_error", "source", "released_on", "n_rows")
_PG_TYPES = ("int4", "int4", "varchar", "varchar", "varchar", "date", "float8", "float8", "float8", "float8", "varchar",
             "date", "int4")
_KEY = "s.indicator_code = o.indicator_code AND s.admin_code = o.admin_code AND s.period = o.period"
_FIELDS = ("value", "numerator", "denominator", "std_error", "source")
_DIFFERS = "(" + " OR ".join(f"o.{name} IS DISTINCT FROM s.{name}" for name in _FIELDS) + ")"


class Staging:
    """The staging table of one import, on the import's connection (see the module's docstring).

    labels: what rows share (file, indicator column, place column, value column, release
    date column), stored once and referred to by number, so a row costs a small integer.
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.labels: list[tuple] = []
        self._label_ids: dict[tuple, int] = {}
        self._buffer: list[tuple] = []
        self.rows = 0
        self._matched = False
        # What add() saw, for the checks that would otherwise group a million staged rows (SQLite sorts them
        # to group): (indicator, period) -> [period_start, shortest and longest place code]; indicator ->
        # [first, last period_start of a row with a value]. _deleted: a check has removed rows since.
        self._pairs: dict[tuple[str, str], list] = {}
        self._value_starts: dict[str, list] = {}
        self._deleted = False
        self._cache_size = None
        if self.postgres:
            for name, value in PG_SETTINGS.items():
                conn.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
        else:
            # SQLite's default page cache (2 MB) makes the merge into observation's three indexes re-read
            # pages endlessly; a larger one for this connection while it imports (restored in close()).
            self._cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        real = "DOUBLE PRECISION" if self.postgres else "REAL"
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {TABLE} (row_no INTEGER, label INTEGER, indicator_code VARCHAR(40), "
            f"admin_code VARCHAR(7), period VARCHAR(7), period_start DATE, value {real}, numerator {real}, "
            f"denominator {real}, std_error {real}, source VARCHAR(100), released_on DATE, n_rows INTEGER)"
            + (" ON COMMIT DROP" if self.postgres else ""))

    # ------------------------------------------------------------ loading

    def add_all(self, records) -> None:
        for record in records:
            self.add(record)
        self.flush()
        # row_no too: the duplicate-key check groups the index alone (SQLite read every row of the table from it).
        self.conn.exec_driver_sql(f"CREATE INDEX ix_{TABLE}_key ON {TABLE} (indicator_code, admin_code, period, row_no)")
        self.conn.exec_driver_sql(f"ANALYZE {TABLE}")

    def add(self, record: dict) -> None:
        label = (record.get("file"), record.get("indicator_column") or "indicator_code",
                 record.get("admin_column") or "admin_code", record.get("value_column") or "value",
                 record.get("released_on_column") or "released_on")
        number = self._label_ids.get(label)
        if number is None:
            number = self._label_ids[label] = len(self.labels)
            self.labels.append(label)
        start, released = record["period_start"], record.get("released_on")
        self._saw(record["indicator_code"], record["period"], start, len(record["admin_code"]),
                  record.get("value") is not None)
        if not self.postgres:
            # As SQLAlchemy stores a Date in SQLite: ISO text.
            start, released = start.isoformat(), released.isoformat() if released else None
        self._buffer.append((record["row"], number, record["indicator_code"], record["admin_code"], record["period"],
                             start, record.get("value"), record.get("numerator"), record.get("denominator"),
                             record.get("std_error"), record.get("source"), released, record.get("n_rows", 1)))
        if len(self._buffer) >= CHUNK:
            self.flush()

    def _saw(self, indicator: str, period: str, start, length: int, has_value: bool) -> None:
        pair = self._pairs.get((indicator, period))
        if pair is None:
            self._pairs[(indicator, period)] = [start, length, length]
        elif length < pair[1]:
            pair[1] = length
        elif length > pair[2]:
            pair[2] = length
        if has_value:
            span = self._value_starts.get(indicator)
            if span is None:
                self._value_starts[indicator] = [start, start]
            elif start < span[0]:
                span[0] = start
            elif start > span[1]:
                span[1] = start

    def flush(self) -> None:
        if not self._buffer:
            return
        self.rows += len(self._buffer)
        dbapi = self.conn.connection.driver_connection
        if self.postgres:
            with dbapi.cursor() as cursor:
                # Binary: a quarter of the client's CPU of text COPY (no number or date formatted as text).
                with cursor.copy(f"COPY {TABLE} ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(_PG_TYPES)
                    for row in self._buffer:
                        copy.write_row(row)
        else:
            cursor = dbapi.cursor()
            cursor.executemany(f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(_COLUMNS))})", self._buffer)
            cursor.close()
        self._buffer = []

    def close(self) -> None:
        """Drop the table (PostgreSQL drops it at the end of the transaction by itself)."""
        if not self.postgres:
            try:
                self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {MATCH}")
                self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
                if self._cache_size is not None:
                    self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            except Exception:  # noqa: BLE001 - a failed transaction: the connection is reset anyway
                pass

    def _delete_rows(self, rows: list[int]) -> None:
        self._deleted = self._deleted or bool(rows)
        for offset in range(0, len(rows), 900):
            chunk = rows[offset:offset + 900]
            self.conn.execute(text(f"DELETE FROM {TABLE} WHERE row_no IN ({', '.join(map(str, chunk))})"))

    def _label(self, number: int) -> tuple:
        return self.labels[number]

    # ------------------------------------------------------------ checks

    def check(self, lookup, report: ImportReport) -> None:
        """The rules that look at more than one row, in the order the in-memory importer applied them."""
        self._duplicate_keys(report)
        self._release_dates(report)
        self._mixed_levels(lookup, report)
        from data_access.importers.staged_checks import check_history, list_replacements

        check_history(self, lookup, report)
        list_replacements(self, report)

    def _duplicate_keys(self, report: ImportReport) -> None:
        """A key (indicator, place, period) on several valid rows: every row after the first is an error, and
        none of them is imported (which of the rows is right is for the person to say)."""
        rows = self.conn.execute(text(
            f"SELECT s.row_no, s.label, s.indicator_code, s.admin_code, s.period, d.first_row FROM {TABLE} s "
            f"JOIN (SELECT indicator_code, admin_code, period, MIN(row_no) AS first_row FROM {TABLE} "
            f"GROUP BY indicator_code, admin_code, period HAVING COUNT(*) > 1) d "
            f"ON d.indicator_code = s.indicator_code AND d.admin_code = s.admin_code AND d.period = s.period "
            f"ORDER BY s.row_no")).all()
        if not rows:
            return
        for row, label, indicator, admin, period, first_row in rows:
            if row == first_row:
                continue
            file, indicator_column = self._label(label)[:2]
            report.add("duplicate_key", file=file, row=row, column=indicator_column,
                       value=f"{indicator} / {admin} / {period}", first_row=first_row)
        self._delete_rows([row[0] for row in rows])

    def _release_dates(self, report: ImportReport) -> None:
        rows = self.conn.execute(text(
            f"SELECT row_no, label, indicator_code, period, released_on FROM {TABLE} "
            f"WHERE released_on IS NOT NULL ORDER BY row_no")).all()
        if not rows:
            return
        records = [{"row": row, "file": self._label(label)[0], "released_on_column": self._label(label)[4],
                    "indicator_code": indicator, "period": period, "released_on": _as_date(day)}
                   for row, label, indicator, period, day in rows]
        kept = {record["row"] for record in survey_rounds.check(records, report)}
        self._delete_rows([record["row"] for record in records if record["row"] not in kept])

    def release_dates(self) -> list[dict]:
        """The rows that give a survey round's release date (few: surveys), for survey_rounds.write."""
        rows = self.conn.execute(text(
            f"SELECT indicator_code, period, released_on FROM {TABLE} WHERE released_on IS NOT NULL "
            f"ORDER BY row_no")).all()
        return [{"indicator_code": indicator, "period": period, "released_on": _as_date(day)}
                for indicator, period, day in rows]

    def _mixed_levels(self, lookup, report: ImportReport) -> None:
        """indicators.check_mixed_levels, run only on the (indicator, period) pairs where places of two levels
        meet (in the file or with the database): at national scale a village file has none."""
        # The pairs whose staged codes have two lengths (from what add() saw: rows removed since can only make
        # a pair look mixed when it is not, and the exact check below then finds nothing), or whose stored codes
        # have another length than the staged ones. period_start reaches observation's (indicator,
        # period_start, place) index; it names no other period of the indicator.
        pairs = []
        for (indicator, period), (start, shortest, longest) in sorted(self._pairs.items()):
            if lookup.indicators[indicator]["aggregation"] == "survey":
                continue
            if shortest != longest or self.conn.execute(text(
                    "SELECT 1 FROM observation WHERE indicator_code = :indicator AND period_start = :start "
                    "AND LENGTH(admin_code) <> :length LIMIT 1"),
                    {"indicator": indicator, "start": start, "length": shortest}).first():
                pairs.append((indicator, period))
        for indicator, period in pairs:
            params = {"indicator": indicator, "period": period}
            staged = self.conn.execute(text(
                f"SELECT row_no, label, admin_code FROM {TABLE} WHERE indicator_code = :indicator "
                f"AND period = :period ORDER BY row_no"), params).all()
            existing = {admin for (admin,) in self.conn.execute(text(
                "SELECT admin_code FROM observation WHERE indicator_code = :indicator AND period = :period"), params)}
            records = [{"indicator_code": indicator, "period": period, "admin_code": admin, "row": row,
                        "file": self._label(label)[0], "admin_column": self._label(label)[2]}
                       for row, label, admin in staged]
            kept = {record["row"] for record in indicators.check_mixed_levels(
                records, {(indicator, period): existing}, lookup, report)}
            self._delete_rows([record["row"] for record in records if record["row"] not in kept])

    # ------------------------------------------------------------ what it holds

    def value_ranges(self) -> list[tuple]:
        """(indicator, first, last period_start) of the staged rows with a value, by indicator."""
        if not self._deleted:
            return [(indicator, first, last) for indicator, (first, last) in sorted(self._value_starts.items())]
        return self.conn.execute(text(
            f"SELECT indicator_code, MIN(period_start), MAX(period_start) FROM {TABLE} "
            f"WHERE value IS NOT NULL GROUP BY indicator_code ORDER BY indicator_code")).all()

    def admin_codes(self) -> set[str]:
        """The places of the rows still staged (what the write would touch): the province rule reads them."""
        self.flush()
        return {str(row[0]) for row in self.conn.exec_driver_sql(f"SELECT DISTINCT admin_code FROM {TABLE}")}

    def totals(self) -> tuple[int, int, list[str]]:
        """(observations, data values they stand for, indicators)."""
        count, values = self.conn.execute(text(f"SELECT COUNT(*), COALESCE(SUM(n_rows), 0) FROM {TABLE}")).one()
        codes = [code for (code,) in self.conn.execute(text(
            f"SELECT DISTINCT indicator_code FROM {TABLE} ORDER BY indicator_code"))]
        return int(count), int(values), codes

    # ------------------------------------------------------------ writing

    def match(self) -> None:
        """Pair every staged row with the stored observation of its key, once: which rows are new, which
        replace a different value, which change nothing. The replacement list and the merge read this small
        table instead of joining a million staged rows with observation again for each statement."""
        if self._matched:
            return
        conn = self.conn
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {MATCH}")
        # row_no is unique among the staged rows (a file's row, or the first row of a DHIS2 value's parts).
        # The new values come along, so that the update reads observation in the order of its ids.
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {MATCH}" + (" ON COMMIT DROP" if self.postgres else "")
            + f" AS SELECT s.row_no, o.id AS observation_id, CASE WHEN {_DIFFERS} THEN 1 ELSE 0 END AS changed, "
            + ", ".join(f"s.{name}" for name in _FIELDS)
            + f" FROM {TABLE} s JOIN observation o ON {_KEY}")
        conn.exec_driver_sql(f"CREATE INDEX ix_{MATCH}_row ON {MATCH} (row_no)")
        if self.postgres:
            conn.exec_driver_sql(f"ANALYZE {MATCH}")
        self._matched = True

    def write(self, batch_id: int) -> tuple[int, int, int, set[tuple[str, str]]]:
        """Merge into observation: new keys inserted, changed ones replaced (old values kept in
        observation_history for the rollback), identical ones left alone.

        Returns (inserted, replaced, unchanged, the (indicator, period) pairs that changed).
        """
        self.match()
        conn, params = self.conn, {"batch": batch_id}
        new = f"NOT EXISTS (SELECT 1 FROM {MATCH} m WHERE m.row_no = s.row_no)"
        changed_pairs = {tuple(pair) for pair in conn.execute(text(
            f"SELECT DISTINCT s.indicator_code, s.period FROM {TABLE} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {MATCH} m WHERE m.row_no = s.row_no AND m.changed = 0)"))}
        replaced = conn.execute(text(
            f"""
            INSERT INTO observation_history (batch_id, action, indicator_code, admin_code, period, old_value,
                old_numerator, old_denominator, old_std_error, old_source, old_batch_id)
            SELECT :batch, 'replace', o.indicator_code, o.admin_code, o.period, o.value, o.numerator,
                   o.denominator, o.std_error, o.source, o.batch_id
            FROM {MATCH} m JOIN observation o ON o.id = m.observation_id
            WHERE m.changed = 1
            ORDER BY m.row_no
            """), params).rowcount
        if replaced:
            conn.execute(text(
                f"""
                UPDATE observation SET value = m.value, numerator = m.numerator, denominator = m.denominator,
                    std_error = m.std_error, source = m.source, batch_id = :batch
                FROM {MATCH} m
                WHERE observation.id = m.observation_id AND m.changed = 1
                """), params)
        inserted = conn.execute(text(
            f"""
            INSERT INTO observation_history (batch_id, action, indicator_code, admin_code, period)
            SELECT :batch, 'insert', s.indicator_code, s.admin_code, s.period
            FROM {TABLE} s WHERE {new}
            ORDER BY s.row_no
            """), params).rowcount
        if inserted:
            conn.execute(text(
                f"""
                INSERT INTO observation (indicator_code, admin_code, period, period_start, value, numerator,
                    denominator, std_error, source, batch_id)
                SELECT s.indicator_code, s.admin_code, s.period, s.period_start, s.value, s.numerator,
                       s.denominator, s.std_error, s.source, :batch
                FROM {TABLE} s WHERE {new}
                ORDER BY s.row_no
                """), params)
        return inserted, replaced, self.rows_left() - inserted - replaced, changed_pairs

    def rows_left(self) -> int:
        return int(self.conn.execute(text(f"SELECT COUNT(*) FROM {TABLE}")).scalar_one())


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
