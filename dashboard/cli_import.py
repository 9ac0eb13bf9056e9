"""`python -m dashboard import | batches | rollback | template`: the command-line side of the importer."""
import argparse
import getpass
from pathlib import Path

from dashboard.cli import command
from dashboard.config import load_config

KINDS = ("auto", "indicators", "dhis2", "villages", "targets")


def _engine():
    from data_access.database import init_db, is_initialised, make_engine

    engine = make_engine(load_config()["DATABASE_URL"])
    if not is_initialised(engine):
        init_db(engine)
    return engine


def _language(args: argparse.Namespace) -> str:
    from i18n import normalise_language

    return normalise_language(args.lang or load_config()["DEFAULT_LANGUAGE"], "en")


def _lang_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=["lo", "en"], help="language of the messages (default: DEFAULT_LANGUAGE)")


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV/.xlsx indicator or targets file, DHIS2 dataValueSets .json/.csv, or a "
                                     "village layer (.zip shapefile, shapefile folder, .gpkg, .geojson)")
    parser.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    parser.add_argument("--kind", choices=KINDS, default="auto", help="what the file holds (default: detect)")
    parser.add_argument("--accept-valid-rows", action="store_true",
                        help="import the valid rows even if other rows have errors (they are listed, not imported)")
    parser.add_argument("--mapping", help="DHIS2 mapping file (CSV or .xlsx): data elements and org units to our codes")
    parser.add_argument("--code-field", help="village layer: the field holding the 7-digit village code")
    parser.add_argument("--name-field", help="village layer: the field holding the village name (Lao or English)")
    parser.add_argument("--name-lo-field", help="village layer: the field holding the Lao name, if there are two")
    parser.add_argument("--layer", help="village layer: which layer or file, when there are several")
    parser.add_argument("--report", metavar="CSV", help="also write every problem to this CSV file")
    parser.add_argument("--as-user", metavar="USERNAME",
                        help="import as this account: a province coordinator's file must stay in their provinces")
    _lang_argument(parser)


def print_report(report, lang: str) -> None:
    from data_access.importers.report import format_figure
    from i18n import format_number, t

    print(report.headline(lang))
    for problem in report.problems:
        where = t("importer.cli.where", lang, file=problem.file,
                  row=problem.row if problem.row is not None else t("importer.whole_file", lang),
                  column=problem.column or "-")
        print(f"  [{problem.severity}] {where}: {problem.message(lang)} ({problem.rule})")
    total = report.summary.get("replacements_total") or 0
    if total:
        key = "importer.replacements.done" if report.status == "applied" else "importer.replacements.coming"
        print(t(key, lang, count=format_number(total, lang)))
        for item in report.summary.get("replacements") or []:
            what = (t(f"importer.replacements.field.{item['field']}", lang) if "field" in item
                    else f"{item['indicator']}  {item['place']}  {item['period']}")
            place = f"  {item['place']}" if "field" in item else ""
            old, new = item["old"], item["new"]
            if "field" not in item:
                old, new = (" / ".join(format_figure(value, lang) if value is not None else "-" for value in values)
                            for values in (old, new))
            print(f"  {what}{place}:  {old} -> {new}")
        if total > len(report.summary.get("replacements") or []):
            print("  " + t("importer.replacements.more", lang, shown=format_number(len(report.summary["replacements"]), lang),
                           total=format_number(total, lang)))


@command("import", "validate a data file and import it in one transaction (see docs/import-format.md)")(_import_arguments)
def import_command(args: argparse.Namespace) -> int:
    from data_access.importers import ImportOptions, import_path

    lang = _language(args)
    path = Path(args.file)
    if not path.exists():
        from i18n import t

        print(t("importer.cli.no_such_file", lang, file=args.file))
        return 2
    max_mb = float(load_config()["MAX_UPLOAD_MB"])
    mapping_data = None
    if args.mapping:
        mapping = Path(args.mapping)
        size = mapping.stat().st_size if mapping.is_file() else -1
        if size < 0:
            from i18n import t

            print(t("importer.cli.no_such_file", lang, file=args.mapping))
            return 2
        if size > max_mb * 1024 * 1024:
            # Checked on disk: a huge mapping file is never read into memory.
            from i18n import t

            print(t("importer.rule.file_too_large", lang, size_mb=f"{size / 1024 / 1024:.1f}", max_mb=f"{max_mb:g}"))
            return 1
        mapping_data = mapping.read_bytes()
    options = ImportOptions(
        kind=None if args.kind == "auto" else args.kind, dry_run=args.dry_run,
        accept_valid_rows=args.accept_valid_rows,
        mapping_name=Path(args.mapping).name if args.mapping else None, mapping_data=mapping_data,
        code_field=args.code_field, name_field=args.name_field, name_lo_field=args.name_lo_field, layer=args.layer,
        imported_by=getpass.getuser(), max_mb=max_mb,
    )
    engine = _engine()
    refused = _refused_by_account(engine, args, path, options, lang)
    if refused is not None:
        return refused
    report = import_path(engine, path, options)
    print_report(report, lang)
    if not args.dry_run:
        from access.audit import record

        with engine.begin() as conn:
            record(conn, "import", options.imported_by, "local", file=path.name, status=report.status,
                   batch=report.batch_id, rows=report.rows_inserted + report.rows_replaced)
    if args.report:
        Path(args.report).write_text(report.to_csv(lang), encoding="utf-8-sig")
    if report.status == "rejected" or (report.status == "dry_run" and report.errors):
        return 1
    return 0


def _refused_by_account(engine, args, path: Path, options, lang: str) -> int | None:
    """With --as-user: the account's province rule, checked before anything is written (exit 1 when refused)."""
    if not args.as_user:
        options.imported_by = f"cli:{options.imported_by}"
        return None
    from access.accounts import find_account
    from access.audit import record
    from access.import_scope import check_path_scope
    from i18n import t

    with engine.connect() as conn:
        found = find_account(conn, args.as_user)
    if found is None or not found[0].active:
        print(t("access.cli.unknown_account", lang, username=args.as_user))
        return 2
    account = found[0]
    options.imported_by = account.username
    refusal = check_path_scope(engine, account, path, options)
    if refusal is None:
        return None
    print(refusal.message(lang))
    with engine.begin() as conn:
        record(conn, "import_refused", account.username, "local", file=path.name, outside=refusal.codes[:20])
    return 1


@command("batches", "list import batches, newest first")(
    lambda parser: (parser.add_argument("--limit", type=int, default=50, help="how many (default 50)"),
                    _lang_argument(parser))
)
def batches_command(args: argparse.Namespace) -> int:
    from data_access.importers.history import list_batches
    from i18n import t

    lang = _language(args)
    with _engine().connect() as conn:
        frame = list_batches(conn, args.limit)
    if frame.empty:
        print(t("importer.no_batches", lang))
        return 0
    print("  ".join([t("importer.history.batch", lang), t("importer.history.when", lang) + " (UTC)",
                     t("importer.history.kind", lang), t("importer.history.status", lang),
                     t("importer.history.rows", lang), t("importer.history.file", lang)]))
    for batch in frame.itertuples(index=False):
        rows = t("importer.history.rows_detail", lang, inserted=batch.rows_inserted, replaced=batch.rows_replaced,
                 rejected=batch.rows_rejected)
        print(f"{batch.id:>5}  {batch.imported_at:%Y-%m-%d %H:%M}  {batch.kind:<10}  {batch.status:<11}  "
              f"{batch.rows_total:>7} ({rows})  {batch.file_name}")
    return 0


@command("rollback", "undo one import batch (restores the values it replaced, removes the rows it added)")(
    lambda parser: (parser.add_argument("batch_id", type=int, help="the batch id (see `batches`)"),
                    _lang_argument(parser))
)
def rollback_command(args: argparse.Namespace) -> int:
    from data_access.importers.history import RollbackRefused, rollback_batch
    from i18n import t

    lang = _language(args)
    try:
        with _engine().begin() as conn:
            done = rollback_batch(conn, args.batch_id)
            from access.audit import record

            record(conn, "rollback", f"cli:{getpass.getuser()}", "local", batch=done["batch"], file=done["file_name"])
    except RollbackRefused as refused:
        print(t(f"importer.rollback.{refused.key}", lang, **refused.params))
        return 1
    print(t("importer.rollback.done", lang, batch=done["batch"], file=done["file_name"]))
    return 0


@command("template", "write the .xlsx import template of a project (RRPM, HANSA, SUWASH, AFN, ECE or SURVEYS)")(
    lambda parser: (parser.add_argument("project", help="project code"),
                    parser.add_argument("out", help="the .xlsx file to write"), _lang_argument(parser))
)
def template_command(args: argparse.Namespace) -> int:
    from data_access.importers.templates import build_template
    from i18n import t

    lang = _language(args)
    try:
        with _engine().connect() as conn:
            content = build_template(conn, args.project.upper())
    except KeyError:
        print(t("importer.cli.unknown_project", lang, project=args.project))
        return 2
    Path(args.out).write_bytes(content)
    print(t("importer.cli.template_written", lang, file=args.out, project=args.project.upper()))
    return 0
