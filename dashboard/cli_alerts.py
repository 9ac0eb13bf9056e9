"""`python -m dashboard alerts --scope 07 --as-of 2022-11`: the Overview's alerts, for a data officer to send on."""
import argparse
import csv
import re
import sys

from dashboard.cli import command
from dashboard.cli_import import _engine, _lang_argument, _language

FORMATS = ("text", "csv")
CSV_COLUMNS = ["severity", "rule", "scope", "value", "sentence", "link"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scope", default="00",
                        help="place code: 00 the country (default), 2 digits a province, 4 digits a district")
    parser.add_argument("--as-of", dest="as_of", help="month YYYY-MM (default: the latest month with data)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default) or csv")
    _lang_argument(parser)


@command("alerts", "print the alerts for a place as of a month (the Overview's list, same rules and thresholds)")(_arguments)
def alerts_command(args: argparse.Namespace) -> int:
    from data_access.queries.alerts import alerts_for
    from data_access.queries.catalogue import admin_unit, months_with_data
    from i18n import format_number, format_period, localized, t

    lang = _language(args)
    engine = _engine()
    try:
        with engine.connect() as conn:
            scope = (args.scope or "00").strip()
            unit = admin_unit(conn, scope) if re.fullmatch(r"\d{2}|\d{4}", scope) else None
            if unit is None or unit.get("level") not in ("national", "province", "district"):
                print(t("alerts.cli_bad_scope", lang, option="--scope", scope=scope), file=sys.stderr)
                return 2
            months = months_with_data(conn)
            as_of = args.as_of or (months[0] if months else None)
            if not as_of or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", as_of):
                print(t("alerts.cli_bad_month", lang, option="--as-of", month=as_of or ""), file=sys.stderr)
                return 2
            frame = alerts_for(conn, None if scope == "00" else scope, as_of, lang)
    finally:
        engine.dispose()
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for alert in frame.to_dict("records"):
            writer.writerow([alert["severity"], alert["rule"], alert["scope_code"], f"{alert['value']:g}",
                             alert["sentence"], alert["link"]])
        return 0
    place = localized(unit, lang) if scope != "00" else t("common.national", lang)
    print(t("alerts.cli_header", lang, place=place, period=format_period(as_of, lang),
            count=format_number(len(frame), lang)))
    if frame.empty:
        print(t("alerts.none", lang))
    for alert in frame.to_dict("records"):
        print(f"[{t('alerts.severity_' + alert['severity'], lang)}] {alert['sentence']}")
        print(f"    {alert['link']}")
    return 0
