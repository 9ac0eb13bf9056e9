"""The province rule for imports: a coordinator's file may touch only their provinces, or nothing is written.

A separate step before the import, so the importer stays unaware of accounts: it reads the
file with the importer's own parsing (in a transaction that is rolled back), collects the admin
codes of the rows the import would write, and compares their provinces with the account's.
"""
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from access.roles import ADMIN, Account, foreign_codes
from i18n import t

SHOWN_CODES = 10


@dataclass(frozen=True)
class ScopeRefusal:
    """Why a file is refused whole: the places outside the account's provinces."""

    codes: list[str]
    provinces: list[str]

    def message(self, lang: str) -> str:
        shown = ", ".join(self.codes[:SHOWN_CODES]) + (" …" if len(self.codes) > SHOWN_CODES else "")
        if not self.provinces:
            return t("access.import_scope_viewer", lang)
        return t("access.import_scope_refused", lang, n=len(self.codes), codes=shown,
                 provinces=", ".join(self.provinces))


def codes_written(engine: Engine, source, options) -> set[str]:
    """Admin codes (village, district, province or national) of the valid rows `source` would write."""
    from data_access import importers
    from data_access.importers.lookup import Lookup
    from data_access.importers.report import ImportReport

    kind = options.kind or importers.detect_kind(source, options)
    handler = importers._HANDLERS[kind]  # the importer's own row parsing: the same rows as the import
    report = ImportReport(file_name=source.name, kind=kind, dry_run=True, accept_valid_rows=options.accept_valid_rows)
    with engine.connect() as conn:
        try:
            prepared = handler.prepare(conn, source, options, Lookup.load(conn), report)
            # Observation files end on a staging table (data_access.importers.staging); others as records.
            if hasattr(prepared, "admin_codes"):
                try:
                    return prepared.admin_codes()
                finally:
                    prepared.close()
            records = prepared
        finally:
            conn.rollback()
    return {str(record.get("admin_code") or record.get("code")) for record in records
            if record.get("admin_code") or record.get("code")}


def check_source_scope(engine: Engine, account: Account | None, source, options) -> ScopeRefusal | None:
    """None when the account may import this source; otherwise the refusal to show (nothing is to be written).

    Admins may import anything. A file over the size limit is left to the importer, which refuses
    it before reading; a file this step cannot read at all is refused (fail closed).
    """
    if account is not None and account.role == ADMIN:
        return None
    if account is None or not account.provinces:
        return ScopeRefusal(codes=[], provinces=[])
    if source.size > int(options.max_mb * 1024 * 1024):
        return None
    try:
        codes = codes_written(engine, source, options)
    except Exception:
        return ScopeRefusal(codes=["?"], provinces=sorted(account.provinces))
    outside = foreign_codes(account, codes)
    return ScopeRefusal(codes=outside, provinces=sorted(account.provinces)) if outside else None


def check_import_scope(engine: Engine, account: Account | None, data: bytes, file_name: str, options) -> ScopeRefusal | None:
    """check_source_scope for uploaded content (the Import page)."""
    from data_access.importers import Source

    return check_source_scope(engine, account, Source(Path(file_name).name or "upload", data=data), options)


def check_path_scope(engine: Engine, account: Account | None, path, options) -> ScopeRefusal | None:
    """check_source_scope for a file or shapefile folder on disk (the command line)."""
    from data_access.importers import Source

    path = Path(path)
    if path.is_file() and path.stat().st_size > int(options.max_mb * 1024 * 1024):
        return None  # the importer refuses it before reading; so does this step
    source = Source(path.name, folder=path) if path.is_dir() else Source(path.name, data=path.read_bytes())
    return check_source_scope(engine, account, source, options)
