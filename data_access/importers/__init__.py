"""Importers: validate a whole file, then write it in one transaction (the CLI and the Import page share this)."""
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from data_access.importers import dhis2, history, indicators, plausibility, survey_rounds, targets, villages
from data_access.importers import indicator_stream, locking, staging
from data_access.importers.lookup import Lookup
from data_access.importers.json_documents import JsonProblem, load_json
from data_access.importers.readers import extension, header_key, open_table
from data_access.importers.report import ImportReport, Problem
from data_access.rollup import rebuild_rollups
from data_access.store import bump_data_version

KINDS = ("indicators", "dhis2", "villages", "targets")
logger = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_MAX_MB = 20.0


@dataclass
class ImportOptions:
    """Choices the user makes; the ones that change the result are part of the checksum."""

    kind: str | None = None
    dry_run: bool = False
    accept_valid_rows: bool = False
    mapping_name: str | None = None
    mapping_data: bytes | None = None
    code_field: str | None = None
    name_field: str | None = None
    name_lo_field: str | None = None
    layer: str | None = None
    imported_by: str | None = None
    max_mb: float = DEFAULT_MAX_MB

    def fingerprint(self) -> bytes:
        """What besides the file's bytes decides what gets written."""
        parts = {
            "mapping": hashlib.sha256(self.mapping_data).hexdigest() if self.mapping_data is not None else None,
            "code_field": self.code_field, "name_field": self.name_field, "name_lo_field": self.name_lo_field,
            "layer": self.layer,
        }
        return json.dumps(parts, sort_keys=True).encode()


@dataclass
class Source:
    """The file to import: its bytes, or (a shapefile folder) the folder itself."""

    name: str
    data: bytes = b""
    folder: Path | None = None

    @property
    def size(self) -> int:
        if self.folder is not None:
            return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())
        return len(self.data)

    def content_digest(self) -> bytes:
        digest = hashlib.sha256()
        if self.folder is None:
            digest.update(self.data)
        else:
            for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
                digest.update(path.relative_to(self.folder).as_posix().encode() + b"\0" + path.read_bytes())
        return digest.digest()


def detect_kind(source: Source, options: ImportOptions) -> str:
    """indicators / dhis2 / villages / targets, from the extension and (for tables) the headers."""
    if source.folder is not None:
        return "villages"
    ext = extension(source.name)
    # A zip is a zipped shapefile (or GeoPackage): tables are imported as they are, not zipped.
    if ext in villages.LAYER_EXTENSIONS or ext == ".zip":
        return "villages"
    if ext == ".json":
        try:
            document = load_json(source.data)
        except JsonProblem:
            return "dhis2"
        if isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature"):
            return "villages"
        return "dhis2"
    if options.mapping_data is not None:
        return "dhis2"
    # The headers decide: a CSV is read up to its first data row only.
    table = open_table(source.data, source.name)
    keys = {header_key(header) for header in table.headers}
    if dhis2.looks_like_dhis2_csv(keys):
        return "dhis2"
    if targets.looks_like_targets(keys):
        return "targets"
    return "indicators"


def checksum_of(source: Source, options: ImportOptions, kind: str) -> str:
    return hashlib.sha256(kind.encode() + b"\0" + source.content_digest() + b"\0" + options.fingerprint()).hexdigest()


def import_path(engine: Engine, path: str | Path, options: ImportOptions | None = None) -> ImportReport:
    """Import a file (or a shapefile folder) from disk; see import_source."""
    path = Path(path)
    if path.is_dir():
        return import_source(engine, Source(path.name, folder=path), options)
    options = options or ImportOptions()
    size = path.stat().st_size
    if size > int(options.max_mb * 1024 * 1024):
        # Refused from its size on disk: a 1 GiB file is never read into memory.
        return _too_large(path.name, size, options)
    return import_source(engine, Source(path.name, data=path.read_bytes()), options)


def _too_large(file_name: str, size: int, options: "ImportOptions") -> ImportReport:
    report = ImportReport(file_name=file_name, kind=options.kind or "", dry_run=options.dry_run,
                          accept_valid_rows=options.accept_valid_rows, status="rejected")
    report.add("file_too_large", value=f"{size / 1024 / 1024:.1f} MB", size_mb=f"{size / 1024 / 1024:.1f}",
               max_mb=f"{options.max_mb:g}")
    return report


def import_bytes(engine: Engine, data: bytes, file_name: str, options: ImportOptions | None = None) -> ImportReport:
    """Import uploaded content (the Import page); see import_source."""
    return import_source(engine, Source(Path(file_name).name or "upload", data=data), options)


def import_source(engine: Engine, source: Source, options: ImportOptions | None = None) -> ImportReport:
    """Import with every failure as a sentence in the report, never an exception (see _import_source).

    Another import holding the lock past the wait: "import_busy". Anything unforeseen: the
    trace goes to the log under a reference the report quotes; nothing is written (the
    transaction is rolled back).
    """
    options = options or ImportOptions()
    if options.kind and options.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {options.kind!r}")
    # The name comes from the browser: no control characters in the report or the database.
    source.name = _CONTROL.sub("", source.name)[:255] or "upload"
    try:
        return _import_source(engine, source, options)
    except locking.ImportBusy:
        return _failed(source, options, "import_busy", wait=f"{locking.LOCK_WAIT_SECONDS:g}")
    except DBAPIError as error:
        if locking.is_busy_error(error):
            return _failed(source, options, "import_busy", wait=f"{locking.LOCK_WAIT_SECONDS:g}")
        return _internal_error(source, options)
    except Exception:  # noqa: BLE001 - the person gets a sentence, the log gets the trace
        return _internal_error(source, options)


def _failed(source: Source, options: ImportOptions, rule: str, **params) -> ImportReport:
    report = ImportReport(file_name=source.name, kind=options.kind or "", dry_run=options.dry_run,
                          accept_valid_rows=options.accept_valid_rows, status="rejected")
    report.add(rule, **params)
    return report


def _internal_error(source: Source, options: ImportOptions) -> ImportReport:
    reference = uuid.uuid4().hex[:8]
    logger.exception("import of %r failed (reference %s)", source.name, reference)
    return _failed(source, options, "internal_error", reference=reference)


def _import_source(engine: Engine, source: Source, options: ImportOptions) -> ImportReport:
    """Validate the whole file, then (unless a dry run) write it in one transaction.

    - Over options.max_mb: rejected before it is read.
    - Same content as an applied batch (same checksum): nothing happens (status "unchanged").
    - Any error: nothing is written, unless options.accept_valid_rows, in which case the
      valid rows are written and the invalid ones listed in the report. An error about the
      whole file (a missing column, an unreadable layer) always stops the import.
    - Written: the rows, their history (so the batch can be rolled back), the batch and
      its report, rebuilt rollups and a new data version, all in the same transaction.
    """
    kind = options.kind or None
    report = ImportReport(file_name=source.name, kind=kind or "", dry_run=options.dry_run,
                          accept_valid_rows=options.accept_valid_rows)
    limit = int(options.max_mb * 1024 * 1024)
    if source.size > limit:
        report.add("file_too_large", value=f"{source.size / 1024 / 1024:.1f} MB",
                   size_mb=f"{source.size / 1024 / 1024:.1f}", max_mb=f"{options.max_mb:g}")
        report.status = "rejected"
        return report
    if options.mapping_data is not None and len(options.mapping_data) > limit:
        report.add("file_too_large", file=options.mapping_name, value=f"{len(options.mapping_data) / 1024 / 1024:.1f} MB",
                   size_mb=f"{len(options.mapping_data) / 1024 / 1024:.1f}", max_mb=f"{options.max_mb:g}")
        report.status = "rejected"
        return report
    kind = kind or detect_kind(source, options)
    report.kind = kind
    report.checksum = checksum_of(source, options, kind)
    handler = _HANDLERS[kind]

    with engine.begin() as conn:
        if not options.dry_run:
            # Before anything is read: the rules below are checked against what this import will write over.
            locking.take_import_lock(conn)
        previous = history.applied_batch_with_checksum(conn, report.checksum)
        if previous is not None:
            report.status = "unchanged"
            report.previous_batch_id = previous["id"]
            report.previous_imported_at = str(previous["imported_at"])[:16]
            return report
        lookup = Lookup.load(conn)
        prepared = handler.prepare(conn, source, options, lookup, report)
        try:
            return _decide_and_write(conn, handler, prepared, source, options, kind, report)
        finally:
            if isinstance(prepared, staging.Staging):
                prepared.close()


def _decide_and_write(conn, handler, prepared, source: Source, options: ImportOptions, kind: str,
                      report: ImportReport) -> ImportReport:
    """The second half of _import_source, inside its transaction: reject, or write the batch."""
    report.sort_problems()
    if options.dry_run:
        report.status = "dry_run"
        return report
    if report.has_file_errors or report.rows_valid == 0 or (report.errors and not options.accept_valid_rows):
        report.status = "rejected"
        return report
    batch_id = history.start_batch(conn, kind, source.name, report.checksum, options.imported_by)
    report.batch_id = batch_id
    undo = handler.write(conn, batch_id, prepared, report) or {}
    changed = undo.pop("_changed_pairs", None)
    if not report.rows_inserted and not report.rows_replaced and not undo.get("survey_rounds"):
        # Same data under another checksum (re-saved file, another mapping): no batch to list.
        history.forget_batch(conn, batch_id)
        report.batch_id = None
        report.status = "unchanged"
        return report
    if changed is not None:
        # Observations: only the periods the import changed (data_access.rollup_scope).
        rebuild_rollups(conn, periods=changed)
    elif report.indicators:
        rebuild_rollups(conn, report.indicators)
    bump_data_version(conn)
    report.status = "applied"
    history.finish_batch(conn, batch_id, report, undo)
    return report


class _ObservationFile:
    """Indicator files and DHIS2 exports: both end as observation rows, checked and merged on a staging table."""

    def __init__(self, read):
        self.read = read

    def prepare(self, conn, source: Source, options: ImportOptions, lookup: Lookup, report: ImportReport):
        stage = staging.Staging(conn)
        try:
            stage.add_all(self.read(source, options, lookup, report))
            if not report.has_file_errors:
                # A file that cannot be read to its end is refused whole: its rows are not checked further.
                stage.check(lookup, report)
        except BaseException:
            stage.close()
            raise
        observations, values, codes = stage.totals()
        # A DHIS2 observation may add up several data values: count the values, as rows_total does.
        report.rows_valid = values
        report.summary["observations"] = observations
        report.indicators = codes
        return stage

    def write(self, conn, batch_id: int, stage: "staging.Staging", report: ImportReport) -> dict:
        report.rows_inserted, report.rows_replaced, report.rows_unchanged, changed = stage.write(batch_id)
        rounds = survey_rounds.write(conn, batch_id, stage.release_dates())
        if rounds:
            report.summary["release_dates"] = len(rounds)
        undo = {"survey_rounds": rounds} if rounds else {}
        # A new release date changes which round is the latest, not the rollup: its pair is rebuilt anyway.
        changed |= {tuple(entry["key"]) for entry in rounds}
        return undo | {"_changed_pairs": changed}


def _read_indicator_source(source: Source, options: ImportOptions, lookup: Lookup, report: ImportReport) -> list[dict]:
    if source.folder is not None:
        report.add("unsupported_format", value=source.name, extension="/")
        return []
    return indicator_stream.stream_indicator_file(source.data, source.name, lookup, report)


def _read_dhis2_source(source: Source, options: ImportOptions, lookup: Lookup, report: ImportReport) -> list[dict]:
    if source.folder is not None:
        report.add("unsupported_format", value=source.name, extension="/")
        return []
    return dhis2.read_dhis2(source.data, source.name, options.mapping_data, options.mapping_name, lookup, report)


_HANDLERS = {
    "indicators": _ObservationFile(_read_indicator_source),
    "dhis2": _ObservationFile(_read_dhis2_source),
    "targets": targets,
    "villages": villages,
}

__all__ = ["KINDS", "ImportOptions", "ImportReport", "Problem", "Source", "detect_kind", "import_bytes",
           "import_path", "import_source"]
